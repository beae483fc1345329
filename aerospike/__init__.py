"""Pure-Python Aerospike client with the API of the official Python client 3.0.0 (see aerospike.rst).

Module-level API: :func:`client`, :func:`calc_digest`, :func:`null`, the serializer registry, logging (bridged
to the standard ``logging`` module, logger ``"aerospike"``), GeoJSON helpers, and every public constant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

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
from ._constants_current import *  # noqa: F403
from .client import Client
from .exception import ParamError
from .key import calc_digest as _calc_digest
from .values import GeoJSON, Null, set_deserializer, set_serializer, unset_serializers

if TYPE_CHECKING:
    import logging

    from .cdt_types import CDTInfinite, CDTWildcard, KeyOrderedDict
    from .query import Query
    from .scan import Scan

__version__ = "3.0.0"

#: The server-side null, a type as in 3.0.0: ``aerospike.null()`` makes the value, ``isinstance(v, aerospike.null)``
#: tests for it.
null = Null

# `import aerospike` loads what a connected get/put needs and nothing else (docs/internals.md, "Startup"):
# these module attributes are loaded on first access. `logger` is the "aerospike" logger of the standard
# logging module, which aerospike._log sets up (a NullHandler: 3.0.0 logged nothing unless asked to).
# The current API's value types load protocol/cdt.py (msgpack, datetime) with them: KeyOrderedDict registers there.
_LAZY = {
    "Query": ".query",
    "Scan": ".scan",
    "KeyOrderedDict": ".cdt_types",
    "CDTWildcard": ".cdt_types",
    "CDTInfinite": ".cdt_types",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    if name == "logger":
        return _logging().getLogger("aerospike")
    raise AttributeError(f"module 'aerospike' has no attribute {name!r}")


def _logging() -> Any:
    from ._log import setup

    return setup()


# The spec's LOG_LEVEL_* values and the standard logging levels they stand for (TRACE sits below DEBUG).
_TO_LOGGING = {
    LOG_LEVEL_TRACE: 5,  # aerospike._log.TRACE
    LOG_LEVEL_DEBUG: 10,  # logging.DEBUG
    LOG_LEVEL_INFO: 20,  # logging.INFO
    LOG_LEVEL_WARN: 30,  # logging.WARNING
    LOG_LEVEL_ERROR: 40,  # logging.ERROR
    LOG_LEVEL_OFF: 60,  # logging.CRITICAL + 10
}


def _from_logging(levelno: int) -> int:
    if levelno >= 40:
        return LOG_LEVEL_ERROR
    if levelno >= 30:
        return LOG_LEVEL_WARN
    if levelno >= 20:
        return LOG_LEVEL_INFO
    if levelno >= 10:
        return LOG_LEVEL_DEBUG
    return LOG_LEVEL_TRACE


def _callback_handler(callback: Callable[[int, str, str, int, str], Any]) -> logging.Handler:
    """A handler giving records of the "aerospike" logger to a user callback(level, func, path, line, msg)."""
    logging = _logging()

    class _CallbackHandler(logging.Handler):  # type: ignore[name-defined,misc]
        def emit(self, record: Any) -> None:
            try:
                callback(_from_logging(record.levelno), record.funcName, record.pathname, record.lineno,
                         record.getMessage())
            except Exception:
                self.handleError(record)

    return _CallbackHandler(logging.NOTSET)  # type: ignore[no-any-return]


_handler: Optional[logging.Handler] = None


def set_log_level(loglevel: Any) -> int:
    """Set the threshold of the "aerospike" logger from one of the LOG_LEVEL_* constants; returns 0.

    As 3.0.0: an int is required (ParamError 'Invalid log level' otherwise); an int that is no LOG_LEVEL_* is
    taken as the nearest level (below OFF is OFF, above TRACE is TRACE).
    """
    if not isinstance(loglevel, int):
        raise ParamError("Invalid log level")
    if not -(1 << 63) <= loglevel < (1 << 63):
        raise ParamError("integer value exceeds sys.maxsize")
    level = min(max(int(loglevel), LOG_LEVEL_OFF), LOG_LEVEL_TRACE)
    _logging().getLogger("aerospike").setLevel(_TO_LOGGING[level])
    return 0


def set_log_handler(log_handler: Any) -> int:
    """Send records of the "aerospike" logger to ``log_handler(level, func, path, line, msg)``; returns 0.

    Called again, the new callback replaces the previous one. A value that is not callable raises ParamError.
    """
    global _handler
    if not callable(log_handler):
        raise ParamError("Log handler must be callable")
    logger = _logging().getLogger("aerospike")
    if _handler is not None:
        logger.removeHandler(_handler)
    _handler = _callback_handler(log_handler)
    logger.addHandler(_handler)
    return 0


_NO_CONFIG = object()


def client(config: Any = _NO_CONFIG, *extra: Any, **keywords: Any) -> Client:
    """A new, not yet connected :class:`Client` for the config dict of the spec.

    As 3.0.0: anything but exactly one argument (``config``) raises ParamError 'No config argument'.
    """
    if config is _NO_CONFIG and set(keywords) == {"config"}:
        config = keywords.pop("config")
    if config is _NO_CONFIG or extra or keywords:
        raise ParamError("No config argument")
    return Client(config)


def calc_digest(ns: Any, set: Any, key: Any) -> bytearray:
    """The RIPEMD-160 digest of a key: over the set name, the key type byte and the key bytes.

    As 3.0.0: TypeError for a namespace or set that is not a str, or a key that is not a str, int or bytearray;
    ParamError for values the key cannot hold (see :func:`aerospike.key.calc_digest`).
    """
    return _calc_digest(ns, set, key)


def geodata(geo_data: Any) -> GeoJSON:
    """A GeoJSON wrapping a dict of geospatial data (ParamError for anything but a dict)."""
    if not isinstance(geo_data, dict):
        raise ParamError("The geospatial data should be a dictionary")
    return GeoJSON(geo_data)


def geojson(geojson_str: Any) -> GeoJSON:
    """A GeoJSON built from a raw GeoJSON string (ParamError for a non-str, ClientError for invalid JSON)."""
    if not isinstance(geojson_str, str):
        raise ParamError("The geospatial data should be a GeoJSON string")
    return GeoJSON(geojson_str)


__all__ = [  # noqa: F405
    "CDTInfinite",
    "CDTWildcard",
    "Client",
    "KeyOrderedDict",
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
