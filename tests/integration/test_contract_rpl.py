"""Batch requests route by the batch policy's `replica` (issue 12): MASTER (the default) sends every row to the
partition's master; SEQUENCE (and ANY, and 19.x's PREFER_RACK without a rack) sends a retry to the next replica,
so a batch survives a master that does not answer. On a three-node cluster with replication factor 2, one node
is delayed past the socket timeout; request counts per node show where the rows went.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

import aerospike
from aerospike import exception
from aerospike.key import calc_digest, partition_id
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import operations

SET = "rpl_batch_replica"
N_RECORDS = 60
SLOW = {"socket_timeout": 150, "total_timeout": 3000, "max_retries": 2}


def _client(cluster: Any) -> Any:
    return aerospike.client({"hosts": cluster.hosts}).connect()


def _keys(tag: str) -> list[tuple]:
    return [("test", SET, f"{tag}-{i}") for i in range(N_RECORDS)]


def _masters(cluster: Any, keys: list[tuple]) -> Counter:
    return Counter(cluster.owners(partition_id(bytes(calc_digest(*key))))[0] for key in keys)


def _batch_counts(cluster: Any) -> list[int]:
    return [counts.messages.get("batch", 0) for counts in cluster.request_counts()]


def _seed(client: Any, keys: list[tuple]) -> None:
    for i, key in enumerate(keys):
        client.put(key, {"n": i})


def _victim(cluster: Any, keys: list[tuple]) -> int:
    masters = _masters(cluster, keys)
    assert set(masters) == {0, 1, 2}  # every node is master of some rows
    return 1


READS = [
    ("get_many", lambda c, keys, policy: [rec[2]["n"] for rec in c.get_many(keys, policy)]),
    ("exists_many", lambda c, keys, policy: [rec[1]["gen"] for rec in c.exists_many(keys, policy)]),
    ("select_many", lambda c, keys, policy: [rec[2]["n"] for rec in c.select_many(keys, ["n"], policy)]),
    ("batch_read", lambda c, keys, policy: [rec.record[2]["n"] for rec in c.batch_read(keys, policy=policy).batch_records]),
    (
        "batch_operate",
        lambda c, keys, policy: [
            rec.record[2]["n"] for rec in c.batch_operate(keys, [operations.read("n")], policy).batch_records
        ],
    ),
]


@pytest.mark.parametrize("name, call", READS, ids=[name for name, _ in READS])
@pytest.mark.parametrize(
    "replica", [aerospike.POLICY_REPLICA_SEQUENCE, aerospike.POLICY_REPLICA_ANY, aerospike.POLICY_REPLICA_PREFER_RACK]
)
def test_batch_with_replica_sequence_survives_an_unanswering_master(
    cluster3: Any, name: str, call: Any, replica: int
) -> None:
    client = _client(cluster3)
    try:
        keys = _keys(name)
        _seed(client, keys)
        victim = _victim(cluster3, keys)
        cluster3.delay(victim, 1.0)
        cluster3.reset_counts()
        expected = [1] * N_RECORDS if name == "exists_many" else list(range(N_RECORDS))
        assert call(client, keys, {**SLOW, "replica": replica}) == expected
        counts = _batch_counts(cluster3)
        # The victim got its rows once (no answer), its replicas got them on the retry.
        assert counts[victim] == 1
        assert sum(counts) >= 3
    finally:
        cluster3.reset_faults()
        client.close()


@pytest.mark.parametrize("name, call", READS, ids=[name for name, _ in READS])
def test_batch_default_replica_is_master_and_fails_with_the_master(cluster3: Any, name: str, call: Any) -> None:
    client = _client(cluster3)
    try:
        keys = _keys(name)
        _seed(client, keys)
        victim = _victim(cluster3, keys)
        cluster3.delay(victim, 1.0)
        cluster3.reset_counts()
        with pytest.raises(exception.TimeoutError):
            call(client, keys, dict(SLOW))
        # Every attempt went to the master: the victim got the first try and both retries.
        assert _batch_counts(cluster3)[victim] == 3
    finally:
        cluster3.reset_faults()
        client.close()


@pytest.mark.parametrize("name, call", READS, ids=[name for name, _ in READS])
@pytest.mark.parametrize("policy", [None, {"replica": aerospike.POLICY_REPLICA_MASTER}])
def test_batch_rows_go_to_masters_by_default(cluster3: Any, name: str, call: Any, policy: Any) -> None:
    client = _client(cluster3)
    try:
        keys = _keys(name)
        _seed(client, keys)
        cluster3.reset_counts()
        call(client, keys, policy)
        # One request per master, none to a node that is master of no row.
        masters = _masters(cluster3, keys)
        assert _batch_counts(cluster3) == [1 if masters[i] else 0 for i in range(3)]
    finally:
        client.close()


def test_batch_write_with_replica_sequence_retries_on_the_replica(cluster3: Any) -> None:
    client = _client(cluster3)
    try:
        keys = _keys("write")
        _seed(client, keys)
        victim = _victim(cluster3, keys)
        cluster3.delay(victim, 1.0)
        records = br.BatchRecords(
            [br.Write(key, [operations.write("w", i)]) for i, key in enumerate(keys)]
        )
        result = client.batch_write(records, {**SLOW, "replica": aerospike.POLICY_REPLICA_SEQUENCE})
        assert result.result == 0
        assert [record.result for record in result.batch_records] == [0] * N_RECORDS
        cluster3.reset_faults()
        assert [rec[2]["w"] for rec in client.get_many(keys)] == list(range(N_RECORDS))
    finally:
        cluster3.reset_faults()
        client.close()


def test_batch_policy_replica_of_the_wrong_type_is_ignored_as_3_0_0_did(cluster3: Any) -> None:
    client = _client(cluster3)
    try:
        keys = _keys("ignored")
        _seed(client, keys)
        assert len(client.get_many(keys, {"replica": "sequence"})) == N_RECORDS
        # And config['policies']['batch'] takes it too.
        other = aerospike.client(
            {"hosts": cluster3.hosts, "policies": {"batch": {"replica": aerospike.POLICY_REPLICA_SEQUENCE}}}
        ).connect()
        try:
            assert other._resolve("batch", None).replica == aerospike.POLICY_REPLICA_SEQUENCE
        finally:
            other.close()
    finally:
        client.close()


# ------------------------------------------------------------------------------------------------ operate

OPERATE_SCRIPT = r"""
import aerospike
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import expression_operations as eo
from aerospike_helpers.operations import list_operations as lo
from aerospike_helpers.operations import map_operations as mo
from aerospike_helpers.operations import operations as op

client = aerospike.client({"hosts": [tuple(h) for h in hosts]}).connect()
KEY = ("test", set_name, "mixed")
E = exp.Add(exp.IntBin("a"), 5).compile()
CASES = {
    "write + exp write": [op.write("b", 2), eo.expression_write("c", E)],
    "exp write + write": [eo.expression_write("c", E), op.write("b", 2)],
    "write + exp read": [op.write("b", 2), eo.expression_read("c", E)],
    "write + exp write + read": [op.write("b", 2), eo.expression_write("c", E), op.read("a")],
    "increment + exp write": [op.increment("a", 1), eo.expression_write("c", E)],
    "append twice + exp write": [op.write("s", "x"), op.append("s", "y"), eo.expression_write("c", E)],
    "touch + exp write": [op.touch(100), eo.expression_write("c", E)],
    "same bin + exp write": [op.write("c", 2), eo.expression_write("c", E)],
    "write + map put + exp write": [op.write("b", 2), mo.map_put("m", "y", 2), eo.expression_write("c", E)],
    "write + list append + exp write": [op.write("b", 2), lo.list_append("l", 3), eo.expression_write("c", E)],
    "write + list append": [op.write("b", 2), lo.list_append("l", 3)],
}

def run(method, ops):
    client.put(KEY, {"a": 1, "m": {"x": 1}, "l": [1, 2]})
    try:
        bins = getattr(client, method)(KEY, ops)[2]
    except Exception as error:
        return ["error", type(error).__name__, getattr(error, "code", None)]
    if isinstance(bins, dict):
        return ["ok", sorted([name, value] for name, value in bins.items())]
    return ["ok", [[name, value] for name, value in bins]]

result = {f"{method} {name}": run(method, ops) for name, ops in CASES.items() for method in ("operate", "operate_ordered")}
client.close()
"""


def test_operate_mixing_writes_and_expression_ops_equals_19_3_0(backend: Any) -> None:
    from tests.support.official import run_official

    variables: dict[str, Any] = {"hosts": [list(host) for host in backend.hosts], "set_name": "rpl_operate_mixed"}
    official = run_official(OPERATE_SCRIPT, **variables)
    namespace: dict[str, Any] = dict(variables)
    exec(OPERATE_SCRIPT, namespace)  # noqa: S102 (the same script through this package)
    ours = namespace["result"]
    assert {name: (ours[name], official[name]) for name in official if ours[name] != official[name]} == {}
    assert set(ours) == set(official)
    # What 19.3.0 answered against CE 8.1.2.0 when this test was written: the plain write's bin is reported.
    assert ours["operate write + exp write"] == ["ok", [["b", None], ["c", None]]]
    assert ours["operate_ordered append twice + exp write"] == ["ok", [["s", None], ["s", None], ["c", None]]]
    assert ours["operate_ordered write + exp read"] == ["ok", [["b", None], ["c", 6]]]
    # Without an expression op the plain write stays unreported.
    assert ours["operate_ordered write + list append"] == ["ok", [["l", 3]]]
