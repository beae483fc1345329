"""``aerospike.Scan``: every record of a set (or namespace), as a partition scan.

Owns: the Scan class of scan.rst (select, results, foreach) and its options. The request is the one a
query without a predicate sends (query.StreamRequest); partitions, retries and streaming are
partition_scan.py's. Records are handed to ``foreach`` as their frames arrive.

Options: ``nobins`` (metadata and keys only) and ``concurrent`` (nodes in parallel threads, else one node
after another) are honoured. ``priority`` and ``percent`` are checked and then ignored: servers 6.x and
later dropped scan priorities and sampling percentages from the protocol.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import exception
from ._constants import SCAN_PRIORITY_AUTO, SCAN_PRIORITY_HIGH
from .query import StreamRequest, _check_bins, check_target, run_records

__all__ = ["Scan"]

_OPTION_KEYS = frozenset(("priority", "nobins", "concurrent", "percent"))


def _flag(options: dict, name: str) -> bool:
    value = options.get(name, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise exception.ParamError(f"scan option {name!r} must be a bool")


def parse_options(options: Any) -> tuple[bool, bool]:
    """(nobins, concurrent) of a scan options dict; ParamError for unknown keys or bad values."""
    if options is None:
        return False, False
    if not isinstance(options, dict):
        raise exception.ParamError("scan options must be a dict")
    for name in options:
        if name not in _OPTION_KEYS:
            raise exception.ParamError(f"invalid scan option {name!r}")
    priority = options.get("priority", SCAN_PRIORITY_AUTO)
    if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= SCAN_PRIORITY_HIGH:
        raise exception.ParamError("scan option 'priority' must be one of aerospike.SCAN_PRIORITY_*")
    percent = options.get("percent", 100)
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise exception.ParamError("scan option 'percent' must be an integer from 0 to 100")
    return _flag(options, "nobins"), _flag(options, "concurrent")


class Scan:
    """A scan of a namespace's set (``None``: the whole namespace): ``select``, ``results``, ``foreach``."""

    def __init__(self, client: Any, namespace: str, set: Optional[str] = None) -> None:
        check_target(namespace, set)
        self._client = client
        self.namespace = namespace
        self.set = set
        self._bins: tuple[str, ...] = ()

    def select(self, *bins: str) -> Scan:
        """Return only these bins of each record."""
        self._bins = _check_bins(bins)
        return self

    def results(self, policy: Optional[dict] = None, nodename: Optional[str] = None) -> list:
        """Every record as ``(key, meta, bins)`` (only the partitions of node ``nodename`` if given)."""
        found: list = []
        append = found.append

        def collect(record: Any) -> bool:
            append(record)
            return True

        self._run(collect, policy, None, nodename, concurrent=True)
        return found

    def foreach(
        self,
        callback: Callable[[Any], Any],
        policy: Optional[dict] = None,
        options: Optional[dict] = None,
        nodename: Optional[str] = None,
    ) -> None:
        """Call ``callback((key, meta, bins))`` for each record as it arrives; False stops the scan."""
        if not callable(callback):
            raise exception.ParamError("callback must be callable")
        self._run(callback, policy, options, nodename, concurrent=None)

    def _run(
        self,
        callback: Callable[[Any], Any],
        policy: Any,
        options: Any,
        nodename: Optional[str],
        concurrent: Optional[bool],
    ) -> None:
        client = self._client
        cluster = client._connected_cluster()
        scan_policy = client._resolve("scan", policy)
        nobins, concurrent_option = parse_options(options)
        if concurrent is None:
            concurrent = concurrent_option
        request = StreamRequest(self.namespace, self.set, scan_policy, bins=self._bins, nobins=nobins)
        run_records(client, cluster, scan_policy, request, callback, nobins, concurrent, nodename)
