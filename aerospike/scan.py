"""``aerospike.Scan``: every record of a set (or namespace), as a partition scan.

Owns: the Scan class of scan.rst (select, results, foreach) and its options, with 3.0.0's argument rules
and messages. The request is the one a query without a predicate sends (query.StreamRequest); partitions,
retries and streaming are partition_scan.py's. Records are handed to ``foreach`` as their frames arrive.

Options, as 3.0.0 read them: a dict (anything else is ignored), checked key by key; what was set stays set
on the Scan for later calls, as it did on 3.0.0's as_scan. ``nobins`` (metadata and keys only) and
``concurrent`` (nodes in parallel threads, else one node after another) are honoured. ``priority`` and
``percent`` are checked and then ignored: servers 6.x and later dropped scan priorities and sampling
percentages from the protocol.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import exception
from .query import (
    BinSelection,
    CallOptions,
    PartitionedStream,
    StreamRequest,
    parse_target,
    run_records,
)

__all__ = ["Scan", "ScanOptions", "parse_options"]

_CALLBACK_ERROR = "Callback function raised an exception"  # 3.0.0's Scan.foreach message


class ScanOptions:
    """The options 3.0.0 kept on its as_scan: priority, percent, concurrent and nobins."""

    __slots__ = ("priority", "percent", "concurrent", "nobins")

    def __init__(self) -> None:
        self.priority = 0
        self.percent = 100
        self.concurrent = False
        self.nobins = False

    def update(self, options: Any) -> None:
        """Apply an options dict key by key (a non-dict is ignored); ParamError at the first bad entry."""
        if not isinstance(options, dict):
            return
        for name, value in options.items():
            if not isinstance(name, str):
                raise exception.ParamError(exception.ParamError.code, "Policy key must be string")
            if name == "priority":
                if not isinstance(value, int):
                    raise exception.ParamError(exception.ParamError.code, "Invalid value(type) for priority")
                self.priority = int(value)
            elif name == "percent":
                if not isinstance(value, int):
                    raise exception.ParamError(exception.ParamError.code, "Invalid value(type) for percent")
                if not 0 <= value <= 100:
                    raise exception.ParamError(exception.ParamError.code, "Invalid value for scan percentage")
                self.percent = int(value)
            elif name == "concurrent":
                if not isinstance(value, bool):
                    raise exception.ParamError(exception.ParamError.code, "Invalid value(type) for concurrent")
                self.concurrent = value
            elif name == "nobins":
                if not isinstance(value, bool):
                    raise exception.ParamError(exception.ParamError.code, "Invalid value(type) for nobins")
                self.nobins = value
            else:
                raise exception.ParamError(exception.ParamError.code, "Invalid value for scan options")


def parse_options(options: Any) -> tuple[bool, bool]:
    """(nobins, concurrent) of a scan options dict on its own; ParamError as 3.0.0's set_scan_options."""
    parsed = ScanOptions()
    parsed.update(options)
    return parsed.nobins, parsed.concurrent


class Scan(PartitionedStream):
    """A scan of a namespace's set (``None``: the whole namespace): ``select``, ``results``, ``foreach``, and
    the current API's ``paginate``, ``add_ops``, ``apply`` + ``execute_background`` and partition filters."""

    _kind = "scan"

    def __init__(self, client: Any, *args: Any, **kwargs: Any) -> None:
        target = parse_target(args, kwargs)
        # 3.0.0 reported every argument problem (and a namespace that is not a str) as one ParamError.
        if target is None or not isinstance(target[0], str):
            raise exception.ParamError(exception.ParamError.code, "Parameters are incorrect")
        namespace, set_name = target
        if set_name is not None and not isinstance(set_name, str):
            # 3.0.0 scanned the whole namespace here; a wrong set is refused instead (docs/differences.md).
            raise exception.ParamError(exception.ParamError.code, "Parameters are incorrect")
        self._client = client
        self.namespace = namespace
        self.set = set_name
        self._selection = BinSelection()
        self._options = ScanOptions()
        self._udf: Optional[tuple[str, str, list]] = None
        self._init_stream()

    def select(self, *bins: Any, **_ignored: Any) -> Scan:
        """Return only these bins of each record (the first select() call decides, as in 3.0.0)."""
        self._client._connected_cluster()
        self._selection.add(bins)
        return self

    def apply(self, module: Any, function: Any, arguments: Any = None) -> Scan:
        """The record UDF execute_background() applies to every record of the scan."""
        from .udf import check_udf_call

        self._client._connected_cluster()
        check_udf_call(module, function, arguments)
        self._udf = (module, function, list(arguments) if isinstance(arguments, list) else [])
        return self

    def execute_background(self, policy: Optional[dict] = None) -> int:
        """Apply the add_ops() operations (or the apply() record UDF) to every record of the scan, in the
        background; returns the job id for ``job_info(id, aerospike.JOB_SCAN)`` at once."""
        return self._start_background(policy, self._udf, None)

    def results(self, policy: Optional[dict] = None, nodename: Optional[str] = None) -> list:
        """Every record as ``(key, meta, bins)`` (only the partitions of node ``nodename`` if given)."""
        found: list = []
        self._run(found.append, policy, None, nodename, concurrent=True, with_partition=False)  # None: not False
        return found

    def foreach(
        self,
        callback: Callable[[Any], Any],
        policy: Optional[dict] = None,
        options: Optional[dict] = None,
        nodename: Optional[str] = None,
    ) -> None:
        """Call ``callback((key, meta, bins))`` for each record as it arrives; False stops the scan.

        With a ``partition_filter`` policy the callback gets ``(partition_id, record)``. An exception raised by
        the callback stops the scan with ClientError, as in 3.0.0.
        """
        self._run(callback, policy, options, nodename, concurrent=None, with_partition=True, callback_error=_CALLBACK_ERROR)

    def _run(
        self,
        callback: Callable[[Any], Any],
        policy: Any,
        options: Any,
        nodename: Optional[str],
        concurrent: Optional[bool],
        with_partition: bool,
        callback_error: Optional[str] = None,
    ) -> None:
        client = self._client
        cluster = client._connected_cluster()
        scan_policy = client._resolve("scan", policy)
        self._options.update(options)
        current = CallOptions(policy, "scan")
        if concurrent is None:
            concurrent = self._options.concurrent
        nobins = self._options.nobins
        if self._ops is not None and self._ops_write:
            raise exception.ParamError(
                exception.ParamError.code,
                "Query operations must be read-only. Use background query for write-only operations.",
            )
        request = StreamRequest(
            self.namespace,
            self.set,
            scan_policy,
            bins=self._selection.names,
            nobins=nobins,
            ops=self._ops or (),
            records_per_second=current.records_per_second,
        )
        run_records(
            client,
            cluster,
            scan_policy,
            request,
            callback,
            nobins,
            concurrent,
            nodename,
            status=self._tracker_status(current),
            max_records=current.max_records,
            with_partition=with_partition and current.partitions is not None,
            callback_error=callback_error,
        )
