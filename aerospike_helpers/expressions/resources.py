"""What every expression class shares: the node, its compilation, and the keys of its fixed arguments.

An expression is a tree of nodes. ``compile()`` flattens it to the documented compiled form, a pre-order list
of ``(op, result_type, fixed, child_count)`` tuples, which policies (``'expressions'``) and expression
operations take and ``aerospike.protocol.expressions.encode_expression`` writes to the wire. Plain Python
values among the children become value entries.
"""

from __future__ import annotations

from itertools import chain  # noqa: F401 - a public name of 19.x's module
from typing import Any, Dict, List, Optional, Tuple, Union

from aerospike.protocol import expressions as wire

__all__ = ["ResultType", "ReturnType", "TypeExpression"]


class _Keys:
    VALUE_TYPE_KEY = "value_type"
    BIN_KEY = "bin"
    RETURN_TYPE_KEY = "return_type"
    CTX_KEY = "ctx"
    VALUE_KEY = "val"
    LIST_POLICY_KEY = "list_policy"
    MAP_POLICY_KEY = "map_policy"
    LIST_ORDER_KEY = "list_order"
    REGEX_OPTIONS_KEY = "regex_options"


class ResultType:
    """Types an expression can return (the ``value_type`` of single-value CDT reads)."""

    NIL = wire.TYPE_NIL
    BOOLEAN = wire.TYPE_BOOL
    INTEGER = wire.TYPE_INT
    STRING = wire.TYPE_STRING
    LIST = wire.TYPE_LIST
    MAP = wire.TYPE_MAP
    BLOB = wire.TYPE_BLOB
    FLOAT = wire.TYPE_FLOAT
    GEOJSON = wire.TYPE_GEO
    HLL = wire.TYPE_HLL


class ReturnType:
    """The inverted bit of list and map return types (the C client has it, the ``aerospike`` module not)."""

    LIST_RETURN_INVERTED = 0x10000
    MAP_RETURN_INVERTED = 0x10000


TypeResultType = Optional[int]
TypeFixed = Optional[Dict[str, Any]]
TypeCompiledOp = Tuple[int, TypeResultType, TypeFixed, int]
TypeExpression = List[TypeCompiledOp]


class _AtomExpr:
    """Root of the expression classes."""


class _BaseExpr(_AtomExpr):
    """One expression node: op, result type, fixed arguments and child expressions (or plain values)."""

    _op: int = 0
    _rt: TypeResultType = None
    _fixed: TypeFixed = None
    _children: tuple = ()

    def _get_op(self) -> TypeCompiledOp:
        return (self._op, self._rt, self._fixed, len(self._children))

    def compile(self) -> TypeExpression:
        """The compiled expression, to pass as a policy's ``expressions`` or to an expression operation."""
        compiled: TypeExpression = []
        pending: list = [self]
        while pending:
            item = pending.pop()
            if isinstance(item, _BaseExpr):
                compiled.append(item._get_op())
                pending.extend(reversed(item._children))
            else:
                compiled.append((wire.VAL, None, {_Keys.VALUE_KEY: item}, 0))
        return compiled

    # Arithmetic operators build arithmetic expressions; chains of one operator stay one flat node.
    def _flat(self, right: Any, op: int) -> _BaseExpr:
        left = self._children if self._op == op and type(self) is _OperatorExpr else (self,)
        if isinstance(right, _BaseExpr) and right._op == op and type(right) is _OperatorExpr:
            rights = right._children
        else:
            rights = (right,)
        return _OperatorExpr(op, (*left, *rights))

    def __add__(self, right: Any) -> _BaseExpr:
        return self._flat(right, wire.EXP.ADD)

    def __sub__(self, right: Any) -> _BaseExpr:
        return self._flat(right, wire.EXP.SUB)

    def __mul__(self, right: Any) -> _BaseExpr:
        return self._flat(right, wire.EXP.MUL)

    def __truediv__(self, right: Any) -> _BaseExpr:
        return self._flat(right, wire.EXP.DIV)

    def __floordiv__(self, right: Any) -> _BaseExpr:
        return _OperatorExpr(wire.EXP.FLOOR, (self.__truediv__(right),))

    def __pow__(self, right: Any) -> _BaseExpr:
        return _OperatorExpr(wire.EXP.POW, (self, right))

    def __mod__(self, right: Any) -> _BaseExpr:
        return _OperatorExpr(wire.EXP.MOD, (self, right))

    def __abs__(self) -> _BaseExpr:
        return _OperatorExpr(wire.EXP.ABS, (self,))

    def __floor__(self) -> _BaseExpr:
        return _OperatorExpr(wire.EXP.FLOOR, (self,))

    def __ceil__(self) -> _BaseExpr:
        return _OperatorExpr(wire.EXP.CEIL, (self,))


class _OperatorExpr(_BaseExpr):
    def __init__(self, op: int, children: tuple) -> None:
        self._op = op
        self._children = children


class _GenericExpr(_BaseExpr):
    def __init__(self, op: int, rt: TypeResultType, fixed: TypeFixed) -> None:
        self._op = op
        self._rt = rt
        self._fixed = fixed


# ------------------------------------------------------------------------------ CDT, bit and HLL calls

_INVERTED = 0x10000
_RETURN_INDEX_LIKE = frozenset((1, 2, 3, 4))  # INDEX, REVERSE_INDEX, RANK, REVERSE_RANK
_RETURN_COUNT = 5
_RETURN_KEY = 6
_RETURN_VALUE = 7
_RETURN_KEY_VALUE = 8
_RETURN_EXISTS = 13
_RETURN_MAPS = frozenset((_RETURN_KEY_VALUE, 16, 17))  # KEY_VALUE, UNORDERED_MAP, ORDERED_MAP


def _read_type(return_type: int, multi: bool, value_type: Optional[int] = None) -> int:
    """The result type of a CDT read with `return_type` (one element, or `multi` elements)."""
    if not multi and value_type is not None:
        return value_type  # a single-element read returns what the caller says it is
    kind = return_type & ~_INVERTED
    if kind in _RETURN_INDEX_LIKE:
        return wire.TYPE_LIST if multi else wire.TYPE_INT
    if kind == _RETURN_COUNT:
        return wire.TYPE_INT
    if kind in (_RETURN_VALUE, _RETURN_KEY):
        return wire.TYPE_LIST if multi else (value_type if value_type is not None else wire.TYPE_NIL)
    if kind in _RETURN_MAPS:
        return wire.TYPE_MAP
    if kind == _RETURN_EXISTS:
        return wire.TYPE_BOOL
    return wire.TYPE_NIL


def _modify_type(ctx: Optional[list], own_type: int) -> int:
    """A CDT write returns the bin: a list or a map, decided by the outermost context when there is one."""
    if ctx:
        first = ctx[0]
        ctx_id = first[0] if isinstance(first, tuple) else getattr(first, "id", 0)
        return wire.TYPE_LIST if ctx_id & 0x10 else wire.TYPE_MAP
    return own_type


class _CallExpr(_BaseExpr):
    """A CDT, bit or HLL read or write: ``[127, type, module, [op, args...], bin]`` on the wire."""

    def _call(self, module: int, op: int, rt: int, args: tuple, bin_expr: Any, ctx: Optional[list] = None) -> None:
        self._op = wire.EXP.CALL
        self._rt = rt
        fixed: dict = {"module": module, "call": op}
        if ctx:
            fixed[_Keys.CTX_KEY] = list(ctx)
        self._fixed = fixed
        self._children = (*args, bin_expr)


TypeBinName = Union[str, _BaseExpr]
