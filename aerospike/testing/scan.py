"""Partition scans and queries of the local cluster (messages without a digest: kinds "scan" and "query").

Owns: the foreground query of server 8.x (`basic_query_job`): the partitions a client asks for (field 11, little-
endian u16s) or resumes (field 12, digests; the records after each digest in digest order), the set filter,
`max_records` (13), records per second (10), bin selection (read ops, or the old bin list 40), metadata only,
filter expressions (43), and a secondary-index filter (22/26, naming the index by bin, 21 or 24) with field 15 in
every record; an index query reads a partition in (index value, digest) order and resumes after the entry of
fields 15 and 12, as server 8.1 does. Replies stream in
frames of at most FRAME_LIMIT bytes; a partition the node does not hold is reported done with result 11 so the
client asks another node; a LAST message ends the answer. Background jobs and aggregations are dispatched to
jobs.py and udf.py. Must not know sockets.
"""

from __future__ import annotations

import struct
import time
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from aerospike.protocol import constants as c
from aerospike.protocol.errors import ProtocolError
from aerospike.protocol.frame import pack_header
from aerospike.protocol.message import Message, Op

from . import record_ops, sindex
from .store import Record, partition_of, void_time_now

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import LocalCluster
    from .server import NodeServer

# Records are sent in frames of about this size (the server's QUERY_CHUNK_LIMIT is 1 MiB; smaller frames show
# clients a multi-frame answer even for small data sets).
FRAME_LIMIT = 64 * 1024
UDF_OP_AGGREGATE = 1  # field 33: stream UDF
UDF_OP_BACKGROUND = 2  # field 33: record UDF over every matching record
RESULT_SINDEX_NOT_FOUND = c.RESULT_INDEX_NOT_FOUND

_U16_LE = struct.Struct("<H")


def error_reply(result_code: int) -> list[bytes]:
    """A query refused as a whole: one message with the result and no LAST (as the server sends it)."""
    return [Message(result_code=result_code).encode()]


class QueryPlan:
    """What one query asks for, parsed once from its message."""

    def __init__(self, cluster: LocalCluster, message: Message) -> None:
        namespace = message.field(c.FIELD_NAMESPACE)
        if namespace is None:
            raise QueryRefused(c.RESULT_PARAMETER_ERROR)
        self.namespace = namespace.decode("utf-8", "replace")
        if self.namespace not in cluster.namespaces:
            raise QueryRefused(c.RESULT_NAMESPACE_NOT_FOUND)
        set_name = message.field(c.FIELD_SET)
        self.set_name: Optional[str] = set_name.decode("utf-8", "replace") if set_name else None
        self.partitions, self.resume = _requested_partitions(message)
        self.resume_bvals = _resume_bvals(message, self.resume)
        max_records = message.field(c.FIELD_MAX_RECORDS)
        self.max_records = int.from_bytes(max_records, "big") if max_records and len(max_records) == 8 else 0
        rps = message.field(c.FIELD_RECORDS_PER_SECOND)
        self.records_per_second = int.from_bytes(rps, "big") if rps and len(rps) == 4 else 0
        self.no_bin_data = bool(message.info1 & c.INFO1_NOBINDATA)
        self.read_ops = list(message.ops)  # a background job's ops are writes; foreground ones are checked later
        binlist = message.field(c.FIELD_QUERY_BINLIST)
        self.bin_names = _parse_binlist(binlist) if binlist is not None else None
        if self.bin_names is not None and self.read_ops:
            raise QueryRefused(c.RESULT_PARAMETER_ERROR)
        self.respond_all = bool(message.info2 & c.INFO2_RESPOND_ALL_OPS)
        filter_data = message.field(c.FIELD_FILTER_EXP)
        try:
            self.filter_exp = record_ops.parse_expression(filter_data) if filter_data is not None else None
        except record_ops.ExpressionError:
            raise QueryRefused(c.RESULT_PARAMETER_ERROR) from None
        self.index: Optional[sindex.IndexDef] = None
        self.index_filter: Optional[sindex.IndexFilter] = None
        range_field = message.field(c.FIELD_INDEX_RANGE)
        if range_field is not None:
            try:
                self.index_filter = sindex.parse_filter(
                    range_field,
                    message.field(c.FIELD_INDEX_TYPE),
                    message.field(c.FIELD_INDEX_NAME),
                    message.field(c.FIELD_INDEX_EXPRESSION),
                )
            except ProtocolError:
                raise QueryRefused(c.RESULT_PARAMETER_ERROR) from None
            self.index = sindex.registry(cluster).find(self.namespace, self.set_name, self.index_filter)
            if self.index is None:
                raise QueryRefused(RESULT_SINDEX_NOT_FOUND)

    def passes_filter(self, digest: bytes, record: Record, now: float) -> bool:
        """Whether a live record is in the query's set and passes its filter expression (not the index)."""
        if self.set_name is not None and record.set_name != self.set_name:
            return False
        if self.filter_exp is not None:
            view = record_ops.RecordView(
                record.bins, digest, record.set_name, record.key, record.void_time, record.last_update_time, now
            )
            try:
                if not record_ops.filter_matches(self.filter_exp, view):
                    return False
            except record_ops.ExpressionError:
                return False
        return True

    def index_entries(self, digest: bytes, record: Record, now: float) -> list[int]:
        """The bvals of the record's index entries the index filter selects (in the query's set)."""
        if self.index is None or self.index_filter is None:
            return []
        if self.set_name is not None and record.set_name != self.set_name:
            return []
        view = record_ops.RecordView(
            record.bins, digest, record.set_name, record.key, record.void_time, record.last_update_time, now
        )
        return sindex.record_entries(self.index, self.index_filter, record.bins, view)


class QueryRefused(Exception):
    def __init__(self, result_code: int) -> None:
        super().__init__(result_code)
        self.result_code = result_code


def _parse_binlist(data: bytes) -> list[str]:
    names = []
    try:
        count = data[0]
        offset = 1
        for _ in range(count):
            length = data[offset]
            names.append(data[offset + 1 : offset + 1 + length].decode("utf-8"))
            offset += 1 + length
    except (IndexError, UnicodeDecodeError):
        raise QueryRefused(c.RESULT_PARAMETER_ERROR) from None
    return names


def _requested_partitions(message: Message) -> tuple[Optional[list[int]], dict[int, bytes]]:
    """The partitions asked for, in request order (None: every partition the node masters) and resume digests."""
    pid_array = message.field(c.FIELD_PID_ARRAY)
    digest_array = message.field(c.FIELD_DIGEST_ARRAY)
    if pid_array is None and digest_array is None:
        return None, {}
    partitions: list[int] = []
    seen: set[int] = set()
    if pid_array is not None:
        if not pid_array or len(pid_array) % 2 or len(pid_array) // 2 > c.N_PARTITIONS:
            raise QueryRefused(c.RESULT_PARAMETER_ERROR)
        for (partition_id,) in _U16_LE.iter_unpack(pid_array):
            if partition_id >= c.N_PARTITIONS or partition_id in seen:
                raise QueryRefused(c.RESULT_PARAMETER_ERROR)
            seen.add(partition_id)
            partitions.append(partition_id)
    resume: dict[int, bytes] = {}
    if digest_array is not None:
        if not digest_array or len(digest_array) % c.DIGEST_SIZE:
            raise QueryRefused(c.RESULT_PARAMETER_ERROR)
        for start in range(0, len(digest_array), c.DIGEST_SIZE):
            digest = digest_array[start : start + c.DIGEST_SIZE]
            partition_id = partition_of(digest)
            if partition_id in seen:
                raise QueryRefused(c.RESULT_PARAMETER_ERROR)
            seen.add(partition_id)
            partitions.append(partition_id)
            resume[partition_id] = digest
    return partitions, resume


_I64_LE = struct.Struct("<q")


def _resume_bvals(message: Message, resume: dict[int, bytes]) -> dict[int, int]:
    """Field 15 of a resumed index query: the index value of each resume digest (little-endian 64-bit), by
    partition, in the order of the digest array."""
    data = message.field(c.FIELD_BVAL_ARRAY)
    if not data or not resume:
        return {}
    if len(data) != 8 * len(resume):
        raise QueryRefused(c.RESULT_PARAMETER_ERROR)
    values = [value for (value,) in _I64_LE.iter_unpack(data)]
    return dict(zip(resume, values))  # dicts keep the digest array's order


def record_message(
    namespace: str, digest: bytes, record: Record, ops: list[Op], bval: Optional[int]
) -> bytes:
    """One record of a query answer, without proto header: fields namespace, digest, set, key, bval."""
    fields = [(c.FIELD_NAMESPACE, namespace.encode("utf-8")), (c.FIELD_DIGEST, digest)]
    if record.set_name:
        fields.append((c.FIELD_SET, record.set_name.encode("utf-8")))
    if record.key is not None:
        fields.append((c.FIELD_KEY, bytes([record.key[0]]) + record.key[1]))
    if bval is not None:
        fields.append((c.FIELD_BVAL_ARRAY, sindex.bval_bytes(bval)))
    return Message(
        generation=record.generation, record_ttl=record.void_time, fields=fields, ops=ops
    ).encode()[c.PROTO_HEADER_SIZE :]


def record_ops_for(plan: QueryPlan, record: Record) -> Optional[list[Op]]:
    """The bins a query returns for a record (None: the record is not sent, because its read ops failed or
    it has none of the selected bins, as the server skips such a record)."""
    if plan.no_bin_data:
        return []
    ctx = record_ops.OpContext(record.bins, respond_all=plan.respond_all, record_exists=True)
    if plan.bin_names is not None:
        for name in plan.bin_names:
            ctx.read_bin(name)
    elif plan.read_ops:
        try:
            for op in plan.read_ops:
                record_ops.READ_OP_HANDLERS[op.op_type](ctx, op)
        except record_ops.OpError:
            return None
    else:
        ctx.read_all()
        return ctx.replies
    return ctx.replies or None


class FrameBuilder:
    """Messages gathered into frames of about FRAME_LIMIT bytes."""

    def __init__(self, limit: int = FRAME_LIMIT) -> None:
        self.limit = limit
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, body: bytes) -> Optional[bytes]:
        """Add a message body; returns a full frame when one is ready."""
        self._parts.append(body)
        self._size += len(body)
        if self._size >= self.limit:
            return self.flush()
        return None

    def flush(self) -> Optional[bytes]:
        if not self._parts:
            return None
        body = b"".join(self._parts)
        self._parts, self._size = [], 0
        return pack_header(c.PROTO_TYPE_MESSAGE, len(body)) + body


def selected_records(
    cluster: LocalCluster, node: NodeServer, plan: QueryPlan, masters_only: bool
) -> Iterator[tuple[int, Optional[tuple[bytes, Record, Optional[int]]]]]:
    """(partition id, (digest, record, bval)) of every selected record, partition by partition in digest order.

    A partition the node cannot serve yields (partition id, None) once. Without a partition list, only the
    partitions the node masters are read (what the server does for jobs and aggregations).
    """
    store = node.stores.get(plan.namespace)
    partitions = plan.partitions if plan.partitions is not None else range(c.N_PARTITIONS)
    for partition_id in partitions:
        holders = cluster.owners(partition_id)
        if masters_only:
            if not holders or holders[0] != node.index:
                continue
        elif node.index not in holders:
            yield partition_id, None
            continue
        if store is None:
            yield partition_id, None
            continue
        now = time.time()
        now_void = void_time_now(now)
        snapshot = store.partition_records(partition_id)
        resume = plan.resume.get(partition_id)
        if plan.index is not None:
            yield from _index_order(plan, partition_id, snapshot, resume, now, now_void)
            continue
        for digest in sorted(snapshot):
            if resume is not None and digest <= resume:
                continue
            record = snapshot[digest]
            if record.is_expired(now_void):
                continue
            if plan.passes_filter(digest, record, now):
                yield partition_id, (digest, record, None)


def _index_order(
    plan: QueryPlan, partition_id: int, snapshot: dict[bytes, Record], resume: Optional[bytes], now: float,
    now_void: int,
) -> Iterator[tuple[int, Optional[tuple[bytes, Record, Optional[int]]]]]:
    """A partition's records as server 8.1 reads them through a secondary index: its entries in (index value,
    digest) order, each record once per request (at its first entry), resuming after the entry (bval, digest)
    of field 15 and 12. A record with several entries (a list or map index) comes again after a resume that
    passed only its first entries, as on the server."""
    entries = []
    for digest, record in snapshot.items():
        if record.is_expired(now_void):
            continue
        for bval in plan.index_entries(digest, record, now):
            entries.append((bval, digest))
    entries.sort()
    resume_bval = plan.resume_bvals.get(partition_id)
    sent: set[bytes] = set()
    for bval, digest in entries:
        if resume is not None:
            if resume_bval is None:
                if digest <= resume:  # a resume without an index value: by digest, as a scan resumes
                    continue
            elif (bval, digest) <= (resume_bval, resume):
                continue
        if digest in sent:
            continue
        sent.add(digest)
        record = snapshot[digest]
        if plan.passes_filter(digest, record, now):
            yield partition_id, (digest, record, bval)


def handle_query(cluster: LocalCluster, node: NodeServer, message: Message) -> Iterable[bytes]:
    """The reply frames of a scan or query message (dispatching jobs and aggregations)."""
    udf_op = message.field(c.FIELD_UDF_OP)
    try:
        plan = QueryPlan(cluster, message)
    except QueryRefused as refused:
        return error_reply(refused.result_code)
    if udf_op is not None and udf_op[:1] == bytes([UDF_OP_AGGREGATE]):
        from . import udf

        return udf.aggregate(cluster, node, message, plan)
    if (udf_op is not None and udf_op[:1] == bytes([UDF_OP_BACKGROUND])) or message.info2 & c.INFO2_WRITE:
        from . import jobs

        return jobs.start_background(cluster, node, message, plan)
    if plan.partitions is None or not message.info3 & c.INFO3_PARTITION_DONE:
        return error_reply(c.RESULT_UNSUPPORTED_FEATURE)
    if any(op.op_type not in record_ops.READ_OP_HANDLERS for op in plan.read_ops):
        return error_reply(c.RESULT_PARAMETER_ERROR)  # queries may only read
    return _stream(cluster, node, plan)


def _stream(cluster: LocalCluster, node: NodeServer, plan: QueryPlan) -> Iterator[bytes]:
    frames = FrameBuilder()
    sent = 0
    started = time.monotonic()
    for partition_id, found in selected_records(cluster, node, plan, masters_only=False):
        if found is None:
            done = Message(info3=c.INFO3_PARTITION_DONE, result_code=c.RESULT_PARTITION_UNAVAILABLE)
            done.generation = partition_id  # the server carries the partition id in the generation slot
            frame = frames.add(done.encode()[c.PROTO_HEADER_SIZE :])
        else:
            digest, record, bval = found
            ops = record_ops_for(plan, record)
            if ops is None:
                continue
            frame = frames.add(record_message(plan.namespace, digest, record, ops, bval))
            sent += 1
            if plan.records_per_second:
                delay = started + sent / plan.records_per_second - time.monotonic()
                if delay > 0:
                    pending = frames.flush()
                    if pending is not None:
                        yield pending
                    time.sleep(delay)
        if frame is not None:
            yield frame
        if plan.max_records and sent >= plan.max_records:
            break
    tail = frames.flush()
    if tail is not None:
        yield tail
    yield Message(info3=c.INFO3_LAST).encode()


def install(cluster: LocalCluster) -> None:
    """Answer scans, queries, background jobs and aggregations on every node of `cluster`."""
    cluster.message_handlers["scan"] = handle_query
    cluster.message_handlers["query"] = handle_query
