"""3.0.0's contract for batch reads, scans, queries and predicates, checked without a server.

Each table row is (call, expected exception class, code, message) or (call, expected value), taken from the
official 3.0.0 client's C source (predicates.c, query/where.c, client/query.c, scan/*.c, policy.c).
"""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

import aerospike
from aerospike import exception
from aerospike import predicates as p
from aerospike.batch import BatchRead, parse_keys
from aerospike.jobs import job_info, query_apply, scan_apply, scan_info
from aerospike.protocol.constants import INFO1_GET_ALL, INFO1_READ
from aerospike.query import (
    BinSelection,
    IndexFilter,
    Query,
    apply_filter,
    callback_runner,
    encode_filter,
    where_filter,
)
from aerospike.scan import Scan, ScanOptions
from aerospike.testing.record_ops import s2_leaf_cell
from aerospike.testing.sindex import parse_filter, valid_geo_filter

NUMERIC, STRING, GEO = aerospike.INDEX_NUMERIC, aerospike.INDEX_STRING, aerospike.INDEX_GEO2DSPHERE


class FakeClient:
    """Only what argument checking touches: the connection check and policy resolution."""

    def __init__(self, connected: bool = True) -> None:
        self.connected = connected
        self.resolved: list = []

    def _connected_cluster(self) -> object:
        if not self.connected:
            raise exception.ClusterError(exception.ClusterError.code, "No connection to aerospike cluster")
        return object()

    def _resolve(self, kind: str, policy: Any) -> None:
        self.resolved.append((kind, policy))


def raises(call: Callable[[], Any], cls: type, code: Any = None, msg: Any = None) -> None:
    with pytest.raises(cls) as info:
        call()
    if code is not None:
        assert info.value.code == code
    if msg is not None:
        assert info.value.msg == msg


# ------------------------------------------------------------------------------------------------ predicates

PREDICATE_VALUES = [
    (lambda: p.equals("n", 5), (0, NUMERIC, "n", 5)),
    (lambda: p.equals("n", True), (0, NUMERIC, "n", True)),
    (lambda: p.equals("s", "x"), (0, STRING, "s", "x")),
    (lambda: p.equals(5, 5), (0, NUMERIC, 5, 5)),  # the bin is not checked until where()
    (lambda: p.equals(bytearray(b"bin"), 1), (0, NUMERIC, bytearray(b"bin"), 1)),
    (lambda: p.equals("n", 1.5), None),
    (lambda: p.equals("n", b"x"), None),
    (lambda: p.equals("n", None), None),
    (lambda: p.between("n", 1, 9), (1, NUMERIC, "n", 1, 9)),
    (lambda: p.between("n", 1, "9"), None),
    (lambda: p.between("n", 1.0, 9), None),
    (lambda: p.contains("l", aerospike.INDEX_TYPE_LIST, 4), (0, NUMERIC, "l", 4, None, 1)),
    (lambda: p.contains("m", aerospike.INDEX_TYPE_MAPKEYS, "k"), (0, STRING, "m", "k", None, 2)),
    (lambda: p.contains("l", 9, 4), (0, NUMERIC, "l", 4, None, 9)),
    (lambda: p.contains("l", "1", 4), None),
    (lambda: p.contains("l", aerospike.INDEX_TYPE_LIST, [1]), None),
    (lambda: p.range("m", aerospike.INDEX_TYPE_MAPVALUES, 1, 2), (1, NUMERIC, "m", 1, 2, 3)),
    (lambda: p.range("l", aerospike.INDEX_TYPE_LIST, 1, None), None),
    (lambda: p.range("l", None, 1, 2), None),
    (lambda: p.geo_within_geojson_region("loc", "{}"), (1, GEO, "loc", "{}", None, 0)),
    (lambda: p.geo_within_geojson_region("loc", "{}", 1), (1, GEO, "loc", "{}", None, 1)),
    (lambda: p.geo_within_geojson_region("loc", 5), None),
    (lambda: p.geo_within_geojson_region("loc", aerospike.GeoJSON({"type": "Point", "coordinates": [0, 0]})), None),
    (lambda: p.geo_contains_geojson_point("rgn", '{"type": "Point"}'), (1, GEO, "rgn", '{"type": "Point"}', None, 0)),
    (lambda: p.geo_contains_geojson_point("rgn", b"{}"), None),
]


@pytest.mark.parametrize(("call", "expected"), PREDICATE_VALUES)
def test_predicate_values_as_3_0_0(call: Callable[[], Any], expected: Any) -> None:
    assert call() == expected


def test_geo_helpers_build_json_shapes() -> None:
    circle = p.geo_within_radius("loc", -122.0, 37.0, 2500)
    assert circle == (1, GEO, "loc", '{"type": "AeroCircle", "coordinates": [[-122.0, 37.0], 2500]}', None, 0)
    point = p.geo_contains_point("rgn", 1, 2.5, aerospike.INDEX_TYPE_LIST)
    assert json.loads(point[3]) == {"type": "Point", "coordinates": [1, 2.5]} and point[5] == 1


@pytest.mark.parametrize(
    ("call", "msg"),
    [
        (lambda: p.geo_within_radius("loc", "a", 37.0, 10), "Latitude, longitude and radius should be integer or double type, bin of string type"),
        (lambda: p.geo_within_radius(bytearray(b"loc"), 1, 37.0, 10), "Latitude, longitude and radius should be integer or double type, bin of string type"),
        (lambda: p.geo_contains_point(1, 1.0, 2.0), "Latitude and longitude should be integer or double type, bin of string type"),
        (lambda: p.geo_contains_point("rgn", None, 2.0), "Latitude and longitude should be integer or double type, bin of string type"),
    ],
)
def test_geo_helpers_raise_param_error(call: Callable[[], Any], msg: str) -> None:
    raises(call, exception.ParamError, -2, msg)


@pytest.mark.parametrize(
    "call",
    [
        lambda: p.equals(bin="n", val=1),  # type: ignore[call-arg]
        lambda: p.equals("n"),  # type: ignore[call-arg]
        lambda: p.between("n", 1),  # type: ignore[call-arg]
        lambda: p.geo_within_radius("loc", 1, 2),  # type: ignore[call-arg]
    ],
)
def test_predicates_take_positional_arguments_only(call: Callable[[], Any]) -> None:
    with pytest.raises(TypeError):
        call()


# ------------------------------------------------------------------------------------------------ where()

WHERE_REFUSED = [
    (None, "predicate is invalid."),
    ((), "predicate is invalid."),
    ((0,), "predicate is invalid."),
    ((0, 0, "n", 1, None, 0, 7), "predicate is invalid."),
    (("0", 0, "n", 1), "predicate is invalid."),
    ([0, 0, "n", 1], "predicate is invalid."),
    ((0, 0), "Failed to add predicate"),
    ((0, 0, b"n", 1), "Failed to add predicate"),
    ((0, 0, 5, 1), "Failed to add predicate"),
    ((0, 0, "n" * 16, 1), "Failed to add predicate"),
    ((0, STRING, "s", 5), "Failed to add predicate"),
    ((0, STRING, "s", "x", None, 4), "Failed to add predicate"),
    ((0, NUMERIC, "n", 1 << 63), "Failed to add predicate"),
    ((0, GEO, "g", "{}"), "Failed to add predicate"),
    ((1, NUMERIC, "n", 1, "2"), "Failed to add predicate"),
    ((1, STRING, "s", "a", "b"), "Failed to add predicate"),
    ((1, GEO, "g", 5, None, 0), "Failed to add predicate"),
    ((2, NUMERIC, "n", 1), "Failed to add predicate"),
]


@pytest.mark.parametrize(("predicate", "msg"), WHERE_REFUSED)
def test_where_refuses_as_3_0_0(predicate: Any, msg: str) -> None:
    raises(lambda: where_filter(predicate), exception.ParamError, -2, msg)
    query = Query(FakeClient(), "test", "s")
    raises(lambda: query.where(predicate), exception.ParamError, -2, msg)


def test_where_takes_predicates_and_bytearray_bin_names() -> None:
    assert where_filter(p.equals("n", 5)) == IndexFilter(0, NUMERIC, b"n", 5, 5, 0)
    assert where_filter(p.equals(bytearray(b"ab\0cd"), "x")) == IndexFilter(0, STRING, b"ab", "x", "x", 0)
    assert where_filter(p.contains("m", 3, 7)) == IndexFilter(0, NUMERIC, b"m", 7, 7, 3)
    assert where_filter(p.equals("n" * 15, True)) == IndexFilter(0, NUMERIC, b"n" * 15, 1, 1, 0)
    region = p.geo_within_radius("loc", 1, 2, 3)
    assert where_filter(region).begin == region[3]


def test_where_keeps_the_first_predicate_and_needs_a_connection() -> None:
    query = Query(FakeClient(), "test", "s")
    query.where(p.equals("a", 1))
    query.where(p.equals("b", 2))
    assert query._predicate == IndexFilter(0, NUMERIC, b"a", 1, 1, 0)
    raises(lambda: query.where(None), exception.ParamError, -2, "predicate is invalid.")
    unconnected = Query(FakeClient(connected=False), "test", "s")
    raises(lambda: unconnected.where(p.equals("a", 1)), exception.ClusterError, 11, "No connection to aerospike cluster")
    raises(lambda: unconnected.select("a"), exception.ClusterError, 11)
    with pytest.raises(TypeError):
        query.where(predicate=p.equals("a", 1))  # type: ignore[call-arg]


def test_filter_encoding() -> None:
    index_type, data = encode_filter(p.equals("n", 5))
    assert index_type is None
    assert data == bytes.fromhex("01016e01000000080000000000000005000000080000000000000005")
    index_type, data = encode_filter(p.contains("mp", aerospike.INDEX_TYPE_MAPKEYS, "k3"))
    assert index_type == b"\x02"
    assert data == bytes.fromhex("01026d7003000000026b33000000026b33")
    assert encode_filter(p.equals(bytearray(b"n\0junk"), 5)) == encode_filter(p.equals("n", 5))


# ------------------------------------------------------------------------------------------------ query_apply

APPLY_REFUSED = [
    (None, "Predicate must be a tuple"),
    ([0, 0, "n", 1], "Predicate must be a tuple"),
    ((0,), "Invalid predicate"),
    ((0, "1", "n", 1), "Invalid Predicate"),
    ((0, STRING, 5, "x"), "Bin must be a string or unicode"),
    ((0, STRING, "s", 5), "Comparison value for string equality must be a string"),
    ((0, STRING, "s", "x", None, 9), "Invalid query index type"),
    ((0, NUMERIC, "n", 1, None, 9), "Invalid query index types"),
    ((0, GEO, "g", "{}"), "predicate 'equals' expects a string or integer value."),
    ((1, NUMERIC, "n", 1), "Min and max must be provided for a range query"),
    ((1, NUMERIC, "n", "1", 2), "Min value must be an integer or long"),
    ((1, NUMERIC, "n", 1, 2.0), "Max value must be an integer or long"),
    ((1, STRING, "s", "a", "b"), "Range predicate not supported for strings"),
    ((1, GEO, "g", "{}", None, 0), "predicate 'between' expects two integer values."),
    ((5, NUMERIC, "n", 1), "unknown predicate type"),
]


@pytest.mark.parametrize(("predicate", "msg"), APPLY_REFUSED)
def test_query_apply_predicate_refused_as_3_0_0(predicate: Any, msg: str) -> None:
    raises(lambda: apply_filter(predicate), exception.ParamError, -2, msg)


def test_query_apply_predicates() -> None:
    assert apply_filter(p.between("n", 1, 5)) == IndexFilter(1, NUMERIC, b"n", 1, 5, 0)
    assert apply_filter(p.equals(bytearray(b"s"), "x")) == IndexFilter(0, STRING, b"s", "x", "x", 0)


@pytest.mark.parametrize(
    ("call", "cls", "msg"),
    [
        (lambda c: query_apply(c, 5, "s", p.equals("n", 1), "m", "f", [], None), TypeError, None),
        (lambda c: query_apply(c, "test", "s", p.equals("n", 1), "m", "f", None, None), exception.ParamError, "Arguments should be a list"),
        (lambda c: query_apply(c, "test", 5, p.equals("n", 1), "m", "f", [], None), exception.ParamError, "Set name should be string"),
        (lambda c: query_apply(c, "test", "s", p.equals("n", 1), 5, "f", [], None), exception.ParamError, "Module name should be string"),
        (lambda c: query_apply(c, "test", "s", p.equals("n", 1), "m", None, [], None), exception.ParamError, "Function name should be string"),
        (lambda c: query_apply(c, "test", "s", None, "m", "f", [], None), exception.ParamError, "Predicate must be a tuple"),
        (lambda c: scan_apply(c, None, "s", "m", "f", [], None, None), TypeError, None),
        (lambda c: scan_apply(c, "test", "s", "m", "f", (1,), None, None), exception.ParamError, "Arguments should be a list"),
        (lambda c: scan_apply(c, "test", 1, "m", "f", None, None, None), exception.ParamError, "Set name should be string"),
        (lambda c: scan_apply(c, "test", None, "m", "f", None, None, {"percent": 101}), exception.ParamError, "Invalid value for scan percentage"),
        (lambda c: scan_apply(c, "test", None, b"m", "f", None, None, "ignored"), exception.ParamError, "Module name should be string"),
        (lambda c: scan_apply(c, "test", None, "m", 1, None, None, None), exception.ParamError, "Function name should be string"),
        (lambda c: job_info(c, "1", "scan", None), TypeError, None),
        (lambda c: job_info(c, 1.0, "scan", None), TypeError, None),
        (lambda c: job_info(c, 1, 1, None), TypeError, None),
        (lambda c: job_info(c, 1 << 63, "scan", None), OverflowError, None),
        (lambda c: job_info(c, 1, "udf", None), exception.ParamError, "Module can have only two values: aerospike.JOB_SCAN or aerospike.JOB_QUERY"),
        (lambda c: scan_info(c, "1", None), TypeError, None),
    ],
)
def test_background_job_arguments(call: Callable[[FakeClient], Any], cls: type, msg: Any) -> None:
    raises(lambda: call(FakeClient()), cls, None, msg)


def test_background_job_connection_checked_after_type_errors() -> None:
    unconnected = FakeClient(connected=False)
    with pytest.raises(TypeError):
        job_info(unconnected, 1, None, None)
    raises(lambda: job_info(unconnected, 1, "scan", None), exception.ClusterError, 11)
    raises(lambda: scan_apply(unconnected, "test", 5, "m", "f", None, None, None), exception.ClusterError, 11)


def test_client_keyword_names() -> None:
    import inspect

    client = aerospike.client({"hosts": [("127.0.0.1", 3000)]})
    assert list(inspect.signature(client.scan_info).parameters) == ["scanid", "policy"]
    assert list(inspect.signature(client.job_info).parameters) == ["job_id", "module", "policy"]
    assert list(inspect.signature(client.query_apply).parameters)[:6] == ["ns", "set", "predicate", "module", "function", "args"]
    assert list(inspect.signature(client.select_many).parameters) == ["keys", "bins", "policy"]
    assert list(inspect.signature(client.get_many).parameters) == ["keys", "policy"]


# ------------------------------------------------------------------------------------------------ Query / Scan


@pytest.mark.parametrize(
    ("args", "kwargs", "msg"),
    [
        ((), {}, "query() expects atleast 1 parameter"),
        (("test", "s", "x"), {}, "query() expects atleast 1 parameter"),
        (("test",), {"bogus": 1}, "query() expects atleast 1 parameter"),
        ((5,), {}, "Namespace should be a string"),
        ((b"test",), {}, "Namespace should be a string"),
        (("test", 5), {}, "Set should be string, unicode or None"),
    ],
)
def test_query_constructor_errors(args: tuple, kwargs: dict, msg: str) -> None:
    raises(lambda: Query(FakeClient(), *args, **kwargs), exception.ParamError, -2, msg)


def test_query_and_scan_keywords() -> None:
    query = Query(FakeClient(), namespace="test", set="s")
    assert (query.namespace, query.set) == ("test", "s")
    assert Query(FakeClient(), "").namespace == ""  # 3.0.0 did not refuse it; the server does
    scan = Scan(FakeClient(), namespace="test")
    assert (scan.namespace, scan.set) == ("test", None)


@pytest.mark.parametrize(("args", "kwargs"), [((), {}), ((5,), {}), (("test", "s", 1), {}), (("test", 5), {})])
def test_scan_constructor_errors(args: tuple, kwargs: dict) -> None:
    raises(lambda: Scan(FakeClient(), *args, **kwargs), exception.ParamError, -2, "Parameters are incorrect")


def test_bin_selection_as_3_0_0() -> None:
    selection = BinSelection()
    selection.add(("a", bytearray(b"b\0c"), "x" * 16, "d"))
    assert selection.names == [b"a", b"b", b"d"]
    selection.add(("e",))  # room for one more: the 16-byte name was skipped
    selection.add(("f",))
    assert selection.names == [b"a", b"b", b"d", b"e"]
    raises(lambda: BinSelection().add((b"a",)), exception.ParamError, -2, "Bin name should be of type string")
    empty = BinSelection()
    empty.add(())
    empty.add(("a",))
    assert empty.names == []


@pytest.mark.parametrize(
    ("options", "msg"),
    [
        ({1: True}, "Policy key must be string"),
        ({"priority": "high"}, "Invalid value(type) for priority"),
        ({"percent": 50.0}, "Invalid value(type) for percent"),
        ({"percent": -1}, "Invalid value for scan percentage"),
        ({"percent": 101}, "Invalid value for scan percentage"),
        ({"concurrent": 1}, "Invalid value(type) for concurrent"),
        ({"nobins": 0}, "Invalid value(type) for nobins"),
        ({"fail_on_cluster_change": True}, "Invalid value for scan options"),
    ],
)
def test_scan_options_refused(options: dict, msg: str) -> None:
    raises(lambda: ScanOptions().update(options), exception.ParamError, -2, msg)


def test_scan_options_accepted_and_kept() -> None:
    options = ScanOptions()
    options.update("not a dict")  # ignored, as 3.0.0 did
    options.update({"priority": 99, "percent": 0, "concurrent": True, "nobins": True})
    assert (options.priority, options.percent, options.concurrent, options.nobins) == (99, 0, True, True)
    options.update({"priority": aerospike.SCAN_PRIORITY_LOW})
    assert options.nobins  # still set from before


def test_query_options() -> None:
    query = Query(FakeClient(), "test")
    raises(lambda: query._set_options([]), exception.ParamError, -2, "query options must be a dictionary")
    raises(lambda: query._set_options({"nobins": 1}), exception.ParamError, -2, "nobins value must be a bool")
    query._set_options({"nobins": True, "other": 1})
    assert query._nobins is True


def test_query_apply_method_checks() -> None:
    query = Query(FakeClient(), "test")
    raises(lambda: query.apply(5, "f"), exception.ClientError, -1, "udf module argument must be a string or unicode string")
    raises(lambda: query.apply("m", None), exception.ClientError, -1, "udf function argument must be a string or unicode string")
    assert query.apply("m", "f", "not a list")._udf == ("m", "f", [])
    assert query.apply("m", "f", [1, "a"], policy={})._udf == ("m", "f", [1, "a"])


@pytest.mark.parametrize(
    ("message", "expected_msg"),
    [("Callback function raised an exception", "Callback function raised an exception"),
     ("Callback function contains an error", "Callback function contains an error")],
)
def test_callback_errors_become_client_error(message: str, expected_msg: str) -> None:
    def boom(_: Any) -> None:
        raise ValueError("user bug")

    runner = callback_runner(boom, message)
    with pytest.raises(exception.ClientError) as info:
        runner(("k", {}, {}))
    assert (info.value.code, info.value.msg) == (-1, expected_msg)
    assert isinstance(info.value.__cause__, ValueError)
    assert callback_runner(lambda _: False, message)(1) is False
    assert callback_runner(lambda _: 0, message)(1) is True  # only False stops, as 3.0.0's PyBool check
    with pytest.raises(exception.ClientError):
        callback_runner(5, message)(1)  # not callable: the call fails like a raising callback


# ------------------------------------------------------------------------------------------------ batch


@pytest.mark.parametrize(
    ("keys", "msg"),
    [
        (None, "Keys should be specified as a list or tuple."),
        ({"a": 1}, "Keys should be specified as a list or tuple."),
        ([["test", "s", 1]], "Key should be a tuple."),
        ((("test", "s", 1), "k"), "Key should be a tuple."),
    ],
)
def test_batch_keys_refused(keys: Any, msg: str) -> None:
    raises(lambda: parse_keys(keys), exception.ParamError, -2, msg)


def test_batch_keys_list_or_tuple() -> None:
    assert [k.user_key for k in parse_keys((("test", "s", 1), ("test", "s", 2)))] == [1, 2]
    assert parse_keys([]) == []


def test_select_many_bins() -> None:
    raises(lambda: BatchRead.select("a"), exception.ParamError, -2, "Filter bins should be specified as a list or tuple.")
    raises(lambda: BatchRead.select(["a", b"b"]), exception.ParamError, -2, "Bin name should be a string or unicode string.")
    raises(lambda: BatchRead.select([bytearray(b"b")]), exception.ParamError, -2, "Bin name should be a string or unicode string.")
    every = BatchRead.select([])
    assert every.info1 == INFO1_READ | INFO1_GET_ALL and every.bins is None
    named = BatchRead.select(("a", "x" * 16))  # a long name goes to the server, which refuses it
    assert named.bins == ("a", "x" * 16) and not named.info1 & INFO1_GET_ALL


# ------------------------------------------------------------------------------------------------ local cluster


def test_s2_cell_of_points_on_the_equator_and_meridian() -> None:
    # Each used to divide by zero while computing the other faces' coordinates.
    assert s2_leaf_cell(0.0, 0.0) == 0x1000000000000001
    assert s2_leaf_cell(0.01, 0.0) != s2_leaf_cell(0.02, 0.0)
    assert s2_leaf_cell(90.0, 0.0) >> 61 == 1 and s2_leaf_cell(0.0, 90.0) >> 61 == 2


def _range_field(name: bytes, particle: int, begin: bytes, end: bytes) -> bytes:
    return bytes((1, len(name))) + name + bytes((particle,)) + len(begin).to_bytes(4, "big") + begin + len(end).to_bytes(4, "big") + end


def test_local_filter_refuses_what_the_server_refuses() -> None:
    from aerospike.protocol.errors import ProtocolError

    with pytest.raises(ProtocolError):
        parse_filter(_range_field(b"n", 1, (5).to_bytes(8, "big"), (1).to_bytes(8, "big")), None, None)
    with pytest.raises(ProtocolError):
        parse_filter(_range_field(b"g", 23, b'{"type": "Polygon"}', b'{"type": "Polygon"}'), None, None)
    assert parse_filter(_range_field(b"n", 1, (1).to_bytes(8, "big"), (1).to_bytes(8, "big")), None, None).begin == 1


@pytest.mark.parametrize(
    ("document", "valid"),
    [
        ({"type": "Point", "coordinates": [0, 0]}, True),
        ({"type": "Point", "coordinates": ["a", 0]}, False),
        ({"type": "AeroCircle", "coordinates": [[0, 0], 10]}, True),
        ({"type": "AeroCircle", "coordinates": [[0, 0], -1]}, True),
        ({"type": "Point", "coordinates": [0, 0, 1]}, False),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}, True),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, False),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, False),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, False),
        ([1, 2], False),
    ],
)
def test_local_geo_filter_validation(document: Any, valid: bool) -> None:
    assert valid_geo_filter(document) is valid
