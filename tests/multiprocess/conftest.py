"""Shared-memory fixtures: a fresh `shm_key` per test (segment removed afterwards) and `shm_workers`, which runs
worker processes that attach to a segment and report what they see.

A worker is a fresh interpreter (`python -c`, never a fork of pytest) that runs `worker_main` of this file. It
writes its state as JSON to `<directory>/<pid>.json` every 50 ms (role, epoch, tend passes, commands, failures) and
leaves cleanly (closing its client, so the last one removes the segment) when `<directory>/stop` appears.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

HERE = os.path.abspath(__file__)
REPORT_INTERVAL = 0.05


# -- the worker (runs in the spawned interpreter) ---------------------------------------------------------------


def _make_cluster(spec: dict[str, Any]) -> Any:
    from aerospike.cluster import Cluster, ClusterConfig
    from aerospike.shm import SharedTending, ShmConfig

    config = ClusterConfig(
        seeds=tuple((host, port, None) for host, port in spec["hosts"]),
        tend_interval=spec["tend_interval"],
        conn_timeout=2.0,
        shm=ShmConfig(shm_key=spec["shm_key"], takeover_threshold_sec=spec["threshold"]),
        shm_key=spec["shm_key"],
    )
    cluster = Cluster(config, SharedTending)
    cluster.connect()
    return cluster


def _make_client(spec: dict[str, Any]) -> Any:
    import aerospike

    config: dict[str, Any] = {
        "hosts": [tuple(host) for host in spec["hosts"]],
        "tend_interval": round(1000 * spec["tend_interval"]),
    }
    if spec["shm_key"] is not None:
        # The config reads takeover_threshold_sec as 3.0.0 does: an int (a float is ignored).
        assert float(spec["threshold"]).is_integer(), "client-mode workers take a whole number of seconds"
        config["shm"] = {"shm_key": spec["shm_key"], "takeover_threshold_sec": int(spec["threshold"])}
    return aerospike.client(config).connect()


def worker_main(raw_spec: str) -> None:
    spec = json.loads(raw_spec)
    directory = Path(spec["directory"])
    state: dict[str, Any] = {"pid": os.getpid(), "ops": 0, "failures": 0, "errors": [], "closed": False}
    if spec["mode"] == "client":
        client = _make_client(spec)
        cluster = client._cluster
    else:
        client = None
        cluster = _make_cluster(spec)
    stop = directory / "stop"
    reporting = threading.Lock()  # the final report (closed) must not be overwritten by an older one
    done = threading.Event()

    def report() -> None:
        with reporting:
            _report()

    def _report() -> None:
        strategy = cluster._strategy
        election = getattr(strategy, "election", None)
        state["tender"] = bool(election is not None and election.is_tender)
        state["epoch"] = election.epoch if election is not None else None
        state["tend_count"] = cluster.tender.tend_count
        state["nodes"] = sorted(node.name for node in cluster.snapshot.nodes)
        state["time"] = time.time()
        temporary = directory / f".{os.getpid()}.tmp"
        temporary.write_text(json.dumps(state))
        os.replace(temporary, directory / f"{os.getpid()}.json")

    def reporter() -> None:
        while not done.is_set():
            with reporting:
                if done.is_set():
                    return
                _report()
            time.sleep(REPORT_INTERVAL)

    threading.Thread(target=reporter, daemon=True).start()
    if spec.get("fork"):
        _fork_child(cluster, directory)
    rng = random.Random(os.getpid())
    while not stop.exists():
        if client is None:
            cluster.node_for("test", rng.randrange(4096), 0)
            time.sleep(0.01)
            continue
        key = ("test", "shm", f"k{rng.randrange(200)}")
        try:
            client.put(key, {"pid": os.getpid(), "n": state["ops"]})
            client.get(key)
            state["ops"] += 1
        except Exception as error:  # every failure counts; the first few are kept for the assertion message
            state["failures"] += 1
            if len(state["errors"]) < 5:
                state["errors"].append(repr(error))
    with reporting:
        done.set()  # no periodic report after this one: they would race the close
    if client is not None:
        client.close()
    else:
        cluster.close()
    state["closed"] = True
    report()


def _fork_child(cluster: Any, directory: Path) -> None:
    """Fork a child that keeps using the inherited cluster and reports under its own pid."""
    if os.fork() != 0:
        return
    state: dict[str, Any] = {"pid": os.getpid(), "child": True}
    while True:
        cluster.node_for("test", 1, 0)
        election = cluster._strategy.election
        state["tender"] = bool(election is not None and election.is_tender)
        state["tend_count"] = cluster.tender.tend_count
        (directory / f".{os.getpid()}.tmp").write_text(json.dumps(state))
        os.replace(directory / f".{os.getpid()}.tmp", directory / f"{os.getpid()}.json")
        time.sleep(REPORT_INTERVAL)


# -- fixtures (run in pytest) -----------------------------------------------------------------------------------


@pytest.fixture
def shm_key() -> Iterator[int]:
    """A key no other test uses; its segment and lock files are removed when the test ends."""
    from aerospike.shm.segment import remove

    key = 0x5E000000 | random.getrandbits(24)
    yield key
    remove(key, force=True)


class Workers:
    """Worker processes of one test, their reports, and signals to them."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.processes: list[subprocess.Popen] = []

    def spawn(
        self,
        count: int,
        hosts: list[tuple[str, int]],
        shm_key: Optional[int],
        mode: str = "cluster",
        tend_interval: float = 0.2,
        threshold: float = 2.0,
        fork: bool = False,
    ) -> list[int]:
        spec = {
            "directory": str(self.directory), "hosts": [list(host) for host in hosts], "shm_key": shm_key,
            "mode": mode, "tend_interval": tend_interval, "threshold": threshold, "fork": fork,
        }  # fmt: skip
        code = "import runpy, sys; runpy.run_path(sys.argv[1])['worker_main'](sys.argv[2])"
        started = []
        for _ in range(count):
            process = subprocess.Popen([sys.executable, "-c", code, HERE, json.dumps(spec)])
            self.processes.append(process)
            started.append(process.pid)
        self.wait_for(lambda states: all(pid in states for pid in started), 30, "workers never reported")
        return started

    def states(self) -> dict[int, dict[str, Any]]:
        result = {}
        for path in self.directory.glob("*.json"):
            try:
                state = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            result[state["pid"]] = state
        return result

    def wait_for(
        self, predicate: Callable[[dict[int, dict[str, Any]]], Any], timeout: float, message: str
    ) -> dict[int, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            states = self.states()
            if predicate(states):
                return states
            dead = [p.pid for p in self.processes if p.poll() not in (None, -signal.SIGKILL, 0)]
            if dead:
                raise AssertionError(f"{message}: worker(s) {dead} failed; states {states}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{message}; states {states}")
            time.sleep(0.02)

    def live(self) -> dict[int, dict[str, Any]]:
        running = {p.pid for p in self.processes if p.poll() is None}
        return {pid: state for pid, state in self.states().items() if pid in running}

    def kill(self, pid: int, signum: int = signal.SIGKILL) -> None:
        os.kill(pid, signum)
        if signum == signal.SIGKILL:
            for process in self.processes:
                if process.pid == pid:
                    process.wait(5)
            (self.directory / f"{pid}.json").unlink(missing_ok=True)

    def stop(self, timeout: float = 15.0) -> None:
        """Ask every worker to close cleanly and wait for them."""
        (self.directory / "stop").touch()
        for process in self.processes:
            if process.poll() is None:
                process.wait(timeout)

    def cleanup(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)
                process.kill()
                process.wait(5)
        for path in self.directory.glob("*.json"):
            state = json.loads(path.read_text() or "{}")
            if state.get("child"):
                try:
                    os.kill(state["pid"], signal.SIGKILL)
                except ProcessLookupError:
                    pass


@pytest.fixture
def shm_workers(tmp_path: Path) -> Iterator[Workers]:
    workers = Workers(tmp_path)
    yield workers
    workers.cleanup()
