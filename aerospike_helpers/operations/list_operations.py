"""List operations: each function returns the operation dict ``client.operate`` takes.

Nested lists are reached with ``ctx`` (a list of ``aerospike_helpers.cdt_ctx`` items, outermost first). Negative
indexes count from the end. Operations that take a ``policy`` accept the list policy dict (``write_flags``,
``list_order``). ``inverted=True`` selects everything the operation would not select.
"""

from __future__ import annotations

from typing import Any, Optional

import aerospike

__all__ = ["list_append", "list_append_items", "list_clear", "list_create", "list_get", "list_get_by_index",
           "list_get_by_index_range", "list_get_by_rank", "list_get_by_rank_range", "list_get_by_value",
           "list_get_by_value_list", "list_get_by_value_range", "list_get_by_value_rank_range_relative",
           "list_get_range", "list_increment", "list_insert", "list_insert_items", "list_join", "list_pop",
           "list_pop_range", "list_remove", "list_remove_by_index", "list_remove_by_index_range",
           "list_remove_by_rank", "list_remove_by_rank_range", "list_remove_by_value", "list_remove_by_value_list",
           "list_remove_by_value_range", "list_remove_by_value_rank_range_relative", "list_remove_range",
           "list_set", "list_set_order", "list_size", "list_sort", "list_trim"]  # fmt: skip

OP_KEY = "op"
BIN_KEY = "bin"
VALUE_KEY = "val"
INDEX_KEY = "index"
LIST_POLICY_KEY = "list_policy"
INVERTED_KEY = "inverted"
RETURN_TYPE_KEY = "return_type"
COUNT_KEY = "count"
RANK_KEY = "rank"
VALUE_BEGIN_KEY = "value_begin"
VALUE_END_KEY = "value_end"
VALUE_LIST_KEY = "value_list"
LIST_ORDER_KEY = "list_order"
SORT_FLAGS_KEY = "sort_flags"
CTX_KEY = "ctx"
PAD_KEY = "pad"
PERSIST_INDEX_KEY = "persist_index"


def _op(code: int, bin_name: str, ctx: Optional[list], **fields: Any) -> dict:
    operation = {OP_KEY: code, BIN_KEY: bin_name, **fields}
    if ctx:
        operation[CTX_KEY] = ctx
    return operation


def _write(code: int, bin_name: str, policy: Optional[dict], ctx: Optional[list], **fields: Any) -> dict:
    operation = {OP_KEY: code, BIN_KEY: bin_name, **fields}
    if policy:
        operation[LIST_POLICY_KEY] = policy
    if ctx:
        operation[CTX_KEY] = ctx
    return operation


def _ranged(code: int, bin_name: str, ctx: Optional[list], count: Any, **fields: Any) -> dict:
    operation = {OP_KEY: code, BIN_KEY: bin_name, **fields}
    if count is not None:
        operation[COUNT_KEY] = count
    if ctx:
        operation[CTX_KEY] = ctx
    return operation


def list_create(bin_name: str, list_order: int, pad: bool, persist_index: bool, ctx: Optional[list] = None) -> dict:
    """Create a list of `list_order` at the bin (or, with `ctx`, at the context's last level); `pad` lets a
    nested create go beyond the list's end; `persist_index` keeps an index of a top-level ordered list."""
    operation = {OP_KEY: aerospike.OP_LIST_CREATE, BIN_KEY: bin_name, LIST_ORDER_KEY: list_order, PAD_KEY: pad,
                 PERSIST_INDEX_KEY: persist_index}  # fmt: skip
    if ctx is not None:
        operation[CTX_KEY] = ctx
    return operation


def list_append(bin_name: str, value: Any, policy: Optional[dict] = None, ctx: Optional[list] = None) -> dict:
    """Append `value`; returns the new size."""
    return _write(aerospike.OP_LIST_APPEND, bin_name, policy, ctx, **{VALUE_KEY: value})


def list_append_items(bin_name: str, values: Any, policy: Optional[dict] = None, ctx: Optional[list] = None) -> dict:
    """Append each of `values`; returns the new size."""
    return _write(aerospike.OP_LIST_APPEND_ITEMS, bin_name, policy, ctx, **{VALUE_KEY: values})


def list_insert(bin_name: str, index: Any, value: Any, policy: Optional[dict] = None,
                ctx: Optional[list] = None) -> dict:
    """Insert `value` at `index`; returns the new size."""
    return _write(aerospike.OP_LIST_INSERT, bin_name, policy, ctx, **{INDEX_KEY: index, VALUE_KEY: value})


def list_insert_items(bin_name: str, index: Any, values: Any, policy: Optional[dict] = None,
                      ctx: Optional[list] = None) -> dict:
    """Insert `values` at `index`; returns the new size."""
    return _write(aerospike.OP_LIST_INSERT_ITEMS, bin_name, policy, ctx, **{INDEX_KEY: index, VALUE_KEY: values})


def list_increment(bin_name: str, index: Any, value: Any, policy: Optional[dict] = None,
                   ctx: Optional[list] = None) -> dict:
    """Add `value` to the number at `index`; returns the new value."""
    return _write(aerospike.OP_LIST_INCREMENT, bin_name, policy, ctx, **{INDEX_KEY: index, VALUE_KEY: value})


def list_pop(bin_name: str, index: Any, ctx: Optional[list] = None) -> dict:
    """Remove and return the item at `index`."""
    return _op(aerospike.OP_LIST_POP, bin_name, ctx, **{INDEX_KEY: index})


def list_pop_range(bin_name: str, index: Any, count: Any, ctx: Optional[list] = None) -> dict:
    """Remove and return `count` items from `index`."""
    return _op(aerospike.OP_LIST_POP_RANGE, bin_name, ctx, **{INDEX_KEY: index, VALUE_KEY: count})


def list_remove(bin_name: str, index: Any, ctx: Optional[list] = None) -> dict:
    """Remove the item at `index`; returns the number removed."""
    return _op(aerospike.OP_LIST_REMOVE, bin_name, ctx, **{INDEX_KEY: index})


def list_remove_range(bin_name: str, index: Any, count: Any, ctx: Optional[list] = None) -> dict:
    """Remove `count` items from `index`; returns the number removed."""
    return _op(aerospike.OP_LIST_REMOVE_RANGE, bin_name, ctx, **{INDEX_KEY: index, VALUE_KEY: count})


def list_clear(bin_name: str, ctx: Optional[list] = None) -> dict:
    """Remove every item."""
    return _op(aerospike.OP_LIST_CLEAR, bin_name, ctx)


def list_set(bin_name: str, index: Any, value: Any, policy: Optional[dict] = None, ctx: Optional[list] = None) -> dict:
    """Set the item at `index` (padding with nils beyond the end)."""
    return _write(aerospike.OP_LIST_SET, bin_name, policy, ctx, **{INDEX_KEY: index, VALUE_KEY: value})


def list_get(bin_name: str, index: Any, ctx: Optional[list] = None) -> dict:
    """The item at `index`."""
    return _op(aerospike.OP_LIST_GET, bin_name, ctx, **{INDEX_KEY: index})


def list_get_range(bin_name: str, index: Any, count: Any, ctx: Optional[list] = None) -> dict:
    """`count` items from `index`."""
    return _op(aerospike.OP_LIST_GET_RANGE, bin_name, ctx, **{INDEX_KEY: index, VALUE_KEY: count})


def list_trim(bin_name: str, index: Any, count: Any, ctx: Optional[list] = None) -> dict:
    """Keep only `count` items from `index`; returns the number removed."""
    return _op(aerospike.OP_LIST_TRIM, bin_name, ctx, **{INDEX_KEY: index, VALUE_KEY: count})


def list_size(bin_name: str, ctx: Optional[list] = None) -> dict:
    """The number of items."""
    return _op(aerospike.OP_LIST_SIZE, bin_name, ctx)


def list_get_by_index(bin_name: str, index: Any, return_type: Any, ctx: Optional[list] = None) -> dict:
    """The item at `index`, as `return_type` (LIST_RETURN_*) says."""
    return _op(aerospike.OP_LIST_GET_BY_INDEX, bin_name, ctx, **{RETURN_TYPE_KEY: return_type, INDEX_KEY: index})


def list_get_by_index_range(bin_name: str, index: Any, return_type: Any, count: Any = None, inverted: bool = False,
                            ctx: Optional[list] = None) -> dict:
    """`count` items from `index` (without `count`: to the end)."""
    return _ranged(aerospike.OP_LIST_GET_BY_INDEX_RANGE, bin_name, ctx, count,
                   **{RETURN_TYPE_KEY: return_type, INDEX_KEY: index, INVERTED_KEY: inverted})  # fmt: skip


def list_get_by_rank(bin_name: str, rank: Any, return_type: Any, ctx: Optional[list] = None) -> dict:
    """The item of rank `rank` (0 is the smallest, -1 the largest)."""
    return _op(aerospike.OP_LIST_GET_BY_RANK, bin_name, ctx, **{RETURN_TYPE_KEY: return_type, RANK_KEY: rank})


def list_get_by_rank_range(bin_name: str, rank: Any, return_type: Any, count: Any = None, inverted: bool = False,
                           ctx: Optional[list] = None) -> dict:
    """`count` items from rank `rank` (without `count`: to the largest)."""
    return _ranged(aerospike.OP_LIST_GET_BY_RANK_RANGE, bin_name, ctx, count,
                   **{RETURN_TYPE_KEY: return_type, RANK_KEY: rank, INVERTED_KEY: inverted})  # fmt: skip


def list_get_by_value(bin_name: str, value: Any, return_type: Any, inverted: bool = False,
                      ctx: Optional[list] = None) -> dict:
    """Every item equal to `value`."""
    return _op(aerospike.OP_LIST_GET_BY_VALUE, bin_name, ctx,
               **{RETURN_TYPE_KEY: return_type, VALUE_KEY: value, INVERTED_KEY: inverted})  # fmt: skip


def list_get_by_value_list(bin_name: str, value_list: Any, return_type: Any, inverted: bool = False,
                           ctx: Optional[list] = None) -> dict:
    """Every item equal to one of `value_list`."""
    return _op(aerospike.OP_LIST_GET_BY_VALUE_LIST, bin_name, ctx,
               **{RETURN_TYPE_KEY: return_type, VALUE_LIST_KEY: value_list, INVERTED_KEY: inverted})  # fmt: skip


def list_get_by_value_range(bin_name: str, return_type: Any, value_begin: Any, value_end: Any,
                            inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """Every item with `value_begin` <= value < `value_end` (None: unbounded)."""
    operation = {OP_KEY: aerospike.OP_LIST_GET_BY_VALUE_RANGE, BIN_KEY: bin_name, RETURN_TYPE_KEY: return_type,
                 INVERTED_KEY: inverted}  # fmt: skip
    return _interval(operation, value_begin, value_end, ctx)


def _interval(operation: dict, value_begin: Any, value_end: Any, ctx: Optional[list]) -> dict:
    if value_begin is not None:
        operation[VALUE_BEGIN_KEY] = value_begin
    if value_end is not None:
        operation[VALUE_END_KEY] = value_end
    if ctx:
        operation[CTX_KEY] = ctx
    return operation


def list_remove_by_index(bin_name: str, index: Any, return_type: Any, ctx: Optional[list] = None) -> dict:
    """Remove the item at `index`."""
    return _op(aerospike.OP_LIST_REMOVE_BY_INDEX, bin_name, ctx, **{RETURN_TYPE_KEY: return_type, INDEX_KEY: index})


def list_remove_by_index_range(bin_name: str, index: Any, return_type: Any, count: Any = None,
                               inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """Remove `count` items from `index` (without `count`: to the end)."""
    return _ranged(aerospike.OP_LIST_REMOVE_BY_INDEX_RANGE, bin_name, ctx, count,
                   **{RETURN_TYPE_KEY: return_type, INDEX_KEY: index, INVERTED_KEY: inverted})  # fmt: skip


def list_remove_by_rank(bin_name: str, rank: Any, return_type: Any, ctx: Optional[list] = None) -> dict:
    """Remove the item of rank `rank`."""
    return _op(aerospike.OP_LIST_REMOVE_BY_RANK, bin_name, ctx, **{RETURN_TYPE_KEY: return_type, RANK_KEY: rank})


def list_remove_by_rank_range(bin_name: str, rank: Any, return_type: Any, count: Any = None,
                              inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """Remove `count` items from rank `rank` (without `count`: to the largest)."""
    return _ranged(aerospike.OP_LIST_REMOVE_BY_RANK_RANGE, bin_name, ctx, count,
                   **{RETURN_TYPE_KEY: return_type, RANK_KEY: rank, INVERTED_KEY: inverted})  # fmt: skip


def list_remove_by_value(bin_name: str, value: Any, return_type: Any, inverted: bool = False,
                         ctx: Optional[list] = None) -> dict:
    """Remove every item equal to `value`."""
    return _op(aerospike.OP_LIST_REMOVE_BY_VALUE, bin_name, ctx,
               **{RETURN_TYPE_KEY: return_type, VALUE_KEY: value, INVERTED_KEY: inverted})  # fmt: skip


def list_remove_by_value_list(bin_name: str, value_list: Any, return_type: Any, inverted: bool = False,
                              ctx: Optional[list] = None) -> dict:
    """Remove every item equal to one of `value_list`."""
    return _op(aerospike.OP_LIST_REMOVE_BY_VALUE_LIST, bin_name, ctx,
               **{RETURN_TYPE_KEY: return_type, VALUE_LIST_KEY: value_list, INVERTED_KEY: inverted})  # fmt: skip


def list_remove_by_value_range(bin_name: str, return_type: Any, value_begin: Any = None, value_end: Any = None,
                               inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """Remove every item with `value_begin` <= value < `value_end` (None: unbounded)."""
    operation = {OP_KEY: aerospike.OP_LIST_REMOVE_BY_VALUE_RANGE, BIN_KEY: bin_name, RETURN_TYPE_KEY: return_type,
                 INVERTED_KEY: inverted}  # fmt: skip
    return _interval(operation, value_begin, value_end, ctx)


def list_set_order(bin_name: str, list_order: Any, ctx: Optional[list] = None) -> dict:
    """Make the list ordered (LIST_ORDERED) or unordered."""
    return _op(aerospike.OP_LIST_SET_ORDER, bin_name, ctx, **{LIST_ORDER_KEY: list_order})


def list_sort(bin_name: str, sort_flags: int = 0, ctx: Optional[list] = None) -> dict:
    """Sort the list (LIST_SORT_DROP_DUPLICATES drops repeated values)."""
    return _op(aerospike.OP_LIST_SORT, bin_name, ctx, **{SORT_FLAGS_KEY: sort_flags})


def list_get_by_value_rank_range_relative(bin_name: str, value: Any, offset: Any, return_type: Any,
                                          count: Any = None, inverted: bool = False,
                                          ctx: Optional[list] = None) -> dict:
    """`count` items from the rank of `value` plus `offset` (without `count`: to the largest)."""
    return _ranged(aerospike.OP_LIST_GET_BY_VALUE_RANK_RANGE_REL, bin_name, ctx, count,
                   **{VALUE_KEY: value, RANK_KEY: offset, RETURN_TYPE_KEY: return_type,
                      INVERTED_KEY: inverted})  # fmt: skip


def list_remove_by_value_rank_range_relative(bin_name: str, value: Any, offset: Any, return_type: Any,
                                             count: Any = None, inverted: bool = False,
                                             ctx: Optional[list] = None) -> dict:
    """Remove `count` items from the rank of `value` plus `offset` (without `count`: to the largest)."""
    return _ranged(aerospike.OP_LIST_REMOVE_BY_VALUE_RANK_RANGE_REL, bin_name, ctx, count,
                   **{VALUE_KEY: value, RANK_KEY: offset, RETURN_TYPE_KEY: return_type,
                      INVERTED_KEY: inverted})  # fmt: skip


def list_join(bin_name: str, separator: Optional[str] = None, ctx: Optional[list] = None) -> dict:
    """Join the list's strings with `separator` (19.x's private OP_LIST_JOIN; servers of this corpus lack it)."""
    return _op(_OP_LIST_JOIN, bin_name, ctx, separator=separator)


_OP_LIST_JOIN = 1042  # 19.x's aerospike._OP_LIST_JOIN
