"""Expressions of the current API (19.x) in requests: the filter-expression field and expression operations.

Owns: checking a compiled expression (``expr.compile()`` of ``aerospike_helpers.expressions``) and turning it
into wire bytes with the client's value fallbacks (GeoJSON), for a policy's ``'expressions'`` and for
``OP_EXPR_READ`` / ``OP_EXPR_WRITE`` operation dicts. Must not know sockets or reply parsing.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..exception import ParamError
from ..protocol.constants import OP_EXP_MODIFY, OP_EXP_READ, PARTICLE_BLOB, PARTICLE_GEOJSON
from ..protocol.errors import ProtocolError
from ..protocol.expressions import encode_expression
from ..protocol.message import Op
from ..values import GeoJSON, check_bin_name
from .results import ResultShape

__all__ = ["build_exp_op", "encode_filter", "is_exp_op"]

# Operation codes of the current API (aerospike.OP_EXPR_READ / OP_EXPR_WRITE).
OP_EXPR_READ = 2200
OP_EXPR_WRITE = 2201


def _fallback(value: Any) -> tuple[int, bytes]:
    if isinstance(value, GeoJSON):
        return PARTICLE_GEOJSON, value.dumps().encode("utf-8")
    raise ProtocolError(f"cannot write a value of type {type(value).__name__} in an expression")


def encode_expression_bytes(compiled: Any) -> bytes:
    """The wire bytes of a compiled expression; ParamError when it is not one."""
    try:
        return encode_expression(compiled, _fallback)
    except ProtocolError as error:
        raise ParamError(f"invalid expression: {error}") from None


def encode_filter(compiled: Any) -> bytes:
    """A policy's ``'expressions'`` value as the filter-expression field's bytes."""
    return encode_expression_bytes(compiled)


def is_exp_op(op_code: Any) -> bool:
    """Whether `op_code` is OP_EXPR_READ or OP_EXPR_WRITE."""
    return type(op_code) is int and op_code in (OP_EXPR_READ, OP_EXPR_WRITE)


def build_exp_op(operation: Mapping) -> tuple[Op, ResultShape]:
    """``{'op': OP_EXPR_READ|OP_EXPR_WRITE, 'bin': name, 'expr': compiled, 'expr_flags': flags}`` as an
    operation: value ``[expression, flags]`` (msgpack), the bin named by the operation."""
    op_code = operation.get("op")
    name = operation.get("bin")
    if not isinstance(name, str):
        raise ParamError("Bin name should be of type string")
    check_bin_name(name)
    flags = operation.get("expr_flags", 0)
    if flags is None:
        flags = 0
    if isinstance(flags, bool) or not isinstance(flags, int):
        raise ParamError("expr_flags must be an integer")
    compiled = operation.get("expr")
    if compiled is not None and hasattr(compiled, "compile") and not isinstance(compiled, list):
        compiled = compiled.compile()
    body = encode_expression_bytes(compiled)
    value = b"\x92" + body + _pack_uint(flags)
    is_write = op_code == OP_EXPR_WRITE
    op = Op(OP_EXP_MODIFY if is_write else OP_EXP_READ, PARTICLE_BLOB, name, value)
    # 19.3.0 asks for every op's reply for expression reads too (as the Java and C clients do for EXP_READ).
    return op, ResultShape(int(op_code or 0), is_write=is_write, respond_all_ops=True)


def _pack_uint(value: int) -> bytes:
    import msgpack

    return msgpack.packb(value)
