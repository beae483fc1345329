"""The public client under load while the local cluster changes: a node killed, delayed or added, and a fork.

Four threads loop put/get over keys of their own while the fault happens, so each thread knows the last value
the cluster acknowledged for each of its keys (and the values of writes whose outcome is in doubt). Every call
is timed: none may outlive its total_timeout by more than a small margin.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import pytest

import aerospike
from aerospike import exception
from aerospike.key import calc_digest, partition_id
from aerospike.testing import LocalCluster

NAMESPACE = "test"
SET = "failover"
THREADS = 4
KEYS_PER_THREAD = 25
TEND_INTERVAL_MS = 100
TOTAL_TIMEOUT_MS = 1500
MARGIN = 0.5  # seconds a call may outlive its total_timeout (thread scheduling under load)

# Reads walk the replicas; writes stay on the master but retry long enough for a tend to move it.
READ_POLICY = {
    "total_timeout": TOTAL_TIMEOUT_MS,
    "max_retries": 3,
    "sleep_between_retries": 50,
    "replica": aerospike.POLICY_REPLICA_SEQUENCE,
}
WRITE_POLICY = {"total_timeout": TOTAL_TIMEOUT_MS, "max_retries": 6, "sleep_between_retries": 100}


def user_key(worker: int, index: int) -> tuple[str, str, str]:
    return (NAMESPACE, SET, f"w{worker}-k{index}")


def key_partition(key: tuple[str, str, str]) -> int:
    return partition_id(bytes(calc_digest(key[0], key[1], key[2])))


@pytest.fixture
def connect() -> Iterator[Callable[..., Any]]:
    """Factory: connect(local_cluster, **config) -> a connected public client, closed at the end of the test."""
    made: list[Any] = []

    def make(local: LocalCluster, **config: Any) -> Any:
        config.setdefault("tend_interval", TEND_INTERVAL_MS)
        config.setdefault("policies", {"read": READ_POLICY, "write": WRITE_POLICY})
        client = aerospike.client({"hosts": [local.hosts[0]], **config}).connect()
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@dataclass
class Worker:
    """One thread's keys, what the cluster acknowledged for them, and everything that went wrong."""

    number: int
    acked: dict[int, int] = field(default_factory=dict)
    in_doubt: dict[int, set[int]] = field(default_factory=dict)  # writes after the last ack that may have landed
    failures: list[str] = field(default_factory=list)
    stale_reads: list[str] = field(default_factory=list)
    slowest: float = 0.0
    calls: int = 0

    def allowed(self, index: int) -> set[int]:
        return {self.acked[index]} | self.in_doubt.get(index, set())

    def timed(self, call: Callable[..., Any], *args: Any) -> Any:
        started = time.monotonic()
        try:
            return call(*args)
        finally:
            self.slowest = max(self.slowest, time.monotonic() - started)
            self.calls += 1


def seed(client: Any, workers: list[Worker]) -> None:
    for worker in workers:
        for index in range(KEYS_PER_THREAD):
            client.put(user_key(worker.number, index), {"v": 0})
            worker.acked[index] = 0


def run_worker(client: Any, worker: Worker, stop: threading.Event, tolerated: tuple[type, ...] = ()) -> None:
    """Loop put then get over the worker's keys until `stop`; errors of `tolerated` types are counted apart."""
    value = 0
    while not stop.is_set():
        for index in range(KEYS_PER_THREAD):
            if stop.is_set():
                return
            value += 1
            key = user_key(worker.number, index)
            try:
                worker.timed(client.put, key, {"v": value})
            except exception.AerospikeError as error:
                if error.in_doubt:
                    worker.in_doubt.setdefault(index, set()).add(value)
                if not isinstance(error, tolerated):
                    worker.failures.append(f"put {key[2]}={value}: {error!r}")
            else:
                worker.acked[index] = value
                worker.in_doubt.pop(index, None)
            try:
                _, _, bins = worker.timed(client.get, key)
            except exception.AerospikeError as error:
                if not isinstance(error, tolerated):
                    worker.failures.append(f"get {key[2]}: {error!r}")
            else:
                if bins["v"] not in worker.allowed(index):
                    worker.stale_reads.append(f"{key[2]}: read {bins['v']}, expected {worker.allowed(index)}")


def start_workers(client: Any, workers: list[Worker], stop: threading.Event, **kwargs: Any) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=run_worker, args=(client, worker, stop), kwargs=kwargs, daemon=True)
        for worker in workers
    ]
    for thread in threads:
        thread.start()
    return threads


def join(threads: list[threading.Thread], stop: threading.Event) -> None:
    stop.set()
    for thread in threads:
        thread.join(TOTAL_TIMEOUT_MS / 1000.0 * 2 + MARGIN)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"


def wait_until(predicate: Callable[[], bool], seconds: float) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"condition not met within {seconds} s")
        time.sleep(0.005)
    return time.monotonic() - started


def check_final_values(client: Any, workers: list[Worker]) -> None:
    for worker in workers:
        for index in range(KEYS_PER_THREAD):
            _, _, bins = client.get(user_key(worker.number, index))
            assert bins["v"] in worker.allowed(index), (worker.number, index, bins, worker.allowed(index))


def test_killed_node_mid_run_loses_no_acknowledged_write(cluster3, connect):
    client = connect(cluster3)
    workers = [Worker(number) for number in range(THREADS)]
    seed(client, workers)
    victim = 1
    # The victim must master some of the keys, or the kill proves nothing.
    mastered = [
        (worker.number, index)
        for worker in workers
        for index in range(KEYS_PER_THREAD)
        if cluster3.owners(key_partition(user_key(worker.number, index)))[0] == victim
    ]
    assert len(mastered) >= 5
    stop = threading.Event()
    threads = start_workers(client, workers, stop)
    time.sleep(0.3)
    calls_before_kill = sum(worker.calls for worker in workers)
    cluster3.kill_node(victim)
    time.sleep(1.0)
    join(threads, stop)

    assert calls_before_kill > 0 and sum(worker.calls for worker in workers) > calls_before_kill + 100
    assert [failure for worker in workers for failure in worker.failures] == []
    assert [stale for worker in workers for stale in worker.stale_reads] == []
    assert max(worker.slowest for worker in workers) < TOTAL_TIMEOUT_MS / 1000.0 + MARGIN
    victim_address = list(cluster3.hosts[victim])
    wait_until(lambda: victim_address not in [list(host[:2]) for host in client.get_nodes()], 1.0)
    # Every acknowledged value, the victim's keys included, is read back from the two survivors.
    check_final_values(client, workers)


def test_unresponsive_node_times_out_within_the_deadline_and_recovers(cluster3, connect):
    total_ms = 300
    fast = {"total_timeout": total_ms, "max_retries": 0}
    client = connect(cluster3, policies={"read": fast, "write": fast})
    workers = [Worker(number) for number in range(THREADS)]
    seed(client, workers)
    stop = threading.Event()
    threads = start_workers(client, workers, stop, tolerated=(exception.TimeoutError,))
    time.sleep(0.2)
    cluster3.delay(0, 3.0)  # messages only: the node still answers tend, so it stays in the map
    time.sleep(1.0)
    join(threads, stop)

    failures = [failure for worker in workers for failure in worker.failures]
    assert failures == []  # nothing but TimeoutError
    assert max(worker.slowest for worker in workers) < total_ms / 1000.0 + MARGIN
    delayed = next(
        user_key(worker.number, index)
        for worker in workers
        for index in range(KEYS_PER_THREAD)
        if cluster3.owners(key_partition(user_key(worker.number, index)))[0] == 0
    )
    started = time.monotonic()
    with pytest.raises(exception.TimeoutError):
        client.get(delayed)
    assert time.monotonic() - started < total_ms / 1000.0 + MARGIN
    started = time.monotonic()
    with pytest.raises(exception.TimeoutError) as caught:
        client.put(delayed, {"v": -1})
    assert time.monotonic() - started < total_ms / 1000.0 + MARGIN
    assert caught.value.in_doubt is True

    # Late replies land on connections that were closed, never on a pooled one: after the fault every value
    # read is the one this test last wrote.
    cluster3.reset_faults()
    patient = {"total_timeout": 2000, "max_retries": 2}
    for worker in workers:
        for index in range(KEYS_PER_THREAD):
            key = user_key(worker.number, index)
            client.put(key, {"v": 1000 + index}, policy=patient)
            assert client.get(key, policy=patient)[2] == {"v": 1000 + index}


def test_added_node_takes_traffic_within_two_tend_intervals(cluster3, connect):
    client = connect(cluster3)
    workers = [Worker(number) for number in range(THREADS)]
    seed(client, workers)
    stop = threading.Event()
    threads = start_workers(client, workers, stop)
    time.sleep(0.2)
    added_at = time.monotonic()
    index = cluster3.add_node()

    def new_node_messages() -> int:
        return sum(cluster3.request_counts()[index].messages.values())

    try:
        elapsed = wait_until(lambda: new_node_messages() > 0, 2 * TEND_INTERVAL_MS / 1000.0 + 0.3)
        # ...and keeps taking it: the counts grow while the workers run.
        first = new_node_messages()
        wait_until(lambda: new_node_messages() > first + 10, 1.0)
    finally:
        join(threads, stop)
    assert elapsed <= time.monotonic() - added_at
    assert [failure for worker in workers for failure in worker.failures] == []
    assert [stale for worker in workers for stale in worker.stale_reads] == []
    check_final_values(client, workers)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_while_threads_run_child_works_and_parent_is_unaffected(cluster3, connect):
    client = connect(cluster3)
    workers = [Worker(number) for number in range(THREADS)]
    seed(client, workers)
    stop = threading.Event()
    threads = start_workers(client, workers, stop)
    time.sleep(0.2)
    child_key = (NAMESPACE, SET, "forked-child")
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            client.put(child_key, {"v": os.getpid()})
            _, _, bins = client.get(child_key)
            _, _, seeded = client.get(user_key(0, 0))
            code = 0 if bins == {"v": os.getpid()} and isinstance(seeded["v"], int) else 2
        except BaseException:
            code = 3
        os._exit(code)
    try:
        deadline = time.monotonic() + 10.0
        while True:
            finished, status = os.waitpid(pid, os.WNOHANG)
            if finished:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise AssertionError("the forked child hung")
            time.sleep(0.01)
        time.sleep(0.2)  # the parent's threads keep going after the child is gone
    finally:
        join(threads, stop)
    assert os.waitstatus_to_exitcode(status) == 0
    assert client.get(child_key)[2] == {"v": pid}
    assert [failure for worker in workers for failure in worker.failures] == []
    assert [stale for worker in workers for stale in worker.stale_reads] == []
    check_final_values(client, workers)
