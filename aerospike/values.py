"""Bin values of the spec: GeoJSON, null(), bin names and the serializer rules of data_mapping.rst.

Owns: turning a bins dict into protocol ops (one encode pass per value through protocol.particles) and reply
ops back into a bins dict; the class-level serializer/deserializer of ``aerospike.set_serializer`` and the
instance-level pair of the ``serialization`` config; pickling of unsupported types (particle 9, "Python blob").
Must not know sockets, the cluster or policies.

Writing follows client 3.0.0: int/float/str/list/dict/GeoJSON map to server types and ``aerospike.null()``
removes the bin. ``bool``, ``None``, ``bytes`` and other types go through the serializer policy: the
``serializer`` argument of put, SERIALIZER_PYTHON by default, pickles them into a Python blob (particle 9), so a
bool reads back as a bool and None as None; a ``bytearray`` stays a generic blob (particle 4) under
SERIALIZER_PYTHON. SERIALIZER_USER calls the instance-level serializer, else the class-level one (it must return
a str); SERIALIZER_NONE refuses with ParamError. A client configured with an instance-level serializer uses it in
place of pickling unless the last put named a serializer (3.0.0's rule).

Reading: a server bool reads as bool, blobs as bytearray, GeoJSON as :class:`GeoJSON`. A generic blob goes
through the instance-level deserializer, else the class-level one, when one is registered: it receives the blob
as a str, and a blob that is not UTF-8 or that the deserializer fails on reads as a bytearray. A Python blob is
unpickled (one that does not unpickle reads as a bytearray). **Risk**: unpickling runs code chosen by whoever wrote the record; a client that reads records
written by untrusted parties should set the config key ``'unpickle_python_blobs': False`` (not in the 3.0.0
spec; default True for compatibility), which returns Python blobs as raw bytearray instead.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Callable, Optional

from ._constants import SERIALIZER_JSON, SERIALIZER_NONE, SERIALIZER_PYTHON, SERIALIZER_USER
from .exception import BinNameError, ClientError, ParamError
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
from .protocol.message import Op, read_ops, unpack_op_header
from .protocol.particles import decode_value, encode_value

if TYPE_CHECKING:
    import json
    import pickle
else:  # loaded by the first GeoJSON, pickled or JSON-serialized value, not by `import aerospike`
    from ._lazy import LazyModule

    json = LazyModule("json", globals(), "json")
    pickle = LazyModule("pickle", globals(), "pickle")

_I64_UNPACK = struct.Struct(">q").unpack
_I64_PACK = struct.Struct(">q").pack
_INT64_MIN = -(1 << 63)
_INT64_LIMIT = 1 << 63
_new_tuple = tuple.__new__  # an Op without NamedTuple's Python-level __new__ (hot path)
_F64_UNPACK = struct.Struct(">d").unpack
_I64_UNPACK_FROM = struct.Struct(">q").unpack_from
_F64_UNPACK_FROM = struct.Struct(">d").unpack_from

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

MAX_BIN_NAME = 14  # bytes: 3.0.0's limit (its C client's bin names are 15 bytes with the NUL)
BIN_NAME_TOO_LONG = "A bin name should not exceed 14 characters limit"

Serializer = Callable[[Any], Any]
Deserializer = Callable[[Any], Any]

# The class-level pair of aerospike.set_serializer / set_deserializer.
_class_serializer: Optional[Serializer] = None
_class_deserializer: Optional[Deserializer] = None


def set_serializer(function: Serializer) -> int:
    """Register the class-level serializer used with ``serializer=aerospike.SERIALIZER_USER``; returns 0."""
    global _class_serializer
    if function is not None and function is _class_serializer:
        return 0
    if not callable(function):
        raise ParamError("Parameter must be a callable")
    _class_serializer = function
    return 0


def set_deserializer(function: Deserializer) -> int:
    """Register the class-level deserializer run on generic blobs (AS_BYTES_BLOB) read from the server."""
    global _class_deserializer
    if function is not None and function is _class_deserializer:
        return 0
    if not callable(function):
        raise ParamError("Parameter must be a callable")
    _class_deserializer = function
    return 0


def unset_serializers() -> int:
    """Deregister the class-level serializer and deserializer; returns 0."""
    global _class_serializer, _class_deserializer
    _class_serializer = None
    _class_deserializer = None
    return 0


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
    """The UTF-8 bytes of a bin name; ParamError for a non-str, BinNameError for one over 14 bytes."""
    if type(name) is not str and not isinstance(name, str):
        raise ParamError("bin name must be a string")
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_BIN_NAME:
        raise BinNameError(BIN_NAME_TOO_LONG)
    return encoded


def c_bin_name(name: str | bytes | bytearray) -> str:
    """A bin name as 3.0.0's C strings carry it: up to the first NUL, UTF-8 for a bytearray."""
    if not isinstance(name, str):
        raw = bytes(name).split(b"\0", 1)[0]
        return raw.decode("utf-8", "surrogateescape")
    if "\0" in name:
        return name.split("\0", 1)[0]
    return name


def bin_name_length(name: str) -> int:
    """The length in bytes the server sees of a bin name returned by :func:`c_bin_name`."""
    if name.isascii():
        return len(name)
    return len(name.encode("utf-8", "surrogateescape"))


def _call_serializer(callback: Serializer, value: Any) -> bytes:
    # 3.0.0 stores the UTF-8 of the str a user serializer returns; any other result, or an exception, fails.
    try:
        result = callback(value)
    except Exception:
        raise ClientError("Unable to call user's registered serializer callback") from None
    if not isinstance(result, str):
        raise ClientError("Unable to set as_bytes")
    try:
        return result.encode("utf-8")
    except UnicodeEncodeError:
        raise ClientError("Unable to set as_bytes") from None


def _param_error(error: ProtocolError) -> ParamError:
    if "signed 64-bit" in str(error):
        return ParamError("integer value exceeds sys.maxsize")
    return ParamError(str(error))


_NULL = Null()


def _PICKLE_DUMPS(value: Any) -> bytes:  # noqa: N802 - was `pickle.dumps` itself, bound at import
    return pickle.dumps(value)


class ValueCodec:
    """Encoding and decoding of values for one client (its instance-level serializer pair and switches).

    ``strict_types`` is the config key of that name (default True): when False, over-long bin names are not
    refused (put drops such a bin, as 3.0.0 did) and operate does not check operand types.
    ``explicit_serializer`` is 3.0.0's per-client memory of whether the last ``put`` named a serializer: while
    it is False, a client with an instance-level serializer uses it for every value it would otherwise pickle.
    """

    __slots__ = (
        "serializer",
        "deserializer",
        "unpickle",
        "strict_types",
        "explicit_serializer",
        "_fallbacks",
        "_blob_factory",
    )

    def __init__(
        self,
        serializer: Optional[Serializer] = None,
        deserializer: Optional[Deserializer] = None,
        unpickle: bool = True,
        strict_types: bool = True,
    ) -> None:
        self.serializer = serializer
        self.deserializer = deserializer
        self.unpickle = unpickle
        self.strict_types = strict_types
        self.explicit_serializer = False
        self._fallbacks: dict[int, Callable[[Any], tuple[int, bytes]]] = {
            SERIALIZER_PYTHON: self._pickle_fallback,
            SERIALIZER_USER: self._user_fallback,
            SERIALIZER_NONE: self._no_fallback,
        }
        self._blob_factory = self._decode_typed_blob

    # ----------------------------------------------------------------------------------------- encoding

    def serialize(self, value: Any, serializer: int = SERIALIZER_PYTHON) -> tuple[int, bytes]:
        """(particle_type, bytes) of a value written through the serializer policy (3.0.0's rules).

        SERIALIZER_PYTHON keeps a bytearray as a blob and pickles anything else into a Python blob;
        SERIALIZER_USER calls the instance-level serializer, else the class-level one; SERIALIZER_NONE refuses.
        A client with an instance-level serializer uses it instead of pickling unless the last put named a
        serializer.
        """
        use_instance = True
        if self.explicit_serializer:
            if serializer == SERIALIZER_USER and self.serializer is None:
                use_instance = False
        elif self.serializer is not None:
            serializer = SERIALIZER_USER
        if serializer == SERIALIZER_PYTHON:
            if isinstance(value, bytearray):
                return PARTICLE_BLOB, bytes(value)
            try:
                return PARTICLE_PYTHON_BLOB, _PICKLE_DUMPS(value)
            except Exception:
                raise ClientError("Unable to call dumps function") from None
        if serializer == SERIALIZER_NONE:
            raise ParamError("Cannot serialize: SERIALIZER_NONE selected")
        if serializer == SERIALIZER_USER:
            callback = self.serializer if use_instance else None
            if callback is None:
                callback = _class_serializer if _class_serializer is not None else self.serializer
            if callback is None:
                raise ClientError("No serializer callback registered")
            return PARTICLE_BLOB, _call_serializer(callback, value)
        if serializer == SERIALIZER_JSON:
            raise ClientError("Unable to serialize using standard json serializer")
        raise ClientError("Unsupported serializer")

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
        return self.serialize(value, SERIALIZER_PYTHON)

    def _user_fallback(self, value: Any) -> tuple[int, bytes]:
        common = self._common_fallback(value)
        if common is not None:
            return common
        return self.serialize(value, SERIALIZER_USER)

    def _no_fallback(self, value: Any) -> tuple[int, bytes]:
        common = self._common_fallback(value)
        if common is not None:
            return common
        return self.serialize(value, SERIALIZER_NONE)

    def fallback_for(self, serializer: int) -> Callable[[Any], tuple[int, bytes]]:
        """The fallback for unsupported types (inside lists and maps too) under a SERIALIZER_* mode."""
        fallback = self._fallbacks.get(serializer)
        if fallback is None:

            def fallback(value: Any) -> tuple[int, bytes]:
                common = self._common_fallback(value)
                if common is not None:
                    return common
                return self.serialize(value, serializer)

        return fallback

    def encode(self, value: Any, serializer: int = SERIALIZER_PYTHON) -> tuple[int, bytes]:
        """(particle_type, bytes) of one operation value as 3.0.0 converts it (pyobject_to_astype_write).

        bool and None go through the serializer (pickled by default), a bytearray is a blob as it is,
        ``aerospike.null()`` is the server's nil; lists and maps are packed with the serializer as fallback.
        """
        kind = type(value)
        if kind is bool or value is None:
            return self.serialize(value, serializer)
        if kind is bytearray:
            return PARTICLE_BLOB, bytes(value)
        if kind is not int and kind is not str and kind is not float and kind is not list and kind is not dict:
            if isinstance(value, bool):
                return self.serialize(value, serializer)
            if isinstance(value, bytearray):
                return PARTICLE_BLOB, bytes(value)
            if isinstance(value, (bytes, memoryview)) or not isinstance(
                value, (int, str, float, list, dict, GeoJSON, Null)
            ):
                return self.serialize(value, serializer)
        return self._encode_plain(value, serializer)

    def _encode_plain(self, value: Any, serializer: int) -> tuple[int, bytes]:
        try:
            return encode_value(value, self._fallbacks.get(serializer) or self.fallback_for(serializer))
        except ProtocolError as error:
            raise _param_error(error) from None

    def bin_value(self, value: Any, serializer: int) -> tuple[int, bytes]:
        """(particle_type, bytes) of one bin value of put (3.0.0's pyobject_to_record).

        bool, bytearray, bytes, None and unsupported types go through the serializer; ``aerospike.null()``
        removes the bin.
        """
        kind = type(value)
        if kind is bool or kind is bytearray or value is None:
            return self.serialize(value, serializer)
        if kind is not int and kind is not str and kind is not float and kind is not list and kind is not dict:
            if isinstance(value, (bool, bytearray, bytes, memoryview)) or not isinstance(
                value, (int, str, float, list, dict, GeoJSON, Null)
            ):
                return self.serialize(value, serializer)
        if kind is str or isinstance(value, str):
            try:
                return PARTICLE_STRING, value.encode("utf-8")
            except UnicodeEncodeError:
                raise ClientError("Unicode value not encoded in utf-8.") from None
        return self._encode_plain(value, serializer)

    def bins_to_ops(self, bins: Any, serializer: int = SERIALIZER_PYTHON, op_type: int = OP_WRITE) -> list[Op]:
        """One write op per bin of put's bins dict, in dict order (3.0.0's checks and messages)."""
        if type(bins) is not dict and not isinstance(bins, dict):
            raise ParamError("Record should be passed as bin-value pair")
        strict = self.strict_types
        ops: list[Op] = []
        append = ops.append
        positions: Optional[dict[str, int]] = None
        for name, value in bins.items():
            if type(name) is not str or len(name) > MAX_BIN_NAME or not name.isascii() or "\0" in name:
                if not isinstance(name, str):
                    raise ClientError("A bin name must be a string or unicode string.")
                try:
                    name.encode("utf-8")
                except UnicodeEncodeError:
                    raise ClientError("Unicode bin name not encoded in utf-8.") from None
                name = c_bin_name(str(name))
                if bin_name_length(name) > MAX_BIN_NAME:
                    if strict:
                        raise BinNameError(BIN_NAME_TOO_LONG)
                    continue  # 3.0.0 without strict_types: the C client refuses the bin and it is dropped
                if positions is None:
                    positions = {op.bin_name: index for index, op in enumerate(ops)}
            # Integers and strings, most bins, are encoded inline; anything else (or an odd one of them) takes
            # bin_value, which also raises the proper error.
            kind = type(value)
            if kind is int and _INT64_MIN <= value < _INT64_LIMIT:
                op = _new_tuple(Op, (op_type, PARTICLE_INTEGER, name, _I64_PACK(value)))
            elif kind is str and value.isascii():
                op = _new_tuple(Op, (op_type, PARTICLE_STRING, name, value.encode("ascii")))
            else:
                particle_type, data = self.bin_value(value, serializer)
                op = _new_tuple(Op, (op_type, particle_type, name, data))
            if positions is not None:
                # Two names equal up to a NUL are one bin: the later value wins, in the first one's place.
                index = positions.get(name)
                if index is not None:
                    ops[index] = op
                    continue
                positions[name] = len(ops)
            append(op)
        return ops

    # ----------------------------------------------------------------------------------------- decoding

    def _decode_typed_blob(self, particle_type: int, data: bytes) -> Any:
        if particle_type == PARTICLE_PYTHON_BLOB and self.unpickle:
            try:
                return pickle.loads(data)
            except Exception:
                return bytearray(data)  # 3.0.0: a blob that does not unpickle reads as its bytes
        return bytearray(data)

    def _deserialize(self, deserializer: Deserializer, data: bytes) -> Any:
        # 3.0.0 hands the deserializer the blob as a str; when that fails, the blob reads as a bytearray.
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return bytearray(data)
        try:
            return deserializer(text)
        except Exception:
            return bytearray(data)

    def decode(self, particle_type: int, data: bytes, preserved_map_as_list: bool = False) -> Any:
        """The Python value of one particle."""
        if particle_type == PARTICLE_BLOB:
            deserializer = self.deserializer or _class_deserializer
            if deserializer is not None:
                return self._deserialize(deserializer, bytes(data))
        try:
            return decode_value(
                particle_type, data, GeoJSON, self._blob_factory, preserved_map_as_list=preserved_map_as_list
            )
        except ProtocolError as error:
            raise ClientError(f"cannot decode a value of particle type {particle_type}: {error}") from None

    def plain_blobs(self) -> bool:
        """Whether a generic blob decodes to a plain bytearray (no deserializer of this client or the class)."""
        return self.deserializer is None and _class_deserializer is None

    def bins_at(self, body: bytes, offset: int, n_ops: int, end: int) -> tuple[dict[str, Any], int]:
        """The bins dict of the `n_ops` ops at `offset` of a reply body (bytes), and the offset after them:
        ``ops_to_bins(read_ops(...))`` without an Op per bin, with the same results and the same errors."""
        bins: dict[str, Any] = {}
        start = offset
        plain_blobs = self.deserializer is None and _class_deserializer is None
        try:
            for _ in range(n_ops):
                size, _op_type, particle_type, _version, name_length = unpack_op_header(body, offset)
                value_start = offset + 8 + name_length
                op_end = offset + 4 + size
                if value_start > op_end or op_end > end:
                    raise ProtocolError(f"op size {size} out of bounds")
                name = body[offset + 8 : value_start].decode()
                if particle_type == PARTICLE_INTEGER and op_end - value_start == 8:
                    bins[name] = _I64_UNPACK_FROM(body, value_start)[0]
                elif particle_type == PARTICLE_STRING:
                    bins[name] = body[value_start:op_end].decode()
                elif particle_type == PARTICLE_FLOAT and op_end - value_start == 8:
                    bins[name] = _F64_UNPACK_FROM(body, value_start)[0]
                elif particle_type == PARTICLE_BLOB and plain_blobs:
                    bins[name] = bytearray(body[value_start:op_end])
                else:
                    bins[name] = self.decode(particle_type, body[value_start:op_end])
                offset = op_end
        except (struct.error, UnicodeDecodeError, ClientError):
            # Something odd (a truncated op, a name or string that is not UTF-8, an undecodable value): the
            # general path, which bounds every op before decoding any value, raises or decodes as it always has.
            ops, offset = read_ops(body, start, n_ops, end)
            return self.ops_to_bins(ops), offset
        return bins, offset

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
