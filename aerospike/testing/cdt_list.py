"""Server semantics of list operations (op codes 0-40) on the CdtList model of cdt_ops.py.

Owns: each list op's arguments, write flags (add-unique, insert-bounded, no-fail, partial), ordered lists,
index/rank/value selection with every return type, and list steps of nested contexts. Must not know messages or
records: handlers take the current list (or MISSING) and return (new list or UNCHANGED, reply particle or None).
"""

from __future__ import annotations

from typing import Any, Optional

from aerospike.protocol import constants as c

from .cdt_ops import (
    CTX_CREATE_ORDERED,
    CTX_CREATE_UNBOUND,
    CTX_INDEX,
    CTX_LIST,
    CTX_RANK,
    CTX_VALUE,
    INFINITY,
    LIST_ORDERED,
    MISSING,
    UNCHANGED,
    CdtError,
    CdtList,
    OpArgs,
    OpSpec,
    Selection,
    build_result,
    compare,
    index_count,
    order_key,
    relative_index_count,
    result_particle,
    split_return_type,
)

# Write flags (list policy).
ADD_UNIQUE = 0x01
INSERT_BOUNDED = 0x02
NO_FAIL = 0x04
PARTIAL = 0x08

SORT_DESCENDING = 1
SORT_DROP_DUPLICATES = 2

Reply = Optional["tuple[int, bytes]"]


def _reply(value: Any) -> Reply:
    return None if value is MISSING else result_particle(value)


def _new_list(current: Any, flags: int = 0) -> CdtList:
    if current is MISSING:
        return CdtList(None, LIST_ORDERED if flags & LIST_ORDERED else 0)
    return current


def _ranks(items: list) -> list[int]:
    ranks = [0] * len(items)
    for rank, position in enumerate(sorted(range(len(items)), key=lambda i: (order_key(items[i]), i))):
        ranks[position] = rank
    return ranks


def _sorted_positions(items: list) -> list[int]:
    return sorted(range(len(items)), key=lambda i: (order_key(items[i]), i))


def _flags(args: OpArgs, position: int) -> int:
    flags = args.get(position, 0)
    if type(flags) is not int:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    return flags


def _insert_sorted(lst: CdtList, value: Any) -> None:
    key = order_key(value)
    position = len(lst.items)
    while position > 0 and order_key(lst.items[position - 1]) > key:
        position -= 1
    lst.items.insert(position, value)


def _contains(items: list, value: Any) -> bool:
    return any(compare(item, value) == 0 for item in items)


# ------------------------------------------------------------------------------------------- modify ops


def _set_type(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    flags = _flags(args, 0)
    lst = _new_list(current)
    lst.flags = LIST_ORDERED if flags & LIST_ORDERED else 0
    if lst.ordered:
        lst.items.sort(key=order_key)
    return lst, None


def _add_items(lst: CdtList, values: list, flags: int) -> bool:
    """Append values (sorted into an ordered list) under the write flags; False when nothing may change."""
    accepted: list = []
    for value in values:
        if flags & ADD_UNIQUE and (_contains(lst.items, value) or _contains(accepted, value)):
            if not flags & NO_FAIL:
                raise CdtError(c.RESULT_ELEMENT_EXISTS)
            if not flags & PARTIAL:
                return False
            continue
        accepted.append(value)
    for value in accepted:
        if lst.ordered:
            _insert_sorted(lst, value)
        else:
            lst.items.append(value)
    return True


def _append(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    value = args.get(0)
    lst = _new_list(current, _flags(args, 1))
    _add_items(lst, [value], _flags(args, 2))
    return lst, result_particle(len(lst.items))


def _append_items(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    values = args.get(0)
    if type(values) is not CdtList:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    lst = _new_list(current, _flags(args, 1))
    _add_items(lst, values.items, _flags(args, 2))
    return lst, result_particle(len(lst.items))


def _insert_values(current: Any, index: Any, values: list, flags: int) -> tuple[Any, Reply]:
    if type(index) is not int:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    lst = _new_list(current)
    if lst.ordered:
        raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
    size = len(lst.items)
    if index < 0:
        index += size
        if index < 0:
            raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
    if index > size and flags & INSERT_BOUNDED:
        if flags & NO_FAIL:
            return lst, result_particle(size)
        raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
    if flags & ADD_UNIQUE:
        accepted: list = []
        for value in values:
            if _contains(lst.items, value) or _contains(accepted, value):
                if not flags & NO_FAIL:
                    raise CdtError(c.RESULT_ELEMENT_EXISTS)
                if not flags & PARTIAL:
                    return lst, result_particle(size)
                continue
            accepted.append(value)
        values = accepted
    if index > size:
        lst.items.extend([None] * (index - size))
    lst.items[index:index] = values
    return lst, result_particle(len(lst.items))


def _insert(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    return _insert_values(current, args.get(0), [args.get(1)], _flags(args, 2))


def _insert_items(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    values = args.get(1)
    if type(values) is not CdtList:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    return _insert_values(current, args.get(0), values.items, _flags(args, 2))


def _pop(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    # On a missing bin the server's list modifies succeed with no result (and still write the record).
    if current is MISSING:
        return UNCHANGED, None
    index, _ = index_count(args.get(0), 1, len(current.items), multi=False)
    value = current.items.pop(index)
    return current, result_particle(value)


def _pop_range(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    if current is MISSING:
        return UNCHANGED, None
    lst = _new_list(current)
    index, count = index_count(args.get(0), args.get(1, None), len(lst.items), multi=True)
    values = lst.items[index : index + count]
    del lst.items[index : index + count]
    return lst, result_particle(CdtList(values))


def _remove(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    if current is MISSING:
        return UNCHANGED, None
    index, _ = index_count(args.get(0), 1, len(current.items), multi=False)
    del current.items[index]
    return current, result_particle(1)


def _remove_range(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    if current is MISSING:
        return UNCHANGED, None
    lst = _new_list(current)
    index, count = index_count(args.get(0), args.get(1, None), len(lst.items), multi=True)
    del lst.items[index : index + count]
    return lst, result_particle(count)


def _set(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    index, value, flags = args.get(0), args.get(1), _flags(args, 2)
    if type(index) is not int:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    lst = _new_list(current)
    if lst.ordered:
        raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
    size = len(lst.items)
    if index < 0:
        index += size
        if index < 0:
            raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
    if index >= size and flags & INSERT_BOUNDED:
        if flags & NO_FAIL:
            return lst, None
        raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
    if flags & ADD_UNIQUE and _contains(lst.items[:index] + lst.items[index + 1 :], value):
        if flags & NO_FAIL:
            return lst, None
        raise CdtError(c.RESULT_ELEMENT_EXISTS)
    if index >= size:
        lst.items.extend([None] * (index - size))
        lst.items.append(value)
    else:
        lst.items[index] = value
    return lst, None


def _trim(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    if current is MISSING:
        return UNCHANGED, None
    size = len(current.items)
    index, count = index_count(args.get(0), args.get(1), size, multi=True)
    current.items = current.items[index : index + count]
    return current, result_particle(size - count)


def _clear(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    if current is MISSING:
        return UNCHANGED, None
    current.items = []
    return current, None


def add_delta(existing: Any, delta: Any) -> Any:
    """existing + delta as the server's cdt_calc_delta: the result keeps the existing value's number type."""
    if type(delta) not in (int, float) or type(existing) not in (int, float):
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    if type(existing) is int:
        result = existing + int(delta)
        if not -(1 << 63) <= result < 1 << 63:
            raise CdtError(c.RESULT_PARAMETER_ERROR)
        return result
    return existing + float(delta)


def _increment(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    index, delta, flags = args.get(0), args.get(1, 1), _flags(args, 3)
    if type(index) is not int or type(delta) not in (int, float):
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    lst = _new_list(current, _flags(args, 2))
    size = len(lst.items)
    if index < 0:
        index += size
        if index < 0:
            raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
    if index >= size:
        if flags & INSERT_BOUNDED:
            raise CdtError(c.RESULT_OP_NOT_APPLICABLE)
        value = delta
        lst.items.extend([None] * (index - size))
        lst.items.append(value)
    else:
        value = add_delta(lst.items[index], delta)
        lst.items[index] = value
    if lst.ordered:
        lst.items.sort(key=order_key)
    return lst, result_particle(value)


def _sort(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    flags = _flags(args, 0)
    if current is MISSING:
        return UNCHANGED, None
    items = sorted(current.items, key=order_key, reverse=bool(flags & SORT_DESCENDING))
    if flags & SORT_DROP_DUPLICATES:
        unique: list = []
        for item in items:
            if not unique or compare(unique[-1], item) != 0:
                unique.append(item)
        items = unique
    current.items = items
    return current, None


# ------------------------------------------------------------------------------------------- read ops


def _size(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    if current is MISSING:
        return UNCHANGED, None
    return UNCHANGED, result_particle(len(current.items))


def _get(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    if current is MISSING:
        return UNCHANGED, None
    index, _ = index_count(args.get(0), 1, len(current.items), multi=False)
    return UNCHANGED, result_particle(current.items[index])


def _get_range(current: Any, args: OpArgs) -> tuple[Any, Reply]:
    if current is MISSING:
        return UNCHANGED, None
    index, count = index_count(args.get(0), args.get(1, None), len(current.items), multi=True)
    return UNCHANGED, result_particle(CdtList(current.items[index : index + count]))


# ------------------------------------------------------------------------------------------- selections


def _by_index(lst: CdtList, args: OpArgs, multi: bool) -> Selection:
    size = len(lst.items)
    index, count = index_count(args.get(1), args.get(2, None) if multi else 1, size, multi)
    return Selection(list(range(index, index + count)), index_range=True, rank_range=lst.ordered, start=index)


def _rank_run(lst: CdtList, start: int, count: int, multi: bool) -> Selection:
    """Elements of ranks start..start+count, in the order the server's heap select writes them."""
    size = len(lst.items)
    by_rank = _sorted_positions(lst.items)[start : start + count]
    if lst.ordered or not multi or start > size - start - count:
        order = by_rank
    else:
        order = by_rank[::-1]
    return Selection(order, index_range=lst.ordered, rank_range=True, start=start)


def _by_rank(lst: CdtList, args: OpArgs, multi: bool) -> Selection:
    start, count = index_count(args.get(1), args.get(2, None) if multi else 1, len(lst.items), multi)
    return _rank_run(lst, start, count, multi)


def _by_value(lst: CdtList, args: OpArgs, multi: bool) -> Selection:
    value = args.get(1)
    order = [i for i, item in enumerate(lst.items) if compare(item, value) == 0]
    below = sum(1 for item in lst.items if compare(item, value) < 0)
    return Selection(order, index_range=lst.ordered, rank_range=True, start=below)


def _by_value_list(lst: CdtList, args: OpArgs, multi: bool) -> Selection:
    values = args.get(1)
    if type(values) is not CdtList:
        raise CdtError(c.RESULT_PARAMETER_ERROR)
    order = [i for i, item in enumerate(lst.items) if _contains(values.items, item)]
    return Selection(order)


def in_interval(value: Any, start: Any, end: Any) -> bool:
    """start <= value < end in Aerospike order; end INFINITY (or absent) is open."""
    return compare(value, start) >= 0 and (end is INFINITY or compare(value, end) < 0)


def _by_value_interval(lst: CdtList, args: OpArgs, multi: bool) -> Selection:
    start, end = args.get(1), args.get(2, INFINITY)
    order = [i for i, item in enumerate(lst.items) if in_interval(item, start, end)]
    below = sum(1 for item in lst.items if compare(item, start) < 0)
    return Selection(order, index_range=lst.ordered, rank_range=True, start=below)


def _by_value_rel_rank(lst: CdtList, args: OpArgs, multi: bool) -> Selection:
    value = args.get(1)
    base = sum(1 for item in lst.items if compare(item, value) < 0)
    start, count = relative_index_count(args.get(2), args.get(3, None), base)
    start, count = index_count(start, count, len(lst.items), multi=True)
    return _rank_run(lst, start, count, multi=True)


_SELECTORS = {
    19: (_by_index, False),
    20: (_by_value, True),
    21: (_by_rank, False),
    22: (_by_value, True),
    23: (_by_value_list, True),
    24: (_by_index, True),
    25: (_by_value_interval, True),
    26: (_by_rank, True),
    27: (_by_value_rel_rank, True),
}


def _select_op(code: int, remove: bool) -> Any:
    selector, multi = _SELECTORS[code - 13 if remove else code]

    def handler(current: Any, args: OpArgs) -> tuple[Any, Reply]:
        result_type, inverted = split_return_type(args.get(0), is_map=False)
        if current is MISSING:
            return UNCHANGED, None
        selection = selector(current, args, multi)
        items = current.items
        result = build_result(
            result_type,
            inverted,
            selection,
            len(items),
            lambda: _ranks(items),
            lambda position: items[position],
            multi,
        )
        if not remove:
            return UNCHANGED, _reply(result)
        picked = set(selection.order)
        current.items = [item for i, item in enumerate(items) if (i in picked) == inverted]
        return current, _reply(result)

    return handler


# ------------------------------------------------------------------------------------------- contexts


def locate_child(
    lst: CdtList, ctx_type: int, ctx_value: Any, create: bool, create_flags: int
) -> Optional[int]:
    """The list position a context step names, or None if absent (create: where the new element goes)."""
    size = len(lst.items)
    step = ctx_type & ~CTX_LIST
    if step == CTX_INDEX:
        if type(ctx_value) is not int:
            raise CdtError(c.RESULT_PARAMETER_ERROR)
        if -size <= ctx_value < size:
            return ctx_value + size if ctx_value < 0 else ctx_value
        if not create:
            return None
        if ctx_value == -1 or ctx_value == size or (ctx_value > size and create_flags == CTX_CREATE_UNBOUND):
            return size if ctx_value < 0 else ctx_value
        if create_flags == CTX_CREATE_ORDERED and ctx_value >= size:
            return size
        return None
    if step == CTX_RANK:
        if type(ctx_value) is not int:
            raise CdtError(c.RESULT_PARAMETER_ERROR)
        if not -size <= ctx_value < size:
            return None
        return _sorted_positions(lst.items)[ctx_value]
    if step == CTX_VALUE:
        for i, item in enumerate(lst.items):
            if compare(item, ctx_value) == 0:
                return i
        return None
    raise CdtError(c.RESULT_PARAMETER_ERROR)


LIST_OPS: dict[int, OpSpec] = {
    0: OpSpec(_set_type, True, True),
    1: OpSpec(_append, True, True),
    2: OpSpec(_append_items, True, True),
    3: OpSpec(_insert, True, True),
    4: OpSpec(_insert_items, True, True),
    5: OpSpec(_pop, True, False),
    6: OpSpec(_pop_range, True, False),
    7: OpSpec(_remove, True, False),
    8: OpSpec(_remove_range, True, False),
    9: OpSpec(_set, True, True),
    10: OpSpec(_trim, True, False),
    11: OpSpec(_clear, True, False),
    12: OpSpec(_increment, True, True),
    13: OpSpec(_sort, True, False),
    16: OpSpec(_size, False, False),
    17: OpSpec(_get, False, False),
    18: OpSpec(_get_range, False, False),
}
for _code in _SELECTORS:
    LIST_OPS[_code] = OpSpec(_select_op(_code, remove=False), False, False)
    LIST_OPS[_code + 13] = OpSpec(_select_op(_code + 13, remove=True), True, False)
