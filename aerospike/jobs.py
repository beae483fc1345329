"""Background scans and queries as 3.0.0's client methods ran them: ``scan_apply``, ``query_apply``,
``job_info`` and ``scan_info``.

Owns: their argument rules (what raised TypeError, which ParamError message each bad argument got, in 3.0.0's
order) and waiting: 3.0.0's scan_apply and query_apply returned only once the job was done on every node
(aerospike_scan_wait / aerospike_query_wait), so code written for it reads the job's writes right away.
Must not know the wire: udf.py builds and sends the job requests and reads the job status from the nodes.
"""

from __future__ import annotations

import time
from typing import Any

from . import exception
from ._constants import JOB_QUERY, JOB_SCAN, JOB_STATUS_INPROGRESS

__all__ = ["MISSING", "job_info", "query_apply", "scan_apply", "scan_info", "wait_for_job"]

MISSING: Any = object()  # an argument the caller left out (3.0.0 told it apart from None)

_C_LONG_MIN = -(1 << 63)
_C_LONG_MAX = (1 << 63) - 1
_U64_MASK = (1 << 64) - 1
_POLL_FIRST = 0.005  # seconds before the first look at a job's status; doubled up to _POLL_MAX
_POLL_MAX = 0.2


def _param_error(message: str) -> exception.ParamError:
    return exception.ParamError(exception.ParamError.code, message)


def _require_str(value: Any, method: str, position: int) -> None:
    # 3.0.0 parsed these with the "s" format: a TypeError before anything else.
    if not isinstance(value, str):
        raise TypeError(f"{method}() argument {position} must be str, not {type(value).__name__}")


def _c_long(value: Any) -> int:
    # 3.0.0 parsed job ids with the "l" format (a C long); the id travels as its unsigned 64-bit pattern.
    if not isinstance(value, int):
        raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an integer")
    if not _C_LONG_MIN <= value <= _C_LONG_MAX:
        raise OverflowError("Python int too large to convert to C long")
    return int(value) & _U64_MASK


def _check_udf_names(module: Any, function: Any) -> None:
    if not isinstance(module, str):
        raise _param_error("Module name should be string")
    if not isinstance(function, str):
        raise _param_error("Function name should be string")


def wait_for_job(client: Any, job_id: int, module: str, failure: str) -> None:
    """Poll the job's status until no node reports it in progress; ParamError(failure) if a poll fails."""
    from . import udf

    delay = _POLL_FIRST
    while True:
        time.sleep(delay)
        try:
            status = udf.job_info(client, job_id, module, None)["status"]
        except exception.AerospikeError:
            raise _param_error(failure) from None
        if status != JOB_STATUS_INPROGRESS:
            return
        delay = min(delay * 2, _POLL_MAX)


def scan_apply(
    client: Any, ns: Any, set_name: Any, module: Any, function: Any, args: Any, policy: Any, options: Any
) -> int:
    """Client.scan_apply: run a record UDF over a set in the background and wait for it; the job id."""
    from . import udf
    from .scan import ScanOptions

    _require_str(ns, "scan_apply", 1)
    client._connected_cluster()
    if args is not None and not isinstance(args, list):
        raise _param_error("Arguments should be a list")
    if set_name is not None and not isinstance(set_name, str):
        raise _param_error("Set name should be string")
    if policy is not None:
        client._resolve("scan", policy)
    ScanOptions().update(options)
    _check_udf_names(module, function)
    job_id: int = udf.scan_apply(client, ns, set_name, module, function, args, policy, options)
    wait_for_job(client, job_id, JOB_SCAN, "Unable to perform scan_wait on the scan")
    return job_id


def query_apply(
    client: Any, ns: Any, set_name: Any, predicate: Any, module: Any, function: Any, args: Any, policy: Any
) -> int:
    """Client.query_apply: run a record UDF over the records a predicate selects, in the background, and wait
    for it; the job id. 3.0.0 took no geo predicate here."""
    from . import udf
    from .query import apply_filter

    _require_str(ns, "query_apply", 1)
    client._connected_cluster()
    if args is MISSING:
        args = []  # 3.0.0 dereferenced the missing list and crashed
    elif not isinstance(args, list):
        raise _param_error("Arguments should be a list")
    if set_name is not None and not isinstance(set_name, str):
        raise _param_error("Set name should be string")
    if policy is not None:
        client._resolve("write", policy)
    _check_udf_names(module, function)
    index_filter = apply_filter(predicate)
    job_id: int = udf.query_apply(client, ns, set_name, index_filter, module, function, args, policy)
    wait_for_job(client, job_id, JOB_QUERY, "Unable to perform query_wait on the query")
    return job_id


def job_info(client: Any, job_id: Any, module: Any, policy: Any) -> dict:
    """Client.job_info: ``{'status', 'records_read', 'progress_pct'}`` of a background job."""
    from . import udf

    job = _c_long(job_id)
    _require_str(module, "job_info", 2)
    client._connected_cluster()
    client._resolve("info", policy)
    if module not in (JOB_SCAN, JOB_QUERY):
        raise _param_error("Module can have only two values: aerospike.JOB_SCAN or aerospike.JOB_QUERY")
    return udf.job_info(client, job, module, policy)  # type: ignore[no-any-return]


def scan_info(client: Any, scanid: Any, policy: Any) -> dict:
    """Client.scan_info: ``{'status', 'records_scanned', 'progress_pct'}`` of a background scan."""
    from . import udf

    job = _c_long(scanid)
    client._connected_cluster()
    client._resolve("info", policy)
    return udf.scan_info(client, job, policy)  # type: ignore[no-any-return]
