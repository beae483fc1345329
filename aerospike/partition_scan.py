"""Partition-based scans and queries: which partitions each node is asked for, resuming, and pagination.

Owns: the partition state of a scan or query (per partition: still to ask or not, the digest and index value of
the last record received; overall: ``done`` and ``retry``), kept between calls for pagination and the current
API's ``partition_filter``; grouping the partitions to ask by their current owner node into the pid array
(field 11), the resume digest array (field 12) and, for index queries, the resume value array (field 15);
sharing ``max_records`` out over the nodes; retrying only the partitions whose node failed or reported them
unavailable (on the node that owns them now, resuming after the last digest so no record is delivered twice);
and running the per-node streams one after another or in parallel threads. The rules are the official
clients' partition tracker. Must not know what the request filters or what a record becomes: the caller builds
each node's request and consumes each record message.
"""

from __future__ import annotations

import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from time import monotonic, sleep
from typing import Any, Callable, Iterable, Optional

from . import exception
from .connection import NETWORK_ERROR_CODE
from .policy import Policy, build
from .protocol.constants import (
    DIGEST_SIZE,
    FIELD_BVAL_ARRAY,
    FIELD_DIGEST,
    INFO3_LAST,
    INFO3_PARTITION_DONE,
    N_PARTITIONS,
    RESULT_KEY_NOT_FOUND,
    RESULT_OK,
)
from .protocol.message import Message

__all__ = ["NodePartitions", "PartitionStatus", "PartitionTracker", "PartitionsStatus", "run_partition_stream"]

_PID = struct.Struct("<H")  # partition ids travel little-endian in field 11
_BVAL = struct.Struct("<Q")  # resume index values travel little-endian in field 15
_U64_MASK = (1 << 64) - 1

# Failures after which a node's unfinished partitions are worth asking again.
RETRYABLE = frozenset(
    (
        NETWORK_ERROR_CODE,
        exception.TimeoutError.code,
        exception.NoMoreConnectionsError.code,
        exception.InvalidNodeError.code,
        exception.ClusterError.code,  # partition unavailable
        exception.IndexNotFound.code,  # the index is not (yet) on this node: as the current clients retry
        exception.IndexNotReadable.code,
    )
)


_PARTITION_MASK = 0x0FFF  # a digest's partition id: its first two bytes, little-endian, masked

#: (tracker, assignment, stop flag, callback lock) -> the on_frame callback of one node's stream.
FrameReaderFactory = Callable[["PartitionTracker", "NodePartitions", "_StopFlag", Any], Callable[[bytes], int]]


class _StopFlag:
    """The one-way "stop everything" flag a stream's node threads share: set, and read once or twice per record
    (a plain attribute, cheaper to read than threading.Event.is_set; nothing ever waits on it)."""

    __slots__ = ("stopped",)

    def __init__(self) -> None:
        self.stopped = False


class PartitionStatus:
    """Progress of one partition: whether it is (still) to be asked for, and the last record received from it.

    ``digest`` None means no record was received yet (the official client's ``init`` False); ``bval`` is the
    index value of that record in a secondary-index query (its field 15), which a resumed query sends back.
    """

    __slots__ = ("partition_id", "retry", "digest", "bval", "unavailable")

    def __init__(self, partition_id: int) -> None:
        self.partition_id = partition_id
        self.retry = True
        self.digest: Optional[bytes] = None
        self.bval = 0
        self.unavailable = False

    def as_tuple(self) -> tuple:
        """``(id, init, retry, digest, bval)``, the partition-status tuple of the current API."""
        digest = bytearray(self.digest) if self.digest is not None else bytearray(DIGEST_SIZE)
        return (self.partition_id, self.digest is not None, self.retry, digest, self.bval)


class PartitionsStatus:
    """The partition state a scan or query keeps between calls (pagination, ``partition_filter``).

    ``retry`` True asks every partition again in the next call's first round; False asks only the partitions
    marked ``retry``. ``done`` says the last call received every record of the partitions it covered.
    """

    __slots__ = ("parts", "retry", "done", "_by_id")

    def __init__(self, partition_ids: Iterable[int], digest: Optional[bytes] = None) -> None:
        self.parts = [PartitionStatus(pid) for pid in partition_ids]
        self._by_id = {part.partition_id: part for part in self.parts}
        self.retry = True
        self.done = False
        if digest is not None and self.parts:
            self.parts[0].digest = digest

    @classmethod
    def range(cls, begin: int = 0, count: int = N_PARTITIONS, digest: Optional[bytes] = None) -> PartitionsStatus:
        return cls(range(begin, begin + count), digest)

    def get(self, partition_id: int) -> Optional[PartitionStatus]:
        return self._by_id.get(partition_id)

    def by_id(self) -> dict[int, PartitionStatus]:
        """Each partition's status by its id (a frame reader looks records' partitions up in it directly)."""
        return self._by_id

    def as_dict(self) -> dict:
        """What ``get_partitions_status()`` returns: ``done``, ``retry`` and one tuple per partition id."""
        status: dict = {"done": self.done, "retry": self.retry}
        for part in self.parts:
            status[part.partition_id] = part.as_tuple()
        return status


class NodePartitions:
    """The partitions one node is asked for in one round: plain ids, and ids with a resume digest."""

    __slots__ = ("node", "full", "partial", "records", "record_max", "unavailable")

    def __init__(self, node: Any) -> None:
        self.node = node
        self.full: list[PartitionStatus] = []
        self.partial: list[PartitionStatus] = []  # partitions that already returned records
        self.records = 0
        self.record_max = 0  # this node's share of max_records (0: no limit)
        self.unavailable = 0

    @property
    def partition_ids(self) -> list[int]:
        return [part.partition_id for part in self.full]

    @property
    def resume(self) -> list[tuple[int, bytes]]:
        return [(part.partition_id, part.digest or b"") for part in self.partial]

    def pid_array(self) -> bytes:
        """Field 11: every partition without a resume digest, u16 little-endian each."""
        return b"".join(_PID.pack(part.partition_id) for part in self.full)

    def digest_array(self) -> bytes:
        """Field 12: the resume digest of every partition that already returned records."""
        return b"".join(part.digest or b"" for part in self.partial)

    def bval_array(self) -> bytes:
        """Field 15: the index value of each resume digest (secondary-index queries), u64 little-endian."""
        return b"".join(_BVAL.pack(part.bval & _U64_MASK) for part in self.partial)

    def all_parts(self) -> list[PartitionStatus]:
        return self.full + self.partial

    def all_ids(self) -> list[int]:
        return [part.partition_id for part in self.all_parts()]

    def mark_retry(self) -> None:
        for part in self.all_parts():
            part.retry = True


class PartitionTracker:
    """Progress of one scan or query over the partitions of a namespace (the official client's tracker).

    `status` is the PartitionsStatus to continue (a paginated scan's, or a partition filter's); without one a
    fresh one covers `partition_ids` (all partitions by default). `max_records` is shared out over the nodes
    of each round; a node that returns its whole share may have more, so its partitions stay to be asked.
    """

    def __init__(
        self,
        namespace: str,
        partition_ids: Optional[Iterable[int]] = None,
        status: Optional[PartitionsStatus] = None,
        max_records: int = 0,
    ) -> None:
        self.namespace = namespace
        if status is None:
            status = PartitionsStatus(range(N_PARTITIONS) if partition_ids is None else partition_ids)
        elif max_records == 0:
            status.retry = True  # no page size: every partition again
        self.status = status
        self.max_records = max_records
        self.iteration = 1
        self.assignments: list[NodePartitions] = []
        self._lock = threading.Lock()

    # -- planning --------------------------------------------------------------------------------------

    def assign(self, cluster: Any, fixed_node: Any = None) -> list[NodePartitions]:
        """The partitions to ask for in this round, grouped by the node that owns them now."""
        status = self.status
        retry_all = status.retry and self.iteration == 1
        groups: dict[Any, NodePartitions] = {}
        for part in status.parts:
            if not (retry_all or part.retry):
                continue
            node = cluster.node_for(self.namespace, part.partition_id, 0)
            if node is None:
                if not cluster.has_namespace(self.namespace):
                    # What a server answers a scan of a namespace it does not have.
                    raise exception.error_for_code(20)  # AEROSPIKE_ERR_NAMESPACE_NOT_FOUND
                raise exception.InvalidNodeError(
                    exception.InvalidNodeError.code,
                    f"No node for partition {part.partition_id} of namespace {self.namespace}",
                )
            part.unavailable = False
            part.retry = False
            if fixed_node is not None:
                if getattr(node, "name", None) != getattr(fixed_node, "name", None):
                    continue
                node = fixed_node
            entry = groups.get(node)
            if entry is None:
                entry = groups[node] = NodePartitions(node)
            (entry.partial if part.digest is not None else entry.full).append(part)
        assignments = list(groups.values())
        if not assignments:
            raise exception.InvalidNodeError(exception.InvalidNodeError.code, "No nodes were assigned")
        # A call that ends early (an error, a callback that stops) leaves every partition to be asked again.
        status.retry = True
        if self.max_records > 0:
            if self.max_records < len(assignments):
                assignments = assignments[: self.max_records]
            share, extra = divmod(self.max_records, len(assignments))
            for index, entry in enumerate(assignments):
                entry.record_max = share + 1 if index < extra else share
        self.assignments = assignments
        return assignments

    # -- progress --------------------------------------------------------------------------------------

    def record_received(self, digest: bytes, bval: Optional[int] = None) -> None:
        """A record of a partition arrived: a later round (or page) resumes after it."""
        pid = (digest[0] | (digest[1] << 8)) & _PARTITION_MASK  # digest_partition_id(digest), inlined
        part = self.status.get(pid)
        if part is not None:
            part.digest = digest
            if bval is not None:
                part.bval = bval

    def partition_unavailable(self, assignment: NodePartitions, pid: int) -> None:
        """The node could not serve this partition now (it migrated): ask its new owner next round."""
        part = self.status.get(pid)
        with self._lock:
            if part is not None:
                part.retry = True
                part.unavailable = True
            assignment.unavailable += 1

    def node_failed(self, assignment: NodePartitions) -> None:
        """The node's stream failed in a way worth retrying: all its partitions go to the next round."""
        with self._lock:
            assignment.mark_retry()
            assignment.unavailable = len(assignment.full) + len(assignment.partial)

    def node_complete(self, assignment: NodePartitions) -> None:
        """The node's stream ended normally (its partitions were marked done when assigned)."""

    def round_complete(self) -> bool:
        """After a round: True when nothing is left to ask in this call (updating ``done`` and ``retry``)."""
        assignments = self.assignments
        unavailable = sum(entry.unavailable for entry in assignments)
        status = self.status
        if unavailable == 0:
            if self.max_records == 0:
                status.done = True
            elif self.iteration > 1:
                status.retry = True
                status.done = False
            else:
                status.retry = False
                done = True
                for entry in assignments:
                    if entry.records >= entry.record_max:
                        entry.mark_retry()  # the node may hold more than its share
                        done = False
                status.done = done
            return True
        records = sum(entry.records for entry in assignments)
        if self.max_records > 0 and records >= self.max_records:
            return True
        if self.max_records > 0:
            self.max_records -= records
        self.iteration += 1
        return False

    def is_complete(self) -> bool:
        return not self.pending()

    def pending(self) -> list[int]:
        """The partitions still to be asked for."""
        return [part.partition_id for part in self.status.parts if part.retry]


def run_partition_stream(
    cluster: Any,
    stream: Callable[..., None],
    policy: Policy,
    tracker: PartitionTracker,
    build_request: Callable[[NodePartitions], bytes],
    on_record: Callable[[Message], bool],
    concurrent: bool,
    thread_pool_size: int,
    fixed_node: Any = None,
    frame_reader: Optional[FrameReaderFactory] = None,
) -> None:
    """Stream every pending partition's records to on_record (False stops everything, cleanly).

    Records are handed over as each frame arrives; nothing is buffered here. on_record is never called
    from two threads at once. A record counts as received (a later round or page resumes after it) once
    on_record has accepted it.

    With `frame_reader`, `stream` is command.execute_stream_frames and each node's frames go to
    ``frame_reader(tracker, assignment, stop, callback_lock)`` (replies.scan_frame_reader), which follows the
    rules of on_message below frame by frame and hands records over itself; on_record is then unused.
    """
    node_policy = build(policy.kind, {"max_retries": 0}, base=policy)
    deadline = monotonic() + policy.total_timeout / 1000.0 if policy.total_timeout else 0.0
    stop = _StopFlag()
    callback_lock = threading.Lock()
    try:
        while True:
            assignments = tracker.assign(cluster, fixed_node)

            def run_node(assignment: NodePartitions) -> Optional[exception.AerospikeError]:
                request = build_request(assignment)
                handler: Callable[[Any], Any]

                def on_message(message: Message) -> bool:
                    if stop.stopped:
                        return False
                    info3 = message.info3
                    code = message.result_code
                    if info3 & INFO3_PARTITION_DONE:
                        if code:
                            tracker.partition_unavailable(assignment, message.generation)
                        return not info3 & INFO3_LAST
                    if info3 & INFO3_LAST:
                        if code not in (RESULT_OK, RESULT_KEY_NOT_FOUND):
                            raise exception.error_for_code(code)  # 3.0.0: as_error_string(code)
                        return False
                    if code:
                        if code == RESULT_KEY_NOT_FOUND:
                            return False
                        raise exception.error_for_code(code)  # 3.0.0: as_error_string(code)
                    with callback_lock:
                        if stop.stopped:
                            return False
                        try:
                            go_on = on_record(message)
                        except BaseException:
                            stop.stopped = True
                            raise
                        if go_on is False:
                            stop.stopped = True
                            return False
                        digest = message.field(FIELD_DIGEST)
                        if digest is not None:
                            bval = message.field(FIELD_BVAL_ARRAY)
                            tracker.record_received(
                                digest, int.from_bytes(bval, "little") if bval and len(bval) == 8 else None
                            )
                        assignment.records += 1
                    return True

                if frame_reader is not None:
                    handler = frame_reader(tracker, assignment, stop, callback_lock)
                else:
                    handler = on_message
                try:
                    stream(cluster, node_policy, assignment.node, request, handler)
                except exception.AerospikeError as failure:
                    if failure.code in RETRYABLE and not stop.stopped:
                        tracker.node_failed(assignment)
                        return failure
                    stop.stopped = True
                    raise
                if not stop.stopped:
                    tracker.node_complete(assignment)
                return None

            if concurrent and len(assignments) > 1 and thread_pool_size > 1:
                with ThreadPoolExecutor(max_workers=min(thread_pool_size, len(assignments))) as pool:
                    futures = [pool.submit(run_node, assignment) for assignment in assignments]
                    outcomes: list[Optional[exception.AerospikeError]] = []
                    first_error: Optional[BaseException] = None
                    for future in futures:
                        try:
                            outcomes.append(future.result())
                        except BaseException as error:  # re-raised once every thread has finished
                            if first_error is None:
                                first_error = error
                    if first_error is not None:
                        raise first_error
            else:
                outcomes = []
                for assignment in assignments:
                    if stop.stopped:
                        break
                    outcomes.append(run_node(assignment))
            if stop.stopped or tracker.round_complete():
                return
            errors = [outcome for outcome in outcomes if outcome is not None]
            if tracker.iteration - 1 > policy.max_retries or (deadline and monotonic() >= deadline):
                if errors:
                    raise errors[0]
                raise exception.ClusterError(
                    exception.ClusterError.code,
                    f"{len(tracker.pending())} partition(s) of {tracker.namespace} unavailable after "
                    f"{tracker.iteration - 1} attempt(s)",
                )
            if policy.sleep_between_retries:
                sleep(policy.sleep_between_retries / 1000.0)
    except BaseException:
        tracker.status.retry = True  # a failed call leaves every partition to be asked again
        raise
