"""Background query jobs of the local cluster (ops and record-UDF jobs) and their `query-show` / `scan-show` status.

Owns: running a background job on the records a node masters (operations as update-only writes, or a record UDF
per record), the job registry per node keyed by the request's transaction id (field 7, which the client returns
as the job id), and the status lines of server 8.1.2.0 (`trid=...:status=done(ok):...`). A job runs to completion
before its acknowledgement is sent, so a client that polls sees it done: a fast server, not a different one.
Must not know sockets.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Optional

from aerospike.protocol import constants as c
from aerospike.protocol.message import Message

from .info import NodeState, parse_params

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import LocalCluster
    from .scan import QueryPlan
    from .server import NodeServer

DEFAULT_RPS = 10000  # the namespace's background-query-max-rps


@dataclass
class Job:
    """One background job as one node ran it."""

    trid: int
    namespace: str
    set_name: Optional[str]
    index_name: Optional[str]
    job_type: str  # background-ops or background-udf
    udf_module: str = ""
    udf_function: str = ""
    socket_timeout: int = 0
    succeeded: int = 0
    failed: int = 0
    started: float = 0.0
    finished: float = 0.0

    def show(self) -> str:
        """The job's status line, keys in the server's order."""
        now = time.monotonic()
        parts = [f"trid={self.trid}", f"ns={self.namespace}", f"set={self.set_name or ''}"]
        if self.index_name:
            parts.append(f"sindex-name={self.index_name}")
        parts += [
            f"rps={DEFAULT_RPS}",
            "active-threads=0",
            "status=done(ok)",
            "job-progress=100.00",
            f"run-time={int((self.finished - self.started) * 1000)}",
            f"time-since-done={int((now - self.finished) * 1000)}",
            f"recs-throttled={self.succeeded + self.failed}",
            "recs-filtered-meta=0",
            "recs-filtered-bins=0",
            f"recs-succeeded={self.succeeded}",
            f"recs-failed={self.failed}",
            "from=127.0.0.1+0",
            f"job-type={self.job_type}",
            "net-io-bytes=30",
            f"socket-timeout={self.socket_timeout}",
        ]
        if self.job_type == "background-udf":
            parts += [f"udf-filename={self.udf_module}", f"udf-function={self.udf_function}", "udf-active=0"]
        else:
            parts.append("ops-active=0")
        return ":".join(parts)


class JobRegistry:
    """Jobs per node index, by transaction id."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jobs: dict[tuple[int, int], Job] = {}

    def add(self, node_index: int, job: Job) -> None:
        with self.lock:
            self.jobs[(node_index, job.trid)] = job

    def get(self, node_index: int, trid: int) -> Optional[Job]:
        with self.lock:
            return self.jobs.get((node_index, trid))

    def of_node(self, node_index: int) -> list[Job]:
        with self.lock:
            return [job for (index, _), job in self.jobs.items() if index == node_index]


_registries: weakref.WeakKeyDictionary[Any, JobRegistry] = weakref.WeakKeyDictionary()
_registries_lock = threading.Lock()


def registry(cluster: Any) -> JobRegistry:
    with _registries_lock:
        found = _registries.get(cluster)
        if found is None:
            found = _registries[cluster] = JobRegistry()
        return found


def start_background(cluster: LocalCluster, node: NodeServer, message: Message, plan: QueryPlan) -> Iterable[bytes]:
    """Run a background job on the records this node masters, then acknowledge it with LAST."""
    from .scan import selected_records

    trid_field = message.field(c.FIELD_TASK_ID)
    trid = int.from_bytes(trid_field, "big") if trid_field and len(trid_field) == 8 else 0
    module = message.field(c.FIELD_UDF_PACKAGE_NAME)
    function = message.field(c.FIELD_UDF_FUNCTION)
    arglist = message.field(c.FIELD_UDF_ARGLIST)
    timeout = message.field(c.FIELD_SOCKET_TIMEOUT)
    is_udf = module is not None
    if is_udf and function is None:
        return [Message(result_code=c.RESULT_PARAMETER_ERROR).encode()]
    if not is_udf and not message.ops:
        return [Message(result_code=c.RESULT_PARAMETER_ERROR).encode()]
    job = Job(
        trid=trid,
        namespace=plan.namespace,
        set_name=plan.set_name,
        index_name=plan.index.name if plan.index is not None else None,
        job_type="background-udf" if is_udf else "background-ops",
        udf_module=module.decode("utf-8", "replace") if module else "",
        udf_function=function.decode("utf-8", "replace") if function else "",
        socket_timeout=int.from_bytes(timeout, "big") if timeout and len(timeout) == 4 else 0,
        started=time.monotonic(),
    )
    base_fields = [(c.FIELD_NAMESPACE, plan.namespace.encode("utf-8"))]
    if is_udf:
        base_fields += [(c.FIELD_UDF_PACKAGE_NAME, module or b""), (c.FIELD_UDF_FUNCTION, function or b"")]
        base_fields.append((c.FIELD_UDF_ARGLIST, arglist if arglist is not None else b"\x90"))
    for _partition_id, found in selected_records(cluster, node, plan, masters_only=True):
        if found is None:
            continue
        digest, record, _bval = found
        fields = list(base_fields)
        if record.set_name:
            fields.append((c.FIELD_SET, record.set_name.encode("utf-8")))
        fields.append((c.FIELD_DIGEST, digest))
        if is_udf:
            from . import udf

            sub = Message(info2=c.INFO2_WRITE, fields=fields)
            reply = udf.execute_record_udf(cluster, node, sub)
        else:
            sub = Message(
                info1=message.info1 & c.INFO1_READ,
                info2=(message.info2 | c.INFO2_WRITE) & ~c.INFO2_RESPOND_ALL_OPS,
                info3=c.INFO3_UPDATE_ONLY,
                record_ttl=message.record_ttl,
                fields=fields,
                ops=list(message.ops),
            )
            reply, _proxied = cluster.execute_single(node, sub)
        if reply.result_code == c.RESULT_OK:
            job.succeeded += 1
        else:
            job.failed += 1
    job.finished = time.monotonic()
    registry(cluster).add(node.index, job)
    return [Message(info3=c.INFO3_LAST).encode()]


def _answer_show(state: NodeState, name: str, args: str) -> str:
    jobs = registry(state.extras["cluster"])
    node_index = int(state.extras["node_index"])
    params = parse_params(args)
    if "id" not in params and "trid" not in params:
        return ";".join(job.show() for job in jobs.of_node(node_index))
    try:
        trid = int(params.get("id") or params.get("trid") or "")
    except ValueError:
        return "ERROR:4:bad id"
    job = jobs.get(node_index, trid)
    return job.show() if job is not None else "ERROR:2:job not found"


HANDLERS = {"query-show": _answer_show, "scan-show": _answer_show}


def install(cluster: LocalCluster) -> None:
    """Answer job status info commands on every node of `cluster`."""
    cluster.info_handlers.update(HANDLERS)
