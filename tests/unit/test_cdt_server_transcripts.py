"""Replay 05-list-ops and 06-map-ops: every CDT request answered by aerospike.testing.cdt_ops as the real server did.

A model record per key follows the transcript: puts set bins, CDT ops go through apply_cdt_op, and each reply (result
code, returned values) and each later `get` are compared by meaning (decoded values, map/list order flags kept).
"""

from __future__ import annotations

import json

import msgpack
import pytest

from aerospike.protocol import constants as c
from aerospike.protocol.message import decode_messages
from aerospike.testing.cdt_ops import UNCHANGED, apply_cdt_op, decode_bin, unpack
from tests.support.transcripts import require_transcripts

FILES = ["05-list-ops.jsonl", "06-map-ops.jsonl"]

# Exchanges whose replies this engine does not reproduce, with the reason: (file, call) -> reason.
KNOWN_DIFFERENCES: dict[tuple[str, int], str] = {}


def _meaning(particle_type: int, data: bytes):
    """A comparable form of a bin particle: CDTs decoded to the model, scalars as (type, bytes)."""
    if particle_type in (c.PARTICLE_LIST, c.PARTICLE_MAP):
        return decode_bin(particle_type, data)
    return (particle_type, data)


def _exchanges():
    folder = require_transcripts()
    for name in FILES:
        path = folder / name
        for line in path.read_text().splitlines():
            yield name, json.loads(line)


def _replay(name: str):
    records: dict[bytes, dict[str, tuple[int, object]]] = {}
    failures = []
    for file_name, exchange in _exchanges():
        if file_name != name:
            continue
        request = decode_messages(bytes.fromhex(exchange["request"])[8:])[0]
        reply = decode_messages(bytes.fromhex(exchange["replies"][0])[8:])[0]
        digest = request.field(c.FIELD_DIGEST)
        call = exchange["call"]
        problem = _check(records, digest, request, reply)
        if problem and (name, call) not in KNOWN_DIFFERENCES:
            failures.append(f"{name} call {call}: {problem}\n    {exchange['note'][:200]}")
    return failures


def _check(records, digest, request, reply) -> str | None:
    ops = request.ops
    if not ops:  # a get: compare every bin
        record = records.get(digest)
        if reply.result_code != 0:
            return None if record is None else f"get answered {reply.result_code}"
        expected = {op.bin_name: _meaning(op.particle_type, op.value) for op in reply.ops}
        actual = {name: value for name, value in (record or {}).items()}
        return None if expected == actual else f"get: expected {expected!r}, model {actual!r}"
    if all(op.op_type == c.OP_WRITE for op in ops):  # a put
        record = records.setdefault(digest, {})
        for op in ops:
            record[op.bin_name] = _meaning(op.particle_type, op.value)
        return None
    record = records.get(digest)
    if record is None and not request.info2 & c.INFO2_WRITE:
        return None if reply.result_code == c.RESULT_KEY_NOT_FOUND else "missing record not refused"
    bins = dict(record or {})
    replies = []
    for op in ops:
        if op.op_type == c.OP_READ:
            replies.append((op.bin_name, bins.get(op.bin_name)))
            continue
        current = bins.get(op.bin_name)
        if current is None:
            particle_type, value = None, None
        elif isinstance(current, tuple):
            particle_type, value = current[0], None
        else:
            particle_type, value = (
                (c.PARTICLE_LIST if type(current).__name__ == "CdtList" else c.PARTICLE_MAP),
                current,
            )
        code, new_value, op_reply = apply_cdt_op(op.op_type, particle_type, value, op.value)
        if code != 0:
            if code != reply.result_code:
                return f"result {code}, server {reply.result_code}"
            return None  # the whole command fails; the record is untouched
        if new_value is not UNCHANGED:
            bins[op.bin_name] = new_value
        if op_reply is not None:
            replies.append((op.bin_name, _meaning(*op_reply)))
    if reply.result_code != 0:
        return f"server answered {reply.result_code}, model succeeded"
    expected = [(op.bin_name, _meaning(op.particle_type, op.value)) for op in reply.ops]
    if expected != replies:
        return f"replies: expected {expected!r}, model {replies!r}"
    records[digest] = bins
    return None


@pytest.mark.parametrize("name", FILES)
def test_transcript_replays(name: str) -> None:
    failures = _replay(name)
    assert not failures, "\n".join(failures)


def test_known_differences_are_still_listed_for_a_reason() -> None:
    for (name, _call), reason in KNOWN_DIFFERENCES.items():
        assert name in FILES and reason


def test_replay_sees_every_cdt_exchange() -> None:
    seen = 0
    for _name, exchange in _exchanges():
        request = decode_messages(bytes.fromhex(exchange["request"])[8:])[0]
        seen += sum(1 for op in request.ops if op.op_type in (c.OP_CDT_READ, c.OP_CDT_MODIFY))
    if seen == 0:
        pytest.skip("transcripts not present")
    assert seen == 186  # every CDT op of 05 and 06
    assert unpack(msgpack.packb([1, 2])).items == [1, 2]
