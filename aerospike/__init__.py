"""Pure-Python Aerospike client with the API of the official Python client 3.0.0 (see aerospike.rst).

Module-level API: :func:`client`, :func:`calc_digest`, :func:`null`, the serializer registry, logging (bridged
to the standard ``logging`` module, logger ``"aerospike"``), GeoJSON helpers, and every public constant.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from . import exception, predicates
from ._constants import *  # noqa: F403
from ._constants import (
    LOG_LEVEL_DEBUG,
    LOG_LEVEL_ERROR,
    LOG_LEVEL_INFO,
    LOG_LEVEL_OFF,
    LOG_LEVEL_TRACE,
    LOG_LEVEL_WARN,
)
from .client import Client
from .exception import ParamError
from .key import calc_digest as _calc_digest
from .query import Query
from .scan import Scan
from .values import GeoJSON, null, set_deserializer, set_serializer, unset_serializers

__version__ = "3.0.0"

logger = logging.getLogger("aerospike")

# The spec's LOG_LEVEL_* values and the standard logging levels they stand for. TRACE sits below DEBUG.
_TRACE = 5
logging.addLevelName(_TRACE, "TRACE")
_TO_LOGGING = {
    LOG_LEVEL_TRACE: _TRACE,
    LOG_LEVEL_DEBUG: logging.DEBUG,
    LOG_LEVEL_INFO: logging.INFO,
    LOG_LEVEL_WARN: logging.WARNING,
    LOG_LEVEL_ERROR: logging.ERROR,
    LOG_LEVEL_OFF: logging.CRITICAL + 10,
}


def _from_logging(levelno: int) -> int:
    if levelno >= logging.ERROR:
        return LOG_LEVEL_ERROR
    if levelno >= logging.WARNING:
        return LOG_LEVEL_WARN
    if levelno >= logging.INFO:
        return LOG_LEVEL_INFO
    if levelno >= logging.DEBUG:
        return LOG_LEVEL_DEBUG
    return LOG_LEVEL_TRACE


class _CallbackHandler(logging.Handler):
    """Hands records of the "aerospike" logger to a user callback(level, func, path, line, msg)."""

    def __init__(self, callback: Callable[[int, str, str, int, str], Any]) -> None:
        super().__init__(logging.NOTSET)
        self.callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.callback(_from_logging(record.levelno), record.funcName, record.pathname, record.lineno,
                          record.getMessage())
        except Exception:
            self.handleError(record)


_handler: Optional[_CallbackHandler] = None


def set_log_level(log_level: int) -> None:
    """Set the threshold of the "aerospike" logger from one of the LOG_LEVEL_* constants."""
    if isinstance(log_level, bool) or not isinstance(log_level, int) or log_level not in _TO_LOGGING:
        raise ParamError(ParamError.code, "Invalid log level")
    logger.setLevel(_TO_LOGGING[log_level])


def set_log_handler(callback: Optional[Callable[[int, str, str, int, str], Any]] = None) -> None:
    """Send records of the "aerospike" logger to ``callback(level, func, path, line, msg)``.

    Called again, the new callback replaces the previous one; called without one, the callback is removed.
    """
    global _handler
    if callback is not None and not callable(callback):
        raise ParamError(ParamError.code, "Log handler must be callable")
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler = None
    if callback is not None:
        _handler = _CallbackHandler(callback)
        logger.addHandler(_handler)


def client(config: Any) -> Client:
    """A new, not yet connected :class:`Client` for the config dict of the spec."""
    return Client(config)


def calc_digest(ns: str, set: Optional[str], key: Any) -> bytearray:
    """The RIPEMD-160 digest of a key: over the set name, the key type byte and the key bytes."""
    return _calc_digest(ns, set, key)


def geodata(geo_data: Optional[dict] = None) -> GeoJSON:
    """A GeoJSON wrapping a dict of geospatial data."""
    return GeoJSON(geo_data)


def geojson(geojson_str: Optional[str] = None) -> GeoJSON:
    """A GeoJSON built from a raw GeoJSON string."""
    if geojson_str is not None and not isinstance(geojson_str, str):
        raise ParamError(ParamError.code, "geojson expects a GeoJSON string")
    return GeoJSON(geojson_str)


__all__ = [  # noqa: F405
    "Client",
    "Query",
    "Scan",
    "predicates",
    "GeoJSON",
    "calc_digest",
    "client",
    "exception",
    "geodata",
    "geojson",
    "null",
    "set_deserializer",
    "set_log_handler",
    "set_log_level",
    "set_serializer",
    "unset_serializers",
    "__version__",
] + [name for name in dir() if name.isupper() and not name.startswith("_")]
