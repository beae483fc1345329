"""Proto frames: the 8-byte header every Aerospike frame starts with, and a sans-IO frame reader.

Owns: packing and unpacking the proto header (version, type, 48-bit body length) and reassembling whole frames
from input that arrives in arbitrary pieces. Must not know sockets, clocks or what a body means.
"""

from __future__ import annotations

import struct
from collections import namedtuple
from typing import Optional

from .constants import (
    MAX_FRAME_SIZE,
    PROTO_HEADER_SIZE,
    PROTO_TYPE_ADMIN,
    PROTO_TYPE_COMPRESSED,
    PROTO_TYPE_INFO,
    PROTO_TYPE_MESSAGE,
    PROTO_VERSION,
)
from .errors import ProtocolError

_HEADER = struct.Struct(">Q")
_LENGTH_MASK = (1 << 48) - 1
_KNOWN_TYPES = frozenset((PROTO_TYPE_INFO, PROTO_TYPE_ADMIN, PROTO_TYPE_MESSAGE, PROTO_TYPE_COMPRESSED))


# collections.namedtuple, not typing.NamedTuple: the same tuple class, made in a tenth of the time (typing checks
# and compiles every annotation), and this module is imported by every connect (docs/internals.md, "Startup").
class Frame(namedtuple("Frame", ("proto_type", "body"))):
    """One whole frame: its proto type and its body (header stripped)."""

    __slots__ = ()

    proto_type: int
    body: bytes


def pack_header(proto_type: int, length: int) -> bytes:
    """The 8-byte proto header of a frame whose body is `length` bytes."""
    return _HEADER.pack((PROTO_VERSION << 56) | (proto_type << 48) | length)


def pack_header_into(buffer: bytearray, offset: int, proto_type: int, length: int) -> None:
    """Write the proto header into `buffer` at `offset`."""
    _HEADER.pack_into(buffer, offset, (PROTO_VERSION << 56) | (proto_type << 48) | length)


def unpack_header(header: bytes | bytearray | memoryview, max_size: int = MAX_FRAME_SIZE) -> tuple[int, int]:
    """Check an 8-byte proto header and return (proto_type, body_length).

    Raises ProtocolError for a wrong version, an unknown type or a body larger than `max_size`.
    """
    if len(header) < PROTO_HEADER_SIZE:
        raise ProtocolError("truncated proto header")
    (word,) = _HEADER.unpack_from(header, 0)
    version = word >> 56
    proto_type = (word >> 48) & 0xFF
    length = word & _LENGTH_MASK
    if version != PROTO_VERSION:
        raise ProtocolError(f"unsupported proto version {version}")
    if proto_type not in _KNOWN_TYPES:
        raise ProtocolError(f"unknown proto type {proto_type}")
    if length > max_size:
        raise ProtocolError(f"frame of {length} bytes exceeds the limit of {max_size}")
    return proto_type, length


def frame(proto_type: int, body: bytes | bytearray) -> bytes:
    """A whole frame: header then body."""
    return pack_header(proto_type, len(body)) + bytes(body)


class FrameReader:
    """Reassembles frames from pieces of input.

    `feed(data)` adds input; `next_frame()` returns the next whole Frame or None when more data is needed.
    A malformed header raises ProtocolError and the reader must then be discarded with its connection.
    """

    __slots__ = ("_buffer", "_max_size")

    def __init__(self, max_size: int = MAX_FRAME_SIZE) -> None:
        self._buffer = bytearray()
        self._max_size = max_size

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        self._buffer += data

    def next_frame(self) -> Optional[Frame]:
        buffer = self._buffer
        if len(buffer) < PROTO_HEADER_SIZE:
            return None
        proto_type, length = unpack_header(buffer, self._max_size)
        end = PROTO_HEADER_SIZE + length
        if len(buffer) < end:
            return None
        body = bytes(buffer[PROTO_HEADER_SIZE:end])
        del buffer[:end]
        return Frame(proto_type, body)

    @property
    def pending(self) -> int:
        """Bytes received that do not yet form a whole frame."""
        return len(self._buffer)
