"""Info answers of the local cluster against the recorded 8.1.2.0 replies (no sockets: NodeState in, text out)."""

from __future__ import annotations

import base64

import pytest

from aerospike.protocol.constants import N_PARTITIONS, PROTO_TYPE_INFO
from aerospike.protocol.info import parse_info_request
from aerospike.testing import info
from aerospike.testing.store import NamespaceStore, Record
from tests.support.transcripts import load

ALL = info.make_bitmap(range(N_PARTITIONS))


def recorded_server() -> info.NodeState:
    """The single node of transcripts 01-12: A1 at 127.0.0.1:3000, cluster peer-test, one earlier peer."""
    return info.NodeState(
        node_id="A1",
        host="127.0.0.1",
        port=3000,
        cluster_name="peer-test",
        cluster_key="900F0211174C",
        partition_generation=8220,
        peers_generation=6,
        alumni=[("127.0.0.1", 3010)],
        namespaces={"test": NamespaceStore("test"), "bar": NamespaceStore("bar")},
        replica_bitmaps={"test": (ALL,), "bar": (ALL,)},
    )


def info_exchanges(step: str) -> list[tuple[bytes, bytes]]:
    return [
        (exchange.request[8:], exchange.replies[0][8:])
        for exchange in load(step)
        if exchange.request[1] == PROTO_TYPE_INFO
    ]


def reply_pairs(body: bytes) -> list[tuple[str, str]]:
    return [tuple(line.split("\t", 1)) for line in body.decode().split("\n") if line]  # type: ignore[misc]


def answer_text(state: info.NodeState, request: bytes) -> list[tuple[str, str]]:
    return info.answer(state, parse_info_request(request))


EXACT = {
    b"build\n",
    b"version\n",
    b"edition\n",
    b"node\n",
    b"namespaces\n",
    b"partitions\n",
    b"replicas\n",
    b"replicas-all\n",
    b"replicas-master\n",
    b"peers-clear-std\n",
    b"peers-generation\n",
    b"partition-generation\n",
    b"services\n",
    b"services-alumni\n",
    b"cluster-name\n",
    b"features\n",
    b"status\n",
    b"cluster-stable\n",
    b"bins\n",
    b"bins/test\n",
    b"no-such-command\n",
    b"build\nnode\nedition\n",
    b"node\npartition-generation\nbuild\n",
    b"user-agent-set:value=MSxweXRob24tMTkuMy4wLG5vdC1zZXQ=\n",
    b"partition-generation\nreplicas\n",
    b"node\npeers-generation\npartition-generation\n",
}


def test_recorded_single_node_answers_are_reproduced_exactly() -> None:
    state = recorded_server()
    checked = 0
    for request, reply in info_exchanges("01-connect-tend") + info_exchanges("02-info"):
        if request in EXACT:
            assert answer_text(state, request) == reply_pairs(reply), request
            checked += 1
    assert checked >= 25


@pytest.mark.parametrize(
    "command", ["namespace/test", "namespace/bar", "statistics", "get-config:context=namespace;id=test"]
)
def test_key_lists_match_the_recording_in_order(command: str) -> None:
    recorded = dict(info_exchanges("02-info"))[command.encode() + b"\n"]
    [(name, value)] = reply_pairs(recorded)
    [(our_name, our_value)] = answer_text(recorded_server(), command.encode() + b"\n")
    assert our_name == name
    assert [item.split("=", 1)[0] for item in our_value.split(";")] == [
        item.split("=", 1)[0] for item in value.split(";")
    ]


def test_empty_request_answers_the_default_list() -> None:
    recorded = dict(info_exchanges("02-info"))[b""]
    ours = answer_text(recorded_server(), b"")
    assert [name for name, _ in ours] == [name for name, _ in reply_pairs(recorded)]
    expected = dict(reply_pairs(recorded))
    for name in ("features", "node", "compatibility-id", "edition", "build", "version", "services-alumni"):
        assert dict(ours)[name] == expected[name]


def test_unknown_namespace_and_live_counts() -> None:
    state = recorded_server()
    assert info.answer(state, ["namespace/nosuchns"]) == [("namespace/nosuchns", "type=unknown")]
    stats = dict(item.split("=", 1) for item in info.answer(state, ["namespace/test"])[0][1].split(";"))
    assert stats["objects"] == "0"
    assert stats["ns_cluster_size"] == "1"
    assert stats["replication-factor"] == "1"


def test_peers_of_the_two_node_recording() -> None:
    peers = {
        exchange.server_port: exchange.replies[0][8:]
        for exchange in load("13-two-node")
        if exchange.request[8:] == b"peers-clear-std\n"
    }
    a1 = info.NodeState("A1", "127.0.0.1", 3000, peers_generation=5, peers=[info.Peer("A2", "127.0.0.1", 3010)])
    a2 = info.NodeState("A2", "127.0.0.1", 3010, peers_generation=2, peers=[info.Peer("A1", "127.0.0.1", 3000)])
    assert info.answer(a1, ["peers-clear-std"]) == reply_pairs(peers[3000])
    assert info.answer(a2, ["peers-clear-std"]) == reply_pairs(peers[3010])


def test_replicas_with_two_replica_indexes() -> None:
    master = info.make_bitmap([0, 7, 8, 4095])
    prole = info.make_bitmap([1, 2])
    state = info.NodeState("A1", "127.0.0.1", 3000, namespaces={"test": NamespaceStore("test")})
    state.replica_bitmaps = {"test": (master, prole)}
    [(_, value)] = info.answer(state, ["replicas"])
    namespace, _, rest = value.partition(":")
    regime, count, first, second = rest.split(",")
    assert (namespace, regime, count) == ("test", "0", "2")
    assert info.partitions_in(base64.b64decode(first)) == [0, 7, 8, 4095]
    assert info.partitions_in(base64.b64decode(second)) == [1, 2]
    assert base64.b64decode(first)[0] == 0x81  # partition 0 is bit 0x80, partition 7 is bit 0x01


def test_enterprise_names_and_hooks() -> None:
    state = info.NodeState("A1", "127.0.0.1", 3000, edition="enterprise")
    assert info.answer(state, ["edition", "version"]) == [
        ("edition", "Aerospike Enterprise Edition"),
        ("version", "Aerospike Enterprise Edition build 8.1.2.0"),
    ]
    handlers = dict(info.DEFAULT_HANDLERS)
    handlers["udf-list"] = lambda node, name, args: f"{node.node_id}:{args}"
    assert info.answer(state, ["udf-list:x=1"], handlers) == [("udf-list:x=1", "A1:x=1")]
    assert info.answer(state, ["udf-list"]) == [("udf-list", "ERROR:4:unrecognized command")]


def test_sets_answers() -> None:
    store = NamespaceStore("test")
    state = info.NodeState("A1", "127.0.0.1", 3000, namespaces={"test": store, "bar": NamespaceStore("bar")})
    assert info.answer(state, ["sets"]) == [("sets", "")]
    store.put(b"\x01" * 20, Record({"a": (1, b"\x00" * 8)}, 1, 0, "s1", None, 0))
    [(_, value)] = info.answer(state, ["sets"])
    assert value.startswith("ns=test:set=s1:objects=1:tombstones=0:")
    assert value.endswith(":stop-writes-size=0;")
    [(_, value)] = info.answer(state, ["sets/test/s1"])
    assert value.startswith("objects=1:") and value.endswith(";")
    assert info.answer(state, ["sets/bar"]) == [("sets/bar", "")]
