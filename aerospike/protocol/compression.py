"""Compressed message frames (proto type 4).

Owns: wrapping a whole type-3 frame (its 8-byte header included) into a type-4 frame whose body is the
8-byte big-endian size of the inner frame followed by a zlib stream of it, and unwrapping such a body with
the inflated size bounded before any memory is committed. Must not know what the inner frame says.
"""

from __future__ import annotations

import struct
import zlib

from .constants import MAX_FRAME_SIZE, PROTO_HEADER_SIZE, PROTO_TYPE_COMPRESSED, PROTO_VERSION
from .errors import ProtocolError

__all__ = ["DEFAULT_LEVEL", "compress_frame", "decompress_body"]

# The official client compresses with zlib level 1 (its streams start 78 01): fast, and enough for
# the repetitive payloads worth compressing.
DEFAULT_LEVEL = 1

_PROTO_HEADER = struct.Struct(">Q")
_SIZE = struct.Struct(">Q")
_PROTO_WORD_BASE = (PROTO_VERSION << 56) | (PROTO_TYPE_COMPRESSED << 48)
_MAX_BODY_LENGTH = (1 << 48) - 1


def compress_frame(frame: bytes | bytearray | memoryview, level: int = DEFAULT_LEVEL) -> bytes:
    """The type-4 frame carrying `frame` (a whole type-3 frame, header included)."""
    compressor = zlib.compressobj(level)
    stream = compressor.compress(frame) + compressor.flush()
    body_length = _SIZE.size + len(stream)
    if body_length > _MAX_BODY_LENGTH:
        raise ProtocolError("compressed frame too large")
    return _PROTO_HEADER.pack(_PROTO_WORD_BASE | body_length) + _SIZE.pack(len(frame)) + stream


def decompress_body(body: bytes | bytearray | memoryview, max_size: int = MAX_FRAME_SIZE) -> bytes:
    """The inner frame (header included) of a type-4 frame body.

    Raises ProtocolError when the body is truncated, the stream is corrupt or incomplete, the stated size
    exceeds `max_size`, or the inflated size differs from the stated one.
    """
    if len(body) < _SIZE.size:
        raise ProtocolError("truncated compressed body")
    (size,) = _SIZE.unpack_from(body, 0)
    if size > max_size:
        raise ProtocolError(f"compressed frame inflates to {size} bytes, over the limit of {max_size}")
    if size < PROTO_HEADER_SIZE:
        raise ProtocolError(f"compressed frame inflates to {size} bytes, less than a proto header")
    decompressor = zlib.decompressobj()
    try:
        # One byte more than promised reveals a stream that would inflate past its stated size.
        inflated = decompressor.decompress(memoryview(body)[_SIZE.size :], size + 1)
    except zlib.error as error:
        raise ProtocolError(f"corrupt compressed body: {error}") from error
    if len(inflated) != size:
        raise ProtocolError(f"compressed body inflated to {len(inflated)}+ bytes, expected {size}")
    if not decompressor.eof:
        raise ProtocolError("compressed body ends before its zlib stream does")
    if decompressor.unused_data:
        raise ProtocolError("trailing bytes after the zlib stream")
    return inflated
