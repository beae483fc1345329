"""Local cluster batch, query filter and index-hash parsing, checked against the recorded requests."""

from __future__ import annotations

from aerospike.protocol import constants as c
from aerospike.protocol.message import decode_messages
from aerospike.testing import batch, scan, sindex
from tests.support import transcripts


def _batch_requests() -> list[tuple[str, bytes]]:
    found = []
    for exchange in transcripts.load("07-batch"):
        message = decode_messages(exchange.request[8:])[0]
        if message.info1 & c.INFO1_BATCH:
            found.append((exchange.note, message.field(c.FIELD_BATCH_INDEX) or b""))
    return found


def test_batch_field_rows_follow_recorded_layout() -> None:
    requests = _batch_requests()
    note, data = requests[0]  # batch_read of 7 keys, all bins
    parsed = batch.parse_batch_field(data, {"test", "bar"})
    assert not parsed.truncated
    assert [key.key_index for key in parsed.keys] == list(range(7))
    first = parsed.keys[0].message
    assert first.info1 == c.INFO1_READ | c.INFO1_GET_ALL
    assert first.field(c.FIELD_NAMESPACE) == b"test" and first.field(c.FIELD_SET) == b"s07"
    # Repeated rows carry the first row's namespace and set with their own digest.
    assert parsed.keys[3].message.field(c.FIELD_SET) == b"s07"
    assert parsed.keys[3].message.field(c.FIELD_DIGEST) != first.field(c.FIELD_DIGEST)


def test_batch_field_write_rows_keep_info2_and_ops() -> None:
    writes = [data for note, data in _batch_requests() if "batch_write" in note]
    parsed = batch.parse_batch_field(writes[0], {"test"})
    kinds = [(key.message.info2, [op.op_type for op in key.message.ops]) for key in parsed.keys]
    assert kinds[0] == (c.INFO2_WRITE | c.INFO2_RESPOND_ALL_OPS, [c.OP_WRITE])
    assert kinds[3][0] == c.INFO2_WRITE | c.INFO2_DELETE | c.INFO2_RESPOND_ALL_OPS


def test_batch_unknown_namespace_truncates() -> None:
    _, data = _batch_requests()[0]
    parsed = batch.parse_batch_field(data, {"bar"})
    assert parsed.truncated and parsed.keys == []


def test_wyhash_matches_recorded_string_bvals() -> None:
    assert sindex.bval_bytes(sindex._signed(sindex.wyhash64(b"odd"))).hex() == "2cbf46c76e3a17b7"
    assert sindex.bval_bytes(sindex._signed(sindex.wyhash64(b"k3"))).hex() == "5f18fc12096c5fe7"
    long_text = b"x" * 100
    assert sindex.wyhash64(long_text) != sindex.wyhash64(long_text[:-1])


def test_parse_filter_of_recorded_queries() -> None:
    filters = []
    for exchange in transcripts.load("09-sindex"):
        if exchange.request[1] != c.PROTO_TYPE_MESSAGE:
            continue
        message = decode_messages(exchange.request[8:])[0]
        data = message.field(c.FIELD_INDEX_RANGE)
        if data is not None:
            filters.append(sindex.parse_filter(data, message.field(c.FIELD_INDEX_TYPE), None))
    kinds = {(f.key_type, f.index_type) for f in filters}
    assert ("numeric", "default") in kinds and ("string", "default") in kinds
    assert ("numeric", "list") in kinds and ("string", "mapkeys") in kinds and ("numeric", "mapvalues") in kinds
    assert any(f.key_type == "geo2dsphere" and f.begin["type"] == "AeroCircle" for f in filters)
    between = next(f for f in filters if f.key_type == "numeric" and f.begin == 3)
    assert between.end == 7


def test_region_contains() -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    assert sindex.region_contains(square, (0.5, 0.5))
    assert not sindex.region_contains(square, (1.5, 0.5))
    circle = {"type": "AeroCircle", "coordinates": [[-122.0, 37.0], 2500]}
    assert sindex.region_contains(circle, (-122.01, 37.0))  # about 890 m away
    assert not sindex.region_contains(circle, (-121.95, 37.0))  # about 4.4 km away


def test_frame_builder_splits_frames() -> None:
    frames = scan.FrameBuilder(limit=100)
    produced = [frames.add(b"x" * 60) for _ in range(3)]
    assert produced[0] is None and produced[1] is not None and len(produced[1]) == 8 + 120
    tail = frames.flush()
    assert tail is not None and len(tail) == 8 + 60
