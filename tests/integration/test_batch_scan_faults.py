"""Batch reads, scans and queries when a node dies mid-command, and the errors of sets, indexes and Lua.

A three-node cluster with replication factor 2 loses a node while a `get_many`, a scan `foreach` or a query
`foreach` is in flight; every record must still be delivered exactly once, from the surviving replicas. The
policies give the retries a pause (`RETRY_POLICY`): with the default replica policy (master) a retry goes where the
client's partition map says, so it succeeds once the tender has seen the node go (one tend interval), as with the
official client.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import pytest

import aerospike
from aerospike import exception
from aerospike import predicates as p
from aerospike.key import calc_digest, partition_id
from tests.integration.test_scan_memory import seed_records

SET = "faults"
# For the scans: records big enough (48 MB in all) that a node is still sending when it is killed, so the client
# sees the stream cut and must resume the node's partitions elsewhere without repeating a record.
N_BIG, BIG_PAD = 1200, b"x" * 40_000
RETRY_POLICY = {"total_timeout": 10000, "max_retries": 20, "sleep_between_retries": 100}
N_RECORDS = 400

RECORD_UDF = """
function fail(rec) error("boom", 0) end
function ret_bin(rec, name) return rec[name] end
"""
STREAM_UDF = """
local function add(a, b) return a + b end
function sum_bin(stream, bin)
  local function get(rec) return rec[bin] end
  return stream : map(get) : reduce(add)
end
function broken(stream)
  local function bad(rec) return rec.n + nil end
  return stream : map(bad)
end
"""


def _client(cluster: Any, **config: Any) -> Any:
    return aerospike.client({"hosts": cluster.hosts, **config}).connect()


def _fill(client: Any, count: int = N_RECORDS) -> None:
    for i in range(count):
        client.put(("test", SET, i), {"n": i, "p": i % 2}, policy={"key": aerospike.POLICY_KEY_SEND})


def _masters(cluster: Any, keys: list[Any]) -> Counter:
    return Counter(cluster.owners(partition_id(bytes(calc_digest(ns, set_name, user_key))))[0]
                   for ns, set_name, user_key in keys)


def _wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def test_get_many_survives_a_node_killed_mid_batch(cluster3: Any) -> None:
    client = _client(cluster3)
    try:
        _fill(client)
        keys = [("test", SET, i) for i in range(N_RECORDS)] + [("test", SET, f"missing-{i}") for i in range(20)]
        assert set(_masters(cluster3, keys)) == {0, 1, 2}  # the batch goes to every node
        victim = 1
        cluster3.delay(victim, 0.4)  # the victim holds its sub-batch while it is killed
        killer = threading.Timer(0.15, cluster3.kill_node, args=(victim,))
        killer.start()
        started = time.monotonic()
        records = client.get_many(keys, policy=RETRY_POLICY)
        killer.join()
        assert cluster3.live_nodes() == [0, 2]
        assert time.monotonic() - started < 5  # one tend interval and a few pauses, not the total timeout
        assert len(records) == len(keys)
        assert [key[2] for key, _, _ in records] == [key[2] for key in keys]  # input order, each key once
        assert [bins["n"] for _, _, bins in records[:N_RECORDS]] == list(range(N_RECORDS))
        assert all(meta is None and bins is None for _, meta, bins in records[N_RECORDS:])
        # The victim's sub-batch was sent (and lost), so the records really came from the replicas.
        assert cluster3.request_counts()[victim].messages.get("batch", 0) >= 1
    finally:
        client.close()


def _kill_after(cluster: Any, after: int, seen: list, victims: list, streaming: bool) -> Callable[[Any], None]:
    """A callback that kills, after `after` records, the node streaming them (or one not yet asked)."""

    def callback(record: Any) -> None:
        seen.append(record)
        if len(seen) == after:
            current = cluster.owners(partition_id(bytes(record[0][3])))[0]
            victim = current if streaming else next(i for i in cluster.live_nodes()[::-1] if i != current)
            victims.append(victim)
            cluster.kill_node(victim)

    return callback


def _scan_requests(cluster: Any) -> int:
    return sum(node.messages.get("scan", 0) + node.messages.get("query", 0) for node in cluster.request_counts())


@pytest.mark.parametrize("streaming", [True, False], ids=["streaming-node", "later-node"])
def test_scan_foreach_survives_a_node_killed_from_the_callback(cluster3: Any, streaming: bool) -> None:
    seed_records(cluster3, "test", SET, N_BIG, lambda i: {"n": i, "pad": BIG_PAD})
    client = _client(cluster3)
    try:
        seen: list = []
        victims: list = []
        client.scan("test", SET).foreach(_kill_after(cluster3, 20, seen, victims, streaming), policy=RETRY_POLICY)
        assert len(victims) == 1 and victims[0] not in cluster3.live_nodes()
        delivered = Counter(key[2] for key, _, _ in seen)
        assert max(delivered.values()) == 1
        assert sorted(delivered) == list(range(N_BIG))
        assert all(bins["n"] == key[2] for key, _, bins in seen)
        assert _scan_requests(cluster3) > 3  # the victim's partitions were asked again of the survivors
    finally:
        client.close()


def test_query_foreach_survives_a_node_killed_from_the_callback(cluster3: Any) -> None:
    seed_records(cluster3, "test", SET, N_BIG, lambda i: {"n": i, "p": i % 2, "pad": BIG_PAD})
    client = _client(cluster3)
    try:
        client.index_integer_create("test", SET, "p", "faults_p_idx")
        seen: list = []
        victims: list = []
        query = client.query("test", SET)
        query.where(p.equals("p", 1))
        query.foreach(_kill_after(cluster3, 20, seen, victims, True), policy=RETRY_POLICY)
        assert len(victims) == 1 and victims[0] not in cluster3.live_nodes()
        delivered = Counter(key[2] for key, _, _ in seen)
        assert max(delivered.values()) == 1
        assert sorted(delivered) == list(range(1, N_BIG, 2))
        assert _scan_requests(cluster3) > 3
    finally:
        client.close()


def test_an_empty_set_gives_no_records(cluster3: Any) -> None:
    client = _client(cluster3)
    try:
        _fill(client, 30)
        client.index_integer_create("test", "faults_empty", "n", "faults_empty_n_idx")
        assert client.scan("test", "faults_empty").results() == []
        seen: list = []
        client.scan("test", "faults_empty").foreach(seen.append)
        query = client.query("test", "faults_empty")
        query.where(p.between("n", 0, 100))
        query.foreach(seen.append)
        assert seen == []
        assert client.query("test", "faults_empty").results() == []
        records = client.get_many([("test", "faults_empty", 1), ("test", "faults_empty", 2)])
        assert [(key[:3], meta, bins) for key, meta, bins in records] == [
            (("test", "faults_empty", 1), None, None), (("test", "faults_empty", 2), None, None)]
    finally:
        client.close()


def test_a_query_on_a_missing_index_raises_index_not_found(cluster3: Any) -> None:
    client = _client(cluster3)
    try:
        _fill(client, 30)
        query = client.query("test", SET)
        query.where(p.equals("no_such_bin", 1))
        with pytest.raises(exception.IndexNotFound) as raised:
            query.results()
        assert raised.value.code == 201
        client.index_integer_create("test", SET, "n", "faults_n_idx")
        assert len(client.query("test", SET).where(p.between("n", 0, 9)).results()) == 10
        client.index_remove("test", "faults_n_idx")
        with pytest.raises(exception.IndexNotFound):
            client.query("test", SET).where(p.between("n", 0, 9)).results()
    finally:
        client.close()


def test_a_lua_error_surfaces_as_udf_error(cluster3: Any, tmp_path: Path) -> None:
    (tmp_path / "fault_rec.lua").write_text(RECORD_UDF)
    (tmp_path / "fault_agg.lua").write_text(STREAM_UDF)
    client = _client(cluster3, lua={"user_path": str(tmp_path)})
    try:
        _fill(client, 30)
        client.udf_put(str(tmp_path / "fault_rec.lua"))
        client.udf_put(str(tmp_path / "fault_agg.lua"))
        assert client.apply(("test", SET, 3), "fault_rec", "ret_bin", ["n"]) == 3
        with pytest.raises(exception.UDFError) as raised:
            client.apply(("test", SET, 3), "fault_rec", "fail", [])
        assert raised.value.code == 100 and "boom" in str(raised.value.msg)
        with pytest.raises(exception.UDFError):
            client.apply(("test", SET, 3), "fault_rec", "no_such_function", [])
        query = client.query("test", SET)
        query.apply("fault_agg", "broken", [])
        with pytest.raises(exception.UDFError):
            query.results()
        # The connection that carried the failure is not reused in a bad state.
        query = client.query("test", SET)
        query.apply("fault_agg", "sum_bin", ["n"])
        assert query.results() == [sum(range(30))]
    finally:
        client.close()
