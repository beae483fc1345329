"""UDF registration, record UDFs, background jobs, aggregation (client-side Lua reduce), index errors."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import aerospike
from aerospike import exception
from aerospike import predicates as p

RECORD_UDF = """
function ret_bin(rec, name) return rec[name] end
function set_bin(rec, name, value) rec[name] = value aerospike:update(rec) return value end
function fail(rec) error("boom", 0) end
"""
STREAM_UDF = """
local function add(a, b) return a + b end
function sum_bin(stream, bin)
  local function get(rec) return rec[bin] end
  return stream : map(get) : reduce(add)
end
"""


def _client(cluster: Any, user_path: Path) -> Any:
    return aerospike.client({"hosts": [cluster.hosts[0]], "lua": {"user_path": str(user_path)}}).connect()


@pytest.mark.backends("local3", "real")
def test_udf_lifecycle_apply_and_jobs(backend: Any, tmp_path: Path) -> None:
    sources = tmp_path / "src"
    sources.mkdir()
    user_path = tmp_path / "user"
    user_path.mkdir()
    (sources / "rec_t.lua").write_text(RECORD_UDF)
    (sources / "agg_t.lua").write_text(STREAM_UDF)
    client = _client(backend, user_path)
    try:
        for i in range(10):
            client.put(("test", "u", f"r{i}"), {"n": i})
        assert client.udf_put(str(sources / "rec_t.lua")) == 0
        assert client.udf_put(str(sources / "agg_t.lua")) == 0
        assert (user_path / "agg_t.lua").read_text() == STREAM_UDF
        assert {module["name"] for module in client.udf_list()} >= {"rec_t.lua", "agg_t.lua"}
        assert client.udf_get("rec_t.lua") == RECORD_UDF
        assert client.apply(("test", "u", "r3"), "rec_t", "ret_bin", ["n"]) == 3
        with pytest.raises(exception.UDFError):
            client.apply(("test", "u", "r3"), "rec_t", "fail", [])
        query = client.query("test", "u")
        query.apply("agg_t", "sum_bin", ["n"])
        assert query.results() == [45]
        job = client.scan_apply("test", "u", "rec_t", "set_bin", ["bg", 1])
        for _ in range(100):
            if client.job_info(job, aerospike.JOB_SCAN)["status"] == aerospike.JOB_STATUS_COMPLETED:
                break
            time.sleep(0.05)
        assert client.get(("test", "u", "r5"))[2]["bg"] == 1
        assert client.scan_info(job)["status"] == aerospike.SCAN_STATUS_COMPLETED
        client.index_integer_create("test", "u", "n", "u_n_idx")
        job = client.query_apply("test", "u", p.between("n", 0, 4), "rec_t", "set_bin", ["q", 2])
        for _ in range(100):
            if client.job_info(job, aerospike.JOB_QUERY)["status"] == aerospike.JOB_STATUS_COMPLETED:
                break
            time.sleep(0.05)
        assert client.get(("test", "u", "r2"))[2]["q"] == 2
        assert "q" not in client.get(("test", "u", "r7"))[2]
        with pytest.raises(exception.IndexFoundError):
            client.index_string_create("test", "u", "other", "u_n_idx")
        assert client.index_remove("test", "u_n_idx") == 0
        assert client.udf_remove("rec_t.lua") == 0
        with pytest.raises(exception.UDFError):
            client.udf_get("rec_t.lua")
    finally:
        client.close()


def test_argument_errors(backend: Any, tmp_path: Path) -> None:
    client = _client(backend, tmp_path)
    try:
        with pytest.raises(exception.ParamError):
            client.job_info(1, "nosuch")
        with pytest.raises(TypeError):
            client.apply(("test", "u", "r1"), "m", "f", "notalist")
        with pytest.raises(exception.ParamError):
            client.index_list_create(1, "u", "l", aerospike.INDEX_STRING, "idx")
        with pytest.raises(exception.LuaFileNotFound):
            client.udf_put(str(tmp_path / "missing.lua"))
    finally:
        client.close()
