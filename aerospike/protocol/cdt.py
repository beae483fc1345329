"""Aerospike's msgpack encoding of list and map values (the "CDT" encoding).

Owns: turning Python lists/dicts (and everything nested in them) into the msgpack bytes Aerospike stores and
back, including the particle-type byte Aerospike puts in front of every msgpack ``str`` (0x03 text, 0x04 bytes,
23 GeoJSON, 7..12 language blobs), the ordered-map marker (``c7 00 <flags>`` paired with nil as the first entry),
and a small packer the list/map operation builders write ``[op_code, args...]`` arrays with.
Must not know bins, messages, policies or client classes: unsupported values go to a caller-given fallback.

Speed: packing converts the value tree once and hands it to the C msgpack packer. Every prefixed string
becomes a Python ``str`` (bytes that are not UTF-8 travel as surrogate escapes, which the packer turns back
into the same bytes), so the packer writes msgpack ``str`` with the smallest header, ``str8`` included, as the
official C client does; ``bytes`` would be written with the old raw headers, which have no ``str8``. Unpacking
lets the C unpacker build the tree and fixes prefixed strings in its list and map hooks.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Iterable, Optional

import msgpack

from .constants import (
    PARTICLE_BLOB,
    PARTICLE_GEOJSON,
    PARTICLE_STRING,
)
from .errors import ProtocolError

__all__ = [
    "MAP_UNORDERED",
    "MAP_KEY_ORDERED",
    "MAP_KEY_VALUE_ORDERED",
    "MAP_PRESERVE_ORDER",
    "Fallback",
    "CdtPacker",
    "pack",
    "pack_map",
    "pack_op",
    "register_map_type",
    "unpack",
]

# Map order flags, as carried by the ordered-map marker.
MAP_UNORDERED = 0  # plain msgpack map, no marker
MAP_KEY_ORDERED = 1  # entries sorted by key
MAP_KEY_VALUE_ORDERED = 3  # sorted by key, with a value index
MAP_PRESERVE_ORDER = 8  # server result whose entry order matters (KEY_VALUE return type)

# A fallback turns an unsupported value into (particle_type, payload); inside a CDT the payload is stored as a
# msgpack str whose first byte is the particle type (for GeoJSON the payload is the JSON text itself).
Fallback = Callable[[Any], "tuple[int, bytes | bytearray]"]
GeoFactory = Callable[[str], Any]
BlobFactory = Callable[[int, bytes], Any]

_INT64_MIN = -(1 << 63)
_INT64_LIMIT = 1 << 63
_STR_PREFIX = bytes((PARTICLE_STRING,))
_BLOB_PREFIX = bytes((PARTICLE_BLOB,))
_STR_TEXT_PREFIX = chr(PARTICLE_STRING)

# msgpack "ext" type -1 carries Aerospike's range sentinels; msgpack-python cannot build code -1, so the
# packer writes these three bytes itself.
_WILDCARD = b"\xd4\xff\x00"
_INFINITY = b"\xd4\xff\x01"

_U8 = struct.Struct(">B")
_MAX_NESTING = 256  # deeper than any real CDT; bounds recursion on hostile input


class _Context:
    """What one pack() call needs while walking the value tree."""

    __slots__ = ("fallback", "bool_as_int")

    def __init__(self, fallback: Optional[Fallback], bool_as_int: bool) -> None:
        self.fallback = fallback
        self.bool_as_int = bool_as_int


# --------------------------------------------------------------------------------------------- packing


def _convert_int(value: int, context: _Context) -> int:
    if _INT64_MIN <= value < _INT64_LIMIT:
        return value
    raise ProtocolError(f"integer {value} does not fit in a signed 64-bit integer")


def _convert_passthrough(value: Any, context: _Context) -> Any:
    return value


def _convert_bool(value: bool, context: _Context) -> Any:
    return int(value) if context.bool_as_int else value


def _raw(prefixed: bytes) -> str:
    """Prefixed bytes as the str the packer writes back byte for byte (see the module's note on speed)."""
    return prefixed.decode("utf-8", "surrogateescape")


def _convert_str(value: str, context: _Context) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ProtocolError(f"string is not encodable as UTF-8: {error}") from error
    return _STR_TEXT_PREFIX + value


def _convert_bytes(value: bytes | bytearray, context: _Context) -> str:
    return _raw(_BLOB_PREFIX + value)


def _convert_list(value: list, context: _Context) -> list:
    converters = _CONVERTERS
    return [(converters.get(type(item)) or _convert_other)(item, context) for item in value]


def _convert_dict(value: dict, context: _Context) -> dict:
    converters = _CONVERTERS
    return {
        (converters.get(type(key)) or _convert_other)(key, context): (
            converters.get(type(item)) or _convert_other
        )(item, context)
        for key, item in value.items()
    }


# The client's CDTWildcard / CDTInfinite values (recognised by class name, so this layer imports no client class)
# are packed as a placeholder ext that _packb turns into the three sentinel bytes: msgpack has no byte lengths
# above a value, so the swap is safe, and the 16-byte mark cannot come from a user's str or bytes value.
_SENTINEL_CODE = 0x7F
_SENTINEL_MARK = b"\x9a\x17AS-CDT-SENTINEL"[:16]
_SENTINEL_VALUES = {"CDTWildcard": b"\x00", "CDTInfinite": b"\x01"}
_SENTINEL_BYTES = {
    bytes((0xC7, len(_SENTINEL_MARK) + 1, _SENTINEL_CODE)) + _SENTINEL_MARK + flag: b"\xd4\xff" + flag
    for flag in _SENTINEL_VALUES.values()
}


def _convert_other(value: Any, context: _Context) -> Any:
    # Subclasses of the supported types behave like their base; anything else goes to the fallback.
    order = _MAP_TYPES.get(type(value))
    if order is not None:
        return _convert_ordered_map(value.items(), order, context)
    sentinel = _SENTINEL_VALUES.get(type(value).__name__)
    if sentinel is not None:
        return msgpack.ExtType(_SENTINEL_CODE, _SENTINEL_MARK + sentinel)
    if isinstance(value, bool):
        return _convert_bool(value, context)
    if isinstance(value, int):
        return _convert_int(int(value), context)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return _convert_str(str(value), context)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _raw(_BLOB_PREFIX + bytes(value))
    if isinstance(value, list):
        return _convert_list(value, context)
    if isinstance(value, dict):
        return _convert_dict(value, context)
    if context.fallback is None:
        raise ProtocolError(f"cannot encode a value of type {type(value).__name__} inside a list or map")
    particle_type, payload = context.fallback(value)
    if not 0 <= particle_type <= 0xFF:
        raise ProtocolError(f"fallback returned particle type {particle_type}")
    return _raw(_U8.pack(particle_type) + bytes(payload))


_CONVERTERS: dict[type, Callable[[Any, _Context], Any]] = {
    int: _convert_int,
    str: _convert_str,
    bytes: _convert_bytes,
    bytearray: _convert_bytes,
    float: _convert_passthrough,
    type(None): _convert_passthrough,
    bool: _convert_bool,
    list: _convert_list,
    dict: _convert_dict,
}

# dict subclasses that stand for ordered maps (e.g. the client's KeyOrderedDict), with their order flags.
_MAP_TYPES: dict[type, int] = {}


def register_map_type(map_type: type, order: int) -> None:
    """Make instances of the dict subclass `map_type` pack as maps with the given order flags."""
    if not (isinstance(map_type, type) and issubclass(map_type, dict)):
        raise TypeError("map_type must be a dict subclass")
    if order not in (MAP_UNORDERED, MAP_KEY_ORDERED, MAP_KEY_VALUE_ORDERED, MAP_PRESERVE_ORDER):
        raise ValueError(f"unknown map order {order}")
    _MAP_TYPES[map_type] = order


# Aerospike's cross-type order (server msgpack compare): nil < bool < int < string < list < map < bytes <
# double < geojson. Converted keys are ints, floats, None, bools or prefixed bytes.
_RANK_NIL, _RANK_BOOL, _RANK_INT, _RANK_STRING, _RANK_BYTES, _RANK_DOUBLE, _RANK_GEOJSON = 1, 2, 3, 4, 7, 8, 9


def _sort_key(converted: Any) -> tuple[int, Any]:
    kind = type(converted)
    if kind is str:
        converted = converted.encode("utf-8", "surrogateescape")
        prefix = converted[:1]
        if prefix == _STR_PREFIX:
            return (_RANK_STRING, converted[1:])
        if prefix == b"\x17":
            return (_RANK_GEOJSON, converted[1:])
        return (_RANK_BYTES, converted[1:])
    if kind is int:
        return (_RANK_INT, converted)
    if kind is float:
        return (_RANK_DOUBLE, converted)
    if kind is bool:
        return (_RANK_BOOL, converted)
    if converted is None:
        return (_RANK_NIL, 0)
    # Lists and maps as keys: rank by type, then by their packed bytes (rare; order within type approximate).
    return (5 if isinstance(converted, list) else 6, _packb(converted))


def _convert_ordered_map(items: Iterable[tuple[Any, Any]], order: int, context: _Context) -> dict:
    converters = _CONVERTERS
    pairs = [
        (
            (converters.get(type(key)) or _convert_other)(key, context),
            (converters.get(type(item)) or _convert_other)(item, context),
        )
        for key, item in items
    ]
    if order == MAP_UNORDERED:
        return dict(pairs)
    if order & MAP_KEY_ORDERED:
        pairs.sort(key=lambda pair: _sort_key(pair[0]))
    converted: dict = {msgpack.ExtType(order, b""): None}
    converted.update(pairs)
    return converted


def _packb(converted: Any) -> bytes:
    try:
        packed: bytes = msgpack.packb(
            converted,
            use_bin_type=True,
            use_single_float=False,
            strict_types=False,
            unicode_errors="surrogateescape",
        )
    except (OverflowError, ValueError, TypeError) as error:
        raise ProtocolError(f"cannot encode value: {error}") from error
    if _SENTINEL_MARK in packed:
        for placeholder, sentinel in _SENTINEL_BYTES.items():
            packed = packed.replace(placeholder, sentinel)
    return packed


def pack(value: Any, fallback: Optional[Fallback] = None, *, bool_as_int: bool = True) -> bytes:
    """Encode `value` (usually a list or dict) in Aerospike's msgpack form.

    `fallback(value) -> (particle_type, payload)` handles types this module does not know; the payload is
    stored as a msgpack str led by the particle-type byte. Without a fallback such values raise ProtocolError.
    `bool_as_int` writes bools as integers 0/1 (what client 3.0.0 did); False writes msgpack true/false.
    """
    context = _Context(fallback, bool_as_int)
    converted = (_CONVERTERS.get(type(value)) or _convert_other)(value, context)
    return _packb(converted)


def pack_map(
    items: Iterable[tuple[Any, Any]] | dict,
    order: int = MAP_UNORDERED,
    fallback: Optional[Fallback] = None,
    *,
    bool_as_int: bool = True,
) -> bytes:
    """Encode a map with the given order flags; key-ordered maps are written sorted by key as the server does."""
    if isinstance(items, dict):
        items = items.items()
    context = _Context(fallback, bool_as_int)
    return _packb(_convert_ordered_map(items, order, context))


class CdtPacker:
    """Appends msgpack pieces to one buffer; used to build CDT operation arguments and contexts."""

    __slots__ = ("_buffer", "_packer", "_context")

    def __init__(self, fallback: Optional[Fallback] = None, *, bool_as_int: bool = True) -> None:
        self._buffer = bytearray()
        self._packer = msgpack.Packer(
            use_bin_type=True, use_single_float=False, autoreset=True, unicode_errors="surrogateescape"
        )
        self._context = _Context(fallback, bool_as_int)

    def array_header(self, length: int) -> CdtPacker:
        """Start a msgpack array of `length` items."""
        self._buffer += self._packer.pack_array_header(length)
        return self

    def map_header(self, length: int) -> CdtPacker:
        """Start a msgpack map of `length` entries."""
        self._buffer += self._packer.pack_map_header(length)
        return self

    def integer(self, value: int) -> CdtPacker:
        """Write a signed 64-bit integer."""
        self._buffer += self._packer.pack(_convert_int(value, self._context))
        return self

    def nil(self) -> CdtPacker:
        """Write msgpack nil."""
        self._buffer += b"\xc0"
        return self

    def string(self, value: str) -> CdtPacker:
        """Write a text string (msgpack str led by 0x03)."""
        self._buffer += self._packer.pack(_convert_str(value, self._context))
        return self

    def blob(self, value: bytes | bytearray) -> CdtPacker:
        """Write a byte string (msgpack str led by 0x04)."""
        self._buffer += self._packer.pack(_raw(_BLOB_PREFIX + bytes(value)))
        return self

    def value(self, value: Any) -> CdtPacker:
        """Write any supported value, nested lists and maps included."""
        converted = (_CONVERTERS.get(type(value)) or _convert_other)(value, self._context)
        self._buffer += _packb(converted)
        return self

    def map_value(self, items: Iterable[tuple[Any, Any]] | dict, order: int) -> CdtPacker:
        """Write a map with order flags (see pack_map)."""
        if isinstance(items, dict):
            items = items.items()
        self._buffer += _packb(_convert_ordered_map(items, order, self._context))
        return self

    def map_marker(self, order: int) -> CdtPacker:
        """Write the ext entry that marks an ordered map; the caller writes the paired nil and counts it."""
        self._buffer += b"\xc7\x00" + _U8.pack(order)
        return self

    def wildcard(self) -> CdtPacker:
        """Write Aerospike's wildcard sentinel (matches any value in range and value-list operations)."""
        self._buffer += _WILDCARD
        return self

    def infinity(self) -> CdtPacker:
        """Write Aerospike's infinity sentinel (an open range end)."""
        self._buffer += _INFINITY
        return self

    def raw(self, encoded: bytes | bytearray) -> CdtPacker:
        """Append bytes that are already msgpack."""
        self._buffer += encoded
        return self

    def op(self, op_code: int, *args: Any) -> CdtPacker:
        """Write ``[op_code, args...]``, the shape of every CDT operation."""
        self.array_header(1 + len(args))
        self.integer(op_code)
        for arg in args:
            self.value(arg)
        return self

    def __len__(self) -> int:
        return len(self._buffer)

    def getvalue(self) -> bytes:
        """The bytes written so far."""
        return bytes(self._buffer)


def pack_op(op_code: int, *args: Any, fallback: Optional[Fallback] = None, bool_as_int: bool = True) -> bytes:
    """``[op_code, args...]`` as one msgpack array, e.g. list append is ``pack_op(1, value)``."""
    return CdtPacker(fallback, bool_as_int=bool_as_int).op(op_code, *args).getvalue()


# --------------------------------------------------------------------------------------------- unpacking


class _Decoder:
    """Hooks for one unpack() call: fix prefixed strings in lists and maps, read ordered-map markers."""

    __slots__ = ("geo_factory", "blob_factory", "preserved_map_as_list", "key_ordered_type")

    def __init__(
        self,
        geo_factory: Optional[GeoFactory],
        blob_factory: Optional[BlobFactory],
        preserved_map_as_list: bool,
        key_ordered_type: Optional[Callable[[dict], Any]] = None,
    ) -> None:
        self.geo_factory = geo_factory
        self.blob_factory = blob_factory
        self.preserved_map_as_list = preserved_map_as_list
        self.key_ordered_type = key_ordered_type

    def scalar(self, raw: bytes) -> Any:
        """A msgpack str: its first byte says what the rest is."""
        if not raw:
            return ""
        particle_type = raw[0]
        if particle_type == PARTICLE_STRING:
            try:
                return raw[1:].decode("utf-8")
            except UnicodeDecodeError as error:
                raise ProtocolError("string inside a list or map is not UTF-8") from error
        if particle_type == PARTICLE_BLOB:
            return bytearray(raw[1:])
        if particle_type == PARTICLE_GEOJSON:
            try:
                text = raw[1:].decode("utf-8")
            except UnicodeDecodeError as error:
                raise ProtocolError("GeoJSON inside a list or map is not UTF-8") from error
            return self.geo_factory(text) if self.geo_factory is not None else text
        if self.blob_factory is not None:
            return self.blob_factory(particle_type, raw[1:])
        return bytes(raw[1:])

    def key(self, raw: Any) -> Any:
        """A map key: like a value, but hashable (bytes for blobs, tuples for lists)."""
        if type(raw) is bytes:
            if raw[:1] == _BLOB_PREFIX:
                return raw[1:]
            return self.scalar(raw)
        if type(raw) is list:
            return tuple(self.key(item) for item in raw)
        if type(raw) is bytearray:
            return bytes(raw)
        return raw

    def list_hook(self, items: list) -> list:
        for index, item in enumerate(items):
            if type(item) is bytes:
                items[index] = self.scalar(item)
        return items

    def pairs_hook(self, pairs: list) -> Any:
        order = MAP_UNORDERED
        if pairs:
            first_key = pairs[0][0]
            if type(first_key) is msgpack.ExtType:
                if first_key.data or pairs[0][1] is not None:
                    raise ProtocolError("malformed ordered-map marker")
                order = first_key.code
                pairs = pairs[1:]
        if order & MAP_PRESERVE_ORDER and self.preserved_map_as_list:
            flat: list = []
            for key, item in pairs:
                flat.append(self.scalar(key) if type(key) is bytes else key)
                flat.append(self.scalar(item) if type(item) is bytes else item)
            return flat
        result: dict = {}
        for key, item in pairs:
            try:
                result[self.key(key)] = self.scalar(item) if type(item) is bytes else item
            except TypeError as error:  # an unhashable key (a map used as a key)
                raise ProtocolError(f"map key cannot be represented: {error}") from error
        if order & MAP_KEY_ORDERED and self.key_ordered_type is not None:
            return self.key_ordered_type(result)
        return result


def unpack(
    data: bytes | bytearray | memoryview,
    geo_factory: Optional[GeoFactory] = None,
    blob_factory: Optional[BlobFactory] = None,
    *,
    preserved_map_as_list: bool = False,
    key_ordered_type: Optional[Callable[[dict], Any]] = None,
) -> Any:
    """Decode Aerospike msgpack into Python values.

    Text comes back as str, byte strings as bytearray (bytes when used as a map key), GeoJSON as
    `geo_factory(json_text)` (or the text), other prefixed blobs as `blob_factory(particle_type, payload)`
    (or bytes). Maps come back as dicts; with `preserved_map_as_list`, maps the server marked "preserve
    order" (KEY_VALUE results) come back as flat ``[k1, v1, k2, v2, ...]`` lists. Bad input raises
    ProtocolError. With `key_ordered_type`, maps the server marked key-ordered come back as
    ``key_ordered_type(dict)`` (the current API's KeyOrderedDict).
    """
    decoder = _Decoder(geo_factory, blob_factory, preserved_map_as_list, key_ordered_type)
    try:
        result = msgpack.unpackb(
            data,
            raw=True,
            use_list=True,
            strict_map_key=False,
            list_hook=decoder.list_hook,
            object_pairs_hook=decoder.pairs_hook,
        )
    except ProtocolError:
        raise
    except (ValueError, TypeError, RecursionError) as error:
        raise ProtocolError(f"malformed msgpack value: {error}") from error
    if type(result) is bytes:
        return decoder.scalar(result)
    if type(result) is msgpack.ExtType:
        raise ProtocolError(f"unexpected msgpack ext type {result.code} as a value")
    return result
