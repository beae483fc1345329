"""The client's loggers, without importing ``logging`` until someone could be listening.

Owns: the ``aerospike`` logger's setup (a NullHandler, so nothing reaches stderr unless the application configures
logging, as 3.0.0 logged nothing by default; the TRACE level name) and :class:`LazyLogger`, what modules log
through. Importing ``logging`` costs about 5 ms (traceback, linecache, tokenize, string), more than a third of
``import aerospike``. A record can only be seen by a handler, and a handler can only exist once ``logging`` has been
imported (by the application, or by ``aerospike.set_log_handler``/``set_log_level``); until then a LazyLogger
drops records, which is what the NullHandler would have done with them. Must not know anything else.
"""

from __future__ import annotations

import sys
from typing import Any, Optional

TRACE = 5  # the spec's LOG_LEVEL_TRACE, below logging.DEBUG

_configured = False


def setup() -> Any:
    """Import and set up logging for the ``aerospike`` logger (once); returns the ``logging`` module."""
    global _configured
    import logging

    if not _configured:
        _configured = True
        logging.addLevelName(TRACE, "TRACE")
        logging.getLogger("aerospike").addHandler(logging.NullHandler())
    return logging


class LazyLogger:
    """``logging.getLogger(name)`` once ``logging`` is loaded; records before that are dropped (no handler could
    have received them). The methods mirror Logger's and report their caller's frame, not this one's."""

    __slots__ = ("name", "_logger")

    def __init__(self, name: str) -> None:
        self.name = name
        self._logger: Optional[Any] = None

    def _target(self) -> Optional[Any]:
        logger = self._logger
        if logger is None and "logging" in sys.modules:
            logger = self._logger = setup().getLogger(self.name)
        return logger

    def debug(self, msg: str, *args: Any, **kwargs: Any) -> None:
        logger = self._target()
        if logger is not None:
            logger.debug(msg, *args, stacklevel=2, **kwargs)

    def info(self, msg: str, *args: Any, **kwargs: Any) -> None:
        logger = self._target()
        if logger is not None:
            logger.info(msg, *args, stacklevel=2, **kwargs)

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        logger = self._target()
        if logger is not None:
            logger.warning(msg, *args, stacklevel=2, **kwargs)

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        logger = self._target()
        if logger is not None:
            logger.error(msg, *args, stacklevel=2, **kwargs)

    def exception(self, msg: str, *args: Any, **kwargs: Any) -> None:
        logger = self._target()
        if logger is not None:
            logger.exception(msg, *args, stacklevel=2, **kwargs)

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - Logger's name
        logger = self._target()
        return logger is not None and bool(logger.isEnabledFor(level))


def get_logger(name: str) -> LazyLogger:
    """The LazyLogger for ``name`` (one of ``aerospike`` and its children)."""
    return LazyLogger(name)
