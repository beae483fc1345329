"""The official client against a local cluster whose membership changes while it is connected: a node added is
seen within a couple of its tend intervals and takes writes; a record survives the loss of one node of an RF2
cluster.

The official script runs in its own process (tests/support/official.py); it and the test hand over through
marker files in a temporary folder: the script says when it is ready, the test when it changed the cluster.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from aerospike.testing import LocalCluster
from tests.support.official import official_python, run_official

pytestmark = pytest.mark.official

OFFICIAL_TEND_MS = 250  # the official client's minimum


@pytest.fixture(autouse=True)
def official_env(monkeypatch: pytest.MonkeyPatch) -> None:
    if official_python() is None and os.access("/tmp/offvenv/bin/python", os.X_OK):
        monkeypatch.setenv("AEROSPIKE_OFFICIAL_PYTHON", "/tmp/offvenv/bin/python")


class Background:
    """run_official in a thread: `finished()` says whether it ended, `result()` waits and returns (or raises)."""

    def __init__(self, script: str, **variables: Any) -> None:
        self.outcome: dict[str, Any] = {}
        self.thread = threading.Thread(target=self._run, args=(script, variables), daemon=True)
        self.thread.start()

    def _run(self, script: str, variables: dict[str, Any]) -> None:
        try:
            self.outcome["result"] = run_official(script, timeout=60.0, **variables)
        except BaseException as error:  # handed to the test thread
            self.outcome["error"] = error

    def finished(self) -> bool:
        return not self.thread.is_alive()

    def result(self) -> Any:
        self.thread.join(70.0)
        assert self.finished(), "the official script hung"
        if "error" in self.outcome:
            raise self.outcome["error"]
        return self.outcome["result"]


def wait_for_file(path: Path, script: Background, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline or script.finished():
            script.result()  # surfaces the script's own failure, if it failed
            raise AssertionError(f"{path.name} never appeared")
        time.sleep(0.01)


ADDED_NODE_SCRIPT = """
import os, time
import aerospike
config = {"hosts": [tuple(h) for h in hosts], "tend_interval": tend_ms}
client = aerospike.client(config).connect()
before = sorted(list(n) for n in client.get_nodes())
open(os.path.join(folder, "ready"), "w").close()
added_seen = nodes_seen = None
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    if added_seen is None and os.path.exists(os.path.join(folder, "added")):
        added_seen = time.monotonic()
    if added_seen is not None and len(client.get_nodes()) == 4:
        nodes_seen = time.monotonic()
        break
    time.sleep(0.01)
after = sorted(list(n) for n in client.get_nodes())
time.sleep(2 * tend_ms / 1000.0)  # its partition map follows the node list within a tend or two
policy = {"max_retries": 2, "sleep_between_retries": 50}
for i in range(200):
    client.put(("test", "added", i), {"a": i}, policy=policy)
values = [client.get(("test", "added", i), policy=policy)[2]["a"] for i in range(200)]
client.close()
result = {
    "before": before,
    "after": after,
    "elapsed": None if nodes_seen is None else nodes_seen - added_seen,
    "values": values,
}
"""


def test_official_client_sees_an_added_node_within_a_couple_of_tend_intervals(
    cluster3: LocalCluster, tmp_path: Path
) -> None:
    script = Background(ADDED_NODE_SCRIPT, hosts=cluster3.hosts[:1], tend_ms=OFFICIAL_TEND_MS, folder=str(tmp_path))
    wait_for_file(tmp_path / "ready", script)
    index = cluster3.add_node()
    cluster3.reset_counts()
    (tmp_path / "added").touch()
    result = script.result()

    assert result["before"] == sorted(list(host) for host in cluster3.hosts[:3])
    assert result["after"] == sorted(list(host) for host in cluster3.hosts)
    assert result["elapsed"] is not None and result["elapsed"] <= 2 * OFFICIAL_TEND_MS / 1000.0 + 0.6
    assert result["values"] == list(range(200))
    counts = cluster3.request_counts()
    assert counts[index].messages.get("write", 0) > 0  # the official client routes writes to the new node
    assert sum(node.messages.get("proxy", 0) for node in counts) == 0


KILLED_NODE_SCRIPT = """
import os, time
import aerospike
config = {"hosts": [tuple(h) for h in hosts], "tend_interval": tend_ms}
client = aerospike.client(config).connect()
for i in range(100):
    client.put(("test", "survivor", i), {"a": i * 3})
open(os.path.join(folder, "written"), "w").close()
deadline = time.monotonic() + 20
while not os.path.exists(os.path.join(folder, "killed")) and time.monotonic() < deadline:
    time.sleep(0.01)
policy = {"total_timeout": 3000, "max_retries": 5, "sleep_between_retries": 100,
          "replica": aerospike.POLICY_REPLICA_SEQUENCE}
# At once (its map still names the dead node), then after its tender dropped the node.
first = [client.get(("test", "survivor", i), policy=policy)[2]["a"] for i in range(100)]
while len(client.get_nodes()) != 2 and time.monotonic() < deadline:
    time.sleep(0.01)
nodes = len(client.get_nodes())
second = [client.get(("test", "survivor", i), policy=policy)[2]["a"] for i in range(100)]
client.close()
result = {"first": first, "second": second, "nodes": nodes}
"""


def test_records_survive_a_killed_node_read_through_the_official_client(
    cluster3: LocalCluster, tmp_path: Path
) -> None:
    script = Background(KILLED_NODE_SCRIPT, hosts=cluster3.hosts, tend_ms=OFFICIAL_TEND_MS, folder=str(tmp_path))
    wait_for_file(tmp_path / "written", script)
    victim = 1
    assert cluster3.request_counts()[victim].messages.get("write", 0) > 0  # it mastered some of the records
    cluster3.kill_node(victim)
    (tmp_path / "killed").touch()
    result = script.result()

    expected = [i * 3 for i in range(100)]
    assert result["first"] == expected
    assert result["second"] == expected
    assert result["nodes"] == 2
