"""Map operations: each function returns the operation dict ``client.operate`` takes.

Nested maps are reached with ``ctx`` (a list of ``aerospike_helpers.cdt_ctx`` items, outermost first). Writes take
the map policy dict (``map_order``, ``map_write_flags``, ``persist_index``). ``inverted=True`` selects everything
the operation would not select. A map whose entries are all removed stays, empty.
"""

from __future__ import annotations

from typing import Any, Optional

import aerospike

__all__ = ["map_clear", "map_create", "map_decrement", "map_get_by_index", "map_get_by_index_range",
           "map_get_by_key", "map_get_by_key_index_range_relative", "map_get_by_key_list", "map_get_by_key_range",
           "map_get_by_rank", "map_get_by_rank_range", "map_get_by_value", "map_get_by_value_list",
           "map_get_by_value_range", "map_get_by_value_rank_range_relative", "map_increment", "map_put",
           "map_put_items", "map_remove_by_index", "map_remove_by_index_range", "map_remove_by_key",
           "map_remove_by_key_index_range_relative", "map_remove_by_key_list", "map_remove_by_key_range",
           "map_remove_by_rank", "map_remove_by_rank_range", "map_remove_by_value", "map_remove_by_value_list",
           "map_remove_by_value_range", "map_remove_by_value_rank_range_relative", "map_set_policy",
           "map_size"]  # fmt: skip

OP_KEY = "op"
BIN_KEY = "bin"
POLICY_KEY = "map_policy"
VALUE_KEY = "val"
KEY_KEY = "key"
INDEX_KEY = "index"
RETURN_TYPE_KEY = "return_type"
INVERTED_KEY = "inverted"
RANGE_KEY = "range"
COUNT_KEY = "count"
RANK_KEY = "rank"
CTX_KEY = "ctx"
MAP_ORDER_KEY = "map_order"
PERSIST_INDEX_KEY = "persist_index"


def _write(code: int, bin_name: str, map_policy: Optional[dict], ctx: Optional[list], **fields: Any) -> dict:
    operation = {OP_KEY: code, BIN_KEY: bin_name, **fields}
    if map_policy is not None:
        operation[POLICY_KEY] = map_policy
    if ctx is not None:
        operation[CTX_KEY] = ctx
    return operation


def _remove(code: int, bin_name: str, ctx: Optional[list], **fields: Any) -> dict:
    # The removes (and size, clear) keep a ctx given as an empty list, as 19.x does.
    operation = {OP_KEY: code, BIN_KEY: bin_name, **fields}
    if ctx is not None:
        operation[CTX_KEY] = ctx
    return operation


def _get(code: int, bin_name: str, ctx: Optional[list], **fields: Any) -> dict:
    operation = {OP_KEY: code, BIN_KEY: bin_name, **fields}
    if ctx:
        operation[CTX_KEY] = ctx
    return operation


def _relative(code: int, bin_name: str, ctx: Optional[list], count: Any, inverted: bool, **fields: Any) -> dict:
    operation = {OP_KEY: code, BIN_KEY: bin_name, **fields}
    if count is not None:
        operation[COUNT_KEY] = count
    if inverted:
        operation[INVERTED_KEY] = True
    if ctx:
        operation[CTX_KEY] = ctx
    return operation


def map_set_policy(bin_name: str, policy: Any, ctx: Optional[list] = None) -> dict:
    """Set the map's order (the policy's ``map_order``)."""
    return _remove(aerospike.OP_MAP_SET_POLICY, bin_name, ctx, **{POLICY_KEY: policy})


def map_create(bin_name: str, map_order: int, persist_index: bool, ctx: Optional[list] = None) -> dict:
    """Create a map of `map_order` at the bin (or, with `ctx`, at the context's last level)."""
    return _remove(aerospike.OP_MAP_CREATE, bin_name, ctx,
                   **{MAP_ORDER_KEY: map_order, PERSIST_INDEX_KEY: persist_index})  # fmt: skip


def map_put(bin_name: str, key: Any, value: Any, map_policy: Optional[dict] = None, ctx: Optional[list] = None) -> dict:
    """Put `key`: `value`; returns the map's size."""
    return _write(aerospike.OP_MAP_PUT, bin_name, map_policy, ctx, **{KEY_KEY: key, VALUE_KEY: value})


def map_put_items(bin_name: str, item_dict: Any, map_policy: Optional[dict] = None,
                  ctx: Optional[list] = None) -> dict:
    """Put every entry of `item_dict`; returns the map's size."""
    operation: dict = {OP_KEY: aerospike.OP_MAP_PUT_ITEMS, BIN_KEY: bin_name}
    if map_policy is not None:
        operation[POLICY_KEY] = map_policy
    try:  # 19.x sends the items sorted by key when the keys compare
        item_dict = dict(sorted(item_dict.items()))
    except Exception:  # noqa: BLE001 - keys that do not compare keep their order
        pass
    operation[VALUE_KEY] = item_dict
    if ctx is not None:
        operation[CTX_KEY] = ctx
    return operation


def map_increment(bin_name: str, key: Any, amount: Any, map_policy: Optional[dict] = None,
                  ctx: Optional[list] = None) -> dict:
    """Add `amount` to the value of `key`; returns the new value."""
    return _write(aerospike.OP_MAP_INCREMENT, bin_name, map_policy, ctx, **{KEY_KEY: key, VALUE_KEY: amount})


def map_decrement(bin_name: str, key: Any, amount: Any, map_policy: Optional[dict] = None,
                  ctx: Optional[list] = None) -> dict:
    """Subtract `amount` from the value of `key`; returns the new value."""
    return _write(aerospike.OP_MAP_DECREMENT, bin_name, map_policy, ctx, **{KEY_KEY: key, VALUE_KEY: amount})


def map_size(bin_name: str, ctx: Optional[list] = None) -> dict:
    """The number of entries."""
    return _remove(aerospike.OP_MAP_SIZE, bin_name, ctx)


def map_clear(bin_name: str, ctx: Optional[list] = None) -> dict:
    """Remove every entry."""
    return _remove(aerospike.OP_MAP_CLEAR, bin_name, ctx)


def map_remove_by_key(bin_name: str, key: Any, return_type: Any, ctx: Optional[list] = None) -> dict:
    """Remove the entry of `key`."""
    return _remove(aerospike.OP_MAP_REMOVE_BY_KEY, bin_name, ctx, **{KEY_KEY: key, RETURN_TYPE_KEY: return_type})


def map_remove_by_key_list(bin_name: str, key_list: Any, return_type: Any, inverted: bool = False,
                           ctx: Optional[list] = None) -> dict:
    """Remove the entries of the keys of `key_list`."""
    return _remove(aerospike.OP_MAP_REMOVE_BY_KEY_LIST, bin_name, ctx,
                   **{VALUE_KEY: key_list, RETURN_TYPE_KEY: return_type, INVERTED_KEY: inverted})  # fmt: skip


def map_remove_by_key_range(bin_name: str, key_range_start: Any, key_range_end: Any, return_type: Any,
                            inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """Remove the entries with `key_range_start` <= key < `key_range_end`."""
    return _remove(aerospike.OP_MAP_REMOVE_BY_KEY_RANGE, bin_name, ctx,
                   **{KEY_KEY: key_range_start, VALUE_KEY: key_range_end, RETURN_TYPE_KEY: return_type,
                      INVERTED_KEY: inverted})  # fmt: skip


def map_remove_by_value(bin_name: str, value: Any, return_type: Any, inverted: bool = False,
                        ctx: Optional[list] = None) -> dict:
    """Remove the entries whose value equals `value`."""
    return _remove(aerospike.OP_MAP_REMOVE_BY_VALUE, bin_name, ctx,
                   **{VALUE_KEY: value, RETURN_TYPE_KEY: return_type, INVERTED_KEY: inverted})  # fmt: skip


def map_remove_by_value_list(bin_name: str, value_list: Any, return_type: Any, inverted: bool = False,
                             ctx: Optional[list] = None) -> dict:
    """Remove the entries whose value is one of `value_list`."""
    return _remove(aerospike.OP_MAP_REMOVE_BY_VALUE_LIST, bin_name, ctx,
                   **{VALUE_KEY: value_list, RETURN_TYPE_KEY: return_type, INVERTED_KEY: inverted})  # fmt: skip


def map_remove_by_value_range(bin_name: str, value_start: Any, value_end: Any, return_type: Any,
                              inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """Remove the entries with `value_start` <= value < `value_end`."""
    return _remove(aerospike.OP_MAP_REMOVE_BY_VALUE_RANGE, bin_name, ctx,
                   **{VALUE_KEY: value_start, RANGE_KEY: value_end, RETURN_TYPE_KEY: return_type,
                      INVERTED_KEY: inverted})  # fmt: skip


def map_remove_by_index(bin_name: str, index: Any, return_type: Any, ctx: Optional[list] = None) -> dict:
    """Remove the entry at `index` (key order)."""
    return _remove(aerospike.OP_MAP_REMOVE_BY_INDEX, bin_name, ctx, **{INDEX_KEY: index, RETURN_TYPE_KEY: return_type})


def map_remove_by_index_range(bin_name: str, index_start: Any, remove_amt: Any, return_type: Any,
                              inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """Remove `remove_amt` entries from `index_start`."""
    return _remove(aerospike.OP_MAP_REMOVE_BY_INDEX_RANGE, bin_name, ctx,
                   **{INDEX_KEY: index_start, VALUE_KEY: remove_amt, RETURN_TYPE_KEY: return_type,
                      INVERTED_KEY: inverted})  # fmt: skip


def map_remove_by_rank(bin_name: str, rank: Any, return_type: Any, ctx: Optional[list] = None) -> dict:
    """Remove the entry of rank `rank` (value order)."""
    return _remove(aerospike.OP_MAP_REMOVE_BY_RANK, bin_name, ctx, **{INDEX_KEY: rank, RETURN_TYPE_KEY: return_type})


def map_remove_by_rank_range(bin_name: str, rank_start: Any, remove_amt: Any, return_type: Any,
                             inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """Remove `remove_amt` entries from rank `rank_start`."""
    return _remove(aerospike.OP_MAP_REMOVE_BY_RANK_RANGE, bin_name, ctx,
                   **{INDEX_KEY: rank_start, VALUE_KEY: remove_amt, RETURN_TYPE_KEY: return_type,
                      INVERTED_KEY: inverted})  # fmt: skip


def map_get_by_key(bin_name: str, key: Any, return_type: Any, ctx: Optional[list] = None) -> dict:
    """The entry of `key`."""
    return _get(aerospike.OP_MAP_GET_BY_KEY, bin_name, ctx, **{KEY_KEY: key, RETURN_TYPE_KEY: return_type})


def map_get_by_key_range(bin_name: str, key_range_start: Any, key_range_end: Any, return_type: Any,
                         inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """The entries with `key_range_start` <= key < `key_range_end`."""
    return _get(aerospike.OP_MAP_GET_BY_KEY_RANGE, bin_name, ctx,
                **{KEY_KEY: key_range_start, RANGE_KEY: key_range_end, RETURN_TYPE_KEY: return_type,
                   INVERTED_KEY: inverted})  # fmt: skip


def map_get_by_key_list(bin_name: str, key_list: Any, return_type: Any, inverted: bool = False,
                        ctx: Optional[list] = None) -> dict:
    """The entries of the keys of `key_list`."""
    return _get(aerospike.OP_MAP_GET_BY_KEY_LIST, bin_name, ctx,
                **{VALUE_KEY: key_list, RETURN_TYPE_KEY: return_type, INVERTED_KEY: inverted})  # fmt: skip


def map_get_by_value(bin_name: str, value: Any, return_type: Any, inverted: bool = False,
                     ctx: Optional[list] = None) -> dict:
    """The entries whose value equals `value`."""
    return _get(aerospike.OP_MAP_GET_BY_VALUE, bin_name, ctx,
                **{VALUE_KEY: value, RETURN_TYPE_KEY: return_type, INVERTED_KEY: inverted})  # fmt: skip


def map_get_by_value_range(bin_name: str, value_start: Any, value_end: Any, return_type: Any,
                           inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """The entries with `value_start` <= value < `value_end`."""
    return _get(aerospike.OP_MAP_GET_BY_VALUE_RANGE, bin_name, ctx,
                **{VALUE_KEY: value_start, RANGE_KEY: value_end, RETURN_TYPE_KEY: return_type,
                   INVERTED_KEY: inverted})  # fmt: skip


def map_get_by_value_list(bin_name: str, key_list: Any, return_type: Any, inverted: bool = False,
                          ctx: Optional[list] = None) -> dict:
    """The entries whose value is one of `key_list` (19.x's name for the values)."""
    return _get(aerospike.OP_MAP_GET_BY_VALUE_LIST, bin_name, ctx,
                **{VALUE_KEY: key_list, RETURN_TYPE_KEY: return_type, INVERTED_KEY: inverted})  # fmt: skip


def map_get_by_index(bin_name: str, index: Any, return_type: Any, ctx: Optional[list] = None) -> dict:
    """The entry at `index` (key order)."""
    return _get(aerospike.OP_MAP_GET_BY_INDEX, bin_name, ctx, **{INDEX_KEY: index, RETURN_TYPE_KEY: return_type})


def map_get_by_index_range(bin_name: str, index_start: Any, get_amt: Any, return_type: Any,
                           inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """`get_amt` entries from `index_start`."""
    return _get(aerospike.OP_MAP_GET_BY_INDEX_RANGE, bin_name, ctx,
                **{INDEX_KEY: index_start, VALUE_KEY: get_amt, RETURN_TYPE_KEY: return_type,
                   INVERTED_KEY: inverted})  # fmt: skip


def map_get_by_rank(bin_name: str, rank: Any, return_type: Any, ctx: Optional[list] = None) -> dict:
    """The entry of rank `rank` (value order)."""
    return _get(aerospike.OP_MAP_GET_BY_RANK, bin_name, ctx, **{INDEX_KEY: rank, RETURN_TYPE_KEY: return_type})


def map_get_by_rank_range(bin_name: str, rank_start: Any, get_amt: Any, return_type: Any,
                          inverted: bool = False, ctx: Optional[list] = None) -> dict:
    """`get_amt` entries from rank `rank_start`."""
    return _get(aerospike.OP_MAP_GET_BY_RANK_RANGE, bin_name, ctx,
                **{INDEX_KEY: rank_start, VALUE_KEY: get_amt, RETURN_TYPE_KEY: return_type,
                   INVERTED_KEY: inverted})  # fmt: skip


def map_remove_by_value_rank_range_relative(bin_name: str, value: Any, offset: Any, return_type: Any,
                                            count: Any = None, inverted: bool = False,
                                            ctx: Optional[list] = None) -> dict:
    """Remove `count` entries from the rank of `value` plus `offset` (without `count`: to the largest)."""
    return _relative(aerospike.OP_MAP_REMOVE_BY_VALUE_RANK_RANGE_REL, bin_name, ctx, count, inverted,
                     **{VALUE_KEY: value, RANK_KEY: offset, RETURN_TYPE_KEY: return_type})  # fmt: skip


def map_get_by_value_rank_range_relative(bin_name: str, value: Any, offset: Any, return_type: Any,
                                         count: Any = None, inverted: bool = False,
                                         ctx: Optional[list] = None) -> dict:
    """`count` entries from the rank of `value` plus `offset` (without `count`: to the largest)."""
    return _relative(aerospike.OP_MAP_GET_BY_VALUE_RANK_RANGE_REL, bin_name, ctx, count, inverted,
                     **{VALUE_KEY: value, RANK_KEY: offset, RETURN_TYPE_KEY: return_type})  # fmt: skip


def map_remove_by_key_index_range_relative(bin_name: str, key: Any, offset: Any, return_type: Any,
                                           count: Any = None, inverted: bool = False,
                                           ctx: Optional[list] = None) -> dict:
    """Remove `count` entries from the index of `key` plus `offset` (without `count`: to the end)."""
    return _relative(aerospike.OP_MAP_REMOVE_BY_KEY_INDEX_RANGE_REL, bin_name, ctx, count, inverted,
                     **{KEY_KEY: key, INDEX_KEY: offset, RETURN_TYPE_KEY: return_type})  # fmt: skip


def map_get_by_key_index_range_relative(bin_name: str, value: Any, offset: Any, return_type: Any,
                                        count: Any = None, inverted: bool = False,
                                        ctx: Optional[list] = None) -> dict:
    """`count` entries from the index of key `value` plus `offset` (without `count`: to the end)."""
    return _relative(aerospike.OP_MAP_GET_BY_KEY_INDEX_RANGE_REL, bin_name, ctx, count, inverted,
                     **{KEY_KEY: value, INDEX_KEY: offset, RETURN_TYPE_KEY: return_type})  # fmt: skip
