"""The current API's batch methods on the local cluster and on a real server give what 19.3.0 gets from CE 8.1.2.0.

Every call of tests/support/batch_scenario.py (batch_read with all, named and no bins, filters, unknown
namespaces; batch_operate with write policies, errors, respond_all_keys off; batch_write mixing Read, Write,
Apply and Remove with their own policies; batch_apply with UDF errors; batch_remove with filters) runs through
this package and must return, call for call, what the official client returned against the real server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import aerospike
from aerospike_helpers import expressions as exp
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import operations as op
from tests.support.batch_scenario import CALLS, MODULE, MODULE_NAME, golden, run_calls


def _client(backend: Any, user_path: Path) -> Any:
    return aerospike.client({"hosts": list(backend.hosts), "lua": {"user_path": str(user_path)}}).connect()


@pytest.mark.backends("local", "local3", "real")
def test_batch_calls_return_what_19_3_0_gets_from_the_server(backend: Any, tmp_path: Path) -> None:
    module = tmp_path / "src" / MODULE_NAME
    module.parent.mkdir()
    module.write_text(MODULE)
    (tmp_path / "user").mkdir()
    client = _client(backend, tmp_path / "user")
    try:
        outcomes = run_calls(client, {"aerospike": aerospike, "op": op, "br": br, "exp": exp}, str(module))
    finally:
        client.close()
    expected = golden()
    mismatches = [(source, got, want) for source, got, want in zip(CALLS, outcomes, expected) if got != want]
    assert not mismatches, "\n\n".join(f"{s}\n  got:  {g}\n  want: {w}" for s, g, w in mismatches[:5])
    assert len(outcomes) == len(expected)


@pytest.mark.backends("local", "real")
def test_batch_write_fills_the_given_records(backend: Any) -> None:
    client = backend.client()
    try:
        keys = [("test", "bat_fill", f"k{i}") for i in range(3)]
        client.put(keys[0], {"a": 1})
        records = br.BatchRecords([br.Read(keys[0], [op.read("a")]), br.Write(keys[1], [op.write("b", 2)]),
                                   br.Remove(keys[2])])
        assert client.batch_write(records) is records
        assert records.result == 0
        read, write, remove = records.batch_records
        assert (read.key, read.result, read.record[2]) == (keys[0], 0, {"a": 1})
        assert (write.key, write.result, write.record[2]) == (keys[1], 0, {"b": None})
        assert (remove.key, remove.result, remove.record) == (keys[2], 2, None)
        assert client.get(keys[1])[2] == {"b": 2}
    finally:
        client.close()


@pytest.mark.backends("local", "real")
def test_old_batch_methods_are_unchanged(backend: Any) -> None:
    client = backend.client()
    try:
        keys = [("test", "bat_old", "a"), ("test", "bat_old", "missing")]
        client.put(keys[0], {"x": 1})
        many = client.get_many(keys)
        assert [(entry[0][:3], entry[2]) for entry in many] == [(keys[0], {"x": 1}), (keys[1], None)]
        assert [entry[1] is None for entry in client.exists_many(keys)] == [False, True]
        assert client.select_many(keys, ["x"])[0][2] == {"x": 1}
    finally:
        client.close()
