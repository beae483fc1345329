"""Cluster tending against the local cluster: discovery, routing, node loss and gain, fork safety."""

from __future__ import annotations

import os
import time
from typing import Callable, Iterator

import pytest

from aerospike import exception
from aerospike.cluster import Cluster, ClusterConfig
from aerospike.snapshot import N_PARTITIONS
from aerospike.tend import bitmap_partitions, parse_replicas
from tests.fixtures.cluster import info_request

TEND_INTERVAL = 0.2


@pytest.fixture
def connect() -> Iterator[Callable[..., Cluster]]:
    """Factory: connect(local_cluster, **config) -> a connected Cluster, closed at the end of the test."""
    made: list[Cluster] = []

    def make(local, seed_index: int = 0, **kwargs) -> Cluster:
        host, port = local.hosts[seed_index]
        kwargs.setdefault("tend_interval", TEND_INTERVAL)
        cluster = Cluster(ClusterConfig(seeds=((host, port, None),), **kwargs))
        made.append(cluster)
        cluster.connect()
        return cluster

    yield make
    for cluster in made:
        cluster.close()


def wait_until(predicate: Callable[[], bool], seconds: float) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"condition not met within {seconds} s")
        time.sleep(0.01)
    return time.monotonic() - started


def routing_matches_nodes(cluster: Cluster, local) -> None:
    """Every node's own `replicas` answer agrees with node_for for every partition and replica."""
    for host, port in (local.hosts[i] for i in local.live_nodes()):
        answer = info_request((host, port), "node", "replicas")
        for namespace, entry in parse_replicas(answer["replicas"]).items():
            for replica_index, bitmap in enumerate(entry.bitmaps):
                for partition_id in bitmap_partitions(bitmap):
                    node = cluster.node_for(namespace, partition_id, replica_index)
                    assert node is not None and node.name == answer["node"], (namespace, partition_id)


def test_connect_single_node(cluster, connect):
    client = connect(cluster)
    assert client.is_connected()
    (node,) = client.nodes()
    assert node.name == cluster.node_ids[0] and (node.host, node.port) == cluster.hosts[0]
    assert sorted(client.namespaces()) == ["bar", "test"]
    assert client.replica_count("test") == 1
    assert all(client.node_for("test", p, 0) is node for p in range(N_PARTITIONS))
    assert client.node_for("nosuchns", 0, 0) is None and not client.has_namespace("nosuchns")
    assert client.get_node(node.name) is node and client.random_node() is node
    assert node.info(["build"], 1.0)["build"]


def test_seed_connections_serve_the_first_commands(cluster3, connect):
    """connect() hands each node's validated tend connection to its pool: the first command to a node opens no
    connection, and the next tend pass opens new tend connections of its own."""
    client = connect(cluster3)
    nodes = client.nodes()
    assert len(nodes) == 3 and all(node.pool.total == 1 and node.pool.idle == 1 for node in nodes)
    seeds = [node.pool.checkout() for node in nodes]
    for node, connection in zip(nodes, seeds):
        node.pool.checkin(connection)
        assert node.info(["node"], 1.0)["node"] == node.name  # the adopted connection works
        assert node.pool.total == 1 and node.pool.checkout() is connection
        node.pool.checkin(connection)
    tender = client.tender
    wait_until(lambda: all(n.connection is not None for n in tender._nodes.values()), 5 * TEND_INTERVAL)
    assert all(n.connection not in seeds for n in tender._nodes.values())
    assert all(node.pool.total == 1 for node in nodes)


def test_connect_three_nodes_from_one_seed(cluster3, connect):
    client = connect(cluster3, seed_index=2)
    assert sorted(n.name for n in client.nodes()) == sorted(cluster3.node_ids)
    assert client.replica_count("test") == 2
    routing_matches_nodes(client, cluster3)
    for partition_id in (0, 1, 2047, 4095):
        master = client.node_for("test", partition_id, 0)
        prole = client.node_for("test", partition_id, 1)
        assert master is not None and prole is not None and master is not prole


def test_killed_node_is_removed_and_its_partitions_move(cluster3, connect):
    client = connect(cluster3)
    victim = cluster3.node_ids[1]
    cluster3.kill_node(1)
    wait_until(lambda: victim not in [n.name for n in client.nodes()], 5 * TEND_INTERVAL + 1.0)
    wait_until(lambda: all(client.node_for("test", p, 0) is not None for p in range(N_PARTITIONS)), 1.0)
    routing_matches_nodes(client, cluster3)
    with pytest.raises(exception.InvalidNodeError):
        client.get_node(victim)


def test_stopped_node_is_removed(cluster3, connect):
    client = connect(cluster3)
    cluster3.stop_node(0)  # the seed itself
    wait_until(lambda: len(client.nodes()) == 2, 5 * TEND_INTERVAL + 1.0)
    routing_matches_nodes(client, cluster3)


def test_added_node_is_seen_within_two_tend_intervals(cluster3, connect):
    client = connect(cluster3)
    index = cluster3.add_node()
    new_name = cluster3.node_ids[index]
    elapsed = wait_until(lambda: new_name in [n.name for n in client.nodes()], 2 * TEND_INTERVAL + 0.3)
    assert elapsed <= 2 * TEND_INTERVAL + 0.3
    wait_until(
        lambda: client.snapshot.namespaces["test"].owners[0].count(client.snapshot.node_index(new_name)) > 0,
        1.0,
    )
    routing_matches_nodes(client, cluster3)


def test_node_objects_and_pools_survive_tends(cluster3, connect):
    client = connect(cluster3)
    before = {n.name: n for n in client.nodes()}
    before_pools = {n.name: n.pool for n in client.nodes()}
    time.sleep(3 * TEND_INTERVAL)
    assert {n.name: n for n in client.nodes()} == before
    assert all(n.pool is before_pools[n.name] for n in client.nodes())


def test_unreachable_seeds_raise_failed_to_connect_and_log_them(local_cluster, caplog):
    local = local_cluster(nodes=1, replication_factor=1)
    host, port = local.hosts[0]
    local.stop()
    cluster = Cluster(ClusterConfig(seeds=((host, port, None), ("127.0.0.1", 1, None))))
    with caplog.at_level("WARNING", logger="aerospike"), pytest.raises(exception.ConnectionError) as caught:
        cluster.connect()
    # 3.0.0 (C client 4.3.1): the last seed failure's code, 'Failed to connect'; each seed's failure is logged.
    assert (caught.value.code, caught.value.msg) == (-10, "Failed to connect")
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert f"{host}:{port}" in logged and "127.0.0.1:1" in logged
    assert not cluster.is_connected()
    cluster.close()


def test_cluster_name_mismatch_is_refused(local_cluster, connect, caplog):
    local = local_cluster(nodes=1, replication_factor=1, cluster_name="alpha")
    with caplog.at_level("WARNING", logger="aerospike"), pytest.raises(exception.ClientError) as caught:
        connect(local, cluster_name="beta")
    assert (caught.value.code, caught.value.msg) == (-1, "Failed to connect")
    assert "beta" in " ".join(record.getMessage() for record in caplog.records)
    assert connect(local, cluster_name="alpha").is_connected()


def test_close_disconnects(cluster, connect):
    client = connect(cluster)
    node = client.nodes()[0]
    node.info(["node"])
    client.close()
    assert not client.is_connected() and client.nodes() == []
    assert node.pool.idle == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_after_connect_child_routes_and_parent_is_unaffected(cluster3, connect):
    client = connect(cluster3)
    node = client.node_for("test", 100, 0)
    assert node.info(["node"])["node"] == node.name  # leaves a pooled connection in the parent
    parent_connection = node.pool._idle[-1]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            child_node = client.node_for("test", 100, 0)
            answer = child_node.info(["node"], 2.0)
            ok = (
                answer["node"] == child_node.name
                and child_node.pool.pid == os.getpid()
                and parent_connection not in child_node.pool._idle
                and client._thread is not None
                and client._thread.is_alive()
            )
            status = 0 if ok else 2
        except BaseException:
            status = 3
        os.write(write_end, bytes([status]))
        os._exit(status)
    os.close(write_end)
    _, wait_status = os.waitpid(pid, 0)
    os.read(read_end, 1)
    os.close(read_end)
    assert os.waitstatus_to_exitcode(wait_status) == 0
    # The parent's pooled socket still works and is the one reused.
    assert node.pool.checkout() is parent_connection
    assert parent_connection.info(["node"], 2.0)["node"] == node.name
    node.pool.checkin(parent_connection)
    routing_matches_nodes(client, cluster3)
