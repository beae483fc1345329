"""Bit operations on bytes bins. Offsets and sizes are in bits unless the name says bytes."""

from __future__ import annotations

import warnings
from typing import Any, Optional

import aerospike

__all__ = ["bit_add", "bit_and", "bit_b64_encode", "bit_count", "bit_get", "bit_get_int", "bit_insert", "bit_lscan", "bit_lshift",
           "bit_not", "bit_or", "bit_remove", "bit_resize", "bit_rscan", "bit_rshift", "bit_set", "bit_set_int",
           "bit_subtract", "bit_xor"]  # fmt: skip


# The operation dicts' keys, as 19.x names them.
BIN_KEY = "bin"
BYTE_SIZE_KEY = "byte_size"
BYTE_OFFSET_KEY = "byte_offset"
BIT_OFFSET_KEY = "bit_offset"
BIT_SIZE_KEY = "bit_size"
VALUE_BYTE_SIZE_KEY = "value_byte_size"
VALUE_KEY = "value"
COUNT_KEY = "count"
INDEX_KEY = "index"
KEY_KEY = "key"
OFFSET_KEY = "offset"
OP_KEY = "op"
POLICY_KEY = "policy"
RESIZE_FLAGS_KEY = "resize_flags"
SIGN_KEY = "sign"
ACTION_KEY = "action"

# bit_b64_encode's code (19.x's private _OP_BIT_B64_ENCODE); CE 8.1 refuses the operation (code 4).
_OP_BIT_B64_ENCODE = 2018


def _deprecated_size() -> None:
    warnings.warn("value_byte_size is deprecated and will be removed in the next major client release",
                  DeprecationWarning, stacklevel=3)


def bit_resize(bin_name: str, byte_size: int, policy: Optional[dict] = None, resize_flags: int = 0) -> dict:
    """Resize the bytes to `byte_size` (BIT_RESIZE_* flags)."""
    return {"op": aerospike.OP_BIT_RESIZE, "bin": bin_name, "policy": policy, "resize_flags": resize_flags,
            "byte_size": byte_size}


def bit_remove(bin_name: str, byte_offset: int, byte_size: int, policy: Optional[dict] = None) -> dict:
    """Remove `byte_size` bytes at `byte_offset`."""
    return {"op": aerospike.OP_BIT_REMOVE, "bin": bin_name, "policy": policy, "byte_offset": byte_offset,
            "byte_size": byte_size}


def _value_op(code: int, bin_name: str, bit_offset: int, bit_size: int, value_byte_size: Any, value: Any,
              policy: Optional[dict]) -> dict:
    return {"op": code, "bin": bin_name, "policy": policy, "bit_offset": bit_offset, "bit_size": bit_size,
            "value_byte_size": value_byte_size, "value": value}


def bit_set(bin_name: str, bit_offset: int, bit_size: int, value_byte_size: Any, value: Any,
            policy: Optional[dict] = None) -> dict:
    """Overwrite `bit_size` bits at `bit_offset` with the bits of `value`."""
    _deprecated_size()
    return _value_op(aerospike.OP_BIT_SET, bin_name, bit_offset, bit_size, value_byte_size, value, policy)


def bit_and(bin_name: str, bit_offset: int, bit_size: int, value_byte_size: Any, value: Any,
            policy: Optional[dict] = None) -> dict:
    """And `value` into the bits at `bit_offset`."""
    _deprecated_size()
    return _value_op(aerospike.OP_BIT_AND, bin_name, bit_offset, bit_size, value_byte_size, value, policy)


def bit_or(bin_name: str, bit_offset: int, bit_size: int, value_byte_size: Any, value: Any,
           policy: Optional[dict] = None) -> dict:
    """Or `value` into the bits at `bit_offset`."""
    _deprecated_size()
    return _value_op(aerospike.OP_BIT_OR, bin_name, bit_offset, bit_size, value_byte_size, value, policy)


def bit_xor(bin_name: str, bit_offset: int, bit_size: int, value_byte_size: Any, value: Any,
            policy: Optional[dict] = None) -> dict:
    """Xor `value` into the bits at `bit_offset`."""
    _deprecated_size()
    return _value_op(aerospike.OP_BIT_XOR, bin_name, bit_offset, bit_size, value_byte_size, value, policy)


def bit_set_int(bin_name: str, bit_offset: int, bit_size: int, value: int, policy: Optional[dict] = None) -> dict:
    """Write the integer `value` into `bit_size` bits at `bit_offset`."""
    return {"op": aerospike.OP_BIT_SET_INT, "bin": bin_name, "policy": policy, "bit_offset": bit_offset,
            "bit_size": bit_size, "value": value}


def bit_count(bin_name: str, bit_offset: int, bit_size: int) -> dict:
    """Number of set bits among `bit_size` bits at `bit_offset`."""
    return {"op": aerospike.OP_BIT_COUNT, "bin": bin_name, "bit_offset": bit_offset, "bit_size": bit_size}


def _math(code: int, bin_name: str, bit_offset: int, bit_size: int, value: int, sign: bool, action: int,
          policy: Optional[dict]) -> dict:
    return {"op": code, "bin": bin_name, "policy": policy, "bit_offset": bit_offset, "bit_size": bit_size,
            "value": value, "sign": sign, "action": action}


def bit_add(bin_name: str, bit_offset: int, bit_size: int, value: int, sign: bool, action: int,
            policy: Optional[dict] = None) -> dict:
    """Add `value` to the integer in the bits (BIT_OVERFLOW_* action on overflow)."""
    return _math(aerospike.OP_BIT_ADD, bin_name, bit_offset, bit_size, value, sign, action, policy)


def bit_subtract(bin_name: str, bit_offset: int, bit_size: int, value: int, sign: bool, action: int,
                 policy: Optional[dict] = None) -> dict:
    """Subtract `value` from the integer in the bits (BIT_OVERFLOW_* action on underflow)."""
    return _math(aerospike.OP_BIT_SUBTRACT, bin_name, bit_offset, bit_size, value, sign, action, policy)


def bit_get(bin_name: str, bit_offset: int, bit_size: int) -> dict:
    """`bit_size` bits at `bit_offset`, as bytes."""
    return {"op": aerospike.OP_BIT_GET, "bin": bin_name, "bit_offset": bit_offset, "bit_size": bit_size}


def bit_get_int(bin_name: str, bit_offset: int, bit_size: int, sign: bool) -> dict:
    """The integer in `bit_size` bits at `bit_offset`."""
    return {"op": aerospike.OP_BIT_GET_INT, "bin": bin_name, "bit_offset": bit_offset, "bit_size": bit_size,
            "sign": sign}


def bit_insert(bin_name: str, byte_offset: int, value_byte_size: Any, value: Any,
               policy: Optional[dict] = None) -> dict:
    """Insert the bytes `value` at `byte_offset`."""
    _deprecated_size()
    return {"op": aerospike.OP_BIT_INSERT, "bin": bin_name, "byte_offset": byte_offset,
            "value_byte_size": value_byte_size, "value": value, "policy": policy}


def bit_lscan(bin_name: str, bit_offset: int, bit_size: int, value: bool) -> dict:
    """Offset of the first bit equal to `value` from the left (-1: none)."""
    return {"op": aerospike.OP_BIT_LSCAN, "bin": bin_name, "bit_offset": bit_offset, "bit_size": bit_size,
            "value": value}


def bit_rscan(bin_name: str, bit_offset: int, bit_size: int, value: bool) -> dict:
    """Offset of the first bit equal to `value` from the right (-1: none)."""
    return {"op": aerospike.OP_BIT_RSCAN, "bin": bin_name, "bit_offset": bit_offset, "bit_size": bit_size,
            "value": value}


def bit_lshift(bin_name: str, bit_offset: int, bit_size: int, shift: int, policy: Optional[dict] = None) -> dict:
    """Shift the bits left by `shift`."""
    return {"op": aerospike.OP_BIT_LSHIFT, "bin": bin_name, "bit_offset": bit_offset, "bit_size": bit_size,
            "value": shift, "policy": policy}


def bit_rshift(bin_name: str, bit_offset: int, bit_size: int, shift: int, policy: Optional[dict] = None) -> dict:
    """Shift the bits right by `shift`."""
    return {"op": aerospike.OP_BIT_RSHIFT, "bin": bin_name, "bit_offset": bit_offset, "bit_size": bit_size,
            "value": shift, "policy": policy}


def bit_not(bin_name: str, bit_offset: int, bit_size: int, policy: Optional[dict] = None) -> dict:
    """Negate the bits."""
    return {"op": aerospike.OP_BIT_NOT, "bin": bin_name, "bit_offset": bit_offset, "bit_size": bit_size,
            "policy": policy}


def bit_b64_encode(bin_name: str, byte_offset: int = 0, byte_size: Optional[int] = None,
                   invert_size: bool = False, ctx: Optional[list] = None) -> dict:
    """The blob's bytes as base64: `byte_size` bytes from `byte_offset` (to the end when None;
    `invert_size` counts back from the end). Needs server 8.2; 8.1 refuses it (InvalidRequest)."""
    return {"op": _OP_BIT_B64_ENCODE, "bin": bin_name, "byte_offset": byte_offset, "byte_size": byte_size,
            "invert_size": invert_size, "ctx": ctx}
