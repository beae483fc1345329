"""HyperLogLog expressions: reads and writes of HLL bins (or HLL expressions), as HLL calls on the wire."""

from __future__ import annotations

from typing import Any, Optional

from aerospike.protocol import expressions as wire

from .base import HLLBin
from .resources import ResultType, _BaseExpr, _CallExpr

__all__ = ["HLLAdd", "HLLDescribe", "HLLGetCount", "HLLGetIntersectCount", "HLLGetSimilarity", "HLLGetUnion",
           "HLLGetUnionCount", "HLLInit", "HLLMayContain"]  # fmt: skip


def _bin(bin: Any) -> _BaseExpr:
    return bin if isinstance(bin, _BaseExpr) else HLLBin(bin)


def _flags(policy: Optional[dict]) -> int:
    return policy.get("flags", 0) if policy is not None else 0


def _bits(count: Optional[int]) -> int:
    return -1 if count is None else count


class _HLLCall(_CallExpr):
    def _write(self, op: int, args: tuple, bin: Any) -> None:
        self._call(wire.CALL_HLL | wire.CALL_MODIFY, op, ResultType.HLL, args, _bin(bin))

    def _read(self, op: int, rt: int, args: tuple, bin: Any) -> None:
        self._call(wire.CALL_HLL, op, rt, args, _bin(bin))


class HLLInit(_HLLCall):
    """Create (or reset) the HLL bin with the given bit counts (None: the server's default / none)."""

    def __init__(self, policy: Optional[dict], index_bit_count: Optional[int], mh_bit_count: Optional[int],
                 bin: Any):
        self._write(wire.HLL_INIT, (_bits(index_bit_count), _bits(mh_bit_count), _flags(policy)), bin)


class HLLAdd(_HLLCall):
    """Add the values of `list` to the HLL bin, creating it with the bit counts when missing."""

    def __init__(self, policy: Optional[dict], list: Any, index_bit_count: Optional[int],
                 mh_bit_count: Optional[int], bin: Any):
        args = (list, _bits(index_bit_count), _bits(mh_bit_count), _flags(policy))
        self._write(wire.HLL_ADD, args, bin)


class HLLGetCount(_HLLCall):
    """Estimated number of distinct values."""

    def __init__(self, bin: Any):
        self._read(wire.HLL_COUNT, ResultType.INTEGER, (), bin)


class HLLGetUnion(_HLLCall):
    """The union of the bin with the HLL values of `values`, as an HLL."""

    def __init__(self, values: Any, bin: Any):
        self._read(wire.HLL_UNION, ResultType.HLL, (values,), bin)


class HLLGetUnionCount(_HLLCall):
    """Estimated distinct count of the union with `values`."""

    def __init__(self, values: Any, bin: Any):
        self._read(wire.HLL_UNION_COUNT, ResultType.INTEGER, (values,), bin)


class HLLGetIntersectCount(_HLLCall):
    """Estimated distinct count of the intersection with `values`."""

    def __init__(self, values: Any, bin: Any):
        self._read(wire.HLL_INTERSECT_COUNT, ResultType.INTEGER, (values,), bin)


class HLLGetSimilarity(_HLLCall):
    """Estimated Jaccard similarity with `values`, a float."""

    def __init__(self, values: Any, bin: Any):
        self._read(wire.HLL_SIMILARITY, ResultType.FLOAT, (values,), bin)


class HLLDescribe(_HLLCall):
    """[index_bit_count, mh_bit_count] of the bin."""

    def __init__(self, bin: Any):
        self._read(wire.HLL_DESCRIBE, ResultType.LIST, (), bin)


class HLLMayContain(_HLLCall):
    """1 when every value of `list` may be in the HLL, else 0."""

    def __init__(self, list: Any, bin: Any):
        self._read(wire.HLL_MAY_CONTAIN, ResultType.INTEGER, (list,), bin)
