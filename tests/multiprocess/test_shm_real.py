"""Shared-memory tending against a real two-node cluster: eight worker processes on one segment, the tender
SIGKILLed (no command fails), then a server node SIGKILLed (every worker drops it from its map and works on).
"""

from __future__ import annotations

import time

import pytest

from aerospike.testing.asd import AsdCluster
from tests.multiprocess.test_shm import header, tenders, wait_header

pytestmark = pytest.mark.multiprocess


def test_workers_ride_through_a_killed_tender_and_a_killed_node(real_cluster2: AsdCluster, shm_workers, shm_key):
    pids = shm_workers.spawn(8, real_cluster2.hosts, shm_key, mode="client")
    states = shm_workers.wait_for(
        lambda s: len(tenders(s)) == 1 and all(s[pid]["ops"] > 5 for pid in pids), 30, "workers do not work"
    )
    assert all(len(states[pid]["nodes"]) == 2 for pid in pids)
    (tender,) = tenders(states)
    before = header(shm_key)
    shm_workers.kill(tender)
    wait_header(shm_key, lambda h: h["epoch"] > before["epoch"], 2, "nobody took over")
    time.sleep(1.0)
    states = shm_workers.live()
    assert len(states) == 7 and len(tenders(states)) == 1
    assert all(state["failures"] == 0 for state in states.values()), [s["errors"] for s in states.values()]

    real_cluster2.kill_node(1)
    states = shm_workers.wait_for(
        lambda s: all(len(s[pid]["nodes"]) == 1 for pid in s if pid in shm_workers.live()), 20,
        "a worker kept the dead node",
    )
    # Writes whose master died fail until the survivor owns every partition (default write policy: no retry);
    # after that, no worker fails again.
    time.sleep(3.0)
    failures = {pid: state["failures"] for pid, state in shm_workers.live().items()}
    ops = {pid: state["ops"] for pid, state in shm_workers.live().items()}
    time.sleep(1.5)
    states = shm_workers.live()
    assert {pid: state["failures"] for pid, state in states.items()} == failures
    assert all(states[pid]["ops"] > ops[pid] + 5 for pid in states), "a worker stalled"
    shm_workers.stop()
