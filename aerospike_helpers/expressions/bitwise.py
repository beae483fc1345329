"""Bit expressions: reads and writes of blob bins (or blob expressions), as bit calls on the wire."""

from __future__ import annotations

from typing import Any, Optional

from aerospike.protocol import expressions as wire

from .base import BlobBin
from .resources import ResultType, _BaseExpr, _CallExpr

__all__ = ["BitAdd", "BitAnd", "BitB64Encode", "BitCount", "BitGet", "BitGetInt", "BitInsert", "BitLeftScan", "BitLeftShift",
           "BitNot", "BitOr", "BitRemove", "BitResize", "BitRightScan", "BitRightShift", "BitSet", "BitSetInt",
           "BitSubtract", "BitXor"]  # fmt: skip


def _bin(bin: Any) -> _BaseExpr:
    return bin if isinstance(bin, _BaseExpr) else BlobBin(bin)


def _policy_flags(policy: Optional[dict]) -> int:
    return policy.get("bit_write_flags", 0) if policy is not None else 0


class _BitWrite(_CallExpr):
    def _write(self, op: int, args: tuple, bin: Any) -> None:
        self._call(wire.CALL_BIT | wire.CALL_MODIFY, op, ResultType.BLOB, args, _bin(bin))


class _BitRead(_CallExpr):
    def _read(self, op: int, rt: int, args: tuple, bin: Any) -> None:
        self._call(wire.CALL_BIT, op, rt, args, _bin(bin))


class BitResize(_BitWrite):
    """Resize the blob to `byte_size` bytes (BIT_RESIZE_* flags)."""

    def __init__(self, policy: Optional[dict], byte_size: Any, flags: Optional[int], bin: Any):
        self._write(wire.BIT_RESIZE, (byte_size, _policy_flags(policy), flags or 0), bin)


class BitInsert(_BitWrite):
    """Insert the bytes `value` at `byte_offset`."""

    def __init__(self, policy: Optional[dict], byte_offset: Any, value: Any, bin: Any):
        self._write(wire.BIT_INSERT, (byte_offset, value, _policy_flags(policy)), bin)


class BitRemove(_BitWrite):
    """Remove `byte_size` bytes at `byte_offset`."""

    def __init__(self, policy: Optional[dict], byte_offset: Any, byte_size: Any, bin: Any):
        self._write(wire.BIT_REMOVE, (byte_offset, byte_size, _policy_flags(policy)), bin)


class _BitValueWrite(_BitWrite):
    _bit_op = 0

    def __init__(self, policy: Optional[dict], bit_offset: Any, bit_size: Any, value: Any, bin: Any):
        self._write(self._bit_op, (bit_offset, bit_size, value, _policy_flags(policy)), bin)


class BitSet(_BitValueWrite):
    """Overwrite `bit_size` bits at `bit_offset` with the bits of `value`."""

    _bit_op = wire.BIT_SET


class BitOr(_BitValueWrite):
    """Or `value` into the bits at `bit_offset`."""

    _bit_op = wire.BIT_OR


class BitXor(_BitValueWrite):
    """Xor `value` into the bits at `bit_offset`."""

    _bit_op = wire.BIT_XOR


class BitAnd(_BitValueWrite):
    """And `value` into the bits at `bit_offset`."""

    _bit_op = wire.BIT_AND


class BitSetInt(_BitValueWrite):
    """Write the integer `value` into `bit_size` bits at `bit_offset`."""

    _bit_op = wire.BIT_SET_INT


class BitNot(_BitWrite):
    """Negate `bit_size` bits at `bit_offset`."""

    def __init__(self, policy: Optional[dict], bit_offset: Any, bit_size: Any, bin: Any):
        self._write(wire.BIT_NOT, (bit_offset, bit_size, _policy_flags(policy)), bin)


class BitLeftShift(_BitValueWrite):
    """Shift `bit_size` bits at `bit_offset` left by `shift`."""

    _bit_op = wire.BIT_LSHIFT

    def __init__(self, policy: Optional[dict], bit_offset: Any, bit_size: Any, shift: Any, bin: Any):
        super().__init__(policy, bit_offset, bit_size, shift, bin)


class BitRightShift(_BitValueWrite):
    """Shift `bit_size` bits at `bit_offset` right by `shift`."""

    _bit_op = wire.BIT_RSHIFT

    def __init__(self, policy: Optional[dict], bit_offset: Any, bit_size: Any, shift: Any, bin: Any):
        super().__init__(policy, bit_offset, bit_size, shift, bin)


class BitAdd(_BitWrite):
    """Add `value` to the integer in `bit_size` bits at `bit_offset` (BIT_OVERFLOW_* action)."""

    def __init__(self, policy: Optional[dict], bit_offset: Any, bit_size: Any, value: Any, action: Any, bin: Any):
        args = (bit_offset, bit_size, value, _policy_flags(policy), action or 0)
        self._write(wire.BIT_ADD, args, bin)


class BitSubtract(_BitWrite):
    """Subtract `value` from the integer in `bit_size` bits at `bit_offset` (BIT_OVERFLOW_* action)."""

    def __init__(self, policy: Optional[dict], bit_offset: Any, bit_size: Any, value: Any, action: Any, bin: Any):
        args = (bit_offset, bit_size, value, _policy_flags(policy), action or 0)
        self._write(wire.BIT_SUBTRACT, args, bin)


class BitGet(_BitRead):
    """`bit_size` bits at `bit_offset`, as bytes."""

    def __init__(self, bit_offset: Any, bit_size: Any, bin: Any):
        self._read(wire.BIT_GET, ResultType.BLOB, (bit_offset, bit_size), bin)


class BitCount(_BitRead):
    """Number of set bits among `bit_size` bits at `bit_offset`."""

    def __init__(self, bit_offset: Any, bit_size: Any, bin: Any):
        self._read(wire.BIT_COUNT, ResultType.INTEGER, (bit_offset, bit_size), bin)


class BitLeftScan(_BitRead):
    """Offset of the first bit equal to `value` (bool), from the left; -1 when none."""

    def __init__(self, bit_offset: Any, bit_size: Any, value: Any, bin: Any):
        self._read(wire.BIT_LSCAN, ResultType.INTEGER, (bit_offset, bit_size, value), bin)


class BitRightScan(_BitRead):
    """Offset of the first bit equal to `value` (bool), from the right; -1 when none."""

    def __init__(self, bit_offset: Any, bit_size: Any, value: Any, bin: Any):
        self._read(wire.BIT_RSCAN, ResultType.INTEGER, (bit_offset, bit_size, value), bin)


class BitGetInt(_BitRead):
    """The integer in `bit_size` bits at `bit_offset` (signed when `sign`)."""

    def __init__(self, bit_offset: Any, bit_size: Any, sign: bool, bin: Any):
        self._read(wire.BIT_GET_INT, ResultType.INTEGER, (bit_offset, bit_size, 1 if sign else 0), bin)


class BitB64Encode(_BitRead):
    """The blob's bytes as base64: `byte_size` bytes from `byte_offset` (all when `byte_size` is None;
    `invert_size` counts back from the end)."""

    def __init__(self, byte_offset: int, byte_size: Optional[int], invert_size: bool, bin: Any):
        args = () if byte_size is None else (byte_offset, byte_size, 1 if invert_size else 0)
        self._read(wire.BIT_B64_ENCODE, ResultType.STRING, args, bin)
