"""What shared-memory tending costs and saves, against a 3-node local cluster (not a test; prints a table).

    python benchmarks/shm.py [--spawns 10] [--duration 3] [--processes 1,2,4]

1. First command of a new process: N fresh interpreters, one after the other, each timing `import aerospike`,
   `connect()` (with the modules it imports lazily) and its first `get`. With shm, a long-lived process already tends the segment, as in a running
   gunicorn: the newcomer attaches and reads the published map instead of tending the cluster itself.
2. Routing lookup: `Cluster.node_for` per call, with the in-process map and with the shared-memory one (whose hot
   path first compares the segment's generation with the one applied).
3. Throughput: 1, 2 and 4 processes running a get loop for a few seconds, shm off and on; with the info commands
   per second the cluster answered meanwhile (tending traffic).
The cluster's nodes are threads of this process, which idles while the clients run; on a small machine the
cluster and the clients share the CPUs, so the throughput is the whole system's, not the client's alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import statistics
import subprocess
import sys
import time
import timeit
from typing import Any, Optional

HERE = os.path.abspath(__file__)
KEYS = 1000
SET_NAME = "shmbench"


def _config(spec: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "hosts": [tuple(host) for host in spec["hosts"]],
        "policies": {"read": {"total_timeout": 5000}},
    }
    if spec.get("shm_key"):
        config["shm"] = {"shm_key": spec["shm_key"]}
    return config


# -- child processes (fresh interpreters running this file with --child) ------------------------------------------


def child_first_command(spec: dict[str, Any]) -> dict[str, Any]:
    imported = time.perf_counter()
    import aerospike

    began = time.perf_counter()
    client = aerospike.client(_config(spec)).connect()
    connected = time.perf_counter()
    client.get(("test", SET_NAME, "k0"))
    done = time.perf_counter()
    tending = False
    strategy = getattr(client._cluster, "_strategy", None)
    election = getattr(strategy, "election", None)
    if election is not None:
        tending = election.is_tender
    client.close()
    return {
        "import": began - imported,
        "connect": connected - began,
        "first_get": done - connected,
        "total": done - began,
        "tender": tending,
    }


def child_hold(spec: dict[str, Any]) -> dict[str, Any]:
    """Connect (and tend the segment) until stdin closes, at most two minutes."""
    import aerospike

    client = aerospike.client(_config(spec)).connect()
    print(json.dumps({"ready": True}), flush=True)
    select.select([sys.stdin], [], [], 120)
    client.close()
    return {"held": True}


def child_throughput(spec: dict[str, Any]) -> dict[str, Any]:
    import aerospike

    client = aerospike.client(_config(spec)).connect()
    keys = [("test", SET_NAME, f"k{i}") for i in range(KEYS)]
    rng = random.Random(os.getpid())
    delay = spec["start_at"] - time.time()
    if delay > 0:
        time.sleep(delay)
    deadline = time.perf_counter() + spec["duration"]
    ops = errors = 0
    while time.perf_counter() < deadline:
        for _ in range(100):
            try:
                client.get(keys[rng.randrange(KEYS)])
                ops += 1
            except aerospike.exception.AerospikeError:
                errors += 1
    client.close()
    return {"ops": ops, "errors": errors, "seconds": spec["duration"]}


CHILDREN = {"first": child_first_command, "hold": child_hold, "throughput": child_throughput}


def _spawn(spec: dict[str, Any], **popen: Any) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, HERE, "--child", json.dumps(spec)], text=True, **popen)


def _result(process: subprocess.Popen, timeout: float = 60) -> dict[str, Any]:
    out, _ = process.communicate(timeout=timeout)
    if process.returncode != 0:
        raise RuntimeError(f"benchmark child failed with {process.returncode}")
    return json.loads(out.strip().splitlines()[-1])


# -- the measurements --------------------------------------------------------------------------------------------


def first_command(hosts: list, spawns: int, shm_key: Optional[int]) -> list[dict[str, Any]]:
    holder = None
    if shm_key is not None:
        holder = _spawn(
            {"mode": "hold", "hosts": hosts, "shm_key": shm_key},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert holder.stdout is not None
        holder.stdout.readline()  # connected and tending
    try:
        return [
            _result(_spawn({"mode": "first", "hosts": hosts, "shm_key": shm_key}, stdout=subprocess.PIPE))
            for _ in range(spawns)
        ]
    finally:
        if holder is not None:
            assert holder.stdin is not None
            holder.stdin.close()
            holder.wait(30)


def node_for_cost(hosts: list, shm_key: Optional[int]) -> float:
    """Nanoseconds per Cluster.node_for call in this process."""
    import aerospike

    client = aerospike.client(_config({"hosts": hosts, "shm_key": shm_key})).connect()
    try:
        cluster = client._cluster
        partitions = [random.randrange(4096) for _ in range(1000)]
        node_for = cluster.node_for

        def lookups() -> None:
            for partition_id in partitions:
                node_for("test", partition_id, 0)

        assert all(node_for("test", p, 0) is not None for p in partitions)
        best = min(timeit.repeat(lookups, number=20, repeat=5))
        return best / (20 * len(partitions)) * 1e9
    finally:
        client.close()


def throughput(cluster: Any, processes: int, duration: float, shm_key: Optional[int]) -> dict[str, float]:
    start_at = time.time() + 1.0 + 0.3 * processes
    spec = {"mode": "throughput", "hosts": cluster.hosts, "shm_key": shm_key, "duration": duration}
    spec["start_at"] = start_at
    children = [_spawn(spec, stdout=subprocess.PIPE) for _ in range(processes)]
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    cluster.reset_counts()
    time.sleep(duration)
    info = sum(sum(node.info.values()) for node in cluster.request_counts())
    results = [_result(child) for child in children]
    return {
        "ops_per_sec": sum(result["ops"] for result in results) / duration,
        "errors": sum(result["errors"] for result in results),
        "info_per_sec": info / duration,
    }


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{1000 * statistics.median(ordered):7.1f} {1000 * ordered[0]:7.1f} {1000 * ordered[-1]:7.1f}"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--spawns", type=int, default=10, help="fresh processes per first-command measurement"
    )
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of each throughput run")
    parser.add_argument("--processes", default="1,2,4", help="process counts of the throughput runs")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        print(json.dumps(CHILDREN[spec["mode"]](spec)), flush=True)
        return 0

    import aerospike
    from aerospike.shm.segment import remove
    from aerospike.testing import LocalCluster

    counts = [int(item) for item in args.processes.split(",")]
    key = 0xA7B00000 | random.getrandbits(20)
    print(f"3-node local cluster, replication 2; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    with LocalCluster(nodes=3, replication_factor=2, port=0) as cluster:
        writer = aerospike.client({"hosts": cluster.hosts}).connect()
        for index in range(KEYS):
            writer.put(("test", SET_NAME, f"k{index}"), {"v": index, "s": f"value-{index}"})
        writer.close()
        try:
            print(
                f"\n1. new process: connect + first get ({args.spawns} fresh processes, ms: median min max)"
            )
            print(f"   {'':28} {'import':>23} {'connect':>23} {'first get':>23} {'connect+get':>23}")
            for label, shm_key in (("shm off (tends itself)", None), ("shm on (segment tended)", key)):
                runs = first_command(cluster.hosts, args.spawns, shm_key)
                tenders = sum(1 for run in runs if run["tender"])
                note = f"  ({tenders} became tender)" if shm_key is not None else ""
                print(
                    f"   {label:28} {_ms([r['import'] for r in runs])} {_ms([r['connect'] for r in runs])} "
                    f"{_ms([r['first_get'] for r in runs])} {_ms([r['total'] for r in runs])}{note}"
                )
            remove(key, force=True)

            print("\n2. routing lookup Cluster.node_for (ns per call, best of 5)")
            plain = node_for_cost(cluster.hosts, None)
            shared = node_for_cost(cluster.hosts, key)
            remove(key, force=True)
            print(f"   shm off {plain:7.0f} ns    shm on {shared:7.0f} ns    (+{shared - plain:.0f} ns)")

            print(f"\n3. get throughput, {args.duration:g} s per run (all processes together)")
            print(
                f"   {'processes':>9} {'shm off ops/s':>14} {'info/s':>7} {'shm on ops/s':>14} {'info/s':>7} {'errors':>7}"
            )
            for processes in counts:
                off = throughput(cluster, processes, args.duration, None)
                on = throughput(cluster, processes, args.duration, key)
                remove(key, force=True)
                print(
                    f"   {processes:9d} {off['ops_per_sec']:14.0f} {off['info_per_sec']:7.1f} "
                    f"{on['ops_per_sec']:14.0f} {on['info_per_sec']:7.1f} {off['errors'] + on['errors']:7d}"
                )
        finally:
            remove(key, force=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
