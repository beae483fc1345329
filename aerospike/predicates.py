"""``aerospike.predicates``: the query predicates of predicates.rst, as the tuples 3.0.0 built.

Owns: checking a predicate's arguments (ParamError before anything is sent) and the tuple shapes
``(predicate, index_datatype, bin, value1[, value2[, index_type]])`` that :meth:`aerospike.Query.where`
accepts, with ``predicate`` 0 (equal) or 1 (range) and ``index_datatype`` one of ``aerospike.INDEX_*``.
Geo predicates carry their GeoJSON text (circles and points are built with ``json.dumps``, as 3.0.0 did).
Must not know the wire: query.py encodes the tuples.
"""

from __future__ import annotations

import json
from typing import Any

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
_INDEX_TYPES = (0, 1, 2, 3)  # DEFAULT, LIST, MAPKEYS, MAPVALUES


def _bin(name: Any) -> str:
    if not isinstance(name, str):
        raise ParamError("predicate bin name must be a string")
    return name


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _index_type(index_type: Any) -> int:
    if not _is_int(index_type) or index_type not in _INDEX_TYPES:
        raise ParamError(f"index_type must be one of aerospike.INDEX_TYPE_*, not {index_type!r}")
    return int(index_type)


def _datatype(value: Any, what: str) -> int:
    if _is_int(value):
        return INDEX_NUMERIC
    if isinstance(value, str):
        return INDEX_STRING
    raise ParamError(f"{what} expects an integer or string value, not {type(value).__name__}")


def equals(bin: str, val: Any) -> tuple:
    """``bin = val`` for an integer or string value (needs a secondary index on the bin)."""
    return (PREDICATE_EQUAL, _datatype(val, "equals()"), _bin(bin), val)


def between(bin: str, min: int, max: int) -> tuple:
    """``min <= bin <= max`` for integers (needs a numeric secondary index on the bin)."""
    if not (_is_int(min) and _is_int(max)):
        raise ParamError("between() expects two integer values")
    return (PREDICATE_RANGE, INDEX_NUMERIC, _bin(bin), min, max)


def contains(bin: str, index_type: int, val: Any) -> tuple:
    """The list or map bin contains ``val`` (as an element, map key or map value per ``index_type``)."""
    kind = _index_type(index_type)
    return (PREDICATE_EQUAL, _datatype(val, "contains()"), _bin(bin), val, None, kind)


def range(bin: str, index_type: int, min: int, max: int) -> tuple:
    """The list or map bin contains an integer between ``min`` and ``max``."""
    kind = _index_type(index_type)
    if not (_is_int(min) and _is_int(max)):
        raise ParamError("range() expects two integer values")
    return (PREDICATE_RANGE, INDEX_NUMERIC, _bin(bin), min, max, kind)


def _geojson_text(value: Any, what: str) -> str:
    if hasattr(value, "dumps") and not isinstance(value, (str, bytes)):
        value = value.dumps()
    if not isinstance(value, str):
        raise ParamError(f"{what} must be a GeoJSON string")
    return value


def geo_within_geojson_region(bin: str, shape: Any, index_type: int = INDEX_TYPE_DEFAULT) -> tuple:
    """Points in the bin that lie within the GeoJSON ``shape`` (needs a geo2dsphere index)."""
    text = _geojson_text(shape, "shape")
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, _bin(bin), text, None, _index_type(index_type))


def geo_within_radius(
    bin: str, long: float, lat: float, radius_meters: float, index_type: int = INDEX_TYPE_DEFAULT
) -> tuple:
    """Points in the bin within ``radius_meters`` of (long, lat): an AeroCircle region."""
    if not (isinstance(bin, str) and _is_number(long) and _is_number(lat) and _is_number(radius_meters)):
        raise ParamError("Latitude, longitude and radius should be integer or double type, bin of string type")
    shape = json.dumps({"type": "AeroCircle", "coordinates": [[long, lat], radius_meters]})
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, bin, shape, None, _index_type(index_type))


def geo_contains_geojson_point(bin: str, point: Any, index_type: int = INDEX_TYPE_DEFAULT) -> tuple:
    """Regions in the bin that contain the GeoJSON ``point`` (needs a geo2dsphere index)."""
    text = _geojson_text(point, "point")
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, _bin(bin), text, None, _index_type(index_type))


def geo_contains_point(bin: str, long: float, lat: float, index_type: int = INDEX_TYPE_DEFAULT) -> tuple:
    """Regions in the bin that contain the point (long, lat)."""
    if not (isinstance(bin, str) and _is_number(long) and _is_number(lat)):
        raise ParamError("Latitude and longitude should be integer or double type, bin of string type")
    shape = json.dumps({"type": "Point", "coordinates": [long, lat]})
    return (PREDICATE_RANGE, INDEX_GEO2DSPHERE, bin, shape, None, _index_type(index_type))
