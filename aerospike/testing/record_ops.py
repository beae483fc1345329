"""Bin-level semantics of the local cluster: the write/modify/read operations of one command, and filter expressions.

Owns: what each operation type does to a record's bins (a dict name -> (particle_type, wire bytes)), the per-op
result codes a real server answers (12 for a type clash, 4 for a malformed value), and the evaluation of filter
expressions (field 43) against a record. Operation handlers are chosen from a table keyed by op type, so list, map,
bit, HLL and expression operations slot in beside these. Must not know sockets, partitions or locks (store.py
owns those) and must not import the client core.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any, Callable

import msgpack

from aerospike.protocol import constants as c
from aerospike.protocol.message import Op

from . import cdt_ops

BinValue = tuple[int, bytes]  # (particle type, wire bytes as the server returns them)

_I64 = struct.Struct(">q")
_U64 = struct.Struct(">Q")
_F64 = struct.Struct(">d")

# Bin names are at most 15 bytes (the server's limit is a 16-byte buffer with the terminating NUL).
MAX_BIN_NAME_BYTES = 15

_BLOB_TYPES = frozenset(
    {
        c.PARTICLE_BLOB,
        c.PARTICLE_JAVA_BLOB,
        c.PARTICLE_CSHARP_BLOB,
        c.PARTICLE_PYTHON_BLOB,
        c.PARTICLE_RUBY_BLOB,
        c.PARTICLE_PHP_BLOB,
        c.PARTICLE_ERLANG_BLOB,
    }
)
# Particle types a client may store in a bin.
STORABLE_TYPES = frozenset(
    {
        c.PARTICLE_INTEGER,
        c.PARTICLE_FLOAT,
        c.PARTICLE_STRING,
        c.PARTICLE_BOOL,
        c.PARTICLE_HLL,
        c.PARTICLE_MAP,
        c.PARTICLE_LIST,
        c.PARTICLE_GEOJSON,
    }
    | _BLOB_TYPES
)
_EMPTY_RESULT_TYPE = c.PARTICLE_NULL


class OpError(Exception):
    """An operation failed with a server result code; the whole command fails and nothing is applied."""

    def __init__(self, result_code: int) -> None:
        super().__init__(result_code)
        self.result_code = result_code


def integer_from_wire(data: bytes) -> int:
    """A signed 64-bit integer from the wire: 8 bytes big-endian, or 1, 2 or 4 unsigned bytes (server rule)."""
    size = len(data)
    if size == 8:
        return int(_I64.unpack(data)[0])
    if size in (1, 2, 4):
        return int.from_bytes(data, "big")
    raise OpError(c.RESULT_PARAMETER_ERROR)


def integer_to_wire(value: int) -> bytes:
    """A 64-bit two's-complement value (wrapping like the server's uint64 arithmetic) as 8 bytes."""
    return _U64.pack(value & 0xFFFFFFFFFFFFFFFF)


def normalize_particle(particle_type: int, data: bytes) -> BinValue:
    """The stored form of a written value, checked as the server checks it (4 on a malformed value)."""
    if particle_type == c.PARTICLE_INTEGER:
        return particle_type, integer_to_wire(integer_from_wire(data))
    if particle_type == c.PARTICLE_FLOAT:
        if len(data) != 8:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        return particle_type, data
    if particle_type == c.PARTICLE_BOOL:
        if len(data) != 1:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        return particle_type, data
    if particle_type == c.PARTICLE_GEOJSON:
        return particle_type, geojson_with_cells(data)
    if particle_type in (c.PARTICLE_LIST, c.PARTICLE_MAP):
        # Checked and stored as the server does: maps sorted by key; bad msgpack or map keys answer 1.
        try:
            return particle_type, cdt_ops.normalize_bin(particle_type, data)
        except cdt_ops.CdtError as error:
            raise OpError(error.result_code) from None
    if particle_type not in STORABLE_TYPES:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return particle_type, data


# ---------------------------------------------------------------------------------------------------------------
# GeoJSON particles: flags (u8), ncells (u16), ncells S2 cell ids (u64), then the JSON text. Clients send no
# cells; the server stores and returns the cells it indexes: for a Point, the S2 leaf cell that holds it.

RESULT_GEO_INVALID_GEOJSON = 160  # the server's AS_ERR_GEO_INVALID_GEOJSON
_GEO_HEADER = struct.Struct(">BH")
_S2_IJ_TO_POS = ((0, 1, 3, 2), (0, 3, 1, 2), (2, 3, 1, 0), (2, 1, 3, 0))  # [orientation][i_bit << 1 | j_bit]
_S2_POS_TO_ORIENTATION = (1, 0, 0, 3)  # swap, none, none, swap|invert
_S2_MAX_SIZE = 1 << 30


def _s2_st(u: float) -> float:
    return 0.5 * math.sqrt(1 + 3 * u) if u >= 0 else 1 - 0.5 * math.sqrt(1 - 3 * u)


def s2_leaf_cell(longitude: float, latitude: float) -> int:
    """The S2 cell id (level 30) of a point: cube face, quadratic projection, then the Hilbert curve position."""
    lat, lng = math.radians(latitude), math.radians(longitude)
    x, y, z = math.cos(lat) * math.cos(lng), math.cos(lat) * math.sin(lng), math.sin(lat)
    magnitudes = (abs(x), abs(y), abs(z))
    axis = magnitudes.index(max(magnitudes))
    face = axis if (x, y, z)[axis] >= 0 else axis + 3
    # Only the face's own axis is divided by (it is the largest component, never 0): a point on the equator
    # or on a meridian has zeros in the other two.
    if face == 0:
        u, v = y / x, z / x
    elif face == 1:
        u, v = -x / y, z / y
    elif face == 2:
        u, v = -x / z, -y / z
    elif face == 3:
        u, v = z / x, y / x
    elif face == 4:
        u, v = z / y, -x / y
    else:
        u, v = -y / z, -x / z
    i = min(max(math.floor(_S2_MAX_SIZE * _s2_st(u)), 0), _S2_MAX_SIZE - 1)
    j = min(max(math.floor(_S2_MAX_SIZE * _s2_st(v)), 0), _S2_MAX_SIZE - 1)
    orientation = face & 1
    position = 0
    for level in range(29, -1, -1):
        bits = _S2_IJ_TO_POS[orientation][(((i >> level) & 1) << 1) | ((j >> level) & 1)]
        orientation ^= _S2_POS_TO_ORIENTATION[bits]
        position = (position << 2) | bits
    return (face << 61) | (position << 1) | 1


def geojson_with_cells(data: bytes) -> bytes:
    """A written GeoJSON particle as the server stores it (its cells computed), or OpError 160 if invalid."""
    if len(data) < _GEO_HEADER.size:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    flags, ncells = _GEO_HEADER.unpack_from(data)
    text = data[_GEO_HEADER.size + 8 * ncells :]
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise OpError(RESULT_GEO_INVALID_GEOJSON)
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        raise OpError(RESULT_GEO_INVALID_GEOJSON)
    cells: list[int] = []
    if document["type"] == "Point":
        coordinates = document.get("coordinates")
        if (
            not isinstance(coordinates, list)
            or len(coordinates) < 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in coordinates[:2])
        ):
            raise OpError(RESULT_GEO_INVALID_GEOJSON)
        cells.append(s2_leaf_cell(float(coordinates[0]), float(coordinates[1])))
    # Regions (Polygon, AeroCircle, ...) are stored without their S2 covering: computing one is not implemented.
    return _GEO_HEADER.pack(flags, len(cells)) + b"".join(_U64.pack(cell) for cell in cells) + text


class OpContext:
    """The state one command's operations work on: the new bins, and the reply ops collected so far."""

    __slots__ = ("bins", "replies", "respond_all", "record_exists", "touched", "record_view")

    def __init__(self, bins: dict[str, BinValue], respond_all: bool, record_exists: bool) -> None:
        self.bins = bins
        self.replies: list[Op] = []
        self.respond_all = respond_all
        self.record_exists = record_exists
        self.touched = False
        self.record_view: Any = None  # the record's RecordView when the store gives one (expression ops)

    def empty_reply(self, name: str, op_type: int = c.OP_READ) -> None:
        # A result carries the type of the op it answers, as the server's replies do.
        if self.respond_all:
            self.replies.append(Op(op_type, _EMPTY_RESULT_TYPE, name, b""))

    def read_bin(self, name: str) -> None:
        value = self.bins.get(name)
        if value is not None:
            self.replies.append(Op(c.OP_READ, value[0], name, value[1]))
        elif self.respond_all:
            self.replies.append(Op(c.OP_READ, _EMPTY_RESULT_TYPE, name, b""))

    def read_all(self) -> None:
        for name, (particle_type, data) in self.bins.items():
            self.replies.append(Op(c.OP_READ, particle_type, name, data))


OpHandler = Callable[[OpContext, Op], None]


def _op_write(ctx: OpContext, op: Op) -> None:
    if op.particle_type == c.PARTICLE_NULL:
        ctx.bins.pop(op.bin_name, None)
    else:
        ctx.bins[op.bin_name] = normalize_particle(op.particle_type, op.value)
    ctx.empty_reply(op.bin_name, op.op_type)


def _op_read(ctx: OpContext, op: Op) -> None:
    if op.bin_name:
        ctx.read_bin(op.bin_name)
    else:
        ctx.read_all()


def _op_incr(ctx: OpContext, op: Op) -> None:
    # As current servers do: a nil operand is a parameter error; a missing bin takes the operand as it is
    # (of any type); an existing bin must be an integer for an integer operand, a double for a double.
    if op.particle_type == c.PARTICLE_NULL:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    current = ctx.bins.get(op.bin_name)
    if op.particle_type == c.PARTICLE_INTEGER:
        delta = integer_from_wire(op.value)
        if current is None:
            ctx.bins[op.bin_name] = (c.PARTICLE_INTEGER, integer_to_wire(delta))
        elif current[0] == c.PARTICLE_INTEGER:
            total = _I64.unpack(current[1])[0] + delta
            ctx.bins[op.bin_name] = (c.PARTICLE_INTEGER, integer_to_wire(total))
        else:
            raise OpError(c.RESULT_BIN_TYPE_ERROR)
    elif op.particle_type == c.PARTICLE_FLOAT:
        if len(op.value) != 8:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        delta_f = _F64.unpack(op.value)[0]
        if current is None:
            ctx.bins[op.bin_name] = (c.PARTICLE_FLOAT, op.value)
        elif current[0] == c.PARTICLE_FLOAT:
            ctx.bins[op.bin_name] = (c.PARTICLE_FLOAT, _F64.pack(_F64.unpack(current[1])[0] + delta_f))
        else:
            raise OpError(c.RESULT_BIN_TYPE_ERROR)
    elif current is None:
        ctx.bins[op.bin_name] = normalize_particle(op.particle_type, op.value)
    else:
        raise OpError(c.RESULT_BIN_TYPE_ERROR)
    ctx.empty_reply(op.bin_name, op.op_type)


def _concat(ctx: OpContext, op: Op, append: bool) -> None:
    # As for increment: nil is a parameter error, a missing bin takes the operand whatever its type, an existing
    # bin must hold a string (or a blob of the same type) like the operand.
    if op.particle_type == c.PARTICLE_NULL:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    current = ctx.bins.get(op.bin_name)
    if current is None:
        ctx.bins[op.bin_name] = normalize_particle(op.particle_type, op.value)
    elif current[0] != op.particle_type or (
        op.particle_type != c.PARTICLE_STRING and op.particle_type not in _BLOB_TYPES
    ):
        raise OpError(c.RESULT_BIN_TYPE_ERROR)
    else:
        data = current[1] + op.value if append else op.value + current[1]
        ctx.bins[op.bin_name] = (op.particle_type, data)
    ctx.empty_reply(op.bin_name, op.op_type)


def _op_append(ctx: OpContext, op: Op) -> None:
    _concat(ctx, op, True)


def _op_prepend(ctx: OpContext, op: Op) -> None:
    _concat(ctx, op, False)


def _op_touch(ctx: OpContext, op: Op) -> None:
    ctx.touched = True


def _op_delete_all(ctx: OpContext, op: Op) -> None:
    ctx.bins.clear()
    ctx.empty_reply(op.bin_name, op.op_type)


def _op_cdt(ctx: OpContext, op: Op) -> None:
    """A list or map operation: decode the bin, let the CDT engine apply the op, keep its new value and reply."""
    current = ctx.bins.get(op.bin_name)
    if current is None:
        particle_type, value = None, None
    elif current[0] in (c.PARTICLE_LIST, c.PARTICLE_MAP):
        particle_type, value = current[0], cdt_ops.decode_bin(current[0], current[1])
    else:
        particle_type, value = current[0], None
    result_code, new_value, reply = cdt_ops.apply_cdt_op(op.op_type, particle_type, value, op.value)
    if result_code:
        raise OpError(result_code)
    if new_value is not cdt_ops.UNCHANGED:
        ctx.bins[op.bin_name] = cdt_ops.encode_bin(new_value)
    if reply is not None:
        ctx.replies.append(Op(op.op_type, reply[0], op.bin_name, reply[1]))
    else:
        ctx.empty_reply(op.bin_name, op.op_type)


def _op_not_yet_supported(ctx: OpContext, op: Op) -> None:
    raise OpError(c.RESULT_PARAMETER_ERROR)


# Operations allowed in a write command (info2 WRITE). Bit, HLL and expression operations answer 4 until
# their engines are registered here (register_op_handler).
WRITE_OP_HANDLERS: dict[int, OpHandler] = {
    c.OP_READ: _op_read,
    c.OP_WRITE: _op_write,
    c.OP_INCR: _op_incr,
    c.OP_APPEND: _op_append,
    c.OP_PREPEND: _op_prepend,
    c.OP_TOUCH: _op_touch,
    c.OP_DELETE: _op_delete_all,
    c.OP_CDT_READ: _op_cdt,
    c.OP_CDT_MODIFY: _op_cdt,
    c.OP_EXP_READ: _op_not_yet_supported,
    c.OP_EXP_MODIFY: _op_not_yet_supported,
    c.OP_BIT_READ: _op_not_yet_supported,
    c.OP_BIT_MODIFY: _op_not_yet_supported,
    c.OP_HLL_READ: _op_not_yet_supported,
    c.OP_HLL_MODIFY: _op_not_yet_supported,
}

# Operations allowed in a read-only command (info1 READ without info2 WRITE).
READ_OP_HANDLERS: dict[int, OpHandler] = {
    c.OP_READ: _op_read,
    c.OP_CDT_READ: _op_cdt,
    c.OP_EXP_READ: _op_not_yet_supported,
    c.OP_BIT_READ: _op_not_yet_supported,
    c.OP_HLL_READ: _op_not_yet_supported,
}

# Op types that read (need info1 READ) and that produce a reply bin (cannot mix with a read-all op).
READ_OP_TYPES = frozenset({c.OP_READ, c.OP_CDT_READ, c.OP_EXP_READ, c.OP_BIT_READ, c.OP_HLL_READ})
RESPONSE_OP_TYPES = frozenset(
    {c.OP_CDT_READ, c.OP_CDT_MODIFY, c.OP_EXP_READ, c.OP_BIT_READ, c.OP_HLL_READ, c.OP_HLL_MODIFY}
)
# Op types that change a bin's value in place (forbidden with record-level replace).
MODIFY_OP_TYPES = frozenset(
    {c.OP_INCR, c.OP_APPEND, c.OP_PREPEND, c.OP_CDT_MODIFY, c.OP_BIT_MODIFY, c.OP_HLL_MODIFY, c.OP_DELETE}
)


def register_op_handler(op_type: int, handler: OpHandler, read_only: bool) -> None:
    """Install the engine of an op type (list/map CDT, bits, HLL, expressions) in the dispatch tables."""
    WRITE_OP_HANDLERS[op_type] = handler
    if read_only:
        READ_OP_HANDLERS[op_type] = handler


def register_bin_engine(read_type: int, modify_type: int, apply: Callable[[bool, Any, bytes], tuple]) -> None:
    """Install an engine of the bit/HLL kind for its read and modify op types: ``apply(modify, bin value or None,
    payload) -> (new bin value or None when unchanged, reply (particle type, bytes) or None)``."""

    def handler(ctx: OpContext, op: Op) -> None:
        new_value, reply = apply(op.op_type == modify_type, ctx.bins.get(op.bin_name), op.value)
        if new_value is not None:
            ctx.bins[op.bin_name] = new_value
        if reply is not None:
            ctx.replies.append(Op(op.op_type, reply[0], op.bin_name, reply[1]))
        else:
            ctx.empty_reply(op.bin_name, op.op_type)

    register_op_handler(read_type, handler, read_only=True)
    register_op_handler(modify_type, handler, read_only=False)


# ---------------------------------------------------------------------------------------------------------------
# Filter expressions (field 43): msgpack trees [op, args...]. Trilean: True, False, or UNKNOWN (None) when a bin
# is missing or of another type; only True lets the command through.

EXP_EQ, EXP_NE, EXP_GT, EXP_GE, EXP_LT, EXP_LE = 1, 2, 3, 4, 5, 6
EXP_AND, EXP_OR, EXP_NOT, EXP_EXCLUSIVE = 16, 17, 18, 19
EXP_ADD, EXP_SUB, EXP_MUL, EXP_DIV, EXP_POW, EXP_LOG, EXP_MOD = 20, 21, 22, 23, 24, 25, 26
EXP_ABS, EXP_FLOOR, EXP_CEIL, EXP_TO_INT, EXP_TO_FLOAT = 27, 28, 29, 30, 31
EXP_MIN, EXP_MAX = 50, 51
EXP_DIGEST_MODULO, EXP_DEVICE_SIZE, EXP_LAST_UPDATE, EXP_SINCE_UPDATE = 64, 65, 66, 67
EXP_VOID_TIME, EXP_TTL, EXP_SET_NAME, EXP_KEY_EXISTS, EXP_IS_TOMBSTONE = 68, 69, 70, 71, 72
EXP_MEMORY_SIZE, EXP_RECORD_SIZE = 73, 74
EXP_KEY, EXP_BIN, EXP_BIN_TYPE = 80, 81, 82
EXP_COND, EXP_VAR, EXP_LET, EXP_QUOTED = 123, 124, 125, 126

# Expression value types (as in BIN and KEY): nil, bool, int, str, list, map, blob, float, geo, hll.
_EXP_TYPE_OF_PARTICLE = {
    c.PARTICLE_NULL: 0,
    c.PARTICLE_BOOL: 1,
    c.PARTICLE_INTEGER: 2,
    c.PARTICLE_STRING: 3,
    c.PARTICLE_LIST: 4,
    c.PARTICLE_MAP: 5,
    c.PARTICLE_FLOAT: 7,
    c.PARTICLE_GEOJSON: 8,
    c.PARTICLE_HLL: 9,
}

UNKNOWN = None


class WireValue:
    """A list, map or HLL value inside the evaluator: its particle type and bytes as the server stores them."""

    __slots__ = ("particle_type", "data")

    def __init__(self, particle_type: int, data: bytes) -> None:
        self.particle_type = particle_type
        self.data = data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WireValue) and (self.particle_type, self.data) == (other.particle_type, other.data)

    __hash__ = None  # type: ignore[assignment]


class ExpressionError(Exception):
    """A filter expression the local cluster cannot parse or does not implement; the server answers 4."""


class RecordView:
    """What an expression may see of a record (its bins and metadata), independent of the store's classes."""

    __slots__ = ("bins", "digest", "set_name", "key", "void_time", "last_update_ns", "now")

    def __init__(
        self,
        bins: dict[str, BinValue],
        digest: bytes,
        set_name: str | None,
        key: tuple[int, bytes] | None,
        void_time: int,
        last_update_ns: int,
        now: float,
    ) -> None:
        self.bins = bins
        self.digest = digest
        self.set_name = set_name
        self.key = key
        self.void_time = void_time
        self.last_update_ns = last_update_ns
        self.now = now


def parse_expression(data: bytes) -> Any:
    """The expression tree of a filter field, or ExpressionError if it is not valid msgpack."""
    try:
        # Blob values travel as msgpack str led by 0x04: surrogateescape keeps their bytes.
        return msgpack.unpackb(
            data, raw=False, strict_map_key=False, use_list=True, unicode_errors="surrogateescape"
        )
    except Exception as error:  # msgpack raises several unrelated classes
        raise ExpressionError(str(error)) from error


def filter_matches(tree: Any, record: RecordView) -> bool:
    """Whether a record passes a filter expression (only a definite True passes)."""
    return _evaluate(tree, record, {}) is True


def expression_value(tree: Any, record: RecordView) -> Any:
    """What an expression evaluates to for a record (an expression index's value): int, float, str, bytes,
    bool, a WireValue for lists and maps, or None when unknown."""
    return _evaluate(tree, record, {})


def _scalar_value(particle_type: int, data: bytes) -> Any:
    if particle_type == c.PARTICLE_INTEGER:
        return _I64.unpack(data)[0]
    if particle_type == c.PARTICLE_FLOAT:
        return _F64.unpack(data)[0]
    if particle_type == c.PARTICLE_STRING:
        return data.decode("utf-8", "replace")
    if particle_type == c.PARTICLE_BOOL:
        return data != b"\x00"
    if particle_type in _BLOB_TYPES:
        return bytes(data)
    if particle_type == c.PARTICLE_GEOJSON:
        return data
    raise ExpressionError(f"expression on particle type {particle_type} is not supported")


def _exp_type(particle_type: int) -> int:
    if particle_type in _BLOB_TYPES:
        return 6
    return _EXP_TYPE_OF_PARTICLE.get(particle_type, -1)


def _evaluate(node: Any, record: RecordView, variables: dict[str, Any]) -> Any:
    if not isinstance(node, list):
        if isinstance(node, str) and node[:1] == "\x03":
            return node[1:]  # a string value carries its particle type (0x03) on the wire
        if isinstance(node, str) and node[:1] == "\x04":
            return node[1:].encode("utf-8", "surrogateescape")  # a blob value (0x04)
        return node  # literal int, float, str, bool, bytes, nil, map
    if not node:
        raise ExpressionError("empty expression")
    op = node[0]
    if not isinstance(op, int):
        raise ExpressionError("expression op is not an integer")
    handler = _EXP_HANDLERS.get(op)
    if handler is None:
        raise ExpressionError(f"expression op {op} is not supported")
    return handler(node, record, variables)


def _args(node: list[Any], record: RecordView, variables: dict[str, Any]) -> list[Any]:
    return [_evaluate(arg, record, variables) for arg in node[1:]]


def _comparable(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool)
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return type(left) is type(right)
    return type(left) is type(right)


def _make_compare(test: Callable[[Any, Any], bool], equality: bool) -> Callable[..., Any]:
    def compare(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
        if len(node) != 3:
            raise ExpressionError("comparison takes two arguments")
        left, right = _args(node, record, variables)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        if not _comparable(left, right):
            return False if not equality else test(0, 1)
        try:
            return bool(test(left, right))
        except TypeError:
            return UNKNOWN

    return compare


def _exp_and(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    result: Any = True
    for arg in node[1:]:
        value = _evaluate(arg, record, variables)
        if value is False:
            return False
        if value is UNKNOWN:
            result = UNKNOWN
    return result


def _exp_or(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    result: Any = False
    for arg in node[1:]:
        value = _evaluate(arg, record, variables)
        if value is True:
            return True
        if value is UNKNOWN:
            result = UNKNOWN
    return result


def _exp_not(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    (value,) = _args(node, record, variables)
    return UNKNOWN if value is UNKNOWN else not value


def _exp_exclusive(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    values = _args(node, record, variables)
    if any(value is UNKNOWN for value in values):
        return UNKNOWN
    return sum(1 for value in values if value is True) == 1


def _numbers(values: list[Any]) -> list[Any] | None:
    if any(value is UNKNOWN for value in values):
        return None
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return None
    if len({type(v) for v in values}) != 1:
        return None
    return values


def _make_arith(fold: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def arith(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
        values = _numbers(_args(node, record, variables))
        if values is None:
            return UNKNOWN
        result = values[0]
        try:
            for value in values[1:]:
                result = fold(result, value)
        except (ZeroDivisionError, OverflowError, ValueError):
            return UNKNOWN
        if isinstance(result, int):
            result = _I64.unpack(integer_to_wire(result))[0]
        return result

    return arith


def _int_div(left: Any, right: Any) -> Any:
    if isinstance(left, int):
        quotient = abs(left) // abs(right)
        return quotient if (left >= 0) == (right >= 0) else -quotient
    return left / right


def _int_mod(left: Any, right: Any) -> Any:
    if not isinstance(left, int):
        raise ValueError("mod of floats")
    return int(math.fmod(left, right))


def _make_unary(apply: Callable[[Any], Any]) -> Callable[..., Any]:
    def unary(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
        values = _numbers(_args(node, record, variables))
        if values is None or len(values) != 1:
            return UNKNOWN
        try:
            return apply(values[0])
        except (OverflowError, ValueError):
            return UNKNOWN

    return unary


def _exp_min_max(pick: Callable[..., Any]) -> Callable[..., Any]:
    def extreme(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
        values = _numbers(_args(node, record, variables))
        return UNKNOWN if values is None else pick(values)

    return extreme


def _exp_bin(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    if len(node) != 3 or not isinstance(node[2], str):
        raise ExpressionError("bin expression takes a type and a name")
    value = record.bins.get(node[2])
    if value is None or _exp_type(value[0]) != node[1]:
        return UNKNOWN
    if value[0] in (c.PARTICLE_LIST, c.PARTICLE_MAP, c.PARTICLE_HLL):
        return WireValue(value[0], value[1])  # exp_ops installs the calls that work on them
    return _scalar_value(value[0], value[1])


def _exp_bin_type(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    value = record.bins.get(node[1]) if len(node) == 2 else None
    return c.PARTICLE_NULL if value is None else value[0]


def _exp_key(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    if record.key is None:
        return UNKNOWN
    particle_type, data = record.key
    if _exp_type(particle_type) != node[1]:
        return UNKNOWN
    return _scalar_value(particle_type, data)


def _exp_meta(read: Callable[[RecordView], Any]) -> Callable[..., Any]:
    def meta(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
        return read(record)

    return meta


def _ttl(record: RecordView) -> int:
    if record.void_time == 0:
        return -1
    return max(0, record.void_time - (int(record.now) - c.CITRUSLEAF_EPOCH))


def _since_update_ms(record: RecordView) -> int:
    return max(0, int(record.now * 1000) - record.last_update_ns // 1_000_000)


def _record_size(record: RecordView) -> int:
    return sum(len(name) + len(data) + 2 for name, (_, data) in record.bins.items())


def _exp_digest_modulo(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    modulus = node[1]
    if not isinstance(modulus, int) or modulus <= 0:
        raise ExpressionError("digest modulo takes a positive integer")
    return int.from_bytes(record.digest[-4:], "little") % modulus


def _exp_cond(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    branches = node[1:]
    for index in range(0, len(branches) - 1, 2):
        test = _evaluate(branches[index], record, variables)
        if test is UNKNOWN:
            return UNKNOWN
        if test is True:
            return _evaluate(branches[index + 1], record, variables)
    return _evaluate(branches[-1], record, variables) if len(branches) % 2 == 1 else UNKNOWN


def _exp_let(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    scope = dict(variables)
    body = node[1:]
    for index in range(0, len(body) - 1, 2):
        scope[body[index]] = _evaluate(body[index + 1], record, scope)
    return _evaluate(body[-1], record, scope)


def _exp_var(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    if node[1] not in variables:
        raise ExpressionError(f"undefined variable {node[1]!r}")
    return variables[node[1]]


def _exp_quoted(node: list[Any], record: RecordView, variables: dict[str, Any]) -> Any:
    return node[1]


_EXP_HANDLERS: dict[int, Callable[..., Any]] = {
    EXP_EQ: _make_compare(lambda a, b: a == b, True),
    EXP_NE: _make_compare(lambda a, b: a != b, True),
    EXP_GT: _make_compare(lambda a, b: a > b, False),
    EXP_GE: _make_compare(lambda a, b: a >= b, False),
    EXP_LT: _make_compare(lambda a, b: a < b, False),
    EXP_LE: _make_compare(lambda a, b: a <= b, False),
    EXP_AND: _exp_and,
    EXP_OR: _exp_or,
    EXP_NOT: _exp_not,
    EXP_EXCLUSIVE: _exp_exclusive,
    EXP_ADD: _make_arith(lambda a, b: a + b),
    EXP_SUB: _make_arith(lambda a, b: a - b),
    EXP_MUL: _make_arith(lambda a, b: a * b),
    EXP_DIV: _make_arith(_int_div),
    EXP_POW: _make_arith(lambda a, b: float(a) ** b),
    EXP_LOG: _make_arith(lambda a, b: math.log(a, b)),
    EXP_MOD: _make_arith(_int_mod),
    EXP_ABS: _make_unary(abs),
    EXP_FLOOR: _make_unary(lambda v: float(math.floor(v)) if isinstance(v, float) else None),
    EXP_CEIL: _make_unary(lambda v: float(math.ceil(v)) if isinstance(v, float) else None),
    EXP_TO_INT: _make_unary(lambda v: int(v) if isinstance(v, float) else None),
    EXP_TO_FLOAT: _make_unary(lambda v: float(v) if isinstance(v, int) else None),
    EXP_MIN: _exp_min_max(min),
    EXP_MAX: _exp_min_max(max),
    EXP_DIGEST_MODULO: _exp_digest_modulo,
    EXP_DEVICE_SIZE: _exp_meta(lambda record: 0),
    EXP_MEMORY_SIZE: _exp_meta(_record_size),
    EXP_RECORD_SIZE: _exp_meta(_record_size),
    EXP_LAST_UPDATE: _exp_meta(lambda record: record.last_update_ns),
    EXP_SINCE_UPDATE: _exp_meta(_since_update_ms),
    EXP_VOID_TIME: _exp_meta(
        lambda record: (
            -1 if record.void_time == 0 else (record.void_time + c.CITRUSLEAF_EPOCH) * 1_000_000_000
        )
    ),
    EXP_TTL: _exp_meta(_ttl),
    EXP_SET_NAME: _exp_meta(lambda record: record.set_name or ""),
    EXP_KEY_EXISTS: _exp_meta(lambda record: record.key is not None),
    EXP_IS_TOMBSTONE: _exp_meta(lambda record: False),
    EXP_KEY: _exp_key,
    EXP_BIN: _exp_bin,
    EXP_BIN_TYPE: _exp_bin_type,
    EXP_COND: _exp_cond,
    EXP_LET: _exp_let,
    EXP_VAR: _exp_var,
    EXP_QUOTED: _exp_quoted,
}
