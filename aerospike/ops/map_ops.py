"""Map operations of the spec (``OP_MAP_*`` dicts) as CDT protocol ops, and the spec's map policy.

Owns: the map policy dict of client 3.0.0 (``map_order``, ``map_write_mode``) and its translation to the
current wire, the CDT map op codes and argument layouts (official client 19.3.0; transcripts 06-map-ops),
and the return types those ops accept. Must not know sockets, policies of commands or the reply parser.

Write modes: 3.0.0's C core chose a different op for each mode (REPLACE for UPDATE_ONLY, ADD for
CREATE_ONLY). Current clients express the same thing as write flags on PUT / PUT_ITEMS, which is what
19.3.0 sends for ``map_write_flags`` UPDATE_ONLY / CREATE_ONLY, so the modes are sent that way here:
MAP_UPDATE -> no flags, MAP_UPDATE_ONLY -> flag 2, MAP_CREATE_ONLY -> flag 1. Increment and decrement carry
only the map order (the official client sends no flags with them either).
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

from .._constants import (
    MAP_CREATE_ONLY,
    MAP_KEY_ORDERED,
    MAP_KEY_VALUE_ORDERED,
    MAP_RETURN_COUNT,
    MAP_RETURN_INDEX,
    MAP_RETURN_KEY,
    MAP_RETURN_KEY_VALUE,
    MAP_RETURN_NONE,
    MAP_RETURN_RANK,
    MAP_RETURN_REVERSE_INDEX,
    MAP_RETURN_REVERSE_RANK,
    MAP_RETURN_VALUE,
    MAP_UNORDERED,
    MAP_UPDATE,
    MAP_UPDATE_ONLY,
    OP_MAP_CLEAR,
    OP_MAP_DECREMENT,
    OP_MAP_GET_BY_INDEX,
    OP_MAP_GET_BY_INDEX_RANGE,
    OP_MAP_GET_BY_KEY,
    OP_MAP_GET_BY_KEY_RANGE,
    OP_MAP_GET_BY_RANK,
    OP_MAP_GET_BY_RANK_RANGE,
    OP_MAP_GET_BY_VALUE,
    OP_MAP_GET_BY_VALUE_RANGE,
    OP_MAP_INCREMENT,
    OP_MAP_PUT,
    OP_MAP_PUT_ITEMS,
    OP_MAP_REMOVE_BY_INDEX,
    OP_MAP_REMOVE_BY_INDEX_RANGE,
    OP_MAP_REMOVE_BY_KEY,
    OP_MAP_REMOVE_BY_KEY_LIST,
    OP_MAP_REMOVE_BY_KEY_RANGE,
    OP_MAP_REMOVE_BY_RANK,
    OP_MAP_REMOVE_BY_RANK_RANGE,
    OP_MAP_REMOVE_BY_VALUE,
    OP_MAP_REMOVE_BY_VALUE_LIST,
    OP_MAP_REMOVE_BY_VALUE_RANGE,
    OP_MAP_SET_POLICY,
    OP_MAP_SIZE,
)
from ..exception import ParamError
from ..protocol.constants import OP_CDT_MODIFY, OP_CDT_READ
from ..protocol.message import Op
from .list_ops import OpFields, Unsigned, make_op
from .results import RETURN_TYPE_INVERTED, ResultShape

__all__ = [
    "MAP_BUILDERS",
    "MAP_RETURN_EXISTS",
    "MAP_RETURN_ORDERED_MAP",
    "MAP_RETURN_UNORDERED_MAP",
    "MAP_WRITE_FLAGS_CREATE_ONLY",
    "MAP_WRITE_FLAGS_DEFAULT",
    "MAP_WRITE_FLAGS_NO_FAIL",
    "MAP_WRITE_FLAGS_PARTIAL",
    "MAP_WRITE_FLAGS_UPDATE_ONLY",
    "MapPolicy",
    "read_map_policy",
]

Builder = Callable[[OpFields], "tuple[Op, ResultShape]"]

# CDT map operation codes on the wire (C client as_map_operations.c).
CDT_MAP_SET_TYPE = 64  # [64, order]
CDT_MAP_PUT = 67  # [67, key, value, order(, flags)]
CDT_MAP_PUT_ITEMS = 68  # [68, {items}, order(, flags)]
CDT_MAP_INCREMENT = 73  # [73, key, delta, order]
CDT_MAP_DECREMENT = 74  # [74, key, delta, order]
CDT_MAP_CLEAR = 75  # [75]
CDT_MAP_REMOVE_BY_KEY = 76  # [76, return_type, key]
CDT_MAP_REMOVE_BY_INDEX = 77  # [77, return_type, index]
CDT_MAP_REMOVE_BY_RANK = 79  # [79, return_type, rank]
CDT_MAP_REMOVE_BY_KEY_LIST = 81  # [81, return_type, [keys]]
CDT_MAP_REMOVE_ALL_BY_VALUE = 82  # [82, return_type, value]
CDT_MAP_REMOVE_BY_VALUE_LIST = 83  # [83, return_type, [values]]
CDT_MAP_REMOVE_BY_KEY_INTERVAL = 84  # [84, return_type, begin, end]
CDT_MAP_REMOVE_BY_INDEX_RANGE = 85  # [85, return_type, index, count]
CDT_MAP_REMOVE_BY_VALUE_INTERVAL = 86  # [86, return_type, begin, end]
CDT_MAP_REMOVE_BY_RANK_RANGE = 87  # [87, return_type, rank, count]
CDT_MAP_SIZE = 96  # [96]
CDT_MAP_GET_BY_KEY = 97  # [97, return_type, key]
CDT_MAP_GET_BY_INDEX = 98  # [98, return_type, index]
CDT_MAP_GET_BY_RANK = 100  # [100, return_type, rank]
CDT_MAP_GET_ALL_BY_VALUE = 102  # [102, return_type, value]
CDT_MAP_GET_BY_KEY_INTERVAL = 103  # [103, return_type, begin, end]
CDT_MAP_GET_BY_INDEX_RANGE = 104  # [104, return_type, index, count]
CDT_MAP_GET_BY_VALUE_INTERVAL = 105  # [105, return_type, begin, end]
CDT_MAP_GET_BY_RANK_RANGE = 106  # [106, return_type, rank, count]

# Map write flags of the current wire (later clients' MAP_WRITE_FLAGS_*).
MAP_WRITE_FLAGS_DEFAULT = 0  # create or update
MAP_WRITE_FLAGS_CREATE_ONLY = 1  # fail if the key exists
MAP_WRITE_FLAGS_UPDATE_ONLY = 2  # fail if the key does not exist
MAP_WRITE_FLAGS_NO_FAIL = 4  # skip entries that fail a flag instead of failing the op
MAP_WRITE_FLAGS_PARTIAL = 8  # with NO_FAIL: apply the entries that pass
_ALL_WRITE_FLAGS = 15

# Return types later clients added; accepted because current servers answer them.
MAP_RETURN_EXISTS = 13
MAP_RETURN_UNORDERED_MAP = 16
MAP_RETURN_ORDERED_MAP = 17

_RETURN_TYPES = frozenset(
    (
        MAP_RETURN_NONE,
        MAP_RETURN_INDEX,
        MAP_RETURN_REVERSE_INDEX,
        MAP_RETURN_RANK,
        MAP_RETURN_REVERSE_RANK,
        MAP_RETURN_COUNT,
        MAP_RETURN_KEY,
        MAP_RETURN_VALUE,
        MAP_RETURN_KEY_VALUE,
        MAP_RETURN_EXISTS,
        MAP_RETURN_UNORDERED_MAP,
        MAP_RETURN_ORDERED_MAP,
    )
)
_MAP_ORDERS = frozenset((MAP_UNORDERED, MAP_KEY_ORDERED, MAP_KEY_VALUE_ORDERED))
_WRITE_MODE_FLAGS = {
    MAP_UPDATE: MAP_WRITE_FLAGS_DEFAULT,
    MAP_UPDATE_ONLY: MAP_WRITE_FLAGS_UPDATE_ONLY,
    MAP_CREATE_ONLY: MAP_WRITE_FLAGS_CREATE_ONLY,
}


class MapPolicy(NamedTuple):
    """A map policy as the wire carries it: the map's order and the write flags."""

    order: int = MAP_UNORDERED
    flags: int = MAP_WRITE_FLAGS_DEFAULT


DEFAULT_MAP_POLICY = MapPolicy()


def _policy_int(policy: dict, name: str, allowed: Any) -> Optional[int]:
    value = policy.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"map_policy: {name} is invalid (an int is required, not {type(value).__name__})")
    if value not in allowed:
        raise ParamError(f"map_policy: {name} is invalid ({value!r})")
    return value


def read_map_policy(policy: Any) -> MapPolicy:
    """The MapPolicy of a spec map policy dict (None: the default, unordered and create-or-update).

    Keys: ``map_order`` (MAP_UNORDERED, MAP_KEY_ORDERED, MAP_KEY_VALUE_ORDERED), ``map_write_mode``
    (MAP_UPDATE, MAP_UPDATE_ONLY, MAP_CREATE_ONLY) and, as later clients spell it, ``map_write_flags``
    (an OR of MAP_WRITE_FLAGS_*, combined with the write mode). Other keys are ignored, as 3.0.0 did.
    """
    if policy is None:
        return DEFAULT_MAP_POLICY
    if not isinstance(policy, dict):
        raise ParamError("map_policy must be a dict")
    order = _policy_int(policy, "map_order", _MAP_ORDERS)
    mode = _policy_int(policy, "map_write_mode", _WRITE_MODE_FLAGS)
    flags = _policy_int(policy, "map_write_flags", range(_ALL_WRITE_FLAGS + 1))
    return MapPolicy(
        MAP_UNORDERED if order is None else order,
        (0 if mode is None else _WRITE_MODE_FLAGS[mode]) | (flags or 0),
    )


# --------------------------------------------------------------------------------------------- readers


def _return_type(fields: OpFields) -> int:
    value = fields.operation.get("return_type")
    if value is None:
        return MAP_RETURN_NONE  # the spec's default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"Return type should be an integer ('return_type'), not {type(value).__name__}")
    if value & ~RETURN_TYPE_INVERTED not in _RETURN_TYPES or value & ~(RETURN_TYPE_INVERTED | 0xFF):
        raise ParamError(f"'return_type' {value!r} is not one of the aerospike.MAP_RETURN_* constants")
    return value


def _map_policy(fields: OpFields, required: bool = False) -> MapPolicy:
    if "map_policy" not in fields.operation or fields.operation["map_policy"] is None:
        if required:
            raise ParamError("Operation requires map_policy parameter ('map_policy')")
        return DEFAULT_MAP_POLICY
    return read_map_policy(fields.operation["map_policy"])


def _map_key(fields: OpFields) -> Any:
    if "key" not in fields.operation:
        raise ParamError("Operation requires key parameter ('key')")
    return fields.operation["key"]


def _range_end(fields: OpFields) -> Any:
    if "range" not in fields.operation:
        raise ParamError("Range should be given ('range')")
    return fields.operation["range"]


# --------------------------------------------------------------------------------------------- builders


def _shape(fields: OpFields, modify: bool, return_type: Optional[int] = None) -> ResultShape:
    return ResultShape(fields.op_code, is_write=modify, respond_all_ops=True, return_type=return_type)


def _op(fields: OpFields, modify: bool, bin_name: str, payload: bytes, return_type: Optional[int] = None):
    op = make_op(OP_CDT_MODIFY if modify else OP_CDT_READ, bin_name, payload)
    return op, _shape(fields, modify, return_type)


def _set_policy(fields: OpFields) -> tuple[Op, ResultShape]:
    name = fields.bin()
    fields.no_index()
    policy = _map_policy(fields, required=True)
    return _op(fields, True, name, fields.pack(CDT_MAP_SET_TYPE, ("map_policy", Unsigned(policy.order))))


def _put(fields: OpFields) -> tuple[Op, ResultShape]:
    name = fields.bin()
    fields.no_index()
    map_key = _map_key(fields)
    value = fields.value()
    policy = _map_policy(fields)
    args: list[tuple[str, Any]] = [("key", map_key), ("val", value), ("map_policy", Unsigned(policy.order))]
    if policy.flags:
        args.append(("map_policy", Unsigned(policy.flags)))
    return _op(fields, True, name, fields.pack(CDT_MAP_PUT, *args))


def _put_items(fields: OpFields) -> tuple[Op, ResultShape]:
    name = fields.bin()
    fields.no_index()
    items = fields.value()
    if not isinstance(items, dict):
        raise ParamError(f"'val' should be of type dict, not {type(items).__name__}")
    policy = _map_policy(fields)
    args: list[tuple[str, Any]] = [("val", items), ("map_policy", Unsigned(policy.order))]
    if policy.flags:
        args.append(("map_policy", Unsigned(policy.flags)))
    return _op(fields, True, name, fields.pack(CDT_MAP_PUT_ITEMS, *args))


def _increment_by(cdt_op: int) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        name = fields.bin()
        fields.no_index()
        map_key = _map_key(fields)
        delta = fields.number()
        policy = _map_policy(fields)
        payload = fields.pack(
            cdt_op, ("key", map_key), ("val", delta), ("map_policy", Unsigned(policy.order))
        )
        return _op(fields, True, name, payload)

    return build


def _no_args(cdt_op: int, modify: bool) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        name = fields.bin()
        fields.no_index()
        return _op(fields, modify, name, fields.pack(cdt_op))

    return build


def _by_key(cdt_op: int, modify: bool) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        name = fields.bin()
        fields.no_index()
        map_key = _map_key(fields)
        return_type = _return_type(fields)
        payload = fields.pack(cdt_op, ("return_type", return_type), ("key", map_key))
        return _op(fields, modify, name, payload, return_type)

    return build


def _by_value(cdt_op: int, modify: bool, as_list: bool = False) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        name = fields.bin()
        fields.no_index()
        value = fields.list_value() if as_list else fields.value()
        return_type = _return_type(fields)
        payload = fields.pack(cdt_op, ("return_type", return_type), ("val", value))
        return _op(fields, modify, name, payload, return_type)

    return build


def _by_interval(cdt_op: int, modify: bool, begin_field: str, end_field: str) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        name = fields.bin()
        fields.no_index()
        begin = _map_key(fields) if begin_field == "key" else fields.value(begin_field)
        end = _range_end(fields) if end_field == "range" else fields.value(end_field)
        return_type = _return_type(fields)
        payload = fields.pack(cdt_op, ("return_type", return_type), (begin_field, begin), (end_field, end))
        return _op(fields, modify, name, payload, return_type)

    return build


def _by_index(cdt_op: int, modify: bool) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        name = fields.bin()
        index = fields.index()
        return_type = _return_type(fields)
        payload = fields.pack(cdt_op, ("return_type", return_type), ("index", index))
        return _op(fields, modify, name, payload, return_type)

    return build


def _by_index_range(cdt_op: int, modify: bool) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        name = fields.bin()
        index = fields.index()
        count = fields.integer("val", "a count")
        return_type = _return_type(fields)
        payload = fields.pack(
            cdt_op, ("return_type", return_type), ("index", index), ("val", Unsigned(count))
        )
        return _op(fields, modify, name, payload, return_type)

    return build


MAP_BUILDERS: dict[int, Builder] = {
    OP_MAP_SET_POLICY: _set_policy,
    OP_MAP_PUT: _put,
    OP_MAP_PUT_ITEMS: _put_items,
    OP_MAP_INCREMENT: _increment_by(CDT_MAP_INCREMENT),
    OP_MAP_DECREMENT: _increment_by(CDT_MAP_DECREMENT),
    OP_MAP_SIZE: _no_args(CDT_MAP_SIZE, modify=False),
    OP_MAP_CLEAR: _no_args(CDT_MAP_CLEAR, modify=True),
    OP_MAP_REMOVE_BY_KEY: _by_key(CDT_MAP_REMOVE_BY_KEY, modify=True),
    OP_MAP_REMOVE_BY_KEY_LIST: _by_value(CDT_MAP_REMOVE_BY_KEY_LIST, modify=True, as_list=True),
    OP_MAP_REMOVE_BY_KEY_RANGE: _by_interval(CDT_MAP_REMOVE_BY_KEY_INTERVAL, True, "key", "val"),
    OP_MAP_REMOVE_BY_VALUE: _by_value(CDT_MAP_REMOVE_ALL_BY_VALUE, modify=True),
    OP_MAP_REMOVE_BY_VALUE_LIST: _by_value(CDT_MAP_REMOVE_BY_VALUE_LIST, modify=True, as_list=True),
    OP_MAP_REMOVE_BY_VALUE_RANGE: _by_interval(CDT_MAP_REMOVE_BY_VALUE_INTERVAL, True, "val", "range"),
    OP_MAP_REMOVE_BY_INDEX: _by_index(CDT_MAP_REMOVE_BY_INDEX, modify=True),
    OP_MAP_REMOVE_BY_INDEX_RANGE: _by_index_range(CDT_MAP_REMOVE_BY_INDEX_RANGE, modify=True),
    OP_MAP_REMOVE_BY_RANK: _by_index(CDT_MAP_REMOVE_BY_RANK, modify=True),
    OP_MAP_REMOVE_BY_RANK_RANGE: _by_index_range(CDT_MAP_REMOVE_BY_RANK_RANGE, modify=True),
    OP_MAP_GET_BY_KEY: _by_key(CDT_MAP_GET_BY_KEY, modify=False),
    OP_MAP_GET_BY_KEY_RANGE: _by_interval(CDT_MAP_GET_BY_KEY_INTERVAL, False, "key", "range"),
    OP_MAP_GET_BY_VALUE: _by_value(CDT_MAP_GET_ALL_BY_VALUE, modify=False),
    OP_MAP_GET_BY_VALUE_RANGE: _by_interval(CDT_MAP_GET_BY_VALUE_INTERVAL, False, "val", "range"),
    OP_MAP_GET_BY_INDEX: _by_index(CDT_MAP_GET_BY_INDEX, modify=False),
    OP_MAP_GET_BY_INDEX_RANGE: _by_index_range(CDT_MAP_GET_BY_INDEX_RANGE, modify=False),
    OP_MAP_GET_BY_RANK: _by_index(CDT_MAP_GET_BY_RANK, modify=False),
    OP_MAP_GET_BY_RANK_RANGE: _by_index_range(CDT_MAP_GET_BY_RANK_RANGE, modify=False),
}
