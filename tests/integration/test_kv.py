"""Every single-record method of the Client against local clusters (1 node and 3 nodes), with error paths."""

from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest

import aerospike
from aerospike import exception
from tests.fixtures.backend import Backend

NEVER = 4294967295


pytestmark = pytest.mark.backends("local", "local3", "real")


@pytest.fixture
def client(backend: Backend) -> Iterator[aerospike.Client]:
    connected = backend.client()
    yield connected
    connected.close()


def test_put_get_shapes(client: aerospike.Client) -> None:
    key = ("test", "kv", "shapes")
    bins: dict[str, Any] = {"i": 7, "f": 2.5, "s": "héllo", "b": bytearray(b"\x00\x01"), "l": [1, "a", [2]],
                            "m": {"x": 1, 2: "y"}, "t": (1, 2), "flag": True,
                            "g": aerospike.GeoJSON({"type": "Point", "coordinates": [1.5, 2.5]})}
    assert client.put(key, bins) == 0
    (ns, set_name, user_key, digest), meta, got = client.get(key)
    assert (ns, set_name, user_key) == ("test", "kv", None)
    assert digest == aerospike.calc_digest("test", "kv", "shapes") and isinstance(digest, bytearray)
    assert meta == {"ttl": NEVER, "gen": 1}
    expected = dict(bins, flag=1)
    assert got == expected
    assert isinstance(got["g"], aerospike.GeoJSON)


def test_digest_key_and_setless_key(client: aerospike.Client) -> None:
    client.put(("test", None, "noset"), {"a": 1})
    digest = client.exists(("test", None, "noset"))[0][3]  # get_key_digest refuses a None set (3.0.0)
    assert client.get(("test", None, None, digest))[2] == {"a": 1}


def test_select_exists_touch(client: aerospike.Client) -> None:
    key = ("test", "kv", "sel")
    client.put(key, {"a": 1, "b": 2})
    full_key, meta, bins = client.select(key, ["a", "nosuch"])
    assert full_key[:3] == key and bins == {"a": 1}
    assert client.exists(key)[1] == {"ttl": NEVER, "gen": 1}
    assert client.exists(("test", "kv", "missing")) == (
        ("test", "kv", "missing", aerospike.calc_digest("test", "kv", "missing")),
        None,
    )
    assert client.touch(key, 300) == 0
    meta = client.exists(key)[1]
    assert meta["gen"] == 2 and 290 <= meta["ttl"] <= 300
    with pytest.raises(exception.RecordNotFound):
        client.touch(("test", "kv", "missing"), 10)
    with pytest.raises(exception.RecordNotFound):
        client.select(("test", "kv", "missing"), ["a"])


def test_ttl_meta(client: aerospike.Client) -> None:
    key = ("test", "kv", "ttl")
    client.put(key, {"a": 1}, meta={"ttl": 100})
    assert 90 <= client.get(key)[1]["ttl"] <= 100
    client.put(key, {"a": 1}, meta={"ttl": aerospike.TTL_NEVER_EXPIRE})
    assert client.get(key)[1]["ttl"] == NEVER


def test_missing_record(client: aerospike.Client) -> None:
    with pytest.raises(exception.RecordNotFound) as raised:
        client.get(("test", "kv", "nope"))
    assert raised.value.code == 2
    with pytest.raises(exception.RecordNotFound):
        client.remove(("test", "kv", "nope"))


def test_exists_policies(client: aerospike.Client) -> None:
    key = ("test", "kv", "exists")
    client.put(key, {"a": 1}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    with pytest.raises(exception.RecordExistsError):
        client.put(key, {"a": 2}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    with pytest.raises(exception.RecordNotFound):
        client.put(("test", "kv", "nope"), {"a": 2}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE})
    client.put(key, {"b": 3}, policy={"exists": aerospike.POLICY_EXISTS_REPLACE})
    assert client.get(key)[2] == {"b": 3}


def test_generation_policies(client: aerospike.Client) -> None:
    key = ("test", "kv", "gen")
    client.put(key, {"a": 1})
    with pytest.raises(exception.RecordGenerationError):
        client.put(key, {"a": 2}, meta={"gen": 5}, policy={"gen": aerospike.POLICY_GEN_EQ})
    client.put(key, {"a": 2}, meta={"gen": 1}, policy={"gen": aerospike.POLICY_GEN_EQ})
    client.put(key, {"a": 3}, meta={"gen": 9}, policy={"gen": aerospike.POLICY_GEN_GT})
    assert client.get(key)[1]["gen"] == 3
    with pytest.raises(exception.RecordGenerationError):
        client.remove(key, meta={"gen": 1}, policy={"gen": aerospike.POLICY_GEN_EQ})
    assert client.remove(key, {"total_timeout": 500}) == 0
    assert client.exists(key)[1] is None


def test_bin_operations(client: aerospike.Client) -> None:
    key = ("test", "kv", "ops")
    client.put(key, {"s": "b", "n": 1, "x": 1})
    assert client.remove_bin(key, ["x"]) == 0
    assert client.append(key, "s", "c") == 0
    assert client.prepend(key, "s", "a") == 0
    assert client.increment(key, "n", 41) == 0
    assert client.increment(key, "f", 0.5) == 0
    assert client.get(key)[2] == {"s": "abc", "n": 42, "f": 0.5}
    with pytest.raises(exception.BinIncompatibleType):
        client.increment(key, "s", 1)
    with pytest.raises(exception.BinIncompatibleType):
        client.append(key, "n", "x")
    client.put(key, {"s": aerospike.null()})
    assert "s" not in client.get(key)[2]
    client.put(key, {"s": None})  # 3.0.0 pickles None: the bin stays and reads back as None
    assert client.get(key)[2]["s"] is None


def test_operate_and_operate_ordered(client: aerospike.Client) -> None:
    key = ("test", "kv", "operate")
    client.put(key, {"n": 1, "s": "mid"})
    ops = [
        {"op": aerospike.OPERATOR_WRITE, "bin": "w", "val": "new"},
        {"op": aerospike.OPERATOR_INCR, "bin": "n", "val": 5},
        {"op": aerospike.OPERATOR_APPEND, "bin": "s", "val": "-end"},
        {"op": aerospike.OPERATOR_PREPEND, "bin": "s", "val": "start-"},
        {"op": aerospike.OPERATOR_READ, "bin": "n"},
        {"op": aerospike.OPERATOR_READ, "bin": "s"},
    ]
    full_key, meta, bins = client.operate(key, ops, {"ttl": 500})
    assert full_key[2] == "operate" and bins == {"n": 6, "s": "start-mid-end"}
    assert meta["gen"] == 2 and 490 <= meta["ttl"] <= 500
    _, _, ordered = client.operate_ordered(
        key, [{"op": aerospike.OPERATOR_INCR, "bin": "n", "val": 1}, {"op": aerospike.OPERATOR_READ, "bin": "n"},
              {"op": aerospike.OPERATOR_READ, "bin": "w"}]
    )
    assert ordered == [("n", 7), ("w", "new")]
    _, meta, _ = client.operate(key, [{"op": aerospike.OPERATOR_TOUCH, "val": 100},
                                      {"op": aerospike.OPERATOR_READ, "bin": "n"}])
    assert 90 <= meta["ttl"] <= 100
    with pytest.raises(exception.RecordNotFound):
        client.operate(("test", "kv", "missing"), [{"op": aerospike.OPERATOR_READ, "bin": "n"}])
    with pytest.raises(exception.BinIncompatibleType):
        client.operate(key, [{"op": aerospike.OPERATOR_INCR, "bin": "s", "val": 1}])
    with pytest.raises(exception.RecordGenerationError):
        client.operate(key, [{"op": aerospike.OPERATOR_WRITE, "bin": "g", "val": 1}], {"gen": 1},
                       {"gen": aerospike.POLICY_GEN_EQ})


def test_serializers_round_trip(client: aerospike.Client, backend: Backend) -> None:
    key = ("test", "kv", "ser")
    client.put(key, {"t": (1, 2, 3)})
    assert client.get(key)[2] == {"t": (1, 2, 3)}
    import json

    user = backend.client(serialization=(json.dumps, json.loads))
    try:
        user.put(key, {"t": (1, 2, 3)}, serializer=aerospike.SERIALIZER_USER)
        assert user.get(key)[2] == {"t": [1, 2, 3]}
        with pytest.raises(exception.ParamError):
            user.put(key, {"t": (1,)}, serializer=aerospike.SERIALIZER_NONE)
    finally:
        user.close()


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("get", (["test", "kv", "x"],)),
        ("get", (("test", "kv"),)),
        ("put", (("test", "kv", "x"), [1])),
        ("put", (("test", "kv", "x"), {"a": 1}, {"ttl": "x"})),
        ("put", (("test", "kv", "x"), {"a": 1}, None, {"exists": "x"})),
        ("put", (("test", "kv", "x"), {"a": 2**64})),
        ("select", (("test", "kv", "x"), "a")),
        ("increment", (("test", "kv", "x"), "n", "1")),
        ("append", (("test", "kv", "x"), "s", 1)),
        ("operate", (("test", "kv", "x"), [{"op": 9999, "bin": "a"}])),
        ("operate", (("test", "kv", "x"), [{"op": aerospike.OPERATOR_WRITE, "bin": "a"}])),
        ("operate", (("test", "kv", "x"), {"op": aerospike.OPERATOR_READ})),
        ("remove_bin", (("test", "kv", "x"), "a")),
        ("get", (("test", "kv", "x"), {"total_timeout": "x"})),
    ],
)
def test_invalid_arguments_raise_param_error(client: aerospike.Client, method: str, args: tuple) -> None:
    with pytest.raises(exception.ParamError):
        getattr(client, method)(*args)


def test_long_bin_name_is_refused_before_sending(client: aerospike.Client) -> None:
    # The official client raises BinNameError itself (transcripts README); nothing is sent.
    with pytest.raises(exception.BinNameError):
        client.put(("test", "kv", "x"), {"a" * 16: 1})


def test_unknown_namespace(client: aerospike.Client) -> None:
    with pytest.raises(exception.ClientError) as raised:  # 3.0.0: client-side, not the server's code 20
        client.get(("nosuchns", "kv", "x"))
    assert type(raised.value) is exception.ClientError and raised.value.msg == "Invalid namespace: nosuchns"


def test_sixteen_threads_share_one_client(client: aerospike.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from aerospike import connection as connection_module

    errors: list[BaseException] = []
    real_send = connection_module._held_send or connection_module._load_held_send()
    held: list[int] = []

    def counting_send(*args: Any) -> Any:
        held.append(1)
        return real_send(*args)

    monkeypatch.setattr(connection_module, "_held_send", counting_send)

    def work(thread: int) -> None:
        try:
            for i in range(25):
                key = ("test", "threads", f"{thread}-{i}")
                client.put(key, {"t": thread, "i": i})
                assert client.get(key)[2] == {"t": thread, "i": i}
                client.increment(key, "i", 1)
                assert client.select(key, ["i"])[2] == {"i": i + 1}
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert held  # with commands of several threads in flight, requests went out with the GIL held


def test_connect_close_and_shared_connections(backend: Backend) -> None:
    config = {"hosts": list(backend.hosts), "use_shared_connection": True}
    first = aerospike.client(config).connect()
    second = aerospike.client(dict(config)).connect()
    assert first._cluster is second._cluster
    first.close()
    assert not first.is_connected() and second.is_connected()
    second.put(("test", "kv", "shared"), {"a": 1})
    second.close()
    assert not second.is_connected()
    with pytest.raises(exception.ClusterError):
        second.get(("test", "kv", "shared"))
    third = aerospike.client(config).connect()
    assert third.get(("test", "kv", "shared"))[2] == {"a": 1}
    third.close()


def test_connect_to_nothing_fails() -> None:
    with pytest.raises(exception.ClientError):
        aerospike.client({"hosts": [("127.0.0.1", 1)], "policies": {"total_timeout": 200}}).connect()
