"""Regressions found in review: each test failed while the bug it names was present."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike
from aerospike import exception
from aerospike.node import Node
from aerospike.protocol.message import Message
from aerospike.testing import LocalCluster


def _client(cluster: LocalCluster, **config: Any) -> Any:
    return aerospike.client({"hosts": cluster.hosts, "connect_timeout": 2000, **config}).connect()


# -- command.execute_stream: a connection with unread frames goes back to the pool --------------------------------


def test_batch_record_error_does_not_desync_pooled_connection(
    cluster: LocalCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A per-record batch error (a non-LAST message that ends a frame) must not check in a connection whose LAST frame
    is still unread: the next command on it would read the batch's leftover frame as its own reply."""
    from aerospike.testing import batch as server_batch

    client = _client(cluster)
    try:
        for i in range(3):
            client.put(("test", "review", i), {"n": i})
        original = server_batch._run_one

        def run_one(cluster_: Any, node: Any, message: Message) -> Message:
            reply = original(cluster_, node, message)
            # The last key of the frame fails (a per-record error such as KEY_BUSY or DEVICE_OVERLOAD).
            if reply.ops and reply.ops[0].value == (2).to_bytes(8, "big"):
                return Message(result_code=14)
            return reply

        monkeypatch.setattr(server_batch, "_run_one", run_one)
        with pytest.raises(exception.AerospikeError):
            client.get_many([("test", "review", i) for i in range(3)])
        monkeypatch.setattr(server_batch, "_run_one", original)
        # Each get must answer for its own key; a leftover LAST frame would be read as get(0)'s reply.
        for i in range(3):
            _, _, bins = client.get(("test", "review", i))
            assert bins == {"n": i}
    finally:
        client.close()


# -- client.connect with use_shared_connection: the password is not part of the shared identity -------------------


def test_shared_connection_requires_the_right_password(local_cluster: Any) -> None:
    secured = local_cluster(nodes=1, replication_factor=1, security=True)
    config = {"hosts": secured.hosts, "connect_timeout": 2000, "use_shared_connection": True}
    good = aerospike.client(config).connect("admin", "admin")
    try:
        with pytest.raises(exception.AerospikeError):
            aerospike.client(config).connect("admin", "not the password")
    finally:
        good.close()


# -- fork safety: a child that closes its inherited client deadlocks on a lock a parent thread held ---------------


def _run_in_forked_child(action: Any, timeout: float = 8.0) -> str:
    """Fork, run `action()` in the child, and say how it ended: 'ok', 'error', or 'hung' (killed after timeout)."""
    import os
    import signal
    import time

    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 0
        try:
            action()
        except BaseException:
            code = 1
        os._exit(code)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return "ok" if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else "error"
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return "hung"


def test_close_in_forked_child_while_parent_was_tending(cluster: LocalCluster) -> None:
    """Tender.tend() holds Tender._lock for the whole tend pass (network I/O). A fork during a tend pass leaves the
    child's copy of that lock held forever; Cluster.close() in the child (the usual "drop the inherited client")
    goes LocalTending.close -> Tender.close -> `with self._lock` and never returns."""
    import time

    client = _client(cluster, tend_interval=50)
    try:
        cluster.delay(0, 1.5, info=True)  # the next tend pass waits in connection.info with Tender._lock held
        time.sleep(0.4)
        assert client._cluster.tender._lock.locked()  # the tend thread is mid-pass
        outcome = _run_in_forked_child(client.close)
    finally:
        cluster.reset_faults()
        client.close()
    assert outcome == "ok"


# -- shm: a segment made by someone else (world-writable) is trusted and routed by --------------------------------


def test_shm_refuses_a_world_writable_segment(local_cluster: Any) -> None:
    """Segment.attach/_open_existing never fstat()s the segment (or its lock files): a segment another local
    user pre-created with mode 0666 under the predictable default key, with a header computed from the seeds, is
    mapped read-write and its node table routes every command (and the login) to the address it names."""
    import os
    import random
    import types

    from aerospike.cluster import ClusterConfig
    from aerospike.shm import segment as shm_segment
    from aerospike.shm.election import Election
    from aerospike.shm.layout import SegmentLayout, seeds_digest
    from aerospike.shm.tending import SharedTending
    from aerospike.tend import Tender

    real = local_cluster(nodes=1, replication_factor=1)
    impostor = local_cluster(nodes=1, replication_factor=1)
    key = 0xA7100000 | random.randrange(0x10000)
    layout = SegmentLayout(16, 8)
    seeds = tuple((host, port, None) for host, port in real.hosts)
    # The "other user": makes the segment world-writable, holds the tender lock and publishes its own map.
    planted = shm_segment.Segment.attach(key, layout, "", seeds_digest(seeds))
    victim = None
    try:
        os.chmod(os.path.join("/dev/shm", shm_segment.segment_name(key).lstrip("/")), 0o666)
        election = Election(planted, 60)
        assert election.try_become_tender()
        snapshot = Tender(ClusterConfig(seeds=tuple((h, p, None) for h, p in impostor.hosts))).tend()
        writer = types.SimpleNamespace(layout=layout, key=key)
        election.publish(
            lambda: (SharedTending._write_seqlocked(writer, planted.buffer, snapshot), election.heartbeat())
        )
        config = {"hosts": real.hosts, "connect_timeout": 2000, "shm": {"shm_key": key}}
        try:
            victim = aerospike.client(config).connect()
        except exception.ClientError:
            return  # refused: the fixed behaviour
        victim.put(("test", "review", "secret"), {"v": 1})
        landed_on_impostor = impostor.request_counts()[0].messages
        assert not landed_on_impostor, f"the put went to the impostor node: {landed_on_impostor}"
    finally:
        if victim is not None:
            victim.close()
        planted.detach()
        shm_segment.remove(key, force=True)


# -- command.execute: a node whose pool was closed by a routing swap fails the command instead of retrying ------


def test_command_racing_node_removal_is_retried(cluster3: LocalCluster) -> None:
    """Cluster.apply_snapshot closes a departed node's pool after the swap (and _node_for_record closes a moved
    node's pool before it). A command that picked that Node just before gets ClientError 'pool ... is closed'
    from checkout (code -1, not retryable), although max_retries allows another attempt on the new routing."""
    client = _client(cluster3)
    try:
        key = ("test", "review", "race")
        client.put(key, {"v": 1})
        view = client._cluster
        current_node_for = view.node_for
        stale = view.nodes()[0]
        ghost = Node(stale.record, view.config)
        ghost.pool.close()  # what apply_snapshot does to a node that left
        calls = []

        def racing_node_for(namespace: str, partition_id: int, replica_index: int) -> Any:
            calls.append(1)
            if len(calls) == 1:
                return ghost  # read from the routing table just before the swap
            return current_node_for(namespace, partition_id, replica_index)

        view.node_for = racing_node_for
        try:
            _, _, bins = client.get(key, policy={"max_retries": 2, "sleep_between_retries": 10})
        finally:
            del view.node_for
        assert bins == {"v": 1}
    finally:
        client.close()
