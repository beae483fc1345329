"""Integer bitwise expressions: and, or, xor, not, shifts, bit count and bit scans."""

from __future__ import annotations

from typing import Any

from aerospike.protocol import expressions as wire

from .resources import ResultType, _BaseExpr

__all__ = ["IntAnd", "IntArithmeticRightShift", "IntCount", "IntLeftScan", "IntLeftShift", "IntNot", "IntOr",
           "IntRightScan", "IntRightShift", "IntXOr"]  # fmt: skip

_E = wire.EXP


class _IntExpr(_BaseExpr):
    _rt = ResultType.INTEGER


class _VarArgs(_IntExpr):
    def __init__(self, *exprs: Any):
        self._children = exprs


class IntAnd(_VarArgs):
    """Bitwise and of integers."""

    _op = _E.INT_AND


class IntOr(_VarArgs):
    """Bitwise or of integers."""

    _op = _E.INT_OR


class IntXOr(_VarArgs):
    """Bitwise xor of integers."""

    _op = _E.INT_XOR


class IntNot(_IntExpr):
    """Bitwise not of an integer."""

    _op = _E.INT_NOT

    def __init__(self, expr: Any):
        self._children = (expr,)


class _Shift(_IntExpr):
    def __init__(self, value: Any, shift: Any):
        self._children = (value, shift)


class IntLeftShift(_Shift):
    """value << shift."""

    _op = _E.INT_LSHIFT


class IntRightShift(_Shift):
    """Logical right shift."""

    _op = _E.INT_RSHIFT


class IntArithmeticRightShift(_Shift):
    """Arithmetic (sign-extending) right shift."""

    _op = _E.INT_ARSHIFT


class IntCount(_IntExpr):
    """Number of set bits."""

    _op = _E.INT_COUNT

    def __init__(self, value: Any):
        self._children = (value,)


class _Scan(_IntExpr):
    def __init__(self, value: Any, search: Any):
        self._children = (value, search)


class IntLeftScan(_Scan):
    """Index of the first bit equal to `search`, from the most significant bit (-1: none)."""

    _op = _E.INT_LSCAN


class IntRightScan(_Scan):
    """Index of the last bit equal to `search` (-1: none)."""

    _op = _E.INT_RSCAN
