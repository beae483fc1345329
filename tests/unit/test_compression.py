"""Compressed frames (proto type 4): golden requests from the transcripts and hostile bodies."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aerospike.protocol.compression import compress_frame, decompress_body
from aerospike.protocol.errors import ProtocolError
from tests.support.transcripts import load


def _compressed_requests():
    return [exchange.request for exchange in load("12-compress") if exchange.request[1] == 4]


def test_golden_requests_both_ways():
    requests = _compressed_requests()
    assert len(requests) == 2
    for request in requests:
        inner = decompress_body(request[8:])
        assert inner[:2] == b"\x02\x03"
        assert int.from_bytes(inner[2:8], "big") == len(inner) - 8
        assert compress_frame(inner) == request


def test_size_mismatch_and_limits():
    inner = b"\x02\x03" + (10).to_bytes(6, "big") + b"x" * 10
    body = compress_frame(inner)[8:]
    assert decompress_body(body) == inner
    with pytest.raises(ProtocolError):
        decompress_body(body, max_size=len(inner) - 1)
    wrong_size = (len(inner) + 1).to_bytes(8, "big") + body[8:]
    with pytest.raises(ProtocolError):
        decompress_body(wrong_size)
    short_size = (len(inner) - 1).to_bytes(8, "big") + body[8:]
    with pytest.raises(ProtocolError):
        decompress_body(short_size)
    with pytest.raises(ProtocolError):
        decompress_body(body[:-3])
    with pytest.raises(ProtocolError):
        decompress_body(body + b"junk")
    with pytest.raises(ProtocolError):
        decompress_body(body[:5])


def test_zip_bomb_is_stopped_at_the_stated_size():
    bomb = zlib.compress(b"\x00" * 50_000_000, 9)
    with pytest.raises(ProtocolError):
        decompress_body((100).to_bytes(8, "big") + bomb, max_size=1000)


@given(st.binary(max_size=64))
def test_random_bodies_only_raise_protocol_error(body):
    try:
        decompress_body(body, max_size=1 << 20)
    except ProtocolError:
        pass


@given(st.binary(max_size=2000))
def test_round_trip(payload):
    inner = b"\x02\x03" + len(payload).to_bytes(6, "big") + payload
    assert decompress_body(compress_frame(inner)[8:]) == inner
