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


def _counting_send_ahead(monkeypatch: pytest.MonkeyPatch) -> list:
    from aerospike import command

    sent: list = []
    real = command.send_ahead

    def counting(policy: Any, node: Any, request: bytes) -> Any:
        sent.append(node.name)
        return real(policy, node, request)

    monkeypatch.setattr(command, "send_ahead", counting)
    return sent


@pytest.mark.backends("local", "local3", "real")
def test_a_large_batch_goes_out_in_chunks_before_its_first_reply_is_read(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node's keys go in chunks (batch.SEND_AHEAD_KEYS at least), every request of the round is sent before the
    first reply is read, and the results are what one request per node gives: in input order, each key once."""
    from aerospike.batch import SEND_AHEAD_KEYS

    client = _client(backend)
    try:
        for i in range(600):
            client.put(("test", "chunks", i), {"n": i, "s": f"v{i}"})
        keys = [("test", "chunks", i) for i in range(700)]  # the last 100 are missing
        sent = _counting_send_ahead(monkeypatch)
        records = client.get_many(keys)
        assert [key[2] for key, _, _ in records] == list(range(700))
        assert [bins for _, _, bins in records[:600]] == [{"n": i, "s": f"v{i}"} for i in range(600)]
        assert all(meta is None and bins is None for _, meta, bins in records[600:])
        assert len(sent) >= 2 and len(sent) <= -(-700 // SEND_AHEAD_KEYS)
        assert [meta is not None for _, meta in client.exists_many(keys)] == [True] * 600 + [False] * 100
        assert client.select_many(keys, ["s"])[599][2] == {"s": "v599"}
        for node in client._cluster.nodes():  # every connection of the round is back in its pool
            assert node.pool.total == node.pool.idle
    finally:
        client.close()
    # With fewer connections than chunks, the chunks that find none go out when their turn comes.
    narrow = aerospike.client({"hosts": [backend.hosts[0]], "max_conns_per_node": 2}).connect()
    try:
        records = narrow.get_many(keys, {"max_retries": 0})
        assert [bins for _, _, bins in records[:600]] == [{"n": i, "s": f"v{i}"} for i in range(600)]
        assert all(node.pool.total <= 2 for node in narrow._cluster.nodes())
    finally:
        narrow.close()


def test_a_refused_chunk_leaves_no_connection_out_of_its_pool(cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first reply of a round of chunks is an error: the call raises it, and the connections of the requests
    whose replies were never read are closed, not left checked out."""
    client = _client(cluster)
    try:
        for i in range(300):
            client.put(("test", "chunks", i), {"n": i})
        sent = _counting_send_ahead(monkeypatch)
        cluster.fail(0, 4)  # every message command answered with code 4 (AEROSPIKE_ERR_REQUEST_INVALID)
        with pytest.raises(exception.InvalidRequest):
            client.get_many([("test", "chunks", i) for i in range(300)])
        assert len(sent) >= 2
        (node,) = client._cluster.nodes()
        assert node.pool.total == node.pool.idle
        cluster.reset_faults()
        assert client.get_many([("test", "chunks", i) for i in range(300)])[299][2] == {"n": 299}
    finally:
        cluster.reset_faults()
        client.close()
