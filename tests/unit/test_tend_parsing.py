"""Tend info parsers (recorded `peers-clear-std` / `replicas` replies) and the Tender against a scripted cluster."""

from __future__ import annotations

import base64
from typing import Optional

import pytest

from aerospike import exception
from aerospike.cluster import ClusterConfig
from aerospike.protocol.errors import ProtocolError
from aerospike.protocol.info import parse_info_reply
from aerospike.snapshot import N_PARTITIONS, owner_names
from aerospike.tend import (
    MAX_TEND_FAILURES,
    Peer,
    Tender,
    bitmap_partitions,
    parse_peers,
    parse_replicas,
)
from tests.support.transcripts import load


def _info_values(step: str, command: str) -> list[str]:
    values = []
    for exchange in load(step):
        for reply in exchange.replies:
            parsed = parse_info_reply(reply[8:]) if reply[1] == 1 else {}
            if command in parsed:
                values.append(parsed[command])
    return values


# --- peers ------------------------------------------------------------------------------------------------------


def test_peers_recorded_single_node_is_empty():
    (value,) = set(_info_values("01-connect-tend", "peers-clear-std"))
    assert parse_peers(value) == (6, 3000, ())


def test_peers_recorded_two_node_cluster():
    values = _info_values("13-two-node", "peers-clear-std")
    parsed = {reply.peers[0].name: reply for reply in map(parse_peers, values)}
    # A1 lists A2 with an explicit port; A2 lists A1 whose port equals the default and is omitted.
    assert parsed["A2"] == (5, 3000, (Peer("A2", None, (("127.0.0.1", 3010),)),))
    assert parsed["A1"] == (2, 3000, (Peer("A1", None, (("127.0.0.1", 3000),)),))


@pytest.mark.parametrize(
    "value, peers",
    [
        ("1,3000,[[BB9,,[[::1]:3010]]]", (Peer("BB9", None, (("::1", 3010),)),)),
        ("1,3000,[[BB9,,[[2001:db8::1]]]]", (Peer("BB9", None, (("2001:db8::1", 3000),)),)),
        (
            "7,4333,[[A1,tls-a,[10.0.0.1,[fe80::2]:4000]],[A2,,[host.example:5000]]]",
            (
                Peer("A1", "tls-a", (("10.0.0.1", 4333), ("fe80::2", 4000))),
                Peer("A2", None, (("host.example", 5000),)),
            ),
        ),
        ("3,3000,[[A3,,[]]]", (Peer("A3", None, ()),)),
    ],
)
def test_peers_forms(value, peers):
    assert parse_peers(value).peers == peers


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x,3000,[]",
        "1,3000",
        "1,3000,[",
        "1,3000,[[A1,,[127.0.0.1]]",
        "1,3000,[[A1,,[1.2.3.4:99999]]]",
        "1,3000,[]junk",
        "1,3000,[[,,[1.2.3.4]]]",
        "1,3000,[[A1,,[[::1]:x]]]",
    ],
)
def test_peers_malformed_raise_protocol_error(value):
    with pytest.raises(ProtocolError):
        parse_peers(value)


# --- replicas ---------------------------------------------------------------------------------------------------


def test_replicas_recorded_single_node_owns_everything():
    value = _info_values("01-connect-tend", "replicas")[0]
    parsed = parse_replicas(value)
    assert set(parsed) == {"test", "bar"}
    for entry in parsed.values():
        assert (entry.regime, entry.replica_count, len(entry.bitmaps)) == (0, 1, 1)
        assert bitmap_partitions(entry.bitmaps[0]) == list(range(N_PARTITIONS))


def test_replicas_recorded_two_nodes_are_disjoint_and_cover_all():
    exchanges = [e for e in load("13-two-node") if e.role == "tend" and b"replicas" in e.request]
    owned = {}
    for exchange in exchanges:
        reply = parse_info_reply(exchange.replies[0][8:])
        owned[exchange.server_port] = set(
            bitmap_partitions(parse_replicas(reply["replicas"])["test"].bitmaps[0])
        )
    assert sorted(len(parts) for parts in owned.values()) == [2042, 2054]
    assert not owned[3000] & owned[3010]
    assert owned[3000] | owned[3010] == set(range(N_PARTITIONS))


def test_replicas_bit_order():
    bitmap = bytearray(512)
    bitmap[0] = 0x80  # partition 0
    bitmap[1] = 0x01  # partition 15
    bitmap[511] = 0x01  # partition 4095
    assert bitmap_partitions(bytes(bitmap)) == [0, 15, 4095]


def test_replicas_regime_less_form_and_several_replicas():
    full = base64.b64encode(b"\xff" * 512).decode()
    empty = base64.b64encode(b"\x00" * 512).decode()
    assert parse_replicas(f"test:1,{full}")["test"] == (0, 1, (b"\xff" * 512,))
    entry = parse_replicas(f"test:9,2,{full},{empty};bar:3,1,{empty};")
    assert entry["test"].regime == 9 and entry["test"].bitmaps == (b"\xff" * 512, b"\x00" * 512)
    assert entry["bar"].regime == 3


@pytest.mark.parametrize(
    "value",
    [
        "test",
        ":0,1,AAAA",
        "test:0,2,AAAA",
        "test:0,1,not-base64!",
        "test:0,1," + base64.b64encode(b"x" * 10).decode(),
    ],
)
def test_replicas_malformed_raise_protocol_error(value):
    with pytest.raises(ProtocolError):
        parse_replicas(value)


# --- the Tender against a scripted cluster ---------------------------------------------------------------------


def _bitmap(partitions) -> str:
    bits = bytearray(512)
    for p in partitions:
        bits[p >> 3] |= 0x80 >> (p & 7)
    return base64.b64encode(bytes(bits)).decode()


class FakeServer:
    """One scripted node: what it answers to the tend info commands."""

    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.port = port
        self.alive = True
        self.peers_generation = 1
        self.partition_generation = 1
        self.peers: list[tuple[str, int]] = []
        self.replicas: dict[str, tuple[int, list[list[int]]]] = {}
        self.cluster_name = "c1"
        self.asked: list[tuple[str, ...]] = []

    def answer(self, command: str) -> str:
        if command == "node":
            return self.name
        if command == "build":
            return "8.1.2.0"
        if command == "cluster-name":
            return self.cluster_name
        if command == "peers-generation":
            return str(self.peers_generation)
        if command == "partition-generation":
            return str(self.partition_generation)
        if command == "peers-clear-std":
            inner = ",".join(f"[{name},,[127.0.0.1:{port}]]" for name, port in self.peers)
            return f"{self.peers_generation},3000,[{inner}]"
        if command == "replicas":
            parts = []
            for namespace, (regime, rows) in self.replicas.items():
                bitmaps = ",".join(_bitmap(row) for row in rows)
                parts.append(f"{namespace}:{regime},{len(rows)},{bitmaps}")
            return ";".join(parts)
        return "ERROR:4:unrecognized command"


class FakeConnection:
    def __init__(self, servers: dict[int, FakeServer], port: int) -> None:
        self.servers = servers
        self.port = port
        self.closed = False

    def info(self, commands, timeout):
        server = self.servers.get(self.port)
        if self.closed or server is None or not server.alive:
            self.closed = True
            raise exception.ConnectionError(-10, f"port {self.port}: connection reset")
        server.asked.append(tuple(commands))
        return {command: server.answer(command) for command in commands}

    def close(self):
        self.closed = True


class ScriptedTender(Tender):
    def __init__(self, config, servers: dict[int, FakeServer]) -> None:
        super().__init__(config)
        self.servers = servers

    def _connect(self, host: str, port: int, tls_name: Optional[str]):
        server = self.servers.get(port)
        if server is None or not server.alive:
            raise exception.ConnectionError(-10, f"connection to {host}:{port} refused")
        return FakeConnection(self.servers, port)


def _two_nodes():
    a, b = FakeServer("A1", 3000), FakeServer("A2", 3010)
    a.peers, b.peers = [("A2", 3010)], [("A1", 3000)]
    evens = [p for p in range(N_PARTITIONS) if p % 2 == 0]
    odds = [p for p in range(N_PARTITIONS) if p % 2 == 1]
    a.replicas = {"test": (1, [evens, odds])}
    b.replicas = {"test": (1, [odds, evens])}
    return a, b


def _tender(servers, **kwargs):
    seeds = kwargs.pop("seeds", (("127.0.0.1", 3000, None),))
    return ScriptedTender(ClusterConfig(seeds=seeds, **kwargs), {s.port: s for s in servers})


def test_first_tend_validates_and_fetches_in_one_request_and_discovers_peers():
    a, b = _two_nodes()
    tender = _tender([a, b])
    snapshot = tender.tend()
    assert [n.name for n in snapshot.nodes] == ["A1", "A2"]
    # A new node is validated, and its peers and replicas fetched, with one request (one round trip at connect).
    validation = ("node", "partition-generation", "build", "peers-clear-std", "replicas")
    assert a.asked == [validation]
    assert b.asked == [validation]
    names = owner_names(snapshot, "test", 0)
    assert names[0] == "A1" and names[1] == "A2"
    assert owner_names(snapshot, "test", 1)[0] == "A2"
    assert snapshot.namespaces["test"].replica_count == 2


def test_quiet_tend_asks_only_generations_and_keeps_the_snapshot():
    a, b = _two_nodes()
    tender = _tender([a, b])
    tender.tend()
    snapshot = tender.tend()  # A2's peers are asked once (it was new in the first pass)
    a.asked.clear()
    b.asked.clear()
    assert tender.tend() is snapshot
    assert a.asked == [("node", "peers-generation", "partition-generation")]
    assert b.asked == [("node", "peers-generation", "partition-generation")]


def test_partition_generation_change_refetches_replicas_and_grows_generation():
    a, b = _two_nodes()
    tender = _tender([a, b])
    tender.tend()
    first = tender.tend()
    a.replicas = {"test": (2, [list(range(N_PARTITIONS)), []])}
    b.replicas = {"test": (2, [[], list(range(N_PARTITIONS))])}
    a.partition_generation = b.partition_generation = 2
    second = tender.tend()
    assert second.generation > first.generation
    assert set(owner_names(second, "test", 0)) == {"A1"}
    assert set(owner_names(second, "test", 1)) == {"A2"}


def test_stale_regime_never_overwrites_newer_owner():
    a, b = _two_nodes()
    a.replicas = {"test": (5, [list(range(N_PARTITIONS))])}
    b.replicas = {"test": (3, [list(range(N_PARTITIONS))])}  # older regime claims everything too
    snapshot = _tender([a, b]).tend()
    assert set(owner_names(snapshot, "test", 0)) == {"A1"}
    assert set(snapshot.namespaces["test"].regimes) == {5}


def test_equal_or_newer_regime_takes_over():
    a, b = _two_nodes()
    a.replicas = {"test": (3, [list(range(N_PARTITIONS))])}
    b.replicas = {"test": (4, [[0, 1, 2]])}
    snapshot = _tender([a, b]).tend()
    names = owner_names(snapshot, "test", 0)
    assert names[:4] == ["A2", "A2", "A2", "A1"]


def test_node_failing_five_tends_is_removed_and_its_partitions_unowned():
    a = FakeServer("A1", 3000)
    a.replicas = {"test": (1, [list(range(N_PARTITIONS))])}
    tender = _tender([a])
    assert [n.name for n in tender.tend().nodes] == ["A1"]
    a.alive = False
    for _ in range(MAX_TEND_FAILURES - 1):
        assert [n.name for n in tender.tend().nodes] == ["A1"]
    snapshot = tender.tend()
    assert snapshot.nodes == ()
    assert set(owner_names(snapshot, "test", 0)) == {None}


def test_failed_node_that_left_the_peers_lists_goes_at_once():
    a, b = _two_nodes()
    tender = _tender([a, b])
    tender.tend()
    tender.tend()
    b.alive = False
    a.peers = []
    a.peers_generation += 1
    a.replicas = {"test": (2, [list(range(N_PARTITIONS)), []])}
    a.partition_generation += 1
    snapshot = tender.tend()
    assert [n.name for n in snapshot.nodes] == ["A1"]
    assert set(owner_names(snapshot, "test", 0)) == {"A1"}


def test_node_id_mismatch_removes_the_old_node():
    a = FakeServer("A1", 3000)
    a.replicas = {"test": (1, [list(range(N_PARTITIONS))])}
    tender = _tender([a])
    tender.tend()
    a.name = "B7"  # the address now answers as another node
    assert tender.tend().nodes == ()
    assert [n.name for n in tender.tend().nodes] == ["B7"]  # found again from the seeds


def test_unreachable_seeds_are_named():
    tender = _tender([], seeds=(("127.0.0.1", 3000, None), ("127.0.0.1", 3001, None)))
    assert tender.tend().nodes == ()
    message = tender.seed_failure_message()
    assert "127.0.0.1:3000" in message and "127.0.0.1:3001" in message


def test_cluster_name_mismatch_refuses_the_node():
    a = FakeServer("A1", 3000)
    tender = _tender([a], cluster_name="other")
    assert tender.tend().nodes == ()
    assert "cluster" in tender.seed_failure_message()
    assert a.asked == [("node", "partition-generation", "build", "cluster-name", "peers-clear-std", "replicas")]
    good = _tender([FakeServer("A1", 3000)], cluster_name="c1")
    assert [n.name for n in good.tend().nodes] == ["A1"]
