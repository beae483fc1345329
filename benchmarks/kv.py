"""One benchmark run: a workload for a duration in N processes, printed as one JSON line.

Runs under whichever interpreter starts it, so the same file measures our client (`--client ours`), the official
client (`--client official`, started with the official client's own interpreter), and a raw loop that only sends
pre-encoded get requests over one socket per process (`--client raw`: the ceiling any client can reach).
Batch workloads (`batch100`, `batch1000`) read that many keys per call (ours: `get_many`, the official 19.3.0
client: `batch_read`, its only batch read) and also report records/s and CPU per record. `load` writes
`--records` records into the scan set; `scan` consumes that set with `foreach` (ours: `Scan.foreach`, official:
`Query.foreach`, 19.3.0's scan) and reports records/s, CPU per record, the peak RSS growth during the scan and, in
a second pass under tracemalloc, the peak of Python allocations (the official client's C allocations are not
traced by tracemalloc; its RSS is the comparable figure).
Not a test: `benchmarks/run.py` drives it and prints the table.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import struct
import sys
import threading
import time
from typing import Any

KEY_SPACE = 10_000
SET_NAME = "bench"
SCAN_SET = "scanbench"
BATCH_SIZES = {"batch100": 100, "batch1000": 1000}
WORKLOADS = ("get", "put", "operate", "batch100", "batch1000", "load", "scan", "startup")


def _hosts(text: str) -> list[tuple[str, int]]:
    hosts = []
    for item in text.split(","):
        host, _, port = item.rpartition(":")
        hosts.append((host, int(port)))
    return hosts


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50_us": 0.0, "p99_us": 0.0, "p999_us": 0.0}
    samples.sort()
    n = len(samples)
    return {
        "p50_us": samples[n // 2] * 1e6,
        "p99_us": samples[min(n - 1, n * 99 // 100)] * 1e6,
        "p999_us": samples[min(n - 1, n * 999 // 1000)] * 1e6,
    }


def _check_client(args: argparse.Namespace, module: Any) -> None:
    """Refuse to measure the wrong package: the official client is a C extension (a .so), ours this repository's
    pure-Python package (a PYTHONPATH that reaches the official interpreter would otherwise make both rows ours)."""
    path = getattr(module, "__file__", "") or ""
    official = path.endswith(".so")
    if (args.client == "official") != official:
        raise SystemExit(f"--client {args.client} imported the wrong aerospike: {path}")


def _startup(args: argparse.Namespace) -> None:
    """In this fresh interpreter: `import aerospike`, then connect + the first command, then the RSS (and its
    growth over the RSS before the import: the two clients' interpreters start from different site-packages)."""
    base_rss = _rss_kib()
    start = time.perf_counter()
    import aerospike

    imported = time.perf_counter()
    _check_client(args, aerospike)
    client = aerospike.client({"hosts": _hosts(args.hosts)}).connect()
    try:
        client.get((args.namespace, SET_NAME, "k0"))
    except aerospike.exception.RecordNotFound:
        pass
    connected = time.perf_counter()
    rss = _rss_kib()
    client.close()
    print(json.dumps({"client": args.client, "workload": "startup", "import_ms": (imported - start) * 1e3,
                      "connect_ms": (connected - imported) * 1e3, "rss_kib": rss,
                      "rss_growth_kib": rss - base_rss}))


def _client_loop(args: argparse.Namespace, worker: int, out: Any) -> None:
    import aerospike

    _check_client(args, aerospike)
    config: dict[str, Any] = {"hosts": _hosts(args.hosts), "policies": {"read": {"total_timeout": 5000}}}
    if args.shm_key:
        config["shm"] = {"shm_key": int(args.shm_key, 0)}
    client = aerospike.client(config).connect()
    namespace = args.namespace
    if args.workload in ("load", "scan"):
        _scan_workloads(args, worker, client, out)
        return
    batch_size = BATCH_SIZES.get(args.workload, 1)
    keys = [(namespace, SET_NAME, f"k{i}") for i in range(max(KEY_SPACE, batch_size))]
    if worker == 0 and args.workload != "put":
        for key in keys[: max(args.keys, batch_size)]:
            client.put(key, {"v": 1, "s": "value-" + key[2]})
    time.sleep(0.2)
    results: list[dict[str, Any]] = []
    cpu_start = time.process_time()
    if args.threads == 1:
        _timed_loop(args, client, worker, keys, batch_size, results)
    else:
        threads = [
            threading.Thread(target=_timed_loop, args=(args, client, worker * args.threads + n, keys, batch_size, results))
            for n in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    cpu = time.process_time() - cpu_start  # the whole process: every thread's work
    client.close()
    out.put({
        "ops": sum(r["ops"] for r in results), "errors": sum(r["errors"] for r in results),
        "elapsed": max(r["elapsed"] for r in results), "cpu": cpu,
        "latencies": [sample for r in results for sample in r["latencies"]],
        "records": sum(r["records"] for r in results),
    })


def _timed_loop(
    args: argparse.Namespace, client: Any, worker: int, keys: list, batch_size: int, results: list
) -> None:
    """One thread's share: the workload for `--duration` seconds on the shared client."""
    import aerospike

    batch_keys = keys[:batch_size]
    batch_read = getattr(client, "get_many", None) or getattr(client, "batch_read")  # noqa: B009
    incr_ops = [{"op": aerospike.OPERATOR_INCR, "bin": "v", "val": 1}, {"op": aerospike.OPERATOR_READ, "bin": "v"}]
    latencies: list[float] = []
    errors = 0
    count = 0
    n_keys = args.keys
    workload = args.workload
    record = {"v": 1, "s": "payload-xxxxxxxxxxxxxxxxxxxxxxxxxx"}
    start = time.perf_counter()
    deadline = start + args.duration
    now = start
    while now < deadline:
        key = keys[(count * 7919 + worker) % n_keys]
        try:
            if workload == "get":
                client.get(key)
            elif batch_size > 1:
                batch_read(batch_keys)
            elif workload == "put":
                client.put(key, record)
            else:
                client.operate(key, incr_ops)
        except Exception:
            errors += 1
        count += 1
        after = time.perf_counter()
        if count & 7 == 0:
            latencies.append(after - now)
        now = after
    results.append({"ops": count, "errors": errors, "elapsed": time.perf_counter() - start,
                    "latencies": latencies, "records": count * batch_size})


def _rss_kib() -> int:
    """The current resident set size in KiB (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _scan_workloads(args: argparse.Namespace, worker: int, client: Any, out: Any) -> None:
    """`load`: this worker's share of the scan set. `scan`: one timed foreach, then one under tracemalloc."""
    if args.workload == "load":
        start, cpu_start = time.perf_counter(), time.process_time()
        mine = range(worker, args.records, args.processes)
        for i in mine:
            client.put((args.namespace, SCAN_SET, i), {"n": i, "s": f"value-{i:08d}", "b": bytearray(64)})
        out.put({"ops": len(mine), "errors": 0, "elapsed": time.perf_counter() - start,
                 "cpu": time.process_time() - cpu_start, "latencies": [], "records": len(mine)})
        client.close()
        return
    import tracemalloc

    def scan(callback: Any) -> None:
        if args.client == "ours":
            client.scan(args.namespace, SCAN_SET).foreach(callback, policy={"total_timeout": 0})
        else:
            client.query(args.namespace, SCAN_SET).foreach(callback, policy={"total_timeout": 0})

    count = 0

    def consume(record: Any) -> None:
        nonlocal count
        count += 1

    rss_before = _rss_kib()
    peak_rss = rss_before
    cpu_start = time.process_time()
    start = time.perf_counter()

    def consume_and_watch(record: Any) -> None:
        nonlocal count, peak_rss
        count += 1
        if count & 1023 == 0:
            peak_rss = max(peak_rss, _rss_kib())

    scan(consume_and_watch)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    records = count
    tracemalloc_peak = 0
    if args.tracemalloc:
        count = 0
        tracemalloc.start()
        scan(consume)
        tracemalloc_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    client.close()
    out.put({"ops": records, "errors": 0 if records == args.records else 1, "elapsed": elapsed, "cpu": cpu,
             "latencies": [], "records": records, "rss_growth_kib": peak_rss - rss_before,
             "tracemalloc_peak_kib": tracemalloc_peak // 1024})


def _ripemd160(data: bytes) -> bytes:
    try:
        from Crypto.Hash import RIPEMD160

        return RIPEMD160.new(data).digest()
    except ImportError:
        import hashlib

        return hashlib.new("ripemd160", data).digest()


def _raw_get_request(namespace: str, user_key: str) -> bytes:
    digest = _ripemd160(SET_NAME.encode() + b"\x03" + user_key.encode())
    fields = b""
    for field_type, data in ((0, namespace.encode()), (1, SET_NAME.encode()), (4, digest)):
        fields += struct.pack(">IB", len(data) + 1, field_type) + data
    body = struct.pack(">BBBBBBIIIHH", 22, 3, 0, 0, 0, 0, 0, 0, 1000, 3, 0) + fields
    return struct.pack(">Q", (2 << 56) | (3 << 48) | len(body)) + body


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(size)
        if not chunk:
            raise ConnectionError("closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _raw_loop(args: argparse.Namespace, worker: int, out: Any) -> None:
    """Pre-encoded gets on one socket to the first host (a single-node cluster makes this exact)."""
    host, port = _hosts(args.hosts)[0]
    requests = [_raw_get_request(args.namespace, f"k{i}") for i in range(args.keys)]
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    latencies: list[float] = []
    count = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    deadline = start + args.duration
    now = start
    n_keys = args.keys
    while now < deadline:
        sock.sendall(requests[(count * 7919 + worker) % n_keys])
        (word,) = struct.unpack(">Q", _recv_exact(sock, 8))
        _recv_exact(sock, word & 0xFFFFFFFFFFFF)
        count += 1
        after = time.perf_counter()
        if count & 7 == 0:
            latencies.append(after - now)
        now = after
    elapsed = time.perf_counter() - start
    out.put({"ops": count, "errors": 0, "elapsed": elapsed, "cpu": time.process_time() - cpu_start,
             "latencies": latencies, "records": count})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", default="127.0.0.1:3000")
    parser.add_argument("--client", choices=("ours", "official", "raw"), default="ours")
    parser.add_argument("--workload", choices=WORKLOADS, default="get")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="threads sharing one client in each process")
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--namespace", default="test")
    parser.add_argument("--shm-key", default="")
    parser.add_argument("--records", type=int, default=200_000, help="records in the scan set (load, scan)")
    parser.add_argument("--tracemalloc", action="store_true", help="scan: a second pass under tracemalloc")
    args = parser.parse_args()
    if "aerospike" in sys.modules:
        raise SystemExit("unexpected: aerospike imported before the run")
    if args.workload == "startup":
        _startup(args)
        return
    loop = _raw_loop if args.client == "raw" else _client_loop
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    if args.processes == 1:
        loop(args, 0, queue)
        results = [queue.get()]
    else:
        workers = [context.Process(target=loop, args=(args, i, queue)) for i in range(args.processes)]
        for process in workers:
            process.start()
        results = [queue.get(timeout=args.duration + 120) for _ in workers]
        for process in workers:
            process.join()
    ops = sum(r["ops"] for r in results)
    records = sum(r["records"] for r in results)
    latencies = [sample for r in results for sample in r["latencies"]]
    summary = {
        "client": args.client,
        "workload": args.workload,
        "processes": args.processes,
        "threads": args.threads,
        "ops": ops,
        "errors": sum(r["errors"] for r in results),
        "ops_per_sec": sum(r["ops"] / r["elapsed"] for r in results),
        "cpu_us_per_op": 1e6 * sum(r["cpu"] for r in results) / max(ops, 1),
        "records_per_sec": sum(r["records"] / r["elapsed"] for r in results),
        "cpu_us_per_record": 1e6 * sum(r["cpu"] for r in results) / max(records, 1),
        "pid": os.getpid(),
    }
    for extra in ("rss_growth_kib", "tracemalloc_peak_kib"):
        if extra in results[0]:
            summary[extra] = max(r[extra] for r in results)
    summary.update(_percentiles(latencies))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
