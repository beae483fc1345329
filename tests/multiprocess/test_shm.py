"""Shared-memory tending across processes: election, takeover, validation, cleanup, the status tool, and the
tend traffic and command failures of many client processes on a LocalCluster.

Tend interval 0.2 s everywhere; takeover threshold 2 s unless a test needs another.
"""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time

import pytest

from aerospike import exception
from aerospike.cluster import Cluster, ClusterConfig
from aerospike.shm import SharedTending, ShmConfig
from aerospike.shm.layout import (
    GENERATION_OFFSET,
    HEARTBEAT_OFFSET,
    TENDER_EPOCH_OFFSET,
    TENDER_PID_OFFSET,
    SegmentLayout,
    read_f64,
    read_u64,
    seeds_digest,
)
from aerospike.shm.segment import LOCK_ROLES, Segment, lock_path, open_read_only, segment_name, users_alive
from aerospike.testing import LocalCluster

pytestmark = pytest.mark.multiprocess

TEND_INTERVAL = 0.2
TEND_COMMANDS = ("node", "partition-generation", "replicas", "peers-generation", "peers-clear-std")


def header(key: int) -> dict[str, float]:
    memory = open_read_only(key)
    assert memory is not None, f"no segment for key 0x{key:08x}"
    with memory:
        view = memoryview(memory)
        try:
            return {
                "pid": read_u64(view, TENDER_PID_OFFSET),
                "epoch": read_u64(view, TENDER_EPOCH_OFFSET),
                "heartbeat": read_f64(view, HEARTBEAT_OFFSET),
                "generation": read_u64(view, GENERATION_OFFSET),
            }
        finally:
            view.release()


def wait_header(key: int, predicate, timeout: float, message: str) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while True:
        found = header(key)
        if predicate(found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{message}: {found}")
        time.sleep(0.01)


def tenders(states) -> list[int]:
    return [pid for pid, state in states.items() if state.get("tender")]


def cluster_config(hosts, key: int, **shm: float) -> ClusterConfig:
    return ClusterConfig(
        seeds=tuple((host, port, None) for host, port in hosts),
        tend_interval=TEND_INTERVAL,
        shm=ShmConfig(shm_key=key, **shm),  # type: ignore[arg-type]
        shm_key=key,
    )


def tend_requests(local: LocalCluster) -> int:
    return sum(counts.info.get(command, 0) for counts in local.request_counts() for command in TEND_COMMANDS)


# -- election ---------------------------------------------------------------------------------------------------


def test_exactly_one_tender_among_eight_processes(local_cluster, shm_workers, shm_key):
    local = local_cluster(nodes=3)
    pids = shm_workers.spawn(8, local.hosts, shm_key)
    states = shm_workers.wait_for(lambda s: len(tenders(s)) == 1, 10, "no single tender")
    for _ in range(15):
        states = shm_workers.states()
        assert len(tenders(states)) == 1, states
        (tender,) = tenders(states)
        assert header(shm_key)["pid"] == tender
        for pid in pids:
            assert len(states[pid]["nodes"]) == 3
            if pid != tender:
                assert states[pid]["tend_count"] == 0, "a follower tended"
        time.sleep(0.1)
    assert time.time() - header(shm_key)["heartbeat"] < 1.0
    shm_workers.stop()
    states = shm_workers.states()
    assert all(state["closed"] for state in states.values())
    assert not os.path.exists(f"/dev/shm{segment_name(shm_key)}")
    assert not any(os.path.exists(lock_path(shm_key, role)) for role in LOCK_ROLES)


def test_sigkilled_tender_is_replaced_within_two_tend_intervals(local_cluster, shm_workers, shm_key):
    local = local_cluster(nodes=3)
    # A takeover threshold far above the wait proves the kernel-released lock does it, not the heartbeat.
    shm_workers.spawn(4, local.hosts, shm_key, threshold=30)
    states = shm_workers.wait_for(lambda s: len(tenders(s)) == 1, 10, "no single tender")
    (tender,) = tenders(states)
    before = header(shm_key)
    shm_workers.kill(tender)
    killed_at = time.monotonic()
    after = wait_header(shm_key, lambda h: h["epoch"] > before["epoch"], 5, "nobody took over")
    took = time.monotonic() - killed_at
    assert took < 2 * TEND_INTERVAL + 0.25, f"takeover took {took:.2f}s"
    assert after["pid"] != tender
    states = shm_workers.wait_for(lambda s: tenders(s) == [after["pid"]], 2, "state files disagree")
    heartbeat = header(shm_key)["heartbeat"]
    time.sleep(3 * TEND_INTERVAL)
    assert header(shm_key)["heartbeat"] > heartbeat, "the new tender does not tend"


def test_stopped_tender_is_replaced_after_the_threshold_and_steps_down_on_resume(
    local_cluster, shm_workers, shm_key
):
    threshold = 1.5
    local = local_cluster(nodes=3)
    shm_workers.spawn(3, local.hosts, shm_key, threshold=threshold)
    states = shm_workers.wait_for(lambda s: len(tenders(s)) == 1, 10, "no single tender")
    (stopped,) = tenders(states)
    before = header(shm_key)
    shm_workers.kill(stopped, signal.SIGSTOP)
    stopped_at = time.monotonic()
    after = wait_header(shm_key, lambda h: h["epoch"] > before["epoch"], threshold + 3, "no takeover")
    took = time.monotonic() - stopped_at
    # The heartbeat may be up to one tend interval old when the tender stops.
    assert threshold - TEND_INTERVAL - 0.1 <= took <= threshold + 3 * TEND_INTERVAL + 0.5, took
    assert after["pid"] != stopped
    os.kill(stopped, signal.SIGCONT)
    # The resumed tender finds a newer epoch before it publishes, and steps down.
    states = shm_workers.wait_for(
        lambda s: stopped in s and not s[stopped]["tender"] and s[stopped]["time"] > time.time() - 0.2,
        5,
        "the resumed tender kept tending",
    )
    time.sleep(4 * TEND_INTERVAL)
    # One tender, not the resumed one, the one the header names (waited for: a handover of the freed lock to
    # another worker shows for a report interval as zero tenders).
    states = shm_workers.wait_for(
        lambda s: len(tenders(s)) == 1 and tenders(s)[0] != stopped and header(shm_key)["pid"] == tenders(s)[0],
        3,
        "not exactly one tender, the header's",
    )
    assert header(shm_key)["generation"] % 2 == 0


def test_forked_child_rejoins_and_replaces_a_killed_parent(local_cluster, shm_workers, shm_key):
    local = local_cluster(nodes=3)
    (parent,) = shm_workers.spawn(1, local.hosts, shm_key, threshold=30, fork=True)
    states = shm_workers.wait_for(lambda s: any(st.get("child") for st in s.values()), 10, "no forked child")
    (child,) = [pid for pid, state in states.items() if state.get("child")]
    assert states[parent]["tender"] and not states[child]["tender"]
    before = header(shm_key)
    shm_workers.kill(parent)
    # The child closed the lock descriptors it inherited, so the parent's death frees the tender lock.
    after = wait_header(shm_key, lambda h: h["epoch"] > before["epoch"], 3, "the child never took over")
    assert after["pid"] == child
    os.kill(child, signal.SIGKILL)


# -- attaching ---------------------------------------------------------------------------------------------------


def test_segment_and_lock_files_are_private(local_cluster, shm_key):
    local = local_cluster(nodes=1)
    cluster = Cluster(cluster_config(local.hosts, shm_key), SharedTending)
    cluster.connect()
    try:
        for path in [f"/dev/shm{segment_name(shm_key)}"] + [lock_path(shm_key, role) for role in LOCK_ROLES]:
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    finally:
        cluster.close()


def test_mismatched_segment_is_refused_with_a_clear_error(local_cluster, shm_key):
    local = local_cluster(nodes=1)
    other = [("127.0.0.1", 1)]
    # A live user of the same key, made for other seeds and other sizes.
    holder = Segment.attach(shm_key, SegmentLayout(8, 8), "", seeds_digest([("127.0.0.1", 1, None)]))
    try:
        cluster = Cluster(cluster_config(local.hosts, shm_key), SharedTending)
        with pytest.raises(exception.ClientError) as caught:
            cluster.connect()
        message = str(caught.value.msg)
        assert f"0x{shm_key:08x}" in message
        assert "max_nodes is 8 in the segment, 16 in this process" in message
        assert "seed hosts differ" in message
        named = ClusterConfig(
            seeds=((other[0][0], other[0][1], None),),
            cluster_name="prod",
            shm=ShmConfig(shm_key=shm_key, max_nodes=8),
            shm_key=shm_key,
        )
        with pytest.raises(exception.ClientError, match="cluster_name is '' in the segment, 'prod' in this"):
            Cluster(named, SharedTending).connect()
    finally:
        holder.detach()


def start_on_free_ports(node_ids: list[str], port: int = 0) -> LocalCluster:
    """A LocalCluster on consecutive ports (`port`, or a free-looking random base), so it can be restarted."""
    for _ in range(20):
        base = port or random.randrange(20000, 60000)
        local = LocalCluster(nodes=len(node_ids), node_ids=node_ids, port=base)
        try:
            return local.start()
        except OSError:
            if port:
                raise
    raise AssertionError("no free port range")


def test_stale_segment_of_a_killed_group_never_routes_to_the_old_cluster(shm_workers, shm_key):
    old = start_on_free_ports(["A00000000000001", "A00000000000002", "A00000000000003"])
    hosts = old.hosts
    try:
        shm_workers.spawn(3, hosts, shm_key)
        shm_workers.wait_for(lambda s: len(tenders(s)) == 1, 10, "no single tender")
        for pid in list(shm_workers.live()):
            shm_workers.kill(pid)
    finally:
        old.stop()
    assert os.path.exists(f"/dev/shm{segment_name(shm_key)}"), "a crash must leave the segment"
    assert users_alive(shm_key) is False
    assert header(shm_key)["generation"] > 0
    # Same ports, so the same seeds and the same identity: only the dead users tell the map is stale.
    new_ids = ["B00000000000001", "B00000000000002", "B00000000000003"]
    new = start_on_free_ports(new_ids, port=hosts[0][1])
    try:
        assert new.hosts == hosts
        cluster = Cluster(cluster_config(new.hosts, shm_key), SharedTending)
        applied = []
        original = cluster.apply_snapshot

        def record(snapshot):
            applied.append(snapshot)
            original(snapshot)

        cluster.apply_snapshot = record  # type: ignore[method-assign]
        cluster.connect()
        try:
            assert applied
            for snapshot in applied:
                assert {node.name for node in snapshot.nodes} <= set(new_ids)
            assert sorted(node.name for node in cluster.nodes()) == new_ids
        finally:
            cluster.close()
    finally:
        new.stop()


def test_status_and_remove_commands(local_cluster, shm_workers, shm_key):
    local = local_cluster(nodes=3)
    shm_workers.spawn(2, local.hosts, shm_key)
    states = shm_workers.wait_for(lambda s: len(tenders(s)) == 1, 10, "no single tender")
    (tender,) = tenders(states)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "aerospike.shm", *args], capture_output=True, text=True, timeout=30
        )

    shown = run("status", f"0x{shm_key:08x}")
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert f"shm key 0x{shm_key:08x}" in text
    assert f"tender pid: {tender} (lock held)" in text
    assert "heartbeat age: " in text and "generation: " in text
    assert "nodes: 3" in text
    for node_id in local.node_ids:
        assert node_id in text
    assert "test: replication 2" in text and "bar: replication 2" in text
    assert "master partitions per node:" in text
    listed = run("status")
    assert f"shm key 0x{shm_key:08x}" in listed.stdout

    refused = run("remove", f"0x{shm_key:08x}")
    assert refused.returncode == 1 and "in use" in refused.stdout
    for pid in list(shm_workers.live()):
        shm_workers.kill(pid)
    assert "users: none alive (stale)" in run("status", f"{shm_key:08x}").stdout
    removed = run("remove", f"0x{shm_key:08x}")
    assert removed.returncode == 0 and "removed" in removed.stdout
    gone = run("status", f"0x{shm_key:08x}")
    assert gone.returncode == 1 and "no segment" in gone.stdout
    assert not any(os.path.exists(lock_path(shm_key, role)) for role in LOCK_ROLES)


# -- the full client ----------------------------------------------------------------------------------------------


def test_tend_traffic_of_eight_processes_is_that_of_one(local_cluster, shm_workers, shm_key):
    window = 3.0
    local = local_cluster(nodes=3)

    def measure(count: int, key) -> int:
        pids = shm_workers.spawn(count, local.hosts, key, mode="client")
        shm_workers.wait_for(lambda s: all(s[pid]["ops"] > 5 for pid in pids), 20, "workers do not work")
        local.reset_counts()
        time.sleep(window)
        measured = tend_requests(local)
        states = shm_workers.states()
        for pid in pids:
            assert states[pid]["failures"] == 0, states[pid]["errors"]
            os.kill(pid, signal.SIGKILL)
        for process in shm_workers.processes:
            process.wait(5)
        return measured

    single = measure(1, None)
    shared = measure(8, shm_key)
    unshared = measure(8, None)
    assert single >= 3 * 3 * (window / TEND_INTERVAL) * 0.8  # 3 nodes, >= 3 tend commands each per interval
    assert shared <= 1.2 * single, (shared, single)
    assert unshared >= 6 * single, (unshared, single)


def test_sigkill_of_the_tender_fails_no_command(local_cluster, shm_workers, shm_key):
    local = local_cluster(nodes=3)
    pids = shm_workers.spawn(8, local.hosts, shm_key, mode="client")
    states = shm_workers.wait_for(
        lambda s: len(tenders(s)) == 1 and all(s[pid]["ops"] > 5 for pid in pids), 20, "workers do not work"
    )
    (tender,) = tenders(states)
    before = header(shm_key)
    ops_before = {pid: states[pid]["ops"] for pid in pids if pid != tender}
    shm_workers.kill(tender)
    wait_header(shm_key, lambda h: h["epoch"] > before["epoch"], 2, "nobody took over")
    time.sleep(5 * TEND_INTERVAL)
    states = shm_workers.live()
    assert len(states) == 7
    assert len(tenders(states)) == 1
    for pid, state in states.items():
        assert state["failures"] == 0, state["errors"]
        assert state["ops"] > ops_before[pid] + 5, "a worker stalled"
    shm_workers.stop()
    assert all(state["closed"] for state in shm_workers.states().values())
    assert not os.path.exists(f"/dev/shm{segment_name(shm_key)}")


def test_stopped_tender_fails_no_command_elsewhere(local_cluster, shm_workers, shm_key):
    threshold = 2
    local = local_cluster(nodes=3)
    pids = shm_workers.spawn(8, local.hosts, shm_key, mode="client", threshold=threshold)
    states = shm_workers.wait_for(
        lambda s: len(tenders(s)) == 1 and all(s[pid]["ops"] > 5 for pid in pids), 20, "workers do not work"
    )
    (stopped,) = tenders(states)
    before = header(shm_key)
    ops_before = {pid: states[pid]["ops"] for pid in pids if pid != stopped}
    shm_workers.kill(stopped, signal.SIGSTOP)
    try:
        wait_header(shm_key, lambda h: h["epoch"] > before["epoch"], threshold + 3, "no takeover")
        time.sleep(4 * TEND_INTERVAL)
        states = shm_workers.states()
        for pid in ops_before:
            assert states[pid]["failures"] == 0, states[pid]["errors"]
            assert states[pid]["ops"] > ops_before[pid] + 5, "a worker stalled while the tender was stopped"
    finally:
        os.kill(stopped, signal.SIGCONT)
    states = shm_workers.wait_for(
        lambda s: not s[stopped]["tender"] and s[stopped]["time"] > time.time() - 0.2, 5, "resumed tender kept tending"
    )
    # The lock the resumed tender frees may go to its replacement or to another worker (one more handover, seen
    # for a report interval as zero tenders): the steady state is one tender.
    shm_workers.wait_for(lambda s: len(tenders(s)) == 1, 3, "not exactly one tender")


def test_every_worker_routes_by_the_new_map_after_a_node_joins_and_one_dies(local_cluster, shm_workers, shm_key):
    local = local_cluster(nodes=3)
    pids = shm_workers.spawn(8, local.hosts, shm_key, mode="client")
    shm_workers.wait_for(lambda s: all(s[pid]["ops"] > 5 for pid in pids), 20, "workers do not work")

    def proxies() -> int:
        return sum(counts.messages.get("proxy", 0) for counts in local.request_counts())

    def settled_within(changed: str) -> None:
        # Proxies happen only while a worker routes by the old map; two tend intervals later they must stop.
        time.sleep(2 * TEND_INTERVAL + 0.2)
        start = proxies()
        time.sleep(5 * TEND_INTERVAL)
        assert proxies() == start, f"workers still route by the old map after {changed}"

    local.add_node()
    settled_within("a node joined")
    states = shm_workers.states()
    assert all(len(states[pid]["nodes"]) == 4 for pid in pids), {pid: states[pid]["nodes"] for pid in pids}
    assert sum(states[pid]["failures"] for pid in pids) == 0, [states[pid]["errors"] for pid in pids]
    local.kill_node(0)
    settled_within("a node died")
    states = shm_workers.states()
    assert all(len(states[pid]["nodes"]) == 3 for pid in pids)
    # Until the new map is out, writes whose master died fail (default write policy: no retry), as with any
    # client; once every worker routes by the new map, nothing fails.
    failures = {pid: states[pid]["failures"] for pid in pids}
    time.sleep(5 * TEND_INTERVAL)
    states = shm_workers.states()
    assert {pid: states[pid]["failures"] for pid in pids} == failures
