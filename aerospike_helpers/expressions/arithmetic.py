"""Arithmetic expressions: add, subtract, multiply, divide, power, log, mod, abs, floor, ceil, conversions,
min and max."""

from __future__ import annotations

from typing import Any

from aerospike.protocol import expressions as wire

from .resources import _BaseExpr

__all__ = ["Abs", "Add", "Ceil", "Div", "Floor", "Log", "Max", "Min", "Mod", "Mul", "Pow", "Sub", "ToFloat",
           "ToInt"]  # fmt: skip

_E = wire.EXP


class _VarArgs(_BaseExpr):
    def __init__(self, *args: Any):
        self._children = args


class _Binary(_BaseExpr):
    def __init__(self, left: Any, right: Any):
        self._children = (left, right)


class _Unary(_BaseExpr):
    def __init__(self, value: Any):
        self._children = (value,)


class Add(_VarArgs):
    """Sum of the arguments (all integers or all floats)."""

    _op = _E.ADD


class Sub(_VarArgs):
    """First argument minus the others; with one argument, its negation."""

    _op = _E.SUB


class Mul(_VarArgs):
    """Product of the arguments."""

    _op = _E.MUL


class Div(_VarArgs):
    """First argument divided by the others; with one argument, its reciprocal."""

    _op = _E.DIV


class Pow(_BaseExpr):
    """base ** exponent (floats)."""

    _op = _E.POW

    def __init__(self, base: Any, exponent: Any):
        self._children = (base, exponent)


class Log(_BaseExpr):
    """Logarithm of num in base (floats)."""

    _op = _E.LOG

    def __init__(self, num: Any, base: Any):
        self._children = (num, base)


class Mod(_BaseExpr):
    """numerator modulo denominator (integers)."""

    _op = _E.MOD

    def __init__(self, numerator: Any, denominator: Any):
        self._children = (numerator, denominator)


class Abs(_Unary):
    """Absolute value."""

    _op = _E.ABS


class Floor(_Unary):
    """Largest integral float not above value."""

    _op = _E.FLOOR


class Ceil(_Unary):
    """Smallest integral float not below value."""

    _op = _E.CEIL


class ToInt(_Unary):
    """A float converted to an integer."""

    _op = _E.TO_INT


class ToFloat(_Unary):
    """An integer converted to a float."""

    _op = _E.TO_FLOAT


class Min(_VarArgs):
    """The smallest argument."""

    _op = _E.MIN


class Max(_VarArgs):
    """The largest argument."""

    _op = _E.MAX
