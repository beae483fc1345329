"""The shared-memory tending demo: a gunicorn app with 4 workers on a 3-node local cluster, a tender killed.

    python examples/demo.py [--requests 4000] [--rate 500] [--threads 8] [--tend-interval 250]

Runs the same scenario twice, with shared-memory tending on and then off:
  1. a 3-node LocalCluster in this process (so the demo can read what the cluster received);
  2. gunicorn with examples/gunicorn/gunicorn.conf.py (4 sync workers, preload_app = True) serving
     examples/gunicorn/app.py;
  3. a pool of client threads sending POST /counter/c*, PUT /profile/u* and GET /profile/u* (http.client);
  4. halfway, SIGKILL of the tending worker (the pid in the segment's header; with shm off, any worker);
  5. at three quarters, a fourth node joins the cluster;
  6. a report: requests served and failed, the tender pid over time (sampled every 100 ms), the takeover time,
     and the info commands per second the cluster answered, shm on against shm off.
Gunicorn is stopped gracefully, the cluster stopped and the segment removed. Exit status 0 when every request of
the shm run succeeded, except the ones in flight in the killed worker (gunicorn's sync worker dies with its
request; those are reported as lost with the killed worker), and the counters add up.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

from aerospike.shm.__main__ import status as shm_status
from aerospike.shm.layout import (
    GENERATION_OFFSET,
    MAGIC,
    TENDER_PID_OFFSET,
    LayoutError,
    SegmentLayout,
    read_header,
    read_u64,
)
from aerospike.shm.segment import open_read_only, remove
from aerospike.testing import LocalCluster

HERE = os.path.dirname(os.path.abspath(__file__))
GUNICORN_DIR = os.path.join(HERE, "gunicorn")
WORKERS = 4
COUNTERS = 4
USERS = 50
TEND_COMMANDS = ("node", "peers-generation", "partition-generation", "replicas")


# -- the segment, read from outside (never attaching) ------------------------------------------------------------


def segment_state(key: int) -> tuple[Optional[int], Optional[int]]:
    """(tender pid, number of published nodes) of `key`'s segment; (None, None) when there is no segment."""
    memory = open_read_only(key)
    if memory is None:
        return None, None
    with memory:
        buffer = memoryview(memory)
        try:
            header = read_header(buffer)
            if header.magic != MAGIC:
                return None, None
            pid = read_u64(buffer, TENDER_PID_OFFSET) or None
            nodes: Optional[int] = None
            layout = SegmentLayout(header.max_nodes, header.max_namespaces)
            for _ in range(50):  # seqlock read: retry while the tender writes
                before = read_u64(buffer, GENERATION_OFFSET)
                if before and before % 2 == 0:
                    try:
                        count = len(layout.unpack(buffer).nodes)
                    except LayoutError:
                        count = None
                    if read_u64(buffer, GENERATION_OFFSET) == before:
                        nodes = count
                        break
                time.sleep(0.001)
            return pid, nodes
        finally:
            buffer.release()


# -- processes ---------------------------------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    """Pids whose parent is `pid` (gunicorn's workers), from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(port: int, method: str, path: str, body: Optional[bytes] = None, timeout: float = 10.0):
    """One HTTP request on a new connection: (status, JSON payload, worker pid)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        pid = response.getheader("X-Worker-Pid")
        return response.status, json.loads(data or b"null"), int(pid) if pid else None
    finally:
        connection.close()


class Gunicorn:
    """gunicorn running the example app, started and stopped by this demo."""

    def __init__(
        self, hosts: list[tuple[str, int]], shm_key: Optional[int], tend_interval: int, log_path: str
    ):
        self.port = free_port()
        env = dict(os.environ)
        env.update(
            AEROSPIKE_HOSTS=",".join(f"{host}:{port}" for host, port in hosts),
            AEROSPIKE_SHM_KEY="off" if shm_key is None else f"0x{shm_key:08x}",
            AEROSPIKE_TEND_INTERVAL=str(tend_interval),
            AEROSPIKE_TAKEOVER_SEC="5",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS=str(WORKERS),
            GUNICORN_LOGLEVEL="info",
        )
        self.log_path = log_path
        self.log = open(log_path, "wb")
        command = [sys.executable, "-m", "gunicorn", "-c", os.path.join(GUNICORN_DIR, "gunicorn.conf.py")]
        command += ["--chdir", GUNICORN_DIR, "app:application"]
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def workers(self) -> list[int]:
        return children_of(self.process.pid)

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                if (
                    request(self.port, "GET", "/whoami", timeout=2.0)[0] == 200
                    and len(self.workers()) == WORKERS
                ):
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"gunicorn not ready within {timeout:g}s; see {self.log_path}")

    def stop(self, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()
        return self.process.returncode

    def log_tail(self, lines: int = 30) -> str:
        with open(self.log_path, "rb") as log:
            return b"".join(log.readlines()[-lines:]).decode("utf-8", "replace")


# -- the load ----------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    start: float
    end: float
    status: Optional[int]
    error: Optional[str]
    pid: Optional[int]

    @property
    def ok(self) -> bool:
        return self.status == 200


class Load:
    """`total` requests from `threads` client threads, request i not before i / rate seconds (rate 0: no pacing);
    `done` counts finished ones."""

    def __init__(self, port: int, total: int, threads: int, rate: float) -> None:
        self.port = port
        self.total = total
        self.rate = rate
        self.started = 0.0
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._next = 0
        self.done = 0
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self) -> None:
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()

    def join(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self.threads)

    def _take(self) -> Optional[int]:
        with self._lock:
            if self._next >= self.total:
                return None
            self._next += 1
            return self._next - 1

    def _run(self) -> None:
        while True:
            index = self._take()
            if index is None:
                return
            if self.rate:
                delay = self.started + index / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            outcome = self._one(index)
            with self._lock:
                self.outcomes.append(outcome)
                self.done += 1

    def _one(self, index: int) -> Outcome:
        user = f"u{index % USERS}"
        if index % 3 == 0:
            kind, method, path, body = "POST counter", "POST", f"/counter/c{index % COUNTERS}", None
        elif index % 3 == 1:
            kind, method, path = "PUT profile", "PUT", f"/profile/{user}"
            body = json.dumps({"name": f"user {user}", "visits": index}).encode()
        else:
            kind, method, path, body = "GET profile", "GET", f"/profile/{user}", None
        start = time.monotonic()
        try:
            status, _, pid = request(self.port, method, path, body)
            return Outcome(kind, start, time.monotonic(), status, None, pid)
        except (OSError, http.client.HTTPException) as error:
            return Outcome(kind, start, time.monotonic(), None, f"{type(error).__name__}: {error}", None)


class TenderSampler:
    """Samples the segment's tender pid every `interval` seconds."""

    def __init__(self, key: int, interval: float = 0.1) -> None:
        self.key = key
        self.interval = interval
        self.samples: list[tuple[float, Optional[int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), segment_state(self.key)[0]))
            self._stop.wait(self.interval)


# -- one run -----------------------------------------------------------------------------------------------------


@dataclass
class RunReport:
    shm: bool
    requests: int = 0
    served: int = 0
    failed: list[Outcome] = field(default_factory=list)
    lost: list[Outcome] = field(default_factory=list)
    duration: float = 0.0
    killed_pid: Optional[int] = None
    kill_at: float = 0.0
    takeover: Optional[float] = None
    new_tender: Optional[int] = None
    node_added_at: float = 0.0
    node_seen_after: Optional[float] = None
    timeline: list[tuple[float, float, Optional[int]]] = field(default_factory=list)
    info_commands: int = 0
    tend_connections: int = 0
    tend_pids_note: str = ""
    serving_pids: int = 0
    initial_workers: list[int] = field(default_factory=list)
    counter_total: int = 0
    counter_expected: tuple[int, int] = (0, 0)
    segment_removed: Optional[bool] = None
    status_text: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def info_per_second(self) -> float:
        return self.info_commands / self.duration if self.duration else 0.0


def run(shm: bool, total: int, threads: int, rate: float, tend_interval: int, workdir: str) -> RunReport:
    report = RunReport(shm=shm, requests=total)
    key = (0xA7D00000 | random.getrandbits(20)) if shm else None
    cluster = LocalCluster(nodes=3, replication_factor=2, port=0).start()
    gunicorn = Gunicorn(
        cluster.hosts, key, tend_interval, os.path.join(workdir, f"gunicorn-{'shm' if shm else 'off'}.log")
    )
    sampler = TenderSampler(key) if key is not None else None
    try:
        gunicorn.wait_ready()
        workers = gunicorn.workers()
        report.initial_workers = workers
        if key is not None:
            deadline = time.monotonic() + 5
            while segment_state(key)[0] not in workers and time.monotonic() < deadline:
                time.sleep(0.02)
            if segment_state(key)[0] not in workers:
                report.problems.append(f"no worker tends after start (segment says {segment_state(key)[0]})")
        for index in range(USERS):  # every profile exists before the GETs start
            request(
                gunicorn.port, "PUT", f"/profile/u{index}", json.dumps({"name": f"user u{index}"}).encode()
            )
        cluster.reset_counts()
        load = Load(gunicorn.port, total, threads, rate)
        started = time.monotonic()
        if sampler is not None:
            sampler.start()
        load.start()

        # Halfway: SIGKILL the tender (shm on) or a worker (shm off).
        while load.done < total // 2 and any(thread.is_alive() for thread in load.threads):
            time.sleep(0.002)
        victim = segment_state(key)[0] if key is not None else gunicorn.workers()[0]
        if victim is None or victim not in gunicorn.workers():
            report.problems.append(f"the tender pid {victim} is not a gunicorn worker")
        else:
            report.killed_pid = victim
            os.kill(victim, signal.SIGKILL)
            killed = time.monotonic()
            report.kill_at = killed - started
            if key is not None:
                deadline = killed + 10
                while time.monotonic() < deadline:
                    pid = segment_state(key)[0]
                    if pid not in (None, victim):
                        report.takeover = time.monotonic() - killed
                        report.new_tender = pid
                        break
                    time.sleep(0.005)
                else:
                    report.problems.append("no takeover within 10 s of the SIGKILL")

        # Three quarters: a fourth node joins.
        while load.done < 3 * total // 4 and any(thread.is_alive() for thread in load.threads):
            time.sleep(0.002)
        cluster.add_node()
        added = time.monotonic()
        report.node_added_at = added - started
        if key is not None:
            deadline = added + 10
            while time.monotonic() < deadline:
                if segment_state(key)[1] == 4:
                    report.node_seen_after = time.monotonic() - added
                    break
                time.sleep(0.005)
            else:
                report.problems.append("the fourth node never reached the segment")

        if not load.join(120):
            report.problems.append("the client threads did not finish within 120 s")
        ended = time.monotonic()
        report.duration = ended - started
        counts = cluster.request_counts()
        if sampler is not None and key is not None:
            sampler.stop()
            report.timeline = _timeline(sampler.samples, started)
            buffer = io.StringIO()
            shm_status(key, buffer)
            report.status_text = buffer.getvalue()

        kill_time = started + report.kill_at if report.killed_pid else None
        for outcome in list(load.outcomes):
            if outcome.ok:
                report.served += 1
            elif (
                outcome.status is None and kill_time is not None and outcome.start <= kill_time <= outcome.end
            ):
                report.lost.append(outcome)
            else:
                report.failed.append(outcome)
        report.serving_pids = len({outcome.pid for outcome in load.outcomes if outcome.pid})
        report.info_commands = sum(sum(node.info.values()) for node in counts)
        tend_connections = set()
        for node_index, node in enumerate(counts):
            for peer, connection in node.connections.items():
                if any(name in connection.info for name in TEND_COMMANDS):
                    tend_connections.add((node_index, peer))
        report.tend_connections = len(tend_connections)

        # The counters must add up: every served POST counted once; a lost one may or may not have been.
        total_count = 0
        for index in range(COUNTERS):
            status, payload, _ = request(gunicorn.port, "GET", f"/counter/c{index}")
            total_count += payload["count"] if status == 200 else 0
        posts_ok = sum(1 for outcome in load.outcomes if outcome.kind == "POST counter" and outcome.ok)
        posts_lost = sum(1 for outcome in report.lost if outcome.kind == "POST counter")
        report.counter_total = total_count
        report.counter_expected = (posts_ok, posts_ok + posts_lost)
        if not posts_ok <= total_count <= posts_ok + posts_lost:
            report.problems.append(f"counters add up to {total_count}, expected {report.counter_expected}")
        if len(report.lost) > 1:
            report.problems.append(
                f"{len(report.lost)} requests lost with one killed sync worker (at most 1)"
            )
    finally:
        if sampler is not None:
            sampler.stop()
        code = gunicorn.stop()
        if code != 0:
            report.problems.append(f"gunicorn exited with {code}")
        if report.problems or report.failed:
            print(f"--- last lines of {gunicorn.log_path}\n{gunicorn.log_tail()}", file=sys.stderr)
        if key is not None:
            report.segment_removed = open_read_only(key) is None
            remove(key, force=True)
        cluster.stop()
    return report


def _timeline(
    samples: list[tuple[float, Optional[int]]], started: float
) -> list[tuple[float, float, Optional[int]]]:
    """Runs of equal tender pids: (from, to, pid), in seconds since the load started."""
    spans: list[tuple[float, float, Optional[int]]] = []
    for moment, pid in samples:
        offset = moment - started
        if spans and spans[-1][2] == pid:
            spans[-1] = (spans[-1][0], offset, pid)
        else:
            spans.append((offset, offset, pid))
    return spans


# -- the report --------------------------------------------------------------------------------------------------


def print_run(report: RunReport, tend_interval: int) -> None:
    name = "shared memory ON" if report.shm else "shared memory OFF"
    rate = report.requests / report.duration if report.duration else 0.0
    print(f"\n== {name}: {WORKERS} gunicorn workers, 3-node cluster, tend_interval {tend_interval} ms ==")
    print(
        f"requests: {report.requests} in {report.duration:.1f} s ({rate:.0f}/s) by {report.serving_pids} worker pids; "
        f"served {report.served}, failed {len(report.failed)}, lost with the killed worker {len(report.lost)}"
    )
    for outcome in report.lost:
        print(f"  lost: {outcome.kind} ({outcome.error})")
    for outcome in report.failed[:5]:
        print(f"  FAILED: {outcome.kind}: status {outcome.status} {outcome.error or ''}")
    if report.killed_pid:
        role = "the tender" if report.shm else "a worker"
        print(f"SIGKILL {role} pid {report.killed_pid} at {report.kill_at:.2f} s")
    if report.shm:
        takeover = f"{1000 * report.takeover:.0f} ms" if report.takeover is not None else "none"
        print(f"takeover: pid {report.new_tender} tends {takeover} after the SIGKILL")
        seen = f"{1000 * report.node_seen_after:.0f} ms" if report.node_seen_after is not None else "never"
        print(f"node added at {report.node_added_at:.2f} s; in the shared map {seen} later")
        print("tender pid over time (sampled every 100 ms):")
        for begin, end, pid in report.timeline:
            if pid == report.killed_pid:
                note = " (killed)"
            elif pid in report.initial_workers:
                note = " (a worker since the start)"
            else:
                note = " (the worker gunicorn forked to replace the killed one)"
            print(f"  {begin:6.2f} s .. {end:6.2f} s  pid {pid}{note}")
        removed = "yes" if report.segment_removed else "no (removed by the demo)"
        print(f"segment removed by the last worker to leave: {removed}")
    else:
        print(f"node added at {report.node_added_at:.2f} s")
    print(
        f"cluster saw {report.info_commands} info commands ({report.info_per_second:.1f}/s) "
        f"from {report.tend_connections} tend connections"
    )
    print(f"counters: {report.counter_total} increments for {report.counter_expected[0]} served POSTs")
    for problem in report.problems:
        print(f"PROBLEM: {problem}")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000, help="HTTP requests per run (default 4000)")
    parser.add_argument(
        "--rate",
        type=float,
        default=500,
        help="requests per second, paced (default 500; 0: as fast as possible)",
    )
    parser.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--tend-interval", type=int, default=250, help="tend interval in ms (default 250)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run without shared memory")
    args = parser.parse_args(argv)
    if args.requests < 8:
        parser.error("--requests must be at least 8")
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aerospike-demo-") as workdir:
        on = run(True, args.requests, args.threads, args.rate, args.tend_interval, workdir)
        print_run(on, args.tend_interval)
        if on.status_text:
            print("python -m aerospike.shm status, just before gunicorn stopped:")
            print("  " + on.status_text.rstrip().replace("\n", "\n  "))
        off = (
            None
            if args.no_baseline
            else run(False, args.requests, args.threads, args.rate, args.tend_interval, workdir)
        )
        if off is not None:
            print_run(off, args.tend_interval)
    print("\n== summary ==")
    if off is not None:
        ratio = off.info_per_second / on.info_per_second if on.info_per_second else float("inf")
        print(
            f"info commands/s: {on.info_per_second:.1f} with shared memory, {off.info_per_second:.1f} without "
            f"({ratio:.1f}x fewer with it); tend connections {on.tend_connections} vs {off.tend_connections}"
        )
    ok = not on.failed and not on.problems
    print(
        f"shm run: {on.served} served, {len(on.failed)} failed, {len(on.lost)} lost with the killed worker; "
        f"takeover {'%.0f ms' % (1000 * on.takeover) if on.takeover is not None else 'none'}"
    )
    print(f"demo {'OK' if ok else 'FAILED'} in {time.monotonic() - began:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
