"""List and map operations only the current API (19.x) has, as CDT protocol ops.

Owns: the ``OP_LIST_*`` / ``OP_MAP_*`` codes that 19.x added (get/remove by index, rank, value, value list,
value interval and relative rank/index ranges, their "to end" forms, list sort, set order and create, map key and
value lists and create), read from the dict keys ``aerospike_helpers.operations.list_operations`` and
``map_operations`` write (``return_type``, ``index``, ``rank``, ``count``, ``val``, ``value_list``,
``value_begin``/``value_end``, ``inverted``, ``ctx``, ...), with the argument layouts of the official C core
(transcripts 05-list-ops and 06-map-ops). 3.0.0 answered these codes "Invalid operation given", so nothing here
can change what 3.0.0 code gets. Must not know sockets, policies of commands or the reply parser.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .._constants_current import (
    OP_LIST_CREATE,
    OP_LIST_GET_BY_INDEX,
    OP_LIST_GET_BY_INDEX_RANGE,
    OP_LIST_GET_BY_INDEX_RANGE_TO_END,
    OP_LIST_GET_BY_RANK,
    OP_LIST_GET_BY_RANK_RANGE,
    OP_LIST_GET_BY_RANK_RANGE_TO_END,
    OP_LIST_GET_BY_VALUE,
    OP_LIST_GET_BY_VALUE_LIST,
    OP_LIST_GET_BY_VALUE_RANGE,
    OP_LIST_GET_BY_VALUE_RANK_RANGE_REL,
    OP_LIST_GET_BY_VALUE_RANK_RANGE_REL_TO_END,
    OP_LIST_REMOVE_BY_INDEX,
    OP_LIST_REMOVE_BY_INDEX_RANGE,
    OP_LIST_REMOVE_BY_INDEX_RANGE_TO_END,
    OP_LIST_REMOVE_BY_RANK,
    OP_LIST_REMOVE_BY_RANK_RANGE,
    OP_LIST_REMOVE_BY_RANK_RANGE_TO_END,
    OP_LIST_REMOVE_BY_REL_RANK_RANGE,
    OP_LIST_REMOVE_BY_REL_RANK_RANGE_TO_END,
    OP_LIST_REMOVE_BY_VALUE,
    OP_LIST_REMOVE_BY_VALUE_LIST,
    OP_LIST_REMOVE_BY_VALUE_RANGE,
    OP_LIST_REMOVE_BY_VALUE_RANK_RANGE_REL,
    OP_LIST_SET_ORDER,
    OP_LIST_SORT,
    OP_MAP_CREATE,
    OP_MAP_GET_BY_INDEX_RANGE_TO_END,
    OP_MAP_GET_BY_KEY_INDEX_RANGE_REL,
    OP_MAP_GET_BY_KEY_LIST,
    OP_MAP_GET_BY_KEY_REL_INDEX_RANGE,
    OP_MAP_GET_BY_KEY_REL_INDEX_RANGE_TO_END,
    OP_MAP_GET_BY_RANK_RANGE_TO_END,
    OP_MAP_GET_BY_VALUE_LIST,
    OP_MAP_GET_BY_VALUE_RANK_RANGE_REL,
    OP_MAP_GET_BY_VALUE_RANK_RANGE_REL_TO_END,
    OP_MAP_REMOVE_BY_INDEX_RANGE_TO_END,
    OP_MAP_REMOVE_BY_KEY_INDEX_RANGE_REL,
    OP_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE,
    OP_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE_TO_END,
    OP_MAP_REMOVE_BY_RANK_RANGE_TO_END,
    OP_MAP_REMOVE_BY_VALUE_RANK_RANGE_REL,
    OP_MAP_REMOVE_BY_VALUE_REL_INDEX_RANGE,
    OP_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE,
    OP_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE_TO_END,
)
from ..exception import ParamError
from ..protocol.constants import OP_CDT_MODIFY, OP_CDT_READ
from ..protocol.message import Op
from .list_ops import (
    _INT64_LIMIT,
    _INT64_MIN,
    OpFields,
    Unsigned,
    allow_current_keys,
    bin_name_of,
    make_op,
    read_list_policy,
)
from .map_ops import read_map_policy
from .results import RETURN_TYPE_INVERTED, ResultShape

__all__ = ["CURRENT_BUILDERS", "build_current"]

Builder = Callable[[OpFields], "tuple[Op, ResultShape]"]

# CDT list operation codes of the current wire (C client as_list_operations.c).
CDT_LIST_SET_TYPE = 0  # [0, order(|0x10 persist index)]
CDT_LIST_SORT = 13  # [13, sort flags]
CDT_LIST_GET_BY_INDEX = 19  # [19, return_type, index]
CDT_LIST_GET_BY_RANK = 21  # [21, return_type, rank]
CDT_LIST_GET_ALL_BY_VALUE = 22  # [22, return_type, value]
CDT_LIST_GET_BY_VALUE_LIST = 23  # [23, return_type, [values]]
CDT_LIST_GET_BY_INDEX_RANGE = 24  # [24, return_type, index(, count)]
CDT_LIST_GET_BY_VALUE_INTERVAL = 25  # [25, return_type, begin(, end)]
CDT_LIST_GET_BY_RANK_RANGE = 26  # [26, return_type, rank(, count)]
CDT_LIST_GET_BY_VALUE_REL_RANK_RANGE = 27  # [27, return_type, value, rank(, count)]
CDT_LIST_REMOVE_BY_INDEX = 32
CDT_LIST_REMOVE_BY_RANK = 34
CDT_LIST_REMOVE_ALL_BY_VALUE = 35
CDT_LIST_REMOVE_BY_VALUE_LIST = 36
CDT_LIST_REMOVE_BY_INDEX_RANGE = 37
CDT_LIST_REMOVE_BY_VALUE_INTERVAL = 38
CDT_LIST_REMOVE_BY_RANK_RANGE = 39
CDT_LIST_REMOVE_BY_VALUE_REL_RANK_RANGE = 40

# CDT map operation codes of the current wire (C client as_map_operations.c).
CDT_MAP_SET_TYPE = 64  # [64, order(|0x10 persist index)]
CDT_MAP_REMOVE_BY_INDEX_RANGE = 85
CDT_MAP_REMOVE_BY_RANK_RANGE = 87
CDT_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE = 88  # [88, return_type, key, index(, count)]
CDT_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE = 89  # [89, return_type, value, rank(, count)]
CDT_MAP_GET_BY_INDEX_RANGE = 104
CDT_MAP_GET_BY_RANK_RANGE = 106
CDT_MAP_GET_BY_KEY_LIST = 107  # [107, return_type, [keys]]
CDT_MAP_GET_BY_VALUE_LIST = 108  # [108, return_type, [values]]
CDT_MAP_GET_BY_KEY_REL_INDEX_RANGE = 109  # [109, return_type, key, index(, count)]
CDT_MAP_GET_BY_VALUE_REL_RANK_RANGE = 110  # [110, return_type, value, rank(, count)]

_PERSIST_INDEX = 0x10  # order attribute bit of a top-level list or map: persist its index
_LIST_ORDERED = 1
_MAP_KEY_ORDERED = 1
_MAP_UNORDERED = 0

_MISSING = object()


# --------------------------------------------------------------------------------------------- fields


def _required(fields: OpFields, name: str) -> Any:
    value = fields.operation.get(name, _MISSING)
    if value is _MISSING:
        raise ParamError(f"Operation requires {name} parameter")
    return value


def _int(fields: OpFields, name: str, default: Any = _MISSING) -> int:
    value = fields.operation.get(name, default)
    if value is _MISSING:
        raise ParamError(f"Operation requires {name} parameter")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"{name} must be an integer")
    if not _INT64_MIN <= value < _INT64_LIMIT:
        raise ParamError("integer value exceeds sys.maxsize")
    return int(value)


def _rank(fields: OpFields) -> int:
    # 19.x writes a map rank under 'index' for the ops 3.0.0 had and under 'rank' for the new ones.
    return _int(fields, "rank" if "rank" in fields.operation else "index")


def _count(fields: OpFields) -> Optional[Unsigned]:
    """The optional count of a range; absent or None means "to the end". Written unsigned, as the C core does."""
    if fields.operation.get("count") is None:
        return None
    return Unsigned(_int(fields, "count"))


def _list_field(fields: OpFields, name: str) -> list:
    value = _required(fields, name)
    if not isinstance(value, list):
        raise ParamError(f"{name} must be a list")
    return value


def _read_common(fields: OpFields) -> None:
    """What every current-API CDT dict carries: bin, return type, inverted, ctx, policies."""
    operation = fields.operation
    if "bin" not in operation:
        raise ParamError("Bin is not given")
    fields.bin_name = bin_name_of(operation["bin"])
    if "return_type" in operation:
        fields.return_type = _int(fields, "return_type")
    if operation.get("inverted"):
        fields.return_type |= RETURN_TYPE_INVERTED
    ctx = operation.get("ctx")
    if ctx:
        if not isinstance(ctx, list):
            raise ParamError("ctx must be a list of cdt_ctx objects")
        fields.ctx = ctx
    if operation.get("list_policy"):
        fields.list_policy = read_list_policy(operation["list_policy"])
    if operation.get("map_policy") is not None:
        fields.map_policy = read_map_policy(operation["map_policy"])


# --------------------------------------------------------------------------------------------- builders


def _shape(fields: OpFields, modify: bool, is_map: bool) -> ResultShape:
    if is_map:
        return ResultShape(fields.op_code, is_write=modify, respond_all_ops=True, return_type=fields.return_type)
    return ResultShape(fields.op_code, is_write=modify)


def _built(fields: OpFields, modify: bool, is_map: bool, cdt_op: int, *args: tuple[str, Any]) -> tuple[Op, ResultShape]:
    op = make_op(OP_CDT_MODIFY if modify else OP_CDT_READ, fields.bin_name, fields.pack(cdt_op, *args))
    return op, _shape(fields, modify, is_map)


def _selection(cdt_op: int, modify: bool, is_map: bool, *sources: str) -> Builder:
    """``[op, return_type, args...]``: each source names a dict key, 'rank' (rank under 'rank' or 'index'),
    'count' (optional count), 'to_end' (no count at all) or 'list:<key>' (a list value)."""

    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        args: list[tuple[str, Any]] = [("return_type", Unsigned(fields.return_type))]
        for source in sources:
            if source == "count":
                count = _count(fields)
                if count is not None:
                    args.append(("count", count))
            elif source == "rank":
                args.append(("rank", _rank(fields)))
            elif source in ("index",):
                args.append((source, _int(fields, source)))
            elif source.startswith("list:"):
                name = source[5:]
                args.append((name, _list_field(fields, name)))
            else:
                args.append((source, _required(fields, source)))
        return _built(fields, modify, is_map, cdt_op, *args)

    return build


def _value_interval(cdt_op: int, modify: bool) -> Builder:
    # [op, return_type, begin(, end)]: a missing begin is nil (from the lowest value), a missing end is left out.
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        args: list[tuple[str, Any]] = [
            ("return_type", Unsigned(fields.return_type)),
            ("value_begin", fields.operation.get("value_begin")),
        ]
        if fields.operation.get("value_end") is not None:
            args.append(("value_end", fields.operation["value_end"]))
        return _built(fields, modify, False, cdt_op, *args)

    return build


def _list_set_order(fields: OpFields) -> tuple[Op, ResultShape]:
    return _built(fields, True, False, CDT_LIST_SET_TYPE, ("list_order", Unsigned(_int(fields, "list_order"))))


def _list_sort(fields: OpFields) -> tuple[Op, ResultShape]:
    return _built(fields, True, False, CDT_LIST_SORT, ("sort_flags", Unsigned(_int(fields, "sort_flags", 0))))


def _list_create(fields: OpFields) -> tuple[Op, ResultShape]:
    # Top level: set the order (with the persist-index bit). Nested: the last context level is created with the
    # order's flag (ordered 0xc0, else padded 0x80 or 0x40) and the persist-index bit does not apply.
    order = _int(fields, "list_order")
    if fields.ctx:
        pad = bool(fields.operation.get("pad"))
        fields.ctx_create_flag = 0xC0 if order == _LIST_ORDERED else 0x80 if pad else 0x40
        return _built(fields, True, False, CDT_LIST_SET_TYPE, ("list_order", Unsigned(order)))
    attributes = order | (_PERSIST_INDEX if fields.operation.get("persist_index") else 0)
    return _built(fields, True, False, CDT_LIST_SET_TYPE, ("list_order", Unsigned(attributes)))


def _map_create(fields: OpFields) -> tuple[Op, ResultShape]:
    order = _int(fields, "map_order")
    if fields.ctx:
        fields.ctx_create_flag = 0x40 if order == _MAP_UNORDERED else 0x80 if order == _MAP_KEY_ORDERED else 0xC0
        return _built(fields, True, True, CDT_MAP_SET_TYPE, ("map_order", Unsigned(order)))
    attributes = order | (_PERSIST_INDEX if fields.operation.get("persist_index") else 0)
    return _built(fields, True, True, CDT_MAP_SET_TYPE, ("map_order", Unsigned(attributes)))


def _list(cdt_op: int, modify: bool, *sources: str) -> Builder:
    return _selection(cdt_op, modify, False, *sources)


def _map(cdt_op: int, modify: bool, *sources: str) -> Builder:
    return _selection(cdt_op, modify, True, *sources)


CURRENT_BUILDERS: dict[int, Builder] = {
    OP_LIST_GET_BY_INDEX: _list(CDT_LIST_GET_BY_INDEX, False, "index"),
    OP_LIST_GET_BY_INDEX_RANGE: _list(CDT_LIST_GET_BY_INDEX_RANGE, False, "index", "count"),
    OP_LIST_GET_BY_INDEX_RANGE_TO_END: _list(CDT_LIST_GET_BY_INDEX_RANGE, False, "index"),
    OP_LIST_GET_BY_RANK: _list(CDT_LIST_GET_BY_RANK, False, "rank"),
    OP_LIST_GET_BY_RANK_RANGE: _list(CDT_LIST_GET_BY_RANK_RANGE, False, "rank", "count"),
    OP_LIST_GET_BY_RANK_RANGE_TO_END: _list(CDT_LIST_GET_BY_RANK_RANGE, False, "rank"),
    OP_LIST_GET_BY_VALUE: _list(CDT_LIST_GET_ALL_BY_VALUE, False, "val"),
    OP_LIST_GET_BY_VALUE_LIST: _list(CDT_LIST_GET_BY_VALUE_LIST, False, "list:value_list"),
    OP_LIST_GET_BY_VALUE_RANGE: _value_interval(CDT_LIST_GET_BY_VALUE_INTERVAL, False),
    OP_LIST_GET_BY_VALUE_RANK_RANGE_REL: _list(CDT_LIST_GET_BY_VALUE_REL_RANK_RANGE, False, "val", "rank", "count"),
    OP_LIST_GET_BY_VALUE_RANK_RANGE_REL_TO_END: _list(CDT_LIST_GET_BY_VALUE_REL_RANK_RANGE, False, "val", "rank"),
    OP_LIST_REMOVE_BY_INDEX: _list(CDT_LIST_REMOVE_BY_INDEX, True, "index"),
    OP_LIST_REMOVE_BY_INDEX_RANGE: _list(CDT_LIST_REMOVE_BY_INDEX_RANGE, True, "index", "count"),
    OP_LIST_REMOVE_BY_INDEX_RANGE_TO_END: _list(CDT_LIST_REMOVE_BY_INDEX_RANGE, True, "index"),
    OP_LIST_REMOVE_BY_RANK: _list(CDT_LIST_REMOVE_BY_RANK, True, "rank"),
    OP_LIST_REMOVE_BY_RANK_RANGE: _list(CDT_LIST_REMOVE_BY_RANK_RANGE, True, "rank", "count"),
    OP_LIST_REMOVE_BY_RANK_RANGE_TO_END: _list(CDT_LIST_REMOVE_BY_RANK_RANGE, True, "rank"),
    OP_LIST_REMOVE_BY_VALUE: _list(CDT_LIST_REMOVE_ALL_BY_VALUE, True, "val"),
    OP_LIST_REMOVE_BY_VALUE_LIST: _list(CDT_LIST_REMOVE_BY_VALUE_LIST, True, "list:value_list"),
    OP_LIST_REMOVE_BY_VALUE_RANGE: _value_interval(CDT_LIST_REMOVE_BY_VALUE_INTERVAL, True),
    OP_LIST_REMOVE_BY_VALUE_RANK_RANGE_REL: _list(
        CDT_LIST_REMOVE_BY_VALUE_REL_RANK_RANGE, True, "val", "rank", "count"
    ),
    OP_LIST_REMOVE_BY_REL_RANK_RANGE: _list(CDT_LIST_REMOVE_BY_VALUE_REL_RANK_RANGE, True, "val", "rank", "count"),
    OP_LIST_REMOVE_BY_REL_RANK_RANGE_TO_END: _list(CDT_LIST_REMOVE_BY_VALUE_REL_RANK_RANGE, True, "val", "rank"),
    OP_LIST_SET_ORDER: _list_set_order,
    OP_LIST_SORT: _list_sort,
    OP_LIST_CREATE: _list_create,
    OP_MAP_GET_BY_KEY_LIST: _map(CDT_MAP_GET_BY_KEY_LIST, False, "list:val"),
    OP_MAP_GET_BY_VALUE_LIST: _map(CDT_MAP_GET_BY_VALUE_LIST, False, "list:val"),
    OP_MAP_GET_BY_KEY_INDEX_RANGE_REL: _map(CDT_MAP_GET_BY_KEY_REL_INDEX_RANGE, False, "key", "index", "count"),
    OP_MAP_GET_BY_KEY_REL_INDEX_RANGE: _map(CDT_MAP_GET_BY_KEY_REL_INDEX_RANGE, False, "key", "index", "count"),
    OP_MAP_GET_BY_KEY_REL_INDEX_RANGE_TO_END: _map(CDT_MAP_GET_BY_KEY_REL_INDEX_RANGE, False, "key", "index"),
    OP_MAP_GET_BY_VALUE_RANK_RANGE_REL: _map(CDT_MAP_GET_BY_VALUE_REL_RANK_RANGE, False, "val", "rank", "count"),
    OP_MAP_GET_BY_VALUE_RANK_RANGE_REL_TO_END: _map(CDT_MAP_GET_BY_VALUE_REL_RANK_RANGE, False, "val", "rank"),
    OP_MAP_GET_BY_INDEX_RANGE_TO_END: _map(CDT_MAP_GET_BY_INDEX_RANGE, False, "index"),
    OP_MAP_GET_BY_RANK_RANGE_TO_END: _map(CDT_MAP_GET_BY_RANK_RANGE, False, "rank"),
    OP_MAP_REMOVE_BY_KEY_INDEX_RANGE_REL: _map(CDT_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE, True, "key", "index", "count"),
    OP_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE: _map(CDT_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE, True, "key", "index", "count"),
    OP_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE_TO_END: _map(CDT_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE, True, "key", "index"),
    OP_MAP_REMOVE_BY_VALUE_RANK_RANGE_REL: _map(
        CDT_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE, True, "val", "rank", "count"
    ),
    OP_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE: _map(
        CDT_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE, True, "val", "rank", "count"
    ),
    OP_MAP_REMOVE_BY_VALUE_REL_INDEX_RANGE: _map(
        CDT_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE, True, "val", "rank", "count"
    ),
    OP_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE_TO_END: _map(CDT_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE, True, "val", "rank"),
    OP_MAP_REMOVE_BY_INDEX_RANGE_TO_END: _map(CDT_MAP_REMOVE_BY_INDEX_RANGE, True, "index"),
    OP_MAP_REMOVE_BY_RANK_RANGE_TO_END: _map(CDT_MAP_REMOVE_BY_RANK_RANGE, True, "rank"),
    OP_MAP_CREATE: _map_create,
}

_LIST_KEYS = (
    "return_type", "index", "rank", "count", "value_list", "value_begin", "value_end", "inverted", "ctx",
    "list_order", "sort_flags", "pad", "persist_index", "list_policy",
)
_MAP_KEYS = ("return_type", "index", "rank", "count", "inverted", "ctx", "map_order", "persist_index")
allow_current_keys([code for code in CURRENT_BUILDERS if code < 1100], _LIST_KEYS)
allow_current_keys([code for code in CURRENT_BUILDERS if code >= 1100], _MAP_KEYS)


def build_current(fields: OpFields) -> tuple[Op, ResultShape]:
    """The op of a current-API-only list or map operation (its code is in CURRENT_BUILDERS)."""
    _read_common(fields)
    return CURRENT_BUILDERS[fields.op_code](fields)
