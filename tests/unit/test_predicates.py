"""aerospike.predicates: the 3.0.0 tuple shapes and argument checks."""

from __future__ import annotations

import json

import pytest

import aerospike
from aerospike import exception
from aerospike import predicates as p
from aerospike.query import encode_filter


def test_tuple_shapes() -> None:
    assert p.equals("n", 5) == (0, aerospike.INDEX_NUMERIC, "n", 5)
    assert p.equals("s", "x") == (0, aerospike.INDEX_STRING, "s", "x")
    assert p.between("n", 1, 9) == (1, aerospike.INDEX_NUMERIC, "n", 1, 9)
    assert p.contains("l", aerospike.INDEX_TYPE_LIST, 4) == (0, aerospike.INDEX_NUMERIC, "l", 4, None, 1)
    assert p.range("m", aerospike.INDEX_TYPE_MAPVALUES, 1, 2) == (1, aerospike.INDEX_NUMERIC, "m", 1, 2, 3)
    region = p.geo_within_radius("loc", -122.0, 37.0, 2500)
    assert region[:3] == (1, aerospike.INDEX_GEO2DSPHERE, "loc") and region[4:] == (None, 0)
    assert json.loads(region[3]) == {"type": "AeroCircle", "coordinates": [[-122.0, 37.0], 2500]}
    point = p.geo_contains_point("rgn", 1, 2.5, aerospike.INDEX_TYPE_LIST)
    assert json.loads(point[3]) == {"type": "Point", "coordinates": [1, 2.5]} and point[5] == 1
    shape = aerospike.GeoJSON({"type": "Point", "coordinates": [0.0, 0.0]})
    assert p.geo_within_geojson_region("loc", shape.dumps())[3] == shape.dumps()
    assert p.geo_contains_geojson_point("rgn", shape.dumps())[3] == shape.dumps()


@pytest.mark.parametrize(
    "call",
    [
        lambda: p.equals("n", 1.5),
        lambda: p.between("n", 1, "9"),
        lambda: p.between("n", 1.0, 9),
        lambda: p.contains("l", aerospike.INDEX_TYPE_LIST, [1]),
        lambda: p.range("l", aerospike.INDEX_TYPE_LIST, 1, None),
        lambda: p.geo_within_geojson_region("loc", 5),
        lambda: p.geo_contains_geojson_point("rgn", aerospike.GeoJSON({"type": "Point", "coordinates": [0, 0]})),
    ],
)
def test_bad_values_give_none_as_in_3_0_0(call) -> None:  # type: ignore[no-untyped-def]
    assert call() is None


@pytest.mark.parametrize(
    "call",
    [
        lambda: p.geo_within_radius("loc", "a", 37.0, 10),  # type: ignore[arg-type]
        lambda: p.geo_contains_point(1, 1.0, 2.0),  # type: ignore[arg-type]
    ],
)
def test_geo_helpers_raise_param_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exception.ParamError):
        call()


def test_filter_encoding() -> None:
    index_type, data = encode_filter(p.equals("n", 5))
    assert index_type is None
    assert data == bytes.fromhex("01016e01000000080000000000000005000000080000000000000005")
    index_type, data = encode_filter(p.contains("mp", aerospike.INDEX_TYPE_MAPKEYS, "k3"))
    assert index_type == b"\x02"
    assert data == bytes.fromhex("01026d7003000000026b33000000026b33")
    for bad in (None, (), ("x",), (5, 1, "n", 1), (0, 9, "n", 1), (0, 1, "n", 1 << 70)):
        with pytest.raises(exception.ParamError):
            encode_filter(bad)
