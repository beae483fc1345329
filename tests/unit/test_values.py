"""Values: serializer rules, bool handling, null(), GeoJSON, bin names, decoding of typed blobs."""

from __future__ import annotations

import pickle
from typing import Iterator

import pytest

import aerospike
from aerospike.exception import BinNameError, ClientError, ParamError
from aerospike.protocol.constants import (
    PARTICLE_BLOB,
    PARTICLE_BOOL,
    PARTICLE_GEOJSON,
    PARTICLE_INTEGER,
    PARTICLE_LIST,
    PARTICLE_NULL,
    PARTICLE_PYTHON_BLOB,
)
from aerospike.values import GeoJSON, ValueCodec, check_bin_name


@pytest.fixture(autouse=True)
def _no_class_serializers() -> Iterator[None]:
    aerospike.unset_serializers()
    yield
    aerospike.unset_serializers()


def test_supported_types_and_bool_through_the_serializer() -> None:
    # 3.0.0 sends bool and None through the serializer policy: pickled by default, so they read back as such.
    codec = ValueCodec()
    assert codec.encode(True) == (PARTICLE_PYTHON_BLOB, pickle.dumps(True))
    assert codec.decode(*codec.encode(True)) is True
    assert codec.encode(None) == (PARTICLE_PYTHON_BLOB, pickle.dumps(None))
    assert codec.encode(7) == (PARTICLE_INTEGER, (7).to_bytes(8, "big"))
    assert codec.encode(aerospike.null()) == (PARTICLE_NULL, b"")
    assert codec.encode(bytearray(b"ab")) == (PARTICLE_BLOB, b"ab")
    assert codec.encode([True])[0] == PARTICLE_LIST


def test_unsupported_type_is_pickled_by_default() -> None:
    codec = ValueCodec()
    particle_type, data = codec.encode((1, 2, 3))
    assert particle_type == PARTICLE_PYTHON_BLOB
    assert pickle.loads(data) == (1, 2, 3)
    assert codec.decode(particle_type, data) == (1, 2, 3)


def test_unpickling_can_be_turned_off() -> None:
    data = pickle.dumps({1, 2})
    assert ValueCodec(unpickle=False).decode(PARTICLE_PYTHON_BLOB, data) == bytearray(data)
    # 3.0.0: a Python blob that does not unpickle reads as its bytes.
    assert ValueCodec().decode(PARTICLE_PYTHON_BLOB, b"not a pickle") == bytearray(b"not a pickle")


def test_serializer_none_refuses() -> None:
    with pytest.raises(ParamError) as raised:
        ValueCodec().encode((1, 2), aerospike.SERIALIZER_NONE)
    assert raised.value.msg == "Cannot serialize: SERIALIZER_NONE selected"
    with pytest.raises(ClientError) as failed:
        ValueCodec().encode((1, 2), 99)
    assert (failed.value.code, failed.value.msg) == (-1, "Unsupported serializer")


def test_user_serializer_instance_level_beats_class_level() -> None:
    aerospike.set_serializer(lambda value: "class")
    assert ValueCodec().encode((1,), aerospike.SERIALIZER_USER) == (PARTICLE_BLOB, b"class")
    assert ValueCodec(serializer=lambda value: "inst").encode((1,), aerospike.SERIALIZER_USER) == (
        PARTICLE_BLOB,
        b"inst",
    )
    # 3.0.0 stores the UTF-8 of a str: a serializer returning anything else, or raising, fails.
    for serializer, message in ((lambda value: b"x", "Unable to set as_bytes"),
                                (lambda value: 1 / 0, "Unable to call user's registered serializer callback")):
        with pytest.raises(ClientError) as raised:
            ValueCodec(serializer=serializer).encode((1,), aerospike.SERIALIZER_USER)
        assert (raised.value.code, raised.value.msg) == (-1, message)


def test_user_serializer_missing() -> None:
    with pytest.raises(ClientError) as raised:
        ValueCodec().encode((1,), aerospike.SERIALIZER_USER)
    assert raised.value.msg == "No serializer callback registered"


def test_deserializer_runs_on_generic_blobs() -> None:
    assert ValueCodec().decode(PARTICLE_BLOB, b"[1]") == bytearray(b"[1]")
    aerospike.set_deserializer(lambda data: ("class", data))
    assert ValueCodec().decode(PARTICLE_BLOB, b"x") == ("class", "x")  # 3.0.0 hands it a str
    assert ValueCodec(deserializer=lambda data: "inst").decode(PARTICLE_BLOB, b"x") == "inst"
    # A deserializer that fails, or a blob that is not UTF-8, reads as the raw bytearray.
    assert ValueCodec(deserializer=lambda data: 1 / 0).decode(PARTICLE_BLOB, b"x") == bytearray(b"x")
    assert ValueCodec(deserializer=lambda data: "inst").decode(PARTICLE_BLOB, b"\xff") == bytearray(b"\xff")


def test_server_bool_reads_as_bool() -> None:
    assert ValueCodec().decode(PARTICLE_BOOL, b"\x01") is True


def test_geojson() -> None:
    point = {"type": "Point", "coordinates": [-122.0, 37.5]}
    geo = GeoJSON(point)
    assert geo.unwrap() == point
    assert geo.dumps() == '{"type": "Point", "coordinates": [-122.0, 37.5]}'
    assert aerospike.geojson(geo.dumps()) == geo
    assert aerospike.geodata(point) == geo
    other = GeoJSON({})
    assert other.loads('{"type": "Point", "coordinates": [0, 0]}') == 0
    assert other.unwrap()["coordinates"] == [0, 0]
    assert other.wrap(point) == 0
    assert other == geo and other.geo_data is point
    assert repr(geo) == "'" + geo.dumps() + "'" and str(geo) == geo.dumps()
    particle_type, data = ValueCodec().encode(geo)
    assert particle_type == PARTICLE_GEOJSON and data == b"\x00\x00\x00" + geo.dumps().encode()
    decoded = ValueCodec().decode(PARTICLE_GEOJSON, b"\x00\x00\x01" + bytes(8) + geo.dumps().encode())
    assert isinstance(decoded, GeoJSON) and decoded == geo
    # 3.0.0's errors: (call, class, message).
    for call, cls, message in [
        (lambda: GeoJSON(), ParamError, "GeoJSON() expects exactly 1 parameter"),
        (lambda: GeoJSON(5), ParamError, "Geospatial data should be a dictionary or raw GeoJSON string"),
        (lambda: GeoJSON(None), ParamError, "Geospatial data should be a dictionary or raw GeoJSON string"),
        (lambda: GeoJSON("[1, 2]"), ParamError, "Geospatial data should be a dictionary or raw GeoJSON string"),
        (lambda: GeoJSON("not json"), ClientError, "String is not GeoJSON serializable"),
        (lambda: geo.wrap("{}"), ParamError, "Geospatial data should be a dictionary or raw GeoJSON string"),
        (lambda: geo.loads({}), ParamError, "Argument should be a GeoJSON string"),
        (lambda: geo.loads("{"), ClientError, "String is not GeoJSON serializable"),
        (lambda: aerospike.geodata("{}"), ParamError, "The geospatial data should be a dictionary"),
        (lambda: aerospike.geojson({}), ParamError, "The geospatial data should be a GeoJSON string"),
        (lambda: aerospike.geojson("nope"), ClientError, "String is not GeoJSON serializable"),
        (lambda: GeoJSON({"a": {1, 2}}).dumps(), ClientError, "Unable to call dumps function"),
    ]:
        with pytest.raises(cls) as raised:
            call()
        assert type(raised.value) is cls and raised.value.msg == message
    with pytest.raises(TypeError):
        aerospike.geodata()  # type: ignore[call-arg]


def test_null_is_a_singleton() -> None:
    assert aerospike.null() is aerospike.null()
    assert pickle.loads(pickle.dumps(aerospike.null())) is aerospike.null()


def test_bin_names() -> None:
    assert check_bin_name("a" * 14) == b"a" * 14
    with pytest.raises(BinNameError):
        check_bin_name("a" * 15)
    with pytest.raises(ParamError):
        check_bin_name(5)
    with pytest.raises(BinNameError):
        ValueCodec().bins_to_ops({"é" * 8: 1})
    with pytest.raises(ClientError) as raised:
        ValueCodec().bins_to_ops({1: 1})
    assert raised.value.msg == "A bin name must be a string or unicode string."
    with pytest.raises(ParamError):
        ValueCodec().bins_to_ops([("a", 1)])


def test_out_of_range_integer() -> None:
    with pytest.raises(ParamError):
        ValueCodec().bins_to_ops({"a": 2**64})


def test_bins_to_ops_order_and_reply_decoding() -> None:
    codec = ValueCodec()
    ops = codec.bins_to_ops({"a": 1, "b": "x", "c": None})
    assert [op.bin_name for op in ops] == ["a", "b", "c"]
    assert codec.ops_to_bins(ops) == {"a": 1, "b": "x", "c": None}


def test_log_level_and_handler() -> None:
    seen = []
    aerospike.set_log_level(aerospike.LOG_LEVEL_DEBUG)
    aerospike.set_log_handler(lambda level, func, path, line, msg: seen.append((level, msg)))
    try:
        import logging

        logging.getLogger("aerospike").debug("hello %s", "there")
        assert seen == [(aerospike.LOG_LEVEL_DEBUG, "hello there")]
        # 3.0.0 takes any int (past TRACE logs everything) and returns 0; a non-int or non-callable is refused.
        assert aerospike.set_log_level(42) == 0
        logging.getLogger("aerospike").log(5, "trace")
        assert seen[-1] == (aerospike.LOG_LEVEL_TRACE, "trace")
        for call, message in [
            (lambda: aerospike.set_log_level("3"), "Invalid log level"),
            (lambda: aerospike.set_log_level(None), "Invalid log level"),
            (lambda: aerospike.set_log_handler(None), "Log handler must be callable"),
        ]:
            with pytest.raises(ParamError) as raised:
                call()
            assert raised.value.msg == message
    finally:
        assert aerospike.set_log_handler(lambda *args: None) == 0
        aerospike.set_log_level(aerospike.LOG_LEVEL_WARN)
