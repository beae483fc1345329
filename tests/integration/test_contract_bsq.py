"""3.0.0's contract for batch reads, scans, queries and background jobs, on a node.

The expected answers are those of a real CE 8.1.2.0 server, checked by hand against one, and of 3.0.0's
C source for what the client itself decides. Each test uses its own set names.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import aerospike
from aerospike import exception
from aerospike import predicates as p

UDF_SOURCE = """
function set_bin(rec, name, value)
  rec[name] = value
  aerospike:update(rec)
end
"""


@pytest.fixture
def client(backend: Any, tmp_path: Path) -> Iterator[Any]:
    connected = aerospike.client({"hosts": backend.hosts, "lua": {"user_path": str(tmp_path)}}).connect()
    yield connected
    connected.close()


def _fill(client: Any, set_name: str, count: int = 6) -> list[tuple]:
    keys = [("test", set_name, i) for i in range(count)]
    for i, key in enumerate(keys):
        client.put(
            key,
            {"n": i, "s": f"v{i % 2}", "loc": aerospike.GeoJSON({"type": "Point", "coordinates": [i * 0.01, 0.0]})},
            policy={"key": aerospike.POLICY_KEY_SEND},
        )
    return keys


def _raises(call: Any, cls: type, code: Any, msg: Any) -> None:
    with pytest.raises(cls) as info:
        call()
    assert info.value.code == code
    if msg is not None:
        assert info.value.msg == msg


# ------------------------------------------------------------------------------------------------ batch


def test_batch_reads(client: Any) -> None:
    keys = _fill(client, "bsq_batch", 3)
    wanted = keys + [("test", "bsq_batch", "missing")]
    every = client.select_many(wanted, [])  # no names: every bin (3.0.0's read_all_bins)
    assert [set(bins) if bins else bins for _, _, bins in every] == [{"n", "s", "loc"}] * 3 + [None]
    assert every[3][1] is None and every[3][0][:3] == ("test", "bsq_batch", "missing")
    named = client.select_many(tuple(wanted), ("n", "nosuch"))
    assert [bins for _, _, bins in named] == [{"n": 0}, {"n": 1}, {"n": 2}, None]
    single = client.select_many([keys[1]], ["s"])
    assert single[0][2] == {"s": "v1"}
    assert [meta is None for _, meta in client.exists_many(tuple(wanted))] == [False, False, False, True]
    assert [bins["n"] if bins else None for _, _, bins in client.get_many(wanted)] == [0, 1, 2, None]
    assert client.get_many([]) == [] and client.exists_many(()) == []


def test_batch_errors(client: Any) -> None:
    _raises(lambda: client.get_many([("nosuchns", "s", 1), ("test", "s", 2)]), exception.ClientError, -1,
            "Invalid namespace: nosuchns")
    _raises(lambda: client.exists_many("keys"), exception.ParamError, -2, "Keys should be specified as a list or tuple.")
    _raises(lambda: client.get_many([["test", "s", 1]]), exception.ParamError, -2, "Key should be a tuple.")
    _raises(lambda: client.select_many([("test", "s", 1)], "n"), exception.ParamError, -2,
            "Filter bins should be specified as a list or tuple.")
    # The server refuses a bin name over 15 bytes in a batch read, as it did 3.0.0's.
    keys = _fill(client, "bsq_batch_err", 2)
    _raises(lambda: client.select_many(keys, ["x" * 16]), exception.BinNameError, 21, None)


# ------------------------------------------------------------------------------------------------ scan


def test_scan_contract(client: Any) -> None:
    _fill(client, "bsq_scan", 4)
    client.put(("test", "bsq_scan", "other"), {"z": 1})
    # A record with none of the selected bins is not returned (the server skips it).
    assert sorted(bins["n"] for _, _, bins in client.scan("test", "bsq_scan").select("n").results()) == [0, 1, 2, 3]
    assert client.scan("test", "bsq_scan").select("nosuch").results() == []
    # Only the first select() counts.
    scan = client.scan("test", "bsq_scan")
    scan.select("z")
    scan.select("n")
    assert [bins for _, _, bins in scan.results()] == [{"z": 1}]
    # nobins: bins is an empty dict; options stay set on the Scan for later calls.
    scan = client.scan("test", "bsq_scan")
    seen: list = []
    scan.foreach(seen.append, options={"nobins": True, "concurrent": True, "priority": 9, "percent": 100})
    assert len(seen) == 5 and all(bins == {} for _, _, bins in seen)
    assert all(bins == {} for _, _, bins in scan.results())

    def boom(record: Any) -> None:
        raise ValueError("user bug")

    _raises(lambda: client.scan("test", "bsq_scan").foreach(boom), exception.ClientError, -1,
            "Callback function raised an exception")
    stopped: list = []
    client.scan("test", "bsq_scan").foreach(lambda r: stopped.append(r) or False)
    assert len(stopped) == 1
    _raises(lambda: client.scan("test", "bsq_scan").foreach(print, options={"nobins": 1}), exception.ParamError, -2,
            "Invalid value(type) for nobins")
    _raises(lambda: client.scan("test", "bsq_scan").results(nodename="nosuchnode"), exception.ParamError, -2,
            "Invalid node name: nosuchnode")
    _raises(lambda: client.scan("test", "bsq_scan").results(nodename=5), exception.ParamError, -2,
            "nodename must be a string")
    node_name = client.info_all("node")  # {name: (None, value)}
    node_name = next(iter(node_name))
    assert len(client.scan("test", "bsq_scan").results(nodename=node_name)) == 5
    assert client.scan("test", "bsq_nosuchset").results() == []
    _raises(lambda: client.scan("nosuchns", "s").results(), exception.NamespaceNotFound, 20,
            "AEROSPIKE_ERR_NAMESPACE_NOT_FOUND")
    _raises(lambda: client.scan(), exception.ParamError, -2, "Parameters are incorrect")


# ------------------------------------------------------------------------------------------------ query


def test_query_contract(client: Any) -> None:
    _fill(client, "bsq_query")
    client.index_integer_create("test", "bsq_query", "n", "bsq_query_n")
    client.index_string_create("test", "bsq_query", "s", "bsq_query_s")
    client.index_geo2dsphere_create("test", "bsq_query", "loc", "bsq_query_loc")
    try:
        def numbers(query: Any) -> list:
            return sorted(bins["n"] for _, _, bins in query.results())

        assert numbers(client.query("test", "bsq_query").select("n").where(p.between("n", 2, 4))) == [2, 3, 4]
        assert numbers(client.query("test", "bsq_query").where(p.equals(bytearray(b"s\0x"), "v1"))) == [1, 3, 5]
        # Only the first where() counts; a second one is still checked.
        query = client.query("test", "bsq_query").where(p.equals("n", 1))
        query.where(p.equals("n", 2))
        assert numbers(query) == [1]
        _raises(lambda: query.where(p.equals("n", 1.5)), exception.ParamError, -2, "predicate is invalid.")
        # Points on the equator (and the one at 0, 0) are found.
        region = json.dumps({"type": "Polygon", "coordinates": [[[-0.001, -0.001], [0.025, -0.001], [0.025, 0.001],
                                                                  [-0.001, 0.001], [-0.001, -0.001]]]})
        assert numbers(client.query("test", "bsq_query").where(p.geo_within_geojson_region("loc", region))) == [0, 1, 2]
        assert numbers(client.query("test", "bsq_query").where(p.geo_within_radius("loc", 0.0, 0.0, 2300.0))) == [0, 1, 2]
        # What the server refuses.
        _raises(lambda: client.query("test", "bsq_query").where(p.between("n", 4, 2)).results(),
                exception.InvalidRequest, 4, "AEROSPIKE_ERR_REQUEST_INVALID")
        _raises(lambda: client.query("test", "bsq_query").where(p.geo_within_geojson_region("loc", '{"type": "Polygon"}')).results(),
                exception.InvalidRequest, 4, None)
        _raises(lambda: client.query("test", "bsq_query").where(p.equals("nosuch", 1)).results(),
                exception.IndexNotFound, 201, "AEROSPIKE_ERR_INDEX_NOT_FOUND")
        _raises(lambda: client.query("test", "bsq_query").where(p.equals("n", "v1")).results(),
                exception.IndexNotFound, 201, None)
        # nobins, options and callbacks.
        assert all(bins == {} for _, _, bins in client.query("test", "bsq_query").results(options={"nobins": True}))
        _raises(lambda: client.query("test", "bsq_query").results(options=[]), exception.ParamError, -2,
                "query options must be a dictionary")

        def boom(record: Any) -> None:
            raise KeyError("user bug")

        _raises(lambda: client.query("test", "bsq_query").foreach(boom), exception.ClientError, -1,
                "Callback function contains an error")
    finally:
        for name in ("bsq_query_n", "bsq_query_s", "bsq_query_loc"):
            client.index_remove("test", name)


# ------------------------------------------------------------------------------------------------ jobs


def test_background_jobs_wait_until_done(client: Any, tmp_path: Path) -> None:
    keys = _fill(client, "bsq_jobs", 20)
    module = tmp_path / "bsq_jobs_udf.lua"
    module.write_text(UDF_SOURCE)
    client.udf_put(str(module))
    client.index_integer_create("test", "bsq_jobs", "n", "bsq_jobs_n")
    try:
        time.sleep(0.2)
        job_id = client.scan_apply("test", "bsq_jobs", "bsq_jobs_udf", "set_bin", ["x", 7])
        # 3.0.0 returned once the job was done: every record is already written.
        assert all(bins["x"] == 7 for _, _, bins in client.get_many(keys))
        assert client.job_info(job_id, aerospike.JOB_SCAN)["status"] == aerospike.JOB_STATUS_COMPLETED
        assert client.scan_info(scanid=job_id)["status"] == aerospike.SCAN_STATUS_COMPLETED
        job_id = client.query_apply("test", "bsq_jobs", p.between("n", 0, 4), "bsq_jobs_udf", "set_bin", ["y", 1])
        assert sorted(bins["n"] for _, _, bins in client.get_many(keys) if bins.get("y") == 1) == [0, 1, 2, 3, 4]
        assert client.job_info(job_id, aerospike.JOB_QUERY)["status"] == aerospike.JOB_STATUS_COMPLETED
        _raises(lambda: client.query_apply("test", "bsq_jobs", p.geo_within_radius("loc", 0, 0, 10), "bsq_jobs_udf",
                                           "set_bin", []),
                exception.ParamError, -2, "predicate 'between' expects two integer values.")
        _raises(lambda: client.query_apply("test", "bsq_jobs", p.equals("n", 1), "bsq_jobs_udf", "set_bin", None),
                exception.ParamError, -2, "Arguments should be a list")
        with pytest.raises(TypeError):
            client.job_info(job_id, 5)
    finally:
        client.index_remove("test", "bsq_jobs_n")
        client.udf_remove("bsq_jobs_udf.lua")
