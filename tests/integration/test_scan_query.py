"""Scans and queries against the local cluster: results, foreach (with early stop), select, predicates."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike
from aerospike import predicates as p


def _client(cluster: Any) -> Any:
    return aerospike.client({"hosts": [cluster.hosts[0]]}).connect()


@pytest.mark.backends("local3", "real")
def test_scan_results_and_foreach(backend: Any) -> None:
    client = _client(backend)
    try:
        for i in range(40):
            client.put(("test", "sc", i), {"a": i, "b": "x"}, policy={"key": aerospike.POLICY_KEY_SEND})
        records = client.scan("test", "sc").results()
        assert sorted(bins["a"] for _, _, bins in records) == list(range(40))
        assert {key[2] for key, _, _ in records} == set(range(40))
        scan = client.scan("test", "sc")
        scan.select("b")
        assert all(bins == {"b": "x"} for _, _, bins in scan.results())
        seen: list = []

        def take_ten(record: Any) -> Any:
            seen.append(record)
            return False if len(seen) >= 10 else None

        client.scan("test", "sc").foreach(take_ten, options={"concurrent": True, "priority": aerospike.SCAN_PRIORITY_LOW})
        assert len(seen) == 10
        nobins: list = []
        client.scan("test", "sc").foreach(nobins.append, options={"nobins": True})
        assert len(nobins) == 40 and all(bins == {} for _, _, bins in nobins)  # 3.0.0: an empty dict
        # the client still works after an early stop
        assert len(client.scan("test", "sc").results()) == 40
    finally:
        client.close()


def test_query_with_index(backend: Any) -> None:
    client = _client(backend)
    try:
        for i in range(20):
            client.put(("test", "qy", f"r{i}"), {"n": i, "s": "even" if i % 2 == 0 else "odd", "l": [i, i + 1]})
        client.index_integer_create("test", "qy", "n", "qy_n")
        client.index_string_create("test", "qy", "s", "qy_s")
        client.index_list_create("test", "qy", "l", aerospike.INDEX_NUMERIC, "qy_l")
        query = client.query("test", "qy")
        query.select("n")
        query.where(p.between("n", 3, 7))
        assert sorted(bins["n"] for _, _, bins in query.results()) == [3, 4, 5, 6, 7]
        query = client.query("test", "qy")
        query.where(p.equals("s", "odd"))
        assert len(query.results()) == 10
        query = client.query("test", "qy")
        query.where(p.contains("l", aerospike.INDEX_TYPE_LIST, 5))
        assert sorted(bins["n"] for _, _, bins in query.results()) == [4, 5]
        client.index_remove("test", "qy_n")
        client.index_remove("test", "qy_s")
        client.index_remove("test", "qy_l")
    finally:
        client.close()
