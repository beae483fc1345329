"""Bin values of the spec: GeoJSON, null(), bin names and the serializer rules of data_mapping.rst.

Owns: turning a bins dict into protocol ops (one encode pass per value through protocol.particles) and reply
ops back into a bins dict; the class-level serializer/deserializer of ``aerospike.set_serializer`` and the
instance-level pair of the ``serialization`` config; pickling of unsupported types (particle 9, "Python blob").
Must not know sockets, the cluster or policies.

Writing: int/float/str/bytes/bytearray/list/dict/GeoJSON/None map to server types; ``bool`` is written as an
integer (what client 3.0.0 did); ``aerospike.null()`` or None deletes the bin. Other types follow the
``serializer`` argument: SERIALIZER_PYTHON (default) pickles into a Python blob, SERIALIZER_USER calls the
instance-level serializer, else the class-level one, and stores a generic blob (particle 4), SERIALIZER_NONE
refuses with ParamError.

Reading: a server bool reads as bool, blobs as bytearray, GeoJSON as :class:`GeoJSON`. A generic blob goes
through the instance-level deserializer, else the class-level one, when one is registered. A Python blob is
unpickled. **Risk**: unpickling runs code chosen by whoever wrote the record; a client that reads records
written by untrusted parties should set the config key ``'unpickle_python_blobs': False`` (not in the 3.0.0
spec; default True for compatibility), which returns Python blobs as raw bytearray instead.
"""

from __future__ import annotations

import json
import pickle
import struct
from typing import Any, Callable, Optional

from ._constants import SERIALIZER_NONE, SERIALIZER_PYTHON, SERIALIZER_USER
from .exception import ClientError, ParamError
from .protocol.constants import (
    OP_WRITE,
    PARTICLE_BLOB,
    PARTICLE_FLOAT,
    PARTICLE_GEOJSON,
    PARTICLE_INTEGER,
    PARTICLE_NULL,
    PARTICLE_PYTHON_BLOB,
    PARTICLE_STRING,
)
from .protocol.errors import ProtocolError
from .protocol.message import Op
from .protocol.particles import decode_value, encode_value

_I64_UNPACK = struct.Struct(">q").unpack
_I64_PACK = struct.Struct(">q").pack
_INT64_MIN = -(1 << 63)
_INT64_LIMIT = 1 << 63
_new_tuple = tuple.__new__  # an Op without NamedTuple's Python-level __new__ (hot path)
_F64_UNPACK = struct.Struct(">d").unpack

__all__ = [
    "GeoJSON",
    "Null",
    "ValueCodec",
    "check_bin_name",
    "null",
    "set_deserializer",
    "set_serializer",
    "unset_serializers",
]

MAX_BIN_NAME = 15  # bytes; the server refuses longer names, the official client checks before sending

Serializer = Callable[[Any], Any]
Deserializer = Callable[[Any], Any]

# The class-level pair of aerospike.set_serializer / set_deserializer.
_class_serializer: Optional[Serializer] = None
_class_deserializer: Optional[Deserializer] = None


def set_serializer(callback: Serializer) -> None:
    """Register the class-level serializer used with ``serializer=aerospike.SERIALIZER_USER``."""
    global _class_serializer
    if not callable(callback):
        raise ParamError("serializer must be callable")
    _class_serializer = callback


def set_deserializer(callback: Deserializer) -> None:
    """Register the class-level deserializer run on generic blobs (AS_BYTES_BLOB) read from the server."""
    global _class_deserializer
    if not callable(callback):
        raise ParamError("deserializer must be callable")
    _class_deserializer = callback


def unset_serializers() -> None:
    """Deregister the class-level serializer and deserializer."""
    global _class_serializer, _class_deserializer
    _class_serializer = None
    _class_deserializer = None


class Null:
    """The server-side null: as a bin value it removes the bin. ``aerospike.null()`` returns the one instance."""

    _instance: Optional[Null] = None
    __slots__ = ()

    def __new__(cls) -> Null:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "aerospike.null()"

    def __reduce__(self) -> tuple:
        return (Null, ())


def null() -> Null:
    """A value distinguishing a server-side null from Python None."""
    return Null()


_NO_GEO_DATA = object()
_GEO_DATA_TYPE = "Geospatial data should be a dictionary or raw GeoJSON string"
_GEO_NOT_JSON = "String is not GeoJSON serializable"


class GeoJSON:
    """Geospatial data (a dict) that writes as the server's GeoJSON type; reads of GeoJSON bins return one.

    As 3.0.0's: built from a dict or a GeoJSON string (exactly one argument), ``geo_data`` holds the dict,
    ``wrap``/``loads`` return 0, ``repr`` is the quoted JSON text and ``str`` the JSON text. A string that is
    not JSON raises ClientError; anything that is not (or does not load to) a dict raises ParamError.
    """

    __slots__ = ("geo_data",)

    def __init__(self, geo_data: Any = _NO_GEO_DATA) -> None:
        if geo_data is _NO_GEO_DATA:
            raise ParamError("GeoJSON() expects exactly 1 parameter")
        self.geo_data: Any = None
        if isinstance(geo_data, str):
            geo_data = _geo_loads(geo_data)
        _check_geo_data(geo_data)
        self.geo_data = geo_data

    def wrap(self, geodata: Any) -> int:
        """Set the geospatial data from a dict; returns 0."""
        _check_geo_data(geodata)
        self.geo_data = geodata
        return 0

    def unwrap(self) -> Any:
        """The geospatial data (a dict)."""
        return self.geo_data

    def loads(self, geodata: Any) -> int:
        """Set the geospatial data from a GeoJSON string; returns 0."""
        if not isinstance(geodata, str):
            raise ParamError("Argument should be a GeoJSON string")
        data = _geo_loads(geodata)
        _check_geo_data(data)
        self.geo_data = data
        return 0

    def dumps(self) -> str:
        """The geospatial data as a GeoJSON string."""
        try:
            return json.dumps(self.geo_data)
        except (TypeError, ValueError):
            raise ClientError("Unable to call dumps function") from None

    def __str__(self) -> str:
        return self.dumps()

    def __repr__(self) -> str:
        return f"'{self.dumps()}'"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, GeoJSON):
            return bool(self.geo_data == other.geo_data)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.dumps())

    def __getstate__(self) -> Any:
        return self.geo_data

    def __setstate__(self, state: Any) -> None:
        self.geo_data = state


def _geo_loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise ClientError(_GEO_NOT_JSON) from None


def _check_geo_data(geo_data: Any) -> None:
    if not isinstance(geo_data, dict):
        raise ParamError(_GEO_DATA_TYPE)


def check_bin_name(name: Any) -> bytes:
    """The UTF-8 bytes of a bin name; ParamError for a non-str, BinNameError for one over 15 bytes."""
    if type(name) is not str and not isinstance(name, str):
        raise ParamError("bin name must be a string")
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_BIN_NAME:
        from .exception import BinNameError

        raise BinNameError(f"A bin name should not exceed {MAX_BIN_NAME} characters")
    return encoded


_NULL = Null()


class ValueCodec:
    """Encoding and decoding of values for one client (its instance-level serializer pair and switches)."""

    __slots__ = ("serializer", "deserializer", "unpickle", "_fallbacks", "_blob_factory")

    def __init__(
        self,
        serializer: Optional[Serializer] = None,
        deserializer: Optional[Deserializer] = None,
        unpickle: bool = True,
    ) -> None:
        self.serializer = serializer
        self.deserializer = deserializer
        self.unpickle = unpickle
        self._fallbacks: dict[int, Callable[[Any], tuple[int, bytes]]] = {
            SERIALIZER_PYTHON: self._pickle_fallback,
            SERIALIZER_USER: self._user_fallback,
            SERIALIZER_NONE: self._no_fallback,
        }
        self._blob_factory = self._decode_typed_blob

    # ----------------------------------------------------------------------------------------- encoding

    @staticmethod
    def _common_fallback(value: Any) -> Optional[tuple[int, bytes]]:
        if isinstance(value, GeoJSON):
            return PARTICLE_GEOJSON, value.dumps().encode("utf-8")
        if value is _NULL:
            return PARTICLE_NULL, b""
        return None

    def _pickle_fallback(self, value: Any) -> tuple[int, bytes]:
        common = self._common_fallback(value)
        if common is not None:
            return common
        try:
            return PARTICLE_PYTHON_BLOB, pickle.dumps(value)
        except Exception as error:
            raise ParamError(f"cannot serialize a value of type {type(value).__name__}: {error}") from error

    def _user_fallback(self, value: Any) -> tuple[int, bytes]:
        common = self._common_fallback(value)
        if common is not None:
            return common
        serializer = self.serializer or _class_serializer
        if serializer is None:
            raise ParamError("No serializer callback registered")
        try:
            data = serializer(value)
        except Exception as error:
            raise ClientError(f"serializer callback failed: {error}") from error
        if isinstance(data, str):
            return PARTICLE_BLOB, data.encode("utf-8")
        if isinstance(data, (bytes, bytearray)):
            return PARTICLE_BLOB, bytes(data)
        raise ClientError("serializer callback must return str, bytes or bytearray")

    def _no_fallback(self, value: Any) -> tuple[int, bytes]:
        common = self._common_fallback(value)
        if common is not None:
            return common
        raise ParamError(f"Unable to serialize a value of type {type(value).__name__} (SERIALIZER_NONE)")

    def fallback_for(self, serializer: int) -> Callable[[Any], tuple[int, bytes]]:
        """The fallback for unsupported types under one of the SERIALIZER_* modes."""
        fallback = self._fallbacks.get(serializer)
        if fallback is None:
            raise ParamError(f"serializer must be one of the SERIALIZER_* constants, not {serializer!r}")
        return fallback

    def encode(self, value: Any, serializer: int = SERIALIZER_PYTHON) -> tuple[int, bytes]:
        """(particle_type, bytes) of one value; ParamError for values that cannot be written."""
        try:
            return encode_value(value, self._fallbacks.get(serializer) or self.fallback_for(serializer))
        except ProtocolError as error:
            raise ParamError(str(error)) from None

    def bins_to_ops(self, bins: Any, serializer: int = SERIALIZER_PYTHON, op_type: int = OP_WRITE) -> list[Op]:
        """One write op per bin of a bins dict, in dict order."""
        if type(bins) is not dict and not isinstance(bins, dict):
            raise ParamError("bins must be a dict")
        fallback = self._fallbacks.get(serializer) or self.fallback_for(serializer)
        ops: list[Op] = []
        append = ops.append
        for name, value in bins.items():
            if type(name) is not str:
                raise ParamError("bin name must be a string")
            # An ASCII name's length is its UTF-8 length; only other names need encoding to be measured.
            if len(name) > MAX_BIN_NAME or (not name.isascii() and len(name.encode("utf-8")) > MAX_BIN_NAME):
                check_bin_name(name)
            # Integers and strings, most bins, are encoded inline; anything else (or an odd one of them) takes
            # encode_value, which also raises the proper error.
            kind = type(value)
            if kind is int and _INT64_MIN <= value < _INT64_LIMIT:
                append(_new_tuple(Op, (op_type, PARTICLE_INTEGER, name, _I64_PACK(value))))
                continue
            if kind is str and value.isascii():
                append(_new_tuple(Op, (op_type, PARTICLE_STRING, name, value.encode("ascii"))))
                continue
            try:
                particle_type, data = encode_value(value, fallback)
            except ProtocolError as error:
                raise ParamError(f"bin {name!r}: {error}") from None
            append(_new_tuple(Op, (op_type, particle_type, name, data)))
        return ops

    # ----------------------------------------------------------------------------------------- decoding

    def _decode_typed_blob(self, particle_type: int, data: bytes) -> Any:
        if particle_type == PARTICLE_PYTHON_BLOB and self.unpickle:
            try:
                return pickle.loads(data)
            except Exception as error:
                raise ClientError(f"cannot unpickle a Python blob: {error}") from error
        return bytearray(data)

    def decode(self, particle_type: int, data: bytes, preserved_map_as_list: bool = False) -> Any:
        """The Python value of one particle."""
        if particle_type == PARTICLE_BLOB:
            deserializer = self.deserializer or _class_deserializer
            if deserializer is not None:
                try:
                    return deserializer(bytearray(data))
                except Exception as error:
                    raise ClientError(f"deserializer callback failed: {error}") from error
        try:
            return decode_value(
                particle_type, data, GeoJSON, self._blob_factory, preserved_map_as_list=preserved_map_as_list
            )
        except ProtocolError as error:
            raise ClientError(f"cannot decode a value of particle type {particle_type}: {error}") from None

    def ops_to_bins(self, ops: list[Op]) -> dict[str, Any]:
        """The bins dict of a reply (a later op on the same bin wins, as in the official client)."""
        # Integers, doubles and strings, most bins, are decoded inline; anything else, or anything odd about
        # one of them, takes the general path, which also raises the proper error.
        bins: dict[str, Any] = {}
        decode = self.decode
        for _, particle_type, name, value in ops:
            if particle_type == PARTICLE_INTEGER and len(value) == 8:
                bins[name] = _I64_UNPACK(value)[0]
            elif particle_type == PARTICLE_STRING:
                try:
                    bins[name] = value.decode("utf-8")
                except UnicodeDecodeError:
                    bins[name] = decode(particle_type, value)
            elif particle_type == PARTICLE_FLOAT and len(value) == 8:
                bins[name] = _F64_UNPACK(value)[0]
            elif particle_type == PARTICLE_BLOB and self.deserializer is None and _class_deserializer is None:
                bins[name] = bytearray(value)  # what decode gives a generic blob without a deserializer
            else:
                bins[name] = decode(particle_type, value)
        return bins
