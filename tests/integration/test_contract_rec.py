"""Single-record methods against a node: values as 3.0.0 wrote and read them, and the server's answers to the edge
cases (checked against a CE 8.1.2.0 server; the local cluster answers the same)."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

import aerospike
from aerospike import exception

SET = "rec_contract"


@pytest.fixture
def client(backend: Any) -> Iterator[Any]:
    made = aerospike.client({"hosts": list(backend.hosts)}).connect()
    yield made
    made.close()


def test_values_round_trip_as_in_3_0_0(client: Any) -> None:
    key = ("test", SET, "values")
    bins = {"t": True, "f": False, "n": None, "b": b"by", "ba": bytearray(b"ba"), "tu": (1, 2), "fl": 1.5}
    client.put(key, bins)
    got = client.get(key)[2]
    assert got == bins
    assert got["t"] is True and type(got["b"]) is bytes and type(got["ba"]) is bytearray
    client.put(key, {"n": aerospike.null()})
    assert "n" not in client.get(key)[2]


def test_deserializer_gets_a_str_and_a_failing_one_gives_the_bytes(backend: Any) -> None:
    key = ("test", SET, "ser")
    config = {"hosts": list(backend.hosts), "serialization": (json.dumps, json.loads)}
    with_json = aerospike.client(config).connect()
    failing = aerospike.client({"hosts": list(backend.hosts), "serialization": (None, lambda data: 1 / 0)}).connect()
    try:
        with_json.put(key, {"d": (1, 2)})  # the instance serializer replaces pickling
        assert with_json.get(key)[2] == {"d": [1, 2]}
        assert failing.get(key)[2] == {"d": bytearray(b"[1, 2]")}
    finally:
        with_json.close()
        failing.close()


@pytest.mark.parametrize(
    ("label", "call", "cls"),
    [
        ("select of no bins", lambda c, k: c.select(k, []), exception.InvalidRequest),
        ("nil increment", lambda c, k: c.increment(k, "i", aerospike.null()), exception.InvalidRequest),
        ("nil append", lambda c, k: c.append(k, "s", aerospike.null()), exception.InvalidRequest),
        ("append to an int", lambda c, k: c.append(k, "i", "x"), exception.BinIncompatibleType),
        ("increment a str", lambda c, k: c.increment(k, "s", 1), exception.BinIncompatibleType),
        ("ttl -3", lambda c, k: c.put(k, {"i": 1}, {"ttl": -3}), exception.InvalidRequest),
        ("put of no bins", lambda c, k: c.put(k, {}), exception.InvalidRequest),
        ("generation", lambda c, k: c.put(k, {"i": 1}, {"gen": 9}, {"gen": aerospike.POLICY_GEN_EQ}),
         exception.RecordGenerationError),
    ],
)
def test_server_answers(client: Any, label: str, call: Any, cls: type) -> None:
    key = ("test", SET, label)
    client.put(key, {"i": 1, "s": "x"})
    with pytest.raises(cls):
        call(client, key)


def test_a_missing_bin_takes_any_operand(backend: Any) -> None:
    loose = aerospike.client({"hosts": list(backend.hosts), "strict_types": False}).connect()
    key = ("test", SET, "loose")
    try:
        loose.put(key, {"i": 1})
        loose.increment(key, "s", "text")
        loose.append(key, "n", 5)
        assert loose.get(key)[2] == {"i": 1, "s": "text", "n": 5}
    finally:
        loose.close()


def test_record_errors_carry_key_and_bin(client: Any) -> None:
    key = ("test", SET, "missing")
    with pytest.raises(exception.RecordNotFound) as raised:
        client.touch(key, 10)
    assert raised.value.key == key
    client.put(key, {"s": "x"})
    with pytest.raises(exception.BinIncompatibleType) as clash:
        client.increment(key, "s", 1)
    assert (clash.value.key, clash.value.bin) == (key, "s")


def test_namespace_outside_the_partition_map_is_a_client_error(client: Any) -> None:
    with pytest.raises(exception.ClientError) as raised:
        client.get(("nosuchns", SET, 1))
    assert (type(raised.value), raised.value.code, raised.value.msg) == (
        exception.ClientError, -1, "Invalid namespace: nosuchns"
    )


def test_remove_reads_meta_only_with_a_policy(client: Any) -> None:
    key = ("test", SET, "remove")
    client.put(key, {"a": 1})
    assert client.remove(key, {"gen": 5}) == 0  # meta unread without a policy: no generation check
    client.put(key, {"a": 1})
    with pytest.raises(exception.RecordGenerationError):
        client.remove(key, {"gen": 5}, {"gen": aerospike.POLICY_GEN_EQ})
