"""Server semantics of bit operations (op types BIT_READ / BIT_MODIFY) on blob bins, for the local cluster.

Owns: the argument layouts ``[op, args..., policy flags(, action flags)]`` as the server parses them, the write
flags (create-only, update-only, no-fail, partial), negative offsets counted from the end, the resize flags, integer
add/subtract with overflow actions, and the reply of each read op. ``apply_bit_op`` is also what the expression
evaluator calls for bit calls. Must not know sockets, partitions or the client core.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Optional

import msgpack

from aerospike.protocol import constants as c

from . import record_ops
from .record_ops import BinValue, OpError

__all__ = ["apply_bit_op", "install"]

_I64 = struct.Struct(">q")

# Op codes on the wire.
RESIZE, INSERT, REMOVE, SET, OR, XOR, AND, NOT, LSHIFT, RSHIFT, ADD, SUBTRACT, SET_INT = range(13)
GET, COUNT, LSCAN, RSCAN, GET_INT = 50, 51, 52, 53, 54

# Write flags.
CREATE_ONLY, UPDATE_ONLY, NO_FAIL, PARTIAL = 1, 2, 4, 8
# Resize flags.
FROM_FRONT, GROW_ONLY, SHRINK_ONLY = 1, 2, 4
# Math action flags.
SIGNED, SATURATE, WRAP = 1, 2, 4

MAX_BYTES = 1024 * 1024  # a blob bin's size limit for bit ops (the server's resize limit)


class _Skip(Exception):
    """A no-fail write that does nothing."""


def _ints(args: list, count: int) -> list[int]:
    values = args[:count]
    if len(values) < count or any(type(value) is not int for value in values):
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return values


def _flags(args: list, index: int) -> int:
    if len(args) <= index:
        return 0
    value = args[index]
    if type(value) is not int or value < 0 or value & ~15:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return value


def _blob(value: Any) -> bytes:
    if isinstance(value, str):  # msgpack str led by a particle type byte (0x04 blob)
        raw = value.encode("utf-8", "surrogateescape")
        return raw[1:] if raw[:1] == b"\x04" else raw
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
        return raw[1:] if raw[:1] == b"\x04" else raw
    raise OpError(c.RESULT_PARAMETER_ERROR)


def _fail(flags: int, code: int = c.RESULT_OP_NOT_APPLICABLE) -> None:
    if flags & NO_FAIL:
        raise _Skip()
    raise OpError(code)


def _window(size_bytes: int, offset: int, bit_size: int, flags: int, write: bool) -> tuple[int, int]:
    """(bit offset, bit size) of a bit range, a negative offset counting from the end; out of range answers 26
    (a no-fail write does nothing; a partial write works on the part that fits)."""
    total = size_bytes * 8
    if offset < 0:
        offset += total
    if offset < 0 or bit_size < 0:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    if offset + bit_size > total:
        if write and flags & PARTIAL and offset < total:
            return offset, total - offset
        if write:
            _fail(flags)
        raise OpError(c.RESULT_OP_NOT_APPLICABLE)
    return offset, bit_size


def _get_bits(data: bytes, offset: int, size: int) -> int:
    value = int.from_bytes(data, "big") if data else 0
    total = len(data) * 8
    return (value >> (total - offset - size)) & ((1 << size) - 1) if size else 0


def _set_bits(data: bytes, offset: int, size: int, bits: int) -> bytes:
    total = len(data) * 8
    value = int.from_bytes(data, "big") if data else 0
    shift = total - offset - size
    mask = ((1 << size) - 1) << shift
    value = (value & ~mask) | ((bits & ((1 << size) - 1)) << shift)
    return value.to_bytes(len(data), "big") if data else b""


def _value_bits(value: bytes, size: int) -> int:
    """The first `size` bits of `value` (it must hold them)."""
    if len(value) * 8 < size:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return _get_bits(value, 0, size)


# --------------------------------------------------------------------------------------------- modify ops


def _resize(data: Optional[bytes], args: list, flags_index: int) -> bytes:
    (size,) = _ints(args, 1)
    flags = _flags(args, 1)
    resize_flags = args[2] if len(args) > 2 else 0
    if type(resize_flags) is not int or resize_flags & ~7 or resize_flags & 6 == 6:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    if size < 0 or size > MAX_BYTES:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    current = data or b""
    if (resize_flags & GROW_ONLY and size < len(current)) or (resize_flags & SHRINK_ONLY and size > len(current)):
        _fail(flags, c.RESULT_PARAMETER_ERROR)
    if size >= len(current):
        pad = b"\x00" * (size - len(current))
        return pad + current if resize_flags & FROM_FRONT else current + pad
    return current[len(current) - size :] if resize_flags & FROM_FRONT else current[:size]


def _insert(data: Optional[bytes], args: list) -> bytes:
    (offset,) = _ints(args, 1)
    value = _blob(args[1]) if len(args) > 1 else b""
    _flags(args, 2)  # checked; the server pads an insert beyond the end with zeros whatever the flags
    if not value:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    current = data or b""
    if offset < 0:
        offset += len(current)
        if offset < 0:
            raise OpError(c.RESULT_PARAMETER_ERROR)
    if offset > len(current):
        current = current + b"\x00" * (offset - len(current))
    return current[:offset] + value + current[offset:]


def _remove(data: bytes, args: list) -> bytes:
    offset, size = _ints(args, 2)
    flags = _flags(args, 2)
    if size <= 0:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    if offset < 0:
        offset += len(data)
    if offset < 0 or offset >= len(data) and not (flags & PARTIAL):
        _fail(flags, c.RESULT_PARAMETER_ERROR)
    if offset + size > len(data):
        if not flags & PARTIAL:
            _fail(flags, c.RESULT_PARAMETER_ERROR)
        size = max(0, len(data) - offset)
    return data[:offset] + data[offset + size :]


def _logic(apply: Callable[[int, int], int]) -> Callable[[bytes, list], bytes]:
    def op(data: bytes, args: list) -> bytes:
        offset, size = _ints(args, 2)
        value = _blob(args[2]) if len(args) > 2 else b""
        flags = _flags(args, 3)
        if size <= 0:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        bits = _value_bits(value, size)
        start, width = _window(len(data), offset, size, flags, True)
        bits >>= size - width
        return _set_bits(data, start, width, apply(_get_bits(data, start, width), bits))

    return op


def _not(data: bytes, args: list) -> bytes:
    offset, size = _ints(args, 2)
    flags = _flags(args, 2)
    if size <= 0:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    start, width = _window(len(data), offset, size, flags, True)
    return _set_bits(data, start, width, ~_get_bits(data, start, width))


def _shift(left: bool) -> Callable[[bytes, list], bytes]:
    def op(data: bytes, args: list) -> bytes:
        offset, size, shift = _ints(args, 3)
        flags = _flags(args, 3)
        if size <= 0 or shift < 0:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        start, width = _window(len(data), offset, size, flags, True)
        bits = _get_bits(data, start, width)
        bits = (bits << shift) if left else (bits >> shift)
        return _set_bits(data, start, width, bits)

    return op


def _math(subtract: bool) -> Callable[[bytes, list], bytes]:
    def op(data: bytes, args: list) -> bytes:
        offset, size, delta = _ints(args, 3)
        flags = _flags(args, 3)
        action = args[4] if len(args) > 4 else 0
        if type(action) is not int or action & ~7 or action & 6 == 6:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        if not 0 < size <= 64 or delta < 0:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        start, width = _window(len(data), offset, size, flags, True)
        if width != size:
            _fail(flags)
        raw = _get_bits(data, start, size)
        signed = bool(action & SIGNED)
        low, high = (-(1 << (size - 1)), (1 << (size - 1)) - 1) if signed else (0, (1 << size) - 1)
        current = raw - (1 << size) if signed and raw >> (size - 1) else raw
        total = current - delta if subtract else current + delta
        if total < low or total > high:
            if action & SATURATE:
                total = low if total < low else high
            elif not action & WRAP:
                _fail(flags)
        return _set_bits(data, start, size, total & ((1 << size) - 1))

    return op


def _set_int(data: bytes, args: list) -> bytes:
    offset, size, value = _ints(args, 3)
    flags = _flags(args, 3)
    if not 0 < size <= 64:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    start, width = _window(len(data), offset, size, flags, True)
    if width != size:
        _fail(flags)
    return _set_bits(data, start, size, value & ((1 << size) - 1))


_MODIFY: dict[int, Callable[[bytes, list], bytes]] = {
    REMOVE: _remove,
    SET: _logic(lambda old, new: new),
    OR: _logic(lambda old, new: old | new),
    XOR: _logic(lambda old, new: old ^ new),
    AND: _logic(lambda old, new: old & new),
    NOT: _not,
    LSHIFT: _shift(True),
    RSHIFT: _shift(False),
    ADD: _math(False),
    SUBTRACT: _math(True),
    SET_INT: _set_int,
}
_FLAGS_INDEX = {RESIZE: 1, INSERT: 2, REMOVE: 2, SET: 3, OR: 3, XOR: 3, AND: 3, NOT: 2, LSHIFT: 3, RSHIFT: 3,
                ADD: 3, SUBTRACT: 3, SET_INT: 3}  # fmt: skip


# --------------------------------------------------------------------------------------------- read ops


def _read_window(data: bytes, args: list) -> tuple[int, int]:
    offset, size = _ints(args, 2)
    if size <= 0:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return _window(len(data), offset, size, 0, False)


def _get(data: bytes, args: list) -> BinValue:
    start, size = _read_window(data, args)
    bits = _get_bits(data, start, size)
    n_bytes = (size + 7) // 8
    return c.PARTICLE_BLOB, (bits << (n_bytes * 8 - size)).to_bytes(n_bytes, "big")


def _count(data: bytes, args: list) -> BinValue:
    start, size = _read_window(data, args)
    return c.PARTICLE_INTEGER, _I64.pack(bin(_get_bits(data, start, size)).count("1"))


def _scan(from_left: bool) -> Callable[[bytes, list], BinValue]:
    def op(data: bytes, args: list) -> BinValue:
        start, size = _read_window(data, args)
        wanted = args[2] if len(args) > 2 else None
        if type(wanted) is not bool:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        bits = _get_bits(data, start, size)
        positions = range(size) if from_left else range(size - 1, -1, -1)
        found = next((i for i in positions if bool((bits >> (size - 1 - i)) & 1) == wanted), -1)
        return c.PARTICLE_INTEGER, _I64.pack(found)

    return op


def _get_int(data: bytes, args: list) -> BinValue:
    offset, size = _ints(args, 2)
    if not 0 < size <= 64:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    start, size = _window(len(data), offset, size, 0, False)
    flags = args[2] if len(args) > 2 else 0
    if type(flags) is not int or flags & ~SIGNED:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    value = _get_bits(data, start, size)
    if flags & SIGNED and value >> (size - 1):
        value -= 1 << size
    return c.PARTICLE_INTEGER, _I64.pack(value if value < 1 << 63 else value - (1 << 64))


_READ: dict[int, Callable[[bytes, list], BinValue]] = {
    GET: _get,
    COUNT: _count,
    LSCAN: _scan(True),
    RSCAN: _scan(False),
    GET_INT: _get_int,
}


# --------------------------------------------------------------------------------------------- entry points


def _request(payload: bytes) -> tuple[int, list]:
    try:
        request = msgpack.unpackb(payload, raw=True, strict_map_key=False)
    except Exception:  # noqa: BLE001 - any decoder failure is a malformed op
        raise OpError(c.RESULT_PARAMETER_ERROR) from None
    if not isinstance(request, list) or not request or type(request[0]) is not int:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return request[0], request[1:]


def apply_bit_op(modify: bool, current: Optional[BinValue], payload: bytes) -> tuple[Optional[BinValue], Optional[BinValue]]:
    """Apply one bit op to a bin (None: missing). Returns (new bin value or None when unchanged, reply value or
    None). Raises OpError with the server's result code."""
    code, args = _request(payload)
    if current is not None and current[0] != c.PARTICLE_BLOB:
        raise OpError(c.RESULT_BIN_TYPE_ERROR)
    if not modify:
        read = _READ.get(code)
        if read is None:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        if current is None:
            return None, None
        return None, read(current[1], args)
    if code not in _MODIFY and code not in (RESIZE, INSERT):
        raise OpError(c.RESULT_PARAMETER_ERROR)
    flags = _flags(args, _FLAGS_INDEX[code])
    if flags & CREATE_ONLY and flags & UPDATE_ONLY:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    try:
        if current is None:
            if code not in (RESIZE, INSERT):
                raise OpError(c.RESULT_BIN_NOT_FOUND)
            if flags & UPDATE_ONLY:
                _fail(flags, c.RESULT_BIN_NOT_FOUND)
            data = _resize(None, args, 1) if code == RESIZE else _insert(None, args)
        else:
            if flags & CREATE_ONLY:
                _fail(flags, c.RESULT_BIN_EXISTS)
            if code == RESIZE:
                data = _resize(current[1], args, 1)
            elif code == INSERT:
                data = _insert(current[1], args)
            else:
                data = _MODIFY[code](current[1], args)
    except _Skip:
        return None, None
    return (c.PARTICLE_BLOB, data), None


def install(cluster: object = None) -> None:
    """Register the bit engine with the local cluster's operation tables."""
    record_ops.register_bin_engine(c.OP_BIT_READ, c.OP_BIT_MODIFY, apply_bit_op)
