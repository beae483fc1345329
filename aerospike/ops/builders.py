"""The spec's list and map operation dicts turned into protocol operations, with their argument checks.

Owns: ``build_cdt_op(operation) -> (Op, ResultShape)`` for every ``OP_LIST_*`` / ``OP_MAP_*`` dict of the
spec, ``is_cdt_op``, and the table the Client's ``list_*`` / ``map_*`` convenience methods use to turn
their positional arguments into the same dicts (``method_operation``). Knows the protocol, not the network:
no sockets, no policies of commands, no reply parsing beyond the ResultShape.

How the Client uses it (operate / operate_ordered and the convenience methods)::

    op, shape = build_cdt_op(operation, fallback=codec.fallback_for(serializer))
    # op goes into the request; shape.is_write sets the write bit, shape.respond_all_ops info2 bit 128.
    # For the reply op of this operation:
    value = codec.decode(reply.particle_type, reply.value, shape.preserved_map_as_list)
    result = shape(value)      # e.g. MAP_RETURN_KEY_VALUE -> [(k, v), ...]
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple, Optional

from .._constants import (
    OP_LIST_APPEND,
    OP_LIST_APPEND_ITEMS,
    OP_LIST_CLEAR,
    OP_LIST_GET,
    OP_LIST_GET_RANGE,
    OP_LIST_INSERT,
    OP_LIST_INSERT_ITEMS,
    OP_LIST_POP,
    OP_LIST_POP_RANGE,
    OP_LIST_REMOVE,
    OP_LIST_REMOVE_RANGE,
    OP_LIST_SET,
    OP_LIST_SIZE,
    OP_LIST_TRIM,
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
from ..protocol.message import Op
from .cdt_current import CURRENT_BUILDERS, build_current
from .list_ops import LIST_BUILDERS, Fallback, OpFields
from .map_ops import MAP_BUILDERS, MapPolicy, read_map_policy
from .results import ResultShape, key_value_pairs

__all__ = [
    "METHODS",
    "MapPolicy",
    "MethodSpec",
    "ResultShape",
    "build_cdt_op",
    "is_cdt_op",
    "key_value_pairs",
    "method_operation",
    "read_map_policy",
]

_BUILDERS = {**LIST_BUILDERS, **MAP_BUILDERS, **CURRENT_BUILDERS}


def is_cdt_op(op_code: Any) -> bool:
    """Whether `op_code` is one of the spec's OP_LIST_* / OP_MAP_* operation codes."""
    return type(op_code) is int and op_code in _BUILDERS


def build_cdt_op(operation: Mapping, fallback: Optional[Fallback] = None) -> tuple[Op, ResultShape]:
    """The protocol op and result shape of one spec operation dict with an OP_LIST_* / OP_MAP_* code.

    The dict is checked as client 3.0.0 checked it (add_op in its operate.c), with its messages: a key that is
    not a str raises ClientError, anything else wrong ``aerospike.exception.ParamError`` (BinNameError for a
    bin name over 14 bytes). `fallback(value) -> (particle_type, payload)` writes values of unsupported types
    (the client's serializer); without one, only GeoJSON is added to the built-in types. The current API's
    keys (``ctx``, ``list_policy``, ``inverted``) and operation codes are read as 19.x reads them.
    """
    if not isinstance(operation, Mapping):
        raise ParamError("Operation must be a dict")
    op_code = operation.get("op")
    if not isinstance(op_code, int) or op_code not in _BUILDERS:
        raise ParamError("Invalid operation given")
    fields = OpFields(operation, int(op_code), fallback)
    if op_code in CURRENT_BUILDERS:  # a code only the current API (19.x) has: read as 19.x reads it
        return build_current(fields)
    fields.check(read_map_policy)
    return _BUILDERS[op_code](fields)


class MethodSpec(NamedTuple):
    """A Client convenience method: its operation code, the dict fields its positional arguments fill
    (after the record key), how many of them are required, and what 3.0.0 returned from it."""

    op_code: int
    fields: tuple[str, ...]
    required: int
    returns: str  # "zero": 0; "value": the operation's result; "count": the result, an int; "list": a list


def _spec(op_code: int, fields: tuple[str, ...], returns: str, required: Optional[int] = None) -> MethodSpec:
    return MethodSpec(op_code, fields, len(fields) if required is None else required, returns)


# client.rst: list_append(key, bin, val[, meta[, policy]]) etc. The map writes take an optional map_policy
# after their required arguments; meta and policy are the Client's, not part of the operation.
METHODS: dict[str, MethodSpec] = {
    "list_append": _spec(OP_LIST_APPEND, ("bin", "val"), "zero"),
    "list_extend": _spec(OP_LIST_APPEND_ITEMS, ("bin", "val"), "zero"),
    "list_insert": _spec(OP_LIST_INSERT, ("bin", "index", "val"), "zero"),
    "list_insert_items": _spec(OP_LIST_INSERT_ITEMS, ("bin", "index", "val"), "zero"),
    "list_pop": _spec(OP_LIST_POP, ("bin", "index"), "value"),
    "list_pop_range": _spec(OP_LIST_POP_RANGE, ("bin", "index", "val"), "value"),
    "list_remove": _spec(OP_LIST_REMOVE, ("bin", "index"), "zero"),
    "list_remove_range": _spec(OP_LIST_REMOVE_RANGE, ("bin", "index", "val"), "zero"),
    "list_clear": _spec(OP_LIST_CLEAR, ("bin",), "zero"),
    "list_set": _spec(OP_LIST_SET, ("bin", "index", "val"), "zero"),
    "list_get": _spec(OP_LIST_GET, ("bin", "index"), "value"),
    "list_get_range": _spec(OP_LIST_GET_RANGE, ("bin", "index", "val"), "list"),
    "list_trim": _spec(OP_LIST_TRIM, ("bin", "index", "val"), "zero"),
    "list_size": _spec(OP_LIST_SIZE, ("bin",), "count"),
    "map_set_policy": _spec(OP_MAP_SET_POLICY, ("bin", "map_policy"), "zero"),
    "map_put": _spec(OP_MAP_PUT, ("bin", "key", "val", "map_policy"), "zero", required=3),
    "map_put_items": _spec(OP_MAP_PUT_ITEMS, ("bin", "val", "map_policy"), "zero", required=2),
    "map_increment": _spec(OP_MAP_INCREMENT, ("bin", "key", "val", "map_policy"), "zero", required=3),
    "map_decrement": _spec(OP_MAP_DECREMENT, ("bin", "key", "val", "map_policy"), "zero", required=3),
    "map_size": _spec(OP_MAP_SIZE, ("bin",), "count"),
    "map_clear": _spec(OP_MAP_CLEAR, ("bin",), "zero"),
    "map_remove_by_key": _spec(OP_MAP_REMOVE_BY_KEY, ("bin", "key", "return_type"), "value"),
    "map_remove_by_key_list": _spec(OP_MAP_REMOVE_BY_KEY_LIST, ("bin", "val", "return_type"), "value"),
    "map_remove_by_key_range": _spec(
        OP_MAP_REMOVE_BY_KEY_RANGE, ("bin", "key", "val", "return_type"), "value"
    ),
    "map_remove_by_value": _spec(OP_MAP_REMOVE_BY_VALUE, ("bin", "val", "return_type"), "value"),
    "map_remove_by_value_list": _spec(OP_MAP_REMOVE_BY_VALUE_LIST, ("bin", "val", "return_type"), "value"),
    "map_remove_by_value_range": _spec(
        OP_MAP_REMOVE_BY_VALUE_RANGE, ("bin", "val", "range", "return_type"), "value"
    ),
    "map_remove_by_index": _spec(OP_MAP_REMOVE_BY_INDEX, ("bin", "index", "return_type"), "value"),
    "map_remove_by_index_range": _spec(
        OP_MAP_REMOVE_BY_INDEX_RANGE, ("bin", "index", "val", "return_type"), "value"
    ),
    "map_remove_by_rank": _spec(OP_MAP_REMOVE_BY_RANK, ("bin", "index", "return_type"), "value"),
    "map_remove_by_rank_range": _spec(
        OP_MAP_REMOVE_BY_RANK_RANGE, ("bin", "index", "val", "return_type"), "value"
    ),
    "map_get_by_key": _spec(OP_MAP_GET_BY_KEY, ("bin", "key", "return_type"), "value"),
    "map_get_by_key_range": _spec(OP_MAP_GET_BY_KEY_RANGE, ("bin", "key", "range", "return_type"), "value"),
    "map_get_by_value": _spec(OP_MAP_GET_BY_VALUE, ("bin", "val", "return_type"), "value"),
    "map_get_by_value_range": _spec(
        OP_MAP_GET_BY_VALUE_RANGE, ("bin", "val", "range", "return_type"), "value"
    ),
    "map_get_by_index": _spec(OP_MAP_GET_BY_INDEX, ("bin", "index", "return_type"), "value"),
    "map_get_by_index_range": _spec(
        OP_MAP_GET_BY_INDEX_RANGE, ("bin", "index", "val", "return_type"), "value"
    ),
    "map_get_by_rank": _spec(OP_MAP_GET_BY_RANK, ("bin", "index", "return_type"), "value"),
    "map_get_by_rank_range": _spec(OP_MAP_GET_BY_RANK_RANGE, ("bin", "index", "val", "return_type"), "value"),
}


def method_operation(name: str, *args: Any) -> dict:
    """The spec operation dict of the Client method `name` called with `args` (after the record key).

    ``method_operation("list_insert", "events", 2, 1234)`` is
    ``{"op": OP_LIST_INSERT, "bin": "events", "index": 2, "val": 1234}``; a trailing optional map_policy
    may be omitted or None.
    """
    spec = METHODS.get(name)
    if spec is None:
        raise ValueError(f"{name!r} is not a list or map method")
    if not spec.required <= len(args) <= len(spec.fields):
        raise ParamError(f"{name}() takes {spec.required} to {len(spec.fields)} arguments after the key")
    operation: dict = {"op": spec.op_code}
    for field, value in zip(spec.fields, args):
        if field == "map_policy" and value is None and spec.op_code != OP_MAP_SET_POLICY:
            continue
        operation[field] = value
    return operation
