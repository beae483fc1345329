"""The local cluster's record store and the server semantics of single-record commands.

Owns: records per namespace and partition (digest -> Record), expiry, and `execute_single`, which answers one
read, write, delete or operate message as an Aerospike 8.x server does (result codes, generation, void time,
reply ops). Bin-level operations and filter expressions live in record_ops.py. Must not know sockets, nodes or
the partition map (the network layer routes and answers 20 for unknown namespaces) and must not import the
client core.

Records are copy-on-write: a stored Record is never mutated; a write builds a new one and swaps it in under the
store's lock, so reads, scans and replication can hand records out without copying them.
"""

from __future__ import annotations

import threading
from typing import Iterator

from aerospike.protocol import constants as c
from aerospike.protocol.message import Message, Op

from . import record_ops
from .record_ops import BinValue, OpContext, OpError

# The largest record a write may leave (8.x default max-record-size / write-block-size: 1 MiB).
MAX_RECORD_SIZE = 1024 * 1024
# Relative TTLs above ten years are refused (the server's MAX_ALLOWED_TTL).
MAX_ALLOWED_TTL = 10 * 365 * 24 * 3600
# Generations are 16 bits in the server's index; they wrap to 1, never to 0.
MAX_GENERATION = 0xFFFF
# Per-record and per-bin overheads of the stored (flat) format, for the record-size limit.
_RECORD_OVERHEAD = 36
_BIN_OVERHEAD = 3


def partition_of(digest: bytes) -> int:
    """The partition id of a digest: its first two bytes little-endian, masked to 12 bits."""
    return (digest[0] | digest[1] << 8) & 0xFFF


def void_time_now(now: float) -> int:
    """`now` (Unix seconds) in seconds since the Citrusleaf epoch (2010-01-01 UTC), the unit of void times."""
    return int(now) - c.CITRUSLEAF_EPOCH


class Record:
    """One stored record. Never mutated once stored (copy-on-write).

    bins: name -> (particle type, value bytes exactly as the server returns them on the wire; integers are
    always 8 bytes; lists and maps are Aerospike msgpack, which keeps their order flags, so CDT operations decode,
    change and re-encode them). generation: 1..65535. void_time: seconds since 2010-01-01 UTC, 0 = never expires.
    set_name: None for the null set. key: (particle type, bytes) of the user key when it was sent with the write.
    last_update_time: nanoseconds since the Unix epoch (the unit of `truncate lut=` and expressions).
    """

    __slots__ = ("bins", "generation", "void_time", "set_name", "key", "last_update_time")

    def __init__(
        self,
        bins: dict[str, BinValue],
        generation: int,
        void_time: int,
        set_name: str | None,
        key: tuple[int, bytes] | None,
        last_update_time: int,
    ) -> None:
        self.bins = bins
        self.generation = generation
        self.void_time = void_time
        self.set_name = set_name
        self.key = key
        self.last_update_time = last_update_time

    def is_expired(self, now_void_time: int) -> bool:
        """Whether the record's void time has passed (`now_void_time` in Citrusleaf-epoch seconds)."""
        return self.void_time != 0 and self.void_time < now_void_time

    def copy(self) -> Record:
        """An independent copy (a new bins dict; the values are immutable)."""
        return Record(
            dict(self.bins), self.generation, self.void_time, self.set_name, self.key, self.last_update_time
        )

    def __repr__(self) -> str:
        return (
            f"Record(bins={self.bins!r}, generation={self.generation}, void_time={self.void_time}, "
            f"set_name={self.set_name!r}, key={self.key!r}, last_update_time={self.last_update_time})"
        )


class NamespaceStore:
    """The records of one namespace on one node: 4096 partitions of digest -> Record, behind one lock."""

    def __init__(self, name: str, edition: str = "community", default_ttl: int = 0) -> None:
        self.name = name
        self.edition = edition
        self.default_ttl = default_ttl
        self.lock = threading.RLock()
        self._partitions: list[dict[bytes, Record]] = [{} for _ in range(c.N_PARTITIONS)]
        self._count = 0
        self._set_counts: dict[str | None, int] = {}

    # -- counting -------------------------------------------------------------------------------------------------

    def object_count(self) -> int:
        """Records stored (expired ones count until they are read or purged, as on a server before nsup runs)."""
        with self.lock:
            return self._count

    def set_names(self) -> list[str]:
        """Names of the sets ever written, in the order they were first written (the server's set table keeps a
        set, with 0 objects, after its last record is gone)."""
        with self.lock:
            return [name for name in self._set_counts if name is not None]

    def set_object_count(self, set_name: str | None) -> int:
        """Records in one set (None or '' for records without a set)."""
        with self.lock:
            return self._set_counts.get(set_name or None, 0)

    # -- record access (callers other than execute_single: scans, batch, UDF, truncate) ------------------------

    def partition_records(self, partition_id: int) -> dict[bytes, Record]:
        """A snapshot (new dict) of one partition: digest -> Record. Records are immutable; do not mutate them."""
        with self.lock:
            return dict(self._partitions[partition_id])

    def get(self, digest: bytes, now: float) -> Record | None:
        """The live record of a digest, or None (an expired record is removed on the way)."""
        with self.lock:
            return self._live(digest, void_time_now(now))

    def put(self, digest: bytes, record: Record) -> None:
        """Store a record under a digest (replacing any), keeping the counters right."""
        with self.lock:
            self._store(digest, record)

    def remove(self, digest: bytes) -> bool:
        """Remove a record; whether there was one."""
        with self.lock:
            return self._remove(digest)

    def records(self) -> Iterator[tuple[bytes, Record]]:
        """Every (digest, record), partition by partition, from per-partition snapshots."""
        for partition_id in range(c.N_PARTITIONS):
            yield from self.partition_records(partition_id).items()

    def copy_partition_from(self, other: NamespaceStore, partition_id: int) -> None:
        """Replace this store's partition with a copy of `other`'s (replication and migration)."""
        with other.lock:
            copied = {digest: record.copy() for digest, record in other._partitions[partition_id].items()}
        with self.lock:
            for digest in list(self._partitions[partition_id]):
                self._remove(digest)
            for digest, record in copied.items():
                self._store(digest, record)

    def expire(self, now: float) -> int:
        """Remove every expired record (what nsup does); the number removed."""
        now_void_time = void_time_now(now)
        removed = 0
        with self.lock:
            for partition in self._partitions:
                for digest in [d for d, record in partition.items() if record.is_expired(now_void_time)]:
                    self._remove(digest)
                    removed += 1
        return removed

    def truncate(self, set_name: str | None = None, before_ns: int | None = None) -> int:
        """Remove the records of a set (None: all sets) last updated before `before_ns` (None: all)."""
        removed = 0
        with self.lock:
            for partition in self._partitions:
                doomed = [
                    digest
                    for digest, record in partition.items()
                    if (set_name is None or record.set_name == (set_name or None))
                    and (before_ns is None or record.last_update_time < before_ns)
                ]
                for digest in doomed:
                    self._remove(digest)
                    removed += 1
        return removed

    # -- internals (lock held) ---------------------------------------------------------------------------------

    def _live(self, digest: bytes, now_void_time: int) -> Record | None:
        record = self._partitions[partition_of(digest)].get(digest)
        if record is not None and record.is_expired(now_void_time):
            self._remove(digest)
            return None
        return record

    def _store(self, digest: bytes, record: Record) -> None:
        partition = self._partitions[partition_of(digest)]
        old = partition.get(digest)
        if old is not None:
            self._set_counts[old.set_name] -= 1
        else:
            self._count += 1
        partition[digest] = record
        self._set_counts[record.set_name] = self._set_counts.get(record.set_name, 0) + 1

    def _remove(self, digest: bytes) -> bool:
        old = self._partitions[partition_of(digest)].pop(digest, None)
        if old is None:
            return False
        self._count -= 1
        self._set_counts[old.set_name] -= 1
        return True


# ---------------------------------------------------------------------------------------------------------------
# Commands


def _reply(result_code: int, generation: int = 0, void_time: int = 0, ops: list[Op] | None = None) -> Message:
    return Message(result_code=result_code, generation=generation, record_ttl=void_time, ops=ops)


def _failure(result_code: int, record: Record | None) -> Message:
    """A failed write: the server reports the existing record's generation and void time, if there was one."""
    if record is None:
        return _reply(result_code)
    return _reply(result_code, record.generation, record.void_time)


def execute_single(store: NamespaceStore, message: Message, now: float) -> Message:
    """The reply to one single-record command (read, write, delete or operate) on `store` at time `now`."""
    namespace = message.field(c.FIELD_NAMESPACE)
    digest = message.field(c.FIELD_DIGEST)
    if namespace is None or digest is None or len(digest) != c.DIGEST_SIZE:
        return _reply(c.RESULT_PARAMETER_ERROR)
    with store.lock:
        if message.info2 & c.INFO2_WRITE:
            if message.info2 & c.INFO2_DELETE:
                return _delete(store, message, digest, now)
            return _write(store, message, digest, now)
        if message.info1 & c.INFO1_READ:
            return _read(store, message, digest, now)
    return _reply(c.RESULT_PARAMETER_ERROR)


def _filter_result(message: Message, record: Record, digest: bytes, now: float) -> int:
    """0 when the record passes the message's filter expression (or there is none), else 27 or 4."""
    data = message.field(c.FIELD_FILTER_EXP)
    if data is None:
        return c.RESULT_OK
    view = record_ops.RecordView(
        record.bins, digest, record.set_name, record.key, record.void_time, record.last_update_time, now
    )
    try:
        passed = record_ops.filter_matches(record_ops.parse_expression(data), view)
    except record_ops.ExpressionError:
        return c.RESULT_PARAMETER_ERROR
    return c.RESULT_OK if passed else c.RESULT_FILTERED_OUT


def _read(store: NamespaceStore, message: Message, digest: bytes, now: float) -> Message:
    record = store._live(digest, void_time_now(now))
    if record is None:
        return _reply(c.RESULT_KEY_NOT_FOUND)
    result = _filter_result(message, record, digest, now)
    if result:
        return _reply(result, record.generation, record.void_time)
    if message.info1 & c.INFO1_NOBINDATA:
        return _reply(c.RESULT_OK, record.generation, record.void_time)
    ctx = OpContext(record.bins, bool(message.info2 & c.INFO2_RESPOND_ALL_OPS), record_exists=True)
    # Expression operations see the record's metadata (ttl, set name, digest, last update time, ...).
    ctx.record_view = record_ops.RecordView(
        record.bins, digest, record.set_name, record.key, record.void_time, record.last_update_time, now
    )
    if message.info1 & c.INFO1_GET_ALL:
        ctx.read_all()
    elif not message.ops:
        return _reply(c.RESULT_PARAMETER_ERROR)  # a read of named bins that names none (the server answers 4)
    else:
        try:
            for op in message.ops:
                handler = record_ops.READ_OP_HANDLERS.get(op.op_type)
                if handler is None:
                    return _reply(c.RESULT_PARAMETER_ERROR)
                handler(ctx, op)
        except OpError as error:
            return _reply(error.result_code, record.generation, record.void_time)
    return _reply(c.RESULT_OK, record.generation, record.void_time, ctx.replies)


def _delete(store: NamespaceStore, message: Message, digest: bytes, now: float) -> Message:
    if message.info2 & c.INFO2_DURABLE_DELETE and store.edition == "community":
        return _reply(c.RESULT_ENTERPRISE_ONLY)
    record = store._live(digest, void_time_now(now))
    if record is None:
        return _reply(c.RESULT_KEY_NOT_FOUND)
    if not _generation_ok(message, record.generation):
        return _reply(c.RESULT_GENERATION_ERROR)
    result = _filter_result(message, record, digest, now)
    if result:
        return _reply(result)
    store._remove(digest)
    return _reply(c.RESULT_OK)


def _generation_ok(message: Message, generation: int) -> bool:
    if message.info2 & c.INFO2_GENERATION:
        return message.generation == generation
    if message.info2 & c.INFO2_GENERATION_GT:
        return message.generation > generation
    return True


def _check_write_ops(message: Message) -> tuple[int, bool]:
    """Validate a write command's ops as the server does before it looks the record up.

    Returns (result code, must_not_create).
    """
    ops = message.ops
    if not ops:
        return c.RESULT_PARAMETER_ERROR, False
    info3 = message.info3
    must_not_create = bool(info3 & (c.INFO3_UPDATE_ONLY | c.INFO3_REPLACE_ONLY))
    replace = bool(info3 & (c.INFO3_CREATE_OR_REPLACE | c.INFO3_REPLACE_ONLY))
    respond_all = bool(message.info2 & c.INFO2_RESPOND_ALL_OPS)
    get_all = bool(message.info1 & c.INFO1_GET_ALL)
    has_read = has_read_all = generates_response = False
    for op in ops:
        op_type = op.op_type
        if op_type == c.OP_TOUCH:
            if replace:
                return c.RESULT_PARAMETER_ERROR, must_not_create
            must_not_create = True
            continue
        if len(op.bin_name.encode("utf-8")) > record_ops.MAX_BIN_NAME_BYTES:
            return c.RESULT_BIN_NAME_TOO_LONG, must_not_create
        if op_type not in record_ops.WRITE_OP_HANDLERS:
            return c.RESULT_PARAMETER_ERROR, must_not_create
        if op_type == c.OP_WRITE:
            if op.particle_type == c.PARTICLE_NULL and replace:
                return c.RESULT_PARAMETER_ERROR, must_not_create
        elif op_type in record_ops.MODIFY_OP_TYPES:
            if replace:
                return c.RESULT_PARAMETER_ERROR, must_not_create
        if op_type == c.OP_READ and not op.bin_name and get_all:
            if respond_all or has_read_all:
                return c.RESULT_PARAMETER_ERROR, must_not_create
            has_read = has_read_all = True
        elif op_type in record_ops.READ_OP_TYPES:
            has_read = True
            generates_response = True
        elif op_type in record_ops.RESPONSE_OP_TYPES:
            generates_response = True
    if has_read and not message.info1 & c.INFO1_READ:
        return c.RESULT_PARAMETER_ERROR, must_not_create
    if has_read_all and generates_response:
        return c.RESULT_PARAMETER_ERROR, must_not_create
    if get_all and not has_read_all:
        return c.RESULT_PARAMETER_ERROR, must_not_create
    return c.RESULT_OK, must_not_create


def _set_name(message: Message) -> str | None:
    data = message.field(c.FIELD_SET)
    if not data:
        return None
    return data.decode("utf-8", "replace")


def _record_size(bins: dict[str, BinValue], key: tuple[int, bytes] | None, set_name: str | None) -> int:
    size = _RECORD_OVERHEAD
    if key is not None:
        size += 1 + len(key[1])
    if set_name:
        size += len(set_name)
    for name, (_, data) in bins.items():
        size += _BIN_OVERHEAD + len(name) + len(data)
    return size


def _new_void_time(store: NamespaceStore, ttl: int, existing: Record | None, now: float) -> int:
    if ttl == c.TTL_DONT_UPDATE:
        if existing is not None:
            return existing.void_time
        ttl = c.TTL_NAMESPACE_DEFAULT
    if ttl == c.TTL_NAMESPACE_DEFAULT:
        ttl = store.default_ttl
        if ttl == 0:
            return 0
    if ttl == c.TTL_NEVER_EXPIRE:
        return 0
    return void_time_now(now) + ttl


def _write(store: NamespaceStore, message: Message, digest: bytes, now: float) -> Message:
    ttl = message.record_ttl
    if ttl > MAX_ALLOWED_TTL and ttl not in (c.TTL_NEVER_EXPIRE, c.TTL_DONT_UPDATE):
        return _reply(c.RESULT_PARAMETER_ERROR)
    result, must_not_create = _check_write_ops(message)
    if result:
        return _reply(result)

    existing = store._live(digest, void_time_now(now))
    if existing is None and must_not_create:
        return _reply(c.RESULT_KEY_NOT_FOUND)
    if existing is not None and message.info2 & c.INFO2_CREATE_ONLY:
        return _failure(c.RESULT_KEY_EXISTS, existing)
    if not _generation_ok(message, existing.generation if existing is not None else 0):
        return _failure(c.RESULT_GENERATION_ERROR, existing)

    set_name = _set_name(message)
    key_field = message.field(c.FIELD_KEY)
    key = (key_field[0], key_field[1:]) if key_field else None
    if existing is not None:
        if set_name is not None and set_name != existing.set_name:
            return _failure(c.RESULT_PARAMETER_ERROR, existing)
        set_name = existing.set_name
        result = _filter_result(message, existing, digest, now)
        if result:
            return _failure(result, existing)
        if key is not None and existing.key is not None and key != existing.key:
            return _failure(c.RESULT_KEY_MISMATCH, existing)
        if key is None:
            key = existing.key

    replace = bool(message.info3 & (c.INFO3_CREATE_OR_REPLACE | c.INFO3_REPLACE_ONLY))
    bins: dict[str, BinValue] = {} if existing is None or replace else dict(existing.bins)
    ctx = OpContext(bins, bool(message.info2 & c.INFO2_RESPOND_ALL_OPS), existing is not None)
    ctx.record_view = record_ops.RecordView(
        bins, digest, set_name, key, existing.void_time if existing is not None else 0,
        existing.last_update_time if existing is not None else 0, now,
    )
    handlers = record_ops.WRITE_OP_HANDLERS
    read_all = bool(message.info1 & c.INFO1_GET_ALL)
    try:
        for op in message.ops:
            if read_all and op.op_type == c.OP_READ and not op.bin_name:
                ctx.read_all()
            else:
                handlers[op.op_type](ctx, op)
    except OpError as error:
        return _failure(error.result_code, existing)

    if not bins:
        if existing is None:
            return _reply(c.RESULT_KEY_NOT_FOUND)
        if message.info2 & c.INFO2_DURABLE_DELETE and store.edition == "community":
            return _failure(c.RESULT_ENTERPRISE_ONLY, existing)
        store._remove(digest)
        # Deletes don't return metadata.
        return _reply(c.RESULT_OK, 0, 0, ctx.replies)

    if _record_size(bins, key, set_name) > MAX_RECORD_SIZE:
        return _failure(c.RESULT_RECORD_TOO_BIG, existing)

    generation = 1 if existing is None else existing.generation + 1
    if generation > MAX_GENERATION:
        generation = 1
    void_time = _new_void_time(store, ttl, existing, now)
    record = Record(bins, generation, void_time, set_name, key, int(now * 1_000_000_000))
    store._store(digest, record)
    return _reply(c.RESULT_OK, generation, void_time, ctx.replies)
