"""The multiprocess batch job (examples/multiprocess/scan_job.py) on a 3-node LocalCluster: a pool of spawned
worker processes, each with shared-memory tending, scans the partition range it was given; every record of the
set is seen exactly once, by the worker whose range holds its partition.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import aerospike

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "multiprocess"
sys.path.insert(0, str(EXAMPLE))

import scan_job  # noqa: E402

pytestmark = pytest.mark.multiprocess

RECORDS = 1000
SET = "qry_mp_job"


def test_partition_ranges_cover_every_partition_once() -> None:
    for workers in (1, 3, 4, 7, 4096):
        ranges = scan_job.partition_ranges(workers)
        covered = [pid for begin, count in ranges for pid in range(begin, begin + count)]
        assert covered == list(range(4096))
    with pytest.raises(ValueError):
        scan_job.partition_ranges(0)


@pytest.mark.parametrize("workers", [4])
def test_every_record_is_seen_exactly_once(local_cluster, shm_key, workers: int) -> None:
    cluster = local_cluster(nodes=3, replication_factor=2)
    hosts = list(cluster.hosts)
    scan_job.populate(hosts, "test", SET, RECORDS, "n")
    client = aerospike.client({"hosts": hosts}).connect()
    try:
        client.put(("test", SET + "_other", "x"), {"n": 1})  # another set of the namespace is not scanned
    finally:
        client.close()

    summary = scan_job.run_job(hosts, "test", SET, workers, shm_key, "n")

    expected = {bytes(aerospike.calc_digest("test", SET, f"rec{i}")).hex() for i in range(RECORDS)}
    assert summary["records"] == RECORDS
    assert summary["unique"] == RECORDS
    assert set(summary["digests"]) == expected
    assert summary["sum"] == sum(range(RECORDS))
    assert summary["all_done"] is True
    reports = summary["workers"]
    assert len({report["pid"] for report in reports}) == workers and os.getpid() not in {r["pid"] for r in reports}
    assert all(report["shm"] for report in reports)  # each worker attached to the shared segment
    for report in reports:
        assert all(report["begin"] <= pid < report["begin"] + report["count"] for pid in report["partitions"])
        assert report["records"] > 0


def test_main_exit_status_and_digest_file(local_cluster, tmp_path: Path) -> None:
    cluster = local_cluster(nodes=1, replication_factor=1)
    host, port = cluster.hosts[0]
    digests = tmp_path / "digests.txt"
    status = scan_job.main(
        ["--hosts", f"{host}:{port}", "--set", SET, "--workers", "2", "--populate", "50", "--digests", str(digests)]
    )
    assert status == 0
    assert len(set(digests.read_text().split())) == 50
