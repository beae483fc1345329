"""Server semantics of map operations (op codes 64-110) on the CdtMap model of cdt_ops.py.

Owns: each map op's arguments, write flags (create-only, update-only, no-fail, partial), map order (unordered,
key-ordered, key-value-ordered), key/index/rank/value selection with every return type (index and "index order"
mean key order, also for unordered maps), and map steps of nested contexts. Must not know messages or records.
Unlike list ops, a map op always answers a reply bin: nil when it has nothing to return.
"""

from __future__ import annotations

from typing import Any, Optional

from aerospike.protocol import constants as c

from .cdt_list import add_delta, in_interval
from .cdt_ops import (
    CTX_INDEX,
    CTX_KEY,
    CTX_MAP,
    CTX_RANK,
    CTX_VALUE,
    INFINITY,
    MAP_KEY_ORDERED,
    MAP_KEY_VALUE_ORDERED,
    MISSING,
    UNCHANGED,
    WILDCARD,
    CdtError,
    CdtList,
    CdtMap,
    OpArgs,
    OpSpec,
    Selection,
    build_result,
    compare,
    has_invalid_map_key,
    index_count,
    order_key,
    relative_index_count,
    result_particle,
    split_return_type,
    valid_map_key,
)

# Write flags (map policy).
NO_OVERWRITE = 0x01  # create only
NO_CREATE = 0x02  # update only
NO_FAIL = 0x04
PARTIAL = 0x08

_NIL_REPLY = (c.PARTICLE_NULL, b"")

Reply = Optional["tuple[int, bytes]"]


def _reply(value: Any) -> Reply:
    return _NIL_REPLY if value is MISSING else result_particle(value)


def _order_flags(raw: Any) -> int:
    if type(raw) is not int:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    return MAP_KEY_VALUE_ORDERED if raw & 2 else MAP_KEY_ORDERED if raw & 1 else 0


def _new_map(current: Any, attr: Any = 0) -> CdtMap:
    if current is MISSING:
        return CdtMap(None, _order_flags(attr))
    return current


def _key_sorted(m: CdtMap) -> list:
    if m.key_ordered:
        return m.pairs()
    return [pair for _, pair in sorted(m.entries.items(), key=lambda item: item[0])]


def _ranks(pairs: list) -> list[int]:
    ranks = [0] * len(pairs)
    for rank, position in enumerate(_rank_order(pairs)):
        ranks[position] = rank
    return ranks


def _rank_order(pairs: list) -> list[int]:
    return sorted(range(len(pairs)), key=lambda i: (order_key(pairs[i][1]), i))


def _check_key(key: Any) -> None:
    if key is INFINITY or key is WILDCARD:
        raise CdtError(c.RESULT_PARAMETER_ERROR)


def _check_entry(key: Any, value: Any) -> None:
    """A written entry: the server answers 4 for a key of a type maps cannot hold (double, nil, bool, list,
    map), and for such a key in a map anywhere inside the value."""
    if not valid_map_key(key) or has_invalid_map_key(value):
        raise CdtError(c.RESULT_PARAMETER_ERROR)


# ------------------------------------------------------------------------------------------- modify ops


def _set_type(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    m = _new_map(current)
    m.flags = _order_flags(args.get(0))
    if m.key_ordered:
        m.sort()
    return m, _NIL_REPLY


def _write_items(m: CdtMap, pairs: list, flags: int) -> None:
    accepted = []
    for key, value in pairs:
        _check_entry(key, value)
        exists = order_key(key) in m.entries
        if (exists and flags & NO_OVERWRITE) or (not exists and flags & NO_CREATE):
            if not flags & NO_FAIL:
                raise CdtError(c.RESULT_ELEMENT_EXISTS if exists else c.RESULT_ELEMENT_NOT_FOUND)
            if not flags & PARTIAL:
                return
            continue
        accepted.append((key, value))
    for key, value in accepted:
        m.put(key, value)


def _flags(args: OpArgs, position: int, default: int = 0) -> int:
    flags = args.get(position, default)
    if type(flags) is not int:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    return flags


def _put_op(fixed_flags: Optional[int]) -> Any:
    def handler(current: Any, args: OpArgs) -> tuple[Any, Reply]:
        key, value = args.get(0), args.get(1)
        m = _new_map(current, args.get(2, 0))
        flags = fixed_flags if fixed_flags is not None else _flags(args, 3)
        _write_items(m, [(key, value)], flags)
        return m, result_particle(len(m))

    return handler


def _put_items_op(fixed_flags: Optional[int]) -> Any:
    def handler(current: Any, args: OpArgs) -> tuple[Any, Reply]:
        items = args.get(0)
        if type(items) is not CdtMap:
            raise CdtError(c.RESULT_PARAMETER_ERROR)
        m = _new_map(current, args.get(1, 0))
        flags = fixed_flags if fixed_flags is not None else _flags(args, 2)
        _write_items(m, items.pairs(), flags)
        return m, result_particle(len(m))

    return handler


def _increment_op(sign: int) -> Any:
    def handler(current: Any, args: OpArgs) -> tuple[Any, Reply]:
        key, delta = args.get(0), args.get(1, 1)
        if type(delta) not in (int, float):
            raise CdtError(c.RESULT_PARAMETER_ERROR)
        _check_entry(key, None)
        m = _new_map(current, args.get(2, 0))
        flags = _flags(args, 3)
        delta = -delta if sign < 0 else delta
        entry = m.entries.get(order_key(key))
        if entry is None:
            if flags & NO_CREATE:
                if flags & NO_FAIL:
                    return m, _NIL_REPLY
                raise CdtError(c.RESULT_ELEMENT_NOT_FOUND)
            value = delta
        else:
            value = add_delta(entry[1], delta)
        m.put(key, value)
        return m, result_particle(value)

    return handler


def _clear(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    if current is MISSING:
        return UNCHANGED, _NIL_REPLY
    current.entries = {}
    return current, _NIL_REPLY


def _size(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    if current is MISSING:
        return UNCHANGED, _NIL_REPLY
    return UNCHANGED, result_particle(len(current))


# ------------------------------------------------------------------------------------------- selections
# Each selector gets the key-ordered pairs and returns a Selection of positions in that order.


def _by_key(pairs: list, args: OpArgs, multi: bool) -> Selection:
    key = args.get(1)
    order = [i for i, (k, _) in enumerate(pairs) if compare(k, key) == 0][:1]
    return Selection(order, index_range=True)


def _by_key_list(pairs: list, args: OpArgs, multi: bool) -> Selection:
    keys = args.get(1)
    if type(keys) is not CdtList:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    order = [i for i, (k, _) in enumerate(pairs) if any(compare(k, key) == 0 for key in keys.items)]
    return Selection(order)


def _by_key_interval(pairs: list, args: OpArgs, multi: bool) -> Selection:
    start, end = args.get(1), args.get(2, INFINITY)
    order = [i for i, (k, _) in enumerate(pairs) if in_interval(k, start, end)]
    below = sum(1 for k, _ in pairs if compare(k, start) < 0)
    return Selection(order, index_range=True, start=below)


def _by_index(pairs: list, args: OpArgs, multi: bool) -> Selection:
    index, count = index_count(args.get(1), args.get(2, None) if multi else 1, len(pairs), multi)
    return Selection(list(range(index, index + count)), index_range=True, start=index)


def _values_below(pairs: list, value: Any) -> int:
    return sum(1 for _, v in pairs if compare(v, value) < 0)


def _by_value(pairs: list, args: OpArgs, multi: bool) -> Selection:
    value = args.get(1)
    order = [i for i, (_, v) in enumerate(pairs) if compare(v, value) == 0]
    return Selection(order, rank_range=True, start=_values_below(pairs, value))


def _by_value_list(pairs: list, args: OpArgs, multi: bool) -> Selection:
    values = args.get(1)
    if type(values) is not CdtList:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    return Selection([i for i, (_, v) in enumerate(pairs) if any(compare(v, x) == 0 for x in values.items)])


def _by_value_interval(pairs: list, args: OpArgs, multi: bool) -> Selection:
    start, end = args.get(1), args.get(2, INFINITY)
    order = [i for i, (_, v) in enumerate(pairs) if in_interval(v, start, end)]
    return Selection(order, rank_range=True, start=_values_below(pairs, start))


def _by_rank(pairs: list, args: OpArgs, multi: bool) -> Selection:
    start, count = index_count(args.get(1), args.get(2, None) if multi else 1, len(pairs), multi)
    return Selection(_rank_order(pairs)[start : start + count], rank_range=True, start=start, rank_ordered=True)


def _by_key_rel_index(pairs: list, args: OpArgs, multi: bool) -> Selection:
    key = args.get(1)
    base = sum(1 for k, _ in pairs if compare(k, key) < 0)
    start, count = relative_index_count(args.get(2), args.get(3, None), base)
    start, count = index_count(start, count, len(pairs), multi=True)
    return Selection(list(range(start, start + count)), index_range=True)


def _by_value_rel_rank(pairs: list, args: OpArgs, multi: bool) -> Selection:
    value = args.get(1)
    base = sum(1 for _, v in pairs if compare(v, value) < 0)
    start, count = relative_index_count(args.get(2), args.get(3, None), base)
    start, count = index_count(start, count, len(pairs), multi=True)
    return Selection(_rank_order(pairs)[start : start + count], rank_range=True, rank_ordered=True)


# (get code, remove code, selector, multi)
_SELECTORS = (
    (97, 76, _by_key, False),
    (98, 77, _by_index, False),
    (99, 78, _by_value, True),
    (100, 79, _by_rank, False),
    (102, 82, _by_value, True),
    (103, 84, _by_key_interval, True),
    (104, 85, _by_index, True),
    (105, 86, _by_value_interval, True),
    (106, 87, _by_rank, True),
    (107, 81, _by_key_list, True),
    (108, 83, _by_value_list, True),
    (109, 88, _by_key_rel_index, True),
    (110, 89, _by_value_rel_rank, True),
)


def _select_op(selector: Any, multi: bool, remove: bool) -> Any:
    def handler(current: Any, args: OpArgs) -> tuple[Any, Reply]:
        result_type, inverted = split_return_type(args.get(0), is_map=True)
        if current is MISSING:
            return UNCHANGED, _NIL_REPLY
        pairs = _key_sorted(current)
        selection = selector(pairs, args, multi)
        result = build_result(
            result_type,
            inverted,
            selection,
            len(pairs),
            lambda: _ranks(pairs),
            lambda position: pairs[position],
            multi,
        )
        if not remove:
            return UNCHANGED, _reply(result)
        picked = {order_key(pairs[i][0]) for i in selection.order}
        current.entries = {
            ckey: pair for ckey, pair in current.entries.items() if (ckey in picked) == inverted
        }
        return current, _reply(result)

    return handler


# ------------------------------------------------------------------------------------------- contexts


def locate_child(m: CdtMap, ctx_type: int, ctx_value: Any, create: bool, create_flags: int) -> Any:
    """The key a context step names, or None if absent (with create, a missing key is returned to be made)."""
    step = ctx_type & ~CTX_MAP
    if step == CTX_KEY:
        _check_key(ctx_value)
        if order_key(ctx_value) in m.entries or create:
            return ctx_value
        return None
    pairs = _key_sorted(m)
    size = len(pairs)
    if step in (CTX_INDEX, CTX_RANK):
        if type(ctx_value) is not int:
            raise CdtError(c.RESULT_PARAMETER_ERROR)
        if not -size <= ctx_value < size:
            return None
        position = ctx_value + size if ctx_value < 0 else ctx_value
        if step == CTX_RANK:
            position = _rank_order(pairs)[position]
        return pairs[position][0]
    if step == CTX_VALUE:
        for key, value in pairs:
            if compare(value, ctx_value) == 0:
                return key
        return None
    raise CdtError(c.RESULT_PARAMETER_ERROR)


MAP_OPS: dict[int, OpSpec] = {
    64: OpSpec(_set_type, True, True),
    65: OpSpec(_put_op(NO_OVERWRITE), True, True),
    66: OpSpec(_put_items_op(NO_OVERWRITE), True, True),
    67: OpSpec(_put_op(None), True, True),
    68: OpSpec(_put_items_op(None), True, True),
    69: OpSpec(_put_op(NO_CREATE), True, True),
    70: OpSpec(_put_items_op(NO_CREATE), True, True),
    73: OpSpec(_increment_op(1), True, True),
    74: OpSpec(_increment_op(-1), True, True),
    75: OpSpec(_clear, True, False),
    96: OpSpec(_size, False, False),
}
for _get_code, _remove_code, _selector, _multi in _SELECTORS:
    MAP_OPS[_get_code] = OpSpec(_select_op(_selector, _multi, remove=False), False, False)
    MAP_OPS[_remove_code] = OpSpec(_select_op(_selector, _multi, remove=True), True, False)
