"""Scan.foreach streams: the client holds a frame's records at a time, never the whole scan.

50,000 records are consumed with `Scan.foreach` while tracemalloc watches the process; the peak must stay far below
what 50,000 such records take when held (measured in the same test with `results()` over 5,000 of them, times ten:
tracemalloc slows a scan about tenfold). The records are written straight into the local cluster's stores
(`seed_records`), so the test spends its time on the scans.
"""

from __future__ import annotations

import struct
import time
import tracemalloc
from typing import Any, Callable, Optional

import aerospike
from aerospike.key import calc_digest
from aerospike.protocol import constants as c
from aerospike.testing import LocalCluster
from aerospike.testing.store import Record, partition_of

N_RECORDS = 50_000
_INT = struct.Struct(">q")


def seed_records(
    cluster: LocalCluster,
    namespace: str,
    set_name: str,
    count: int,
    bins: Callable[[int], dict[str, Any]] = lambda i: {"n": i},
) -> None:
    """Store records with integer user keys 0..count-1 (key sent) on every node that holds their partition.

    Bin values may be int, str or bytes. This is what `count` puts with POLICY_KEY_SEND would leave, without the
    round trips. Records are immutable in the store, so the replicas share one Record.
    """
    now_ns = time.time_ns()
    for user_key in range(count):
        digest = bytes(calc_digest(namespace, set_name, user_key))
        stored = {}
        for name, value in bins(user_key).items():
            if isinstance(value, int):
                stored[name] = (c.PARTICLE_INTEGER, _INT.pack(value))
            elif isinstance(value, str):
                stored[name] = (c.PARTICLE_STRING, value.encode())
            else:
                stored[name] = (c.PARTICLE_BLOB, bytes(value))
        record = Record(stored, 1, 0, set_name, (c.PARTICLE_INTEGER, _INT.pack(user_key)), now_ns)
        for node_index in cluster.owners(partition_of(digest)):
            cluster.node(node_index).stores[namespace].put(digest, record)


def _peak_while(run: Callable[[], Optional[Any]]) -> tuple[int, Any]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        value = run()
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    return peak, value


def test_foreach_over_50000_records_streams_them(local_cluster: Callable[..., LocalCluster]) -> None:
    # One node: tracemalloc sees the cluster's threads too, and a single node's server side holds at most one
    # partition snapshot and one frame at a time, which keeps the measurement about the client.
    cluster = local_cluster(nodes=1, replication_factor=1)

    def bins(i: int) -> dict[str, Any]:
        return {"n": i, "s": f"value-{i:08d}", "b": b"\x01" * 64}

    seed_records(cluster, "test", "mem", N_RECORDS, bins)
    seed_records(cluster, "test", "mem_tenth", N_RECORDS // 10, bins)
    client = aerospike.client({"hosts": cluster.hosts}).connect()
    try:
        count = 0
        total = 0

        def consume(record: Any) -> None:
            nonlocal count, total
            count += 1
            total += record[2]["n"]

        streamed_peak, _ = _peak_while(lambda: client.scan("test", "mem").foreach(consume))
        assert count == N_RECORDS and total == sum(range(N_RECORDS))

        tenth_peak, records = _peak_while(lambda: client.scan("test", "mem_tenth").results())
        assert len(records) == N_RECORDS // 10
        del records
        held_peak = tenth_peak * 10
    finally:
        client.close()
    # Holding 50,000 records takes well over 20 MB here (tuples, dicts, digests, strings, blobs); streaming them keeps
    # a frame (64 KiB of wire bytes) and its decoded records at a time.
    assert held_peak > 20_000_000
    assert streamed_peak < held_peak / 8, (streamed_peak, held_peak)
    assert streamed_peak < 4_000_000, streamed_peak
