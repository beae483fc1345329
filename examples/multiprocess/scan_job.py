"""A multiprocess batch job: scan a whole set with a pool of processes, each reading its own partition range.

Every worker process connects with shared-memory tending (config ``shm``): one of them tends the cluster and
publishes the partition map in a shared segment, the others route from it and send no tend traffic. Each worker
scans its slice of the 4096 partitions with the current API's ``partition_filter`` policy and folds the records
it sees into a small summary (count, digests, sum of a bin), which the parent combines. Partition ranges do not
overlap and cover every partition, so every record of the set is seen exactly once.

    python examples/multiprocess/scan_job.py --hosts 127.0.0.1:3000 --namespace test --set demo --workers 4

Options: ``--bin`` (an integer bin to sum), ``--shm-key`` (default: a key derived from the parent's pid, removed
at the end), ``--no-shm`` (every worker tends on its own), ``--populate N`` (write N records first),
``--digests FILE`` (write every digest seen, one hex line each, for checking).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from typing import Any, Optional

N_PARTITIONS = 4096


def partition_ranges(workers: int, total: int = N_PARTITIONS) -> list[tuple[int, int]]:
    """``[(begin, count), ...]``: `total` partitions split into `workers` contiguous, non-overlapping ranges."""
    if not 1 <= workers <= total:
        raise ValueError(f"workers must be between 1 and {total}")
    share, extra = divmod(total, workers)
    ranges = []
    begin = 0
    for index in range(workers):
        count = share + (1 if index < extra else 0)
        ranges.append((begin, count))
        begin += count
    return ranges


def client_config(hosts: list[tuple[str, int]], shm_key: Optional[int]) -> dict[str, Any]:
    config: dict[str, Any] = {"hosts": hosts}
    if shm_key is not None:
        config["shm"] = {"shm_key": shm_key}
    return config


def scan_range(job: dict[str, Any]) -> dict[str, Any]:
    """One worker's part of the job: the records of partitions [begin, begin + count) of the set."""
    import aerospike

    client = aerospike.client(client_config([tuple(host) for host in job["hosts"]], job["shm_key"])).connect()
    digests: list[str] = []
    partitions: set[int] = set()
    total = 0
    started = time.monotonic()

    def each(partition_id: int, record: tuple) -> None:
        nonlocal total
        key, _meta, bins = record
        digests.append(bytes(key[3]).hex())
        partitions.add(partition_id)
        value = bins.get(job["bin"]) if job["bin"] else None
        if isinstance(value, int):
            total += value

    try:
        scan = client.query(job["namespace"], job["set"])
        scan.foreach(each, {"partition_filter": {"begin": job["begin"], "count": job["count"]}})
        status = scan.get_partitions_status()
        done = bool(status.get("done"))
        role = client.shm_key() is not None
    finally:
        client.close()
    return {
        "pid": os.getpid(),
        "begin": job["begin"],
        "count": job["count"],
        "records": len(digests),
        "digests": digests,
        "partitions": sorted(partitions),
        "sum": total,
        "done": done,
        "shm": role,
        "seconds": time.monotonic() - started,
    }


def run_job(
    hosts: list[tuple[str, int]],
    namespace: str,
    set_name: Optional[str],
    workers: int,
    shm_key: Optional[int],
    bin_name: Optional[str] = None,
) -> dict[str, Any]:
    """Scan the set over `workers` processes; the combined summary and each worker's report."""
    jobs = [
        {"hosts": [list(host) for host in hosts], "namespace": namespace, "set": set_name, "begin": begin,
         "count": count, "shm_key": shm_key, "bin": bin_name}
        for begin, count in partition_ranges(workers)
    ]
    # "spawn": each worker is a fresh interpreter, the way independent job processes start (no inherited
    # client state); the shared-memory segment is what they share.
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes=workers) as pool:
        reports = pool.map(scan_range, jobs)
    digests = [digest for report in reports for digest in report["digests"]]
    return {
        "records": len(digests),
        "unique": len(set(digests)),
        "sum": sum(report["sum"] for report in reports),
        "all_done": all(report["done"] for report in reports),
        "workers": reports,
        "digests": digests,
    }


def populate(hosts: list[tuple[str, int]], namespace: str, set_name: str, count: int, bin_name: str) -> None:
    import aerospike

    client = aerospike.client({"hosts": hosts}).connect()
    try:
        for index in range(count):
            client.put((namespace, set_name, f"rec{index}"), {bin_name: index})
    finally:
        client.close()


def _host(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return (host or "127.0.0.1", int(port))


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", default="127.0.0.1:3000", help="comma-separated host:port seeds")
    parser.add_argument("--namespace", default="test")
    parser.add_argument("--set", dest="set_name", default="demo")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--bin", default="n", help="an integer bin to sum")
    parser.add_argument("--shm-key", type=lambda text: int(text, 0), default=None)
    parser.add_argument("--no-shm", action="store_true")
    parser.add_argument("--populate", type=int, default=0, metavar="N")
    parser.add_argument("--digests", default=None, metavar="FILE")
    args = parser.parse_args(argv)
    hosts = [_host(entry) for entry in args.hosts.split(",") if entry.strip()]
    shm_key = None if args.no_shm else (args.shm_key if args.shm_key is not None else 0x5C000000 | (os.getpid() & 0xFFFFFF))
    if args.populate:
        populate(hosts, args.namespace, args.set_name, args.populate, args.bin)
    started = time.monotonic()
    try:
        summary = run_job(hosts, args.namespace, args.set_name, args.workers, shm_key, args.bin)
    finally:
        if shm_key is not None and args.shm_key is None:
            from aerospike.shm.segment import remove

            remove(shm_key, force=True)
    elapsed = time.monotonic() - started
    for report in summary["workers"]:
        print(
            f"worker {report['pid']}: partitions {report['begin']}-{report['begin'] + report['count'] - 1}, "
            f"{report['records']} records, {report['seconds']:.2f} s"
        )
    print(
        f"{summary['records']} records ({summary['unique']} distinct) from {args.workers} workers in {elapsed:.2f} s; "
        f"sum of {args.bin!r}: {summary['sum']}"
    )
    if args.digests:
        with open(args.digests, "w", encoding="ascii") as out:
            out.writelines(digest + "\n" for digest in summary["digests"])
    return 0 if summary["records"] == summary["unique"] and summary["all_done"] else 1


if __name__ == "__main__":
    sys.exit(main())
