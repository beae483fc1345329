"""CDT msgpack encoding: golden bytes from list/map transcripts, ordered maps, the op packer, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aerospike.protocol import cdt
from aerospike.protocol.errors import ProtocolError
from tests.support.transcripts import find, messages


def _op_values(frame: bytes) -> list[bytes]:
    return [op.value for message in messages(frame) for op in message.ops]


def test_list_golden_both_ways():
    value = [1, "a", 2.5, [2, 3], {"k": "v"}, b"\x01", None, True, -5]
    exchange = find("03-single-record", "client.put(('test', 's03', 'list')")
    (recorded,) = _op_values(exchange.request)
    assert cdt.pack(value, bool_as_int=False) == recorded
    assert recorded.hex() == "9901a20361cb400400000000000092020381a2036ba20376a20401c0c3fb"
    assert cdt.unpack(recorded) == [1, "a", 2.5, [2, 3], {"k": "v"}, bytearray(b"\x01"), None, True, -5]


def test_bool_as_int_writes_integers():
    assert cdt.pack([True, False]) == b"\x92\x01\x00"
    assert cdt.pack([True, False], bool_as_int=False) == b"\x92\xc3\xc2"


def test_key_ordered_map_golden():
    exchange = find("03-single-record", "client.put(('test', 's03', 'kom')")
    (recorded,) = _op_values(exchange.request)
    assert recorded.hex() == "84c70001c0a2036101a2036202a203639103"
    assert cdt.pack_map({"b": 2, "a": 1, "c": [3]}, cdt.MAP_KEY_ORDERED) == recorded
    assert cdt.unpack(recorded) == {"a": 1, "b": 2, "c": [3]}


def test_registered_map_type_packs_ordered_even_nested():
    class KeyOrdered(dict):
        pass

    cdt.register_map_type(KeyOrdered, cdt.MAP_KEY_ORDERED)
    nested = cdt.pack([KeyOrdered({"b": 2, "a": 1, "c": [3]})])
    assert nested == b"\x91" + bytes.fromhex("84c70001c0a2036101a2036202a203639103")


def test_key_ordered_sort_uses_server_type_order():
    packed = cdt.pack_map({b"z": 1, "b": 2, 5: 3, None: 4, 1.5: 5}, cdt.MAP_KEY_ORDERED)
    assert list(cdt.unpack(packed)) == [None, 5, "b", b"z", 1.5]


def test_preserve_order_result_as_flat_list():
    exchange = find("06-map-ops", "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_KEY_VALUE)")
    (reply,) = _op_values(exchange.replies[0])
    assert reply.hex() == "83c70008c0a2036201a2036303"
    assert cdt.unpack(reply, preserved_map_as_list=True) == ["b", 1, "c", 3]
    assert cdt.unpack(reply) == {"b": 1, "c": 3}


def test_op_packer_golden_requests():
    # lo.list_get_by_value_rank_range_relative('l', 3, 0, LIST_RETURN_VALUE, 2) -> [27, 7, 3, 0, 2]
    exchange = find("05-list-ops", "lo.list_get_by_value_rank_range_relative('l', 3, 0")
    (recorded,) = _op_values(exchange.request)
    assert cdt.pack_op(27, 7, 3, 0, 2) == recorded
    # mo.map_get_by_key_list('m', ['a', 'c', 'zz'], MAP_RETURN_KEY_VALUE) -> [107, 8, ['a', 'c', 'zz']]
    exchange = find("06-map-ops", "mo.map_get_by_key_list('m', ['a', 'c', 'zz'], aerospike.MAP_RETURN_KEY_VALUE)")
    (recorded,) = _op_values(exchange.request)
    assert cdt.pack_op(107, 8, ["a", "c", "zz"]) == recorded


def test_packer_pieces():
    packer = cdt.CdtPacker()
    packer.array_header(3).integer(-1).string("é").blob(b"\x00")
    packer.map_header(2).map_marker(cdt.MAP_KEY_ORDERED).nil().wildcard().infinity().raw(b"\xc0")
    assert packer.getvalue() == b"\x93\xff\xa3\x03\xc3\xa9\xa2\x04\x00\x82\xc7\x00\x01\xc0\xd4\xff\x00\xd4\xff\x01\xc0"
    assert len(packer) == len(packer.getvalue())
    with pytest.raises(ProtocolError):
        cdt.CdtPacker().integer(2**63)


def test_fallback_embeds_prefixed_payload():
    marker = object()
    packed = cdt.pack([marker], lambda v: (9, b"pk"))
    assert packed == b"\x91\xa3\x09pk"
    assert cdt.unpack(packed) == [b"pk"]
    assert cdt.unpack(packed, blob_factory=lambda t, d: (t, d)) == [(9, b"pk")]
    with pytest.raises(ProtocolError):
        cdt.pack([marker])


def test_geojson_inside_list():
    packed = cdt.pack([object()], lambda v: (23, b'{"a":1}'))
    assert packed == b"\x91\xa8\x17" + b'{"a":1}'
    assert cdt.unpack(packed) == ['{"a":1}']
    assert cdt.unpack(packed, geo_factory=lambda text: ("geo", text)) == [("geo", '{"a":1}')]


def test_blob_map_keys_come_back_hashable():
    assert cdt.unpack(cdt.pack({b"k": b"v"})) == {b"k": bytearray(b"v")}


def test_top_level_scalars():
    assert cdt.unpack(cdt.pack("x")) == "x"
    assert cdt.unpack(b"\x05") == 5


@pytest.mark.parametrize(
    "data",
    [b"", b"\x92\x01", b"\xc1", b"\x91\xa2\x03\xff", b"\xd4\xff\x00", b"\x81\x81\x01\x02\x03", b"\x91\x01\x02",
     b"\x82\xc7\x00\x01\x01\x01\x02"],
)
def test_malformed_raises_protocol_error(data):
    with pytest.raises(ProtocolError):
        cdt.unpack(data)


def test_deep_nesting_raises_protocol_error():
    with pytest.raises(ProtocolError):
        cdt.unpack(b"\x91" * 100_000 + b"\x01")


def test_int_out_of_range():
    with pytest.raises(ProtocolError):
        cdt.pack([2**63])


@given(st.binary(max_size=64))
def test_random_bytes_only_raise_protocol_error(data):
    try:
        cdt.unpack(data)
    except ProtocolError:
        pass


scalars = (
    st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary()
    | st.none()
    | st.booleans()
)
keys = st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text() | st.binary()
values = st.recursive(
    scalars, lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5), max_leaves=30
)


def _normalize(value):
    if isinstance(value, (bytes, bytearray)):
        return ("b", bytes(value))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, list):
        return [_normalize(item) for item in value]
    if isinstance(value, dict):
        return {_normalize(k): _normalize(v) for k, v in value.items()}
    return value


@given(values)
def test_round_trip(value):
    assert _normalize(cdt.unpack(cdt.pack(value, bool_as_int=False))) == _normalize(value)


@given(st.dictionaries(keys, scalars, max_size=8), st.sampled_from([1, 3]))
def test_ordered_map_round_trip(mapping, order):
    assert _normalize(cdt.unpack(cdt.pack_map(mapping, order, bool_as_int=False))) == _normalize(mapping)


@pytest.mark.parametrize("size", [0, 30, 31, 32, 254, 255, 300, 70000])
def test_strings_and_blobs_get_the_smallest_str_header(size: int) -> None:
    """Like the official C client: fixstr to 31 bytes, then str8, str16, str32 (prefix byte included)."""
    for value, prefix in (("x" * size, b"\x03"), (bytes([0x80, 0xFF]) * (size // 2), b"\x04")):
        packed = cdt.pack([value])
        length = len(prefix) + (size if isinstance(value, str) else 2 * (size // 2))
        if length < 32:
            header = bytes([0xA0 | length])
        elif length < 256:
            header = b"\xd9" + bytes([length])
        elif length < 65536:
            header = b"\xda" + length.to_bytes(2, "big")
        else:
            header = b"\xdb" + length.to_bytes(4, "big")
        assert packed[1:].startswith(header + prefix)
        assert cdt.unpack(packed) == [value if isinstance(value, str) else bytearray(value)]
