"""Bin values on the wire: Python value <-> (particle type, particle bytes).

Owns: the particle encodings of bins (8-byte big-endian integers and doubles, UTF-8 strings, blobs, bools,
msgpack lists and maps via cdt.py, GeoJSON with its cell-id header). Must not know messages, bins' names,
policies or client classes: values it does not know go to a caller-given fallback, typed blobs and GeoJSON
come back through caller-given factories.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Callable, Optional

from .constants import (
    PARTICLE_BLOB,
    PARTICLE_BOOL,
    PARTICLE_CSHARP_BLOB,
    PARTICLE_ERLANG_BLOB,
    PARTICLE_FLOAT,
    PARTICLE_GEOJSON,
    PARTICLE_HLL,
    PARTICLE_INTEGER,
    PARTICLE_JAVA_BLOB,
    PARTICLE_LIST,
    PARTICLE_MAP,
    PARTICLE_NULL,
    PARTICLE_PHP_BLOB,
    PARTICLE_PYTHON_BLOB,
    PARTICLE_RUBY_BLOB,
    PARTICLE_STRING,
)
from .errors import ProtocolError

__all__ = ["decode_value", "encode_geojson", "encode_value", "decode_geojson"]

# fallback(value) -> (particle_type, payload). For PARTICLE_GEOJSON the payload is the JSON text; the cell
# header the bin form needs is added here, so one fallback serves bins and values inside lists and maps.
# cdt.py (msgpack, and through it datetime) is imported by the first list or map value, not by every client; the
# type aliases below exist for the type checker only (docs/internals.md, "Startup").
if TYPE_CHECKING:
    # What encodes a value of a type the particles do not cover (cdt.Fallback).
    Fallback = Callable[[Any], tuple[int, bytes | bytearray]]
    GeoFactory = Callable[[str], Any]
    BlobFactory = Callable[[int, bytes], Any]
    _Encoder = Callable[[Any, Optional[Fallback], bool], tuple[int, bytes]]

_INT64 = struct.Struct(">q")
_DOUBLE = struct.Struct(">d")
_GEO_HEADER = struct.Struct(">BH")  # flags, number of cell ids
_INT64_MIN = -(1 << 63)
_INT64_LIMIT = 1 << 63
_GEO_REQUEST_HEADER = _GEO_HEADER.pack(0, 0)
_CELL_ID_SIZE = 8
_TRUE_INT = _INT64.pack(1)
_FALSE_INT = _INT64.pack(0)
_EMPTY = b""


# --------------------------------------------------------------------------------------------- encoding


def encode_geojson(json_text: str | bytes) -> bytes:
    """A GeoJSON bin particle as clients send it: flags 0, no cell ids, then the JSON text."""
    if isinstance(json_text, str):
        json_text = json_text.encode("utf-8")
    return _GEO_REQUEST_HEADER + json_text


def _encode_int(value: int, fallback: Optional[Fallback], bool_as_int: bool) -> tuple[int, bytes]:
    if _INT64_MIN <= value < _INT64_LIMIT:
        return PARTICLE_INTEGER, _INT64.pack(value)
    raise ProtocolError(f"integer {value} does not fit in a signed 64-bit integer")


def _encode_bool(value: bool, fallback: Optional[Fallback], bool_as_int: bool) -> tuple[int, bytes]:
    if bool_as_int:
        return PARTICLE_INTEGER, _TRUE_INT if value else _FALSE_INT
    return PARTICLE_BOOL, b"\x01" if value else b"\x00"


def _encode_float(value: float, fallback: Optional[Fallback], bool_as_int: bool) -> tuple[int, bytes]:
    return PARTICLE_FLOAT, _DOUBLE.pack(value)


def _encode_str(value: str, fallback: Optional[Fallback], bool_as_int: bool) -> tuple[int, bytes]:
    try:
        return PARTICLE_STRING, value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ProtocolError(f"string is not encodable as UTF-8: {error}") from error


def _encode_bytes(value: bytes | bytearray, fallback: Optional[Fallback], bool_as_int: bool) -> tuple[int, bytes]:
    return PARTICLE_BLOB, bytes(value)


def _encode_none(value: None, fallback: Optional[Fallback], bool_as_int: bool) -> tuple[int, bytes]:
    return PARTICLE_NULL, _EMPTY


def _encode_list(value: list, fallback: Optional[Fallback], bool_as_int: bool) -> tuple[int, bytes]:
    from .cdt import pack

    return PARTICLE_LIST, pack(value, fallback, bool_as_int=bool_as_int)


def _encode_map(value: dict, fallback: Optional[Fallback], bool_as_int: bool) -> tuple[int, bytes]:
    from .cdt import pack

    return PARTICLE_MAP, pack(value, fallback, bool_as_int=bool_as_int)


def _encode_other(value: Any, fallback: Optional[Fallback], bool_as_int: bool) -> tuple[int, bytes]:
    # Subclasses of supported types encode like their base type (order matters: bool is an int).
    for base, encoder in _SUBCLASS_ENCODERS:
        if isinstance(value, base):
            return encoder(value, fallback, bool_as_int)
    if fallback is None:
        raise ProtocolError(f"cannot encode a value of type {type(value).__name__}")
    particle_type, payload = fallback(value)
    if not 0 <= particle_type <= 0xFF:
        raise ProtocolError(f"fallback returned particle type {particle_type}")
    if particle_type == PARTICLE_GEOJSON:
        return PARTICLE_GEOJSON, _GEO_REQUEST_HEADER + bytes(payload)
    return particle_type, bytes(payload)


_ENCODERS: dict[type, _Encoder] = {
    int: _encode_int,
    str: _encode_str,
    bytes: _encode_bytes,
    bytearray: _encode_bytes,
    float: _encode_float,
    bool: _encode_bool,
    type(None): _encode_none,
    list: _encode_list,
    dict: _encode_map,
}

_SUBCLASS_ENCODERS: tuple[tuple[Any, _Encoder], ...] = (
    (bool, _encode_bool),
    (int, lambda value, fallback, bool_as_int: _encode_int(int(value), fallback, bool_as_int)),
    (float, lambda value, fallback, bool_as_int: _encode_float(float(value), fallback, bool_as_int)),
    (str, lambda value, fallback, bool_as_int: _encode_str(str(value), fallback, bool_as_int)),
    ((bytes, bytearray, memoryview), _encode_bytes),
    (list, _encode_list),
    (dict, _encode_map),
)


def encode_value(value: Any, fallback: Optional[Fallback] = None, *, bool_as_int: bool = True) -> tuple[int, bytes]:
    """The (particle_type, particle bytes) of a bin value.

    int -> INTEGER (signed 64-bit, else ProtocolError), float -> FLOAT, str -> STRING, bytes/bytearray ->
    BLOB, list -> LIST, dict -> MAP, None -> NULL (deletes the bin). bool -> INTEGER 0/1 as client 3.0.0
    wrote it, or BOOL with ``bool_as_int=False``. Anything else goes to `fallback(value) -> (particle_type,
    payload)`; without one it raises ProtocolError.
    """
    return (_ENCODERS.get(type(value)) or _encode_other)(value, fallback, bool_as_int)


# --------------------------------------------------------------------------------------------- decoding


def decode_geojson(data: bytes | bytearray | memoryview) -> str:
    """The JSON text of a GeoJSON particle (flags, u16 cell count, 8-byte cell ids, JSON)."""
    if len(data) < _GEO_HEADER.size:
        raise ProtocolError("truncated GeoJSON particle")
    _flags, n_cells = _GEO_HEADER.unpack_from(data, 0)
    start = _GEO_HEADER.size + n_cells * _CELL_ID_SIZE
    if start > len(data):
        raise ProtocolError(f"GeoJSON particle claims {n_cells} cell ids but is {len(data)} bytes")
    try:
        return bytes(data[start:]).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError("GeoJSON particle is not UTF-8") from error


def _decode_null(data: Any, geo: Any, blob: Any, preserved: bool) -> None:
    return None


def _decode_int(data: bytes, geo: Any, blob: Any, preserved: bool) -> int:
    if len(data) == 8:
        return _INT64.unpack(data)[0]  # type: ignore[no-any-return]
    if 0 < len(data) < 8:
        return int.from_bytes(data, "big", signed=True)
    raise ProtocolError(f"integer particle of {len(data)} bytes")


def _decode_float(data: bytes, geo: Any, blob: Any, preserved: bool) -> float:
    if len(data) != 8:
        raise ProtocolError(f"double particle of {len(data)} bytes")
    return _DOUBLE.unpack(data)[0]  # type: ignore[no-any-return]


def _decode_str(data: bytes, geo: Any, blob: Any, preserved: bool) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError("string particle is not UTF-8") from error


def _decode_blob(data: bytes, geo: Any, blob: Any, preserved: bool) -> bytearray:
    return bytearray(data)


def _decode_bool(data: bytes, geo: Any, blob: Any, preserved: bool) -> bool:
    if len(data) != 1:
        raise ProtocolError(f"bool particle of {len(data)} bytes")
    return data[0] != 0


def _decode_cdt(data: bytes, geo: Any, blob: Any, preserved: bool) -> Any:
    from .cdt import unpack

    return unpack(data, geo, blob, preserved_map_as_list=preserved)


def _decode_geojson(data: bytes, geo: Optional[GeoFactory], blob: Any, preserved: bool) -> Any:
    text = decode_geojson(data)
    return geo(text) if geo is not None else text


def _typed_blob_decoder(particle_type: int) -> Callable[[bytes, Any, Optional[BlobFactory], bool], Any]:
    def decode(data: bytes, geo: Any, blob: Optional[BlobFactory], preserved: bool) -> Any:
        return blob(particle_type, data) if blob is not None else data

    return decode


def _decode_hll(data: bytes, geo: Any, blob: Any, preserved: bool) -> bytes:
    return data


_DECODERS: dict[int, Callable[[bytes, Any, Any, bool], Any]] = {
    PARTICLE_NULL: _decode_null,
    PARTICLE_INTEGER: _decode_int,
    PARTICLE_FLOAT: _decode_float,
    PARTICLE_STRING: _decode_str,
    PARTICLE_BLOB: _decode_blob,
    PARTICLE_BOOL: _decode_bool,
    PARTICLE_MAP: _decode_cdt,
    PARTICLE_LIST: _decode_cdt,
    PARTICLE_GEOJSON: _decode_geojson,
    PARTICLE_HLL: _decode_hll,
}
for _particle_type in (
    PARTICLE_JAVA_BLOB,
    PARTICLE_CSHARP_BLOB,
    PARTICLE_PYTHON_BLOB,
    PARTICLE_RUBY_BLOB,
    PARTICLE_PHP_BLOB,
    PARTICLE_ERLANG_BLOB,
):
    _DECODERS[_particle_type] = _typed_blob_decoder(_particle_type)


def decode_value(
    particle_type: int,
    data: bytes | bytearray | memoryview,
    geo_factory: Optional[GeoFactory] = None,
    blob_factory: Optional[BlobFactory] = None,
    *,
    preserved_map_as_list: bool = False,
) -> Any:
    """The Python value of a bin particle.

    INTEGER -> int, FLOAT -> float, STRING -> str, BLOB -> bytearray, BOOL -> bool, LIST/MAP -> list/dict
    (see cdt.unpack), GEOJSON -> `geo_factory(json_text)` or the text, language blobs (Java, C#, Python,
    Ruby, PHP, Erlang) -> `blob_factory(particle_type, payload)` or bytes, HLL -> bytes, NULL -> None.
    An unknown particle type or malformed particle raises ProtocolError.
    """
    decoder = _DECODERS.get(particle_type)
    if decoder is None:
        raise ProtocolError(f"unknown particle type {particle_type}")
    if type(data) is not bytes:
        data = bytes(data)
    return decoder(data, geo_factory, blob_factory, preserved_map_as_list)
