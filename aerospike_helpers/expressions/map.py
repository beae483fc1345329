"""Map expressions: reads and writes of map bins (or of map expressions), with optional CDT contexts.

Each class is a CDT call on the wire. Writes return the modified bin; reads return what their return type
asks for (MAP_RETURN_*; ``inverted=True`` selects everything but the matched entries).
"""

from __future__ import annotations

from typing import Any, Optional

from aerospike.protocol import expressions as wire

from .base import MapBin
from .resources import ResultType, ReturnType, _BaseExpr, _CallExpr, _modify_type, _read_type

__all__ = [
    "MapGetKeys", "MapGetValues", "ReturnType",
    "MapClear", "MapGetByIndex", "MapGetByIndexRange", "MapGetByIndexRangeToEnd", "MapGetByKey",
    "MapGetByKeyList", "MapGetByKeyRange", "MapGetByKeyRelIndexRange", "MapGetByKeyRelIndexRangeToEnd",
    "MapGetByRank", "MapGetByRankRange", "MapGetByRankRangeToEnd", "MapGetByValue", "MapGetByValueList",
    "MapGetByValueRange", "MapGetByValueRelRankRange", "MapGetByValueRelRankRangeToEnd", "MapIncrement",
    "MapPut", "MapPutItems", "MapRemoveByIndex", "MapRemoveByIndexRange", "MapRemoveByIndexRangeToEnd",
    "MapRemoveByKey", "MapRemoveByKeyList", "MapRemoveByKeyRange", "MapRemoveByKeyRelIndexRange",
    "MapRemoveByKeyRelIndexRangeToEnd", "MapRemoveByRank", "MapRemoveByRankRange", "MapRemoveByRankRangeToEnd",
    "MapRemoveByValue", "MapRemoveByValueList", "MapRemoveByValueRange", "MapRemoveByValueRelRankRange",
    "MapRemoveByValueRelRankRangeToEnd", "MapSize",
]  # fmt: skip

_M = wire.MAP_OP
_INVERTED = 0x10000
_RETURN_NONE = 0


def _bin(bin: Any) -> _BaseExpr:
    return bin if isinstance(bin, _BaseExpr) else MapBin(bin)


def _flags(inverted: bool) -> int:
    return _INVERTED if inverted else _RETURN_NONE


def _return(return_type: int, inverted: bool) -> int:
    return return_type | _INVERTED if inverted else return_type


def _policy(policy: Optional[dict], with_flags: bool = True) -> tuple:
    """[order(, flags)] after the arguments of put/put_items/increment when a map policy is given."""
    if policy is None:
        return ()
    order = policy.get("map_order", 0)
    return (order, policy.get("map_write_flags", 0)) if with_flags else (order,)


class _MapRead(_CallExpr):
    def _read(self, ctx, op, return_type, args, bin, multi=True, value_type=None):
        rt = _read_type(return_type, multi, value_type)
        self._call(wire.CALL_CDT, op, rt, (return_type, *args), _bin(bin), ctx)


class _MapWrite(_CallExpr):
    def _write(self, ctx, op, args, bin):
        self._call(wire.CALL_CDT | wire.CALL_MODIFY, op, _modify_type(ctx, ResultType.MAP), args, _bin(bin), ctx)


# ---------------------------------------------------------------------------------------------- writes


class MapPut(_MapWrite):
    """Put `key`: `value` into the map."""

    def __init__(self, ctx: Optional[list], policy: Optional[dict], key: Any, value: Any, bin: Any):
        self._write(ctx, _M.PUT, (key, value, *_policy(policy)), bin)


class MapPutItems(_MapWrite):
    """Put every entry of `map` into the map."""

    def __init__(self, ctx: Optional[list], policy: Optional[dict], map: Any, bin: Any):
        self._write(ctx, _M.PUT_ITEMS, (map, *_policy(policy)), bin)


class MapIncrement(_MapWrite):
    """Add `value` to the number at `key`."""

    def __init__(self, ctx: Optional[list], policy: Optional[dict], key: Any, value: Any, bin: Any):
        self._write(ctx, _M.INCREMENT, (key, value, *_policy(policy, with_flags=False)), bin)


class MapClear(_MapWrite):
    """Remove every entry."""

    def __init__(self, ctx: Optional[list], bin: Any):
        self._write(ctx, _M.CLEAR, (), bin)


class MapRemoveByKey(_MapWrite):
    """Remove the entry of `key`."""

    def __init__(self, ctx: Optional[list], key: Any, bin: Any):
        self._write(ctx, _M.REMOVE_BY_KEY, (_RETURN_NONE, key), bin)


class MapRemoveByKeyList(_MapWrite):
    """Remove the entries of `keys`."""

    def __init__(self, ctx: Optional[list], keys: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_BY_KEY_LIST, (_flags(inverted), keys), bin)


class MapRemoveByKeyRange(_MapWrite):
    """Remove the entries with begin <= key < end (end None: no upper bound)."""

    def __init__(self, ctx: Optional[list], begin: Any, end: Any, bin: Any, inverted: bool = False):
        end = wire.Infinity() if end is None else end
        self._write(ctx, _M.REMOVE_BY_KEY_INTERVAL, (_flags(inverted), begin, end), bin)


class MapRemoveByKeyRelIndexRangeToEnd(_MapWrite):
    """Remove the entries from the given index relative to `key` to the end."""

    def __init__(self, ctx: Optional[list], key: Any, index: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_BY_KEY_REL_INDEX_RANGE, (_flags(inverted), key, index), bin)


class MapRemoveByKeyRelIndexRange(_MapWrite):
    """Remove `count` entries from the given index relative to `key`."""

    def __init__(self, ctx: Optional[list], key: Any, index: Any, count: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_BY_KEY_REL_INDEX_RANGE, (_flags(inverted), key, index, count), bin)


class MapRemoveByValue(_MapWrite):
    """Remove the entries whose value equals `value`."""

    def __init__(self, ctx: Optional[list], value: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_ALL_BY_VALUE, (_flags(inverted), value), bin)


class MapRemoveByValueList(_MapWrite):
    """Remove the entries whose value is in `values`."""

    def __init__(self, ctx: Optional[list], values: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_BY_VALUE_LIST, (_flags(inverted), values), bin)


class MapRemoveByValueRange(_MapWrite):
    """Remove the entries with begin <= value < end."""

    def __init__(self, ctx: Optional[list], begin: Any, end: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_BY_VALUE_INTERVAL, (_flags(inverted), begin, end), bin)


class MapRemoveByValueRelRankRangeToEnd(_MapWrite):
    """Remove the entries from the given rank relative to `value` up."""

    def __init__(self, ctx: Optional[list], value: Any, rank: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_BY_VALUE_REL_RANK_RANGE, (_flags(inverted), value, rank), bin)


class MapRemoveByValueRelRankRange(_MapWrite):
    """Remove `count` entries from the given rank relative to `value`."""

    def __init__(self, ctx: Optional[list], value: Any, rank: Any, count: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_BY_VALUE_REL_RANK_RANGE, (_flags(inverted), value, rank, count), bin)


class MapRemoveByIndex(_MapWrite):
    """Remove the entry at `index` (key order)."""

    def __init__(self, ctx: Optional[list], index: Any, bin: Any):
        self._write(ctx, _M.REMOVE_BY_INDEX, (_RETURN_NONE, index), bin)


class MapRemoveByIndexRangeToEnd(_MapWrite):
    """Remove the entries from `index` to the end."""

    def __init__(self, ctx: Optional[list], index: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_BY_INDEX_RANGE, (_flags(inverted), index), bin)


class MapRemoveByIndexRange(_MapWrite):
    """Remove `count` entries from `index`."""

    def __init__(self, ctx: Optional[list], index: Any, count: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_BY_INDEX_RANGE, (_flags(inverted), index, count), bin)


class MapRemoveByRank(_MapWrite):
    """Remove the entry of rank `rank` (value order)."""

    def __init__(self, ctx: Optional[list], rank: Any, bin: Any):
        self._write(ctx, _M.REMOVE_BY_RANK, (_RETURN_NONE, rank), bin)


class MapRemoveByRankRangeToEnd(_MapWrite):
    """Remove the entries from rank `rank` up."""

    def __init__(self, ctx: Optional[list], rank: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_BY_RANK_RANGE, (_flags(inverted), rank), bin)


class MapRemoveByRankRange(_MapWrite):
    """Remove `count` entries from rank `rank`."""

    def __init__(self, ctx: Optional[list], rank: Any, count: Any, bin: Any, inverted: bool = False):
        self._write(ctx, _M.REMOVE_BY_RANK_RANGE, (_flags(inverted), rank, count), bin)


# ----------------------------------------------------------------------------------------------- reads


class MapSize(_CallExpr):
    """Number of entries."""

    def __init__(self, ctx: Optional[list], bin: Any):
        self._call(wire.CALL_CDT, _M.SIZE, ResultType.INTEGER, (), _bin(bin), ctx)


class MapGetByKey(_MapRead):
    """The entry of `key`, as `value_type`."""

    def __init__(self, ctx: Optional[list], return_type: int, value_type: int, key: Any, bin: Any):
        self._read(ctx, _M.GET_BY_KEY, return_type, (key,), bin, multi=False, value_type=value_type)


class MapGetByKeyRange(_MapRead):
    """Entries with begin <= key < end."""

    def __init__(self, ctx: Optional[list], return_type: int, begin: Any, end: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _M.GET_BY_KEY_INTERVAL, _return(return_type, inverted), (begin, end), bin)


class MapGetByKeyList(_MapRead):
    """Entries of `keys`."""

    def __init__(self, ctx: Optional[list], return_type: int, keys: Any, bin: Any, inverted: bool = False):
        self._read(ctx, _M.GET_BY_KEY_LIST, _return(return_type, inverted), (keys,), bin)


class MapGetByKeyRelIndexRangeToEnd(_MapRead):
    """Entries from the given index relative to `key` to the end."""

    def __init__(self, ctx: Optional[list], return_type: int, key: Any, index: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _M.GET_BY_KEY_REL_INDEX_RANGE, _return(return_type, inverted), (key, index), bin)


class MapGetByKeyRelIndexRange(_MapRead):
    """`count` entries from the given index relative to `key`."""

    def __init__(self, ctx: Optional[list], return_type: int, key: Any, index: Any, count: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _M.GET_BY_KEY_REL_INDEX_RANGE, _return(return_type, inverted), (key, index, count), bin)


class MapGetByValue(_MapRead):
    """Entries whose value equals `value`."""

    def __init__(self, ctx: Optional[list], return_type: int, value: Any, bin: Any, inverted: bool = False):
        self._read(ctx, _M.GET_ALL_BY_VALUE, _return(return_type, inverted), (value,), bin)


class MapGetByValueRange(_MapRead):
    """Entries with value_begin <= value < value_end (value_end None: no upper bound)."""

    def __init__(self, ctx: Optional[list], return_type: int, value_begin: Any, value_end: Any, bin: Any,
                 inverted: bool = False):
        value_end = wire.Infinity() if value_end is None else value_end
        self._read(ctx, _M.GET_BY_VALUE_INTERVAL, _return(return_type, inverted), (value_begin, value_end), bin)


class MapGetByValueList(_MapRead):
    """Entries whose value is in `value` (a list)."""

    def __init__(self, ctx: Optional[list], return_type: int, value: Any, bin: Any, inverted: bool = False):
        self._read(ctx, _M.GET_BY_VALUE_LIST, _return(return_type, inverted), (value,), bin)


class MapGetByValueRelRankRangeToEnd(_MapRead):
    """Entries from the given rank relative to `value` up."""

    def __init__(self, ctx: Optional[list], return_type: int, value: Any, rank: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _M.GET_BY_VALUE_REL_RANK_RANGE, _return(return_type, inverted), (value, rank), bin)


class MapGetByValueRelRankRange(_MapRead):
    """`count` entries from the given rank relative to `value`."""

    def __init__(self, ctx: Optional[list], return_type: int, value: Any, rank: Any, count: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _M.GET_BY_VALUE_REL_RANK_RANGE, _return(return_type, inverted), (value, rank, count), bin)


class MapGetByIndex(_MapRead):
    """The entry at `index`, as `value_type`."""

    def __init__(self, ctx: Optional[list], return_type: int, value_type: int, index: Any, bin: Any):
        self._read(ctx, _M.GET_BY_INDEX, return_type, (index,), bin, multi=False, value_type=value_type)


class MapGetByIndexRangeToEnd(_MapRead):
    """Entries from `index` to the end."""

    def __init__(self, ctx: Optional[list], return_type: int, index: Any, bin: Any, inverted: bool = False):
        self._read(ctx, _M.GET_BY_INDEX_RANGE, _return(return_type, inverted), (index,), bin)


class MapGetByIndexRange(_MapRead):
    """`count` entries from `index`."""

    def __init__(self, ctx: Optional[list], return_type: int, index: Any, count: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _M.GET_BY_INDEX_RANGE, _return(return_type, inverted), (index, count), bin)


class MapGetByRank(_MapRead):
    """The entry of rank `rank`, as `value_type`."""

    def __init__(self, ctx: Optional[list], return_type: int, value_type: int, rank: Any, bin: Any):
        self._read(ctx, _M.GET_BY_RANK, return_type, (rank,), bin, multi=False, value_type=value_type)


class MapGetByRankRangeToEnd(_MapRead):
    """Entries from rank `rank` up."""

    def __init__(self, ctx: Optional[list], return_type: int, rank: Any, bin: Any, inverted: bool = False):
        self._read(ctx, _M.GET_BY_RANK_RANGE, _return(return_type, inverted), (rank,), bin)


class MapGetByRankRange(_MapRead):
    """`count` entries from rank `rank`."""

    def __init__(self, ctx: Optional[list], return_type: int, rank: Any, count: Any, bin: Any,
                 inverted: bool = False):
        self._read(ctx, _M.GET_BY_RANK_RANGE, _return(return_type, inverted), (rank, count), bin)


class MapGetKeys(_BaseExpr):
    """The keys of the map expression `map_value`, as a list."""

    _op = wire.EXP.MAP_KEYS
    _rt = ResultType.LIST

    def __init__(self, map_value: Any):
        self._children = (map_value,)


class MapGetValues(_BaseExpr):
    """The values of the map expression `map_value`, as a list."""

    _op = wire.EXP.MAP_VALUES
    _rt = ResultType.LIST

    def __init__(self, map_value: Any):
        self._children = (map_value,)
