"""The tender's partition map: the whole-row fast paths of _NamespaceMap.apply give what the per-partition rule
gives (a claim wins unless its regime is older than the partition's; a node that stops claiming loses it), over
random sequences of answers from several nodes, with all-set, empty and random bitmaps and moving regimes."""

from __future__ import annotations

import random

from aerospike.snapshot import N_PARTITIONS
from aerospike.tend import NamespaceReplicas, _NamespaceMap


def reference_apply(owners: list, regimes: list, node: str, regime: int, bitmaps: tuple) -> None:
    for replica_index, bitmap in enumerate(bitmaps[: len(owners)]):
        row = owners[replica_index]
        for partition_id in range(N_PARTITIONS):
            if bitmap[partition_id >> 3] & (0x80 >> (partition_id & 7)):
                if regime >= regimes[partition_id]:
                    regimes[partition_id] = max(regimes[partition_id], regime)
                    row[partition_id] = node
            elif row[partition_id] == node:
                row[partition_id] = None


def random_bitmap(rng: random.Random) -> bytes:
    kind = rng.random()
    if kind < 0.25:
        return b"\xff" * (N_PARTITIONS // 8)
    if kind < 0.35:
        return bytes(N_PARTITIONS // 8)
    return bytes(rng.getrandbits(8) for _ in range(N_PARTITIONS // 8))


def test_fast_paths_match_the_per_partition_rule() -> None:
    rng = random.Random(20261206)
    for _ in range(40):
        replicas = rng.choice((1, 2))
        fast = _NamespaceMap(replicas)
        owners = [[None] * N_PARTITIONS for _ in range(replicas)]
        regimes = [0] * N_PARTITIONS
        for _step in range(8):
            node = rng.choice(("A", "B", "C"))
            regime = rng.choice((0, 1, 1, 2, 3, 3, 5))
            bitmaps = tuple(random_bitmap(rng) for _ in range(replicas))
            fast.apply(node, NamespaceReplicas(regime, replicas, bitmaps))
            reference_apply(owners, regimes, node, regime, bitmaps)
            assert fast.owners == owners
            assert fast.regimes == regimes
            assert fast.top_regime == max(regimes)
            assert fast.uniform == (regimes.count(max(regimes)) == N_PARTITIONS)
