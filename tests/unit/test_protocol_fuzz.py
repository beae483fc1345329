"""Fuzzing the protocol layer's decoders with real frames: whatever bytes arrive, only ProtocolError escapes.

The corpus is every frame of the wire transcripts (official client requests, server 8.1.2.0 replies). Each
example takes one frame, mutates it (bytes flipped, lengths overwritten, cut short, bytes inserted) and runs it
through the whole decoding path a reply takes: FrameReader (fed in random pieces), inflation of type-4 frames,
message, admin and info decoding, then every op value through particles.decode_value and, for lists and maps,
cdt.unpack. Unmutated frames must decode cleanly and the same however they are split.
"""

from __future__ import annotations

import struct
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aerospike.protocol import admin, cdt, compression
from aerospike.protocol.constants import (
    PARTICLE_LIST,
    PARTICLE_MAP,
    PROTO_HEADER_SIZE,
    PROTO_TYPE_ADMIN,
    PROTO_TYPE_COMPRESSED,
    PROTO_TYPE_INFO,
    PROTO_TYPE_MESSAGE,
)
from aerospike.protocol.errors import ProtocolError
from aerospike.protocol.frame import Frame, FrameReader, unpack_header
from aerospike.protocol.info import parse_info_reply
from aerospike.protocol.message import decode_message, decode_messages
from aerospike.protocol.particles import decode_value
from tests.support.transcripts import iter_all, transcripts_dir

MAX_TEST_FRAME = 1 << 20  # mutated lengths beyond this are refused by the reader, as a connection's limit would


def _corpus() -> list[bytes]:
    if transcripts_dir() is None:
        return []
    frames: list[bytes] = []
    seen: set[bytes] = set()
    for exchange in iter_all():
        for frame in (exchange.request, *exchange.replies):
            if frame not in seen and len(frame) <= 64 * 1024:  # big scan pages slow the fuzzer, not the coverage
                seen.add(frame)
                frames.append(frame)
    return frames


CORPUS = _corpus()
needs_corpus = pytest.mark.skipif(not CORPUS, reason="wire transcripts not found (set AEROSPIKE_TRANSCRIPTS)")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def decode_value_deeply(particle_type: int, data: bytes) -> Any:
    value = decode_value(particle_type, data, preserved_map_as_list=True)
    if particle_type in (PARTICLE_LIST, PARTICLE_MAP):
        cdt.unpack(data)
    return value


def decode_body(proto_type: int, body: bytes, depth: int = 0) -> int:
    """Decode one frame body completely; returns how many values it held. Only ProtocolError may escape."""
    if proto_type == PROTO_TYPE_COMPRESSED:
        inner = compression.decompress_body(body, MAX_TEST_FRAME)
        inner_type, length = unpack_header(inner, MAX_TEST_FRAME)
        if length != len(inner) - PROTO_HEADER_SIZE:
            raise ProtocolError("inner frame length disagrees with its header")
        if depth:
            raise ProtocolError("compressed frame inside a compressed frame")
        return decode_body(inner_type, inner[PROTO_HEADER_SIZE:], depth + 1)
    if proto_type == PROTO_TYPE_INFO:
        reply = parse_info_reply(body)
        assert all(type(name) is str and type(value) is str for name, value in reply.items())
        return len(reply)
    if proto_type == PROTO_TYPE_ADMIN:
        return len(admin.decode_messages(body))
    assert proto_type == PROTO_TYPE_MESSAGE
    values = 0
    for message in decode_messages(body):
        for op in message.ops:
            decode_value_deeply(op.particle_type, op.value)
            values += 1
    return values


def feed_in_pieces(data: bytes, cuts: list[int]) -> tuple[list[Frame], FrameReader]:
    reader = FrameReader(MAX_TEST_FRAME)
    frames = []
    start = 0
    for cut in sorted({c % (len(data) + 1) for c in cuts}) + [len(data)]:
        reader.feed(data[start:cut])
        start = cut
        while (frame := reader.next_frame()) is not None:
            frames.append(frame)
    return frames, reader


def decode_stream(data: bytes, cuts: list[int]) -> None:
    """The reply path: reassemble frames from pieces, decode each; only ProtocolError escapes."""
    try:
        frames, _ = feed_in_pieces(data, cuts)
        for frame in frames:
            decode_body(frame.proto_type, frame.body)
    except ProtocolError:
        pass


# --------------------------------------------------------------------------------------------------------------
# Mutations of real frames.


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    frame = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "length", "truncate", "insert", "delete"]))
        position = draw(st.integers(0, max(len(frame) - 1, 0)))
        if kind == "flip" and frame:
            frame[position] ^= draw(st.integers(1, 255))
        elif kind == "length" and len(frame) >= position + 4:
            # Lengths are 4-byte big-endian words everywhere inside a body (fields, ops) and 6 in the header.
            value = draw(st.sampled_from([0, 1, 3, 4, 5, 0x7FFFFFFF, 0xFFFFFFFF, len(frame), len(frame) + 1]))
            struct.pack_into(">I", frame, position, value)
        elif kind == "truncate":
            del frame[position:]
        elif kind == "insert":
            frame[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del frame[position : position + draw(st.integers(1, 8))]
    return bytes(frame)


@needs_corpus
@FUZZ
@given(frame=mutated(), cuts=st.lists(st.integers(0, 1 << 16), max_size=6))
def test_mutated_transcript_frames_only_raise_protocol_error(frame: bytes, cuts: list[int]) -> None:
    decode_stream(frame, cuts)


@needs_corpus
@FUZZ
@given(frame=mutated())
def test_mutated_message_bodies_only_raise_protocol_error(frame: bytes) -> None:
    """decode_message straight on a body (no frame header check), at every message boundary it reports."""
    body = frame[PROTO_HEADER_SIZE:]
    offset = 0
    try:
        while offset < len(body):
            message, next_offset = decode_message(body, offset)
            assert offset < next_offset <= len(body)
            for op in message.ops:
                decode_value_deeply(op.particle_type, op.value)
            offset = next_offset
    except ProtocolError:
        pass


@needs_corpus
@FUZZ
@given(frame=mutated(), particle_type=st.integers(0, 255))
def test_op_values_under_any_particle_type_only_raise_protocol_error(frame: bytes, particle_type: int) -> None:
    """Every value of a (mutated) frame decoded as every particle type: a wrong type is a ProtocolError."""
    try:
        messages = decode_messages(frame[PROTO_HEADER_SIZE:])
    except ProtocolError:
        return
    for message in messages:
        for op in message.ops:
            try:
                decode_value_deeply(particle_type, op.value)
            except ProtocolError:
                pass


# --------------------------------------------------------------------------------------------------------------
# Random input and the reader's own contract.


@FUZZ
@given(data=st.binary(max_size=256), cuts=st.lists(st.integers(0, 256), max_size=6))
def test_random_bytes_only_raise_protocol_error(data: bytes, cuts: list[int]) -> None:
    decode_stream(data, cuts)
    for decode in (decode_messages, parse_info_reply, admin.decode_messages):
        try:
            decode(data)
        except ProtocolError:
            pass
    try:
        compression.decompress_body(data, MAX_TEST_FRAME)
    except ProtocolError:
        pass


@needs_corpus
@FUZZ
@given(indexes=st.lists(st.integers(0, 1 << 30), min_size=1, max_size=4), cuts=st.lists(st.integers(0, 1 << 17)))
def test_real_frames_decode_the_same_however_they_are_split(indexes: list[int], cuts: list[int]) -> None:
    frames = [CORPUS[index % len(CORPUS)] for index in indexes]
    stream = b"".join(frames)
    reassembled, reader = feed_in_pieces(stream, cuts)
    assert [PROTO_HEADER_SIZE + len(frame.body) for frame in reassembled] == [len(frame) for frame in frames]
    assert [frame.body for frame in reassembled] == [frame[PROTO_HEADER_SIZE:] for frame in frames]
    assert reader.pending == 0
    for frame in reassembled:
        decode_body(frame.proto_type, frame.body)  # unmutated frames decode without error


@needs_corpus
@FUZZ
@given(index=st.integers(0, 1 << 30), cut=st.integers(0, 1 << 30))
def test_a_frame_cut_short_means_need_more_data(index: int, cut: int) -> None:
    frame = CORPUS[index % len(CORPUS)]
    cut %= len(frame)
    reader = FrameReader(MAX_TEST_FRAME)
    reader.feed(frame[:cut])
    assert reader.next_frame() is None and reader.pending == cut
    reader.feed(frame[cut:])
    whole: Optional[Frame] = reader.next_frame()
    assert whole is not None and whole.body == frame[PROTO_HEADER_SIZE:] and reader.pending == 0


@FUZZ
@given(word=st.integers(0, (1 << 64) - 1))
def test_any_header_word_is_accepted_or_a_protocol_error(word: int) -> None:
    header = struct.pack(">Q", word)
    reader = FrameReader(MAX_TEST_FRAME)
    reader.feed(header)
    try:
        frame = reader.next_frame()
    except ProtocolError:
        version, proto_type, length = word >> 56, (word >> 48) & 0xFF, word & ((1 << 48) - 1)
        assert version != 2 or proto_type not in (1, 2, 3, 4) or length > MAX_TEST_FRAME
        return
    assert (frame is None) == (word & ((1 << 48) - 1) > 0)


def test_the_corpus_covers_every_frame_kind_the_client_reads() -> None:
    """Guards the fuzzers above: the corpus holds info, message and compressed frames with list/map values."""
    if not CORPUS:
        pytest.skip("wire transcripts not found (set AEROSPIKE_TRANSCRIPTS)")
    kinds = {frame[1] for frame in CORPUS}
    assert {PROTO_TYPE_INFO, PROTO_TYPE_MESSAGE, PROTO_TYPE_COMPRESSED} <= kinds
    particle_types = {
        op.particle_type
        for frame in CORPUS
        if frame[1] == PROTO_TYPE_MESSAGE
        for message in decode_messages(frame[PROTO_HEADER_SIZE:])
        for op in message.ops
    }
    assert {PARTICLE_LIST, PARTICLE_MAP} <= particle_types
    assert sum(decode_body(frame[1], frame[PROTO_HEADER_SIZE:]) for frame in CORPUS) > 100
