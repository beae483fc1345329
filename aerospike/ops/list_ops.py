"""List operations of the spec (``OP_LIST_*`` dicts) as CDT protocol ops, and the argument readers they share.

Owns: the checks client 3.0.0 made on an operation dict (allowed keys, bin, index, val, count), the value
preparation every CDT argument goes through (``aerospike.null()`` -> msgpack nil; plain dicts written sorted
by key in the server's type order, as the official client's C core writes them), and the CDT list op codes
and argument layouts of the current wire (official client 19.3.0 sends ``[op, args...]`` as a blob-typed
particle; see transcripts 05-list-ops). Must not know sockets, policies or the reply parser.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

import msgpack

from .._constants import (
    OP_LIST_APPEND,
    OP_LIST_APPEND_ITEMS,
    OP_LIST_CLEAR,
    OP_LIST_GET,
    OP_LIST_GET_RANGE,
    OP_LIST_INCREMENT,
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
    OP_MAP_GET_BY_VALUE_RANGE,
    OP_MAP_INCREMENT,
    OP_MAP_PUT,
    OP_MAP_REMOVE_BY_INDEX,
    OP_MAP_REMOVE_BY_INDEX_RANGE,
    OP_MAP_REMOVE_BY_KEY,
    OP_MAP_REMOVE_BY_KEY_RANGE,
    OP_MAP_REMOVE_BY_RANK,
    OP_MAP_REMOVE_BY_RANK_RANGE,
    OP_MAP_REMOVE_BY_VALUE_RANGE,
    OP_MAP_SET_POLICY,
    OP_MAP_SIZE,
)
from ..exception import BinNameError, ClientError, ParamError
from ..protocol import cdt
from ..protocol.constants import OP_CDT_MODIFY, OP_CDT_READ, PARTICLE_BLOB, PARTICLE_GEOJSON
from ..protocol.errors import ProtocolError
from ..protocol.expressions import pack_ctx
from ..protocol.message import Op
from ..values import GeoJSON, Null
from .results import RETURN_TYPE_INVERTED, ResultShape

__all__ = [
    "CURRENT_KEYS",
    "LIST_BUILDERS",
    "Fallback",
    "OpFields",
    "Unsigned",
    "bin_name_of",
    "count_of",
    "make_op",
    "prepare_value",
]

Fallback = Callable[[Any], "tuple[int, bytes | bytearray]"]
Builder = Callable[["OpFields"], "tuple[Op, ResultShape]"]

# CDT list operation codes on the wire (C client as_list_operations.c).
CDT_LIST_APPEND = 1  # [1, value]
CDT_LIST_APPEND_ITEMS = 2  # [2, [values]]
CDT_LIST_INSERT = 3  # [3, index, value]
CDT_LIST_INSERT_ITEMS = 4  # [4, index, [values]]
CDT_LIST_POP = 5  # [5, index]
CDT_LIST_POP_RANGE = 6  # [6, index, count]
CDT_LIST_REMOVE = 7  # [7, index]
CDT_LIST_REMOVE_RANGE = 8  # [8, index, count]
CDT_LIST_SET = 9  # [9, index, value]
CDT_LIST_TRIM = 10  # [10, index, count]
CDT_LIST_CLEAR = 11  # [11]
CDT_LIST_INCREMENT = 12  # [12, index, delta]
CDT_LIST_SIZE = 16  # [16]
CDT_LIST_GET = 17  # [17, index]
CDT_LIST_GET_RANGE = 18  # [18, index, count]

# The keys client 3.0.0 accepted in an operation dict (add_op in src/main/client/operate.c).
ALLOWED_KEYS = frozenset(("op", "bin", "index", "val", "key", "range", "map_policy", "return_type"))
_ALLOWED_KEYS_MESSAGE = "Operation can contain only op, bin, index, key, val, return_type and map_policy keys"

# Keys the current API (19.x helpers) adds to the dicts of operations 3.0.0 already had. 3.0.0 refused every key
# outside ALLOWED_KEYS, so accepting these where the 19.x helpers write them changes nothing 3.0.0 code relied on;
# on other operations they are still refused with 3.0.0's message. Operations only 19.x has list their own keys
# here too (cdt_current.py builds them).
CURRENT_KEYS: dict[int, frozenset[str]] = {}
_ALLOWED_BY_OP: dict[int, frozenset[str]] = {}


def allow_current_keys(op_codes: Any, keys: Any) -> None:
    """Let the dicts of `op_codes` carry the current API's `keys` besides 3.0.0's."""
    for op_code in op_codes:
        CURRENT_KEYS[op_code] = CURRENT_KEYS.get(op_code, frozenset()) | frozenset(keys)
        _ALLOWED_BY_OP[op_code] = ALLOWED_KEYS | CURRENT_KEYS[op_code]


_CTX_MARKER = 0xFF  # [0xff, [ctx id, ctx value, ...], [op, args...]]

_INT64_MIN = -(1 << 63)
_INT64_LIMIT = 1 << 63
_UINT64_MASK = (1 << 64) - 1
_MISSING = object()


# --------------------------------------------------------------------------------------------- values


def _default_fallback(value: Any) -> tuple[int, bytes]:
    if isinstance(value, GeoJSON):
        return PARTICLE_GEOJSON, value.dumps().encode("utf-8")
    raise ParamError(f"cannot write a value of type {type(value).__name__} inside a list or map operation")


# Ranks of the server's cross-type order (as_val_cmp in the C client's as_msgpack.c): the order in which
# the official client writes the entries of an unordered map.
_RANK_NIL, _RANK_INTEGER, _RANK_STRING, _RANK_LIST, _RANK_MAP, _RANK_BYTES, _RANK_DOUBLE, _RANK_GEOJSON = (
    1,
    3,
    4,
    5,
    6,
    9,
    10,
    11,
)


def _order_key(value: Any) -> tuple:
    """Sort key of a (prepared) map key in the server's order; bools are written as integers."""
    if value is None:
        return (_RANK_NIL, 0)
    if isinstance(value, int):
        return (_RANK_INTEGER, int(value))
    if isinstance(value, str):
        return (_RANK_STRING, value.encode("utf-8", "surrogatepass"))
    if isinstance(value, (bytes, bytearray)):
        return (_RANK_BYTES, bytes(value))
    if isinstance(value, float):
        return (_RANK_DOUBLE, value)
    if isinstance(value, list):
        return (_RANK_LIST, tuple(_order_key(item) for item in value))
    if isinstance(value, dict):
        return (_RANK_MAP, len(value), tuple(sorted(_order_key(key) for key in value)))
    if isinstance(value, GeoJSON):
        return (_RANK_GEOJSON, value.dumps().encode("utf-8"))
    # Values only the fallback can write (pickled objects): blobs; their bytes are unknown here, so they
    # keep their relative order after the blobs above.
    return (_RANK_BYTES, b"\xff" * 8)


def prepare_value(value: Any) -> Any:
    """`value` ready for the CDT packer: ``aerospike.null()`` becomes None (msgpack nil) at any depth, and
    plain dicts are rebuilt with their keys in the server's order (how client 19.3.0 writes them)."""
    kind = type(value)
    if kind is list:
        return [prepare_value(item) for item in value]
    if kind is dict:
        pairs = [(prepare_value(key), prepare_value(item)) for key, item in value.items()]
        if len(pairs) > 1:
            try:
                pairs.sort(key=lambda pair: _order_key(pair[0]))
            except TypeError:
                pass  # keys of mixed unknown types: keep the caller's order
        return dict(pairs)
    if isinstance(value, Null):
        return None
    return value


# --------------------------------------------------------------------------------------------- fields

# What each operation reads of its dict (add_op in 3.0.0's src/main/client/operate.c). An op absent from
# VALUE_OPTIONAL needs 'val'; INDEX_OPS need 'index' (and refuse one otherwise); KEY_OPS need 'key'; RANGE_OPS
# need 'range'.
INDEX_OPS = frozenset(
    (
        OP_LIST_INSERT, OP_LIST_INSERT_ITEMS, OP_LIST_POP, OP_LIST_POP_RANGE, OP_LIST_REMOVE,
        OP_LIST_REMOVE_RANGE, OP_LIST_SET, OP_LIST_GET, OP_LIST_GET_RANGE, OP_LIST_TRIM, OP_LIST_INCREMENT,
        OP_MAP_REMOVE_BY_INDEX, OP_MAP_REMOVE_BY_INDEX_RANGE, OP_MAP_REMOVE_BY_RANK, OP_MAP_REMOVE_BY_RANK_RANGE,
        OP_MAP_GET_BY_INDEX, OP_MAP_GET_BY_INDEX_RANGE, OP_MAP_GET_BY_RANK, OP_MAP_GET_BY_RANK_RANGE,
    )
)
VALUE_OPTIONAL = frozenset(
    (
        OP_LIST_POP, OP_LIST_REMOVE, OP_LIST_CLEAR, OP_LIST_GET, OP_LIST_SIZE, OP_MAP_SET_POLICY, OP_MAP_SIZE,
        OP_MAP_CLEAR, OP_MAP_REMOVE_BY_KEY, OP_MAP_REMOVE_BY_INDEX, OP_MAP_REMOVE_BY_RANK, OP_MAP_GET_BY_KEY,
        OP_MAP_GET_BY_INDEX, OP_MAP_GET_BY_KEY_RANGE, OP_MAP_GET_BY_RANK,
    )
)
KEY_OPS = frozenset(
    (
        OP_MAP_PUT, OP_MAP_INCREMENT, OP_MAP_DECREMENT, OP_MAP_REMOVE_BY_KEY, OP_MAP_REMOVE_BY_KEY_RANGE,
        OP_MAP_GET_BY_KEY, OP_MAP_GET_BY_KEY_RANGE,
    )
)
RANGE_OPS = frozenset((OP_MAP_REMOVE_BY_VALUE_RANGE, OP_MAP_GET_BY_VALUE_RANGE, OP_MAP_GET_BY_KEY_RANGE))
# 3.0.0 checked (strict_types) that these two get a list before anything else about the value.
_LIST_VALUE_MESSAGES = {
    OP_LIST_APPEND_ITEMS: "Value of list_append_items should be of type list",
    OP_LIST_INSERT_ITEMS: "Value of list_insert_items should be of type list",
}
MAX_BIN_NAME_3_0_0 = 14  # AS_BIN_NAME_MAX_LEN of the C client 3.0.0 wraps: 15-byte names are refused


def _is_int(value: Any) -> bool:
    # PyLong_Check: bools are ints, as they were to 3.0.0.
    return isinstance(value, int)


def bin_name_of(value: Any) -> str:
    """A bin name as 3.0.0 read it: a str or a bytearray, up to its first NUL byte, of at most 14 bytes.

    ParamError "Bin name should be of type string" for other types; BinNameError for longer names.
    """
    if isinstance(value, str):
        raw = value.encode("utf-8", "surrogatepass")
    elif isinstance(value, bytearray):
        raw = bytes(value)
    else:
        raise ParamError("Bin name should be of type string")
    raw = raw.split(b"\0", 1)[0]
    if len(raw) > MAX_BIN_NAME_3_0_0:
        raise BinNameError("A bin name should not exceed 14 characters limit")
    return raw.decode("utf-8", "surrogateescape") if isinstance(value, bytearray) else value.split("\0", 1)[0]


def count_of(value: Any) -> int:
    """A count given as 'val' (pyobject_to_index in 3.0.0's conversions.c)."""
    if not _is_int(value):
        raise ParamError("Offset should be of int or long type")
    if not _INT64_MIN <= value < _INT64_LIMIT:
        raise ParamError("integer value exceeds sys.maxsize")
    return int(value)


class OpFields:
    """One operation dict read as 3.0.0's add_op read it: the same checks, in the same order, with the same
    messages. Builders then read the checked fields (``bin_name``, ``index_value``, ``return_type``,
    ``map_policy``) and the raw ``operation`` for values."""

    __slots__ = (
        "operation", "op_code", "fallback", "bin_name", "index_value", "return_type", "map_policy", "ctx",
        "ctx_create_flag", "list_policy",
    )

    def __init__(self, operation: Mapping, op_code: int, fallback: Optional[Fallback]) -> None:
        allowed = _ALLOWED_BY_OP.get(op_code, ALLOWED_KEYS)
        for name, value in operation.items():
            if not isinstance(name, str):
                raise ClientError("An operation key must be a string.")
            if name not in allowed or (name == "op" and not _is_int(value)):
                raise ParamError(_ALLOWED_KEYS_MESSAGE)
        self.operation = operation
        self.op_code = op_code
        self.fallback: Fallback = fallback if fallback is not None else _default_fallback
        self.bin_name = ""
        self.index_value = 0
        self.return_type = 0  # AS_MAP_RETURN_NONE, 3.0.0's default
        self.map_policy: Any = None
        self.ctx: Optional[list] = None  # the current API's CDT context items, outermost first
        self.ctx_create_flag = 0  # list/map create: the new level's flags, ORed into the last context id
        self.list_policy: Optional[tuple[int, int]] = None  # (order, write flags) of a 'list_policy'

    def check(self, read_map_policy: Callable[[Any], Any]) -> None:
        """add_op's common checks, in its order: bin, val, key, map_policy, range, return_type, index."""
        operation = self.operation
        op_code = self.op_code
        if "bin" not in operation:
            raise ParamError("Bin is not given")
        self.bin_name = bin_name_of(operation["bin"])
        if "val" in operation:
            message = _LIST_VALUE_MESSAGES.get(op_code)
            if message is not None and not isinstance(operation["val"], list):
                raise ParamError(message)
        elif op_code not in VALUE_OPTIONAL:
            raise ParamError("Value should be given")
        if op_code in KEY_OPS and "key" not in operation:
            raise ParamError("Operation requires key parameter")
        if "map_policy" in operation:
            self.map_policy = read_map_policy(operation["map_policy"])
        elif op_code == OP_MAP_SET_POLICY:
            raise ParamError("Operation requires map_policy parameter")
        if op_code in RANGE_OPS and "range" not in operation:
            raise ParamError("Range should be given")
        if "return_type" in operation:
            return_type = operation["return_type"]
            if not _is_int(return_type):
                raise ParamError("Return type should be an integer")
            if not _INT64_MIN <= return_type < _INT64_LIMIT:
                raise ParamError("integer value exceeds sys.maxsize")
            self.return_type = int(return_type)
        if "index" in operation:
            if op_code not in INDEX_OPS:
                raise ParamError("Operation does not need an index value")
            index = operation["index"]
            if not _is_int(index):
                raise ParamError("Index should be an integer")
            if not _INT64_MIN <= index < _INT64_LIMIT:
                raise ParamError("integer value exceeds sys.maxsize")
            self.index_value = int(index)
        elif op_code in INDEX_OPS:
            raise ParamError("Operation needs an index value")
        if op_code in CURRENT_KEYS:
            self.read_current()

    def read_current(self) -> None:
        """The current API's additions, on the operations that take them: ``ctx``, ``list_policy``, ``inverted``."""
        operation = self.operation
        ctx = operation.get("ctx")
        if ctx:
            if not isinstance(ctx, list):
                raise ParamError("ctx must be a list of cdt_ctx objects")
            self.ctx = ctx
        policy = operation.get("list_policy")
        if policy:
            self.list_policy = read_list_policy(policy)
        if operation.get("inverted"):
            self.return_type |= RETURN_TYPE_INVERTED

    def value(self, field: str = "val") -> Any:
        """A value field (present: check() saw to it)."""
        return self.operation[field]

    def count(self) -> int:
        """The count of a range operation, given as 'val'."""
        return count_of(self.operation["val"])

    def list_value(self, field: str = "val") -> list:
        """A value field that must be a list (3.0.0 cast whatever it got to a list: undefined for others)."""
        value = self.operation[field]
        if not isinstance(value, list):
            raise ParamError("List parameter should be of type list")
        return value

    def pack(self, cdt_op: int, *args: tuple[str, Any]) -> bytes:
        """``[cdt_op, args...]`` in Aerospike msgpack; each arg is (field name, value) so errors name it. With a
        context: ``[0xff, [ctx...], [cdt_op, args...]]``."""
        packer = cdt.CdtPacker(self.fallback)
        if self.ctx:
            items = [_ctx_pair(item) for item in self.ctx]
            if self.ctx_create_flag:
                last_id, last_value = items[-1]
                items[-1] = (last_id | self.ctx_create_flag, last_value)
            try:
                encoded_ctx = pack_ctx(items, self.fallback)
            except ProtocolError as error:
                raise ParamError(f"'ctx': {error}") from None
            packer.array_header(3).integer(_CTX_MARKER).raw(encoded_ctx)
        packer.array_header(1 + len(args)).integer(cdt_op)
        for field, value in args:
            if type(value) is Unsigned:
                packer.raw(msgpack.packb(value.value))
                continue
            try:
                packer.value(prepare_value(value))
            except ProtocolError as error:
                raise ParamError(f"'{field}': {error}") from None
        return packer.getvalue()


def _ctx_pair(item: Any) -> tuple[int, Any]:
    """(wire id, value) of one context item: a cdt_ctx helper object or an (id, value) pair."""
    if isinstance(item, tuple) and len(item) == 2:
        ctx_id, value = item
    else:
        ctx_id = getattr(item, "wire_id", None)
        if ctx_id is None:
            ctx_id = getattr(item, "id", None)
        value = getattr(item, "value", None)
    if isinstance(ctx_id, bool) or not isinstance(ctx_id, int):
        raise ParamError("ctx must be a list of cdt_ctx objects")
    return ctx_id, prepare_value(value)


def read_list_policy(policy: Any) -> tuple[int, int]:
    """(order, write flags) of the current API's list policy dict (``list_order``, ``write_flags``)."""
    if not isinstance(policy, dict):
        raise ParamError("list_policy must be a dict")
    values = []
    for name in ("list_order", "write_flags"):
        value = policy.get(name, 0)
        if value is None:
            value = 0
        if not _is_int(value):
            raise ParamError(f"{name} is invalid")
        values.append(int(value))
    return values[0], values[1]


class Unsigned:
    """An integer the official client writes as msgpack unsigned 64-bit (counts, map orders and flags):
    a negative count wraps, as it did in the C core."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value & _UINT64_MASK


def make_op(op_type: int, bin_name: str, payload: bytes) -> Op:
    """The protocol op of a CDT operation: the payload travels as a blob particle."""
    return Op(op_type, PARTICLE_BLOB, bin_name, payload)


# --------------------------------------------------------------------------------------------- builders


def _read(fields: OpFields, payload: bytes) -> tuple[Op, ResultShape]:
    return make_op(OP_CDT_READ, fields.bin_name, payload), ResultShape(fields.op_code, is_write=False)


def _modify(fields: OpFields, payload: bytes) -> tuple[Op, ResultShape]:
    return make_op(OP_CDT_MODIFY, fields.bin_name, payload), ResultShape(fields.op_code, is_write=True)


def _policy_args(fields: OpFields, with_order: bool) -> list[tuple[str, Any]]:
    # A list policy adds (order and) write flags, as the official C core writes them: append, append_items and
    # increment carry both, insert, insert_items and set only the flags (inserts are refused on ordered lists).
    if fields.list_policy is None:
        return []
    order, flags = fields.list_policy
    args = [("list_policy", Unsigned(order))] if with_order else []
    return args + [("list_policy", Unsigned(flags))]


def _append(fields: OpFields) -> tuple[Op, ResultShape]:
    args = [("val", fields.value()), *_policy_args(fields, True)]
    return _modify(fields, fields.pack(CDT_LIST_APPEND, *args))


def _append_items(fields: OpFields) -> tuple[Op, ResultShape]:
    args = [("val", fields.value()), *_policy_args(fields, True)]
    return _modify(fields, fields.pack(CDT_LIST_APPEND_ITEMS, *args))


def _index_value(cdt_op: int) -> Builder:
    # insert, insert_items, set, increment: [op, index, value(, policy)]; the value goes to the server as given.
    with_order = cdt_op == CDT_LIST_INCREMENT

    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        args = [("index", fields.index_value), ("val", fields.value()), *_policy_args(fields, with_order)]
        return _modify(fields, fields.pack(cdt_op, *args))

    return build


def _index_only(cdt_op: int, modify: bool) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        payload = fields.pack(cdt_op, ("index", fields.index_value))
        return _modify(fields, payload) if modify else _read(fields, payload)

    return build


def _index_count(cdt_op: int, modify: bool) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        count = Unsigned(fields.count())
        payload = fields.pack(cdt_op, ("index", fields.index_value), ("val", count))
        return _modify(fields, payload) if modify else _read(fields, payload)

    return build


def _clear(fields: OpFields) -> tuple[Op, ResultShape]:
    return _modify(fields, fields.pack(CDT_LIST_CLEAR))


def _size(fields: OpFields) -> tuple[Op, ResultShape]:
    return _read(fields, fields.pack(CDT_LIST_SIZE))


LIST_BUILDERS: dict[int, Builder] = {
    OP_LIST_APPEND: _append,
    OP_LIST_APPEND_ITEMS: _append_items,
    OP_LIST_INSERT: _index_value(CDT_LIST_INSERT),
    OP_LIST_INSERT_ITEMS: _index_value(CDT_LIST_INSERT_ITEMS),
    OP_LIST_INCREMENT: _index_value(CDT_LIST_INCREMENT),
    OP_LIST_POP: _index_only(CDT_LIST_POP, modify=True),
    OP_LIST_POP_RANGE: _index_count(CDT_LIST_POP_RANGE, modify=True),
    OP_LIST_REMOVE: _index_only(CDT_LIST_REMOVE, modify=True),
    OP_LIST_REMOVE_RANGE: _index_count(CDT_LIST_REMOVE_RANGE, modify=True),
    OP_LIST_CLEAR: _clear,
    OP_LIST_SET: _index_value(CDT_LIST_SET),
    OP_LIST_GET: _index_only(CDT_LIST_GET, modify=False),
    OP_LIST_GET_RANGE: _index_count(CDT_LIST_GET_RANGE, modify=False),
    OP_LIST_TRIM: _index_count(CDT_LIST_TRIM, modify=True),
    OP_LIST_SIZE: _size,
}

# The current API's keys on 3.0.0's list operations (19.x list_operations writes ctx on every one, list_policy on
# the writes that take a policy).
allow_current_keys(LIST_BUILDERS, ("ctx",))
allow_current_keys(
    (OP_LIST_APPEND, OP_LIST_APPEND_ITEMS, OP_LIST_INSERT, OP_LIST_INSERT_ITEMS, OP_LIST_INCREMENT, OP_LIST_SET),
    ("list_policy",),
)
