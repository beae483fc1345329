"""HyperLogLog operations on HLL bins."""

from __future__ import annotations

from typing import Optional

import aerospike

__all__ = ["hll_add", "hll_describe", "hll_fold", "hll_get_count", "hll_get_intersect_count",
           "hll_get_similarity", "hll_get_union", "hll_get_union_count", "hll_init", "hll_refresh_count",
           "hll_set_union"]  # fmt: skip


# The operation dicts' keys, as 19.x names them.
OP_KEY = "op"
BIN_KEY = "bin"
HLL_POLICY_KEY = "hll_policy"
INDEX_BIT_COUNT_KEY = "index_bit_count"
MH_BIT_COUNT_KEY = "mh_bit_count"
VALUE_LIST_KEY = "value_list"


def _bits(count: Optional[int]) -> int:
    return -1 if count is None else count


def _with_policy(operation: dict, policy: Optional[dict]) -> dict:
    if policy:
        operation["hll_policy"] = policy
    return operation


def hll_add(bin_name: str, values: list, index_bit_count: Optional[int] = None,
            mh_bit_count: Optional[int] = None, policy: Optional[dict] = None) -> dict:
    """Add `values`; creates the bin with the bit counts when it does not exist."""
    operation = {"op": aerospike.OP_HLL_ADD, "bin": bin_name, "value_list": values,
                 "index_bit_count": _bits(index_bit_count), "mh_bit_count": _bits(mh_bit_count)}
    return _with_policy(operation, policy)


def hll_describe(bin_name: str) -> dict:
    """[index_bit_count, mh_bit_count] of the bin."""
    return {"op": aerospike.OP_HLL_DESCRIBE, "bin": bin_name}


def hll_fold(bin_name: str, index_bit_count: int) -> dict:
    """Fold the bin down to `index_bit_count` (only without min-hash bits)."""
    return {"op": aerospike.OP_HLL_FOLD, "bin": bin_name, "index_bit_count": index_bit_count}


def hll_get_count(bin_name: str) -> dict:
    """Estimated number of distinct values."""
    return {"op": aerospike.OP_HLL_GET_COUNT, "bin": bin_name}


def hll_get_intersect_count(bin_name: str, hll_list: list) -> dict:
    """Estimated distinct count of the intersection of the bin with the HLLs of `hll_list`."""
    return {"op": aerospike.OP_HLL_GET_INTERSECT_COUNT, "bin": bin_name, "value_list": hll_list}


def hll_get_similarity(bin_name: str, hll_list: list) -> dict:
    """Estimated similarity of the bin with the HLLs of `hll_list`."""
    return {"op": aerospike.OP_HLL_GET_SIMILARITY, "bin": bin_name, "value_list": hll_list}


def hll_get_union(bin_name: str, hll_list: list) -> dict:
    """The union of the bin with the HLLs of `hll_list`, as an HLL."""
    return {"op": aerospike.OP_HLL_GET_UNION, "bin": bin_name, "value_list": hll_list}


def hll_get_union_count(bin_name: str, hll_list: list) -> dict:
    """Estimated distinct count of the union of the bin with the HLLs of `hll_list`."""
    return {"op": aerospike.OP_HLL_GET_UNION_COUNT, "bin": bin_name, "value_list": hll_list}


def hll_init(bin_name: str, index_bit_count: Optional[int] = None, mh_bit_count: Optional[int] = None,
             policy: Optional[dict] = None) -> dict:
    """Create or reset the bin as an empty HLL."""
    operation = {"op": aerospike.OP_HLL_INIT, "bin": bin_name, "index_bit_count": _bits(index_bit_count),
                 "mh_bit_count": _bits(mh_bit_count)}
    return _with_policy(operation, policy)


def hll_refresh_count(bin_name: str) -> dict:
    """Recompute and return the cached count."""
    return {"op": aerospike.OP_HLL_REFRESH_COUNT, "bin": bin_name}


def hll_set_union(bin_name: str, hll_list: list, policy: Optional[dict] = None) -> dict:
    """Set the bin to its union with the HLLs of `hll_list`."""
    return _with_policy({"op": aerospike.OP_HLL_SET_UNION, "bin": bin_name, "value_list": hll_list}, policy)


