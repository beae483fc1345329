"""get_many / exists_many / select_many against the local cluster."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike
from aerospike import exception


def _client(cluster: Any) -> Any:
    return aerospike.client({"hosts": [cluster.hosts[0]]}).connect()


@pytest.mark.backends("local3", "real")
def test_batch_reads_in_input_order(backend: Any) -> None:
    client = _client(backend)
    try:
        for i in range(20):
            client.put(("test", "b", f"k{i}"), {"a": i, "b": str(i)})
        keys = [("test", "b", f"k{i}") for i in range(25)]
        records = client.get_many(keys)
        assert [record[2] for record in records[:20]] == [{"a": i, "b": str(i)} for i in range(20)]
        assert all(record[1] is None and record[2] is None for record in records[20:])
        assert records[3][0][:3] == ("test", "b", "k3")
        exists = client.exists_many(keys, {"concurrent": True})
        assert [meta is not None for _, meta in exists] == [True] * 20 + [False] * 5
        selected = client.select_many(keys, ["b"])
        assert selected[7][2] == {"b": "7"} and selected[24][2] is None
        assert client.get_many(keys[:1])[0][2] == {"a": 0, "b": "0"}
        assert client.get_many([]) == []
    finally:
        client.close()


def test_batch_argument_errors(backend: Any) -> None:
    client = _client(backend)
    try:
        for bad in ("k", [("test", "b")], [("test", "b", 1.5)]):
            try:
                client.get_many(bad)
            except exception.ParamError:
                continue
            raise AssertionError(f"no ParamError for {bad!r}")
    finally:
        client.close()
