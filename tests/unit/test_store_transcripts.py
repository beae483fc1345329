"""Replays the recorded single-record and operate requests (official client 19.3.0 against Aerospike CE 8.1.2.0)
through the local cluster's store and compares its replies with the real server's, by meaning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aerospike.protocol import constants as c
from aerospike.protocol.message import Message, Op, decode_message
from aerospike.testing.store import NamespaceStore, execute_single, void_time_now

TRANSCRIPTS = Path("/work/shared/transcripts")
if not TRANSCRIPTS.is_dir():
    TRANSCRIPTS = Path(__file__).resolve().parents[3] / "shared" / "transcripts"

# The recorded void times depend on the wall clock of the run: this "now" puts a TTL of 100 s at the void time
# the server answered for put(..., meta={'ttl': 100}); later calls of the run happened a few seconds later.
RECORDED_NOW = 533408075 - 100 + c.CITRUSLEAF_EPOCH + 0.5
VOID_TIME_SLACK = 5


def _frames(hex_frame: str) -> Message | None:
    frame = bytes.fromhex(hex_frame)
    if frame[1] != c.PROTO_TYPE_MESSAGE:
        return None
    message, _ = decode_message(frame, c.PROTO_HEADER_SIZE)
    return message


def _exchanges(*names: str) -> list[tuple[str, Message, Message]]:
    exchanges = []
    for name in names:
        for line in (TRANSCRIPTS / name).read_text().splitlines():
            entry = json.loads(line)
            request = _frames(entry["request"])
            if request is None or entry["role"] != "command":
                continue
            if request.info1 & c.INFO1_BATCH or request.field(c.FIELD_DIGEST) is None:
                continue  # batches, scans and queries belong to other parts of the local cluster
            reply = _frames(entry["replies"][0])
            assert reply is not None
            exchanges.append((entry["note"], request, reply))
    return exchanges


def _geo_text(value: bytes) -> bytes:
    return value[3 + 8 * int.from_bytes(value[1:3], "big") :]


def _ops_meaning(ours: list[Op], theirs: list[Op]) -> tuple[list[tuple], list[tuple]]:
    """Ops as comparable tuples. GeoJSON values compare byte for byte (S2 cells included), except regions, whose
    S2 covering the store does not compute (it stores no cells): those compare by their JSON text only."""
    ours_meaning = [(op.op_type, op.particle_type, op.bin_name, op.value) for op in ours]
    theirs_meaning = [(op.op_type, op.particle_type, op.bin_name, op.value) for op in theirs]
    for index, (mine, recorded) in enumerate(zip(ours_meaning, theirs_meaning)):
        if mine[1] == recorded[1] == c.PARTICLE_GEOJSON and mine[3][1:3] == b"\x00\x00":
            ours_meaning[index] = mine[:3] + (_geo_text(mine[3]),)
            theirs_meaning[index] = recorded[:3] + (_geo_text(recorded[3]),)
    return ours_meaning, theirs_meaning


def _assert_same_meaning(note: str, ours: Message, theirs: Message) -> None:
    context = f"{note}\n ours:   {ours!r}\n theirs: {theirs!r}"
    assert ours.result_code == theirs.result_code, context
    assert ours.generation == theirs.generation, context
    assert (ours.info1, ours.info2, ours.info3, ours.info4) == (
        theirs.info1,
        theirs.info2,
        theirs.info3,
        theirs.info4,
    )
    assert ours.fields == theirs.fields, context
    if theirs.record_ttl == 0:
        assert ours.record_ttl == 0, context
    else:
        assert abs(ours.record_ttl - theirs.record_ttl) <= VOID_TIME_SLACK, context
    ours_ops, theirs_ops = _ops_meaning(ours.ops, theirs.ops)
    assert ours_ops == theirs_ops, context


def test_recorded_now_is_consistent() -> None:
    assert void_time_now(RECORDED_NOW) + 100 == 533408075


@pytest.mark.parametrize("files", [("03-single-record.jsonl", "04-operate.jsonl")])
def test_replay_matches_server(files: tuple[str, ...]) -> None:
    stores: dict[bytes, NamespaceStore] = {}
    exchanges = _exchanges(*files)
    assert len(exchanges) > 90
    replayed = 0
    for note, request, reply in exchanges:
        namespace = request.field(c.FIELD_NAMESPACE)
        assert namespace is not None
        if namespace not in (b"test", b"bar"):
            assert reply.result_code == c.RESULT_NAMESPACE_NOT_FOUND  # the network layer answers these
            continue
        store = stores.setdefault(namespace, NamespaceStore(namespace.decode()))
        ours = execute_single(store, request, RECORDED_NOW)
        _assert_same_meaning(note, ours, reply)
        replayed += 1
    assert replayed > 90
