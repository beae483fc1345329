"""Bit operations of the current API (``aerospike_helpers.operations.bitwise_operations`` dicts) as protocol ops.

Owns: the argument layout of each bit operation on the wire (``[op, args..., policy flags(, action flags)]``
in a blob-typed particle of op type BIT_READ/BIT_MODIFY, as the Java/C clients write them). Must not know
sockets, policies of commands or the reply parser.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..exception import ParamError
from ..protocol import cdt
from ..protocol import expressions as wire
from ..protocol.constants import OP_BIT_MODIFY, OP_BIT_READ, PARTICLE_BLOB
from ..protocol.errors import ProtocolError
from ..protocol.message import Op
from ..values import check_bin_name
from .results import ResultShape

__all__ = ["BIT_BUILDERS", "HLL_BUILDERS", "build_bin_op"]

_SIGNED = 1  # action flags bit: the integer is signed


def _bin(operation: Mapping) -> str:
    name = operation.get("bin")
    if not isinstance(name, str):
        raise ParamError("Bin name should be of type string")
    check_bin_name(name)
    return name


def _int(operation: Mapping, field: str, default: Any = None) -> int:
    value = operation.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"{field} must be an integer")
    return value


def _bytes(operation: Mapping, field: str = "value") -> bytes:
    value = operation.get(field)
    if not isinstance(value, (bytes, bytearray)):
        raise ParamError(f"{field} must be bytes or bytearray")
    return bytes(value)


def _policy_flags(operation: Mapping, key: str = "policy", flag_key: str = "bit_write_flags") -> int:
    policy = operation.get(key)
    if policy is None:
        return 0
    if not isinstance(policy, dict):
        raise ParamError("policy must be a dict")
    flags = policy.get(flag_key, 0)
    if isinstance(flags, bool) or not isinstance(flags, int):
        raise ParamError(f"{flag_key} must be an integer")
    return flags


def _op(op_type: int, name: str, code: int, *args: Any) -> Op:
    try:
        payload = cdt.pack_op(code, *args, bool_as_int=False)
    except ProtocolError as error:
        raise ParamError(str(error)) from None
    return Op(op_type, PARTICLE_BLOB, name, payload)


def _write(code: int, layout: Callable[[Mapping], tuple]) -> Callable[[Mapping], tuple[Op, ResultShape]]:
    def build(operation: Mapping) -> tuple[Op, ResultShape]:
        op = _op(OP_BIT_MODIFY, _bin(operation), code, *layout(operation))
        return op, ResultShape(operation["op"], is_write=True)

    return build


def _read(code: int, layout: Callable[[Mapping], tuple]) -> Callable[[Mapping], tuple[Op, ResultShape]]:
    def build(operation: Mapping) -> tuple[Op, ResultShape]:
        op = _op(OP_BIT_READ, _bin(operation), code, *layout(operation))
        return op, ResultShape(operation["op"], is_write=False)

    return build


def _bits(operation: Mapping) -> tuple:
    return (_int(operation, "bit_offset"), _int(operation, "bit_size"))


def _value_write(operation: Mapping) -> tuple:
    return (*_bits(operation), _bytes(operation), _policy_flags(operation))


def _math(operation: Mapping) -> tuple:
    action = _int(operation, "action", 0)
    flags = action | (_SIGNED if operation.get("sign") else 0)
    return (*_bits(operation), _int(operation, "value"), _policy_flags(operation), flags)


def _get_int(operation: Mapping) -> tuple:
    return (*_bits(operation), _SIGNED) if operation.get("sign") else _bits(operation)


# aerospike.OP_BIT_* -> builder
BIT_BUILDERS: dict[int, Callable[[Mapping], tuple[Op, ResultShape]]] = {
    2000: _write(wire.BIT_RESIZE, lambda o: (_int(o, "byte_size"), _policy_flags(o), _int(o, "resize_flags", 0))),
    2001: _write(wire.BIT_INSERT, lambda o: (_int(o, "byte_offset"), _bytes(o), _policy_flags(o))),
    2002: _write(wire.BIT_REMOVE, lambda o: (_int(o, "byte_offset"), _int(o, "byte_size"), _policy_flags(o))),
    2003: _write(wire.BIT_SET, _value_write),
    2004: _write(wire.BIT_OR, _value_write),
    2005: _write(wire.BIT_XOR, _value_write),
    2006: _write(wire.BIT_AND, _value_write),
    2007: _write(wire.BIT_NOT, lambda o: (*_bits(o), _policy_flags(o))),
    2008: _write(wire.BIT_LSHIFT, lambda o: (*_bits(o), _int(o, "value"), _policy_flags(o))),
    2009: _write(wire.BIT_RSHIFT, lambda o: (*_bits(o), _int(o, "value"), _policy_flags(o))),
    2010: _write(wire.BIT_ADD, _math),
    2011: _write(wire.BIT_SUBTRACT, _math),
    2012: _read(wire.BIT_GET_INT, _get_int),
    2013: _write(wire.BIT_SET_INT, lambda o: (*_bits(o), _int(o, "value"), _policy_flags(o))),
    2014: _read(wire.BIT_GET, _bits),
    2015: _read(wire.BIT_COUNT, _bits),
    2016: _read(wire.BIT_LSCAN, lambda o: (*_bits(o), bool(o.get("value")))),
    2017: _read(wire.BIT_RSCAN, lambda o: (*_bits(o), bool(o.get("value")))),
}


# ------------------------------------------------------------------------------------------------ HLL


class _HLLValue:
    """An HLL value inside an HLL list: written with the HLL particle type."""

    __slots__ = ("payload",)

    def __init__(self, payload: bytes) -> None:
        self.payload = payload


def _hll_fallback(value: Any) -> tuple[int, bytes]:
    if isinstance(value, _HLLValue):
        return 18, value.payload  # PARTICLE_HLL
    raise ProtocolError(f"cannot write a value of type {type(value).__name__} in an HLL operation")


def _hll_op(op_type: int, name: str, code: int, *args: Any) -> Op:
    try:
        payload = cdt.pack_op(code, *args, fallback=_hll_fallback, bool_as_int=False)
    except ProtocolError as error:
        raise ParamError(str(error)) from None
    return Op(op_type, PARTICLE_BLOB, name, payload)


def _hll_list(operation: Mapping) -> list:
    values = operation.get("value_list")
    if not isinstance(values, list):
        raise ParamError("value_list must be a list")
    return [_HLLValue(bytes(item)) if isinstance(item, (bytes, bytearray)) else item for item in values]


def _values(operation: Mapping) -> list:
    values = operation.get("value_list")
    if not isinstance(values, list):
        raise ParamError("value_list must be a list")
    return values


def _hll_flags(operation: Mapping) -> int:
    return _policy_flags(operation, "hll_policy", "flags")


def _hll(code: int, is_write: bool, layout: Callable[[Mapping], tuple]) -> Callable[[Mapping], tuple[Op, ResultShape]]:
    from ..protocol.constants import OP_HLL_MODIFY, OP_HLL_READ

    def build(operation: Mapping) -> tuple[Op, ResultShape]:
        op = _hll_op(OP_HLL_MODIFY if is_write else OP_HLL_READ, _bin(operation), code, *layout(operation))
        return op, ResultShape(operation["op"], is_write=is_write)

    return build


def _bit_counts(operation: Mapping) -> tuple:
    return (_int(operation, "index_bit_count", -1), _int(operation, "mh_bit_count", -1))


# aerospike.OP_HLL_* -> builder
HLL_BUILDERS: dict[int, Callable[[Mapping], tuple[Op, ResultShape]]] = {
    2100: _hll(wire.HLL_ADD, True, lambda o: (_values(o), *_bit_counts(o), _hll_flags(o))),
    2101: _hll(wire.HLL_DESCRIBE, False, lambda o: ()),
    2102: _hll(wire.HLL_FOLD, True, lambda o: (_int(o, "index_bit_count"),)),
    2103: _hll(wire.HLL_COUNT, False, lambda o: ()),
    2104: _hll(wire.HLL_INTERSECT_COUNT, False, lambda o: (_hll_list(o),)),
    2105: _hll(wire.HLL_SIMILARITY, False, lambda o: (_hll_list(o),)),
    2106: _hll(wire.HLL_UNION, False, lambda o: (_hll_list(o),)),
    2107: _hll(wire.HLL_UNION_COUNT, False, lambda o: (_hll_list(o),)),
    2108: _hll(wire.HLL_INIT, True, lambda o: (*_bit_counts(o), _hll_flags(o))),
    2109: _hll(wire.HLL_SET_COUNT, True, lambda o: ()),
    2110: _hll(wire.HLL_SET_UNION, True, lambda o: (_hll_list(o), _hll_flags(o))),
}


def build_bin_op(operation: Mapping) -> tuple[Op, ResultShape]:
    """The protocol op of one bit, HLL or expression operation dict of the current API."""
    code = operation.get("op")
    builder = BIT_BUILDERS.get(code) or HLL_BUILDERS.get(code)  # type: ignore[arg-type]
    if builder is not None:
        return builder(operation)
    from .string_ops import EXTRA_BUILDERS

    builder = EXTRA_BUILDERS.get(code)  # type: ignore[arg-type]
    if builder is not None:
        return builder(operation)
    from .exp_ops import build_exp_op, is_exp_op

    if is_exp_op(code):
        return build_exp_op(operation)
    raise ParamError(f"unknown operation {code!r}")


def is_bin_op(code: Any) -> bool:
    """Whether `code` is an OP_BIT_*, OP_HLL_*, OP_EXPR_*, string or path operation code."""
    return type(code) is int and (
        code in BIT_BUILDERS or code in HLL_BUILDERS or code in (2200, 2201) or code in _EXTRA_CODES
    )


# String operations (1200-1239), bit_b64_encode (2018) and the path operations (2300, 2301): aerospike.ops.string_ops
_EXTRA_CODES = frozenset((*range(1200, 1240), 2018, 2300, 2301))
