"""Server semantics of list and map (CDT) operations: the value model, Aerospike's value order, and the entry point.

Owns: how the local cluster holds list and map bins (``CdtList``/``CdtMap``, which keep the ordered flags and the
entry order the server keeps), Aerospike's cross-type value order (the server's msgpack compare: nil < false <
true < int < string < list < map < bytes < double < geojson, wildcard equal to anything, infinity above all),
decoding/encoding bins and op payloads, nested contexts (``[0xff, [ctx...], [op...]]``), and dispatch to the list
(cdt_list.py) and map (cdt_map.py) operation tables. Imports only aerospike.protocol, stdlib and msgpack.

Scalars inside a CDT are kept as msgpack decodes them raw: None, bool, int, float, and ``bytes`` for every msgpack
str, led by its particle-type byte (0x03 text, 0x04 blob, 0x17 GeoJSON, ...), exactly as the server compares them.
"""

from __future__ import annotations

import copy
import struct
from typing import Any, Callable, Optional

import msgpack

from aerospike.protocol import constants as c

__all__ = [
    "UNCHANGED",
    "CdtError",
    "CdtList",
    "CdtMap",
    "WILDCARD",
    "INFINITY",
    "apply_cdt_op",
    "compare",
    "decode_bin",
    "encode_bin",
    "has_invalid_map_key",
    "normalize_bin",
    "order_key",
    "pack",
    "result_particle",
    "valid_map_key",
]

_INT64 = struct.Struct(">q")
_UINT64 = struct.Struct(">Q")
_DOUBLE = struct.Struct(">d")

CTX_EVAL = 0xFF  # op code that wraps an op in a context
CTX_LIST = 0x10
CTX_MAP = 0x20
CTX_INDEX, CTX_RANK, CTX_KEY, CTX_VALUE = 0, 1, 2, 3
CTX_TYPE_MASK = 0x3F
CTX_CREATE_MASK = 0x1C0
CTX_CREATE_UNBOUND = 0x80  # list: pad with nil up to the index
CTX_CREATE_ORDERED = 0xC0  # list ordered / map key-value ordered
CTX_CREATE_K_ORDERED = 0x80  # map key ordered

LIST_ORDERED = 1  # ordered-list flag of the list ext marker
MAP_KEY_ORDERED = 1
MAP_KEY_VALUE_ORDERED = 3
MAP_PRESERVE_ORDER = 8


class CdtError(Exception):
    """An operation failed with a server result code."""

    def __init__(self, result_code: int) -> None:
        super().__init__(result_code)
        self.result_code = result_code


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


UNCHANGED = _Sentinel("UNCHANGED")  # apply_cdt_op: the bin keeps its value
WILDCARD = _Sentinel("WILDCARD")  # msgpack ext -1 data 0: equal to any value
INFINITY = _Sentinel("INFINITY")  # msgpack ext -1 data 1: above every value
MISSING = _Sentinel("MISSING")  # no element / no bin


class CdtList:
    """A list bin or nested list: its items and its flags (1 = ordered)."""

    __slots__ = ("items", "flags")

    def __init__(self, items: Optional[list] = None, flags: int = 0) -> None:
        self.items = items if items is not None else []
        self.flags = flags

    @property
    def ordered(self) -> bool:
        return bool(self.flags & LIST_ORDERED)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CdtList) and self.flags == other.flags and self.items == other.items

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CdtList({self.items!r}, flags={self.flags})"


class CdtMap:
    """A map bin or nested map: entries in the server's order.

    ``entries`` maps order_key(key) -> (key, value), kept in key order: the server (8.x) stores every map sorted
    by key, unordered ones too (they only lack the ordered flag), so a client reads any map back in key order.
    Only result maps flagged preserve-order (KEY_VALUE results) keep the order they were built in.
    ``flags``: 0 unordered, 1 key-ordered, 3 key-value-ordered (8 preserve-order, results).
    """

    __slots__ = ("entries", "flags")

    def __init__(self, pairs: Optional[list] = None, flags: int = 0) -> None:
        self.entries: dict = {}
        self.flags = flags
        for key, value in pairs or ():
            self.entries[order_key(key)] = (key, value)
        if not flags & MAP_PRESERVE_ORDER:
            self.sort()

    @property
    def key_ordered(self) -> bool:
        return bool(self.flags & MAP_KEY_ORDERED)

    def pairs(self) -> list:
        return list(self.entries.values())

    def sort(self) -> None:
        self.entries = dict(sorted(self.entries.items(), key=lambda item: item[0]))

    def put(self, key: Any, value: Any) -> None:
        ckey = order_key(key)
        is_new = ckey not in self.entries
        last = next(reversed(self.entries), None) if is_new else None
        self.entries[ckey] = (key, value)
        if is_new and last is not None and ckey < last and not self.flags & MAP_PRESERVE_ORDER:
            self.sort()

    def __len__(self) -> int:
        return len(self.entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CdtMap) and self.flags == other.flags and self.pairs() == other.pairs()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CdtMap({self.pairs()!r}, flags={self.flags})"


# Particle types a map key may have inside a CDT (msgpack str led by its type byte): strings and blobs.
_KEY_PARTICLES = frozenset((c.PARTICLE_STRING, c.PARTICLE_BLOB, 7, 8, 9, 10, 11, 12))


def valid_map_key(key: Any) -> bool:
    """Whether the server stores `key` as a map key: an integer, a string or a blob (not a double, nil, bool,
    list or map, which map writes answer 4 and bin writes 1)."""
    kind = type(key)
    return kind is int or (kind is bytes and len(key) > 0 and key[0] in _KEY_PARTICLES)


def has_invalid_map_key(value: Any) -> bool:
    """Whether a map anywhere in `value` has a key the server refuses."""
    kind = type(value)
    if kind is CdtList:
        return any(has_invalid_map_key(item) for item in value.items)
    if kind is CdtMap:
        return any(not valid_map_key(key) or has_invalid_map_key(item) for key, item in value.entries.values())
    return False


# ------------------------------------------------------------------------------------------- value order

# Type ranks of the server's msgpack compare (msgpack_in.h msgpack_type).
_NIL, _FALSE, _TRUE, _INT, _STRING, _LIST, _MAP, _BYTES, _FLOAT, _GEOJSON, _INF = (
    1,
    2,
    3,
    4,
    6,
    7,
    8,
    9,
    10,
    11,
    14,
)


def _type_rank(value: Any) -> int:
    kind = type(value)
    if kind is int:
        return _INT
    if kind is bytes:
        if len(value) == 0:
            return _BYTES
        return (
            _STRING
            if value[0] == c.PARTICLE_STRING
            else _GEOJSON
            if value[0] == c.PARTICLE_GEOJSON
            else _BYTES
        )
    if value is None:
        return _NIL
    if kind is bool:
        return _TRUE if value else _FALSE
    if kind is float:
        return _FLOAT
    if kind is CdtList:
        return _LIST
    if kind is CdtMap:
        return _MAP
    if value is INFINITY:
        return _INF
    raise CdtError(c.RESULT_PARAMETER_ERROR)


def order_key(value: Any) -> tuple:
    """A hashable key whose Python order is Aerospike's value order (for stored values; no wildcards)."""
    rank = _type_rank(value)
    if rank in (_INT, _STRING, _BYTES, _GEOJSON, _FLOAT):
        return (rank, value)
    if rank == _LIST:
        return (rank, tuple(order_key(item) for item in value.items))
    if rank == _MAP:
        entries = sorted(value.entries.items(), key=lambda item: item[0])
        return (rank, len(entries), tuple((ckey, order_key(item[1])) for ckey, item in entries))
    return (rank,)


def compare(a: Any, b: Any) -> int:
    """-1, 0 or 1 as the server's msgpack compare; reaching a WILDCARD ends the comparison as equal."""
    result = _compare(a, b)
    return 0 if result is None else result


def _compare(a: Any, b: Any) -> Optional[int]:
    # None: a wildcard was reached, the whole comparison is "equal" whatever follows.
    if a is WILDCARD or b is WILDCARD:
        return None
    rank_a, rank_b = _type_rank(a), _type_rank(b)
    if rank_a != rank_b:
        return -1 if rank_a < rank_b else 1
    if rank_a == _LIST:
        for item_a, item_b in zip(a.items, b.items):
            result = _compare(item_a, item_b)
            if result != 0:
                return result
        return (len(a.items) > len(b.items)) - (len(a.items) < len(b.items))
    if rank_a == _MAP:
        if len(a) != len(b):
            return -1 if len(a) < len(b) else 1
        for (_, (key_a, value_a)), (_, (key_b, value_b)) in zip(
            sorted(a.entries.items(), key=lambda item: item[0]),
            sorted(b.entries.items(), key=lambda item: item[0]),
        ):
            result = _compare(key_a, key_b)
            if result == 0:
                result = _compare(value_a, value_b)
            if result != 0:
                return result
        return 0
    if rank_a in (_INT, _STRING, _BYTES, _GEOJSON, _FLOAT):
        return (a > b) - (a < b)
    return 0


# ------------------------------------------------------------------------------------------- msgpack codec


_SENTINEL_EXT = (
    0x7E  # msgpack-python reads ext -1 as a timestamp, so unpack() renames Aerospike's to this code
)
# Sizes of msgpack headers followed by a payload: first byte -> (header size, length bytes, extra type byte).
_PAYLOAD_HEADERS = {
    0xC4: (2, 1, 0),
    0xC5: (3, 2, 0),
    0xC6: (5, 4, 0),
    0xD9: (2, 1, 0),
    0xDA: (3, 2, 0),
    0xDB: (5, 4, 0),
    0xC7: (3, 1, 1),
    0xC8: (4, 2, 1),
    0xC9: (6, 4, 1),
}
_FIXED_SIZES = {
    0xC0: 1,
    0xC2: 1,
    0xC3: 1,
    0xCA: 5,
    0xCB: 9,
    0xCC: 2,
    0xCD: 3,
    0xCE: 5,
    0xCF: 9,
    0xD0: 2,
    0xD1: 3,
    0xD2: 5,
    0xD3: 9,
    0xD5: 4,
    0xD6: 6,
    0xD7: 10,
    0xD8: 18,
    0xDC: 3,
    0xDD: 5,
    0xDE: 3,
    0xDF: 5,
}


def _rename_sentinels(data: bytes) -> bytes:
    """Rewrite fixext1 type -1 (wildcard/infinity) as type _SENTINEL_EXT, walking tokens so payloads are skipped."""
    if b"\xd4\xff" not in data:
        return data
    out = bytearray(data)
    offset, end = 0, len(out)
    while offset < end:
        first = out[offset]
        if first <= 0x7F or first >= 0xE0 or 0x80 <= first <= 0x9F:
            offset += 1  # fixint, fixmap, fixarray: containers' items are walked as tokens
        elif 0xA0 <= first <= 0xBF:
            offset += 1 + (first & 0x1F)
        elif first == 0xD4:
            if offset + 1 < end and out[offset + 1] == 0xFF:
                out[offset + 1] = _SENTINEL_EXT
            offset += 3
        elif first in _PAYLOAD_HEADERS:
            header, length_size, _ = _PAYLOAD_HEADERS[first]
            length = int.from_bytes(out[offset + 1 : offset + 1 + length_size], "big")
            offset += header + length
        elif first in _FIXED_SIZES:
            offset += _FIXED_SIZES[first]
        else:
            raise CdtError(c.RESULT_PARAMETER_ERROR)
    return bytes(out)


def _ext_hook(code: int, data: bytes) -> Any:
    if code == _SENTINEL_EXT and data == b"\x00":
        return WILDCARD
    if code == _SENTINEL_EXT and data == b"\x01":
        return INFINITY
    return msgpack.ExtType(code, data)


def _list_hook(items: list) -> CdtList:
    if items and type(items[0]) is msgpack.ExtType:
        return CdtList(items[1:], items[0].code)
    return CdtList(items)


def _pairs_hook(pairs: list) -> CdtMap:
    flags = 0
    if pairs and type(pairs[0][0]) is msgpack.ExtType:
        flags = pairs[0][0].code
        pairs = pairs[1:]
    return CdtMap(pairs, flags)


def unpack(data: bytes) -> Any:
    """Aerospike msgpack -> the value model. Bad input raises CdtError(4)."""
    try:
        return msgpack.unpackb(
            _rename_sentinels(data),
            raw=True,
            strict_map_key=False,
            list_hook=_list_hook,
            object_pairs_hook=_pairs_hook,
            ext_hook=_ext_hook,
        )
    except CdtError:
        raise
    except (ValueError, TypeError, RecursionError, msgpack.ExtraData) as error:
        raise CdtError(c.RESULT_PARAMETER_ERROR) from error


def _pack_into(packer: msgpack.Packer, out: bytearray, value: Any) -> None:
    kind = type(value)
    if kind is CdtList:
        out += packer.pack_array_header(len(value.items) + (1 if value.flags else 0))
        if value.flags:
            out += b"\xc7\x00" + bytes((value.flags,))
        for item in value.items:
            _pack_into(packer, out, item)
    elif kind is CdtMap:
        out += packer.pack_map_header(len(value.entries) + (1 if value.flags else 0))
        if value.flags:
            out += b"\xc7\x00" + bytes((value.flags,)) + b"\xc0"
        for key, item in value.entries.values():
            _pack_into(packer, out, key)
            _pack_into(packer, out, item)
    elif kind is int and value >= 1 << 63:
        out += b"\xcf" + _UINT64.pack(value)
    else:
        out += packer.pack(value)


def pack(value: Any) -> bytes:
    """The value model -> Aerospike msgpack (strings stay msgpack str with their particle-type byte)."""
    out = bytearray()
    _pack_into(msgpack.Packer(use_bin_type=False, use_single_float=False, autoreset=True), out, value)
    return bytes(out)


def decode_bin(particle_type: int, data: bytes) -> CdtList | CdtMap:
    """A list or map bin's wire bytes -> CdtList/CdtMap (ValueError for other particle types or bad bytes)."""
    if particle_type not in (c.PARTICLE_LIST, c.PARTICLE_MAP):
        raise ValueError(f"particle type {particle_type} is not a list or map")
    try:
        value = unpack(data)
    except CdtError as error:
        raise ValueError("malformed list or map particle") from error
    expected = CdtList if particle_type == c.PARTICLE_LIST else CdtMap
    if type(value) is not expected:
        raise ValueError("particle type does not match its msgpack value")
    return value


def normalize_bin(particle_type: int, data: bytes) -> bytes:
    """A list or map bin as the server stores a bin write of it: every map sorted by key. A malformed value, a
    particle type that does not match it, or a map key of a type maps cannot hold raises CdtError(1), the
    server's answer to such a write."""
    try:
        value = decode_bin(particle_type, data)
    except ValueError:
        raise CdtError(c.RESULT_SERVER_ERROR) from None
    if has_invalid_map_key(value):
        raise CdtError(c.RESULT_SERVER_ERROR)
    return pack(value)


def encode_bin(value: CdtList | CdtMap) -> tuple[int, bytes]:
    """CdtList/CdtMap -> (particle type, wire bytes) as the server stores and returns the bin."""
    return (c.PARTICLE_LIST if type(value) is CdtList else c.PARTICLE_MAP), pack(value)


def result_particle(value: Any) -> tuple[int, bytes]:
    """An op result as the reply op's (particle type, bytes): ints, doubles, strings as bins; lists/maps msgpack."""
    kind = type(value)
    if kind is int:
        return c.PARTICLE_INTEGER, (_UINT64 if value >= 1 << 63 else _INT64).pack(value)
    if kind is bool:
        return c.PARTICLE_BOOL, b"\x01" if value else b"\x00"
    if value is None:
        return c.PARTICLE_NULL, b""
    if kind is float:
        return c.PARTICLE_FLOAT, _DOUBLE.pack(value)
    if kind is bytes:
        if not value:
            return c.PARTICLE_BLOB, b""
        if value[0] == c.PARTICLE_GEOJSON:
            return c.PARTICLE_GEOJSON, b"\x00\x00\x00" + value[1:]
        return value[0], value[1:]
    if kind is CdtList:
        return c.PARTICLE_LIST, pack(value)
    return c.PARTICLE_MAP, pack(value)


# ------------------------------------------------------------------------------------------- op arguments


class OpArgs:
    """The decoded ``[op_code, args...]`` of one operation."""

    __slots__ = ("code", "args")

    def __init__(self, code: int, args: list) -> None:
        self.code = code
        self.args = args

    def get(self, position: int, default: Any = MISSING) -> Any:
        if position < len(self.args):
            return self.args[position]
        if default is MISSING:
            raise CdtError(c.RESULT_PARAMETER_ERROR)
        return default

    def int(self, position: int, default: Any = MISSING) -> Any:
        value = self.get(position, default)
        if value is not default and (type(value) is not int):
            raise CdtError(c.RESULT_PARAMETER_ERROR)
        return value


# A handler: (current value or MISSING, args, is_modify) -> (new value or UNCHANGED, reply or None).
Handler = Callable[[Any, OpArgs], "tuple[Any, Optional[tuple[int, bytes]]]"]


class OpSpec:
    """How one op code behaves: its handler, whether it modifies, and whether it creates a missing container."""

    __slots__ = ("handler", "modifies", "creates")

    def __init__(self, handler: Any, modifies: bool, creates: bool) -> None:
        self.handler = handler
        self.modifies = modifies
        self.creates = creates


_TABLES: dict[int, OpSpec] = {}


def _op_table() -> dict[int, OpSpec]:
    if not _TABLES:
        from . import cdt_list, cdt_map  # late: both import this module's value model

        _TABLES.update(cdt_list.LIST_OPS)
        _TABLES.update(cdt_map.MAP_OPS)
    return _TABLES


def _is_list_code(code: int) -> bool:
    return code < 64


def _empty_container(ctx_type: int, create: int) -> CdtList | CdtMap:
    if ctx_type & CTX_MAP:
        flags = {CTX_CREATE_K_ORDERED: MAP_KEY_ORDERED, CTX_CREATE_ORDERED: MAP_KEY_VALUE_ORDERED}.get(
            create, 0
        )
        return CdtMap(None, flags)
    return CdtList(None, LIST_ORDERED if create == CTX_CREATE_ORDERED else 0)


# ------------------------------------------------------------------------------------------- entry point


def apply_cdt_op(
    op_type: int, bin_particle_type: int | None, bin_value: Any, payload: bytes
) -> tuple[int, Any, tuple[int, bytes] | None]:
    """Apply one list/map operation to a bin, as the server does.

    op_type: OP_CDT_READ or OP_CDT_MODIFY. bin_particle_type: the bin's particle type, None if the bin does not
    exist. bin_value: the bin's CdtList/CdtMap (from decode_bin; ignored for other types). payload: the op's value
    bytes, ``[op_code, args...]`` or ``[0xff, [ctx_type, ctx_value, ...], [op_code, args...]]``.

    Returns (result_code, new_value, reply):
      result_code: 0, or the server's failure code (4 parameter, 12 bin type, 23 element not found, 24 element
        exists, 26 op not applicable); on failure new_value is UNCHANGED and reply None.
      new_value: UNCHANGED when the bin keeps its value, else the bin's new CdtList/CdtMap (never mutated later).
      reply: (particle_type, bytes) of the op's reply bin, or None when the server returns no bin for it.
    """
    try:
        request = unpack(payload)
        if type(request) is not CdtList or not request.items or type(request.items[0]) is not int:
            raise CdtError(c.RESULT_PARAMETER_ERROR)
        contexts: list = []
        if request.items[0] == CTX_EVAL:
            if (
                len(request.items) != 3
                or type(request.items[1]) is not CdtList
                or type(request.items[2]) is not CdtList
            ):
                raise CdtError(c.RESULT_PARAMETER_ERROR)
            ctx_items = request.items[1].items
            if not ctx_items or len(ctx_items) % 2:
                raise CdtError(c.RESULT_PARAMETER_ERROR)
            contexts = [(ctx_items[i], ctx_items[i + 1]) for i in range(0, len(ctx_items), 2)]
            if any(type(ctx_type) is not int for ctx_type, _ in contexts):
                raise CdtError(c.RESULT_PARAMETER_ERROR)
            request = request.items[2]
            if not request.items or type(request.items[0]) is not int:
                raise CdtError(c.RESULT_PARAMETER_ERROR)
        code = request.items[0]
        spec = _op_table().get(code)
        if spec is None:
            raise CdtError(c.RESULT_PARAMETER_ERROR)
        if spec.modifies != (op_type == c.OP_CDT_MODIFY):
            raise CdtError(c.RESULT_PARAMETER_ERROR)
        args = OpArgs(code, request.items[1:])
        is_list_op = _is_list_code(code)
        if bin_particle_type is None:
            current: Any = MISSING
        else:
            top_type = (
                (contexts[0][0] & CTX_MAP and c.PARTICLE_MAP or c.PARTICLE_LIST)
                if contexts
                else (c.PARTICLE_LIST if is_list_op else c.PARTICLE_MAP)
            )
            if bin_particle_type != top_type:
                raise CdtError(c.RESULT_BIN_TYPE_ERROR)
            current = copy.deepcopy(bin_value) if spec.modifies else bin_value
        new_value, reply = _apply_at(current, contexts, spec, args, is_list_op)
        if not spec.modifies or new_value is UNCHANGED:
            return c.RESULT_OK, UNCHANGED, reply
        return c.RESULT_OK, new_value, reply
    except CdtError as error:
        return error.result_code, UNCHANGED, None


def _apply_at(current: Any, contexts: list, spec: OpSpec, args: OpArgs, is_list_op: bool) -> tuple[Any, Any]:
    """Apply the op at the end of `contexts` inside `current`; returns (new current or UNCHANGED, reply)."""
    if not contexts:
        if current is not MISSING and type(current) is not (CdtList if is_list_op else CdtMap):
            raise CdtError(c.RESULT_BIN_TYPE_ERROR)
        return spec.handler(current, args)
    ctx_type, ctx_value = contexts[0]
    base = ctx_type & CTX_TYPE_MASK
    create = ctx_type & CTX_CREATE_MASK
    if current is MISSING:
        if not (spec.modifies and create):
            if spec.modifies:
                raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
            return spec.handler(MISSING, args) if not contexts[1:] else (UNCHANGED, None)
        current = _empty_container(base, create)
    expected = CdtMap if base & CTX_MAP else CdtList
    if type(current) is not expected:
        raise CdtError(c.RESULT_BIN_TYPE_ERROR)
    if type(current) is CdtList:
        from .cdt_list import locate_child
    else:
        from .cdt_map import locate_child  # type: ignore[assignment]
    position = locate_child(current, base, ctx_value, bool(spec.modifies and create), create)
    if position is None:
        if spec.modifies:
            raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
        return UNCHANGED, None
    child = _get_child(current, position)
    if child is MISSING and len(contexts) > 1:
        child = _empty_container(contexts[1][0] & CTX_TYPE_MASK, contexts[1][0] & CTX_CREATE_MASK)
    elif child is MISSING:
        child = CdtList() if is_list_op else CdtMap()
    new_child, reply = _apply_at(child, contexts[1:], spec, args, is_list_op)
    if spec.modifies:
        _set_child(current, position, child if new_child is UNCHANGED else new_child)
        return current, reply
    return UNCHANGED, reply


def _get_child(container: CdtList | CdtMap, position: Any) -> Any:
    if isinstance(container, CdtList):
        return container.items[position] if position < len(container.items) else MISSING
    entry = container.entries.get(order_key(position))
    return MISSING if entry is None else entry[1]


def _set_child(container: CdtList | CdtMap, position: Any, value: Any) -> None:
    if isinstance(container, CdtList):
        items = container.items
        if position >= len(items):
            items.extend([None] * (position - len(items)))
            items.append(value)
        else:
            items[position] = value
        if container.ordered:
            items.sort(key=order_key)
    else:
        container.put(position, value)


# ------------------------------------------------------------------------------------------- results

RT_NONE, RT_INDEX, RT_REVINDEX, RT_RANK, RT_REVRANK, RT_COUNT = 0, 1, 2, 3, 4, 5
RT_KEY, RT_VALUE, RT_KEY_VALUE, RT_EXISTS, RT_UNORDERED_MAP, RT_ORDERED_MAP = 6, 7, 8, 13, 16, 17
# [start, count] of a selection that is one run of indexes / ranks (the server's *_RANGE result types).
RT_INDEX_RANGE, RT_REVINDEX_RANGE, RT_RANK_RANGE, RT_REVRANK_RANGE = 9, 10, 11, 12
RT_INVERTED = 0x10000
_RT_MASK = 0xFFFF
_MAP_RESULTS = (RT_KEY, RT_KEY_VALUE, RT_UNORDERED_MAP, RT_ORDERED_MAP)
_RANGE_RESULTS = (RT_INDEX_RANGE, RT_REVINDEX_RANGE, RT_RANK_RANGE, RT_REVRANK_RANGE)
_KNOWN_RESULTS = frozenset(
    {RT_NONE, RT_INDEX, RT_REVINDEX, RT_RANK, RT_REVRANK, RT_COUNT, RT_VALUE, RT_EXISTS}
    | set(_MAP_RESULTS)
    | set(_RANGE_RESULTS)
)


def split_return_type(raw: Any, is_map: bool) -> tuple[int, bool]:
    """(result type, inverted) from an op's return-type argument.

    The server reads the low 16 bits as the type and bit 16 as "inverted" (higher bits are ignored, a negative
    number is its 64-bit two's complement); a type it does not know, or a map type on a list, answers 26.
    """
    if type(raw) is not int:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    raw &= (1 << 64) - 1
    result_type = raw & _RT_MASK
    if result_type not in _KNOWN_RESULTS or (not is_map and result_type in _MAP_RESULTS):
        raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
    return result_type, bool(raw & RT_INVERTED)


class Selection:
    """Elements picked by an op: positions in index order (list index, or map key-order index).

    `order` is the output order of values (rank order for rank selections, else index order). `index_range` /
    `rank_range` say the pick is one contiguous run of indexes / ranks (the server then answers index and rank
    results as ascending ranges, and the *_RANGE result types). `start`: where an empty run sits (the index or
    rank the selection would start at).
    """

    __slots__ = ("order", "index_range", "rank_range", "start", "rank_ordered")

    def __init__(
        self,
        order: list[int],
        index_range: bool = False,
        rank_range: bool = False,
        start: Optional[int] = None,
        rank_ordered: bool = False,
    ) -> None:
        self.order = order
        self.index_range = index_range
        self.rank_range = rank_range
        self.start = start
        # A map's rank and relative-rank selections: 8.1 lists their INDEX/REVINDEX results in rank order
        # (particle_map.c builds them from the order index), where every other selection is in index order.
        self.rank_ordered = rank_ordered


def build_result(
    result_type: int,
    inverted: bool,
    selection: Selection,
    count: int,
    ranks: Callable[[], list[int]],
    item: Callable[[int], Any],
    multi: bool,
) -> Any:
    """The result value of a get/remove-by op, or MISSING when the op returns no bin.

    `count`: number of elements; `ranks()`: the rank of each position; `item(pos)`: the list value, or the map
    (key, value) pair. Map result types build maps; lists never see them (split_return_type refuses).
    """
    order = selection.order
    index_range, rank_range = selection.index_range, selection.rank_range
    if result_type in _RANGE_RESULTS:
        return _range_result(result_type, inverted, selection, count, ranks, multi)
    if inverted and multi and result_type in (RT_RANK, RT_REVRANK):
        rank_run = _rank_run(selection.order, ranks)
        if rank_run is not None:
            return _inverted_rank_run(result_type == RT_REVRANK, *rank_run, count)
    if inverted:
        if not multi:
            raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
        picked = set(order)
        order = [position for position in range(count) if position not in picked]
        index_range = rank_range = False
    if result_type == RT_NONE:
        return MISSING
    if result_type == RT_COUNT:
        return len(order)
    if result_type == RT_EXISTS:
        return bool(order)
    if not multi:
        if not order:
            return (
                -1
                if result_type in (RT_INDEX, RT_REVINDEX, RT_RANK, RT_REVRANK)
                else _empty_single(result_type)
            )
        position = order[0]
        if result_type == RT_INDEX:
            return position
        if result_type == RT_REVINDEX:
            return count - 1 - position
        if result_type in (RT_RANK, RT_REVRANK):
            rank = ranks()[position]
            return rank if result_type == RT_RANK else count - 1 - rank
        return _values_result(result_type, [position], item, single=True)
    if result_type in (RT_INDEX, RT_REVINDEX) and selection.rank_ordered and not inverted:
        return CdtList(list(order) if result_type == RT_INDEX else [count - 1 - position for position in order])
    if result_type in (RT_INDEX, RT_REVINDEX):
        ascending = sorted(order)
        if result_type == RT_INDEX:
            return CdtList(ascending)
        if index_range:
            return CdtList(sorted(count - 1 - position for position in ascending))
        return CdtList([count - 1 - position for position in ascending])
    if result_type in (RT_RANK, RT_REVRANK):
        rank_of = ranks()
        values = [rank_of[position] for position in order]
        if result_type == RT_REVRANK:
            values = [count - 1 - rank for rank in values]
        if rank_range or inverted:
            values.sort()
        return CdtList(values)
    return _values_result(result_type, order, item, single=False)


def _rank_run(order: list[int], ranks: Callable[[], list[int]]) -> Optional[tuple[int, int]]:
    """(first rank, count) when the picked positions hold one run of consecutive ranks, else None."""
    if not order:
        return None
    rank_of = ranks()
    picked = sorted(rank_of[position] for position in order)
    if picked[-1] - picked[0] + 1 != len(picked):
        return None
    return picked[0], len(picked)


def _inverted_rank_run(reverse: bool, start: int, size: int, count: int) -> CdtList:
    """The ranks outside the run [start, start + size), as 8.1 lists them (cdt.c result_data_set_index_rank_count):
    the run before it, then the run after it, each ascending; reverse ranks of a run are ascending too, so
    REVRANK gives the reversed head run first."""
    head, tail = (0, start), (start + size, count - start - size)
    values: list[int] = []
    for first, length in (head, tail):
        if reverse:
            first = count - first - length
        values.extend(range(first, first + length))
    return CdtList(values)


def _range_result(
    result_type: int, inverted: bool, selection: Selection, count: int, ranks: Callable[[], list[int]], multi: bool
) -> CdtList:
    """[start, count] of a run of indexes (INDEX_RANGE) or ranks (RANK_RANGE), as 8.1 answers: 26 when the
    selection is not such a run; inverted, the rest must be one run too (at the start or at the end)."""
    by_rank = result_type in (RT_RANK_RANGE, RT_REVRANK_RANGE)
    if not (selection.rank_range if by_rank else selection.index_range) or (inverted and not multi):
        raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
    order = selection.order
    size = len(order)
    if order:
        start = min(ranks()[position] for position in order) if by_rank else min(order)
    elif not multi:
        return CdtList([-1, 0])
    else:
        start = selection.start or 0
    if inverted:
        if by_rank and not size:
            raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
        if start == 0:
            start, size = size, count - size
        elif start + size == count:
            start, size = 0, start
        else:
            raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
    if result_type in (RT_REVINDEX_RANGE, RT_REVRANK_RANGE) and (size or by_rank):
        start = count - start - size
    return CdtList([start, size])


def _empty_single(result_type: int) -> Any:
    if result_type == RT_KEY_VALUE:
        return CdtMap(None, MAP_PRESERVE_ORDER)
    if result_type in (RT_UNORDERED_MAP, RT_ORDERED_MAP):
        return CdtMap(None, MAP_KEY_ORDERED if result_type == RT_ORDERED_MAP else 0)
    return MISSING


def _values_result(result_type: int, order: list[int], item: Callable[[int], Any], single: bool) -> Any:
    if result_type == RT_VALUE:
        values = [item(position) for position in order]
        if values and type(values[0]) is tuple:
            values = [value for _, value in values]
        return values[0] if single else CdtList(values)
    if result_type == RT_KEY:
        keys = [item(position)[0] for position in order]
        return keys[0] if single else CdtList(keys)
    pairs = [item(position) for position in order]
    if result_type == RT_KEY_VALUE:
        result = CdtMap(None, MAP_PRESERVE_ORDER)
        for key, value in pairs:
            result.entries[order_key(key)] = (key, value)
        return result
    if result_type == RT_ORDERED_MAP:
        return CdtMap(pairs, MAP_KEY_ORDERED)
    result = CdtMap(None, 0)  # an unordered result map keeps the selection's order (rank order, say)
    for key, value in pairs:
        result.entries[order_key(key)] = (key, value)
    return result


def index_count(index: Any, count: Any, size: int, multi: bool) -> tuple[int, int]:
    """The server's calc_index_count: absolute (index, count) bounded by size; single-index misses answer 26."""
    if type(index) is not int or (count is not None and type(count) is not int):
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    if count is None:
        count = 1 << 63
    if count < 0:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    if not multi:
        if index >= size or index + size < 0:
            raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
        index = index + size if index < 0 else index
        return index, min(count, size - index)
    if index >= size:
        return size, 0
    if index < 0:
        index += size
        if index < 0:
            return 0, min(max(count + index, 0), size)
    return index, min(count, size - index)


def relative_index_count(index: Any, count: Any, base: int) -> tuple[int, Optional[int]]:
    """The server's calc_rel_index_count: a relative start moved by `base`, clipped at 0."""
    if type(index) is not int or (count is not None and type(count) is not int):
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    start = index + base
    if start < 0:
        if count is not None:
            count = max(count + start, 0)
        start = 0
    return start, count
