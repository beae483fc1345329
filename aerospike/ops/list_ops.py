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
)
from ..exception import ParamError
from ..protocol import cdt
from ..protocol.constants import OP_CDT_MODIFY, OP_CDT_READ, PARTICLE_BLOB, PARTICLE_GEOJSON
from ..protocol.errors import ProtocolError
from ..protocol.message import Op
from ..values import GeoJSON, Null, check_bin_name
from .results import ResultShape

__all__ = [
    "LIST_BUILDERS",
    "Fallback",
    "OpFields",
    "Unsigned",
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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class OpFields:
    """Reads and checks the fields of one operation dict, naming the field in every ParamError."""

    __slots__ = ("operation", "op_code", "fallback")

    def __init__(self, operation: Mapping, op_code: int, fallback: Optional[Fallback]) -> None:
        for name in operation:
            if name not in ALLOWED_KEYS:
                raise ParamError(f"{_ALLOWED_KEYS_MESSAGE} (got {name!r})")
        self.operation = operation
        self.op_code = op_code
        self.fallback: Fallback = fallback if fallback is not None else _default_fallback

    def has(self, field: str) -> bool:
        """Whether the dict carries `field` (a None value counts as carried)."""
        return field in self.operation

    def bin(self) -> str:
        """The bin name: required, a str of at most 15 UTF-8 bytes."""
        name = self.operation.get("bin", _MISSING)
        if name is _MISSING or name is None:
            raise ParamError("Bin is not given ('bin')")
        if not isinstance(name, str):
            raise ParamError("Bin name should be of type string ('bin')")
        check_bin_name(name)
        return name

    def integer(self, field: str, what: str) -> int:
        """A required signed 64-bit integer field (an index, a rank, a count)."""
        value = self.operation.get(field, _MISSING)
        if value is _MISSING or value is None:
            raise ParamError(f"Operation needs {what} ('{field}')")
        if not _is_int(value):
            raise ParamError(f"{what} should be an integer ('{field}'), not {type(value).__name__}")
        if not _INT64_MIN <= value < _INT64_LIMIT:
            raise ParamError(f"{what} does not fit in a signed 64-bit integer ('{field}')")
        return int(value)

    def index(self) -> int:
        """The 'index' field: required integer."""
        return self.integer("index", "an index value")

    def no_index(self) -> None:
        """Client 3.0.0 refused an 'index' on operations that take none."""
        if "index" in self.operation:
            raise ParamError("Operation does not need an index value ('index')")

    def value(self, field: str = "val") -> Any:
        """A required value field of any writable type (None is nil)."""
        value = self.operation.get(field, _MISSING)
        if value is _MISSING:
            raise ParamError(f"Value should be given ('{field}')")
        return value

    def list_value(self, field: str = "val") -> list:
        """A required value field that must be a list."""
        value = self.value(field)
        if not isinstance(value, list):
            raise ParamError(f"'{field}' should be of type list, not {type(value).__name__}")
        return value

    def number(self, field: str = "val") -> int | float:
        """A required int or float (increments)."""
        value = self.value(field)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParamError(f"'{field}' should be an int or a float, not {type(value).__name__}")
        if isinstance(value, int) and not _INT64_MIN <= value < _INT64_LIMIT:
            raise ParamError(f"'{field}' does not fit in a signed 64-bit integer")
        return value

    def pack(self, cdt_op: int, *args: tuple[str, Any]) -> bytes:
        """``[cdt_op, args...]`` in Aerospike msgpack; each arg is (field name, value) so errors name it."""
        packer = cdt.CdtPacker(self.fallback)
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


def _read(fields: OpFields, bin_name: str, payload: bytes) -> tuple[Op, ResultShape]:
    return make_op(OP_CDT_READ, bin_name, payload), ResultShape(fields.op_code, is_write=False)


def _modify(fields: OpFields, bin_name: str, payload: bytes) -> tuple[Op, ResultShape]:
    return make_op(OP_CDT_MODIFY, bin_name, payload), ResultShape(fields.op_code, is_write=True)


def _append(fields: OpFields) -> tuple[Op, ResultShape]:
    name = fields.bin()
    fields.no_index()
    return _modify(fields, name, fields.pack(CDT_LIST_APPEND, ("val", fields.value())))


def _append_items(fields: OpFields) -> tuple[Op, ResultShape]:
    name = fields.bin()
    fields.no_index()
    return _modify(fields, name, fields.pack(CDT_LIST_APPEND_ITEMS, ("val", fields.list_value())))


def _insert(fields: OpFields) -> tuple[Op, ResultShape]:
    name = fields.bin()
    index = fields.index()
    return _modify(fields, name, fields.pack(CDT_LIST_INSERT, ("index", index), ("val", fields.value())))


def _insert_items(fields: OpFields) -> tuple[Op, ResultShape]:
    name = fields.bin()
    index = fields.index()
    items = fields.list_value()
    return _modify(fields, name, fields.pack(CDT_LIST_INSERT_ITEMS, ("index", index), ("val", items)))


def _increment(fields: OpFields) -> tuple[Op, ResultShape]:
    name = fields.bin()
    index = fields.index()
    delta = fields.number()
    return _modify(fields, name, fields.pack(CDT_LIST_INCREMENT, ("index", index), ("val", delta)))


def _index_only(cdt_op: int, modify: bool) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        name = fields.bin()
        payload = fields.pack(cdt_op, ("index", fields.index()))
        return _modify(fields, name, payload) if modify else _read(fields, name, payload)

    return build


def _index_count(cdt_op: int, modify: bool) -> Builder:
    def build(fields: OpFields) -> tuple[Op, ResultShape]:
        name = fields.bin()
        index = fields.index()
        count = Unsigned(fields.integer("val", "a count"))
        payload = fields.pack(cdt_op, ("index", index), ("val", count))
        return _modify(fields, name, payload) if modify else _read(fields, name, payload)

    return build


def _set(fields: OpFields) -> tuple[Op, ResultShape]:
    name = fields.bin()
    index = fields.index()
    return _modify(fields, name, fields.pack(CDT_LIST_SET, ("index", index), ("val", fields.value())))


def _clear(fields: OpFields) -> tuple[Op, ResultShape]:
    name = fields.bin()
    fields.no_index()
    return _modify(fields, name, fields.pack(CDT_LIST_CLEAR))


def _size(fields: OpFields) -> tuple[Op, ResultShape]:
    name = fields.bin()
    fields.no_index()
    return _read(fields, name, fields.pack(CDT_LIST_SIZE))


LIST_BUILDERS: dict[int, Builder] = {
    OP_LIST_APPEND: _append,
    OP_LIST_APPEND_ITEMS: _append_items,
    OP_LIST_INSERT: _insert,
    OP_LIST_INSERT_ITEMS: _insert_items,
    OP_LIST_INCREMENT: _increment,
    OP_LIST_POP: _index_only(CDT_LIST_POP, modify=True),
    OP_LIST_POP_RANGE: _index_count(CDT_LIST_POP_RANGE, modify=True),
    OP_LIST_REMOVE: _index_only(CDT_LIST_REMOVE, modify=True),
    OP_LIST_REMOVE_RANGE: _index_count(CDT_LIST_REMOVE_RANGE, modify=True),
    OP_LIST_CLEAR: _clear,
    OP_LIST_SET: _set,
    OP_LIST_GET: _index_only(CDT_LIST_GET, modify=False),
    OP_LIST_GET_RANGE: _index_count(CDT_LIST_GET_RANGE, modify=False),
    OP_LIST_TRIM: _index_count(CDT_LIST_TRIM, modify=True),
    OP_LIST_SIZE: _size,
}
