"""The local cluster answers the recorded requests as the real 8.1.2.0 server did.

Replays every request of the transcripts' files 01-04, in order and on one connection per recorded connection,
against a fresh single-node local cluster with the recorded identity (node A1, cluster `peer-test`, community
edition), and compares each reply with the recorded one by meaning: for messages the result code, generation,
info bits, fields and every op's bin name, particle type and value; for info replies the commands clients use,
value by value, with live counters and the fields the transcripts' README lists as varying compared by shape.
"""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from aerospike.protocol.constants import PROTO_TYPE_INFO, PROTO_TYPE_MESSAGE
from aerospike.protocol.info import parse_info_reply
from aerospike.protocol.message import Message, decode_messages
from aerospike.protocol.particles import decode_value
from tests.fixtures.cluster import read_frame
from tests.support.transcripts import Exchange, load, require_transcripts

RECORDED_PORT = 3000

# Info commands whose values are live counters or cluster history (README: "What varies from run to run"):
# compared by their keys (the names clients parse), not by value.
COMPARE_KEYS_ONLY = {"statistics", "namespace/test", "namespace/bar", "get-config:context=namespace;id=test"}
# Whole values that vary by run: compared by shape only.
VARYING = {"partition-generation", "peers-generation", "cluster-stable"}
# Cluster history: nodes that left before the recording; a fresh cluster has none.
HISTORY = {"services-alumni"}
# Values that hold data the recording server had before the run (unrelated sets): only the format is compared.
PRE_EXISTING_DATA = {"sets", "sets/test/s03"}

# Exchanges of files 01-04 that belong to later features (batch, queries, indexes): they are replayed by the
# tests of the issue that adds them. Keyed by the start of the recorded note.
LATER_FEATURES = ("_ = [(r.key, r.result, r.record) for r in client.batch_read", "_ = client.query_apply(",
                  "client.index_integer_create(")


def _keyed(value: str) -> list[str]:
    return [item.split("=", 1)[0] for item in value.split(";") if item]


def _compare_info(exchange: Exchange, ours: dict[str, str], recorded: dict[str, str], port: int) -> list[str]:
    problems = []
    if list(ours) != list(recorded):
        return [f"commands {list(ours)} != recorded {list(recorded)}"]
    for name, want in recorded.items():
        got = ours[name]
        if name in COMPARE_KEYS_ONLY:
            if _keyed(got) != _keyed(want):
                missing = set(_keyed(want)) - set(_keyed(got))
                extra = set(_keyed(got)) - set(_keyed(want))
                problems.append(f"{name}: keys differ (missing {sorted(missing)}, extra {sorted(extra)})")
        elif name in VARYING:
            if (got == "") != (want == "") or got.replace("-", "").isalnum() != want.replace("-", "").isalnum():
                problems.append(f"{name}: {got!r} is not shaped like {want!r}")
        elif name in HISTORY:
            continue
        elif name in PRE_EXISTING_DATA:
            # A fresh namespace has no sets; where ours lists any, they read like the server's.
            if got and not got.startswith(want.split("=", 1)[0]):
                problems.append(f"{name}: {got[:80]!r} not shaped like {want[:80]!r}")
        elif name == "peers-clear-std":
            # "<peers generation>,<default port>,[...]": the generation is cluster history.
            got_generation, got_rest = got.split(",", 1)
            if not got_generation.isdigit() or got_rest != want.split(",", 1)[1]:
                problems.append(f"{name}: {got!r} vs {want!r}")
        elif got != want:
            problems.append(f"{name}: {got[:120]!r} != {want[:120]!r}")
    return problems


def _op_value(op: Any) -> Any:
    value = decode_value(op.particle_type, op.value)
    if isinstance(value, str) and op.particle_type == 23:
        return json.loads(value)
    return value


def _compare_message(ours: Message, recorded: Message) -> list[str]:
    problems = []
    for name in ("result_code", "generation", "info1", "info2", "info3", "info4", "transaction_ttl"):
        if getattr(ours, name) != getattr(recorded, name):
            problems.append(f"{name} {getattr(ours, name)} != recorded {getattr(recorded, name)}")
    # record_ttl is a void time (wall clock); only "never expires" (0) versus "expires" is comparable.
    if (ours.record_ttl == 0) != (recorded.record_ttl == 0):
        problems.append(f"record_ttl {ours.record_ttl} vs recorded {recorded.record_ttl}")
    if ours.fields != recorded.fields:
        problems.append(f"fields {ours.fields} != recorded {recorded.fields}")
    ours_ops = [(op.op_type, op.bin_name, op.particle_type, _op_value(op)) for op in ours.ops]
    recorded_ops = [(op.op_type, op.bin_name, op.particle_type, _op_value(op)) for op in recorded.ops]
    if ours_ops != recorded_ops:
        problems.append(f"ops {ours_ops} != recorded {recorded_ops}")
    return problems


def _replay(files: list[str], local_cluster: Any) -> list[str]:
    require_transcripts()
    cluster = local_cluster(nodes=1, node_ids=["A1"], cluster_name="peer-test", edition="community")
    address = cluster.hosts[0]
    connections: dict[int, socket.socket] = {}
    problems: list[str] = []
    try:
        for step in files:
            for exchange in load(step):
                if exchange.note.startswith(LATER_FEATURES):
                    continue
                sock = connections.get(exchange.conn)
                if sock is None:
                    sock = connections[exchange.conn] = socket.create_connection(address, timeout=10)
                sock.sendall(exchange.request)
                where = f"{step} call {exchange.call}: {exchange.note[:90]}"
                for recorded_frame in exchange.replies:
                    proto_type, body = read_frame(sock)
                    recorded_type = recorded_frame[1]
                    if proto_type != recorded_type:
                        problems.append(f"{where}: proto type {proto_type} != {recorded_type}")
                        break
                    if proto_type == PROTO_TYPE_INFO:
                        found = _compare_info(
                            exchange, parse_info_reply(body), parse_info_reply(recorded_frame[8:]), address[1]
                        )
                    else:
                        assert proto_type == PROTO_TYPE_MESSAGE
                        ours = decode_messages(body)
                        recorded = decode_messages(recorded_frame[8:])
                        if len(ours) != len(recorded):
                            found = [f"{len(ours)} messages != recorded {len(recorded)}"]
                        else:
                            found = [p for a, b in zip(ours, recorded) for p in _compare_message(a, b)]
                    problems.extend(f"{where}: {problem}" for problem in found)
    finally:
        for sock in connections.values():
            sock.close()
    return problems


def test_connect_and_tend_replies_match_the_real_server(local_cluster: Any) -> None:
    assert _replay(["01-connect-tend"], local_cluster) == []


def test_info_replies_match_the_real_server(local_cluster: Any) -> None:
    assert _replay(["02-info"], local_cluster) == []


def test_single_record_and_operate_replies_match_the_real_server(local_cluster: Any) -> None:
    assert _replay(["03-single-record", "04-operate"], local_cluster) == []


@pytest.mark.parametrize("step", ["01-connect-tend", "02-info", "03-single-record", "04-operate"])
def test_every_exchange_is_replayed(step: str) -> None:
    """The allow-list skips only the named later-feature calls, never a whole file."""
    require_transcripts()
    exchanges = load(step)
    skipped = [e for e in exchanges if e.note.startswith(LATER_FEATURES)]
    assert len(skipped) <= 4
    assert len(exchanges) - len(skipped) > 0


def test_list_operation_replies_match_the_real_server(local_cluster: Any) -> None:
    assert _replay(["05-list-ops"], local_cluster) == []


def test_map_operation_replies_match_the_real_server(local_cluster: Any) -> None:
    assert _replay(["06-map-ops"], local_cluster) == []


def test_compressed_requests_are_refused_as_the_community_server_does(local_cluster: Any) -> None:
    assert _replay(["12-compress"], local_cluster) == []
