"""Bin particles: golden bytes from the wire transcripts both ways, round trips, and hostile input."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aerospike.protocol import constants as c
from aerospike.protocol.errors import ProtocolError
from aerospike.protocol.particles import decode_geojson, decode_value, encode_geojson, encode_value
from tests.support.transcripts import find, messages, split_note

GEO_POINT = '{"type": "Point", "coordinates": [-122.0, 37.5]}'

# (transcript put source fragment, get source fragment, bins as put); bools are sent as BOOL by 19.3.0.
PUTS = [
    ("'s03', 'int'), {", "get(('test', 's03', 'int'))",
     {"i": 7, "zero": 0, "neg": -1, "i255": 255, "i2_31": 2**31, "max": 2**63 - 1, "min": -(2**63)}),
    ("'s03', 'float'), {", "get(('test', 's03', 'float'))", {"f": 2.5, "fneg": -0.1, "fbig": 1e300, "fzero": 0.0}),
    ("'s03', 'str'), {", "get(('test', 's03', 'str'))", {"s": "hello", "su": "héllo wörld ✓ 日本", "empty": ""}),
    ("'s03', 'bytes'), {", "get(('test', 's03', 'bytes'))", {"b": b"\x00\x01\xff", "ba": bytearray(b"abc")}),
    ("'s03', 'list'), {", "get(('test', 's03', 'list'))",
     {"l": [1, "a", 2.5, [2, 3], {"k": "v"}, b"\x01", None, True, -5]}),
    ("'s03', 'map'), {", "get(('test', 's03', 'map'))",
     {"m": {"x": 1, 2: "y", "nested": {"a": [1, 2], "b": {"c": None}}, "f": 1.5}}),
    ("'s03', 'bool'), {", "get(('test', 's03', 'bool'))", {"t": True, "f": False}),
]


def _request_ops(put_fragment: str) -> dict[str, tuple[int, bytes]]:
    exchange = find("03-single-record", put_fragment)
    (message,) = messages(exchange.request)
    return {op.bin_name: (op.particle_type, op.value) for op in message.ops}


@pytest.mark.parametrize("put_fragment, get_fragment, bins", PUTS)
def test_encode_matches_official_client(put_fragment, get_fragment, bins):
    recorded = _request_ops("client.put(('test', " + put_fragment)
    assert set(recorded) == set(bins)
    for name, value in bins.items():
        particle_type, data = encode_value(value, bool_as_int=False)
        if isinstance(value, dict):
            # The official client writes unordered maps in its hash table's order; only content is fixed.
            assert particle_type == recorded[name][0] and len(data) == len(recorded[name][1])
            assert decode_value(particle_type, data) == decode_value(*recorded[name])
        else:
            assert (particle_type, data) == recorded[name], name


@pytest.mark.parametrize("put_fragment, get_fragment, bins", PUTS)
def test_decode_matches_official_client(put_fragment, get_fragment, bins):
    exchange = find("03-single-record", get_fragment)
    (message,) = messages(exchange.replies[0])
    _, result = split_note(exchange.note)
    expected = eval(result, {"bytearray": bytearray})[2]  # the official client's repr of the record
    decoded = {op.bin_name: decode_value(op.particle_type, op.value) for op in message.ops}
    assert decoded == expected
    assert decoded == {name: (bytearray(v) if isinstance(v, bytes) else v) for name, v in bins.items()}


def test_geojson_golden_both_ways():
    recorded = _request_ops("client.put(('test', 's03', 'geo')")
    assert recorded["g"] == (c.PARTICLE_GEOJSON, encode_geojson(GEO_POINT))
    assert encode_value(object(), lambda v: (c.PARTICLE_GEOJSON, GEO_POINT.encode())) == recorded["g"]
    exchange = find("03-single-record", "get(('test', 's03', 'geo'))")
    ((reply_op,),) = [m.ops for m in messages(exchange.replies[0])]
    assert reply_op.value[:3] != b"\x00\x00\x00"  # the reply carries cell ids
    assert decode_value(reply_op.particle_type, reply_op.value) == GEO_POINT
    assert decode_value(reply_op.particle_type, reply_op.value, geo_factory=lambda t: ("geo", t)) == ("geo", GEO_POINT)


def test_none_is_null_particle():
    assert encode_value(None) == (c.PARTICLE_NULL, b"")
    recorded = _request_ops("client.put(('test', 's03', 'null'), {")
    assert recorded["n"] == encode_value(None)
    assert decode_value(c.PARTICLE_NULL, b"") is None


def test_bool_as_int_default_and_bool_decoding():
    assert encode_value(True) == (c.PARTICLE_INTEGER, struct.pack(">q", 1))
    assert encode_value(False) == (c.PARTICLE_INTEGER, struct.pack(">q", 0))
    assert decode_value(c.PARTICLE_BOOL, b"\x01") is True
    assert decode_value(c.PARTICLE_BOOL, b"\x00") is False


def test_int_range():
    assert encode_value(2**63 - 1)[1] == b"\x7f" + b"\xff" * 7
    for bad in (2**63, -(2**63) - 1, 2**80):
        with pytest.raises(ProtocolError):
            encode_value(bad)


def test_short_integers_are_accepted():
    assert decode_value(c.PARTICLE_INTEGER, b"\x01") == 1
    assert decode_value(c.PARTICLE_INTEGER, b"\xff\xfe") == -2


def test_fallback_and_typed_blobs():
    marker = object()
    assert encode_value(marker, lambda v: (c.PARTICLE_PYTHON_BLOB, b"pickled")) == (c.PARTICLE_PYTHON_BLOB, b"pickled")
    with pytest.raises(ProtocolError):
        encode_value(marker)
    with pytest.raises(ProtocolError):
        encode_value((1, 2))  # tuples are not a mapped type in 3.0.0
    assert decode_value(c.PARTICLE_PYTHON_BLOB, b"xy") == b"xy"
    assert decode_value(c.PARTICLE_JAVA_BLOB, b"xy", blob_factory=lambda t, d: (t, d)) == (c.PARTICLE_JAVA_BLOB, b"xy")
    assert decode_value(c.PARTICLE_HLL, b"\x01\x02") == b"\x01\x02"


def test_subclasses_encode_like_their_base():
    class MyStr(str):
        pass

    class MyInt(int):
        pass

    assert encode_value(MyStr("ab")) == (c.PARTICLE_STRING, b"ab")
    assert encode_value(MyInt(5)) == encode_value(5)
    assert encode_value(memoryview(b"ab")) == (c.PARTICLE_BLOB, b"ab")


def test_blob_decodes_to_bytearray():
    value = decode_value(c.PARTICLE_BLOB, b"ab")
    assert type(value) is bytearray and value == b"ab"


@pytest.mark.parametrize(
    "particle_type, data",
    [
        (c.PARTICLE_INTEGER, b""),
        (c.PARTICLE_INTEGER, b"\x00" * 9),
        (c.PARTICLE_FLOAT, b"\x00" * 7),
        (c.PARTICLE_STRING, b"\xff\xfe"),
        (c.PARTICLE_BOOL, b""),
        (c.PARTICLE_GEOJSON, b"\x00\x00"),
        (c.PARTICLE_GEOJSON, b"\x00\x00\x02" + b"\x00" * 8),
        (c.PARTICLE_LIST, b"\x93\x01"),
        (c.PARTICLE_MAP, b"\xc1"),
        (99, b""),
    ],
)
def test_malformed_particles_raise_protocol_error(particle_type, data):
    with pytest.raises(ProtocolError):
        decode_value(particle_type, data)


def test_decode_geojson_bounds():
    assert decode_geojson(b"\x00\x00\x01" + b"\x00" * 8 + b"{}") == "{}"


@given(st.sampled_from(sorted({0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 17, 18, 19, 20, 23, 5, 6, 255})), st.binary(max_size=64))
def test_random_particles_only_raise_protocol_error(particle_type, data):
    try:
        decode_value(particle_type, data)
    except ProtocolError:
        pass


scalars = (
    st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary()
    | st.none()
)
keys = st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text() | st.binary()
values = st.recursive(
    scalars, lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5), max_leaves=30
)


def _normalize(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, list):
        return [_normalize(item) for item in value]
    if isinstance(value, dict):
        return {_normalize(k): _normalize(v) for k, v in value.items()}
    return value


@given(values)
def test_round_trip(value):
    particle_type, data = encode_value(value)
    assert _normalize(decode_value(particle_type, data)) == _normalize(value)
