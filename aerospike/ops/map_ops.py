"""Map operations of the spec (``OP_MAP_*`` dicts) as CDT protocol ops, and the spec's map policy.

Owns: the map policy dict of client 3.0.0 (``map_order``, ``map_write_mode``) and its translation to the
current wire, the CDT map op codes and argument layouts (official client 19.3.0; transcripts 06-map-ops),
and the return types (any integer goes to the server, as 3.0.0 sent it). Must not know sockets, policies of commands or the reply parser.

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
from .list_ops import OpFields, Unsigned, allow_current_keys, make_op
from .results import ResultShape

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

# Return types later clients added (current servers answer them; 3.0.0 passed any integer through).
MAP_RETURN_EXISTS = 13
MAP_RETURN_UNORDERED_MAP = 16
MAP_RETURN_ORDERED_MAP = 17

_PERSIST_INDEX = 0x10  # map/list order attribute bit: persist the index

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


def _policy_int(policy: dict, name: str) -> Optional[int]:
    value = policy.get(name)
    if value is None:
        return None
    if not isinstance(value, int):
        raise ParamError(f"{name} is invalid")
    return value


def read_map_policy(policy: Any) -> MapPolicy:
    """The MapPolicy of a spec map policy dict (None: the default, unordered and create-or-update).

    As 3.0.0 read it (pyobject_to_map_policy): ``map_write_mode`` then ``map_order``, each an int ("... is
    invalid" otherwise); any order goes to the server as given, an unknown write mode means MAP_UPDATE. Other
    keys are ignored, except ``map_write_flags`` (later clients' spelling, an int OR of MAP_WRITE_FLAGS_*,
    combined with the write mode, and ``persist_index``).
    """
    if policy is None:
        return DEFAULT_MAP_POLICY
    if not isinstance(policy, dict):
        raise ParamError("policy must be a dict")
    mode = _policy_int(policy, "map_write_mode")
    order = _policy_int(policy, "map_order")
    flags = _policy_int(policy, "map_write_flags")
    # The current API's persist_index (a top-level ordered map keeps its index) rides in the order's bit 4.
    persist = _PERSIST_INDEX if policy.get("persist_index") else 0
    return MapPolicy(
        (MAP_UNORDERED if order is None else order) | persist,
        (MAP_WRITE_FLAGS_DEFAULT if mode is None else _WRITE_MODE_FLAGS.get(mode, MAP_WRITE_FLAGS_DEFAULT))
        | ((flags or 0) & _ALL_WRITE_FLAGS),
    )


def _policy(fields: OpFields) -> MapPolicy:
    policy = fields.map_policy
    return DEFAULT_MAP_POLICY if policy is None else policy  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------- builders


def _op(fields: OpFields, modify: bool, payload: bytes, return_type: Optional[int] = None) -> tuple[Op, ResultShape]:
    op = make_op(OP_CDT_MODIFY if modify else OP_CDT_READ, fields.bin_name, payload)
    return op, ResultShape(fields.op_code, is_write=modify, respond_all_ops=True, return_type=return_type)


def _set_policy(fields: OpFields) -> tuple[Op, ResultShape]:
    return _op(fields, True, fields.pack(CDT_MAP_SET_TYPE, ("map_policy", Unsigned(_policy(fields).order))))


def _put(fields: OpFields) -> tuple[Op, ResultShape]:
    policy = _policy(fields)
    args: list[tuple[str, Any]] = [
        ("key", fields.value("key")),
        ("val", fields.value()),
        ("map_policy", Unsigned(policy.order)),
    ]
    if policy.flags:
        args.append(("map_policy", Unsigned(policy.flags)))
    return _op(fields, True, fields.pack(CDT_MAP_PUT, *args))


def _put_items(fields: OpFields) -> tuple[Op, ResultShape]:
    items = fields.value()
    if not isinstance(items, dict):
        # 3.0.0 cast the value to a map whatever it was (undefined behaviour in its C core).
        raise ParamError("Value of map_put_items should be of type dict")
    policy = _policy(fields)
    args: list[tuple[str, Any]] = [("val", items), ("map_policy", Unsigned(policy.order))]
    if policy.flags:
        args.append(("map_policy", Unsigned(policy.flags)))
    return _op(fields, True, fields.pack(CDT_MAP_PUT_ITEMS, *args))


def _increment_by(cdt_op: int) -> Builder:
    # The delta goes to the server whatever its type (the server answers 4 for a non-number).
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        order = Unsigned(_policy(fields).order)
        payload = fields.pack(cdt_op, ("key", fields.value("key")), ("val", fields.value()), ("map_policy", order))
        return _op(fields, True, payload)

    return build


def _no_args(cdt_op: int, modify: bool) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        return _op(fields, modify, fields.pack(cdt_op))

    return build


def _selection(cdt_op: int, modify: bool, *arg_fields: str) -> Builder:
    """get/remove by key, value, list, interval, index or rank: ``[op, return_type, args...]``.

    arg_fields name where each argument comes from: a dict field ('key', 'val', 'range'), 'val:list' (a list
    value), 'index' (the checked index) or 'val:count' (a count given as 'val')."""

    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        args: list[tuple[str, Any]] = [("return_type", fields.return_type)]
        for source in arg_fields:
            if source == "index":
                args.append(("index", fields.index_value))
            elif source == "val:count":
                args.append(("val", Unsigned(fields.count())))
            elif source == "val:list":
                args.append(("val", fields.list_value()))
            else:
                args.append((source, fields.value(source)))
        return _op(fields, modify, fields.pack(cdt_op, *args), fields.return_type)

    return build


MAP_BUILDERS: dict[int, Builder] = {
    OP_MAP_SET_POLICY: _set_policy,
    OP_MAP_PUT: _put,
    OP_MAP_PUT_ITEMS: _put_items,
    OP_MAP_INCREMENT: _increment_by(CDT_MAP_INCREMENT),
    OP_MAP_DECREMENT: _increment_by(CDT_MAP_DECREMENT),
    OP_MAP_SIZE: _no_args(CDT_MAP_SIZE, modify=False),
    OP_MAP_CLEAR: _no_args(CDT_MAP_CLEAR, modify=True),
    OP_MAP_REMOVE_BY_KEY: _selection(CDT_MAP_REMOVE_BY_KEY, True, "key"),
    OP_MAP_REMOVE_BY_KEY_LIST: _selection(CDT_MAP_REMOVE_BY_KEY_LIST, True, "val:list"),
    # 3.0.0 took this range's end from 'val' (the other ranges take it from 'range').
    OP_MAP_REMOVE_BY_KEY_RANGE: _selection(CDT_MAP_REMOVE_BY_KEY_INTERVAL, True, "key", "val"),
    OP_MAP_REMOVE_BY_VALUE: _selection(CDT_MAP_REMOVE_ALL_BY_VALUE, True, "val"),
    OP_MAP_REMOVE_BY_VALUE_LIST: _selection(CDT_MAP_REMOVE_BY_VALUE_LIST, True, "val:list"),
    OP_MAP_REMOVE_BY_VALUE_RANGE: _selection(CDT_MAP_REMOVE_BY_VALUE_INTERVAL, True, "val", "range"),
    OP_MAP_REMOVE_BY_INDEX: _selection(CDT_MAP_REMOVE_BY_INDEX, True, "index"),
    OP_MAP_REMOVE_BY_INDEX_RANGE: _selection(CDT_MAP_REMOVE_BY_INDEX_RANGE, True, "index", "val:count"),
    OP_MAP_REMOVE_BY_RANK: _selection(CDT_MAP_REMOVE_BY_RANK, True, "index"),
    OP_MAP_REMOVE_BY_RANK_RANGE: _selection(CDT_MAP_REMOVE_BY_RANK_RANGE, True, "index", "val:count"),
    OP_MAP_GET_BY_KEY: _selection(CDT_MAP_GET_BY_KEY, False, "key"),
    OP_MAP_GET_BY_KEY_RANGE: _selection(CDT_MAP_GET_BY_KEY_INTERVAL, False, "key", "range"),
    OP_MAP_GET_BY_VALUE: _selection(CDT_MAP_GET_ALL_BY_VALUE, False, "val"),
    OP_MAP_GET_BY_VALUE_RANGE: _selection(CDT_MAP_GET_BY_VALUE_INTERVAL, False, "val", "range"),
    OP_MAP_GET_BY_INDEX: _selection(CDT_MAP_GET_BY_INDEX, False, "index"),
    OP_MAP_GET_BY_INDEX_RANGE: _selection(CDT_MAP_GET_BY_INDEX_RANGE, False, "index", "val:count"),
    OP_MAP_GET_BY_RANK: _selection(CDT_MAP_GET_BY_RANK, False, "index"),
    OP_MAP_GET_BY_RANK_RANGE: _selection(CDT_MAP_GET_BY_RANK_RANGE, False, "index", "val:count"),
}


# The current API's keys on 3.0.0's map operations: ctx on every one, inverted where 19.x map_operations writes it.
allow_current_keys(MAP_BUILDERS, ("ctx",))
allow_current_keys(
    (
        OP_MAP_REMOVE_BY_KEY_LIST, OP_MAP_REMOVE_BY_KEY_RANGE, OP_MAP_REMOVE_BY_VALUE, OP_MAP_REMOVE_BY_VALUE_LIST,
        OP_MAP_REMOVE_BY_VALUE_RANGE, OP_MAP_REMOVE_BY_INDEX_RANGE, OP_MAP_REMOVE_BY_RANK_RANGE,
        OP_MAP_GET_BY_KEY_RANGE, OP_MAP_GET_BY_VALUE, OP_MAP_GET_BY_VALUE_RANGE, OP_MAP_GET_BY_INDEX_RANGE,
        OP_MAP_GET_BY_RANK_RANGE,
    ),
    ("inverted",),
)
