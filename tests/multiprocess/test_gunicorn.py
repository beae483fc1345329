"""The gunicorn example (examples/gunicorn) under real gunicorn: 4 sync workers, preload_app = True, shared-memory
tending on a 3-node LocalCluster.

Checks the app's answers (a counter incremented from several workers, a profile round trip), that exactly one
worker tends (every tend info command the cluster received in a steady window came over one connection per node,
and those connections belong to the pid the segment names as tender: client ports are mapped to pids through
/proc/net/tcp and /proc/<pid>/fd), and that a SIGKILLed tending worker is replaced while requests keep succeeding.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

import pytest

from aerospike.shm.layout import TENDER_PID_OFFSET, read_u64
from aerospike.shm.segment import open_read_only

pytest.importorskip("gunicorn")

pytestmark = pytest.mark.multiprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP_DIR = os.path.join(ROOT, "examples", "gunicorn")
WORKERS = 4
TEND_INTERVAL_MS = 200
TEND_COMMANDS = {"node", "peers-generation", "partition-generation", "replicas", "peers-clear-std"}


def tender_pid(key: int) -> Optional[int]:
    memory = open_read_only(key)
    if memory is None:
        return None
    with memory:
        view = memoryview(memory)
        try:
            return read_u64(view, TENDER_PID_OFFSET) or None
        finally:
            view.release()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if parent == pid:
                found.append(int(entry))
    return sorted(found)


def socket_owners(pids: list[int]) -> dict[int, int]:
    """Socket inode -> pid, for the sockets open in `pids`."""
    owners = {}
    for pid in pids:
        try:
            descriptors = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in descriptors:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                owners[int(target[8:-1])] = pid
    return owners


def loopback_connections() -> dict[tuple[int, int], int]:
    """(local port, remote port) -> socket inode, for the IPv4 TCP connections of this host."""
    found = {}
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            local_port = int(fields[1].split(":")[1], 16)
            remote_port = int(fields[2].split(":")[1], 16)
            found[(local_port, remote_port)] = int(fields[9])
    return found


def request(port: int, method: str, path: str, body: Any = None) -> tuple[int, Any, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        data = None if body is None else json.dumps(body).encode()
        connection.request(method, path, body=data)
        response = connection.getresponse()
        payload = json.loads(response.read() or b"null")
        return response.status, payload, int(response.getheader("X-Worker-Pid") or 0)
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def gunicorn_app(cluster3, shm_key, tmp_path):
    port = free_port()
    env = dict(os.environ)
    env.update(
        AEROSPIKE_HOSTS=",".join(f"{host}:{node_port}" for host, node_port in cluster3.hosts),
        AEROSPIKE_SHM_KEY=hex(shm_key),
        AEROSPIKE_TEND_INTERVAL=str(TEND_INTERVAL_MS),
        AEROSPIKE_TAKEOVER_SEC="5",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(WORKERS),
        GUNICORN_LOGLEVEL="info",
    )
    log_path = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", os.path.join(APP_DIR, "gunicorn.conf.py")]
    command += ["--chdir", APP_DIR, "app:application"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, f"gunicorn exited: {log_path.read_text()}"
            workers = children_of(process.pid)
            try:
                ready = request(port, "GET", "/whoami")[0] == 200
            except OSError:
                ready = False
            if ready and len(workers) == WORKERS and tender_pid(shm_key) in workers:
                break
            assert time.monotonic() < deadline, f"gunicorn not ready: {log_path.read_text()}"
            time.sleep(0.05)
        yield process, port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def tend_connection_pids(cluster3, master: int) -> dict[int, set[int]]:
    """Per node index, the pids owning the client connections that sent tend info commands since reset_counts."""
    inodes = loopback_connections()
    owners = socket_owners([master, *children_of(master)])
    result: dict[int, set[int]] = {}
    for index, counts in enumerate(cluster3.request_counts()):
        node_port = cluster3.hosts[index][1]
        pids = result.setdefault(index, set())
        for (_, client_port), connection in counts.connections.items():
            if TEND_COMMANDS & set(connection.info):
                inode = inodes.get((client_port, node_port))
                pids.add(owners.get(inode, -client_port) if inode is not None else -client_port)
    return result


def test_gunicorn_workers_share_one_tender(gunicorn_app, cluster3, shm_key):
    process, port = gunicorn_app
    master = process.pid

    # A counter incremented concurrently: every increment seen once, by several workers.
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: request(port, "POST", "/counter/hits"), range(40)))
    assert all(status == 200 for status, _, _ in answers), answers
    assert sorted(payload["count"] for _, payload, _ in answers) == list(range(1, 41))
    assert len({pid for _, _, pid in answers}) >= 2, "one worker served every concurrent request"
    assert request(port, "GET", "/counter/hits")[1] == {"counter": "hits", "count": 40}

    # A profile round trip, read back by whichever workers answer.
    profile = {"name": "Alice", "age": 30, "langs": ["py", "c"]}
    assert request(port, "PUT", "/profile/alice", profile)[:2] == (200, {"stored": "alice"})
    with ThreadPoolExecutor(4) as pool:
        reads = list(pool.map(lambda _: request(port, "GET", "/profile/alice"), range(8)))
    for status, payload, _ in reads:
        assert status == 200 and payload["profile"] == profile and payload["generation"] == 1
    assert request(port, "GET", "/profile/nobody")[0] == 404

    # Exactly one process tends: over a steady window, tend commands came over one connection per node, all of
    # them owned by the worker the segment names, and nothing else sent info commands.
    tender = tender_pid(shm_key)
    workers = children_of(master)
    assert tender in workers and tender != master
    cluster3.reset_counts()
    deadline = time.monotonic() + 6 * TEND_INTERVAL_MS / 1000
    sent = 0
    while time.monotonic() < deadline:
        assert request(port, "POST", f"/counter/steady{sent}")[0] == 200  # many keys: every node gets some
        sent += 1
        time.sleep(0.01)
    counts = cluster3.request_counts()
    assert tender_pid(shm_key) == tender
    per_node = tend_connection_pids(cluster3, master)
    assert per_node == {0: {tender}, 1: {tender}, 2: {tender}}, per_node
    for index, node in enumerate(counts):
        tend_connections = [c for c in node.connections.values() if TEND_COMMANDS & set(c.info)]
        assert len(tend_connections) == 1, (index, node.connections)
        assert node.info.get("partition-generation", 0) >= 3, node.info  # tended every interval
        assert sum(node.info.values()) == sum(tend_connections[0].info.values()), node.connections
        assert node.messages, "the workers sent no commands to this node"
    whoami = [request(port, "GET", "/whoami")[1] for _ in range(12)]
    for answer in whoami:
        assert answer["shm_key"] == shm_key and answer["tender_pid"] == tender
        assert answer["tending"] == (answer["pid"] == tender)

    # SIGKILL the tending worker: another worker takes over within a few tend intervals; requests keep working.
    os.kill(tender, signal.SIGKILL)
    killed = time.monotonic()
    while True:
        new = tender_pid(shm_key)
        if new not in (None, tender):
            break
        assert time.monotonic() - killed < 3.0, "no takeover within 3 s"
        time.sleep(0.01)
    assert new in children_of(master)
    for index in range(20):
        status, payload, pid = request(port, "PUT", f"/profile/after{index}", {"n": index})
        assert status == 200 and pid != tender, payload
    assert request(port, "GET", "/profile/after7")[1]["profile"] == {"n": 7}

    # A graceful stop: every worker leaves the segment, the last one removes it.
    process.send_signal(signal.SIGTERM)
    assert process.wait(15) == 0
    assert open_read_only(shm_key) is None
