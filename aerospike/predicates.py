"""``aerospike.predicates``: the query predicates of predicates.rst, as the tuples 3.0.0 built.

Owns: the tuple shapes ``(predicate, index_datatype, bin, value1[, value2[, index_type]])`` that
:meth:`aerospike.Query.where` and ``Client.query_apply`` take, with ``predicate`` 0 (equal) or 1 (range) and
``index_datatype`` one of ``aerospike.INDEX_*``, and which arguments give a tuple at all. As in 3.0.0, a
predicate whose value has the wrong type returns None (``where(None)`` then raises ParamError "predicate is
invalid."); the bin is passed through unchecked (``where`` checks it); only the geo helpers that build a shape
raise ParamError. Arguments are positional only (3.0.0's are METH_VARARGS). Circles and points are GeoJSON
text built with ``json.dumps``, as 3.0.0 did. Must not know the wire: query.py encodes the tuples.
"""

from __future__ import annotations

from typing import Any, Optional

from ._constants import INDEX_GEO2DSPHERE, INDEX_NUMERIC, INDEX_STRING
from .exception import ParamError

__all__ = [
    "PREDICATE_EQUAL",
    "PREDICATE_RANGE",
    "between",
    "contains",
    "equals",
    "geo_contains_geojson_point",
    "geo_contains_point",
    "geo_within_geojson_region",
    "geo_within_radius",
    "range",
]

PREDICATE_EQUAL = 0  # as_predicate_type AS_PREDICATE_EQUAL
PREDICATE_RANGE = 1  # as_predicate_type AS_PREDICATE_RANGE
INDEX_TYPE_DEFAULT = 0  # as_index_type AS_INDEX_TYPE_DEFAULT (a plain bin)


def _datatype(value: Any) -> Optional[int]:
    # 3.0.0 tests PyLong_Check (so a bool is an integer) and PyUnicode_Check.
    if isinstance(value, int):
        return INDEX_NUMERIC
    if isinstance(value, str):
        return INDEX_STRING
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float))


def equals(bin: Any, val: Any, /) -> Optional[tuple]:
    """``bin = val`` for an integer or string value (needs a secondary index on the bin); None otherwise."""
    datatype = _datatype(val)
    if datatype is None:
        return None
    return (PREDICATE_EQUAL, datatype, bin, val)


def between(bin: Any, min: Any, max: Any, /) -> Optional[tuple]:
    """``min <= bin <= max`` for integers (needs a numeric secondary index on the bin); None otherwise."""
    if isinstance(min, int) and isinstance(max, int):
        return (PREDICATE_RANGE, INDEX_NUMERIC, bin, min, max)
    return None


def contains(bin: Any, index_type: Any, val: Any, /) -> Optional[tuple]:
    """The list or map bin contains ``val`` (an element, map key or map value per ``index_type``)."""
    if not isinstance(index_type, int):
        return None
    datatype = _datatype(val)
    if datatype is None:
        return None
    return (PREDICATE_EQUAL, datatype, bin, val, None, int(index_type))


def range(bin: Any, index_type: Any, min: Any, max: Any, /) -> Optional[tuple]:
    """The list or map bin contains an integer between ``min`` and ``max``; None for non-integers."""
    if not isinstance(index_type, int):
        return None
    if isinstance(min, int) and isinstance(max, int):
        return (PREDICATE_RANGE, INDEX_NUMERIC, bin, min, max, int(index_type))
    return None


def geo_within_geojson_region(bin: Any, shape: Any, index_type: Any = INDEX_TYPE_DEFAULT, /) -> Optional[tuple]:
    """Points in the bin that lie within the GeoJSON text ``shape`` (needs a geo2dsphere index)."""
    if not isinstance(shape, str):
        return None
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, bin, shape, None, index_type)


def geo_within_radius(
    bin: Any, long: Any, lat: Any, radius_meters: Any, index_type: Any = INDEX_TYPE_DEFAULT, /
) -> tuple:
    """Points in the bin within ``radius_meters`` of (long, lat): an AeroCircle region."""
    if not (isinstance(bin, str) and _is_number(long) and _is_number(lat) and _is_number(radius_meters)):
        raise ParamError(
            ParamError.code, "Latitude, longitude and radius should be integer or double type, bin of string type"
        )
    import json  # the geo predicates only: `import aerospike` does not load json

    shape = json.dumps({"type": "AeroCircle", "coordinates": [[long, lat], radius_meters]})
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, bin, shape, None, index_type)


def geo_contains_geojson_point(bin: Any, point: Any, index_type: Any = INDEX_TYPE_DEFAULT, /) -> Optional[tuple]:
    """Regions in the bin that contain the GeoJSON text ``point`` (needs a geo2dsphere index)."""
    if not isinstance(point, str):
        return None
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, bin, point, None, index_type)


def geo_contains_point(bin: Any, long: Any, lat: Any, index_type: Any = INDEX_TYPE_DEFAULT, /) -> tuple:
    """Regions in the bin that contain the point (long, lat)."""
    if not (isinstance(bin, str) and _is_number(long) and _is_number(lat)):
        raise ParamError(ParamError.code, "Latitude and longitude should be integer or double type, bin of string type")
    import json

    shape = json.dumps({"type": "Point", "coordinates": [long, lat]})
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, bin, shape, None, index_type)
