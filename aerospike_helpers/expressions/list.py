"""List expressions: reads and writes of list bins (or of list expressions), with optional CDT contexts.

Each class is a CDT call on the wire. Writes return the modified bin; reads return what their return type
asks for (LIST_RETURN_*; ``inverted=True`` selects everything but the matched elements).
"""

from __future__ import annotations

from typing import Any, Optional

from aerospike.protocol import expressions as wire

from .base import ListBin
from .resources import ResultType, ReturnType, _BaseExpr, _CallExpr, _modify_type, _read_type

__all__ = [
    "InList", "ListJoin", "ReturnType", "ListAppend", "ListAppendItems", "ListClear", "ListGetByIndex", "ListGetByIndexRange",
    "ListGetByIndexRangeToEnd", "ListGetByRank", "ListGetByRankRange", "ListGetByRankRangeToEnd",
    "ListGetByValue", "ListGetByValueList", "ListGetByValueRange", "ListGetByValueRelRankRange",
    "ListGetByValueRelRankRangeToEnd", "ListIncrement", "ListInsert", "ListInsertItems", "ListRemoveByIndex",
    "ListRemoveByIndexRange", "ListRemoveByIndexRangeToEnd", "ListRemoveByRank", "ListRemoveByRankRange",
    "ListRemoveByRankRangeToEnd", "ListRemoveByValue", "ListRemoveByValueList", "ListRemoveByValueRange",
    "ListRemoveByValueRelRankRange", "ListRemoveByValueRelRankToEnd", "ListSet", "ListSize", "ListSort",
]  # fmt: skip

_L = wire.LIST_OP
_INVERTED = 0x10000
_RETURN_NONE = 0


def _bin(bin: Any) -> _BaseExpr:
    return bin if isinstance(bin, _BaseExpr) else ListBin(bin)


def _flags(inverted: bool) -> int:
    return _INVERTED if inverted else _RETURN_NONE


def _return(return_type: int, inverted: bool) -> int:
    return return_type | _INVERTED if inverted else return_type


class _ListRead(_CallExpr):
    def _read(self, ctx, op, return_type, args, bin, multi=True, value_type=None):
        rt = _read_type(return_type, multi, value_type)
        self._call(wire.CALL_CDT, op, rt, (return_type, *args), _bin(bin), ctx)


class _ListWrite(_CallExpr):
    def _write(self, ctx, op, args, bin):
        self._call(wire.CALL_CDT | wire.CALL_MODIFY, op, _modify_type(ctx, ResultType.LIST), args, _bin(bin), ctx)


def _create_policy(policy: Optional[dict]) -> tuple:
    """[order, flags] after the arguments of append/append_items/increment when a policy is given."""
    if policy is None:
        return ()
    return (policy.get("list_order", 0), policy.get("write_flags", 0))


def _update_policy(policy: Optional[dict]) -> tuple:
    """[flags] after the arguments of insert/insert_items/set when a policy is given."""
    if policy is None:
        return ()
    return (policy.get("write_flags", 0),)


# ---------------------------------------------------------------------------------------------- writes


class ListAppend(_ListWrite):
    """Append `value` to the list."""

    def __init__(self, ctx: Optional[list], policy: Optional[dict], value: Any, bin: Any):
        self._write(ctx, _L.APPEND, (value, *_create_policy(policy)), bin)


class ListAppendItems(_ListWrite):
    """Append the items of `value` to the list."""

    def __init__(self, ctx: Optional[list], policy: Optional[dict], value: Any, bin: Any):
        self._write(ctx, _L.APPEND_ITEMS, (value, *_create_policy(policy)), bin)


class ListInsert(_ListWrite):
    """Insert `value` at `index`."""

    def __init__(self, ctx: Optional[list], policy: Optional[dict], index: Any, value: Any, bin: Any):
        self._write(ctx, _L.INSERT, (index, value, *_update_policy(policy)), bin)


class ListInsertItems(_ListWrite):
    """Insert the items of `values` at `index`."""

    def __init__(self, ctx: Optional[list], policy: Optional[dict], index: Any, values: Any, bin: Any):
        self._write(ctx, _L.INSERT_ITEMS, (index, values, *_update_policy(policy)), bin)


class ListIncrement(_ListWrite):
    """Add `value` to the number at `index`."""

    def __init__(self, ctx: Optional[list], policy: Optional[dict], index: Any, value: Any, bin: Any):
        self._write(ctx, _L.INCREMENT, (index, value, *_create_policy(policy)), bin)


class ListSet(_ListWrite):
    """Set the element at `index` to `value`."""

    def __init__(self, ctx: Optional[list], policy: Optional[dict], index: Any, value: Any, bin: Any):
        self._write(ctx, _L.SET, (index, value, *_update_policy(policy)), bin)


class ListClear(_ListWrite):
    """Remove every element."""

    def __init__(self, ctx: Optional[list], bin: Any):
        self._write(ctx, _L.CLEAR, (), bin)


class ListSort(_ListWrite):
    """Sort the list (LIST_SORT_* flags)."""

    def __init__(self, ctx: Optional[list], order: int, bin: Any):
        self._write(ctx, _L.SORT, (order,), bin)


class ListRemoveByValue(_ListWrite):
    """Remove the elements equal to `value`."""

    def __init__(self, ctx: Optional[list], value: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _L.REMOVE_ALL_BY_VALUE, (_flags(inverted), value), bin)


class ListRemoveByValueList(_ListWrite):
    """Remove the elements equal to any of `values`."""

    def __init__(self, ctx: Optional[list], values: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _L.REMOVE_BY_VALUE_LIST, (_flags(inverted), values), bin)


class ListRemoveByValueRange(_ListWrite):
    """Remove the elements with begin <= value < end (end None: no upper bound)."""

    def __init__(self, ctx: Optional[list], begin: Any, end: Any, bin: Any, inverted: bool = False):
        end = wire.Infinity() if end is None else end
        self._write(ctx, _L.REMOVE_BY_VALUE_INTERVAL, (_flags(inverted), begin, end), bin)


class ListRemoveByValueRelRankToEnd(_ListWrite):
    """Remove the elements from the given rank relative to `value` to the end."""

    def __init__(self, ctx: Optional[list], value: Any, rank: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _L.REMOVE_BY_VALUE_REL_RANK_RANGE, (_flags(inverted), value, rank), bin)


class ListRemoveByValueRelRankRange(_ListWrite):
    """Remove `count` elements from the given rank relative to `value`."""

    def __init__(self, ctx: Optional[list], value: Any, rank: Any, count: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _L.REMOVE_BY_VALUE_REL_RANK_RANGE, (_flags(inverted), value, rank, count), bin)


class ListRemoveByIndex(_ListWrite):
    """Remove the element at `index`."""

    def __init__(self, ctx: Optional[list], index: Any, bin: Any):
        self._write(ctx, _L.REMOVE_BY_INDEX, (_RETURN_NONE, index), bin)


class ListRemoveByIndexRangeToEnd(_ListWrite):
    """Remove the elements from `index` to the end."""

    def __init__(self, ctx: Optional[list], index: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _L.REMOVE_BY_INDEX_RANGE, (_flags(inverted), index), bin)


class ListRemoveByIndexRange(_ListWrite):
    """Remove `count` elements from `index`."""

    def __init__(self, ctx: Optional[list], index: Any, count: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _L.REMOVE_BY_INDEX_RANGE, (_flags(inverted), index, count), bin)


class ListRemoveByRank(_ListWrite):
    """Remove the element of rank `rank`."""

    def __init__(self, ctx: Optional[list], rank: Any, bin: Any):
        self._write(ctx, _L.REMOVE_BY_RANK, (_RETURN_NONE, rank), bin)


class ListRemoveByRankRangeToEnd(_ListWrite):
    """Remove the elements from rank `rank` up."""

    def __init__(self, ctx: Optional[list], rank: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _L.REMOVE_BY_RANK_RANGE, (_flags(inverted), rank), bin)


class ListRemoveByRankRange(_ListWrite):
    """Remove `count` elements from rank `rank`."""

    def __init__(self, ctx: Optional[list], rank: Any, count: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _L.REMOVE_BY_RANK_RANGE, (_flags(inverted), rank, count), bin)


# ----------------------------------------------------------------------------------------------- reads


class ListSize(_CallExpr):
    """Number of elements."""

    def __init__(self, ctx: Optional[list], bin: Any):
        self._call(wire.CALL_CDT, _L.SIZE, ResultType.INTEGER, (), _bin(bin), ctx)


class ListGetByValue(_ListRead):
    """Elements equal to `value`."""

    def __init__(self, ctx: Optional[list], return_type: int, value: Any, bin: Any, inverted: bool = False):
        self._read(ctx, _L.GET_ALL_BY_VALUE, _return(return_type, inverted), (value,), bin)


class ListGetByValueRange(_ListRead):
    """Elements with value_begin <= value < value_end."""

    def __init__(self, ctx: Optional[list], return_type: int, value_begin: Any, value_end: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _L.GET_BY_VALUE_INTERVAL, _return(return_type, inverted), (value_begin, value_end), bin)


class ListGetByValueList(_ListRead):
    """Elements equal to any of `value` (a list)."""

    def __init__(self, ctx: Optional[list], return_type: int, value: Any, bin: Any, inverted: bool = False):
        self._read(ctx, _L.GET_BY_VALUE_LIST, _return(return_type, inverted), (value,), bin)


class ListGetByValueRelRankRangeToEnd(_ListRead):
    """Elements from the given rank relative to `value` to the end."""

    def __init__(self, ctx: Optional[list], return_type: int, value: Any, rank: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _L.GET_BY_VALUE_REL_RANK_RANGE, _return(return_type, inverted), (value, rank), bin)


class ListGetByValueRelRankRange(_ListRead):
    """`count` elements from the given rank relative to `value`."""

    def __init__(self, ctx: Optional[list], return_type: int, value: Any, rank: Any, count: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _L.GET_BY_VALUE_REL_RANK_RANGE, _return(return_type, inverted), (value, rank, count), bin)


class ListGetByIndex(_ListRead):
    """The element at `index`, as `value_type`."""

    def __init__(self, ctx: Optional[list], return_type: int, value_type: int, index: Any, bin: Any):
        self._read(ctx, _L.GET_BY_INDEX, return_type, (index,), bin, multi=False, value_type=value_type)


class ListGetByIndexRangeToEnd(_ListRead):
    """Elements from `index` to the end."""

    def __init__(self, ctx: Optional[list], return_type: int, index: Any, bin: Any, inverted: bool = False):
        self._read(ctx, _L.GET_BY_INDEX_RANGE, _return(return_type, inverted), (index,), bin)


class ListGetByIndexRange(_ListRead):
    """`count` elements from `index`."""

    def __init__(self, ctx: Optional[list], return_type: int, index: Any, count: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _L.GET_BY_INDEX_RANGE, _return(return_type, inverted), (index, count), bin)


class ListGetByRank(_ListRead):
    """The element of rank `rank`, as `value_type`."""

    def __init__(self, ctx: Optional[list], return_type: int, value_type: int, rank: Any, bin: Any):
        self._read(ctx, _L.GET_BY_RANK, return_type, (rank,), bin, multi=False, value_type=value_type)


class ListGetByRankRangeToEnd(_ListRead):
    """Elements from rank `rank` up."""

    def __init__(self, ctx: Optional[list], return_type: int, rank: Any, bin: Any, inverted: bool = False):
        self._read(ctx, _L.GET_BY_RANK_RANGE, _return(return_type, inverted), (rank,), bin)


class ListGetByRankRange(_ListRead):
    """`count` elements from rank `rank`."""

    def __init__(self, ctx: Optional[list], return_type: int, rank: Any, count: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _L.GET_BY_RANK_RANGE, _return(return_type, inverted), (rank, count), bin)


class InList(_BaseExpr):
    """Whether `value` (a value or an expression) is an element of the list `bin`."""

    _op = wire.EXP.IN_LIST
    _rt = ResultType.BOOLEAN

    def __init__(self, value: Any, bin: Any):
        self._children = (value, _bin(bin))


class ListJoin(_CallExpr):
    """The string items of the list joined into one string, with `separator` between them (none when None)."""

    def __init__(self, ctx: Optional[list], separator: Optional[str], bin: Any):
        args = () if separator is None else (separator,)
        self._call(wire.CALL_CDT, _L.JOIN, ResultType.STRING, args, _bin(bin), ctx)
