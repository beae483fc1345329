"""Scans and queries of the current API (19.x) on each backend (the local cluster and a real server), and the same
calls through the official client 19.3.0, whose answers must be the same.

Covers pagination (``paginate`` + ``max_records``, ``is_done``), partition filters (ranges, resuming from
``get_partitions_status``), background operate queries (``add_ops`` + ``execute_background``), filter expressions,
scan policy ``max_records`` and ``info_single_node`` / ``info_random_node``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

import aerospike
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import operations as op
from tests.support.official import run_official

N = 40


def _fill(client: Any, set_name: str, count: int = N) -> set[bytes]:
    digests = set()
    for index in range(count):
        client.put(("test", set_name, f"r{index}"), {"a": index, "b": f"v{index}"})
        digests.add(bytes(aerospike.calc_digest("test", set_name, f"r{index}")))
    return digests


def _pid(digest: bytes) -> int:
    return (digest[0] | digest[1] << 8) & 0xFFF


def test_paginated_query_reads_every_record_once(backend: Any) -> None:
    client = backend.client()
    digests = _fill(client, "qry_page")
    query = client.query("test", "qry_page")
    query.max_records = 12
    query.paginate()
    seen: list[bytes] = []
    pages = []
    for _ in range(10):
        records = query.results()
        pages.append(len(records))
        seen.extend(bytes(key[3]) for key, _, _ in records)
        if query.is_done():
            break
    assert query.is_done() is True
    assert sorted(seen) == sorted(digests)
    assert all(size <= 12 for size in pages) and pages[0] == 12
    status = query.get_partitions_status()
    assert status["done"] is True and len([k for k in status if isinstance(k, int)]) == 4096
    client.close()


def test_partition_ranges_and_resume(backend: Any) -> None:
    client = backend.client()
    digests = _fill(client, "qry_ranges")
    seen: list[bytes] = []
    for begin in range(0, 4096, 1024):
        found: list = []
        query = client.query("test", "qry_ranges")
        query.foreach(
            lambda pid, record, found=found: found.append((pid, record)),
            {"partition_filter": {"begin": begin, "count": 1024}},
        )
        for pid, (key, _, _) in found:
            assert begin <= pid < begin + 1024 and pid == _pid(bytes(key[3]))
            seen.append(bytes(key[3]))
        assert query.is_done() is True
    assert sorted(seen) == sorted(digests)

    # Stop a paginated scan after 5 records, then resume it from its partition status.
    scan = client.scan("test", "qry_ranges")
    scan.paginate()
    first: list[bytes] = []

    def five(record: Any) -> Any:
        if len(first) == 5:
            return False
        first.append(bytes(record[0][3]))
        return True

    scan.foreach(five)
    status = scan.get_partitions_status()
    rest: list[bytes] = []
    client.scan("test", "qry_ranges").foreach(
        lambda pid, record: rest.append(bytes(record[0][3])), {"partition_filter": {"partition_status": status}}
    )
    assert sorted(first + rest) == sorted(digests)
    client.close()


def test_background_operate_query_and_expressions(backend: Any) -> None:
    client = backend.client()
    _fill(client, "qry_bg")
    query = client.query("test", "qry_bg")
    query.add_ops([op.write("bg", 7)])
    job_id = query.execute_background({"expressions": exp.GE(exp.IntBin("a"), 30).compile()})
    deadline = time.monotonic() + 10
    while client.job_info(job_id, aerospike.JOB_QUERY)["status"] != aerospike.JOB_STATUS_COMPLETED:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    records = client.query("test", "qry_bg").results()
    assert sorted(bins["a"] for _, _, bins in records if bins.get("bg") == 7) == list(range(30, N))
    filtered = client.query("test", "qry_bg").results({"expressions": exp.LT(exp.IntBin("a"), 3).compile()})
    assert sorted(bins["a"] for _, _, bins in filtered) == [0, 1, 2]
    assert len(client.scan("test", "qry_bg").results({"max_records": 10})) <= 10
    client.close()


def test_info_single_and_random_node(backend: Any) -> None:
    client = backend.client()
    name = client.info_random_node("node").split("\t", 1)[1].strip()
    assert client.info_single_node("namespaces", name).startswith("namespaces\t")
    with pytest.raises(aerospike.exception.ParamError) as raised:
        client.info_single_node("build", "NO_SUCH_NODE")
    assert raised.value.msg == "Could not get node with name NO_SUCH_NODE."
    with pytest.raises(aerospike.exception.InvalidRequest) as bad:
        client.info_random_node("no-such-command")
    assert str(bad.value.msg).startswith("unrecognized command from ")
    client.close()


# ------------------------------------------------------------------------------------------------ differential

CALLS = """
import aerospike
client = aerospike.client({"hosts": [tuple(h) for h in hosts]}).connect()

def digests(records):
    return sorted(bytes(key[3]).hex() for key, _, _ in records)

out = {}
q = client.query("test", set_name)
q.max_records = 7
q.paginate()
pages = []
for _ in range(20):
    r = q.results()
    pages.append((len(r), q.is_done()))
    if q.is_done():
        break
out["pages_done"] = pages[-1][1]
out["page_total"] = sum(size for size, _ in pages)
st = q.get_partitions_status()
out["status"] = [st["done"], st["retry"], len([k for k in st if isinstance(k, int)])]
try:
    q.results()
    out["after_done"] = None
except Exception as error:
    out["after_done"] = [type(error).__name__, error.code, error.msg]
ranges = {}
for begin in (0, 1000, 4000):
    q = client.query("test", set_name)
    r = q.results({"partition_filter": {"begin": begin, "count": 96}})
    st = q.get_partitions_status()
    ranges[str(begin)] = [digests(r), q.is_done(), sorted(k for k in st if isinstance(k, int))[:3]]
out["ranges"] = ranges
args = []
q = client.query("test", set_name)
q.foreach(lambda *a: args.append(len(a)), {"partition_filter": {"begin": 0, "count": 4096}})
out["foreach_args"] = sorted(set(args))
errors = []
for pf in (5, {"begin": 5000}, {"count": 0}, {"begin": 4000, "count": 100}, {"partition_status": {}}):
    try:
        client.query("test", set_name).results({"partition_filter": pf})
        errors.append(None)
    except Exception as error:
        errors.append([type(error).__name__, error.code, error.msg])
out["errors"] = errors
s = client.scan("test", set_name)
s.paginate()
r = s.results({"max_records": 5})
out["scan_page"] = [len(r), s.is_done()]
out["paginate"] = client.query("test", set_name).paginate()
out["fresh"] = [client.query("test", set_name).is_done(), client.query("test", set_name).get_partitions_status()]
client.close()
result = out
"""


def test_partition_queries_and_pagination_equal_the_official_client(backend: Any) -> None:
    client = backend.client()
    _fill(client, "qry_diff", 25)
    client.close()
    variables: dict[str, Any] = {"hosts": [list(host) for host in backend.hosts], "set_name": "qry_diff"}
    official = run_official(CALLS, **variables)
    namespace: dict[str, Any] = dict(variables)
    exec(CALLS, namespace)  # noqa: S102 (the same script through this package)
    ours = namespace["result"]
    assert ours == official
    assert ours["page_total"] == 25 and ours["foreach_args"] == [2] and ours["errors"][0][1] == -2
