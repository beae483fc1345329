"""Cluster tending against a real two-node cluster: discovery from one seed, routing as the nodes' own `replicas`
answer says, and a node SIGKILLed under load (reads and writes go on once the survivor owns every partition).
"""

from __future__ import annotations

import base64
import time
from typing import Any

import aerospike
from aerospike import exception
from aerospike.key import calc_digest, partition_id
from aerospike.testing.asd import AsdCluster, info

PARTITIONS = 4096


def _server_masters(cluster: AsdCluster, namespace: str) -> dict[int, str]:
    """partition id -> node id of its master, from each node's own `replicas` answer."""
    masters: dict[int, str] = {}
    for node in cluster.nodes:
        if not node.alive():
            continue
        node_id = next(iter(info(node.address, "node").values()))
        answer = next(iter(info(node.address, "replicas").values()))
        for entry in answer.split(";"):
            name, _, rest = entry.partition(":")
            if name != namespace:
                continue
            # regime,count,bitmap-of-replica-0,bitmap-of-replica-1,...
            bitmap = base64.b64decode(rest.split(",")[2])
            for pid in range(PARTITIONS):
                if bitmap[pid >> 3] & (0x80 >> (pid & 7)):
                    masters[pid] = node_id
    return masters


def test_two_nodes_from_one_seed_route_as_the_server_says(real_cluster2: AsdCluster) -> None:
    client = aerospike.client({"hosts": [real_cluster2.hosts[1]]}).connect()
    try:
        nodes = client.get_nodes()
        assert sorted(tuple(node) for node in nodes) == sorted(real_cluster2.hosts)
        masters = _server_masters(real_cluster2, "test")
        assert len(masters) == PARTITIONS and len(set(masters.values())) == 2
        cluster = client._cluster
        for pid in range(0, PARTITIONS, 97):
            assert cluster.node_for("test", pid, 0).name == masters[pid]
        for i in range(200):
            client.put(("test", "topo", i), {"i": i})
        assert [client.get(("test", "topo", i))[2]["i"] for i in range(200)] == list(range(200))
    finally:
        client.close()


def _retrying(call: Any, deadline: float) -> Any:
    """`call()` until it succeeds or `deadline` passes; only the errors of a cluster in transition are retried."""
    while True:
        try:
            return call()
        except (exception.TimeoutError, exception.ClusterError, exception.ServerError, exception.ClientError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_killed_node_is_dropped_and_the_survivor_serves_everything(real_cluster2: AsdCluster) -> None:
    client = aerospike.client({"hosts": list(real_cluster2.hosts), "tend_interval": 100}).connect()
    try:
        keys = [("test", "kill", i) for i in range(300)]
        for i, key in enumerate(keys):
            client.put(key, {"i": i})
        masters = _server_masters(real_cluster2, "test")
        victim_id = masters[partition_id(calc_digest("test", "kill", 0))]
        victim = next(index for index, node in enumerate(real_cluster2.nodes)
                      if next(iter(info(node.address, "node").values())) == victim_id)
        real_cluster2.kill_node(victim)
        deadline = time.monotonic() + 20
        while len(client.get_nodes()) != 1:
            assert time.monotonic() < deadline, "the dead node stayed in the client's node list"
            time.sleep(0.05)
        # Replication factor 2: every record acknowledged before the kill is on the survivor.
        for i, key in enumerate(keys):
            assert _retrying(lambda key=key: client.get(key), deadline)[2] == {"i": i}
        _retrying(lambda: client.put(keys[0], {"i": -1}), deadline)
        assert client.get(keys[0])[2] == {"i": -1}
    finally:
        client.close()
