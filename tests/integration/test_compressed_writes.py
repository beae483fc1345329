"""compression_threshold end to end: large writes go out as compressed (type 4) frames.

An enterprise node inflates them; a community node refuses them with result 25, as the recorded CE server does
(transcripts, file 12), and keeps the connection.
"""

from __future__ import annotations

from typing import Any

import pytest

import aerospike
from aerospike import exception

BIG = {"text": "x" * 5000, "n": 7}


def test_large_writes_are_compressed_and_read_back(local_cluster: Any) -> None:
    cluster = local_cluster(nodes=2, edition="enterprise")
    client = aerospike.client({"hosts": cluster.hosts, "compression_threshold": 1000}).connect()
    try:
        for index in range(10):
            client.put(("test", "z", index), BIG)
        assert all(client.get(("test", "z", index))[2] == BIG for index in range(10))
        client.put(("test", "z", "small"), {"n": 1})  # under the threshold: a plain message
    finally:
        client.close()
    counts = cluster.request_counts()
    assert sum(node.messages.get("write", 0) for node in counts) == 11
    assert sum(node.messages.get("compressed", 0) for node in counts) == 0  # enterprise inflates, then counts


def test_community_refuses_compressed_writes_and_the_client_goes_on(local_cluster: Any) -> None:
    cluster = local_cluster(nodes=1)
    client = aerospike.client({"hosts": cluster.hosts, "compression_threshold": 1000}).connect()
    try:
        with pytest.raises(exception.AerospikeError) as raised:
            client.put(("test", "z", 1), BIG)
        assert raised.value.code == 25
        client.put(("test", "z", 2), {"n": 2})
        assert client.get(("test", "z", 2))[2] == {"n": 2}
    finally:
        client.close()
    assert cluster.request_counts()[0].messages.get("compressed") == 1
