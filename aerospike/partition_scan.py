"""Partition-based scans and queries: which partitions each node is asked for, and resuming after failures.

Owns: the partition tracker (per partition: done or not, the digest of the last record received), grouping
the unfinished partitions by their current owner node into the pid array (field 11) and the resume digest
array (field 12), marking a node's partitions done when its stream ends, retrying only the partitions
whose node failed or reported them unavailable (on the node that owns them now, resuming after the last
digest so no record is delivered twice), and running the per-node streams one after another or in
parallel threads. Must not know what the request filters or what a record becomes: the caller builds each
node's request and consumes each record message.
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
    FIELD_DIGEST,
    INFO3_LAST,
    INFO3_PARTITION_DONE,
    N_PARTITIONS,
    RESULT_KEY_NOT_FOUND,
    RESULT_OK,
)
from .protocol.message import Message

__all__ = ["NodePartitions", "PartitionTracker", "run_partition_stream"]

_PID = struct.Struct("<H")  # partition ids travel little-endian in field 11

# Failures after which a node's unfinished partitions are worth asking again.
RETRYABLE = frozenset(
    (
        NETWORK_ERROR_CODE,
        exception.TimeoutError.code,
        exception.NoMoreConnectionsError.code,
        exception.InvalidNodeError.code,
        exception.ClusterError.code,  # partition unavailable
    )
)


_PARTITION_MASK = 0x0FFF  # a digest's partition id: its first two bytes, little-endian, masked


class _StopFlag:
    """The one-way "stop everything" flag a stream's node threads share: set, and read once or twice per record
    (a plain attribute, cheaper to read than threading.Event.is_set; nothing ever waits on it)."""

    __slots__ = ("stopped",)

    def __init__(self) -> None:
        self.stopped = False


class NodePartitions:
    """The partitions one node is asked for in one round: plain ids, and ids with a resume digest."""

    __slots__ = ("node", "partition_ids", "resume", "records")

    def __init__(self, node: Any) -> None:
        self.node = node
        self.partition_ids: list[int] = []
        self.resume: list[tuple[int, bytes]] = []  # (partition_id, last digest received)
        self.records = 0

    def pid_array(self) -> bytes:
        """Field 11: every partition without a resume digest, u16 little-endian each."""
        return b"".join(_PID.pack(pid) for pid in self.partition_ids)

    def digest_array(self) -> bytes:
        """Field 12: the resume digest of every partition that already returned records."""
        return b"".join(digest for _, digest in self.resume)

    def all_ids(self) -> list[int]:
        return self.partition_ids + [pid for pid, _ in self.resume]


class PartitionTracker:
    """Progress of one scan or query over the partitions of a namespace."""

    def __init__(self, namespace: str, partition_ids: Optional[Iterable[int]] = None) -> None:
        self.namespace = namespace
        ids = range(N_PARTITIONS) if partition_ids is None else partition_ids
        self._pending: dict[int, Optional[bytes]] = {pid: None for pid in ids}  # pid -> resume digest
        self._unavailable: set[int] = set()
        self._lock = threading.Lock()

    # -- planning --------------------------------------------------------------------------------------

    def assign(self, cluster: Any, fixed_node: Any = None) -> list[NodePartitions]:
        """The unfinished partitions grouped by the node that owns them now (or all on `fixed_node`)."""
        self._unavailable.clear()
        groups: dict[Any, NodePartitions] = {}
        for pid in sorted(self._pending):
            node = fixed_node
            if node is None:
                node = cluster.node_for(self.namespace, pid, 0)
            if node is None:
                if not cluster.has_namespace(self.namespace):
                    # What a server answers 3.0.0's scan of a namespace it does not have.
                    raise exception.error_for_code(20)  # AEROSPIKE_ERR_NAMESPACE_NOT_FOUND
                raise exception.InvalidNodeError(
                    exception.InvalidNodeError.code, f"No node for partition {pid} of namespace {self.namespace}"
                )
            entry = groups.get(node)
            if entry is None:
                entry = groups[node] = NodePartitions(node)
            digest = self._pending[pid]
            if digest is None:
                entry.partition_ids.append(pid)
            else:
                entry.resume.append((pid, digest))
        return list(groups.values())

    # -- progress --------------------------------------------------------------------------------------

    def record_received(self, digest: bytes) -> None:
        """A record of a partition arrived: resume after it if the partition has to be asked again."""
        pid = (digest[0] | (digest[1] << 8)) & _PARTITION_MASK  # digest_partition_id(digest), inlined
        with self._lock:
            if pid in self._pending:
                self._pending[pid] = digest

    def partition_unavailable(self, pid: int) -> None:
        """The node could not serve this partition now (it migrated): ask its new owner next round."""
        with self._lock:
            self._unavailable.add(pid)

    def node_complete(self, assignment: NodePartitions) -> None:
        """The node's stream ended normally: every partition it was asked for is done unless unavailable."""
        with self._lock:
            for pid in assignment.all_ids():
                if pid not in self._unavailable:
                    self._pending.pop(pid, None)

    def is_complete(self) -> bool:
        return not self._pending

    def pending(self) -> list[int]:
        return sorted(self._pending)


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
) -> None:
    """Stream every pending partition's records to on_record (False stops everything, cleanly).

    Records are handed over as each frame arrives; nothing is buffered here. on_record is never called
    from two threads at once.
    """
    node_policy = build(policy.kind, {"max_retries": 0}, base=policy)
    deadline = monotonic() + policy.total_timeout / 1000.0 if policy.total_timeout else 0.0
    stop = _StopFlag()
    callback_lock = threading.Lock()
    attempt = 0
    while True:
        assignments = tracker.assign(cluster, fixed_node)

        def run_node(assignment: NodePartitions) -> Optional[exception.AerospikeError]:
            request = build_request(assignment)

            def on_message(message: Message) -> bool:
                if stop.stopped:
                    return False
                info3 = message.info3
                code = message.result_code
                if info3 & INFO3_PARTITION_DONE:
                    if code:
                        tracker.partition_unavailable(message.generation)
                    return not info3 & INFO3_LAST
                if info3 & INFO3_LAST:
                    if code not in (RESULT_OK, RESULT_KEY_NOT_FOUND):
                        raise exception.error_for_code(code)  # 3.0.0: as_error_string(code)
                    return False
                if code:
                    if code == RESULT_KEY_NOT_FOUND:
                        return False
                    raise exception.error_for_code(code)  # 3.0.0: as_error_string(code)
                digest = message.field(FIELD_DIGEST)
                if digest is not None:
                    tracker.record_received(digest)
                assignment.records += 1
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
                return True

            try:
                stream(cluster, node_policy, assignment.node, request, on_message)
            except exception.AerospikeError as failure:
                if failure.code in RETRYABLE and not stop.stopped:
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
        if stop.stopped or tracker.is_complete():
            return
        errors = [outcome for outcome in outcomes if outcome is not None]
        attempt += 1
        if attempt > policy.max_retries or (deadline and monotonic() >= deadline):
            if errors:
                raise errors[0]
            raise exception.ClusterError(
                exception.ClusterError.code,
                f"{len(tracker.pending())} partition(s) of {tracker.namespace} unavailable after "
                f"{attempt} attempt(s)",
            )
        if policy.sleep_between_retries:
            sleep(policy.sleep_between_retries / 1000.0)
