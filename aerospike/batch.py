"""Batch reads over the batch-index protocol: ``get_many``, ``exists_many`` and ``select_many``.

Owns: the batch request (one message, info1 BATCH, field 41 holding the keys of one node with the
"repeat previous" shortcut), grouping keys per node from the partition map, running the per-node requests
(every request of a round sent before the first reply is read, a node's keys in chunks of SEND_AHEAD_KEYS or
more; or in parallel threads with the batch policy's ``concurrent``), re-routing only the keys of a request that
failed, and assembling the results in input order (a missing record has ``None`` meta and bins). A single key
is sent as a plain read, as the official client does, unless it names bins: the
server answers a batch row and a plain read differently for a bin name it refuses.
Must not know sockets: command.execute_stream reads the multi-message replies.
"""

from __future__ import annotations

import struct
from concurrent.futures import ThreadPoolExecutor
from time import monotonic, sleep
from typing import Any, Callable, Optional, Sequence

from . import exception
from . import record_commands as rc
from ._constants import POLICY_CONSISTENCY_ALL, POLICY_REPLICA_MASTER
from .connection import NETWORK_ERROR_CODE, Connection
from .key import Key, parse_key_tuples
from .policy import Policy, build
from .protocol.constants import (
    FIELD_BATCH_INDEX,
    FIELD_NAMESPACE,
    FIELD_SET,
    INFO1_BATCH,
    INFO1_GET_ALL,
    INFO1_NOBINDATA,
    INFO1_READ,
    INFO1_READ_MODE_AP_ALL,
    INFO3_LAST,
    INFO3_SC_READ_TYPE,
    OP_READ,
    PARTICLE_NULL,
    RESULT_FILTERED_OUT,
    RESULT_KEY_NOT_FOUND,
    RESULT_OK,
)
from .protocol.message import Message, encode_message
from .replies import batch_frame_reader
from .values import ValueCodec

__all__ = ["BatchRead", "encode_batch_field", "encode_batch_request", "run_batch"]

# Field 41 layout: u32 key count, u8 flags, then per key u32 index + digest + (repeat | full entry).
_BATCH_HEADER = struct.Struct(">IB")
_REPEAT_ENTRY = struct.Struct(">I20sB")  # key index, digest, BATCH_MSG_REPEAT
_FULL_ENTRY = struct.Struct(">I20s")  # key index, digest; the entry header, fields and ops follow
# A full entry: type, info1, info2, info3, ttl u32, field count u16, op count u16.
_ENTRY_HEADER = struct.Struct(">BBBBIHH")
_FIELD_HEADER = struct.Struct(">IB")
_OP_HEADER = struct.Struct(">IBBBB")

BATCH_FLAG_ALLOW_INLINE = 0x01  # the server may answer in its receiving thread
BATCH_FLAG_RESPOND_ALL_KEYS = 0x04  # one reply per key, even after an error
BATCH_FLAG_BASE = 0x08  # the per-key entry format with info/ttl (batch-any protocol)
BATCH_MSG_REPEAT = 0x01  # same namespace, set and bins as the previous key
BATCH_MSG_INFO = 0x02  # the entry carries info1/2/3
BATCH_MSG_TTL = 0x08  # the entry carries a ttl
_MAX_OP_BIN_NAME = 255  # an op carries its bin name's length in one byte

# Failures of one node's request that re-routing its keys may cure.
_RETRYABLE = frozenset(
    (
        NETWORK_ERROR_CODE,
        exception.TimeoutError.code,
        exception.NoMoreConnectionsError.code,
        exception.InvalidNodeError.code,
    )
)


class BatchRead:
    """What each key of one batch call reads: all bins, metadata only, or the named bins."""

    __slots__ = ("info1", "bins", "_ops")

    def __init__(self, info1: int, bins: Optional[Sequence[str]]) -> None:
        self.info1 = info1
        self.bins = tuple(bins) if bins is not None else None
        self._ops = [name.encode("utf-8", "surrogatepass") for name in (self.bins or ())]

    @classmethod
    def get(cls) -> BatchRead:
        return cls(INFO1_READ | INFO1_GET_ALL, None)

    @classmethod
    def exists(cls) -> BatchRead:
        return cls(INFO1_READ | INFO1_NOBINDATA, None)

    @classmethod
    def select(cls, bins: Any) -> BatchRead:
        """select_many's bins, checked as 3.0.0 did; no names reads every bin (3.0.0's read_all_bins)."""
        if not isinstance(bins, (list, tuple)):
            raise exception.ParamError(
                exception.ParamError.code, "Filter bins should be specified as a list or tuple."
            )
        for name in bins:
            if not isinstance(name, str):
                raise exception.ParamError(
                    exception.ParamError.code, "Bin name should be a string or unicode string."
                )
            # 3.0.0 sent any name and the server refused a long one (InvalidRequest); one that does not fit
            # the op's length byte cannot be sent at all.
            if len(name.encode("utf-8", "surrogatepass")) > _MAX_OP_BIN_NAME:
                raise exception.BinNameError(exception.BinNameError.code, "A bin name is too long")
        if not bins:
            return cls.get()
        return cls(INFO1_READ, list(bins))

    def encoded_ops(self) -> list[bytes]:
        return self._ops


def _policy_info(policy: Policy, info1: int) -> tuple[int, int]:
    if policy.consistency_level == POLICY_CONSISTENCY_ALL:
        info1 |= INFO1_READ_MODE_AP_ALL
    info3 = INFO3_SC_READ_TYPE if policy.linearize_read else 0
    return info1, info3


def encode_batch_field(entries: Sequence[tuple[int, Key]], read: BatchRead, policy: Policy) -> bytes:
    """The data of field 41 for `entries` ((index in the call, key) pairs) read as `read` says."""
    info1, info3 = _policy_info(policy, read.info1)
    names = read.encoded_ops()
    flags = BATCH_FLAG_BASE | BATCH_FLAG_RESPOND_ALL_KEYS
    if policy.allow_inline:
        flags |= BATCH_FLAG_ALLOW_INLINE
    # What follows each new namespace and set: the entry header's ops, as bytes once per call.
    ops = b"".join(_OP_HEADER.pack(4 + len(name), OP_READ, PARTICLE_NULL, 0, len(name)) + name for name in names)
    entry_header = _ENTRY_HEADER.pack(BATCH_MSG_INFO | BATCH_MSG_TTL, info1, 0, info3, 0, 2, len(names))
    pieces = [_BATCH_HEADER.pack(len(entries), flags)]
    append = pieces.append
    repeat = _REPEAT_ENTRY.pack
    # A key with the previous key's namespace and set is sent as a one-byte repeat (None: no previous key).
    previous_ns: Optional[bytes] = None
    previous_set: Optional[bytes] = None
    for index, key in entries:
        ns_bytes = key.namespace_bytes
        set_bytes = key.set_bytes
        if ns_bytes == previous_ns and set_bytes == previous_set:
            append(repeat(index, key.digest, BATCH_MSG_REPEAT))
            continue
        previous_ns = ns_bytes
        previous_set = set_bytes
        append(
            _FULL_ENTRY.pack(index, key.digest)
            + entry_header
            + _FIELD_HEADER.pack(len(ns_bytes) + 1, FIELD_NAMESPACE)
            + ns_bytes
            + _FIELD_HEADER.pack(len(set_bytes) + 1, FIELD_SET)
            + set_bytes
            + ops
        )
    return b"".join(pieces)


def encode_batch_request(entries: Sequence[tuple[int, Key]], read: BatchRead, policy: Policy) -> bytes:
    """One whole batch-index request frame for the keys of one node."""
    field = encode_batch_field(entries, read, policy)
    return encode_message(INFO1_BATCH, 0, 0, 0, 0, 0, 0, rc.server_timeout(policy), [(FIELD_BATCH_INDEX, field)], [])


# ------------------------------------------------------------------------------------------------ results


def _record(read: BatchRead, key: Key, message: Message, codec: ValueCodec) -> tuple:
    key_tuple = key.as_tuple()
    code = message.result_code
    if code == RESULT_OK:
        meta = rc.meta_from_message(message)
        if read.info1 & INFO1_NOBINDATA:
            return key_tuple, meta
        return key_tuple, meta, codec.ops_to_bins(message.ops)
    if code in (RESULT_KEY_NOT_FOUND, RESULT_FILTERED_OUT):
        if read.info1 & INFO1_NOBINDATA:
            return key_tuple, None
        return key_tuple, None, None
    raise rc.raise_for(message)


def _single(
    cluster: Any, execute: Callable[..., Any], key: Key, read: BatchRead, policy: Policy, codec: ValueCodec
) -> tuple:
    # The official client sends a one-key batch as a plain read (select_many's named bins go as a batch).
    if read.info1 & INFO1_NOBINDATA:
        request = rc.encode_exists(key, policy)
    else:
        request = rc.encode_get(key, policy)

    def parse(message: Message) -> tuple:
        return _record(read, key, message, codec)

    return execute(cluster, policy, request, key.namespace, key.partition_id, False, parse)  # type: ignore[no-any-return]


def parse_keys(keys: Any) -> list[Key]:
    """The Key of every key tuple of a batch call; ParamError (3.0.0's messages) for a non-list or a bad key."""
    if not isinstance(keys, (list, tuple)):
        raise exception.ParamError(exception.ParamError.code, "Keys should be specified as a list or tuple.")
    return parse_key_tuples(keys, _not_a_tuple)


def _not_a_tuple() -> exception.AerospikeError:
    return exception.ParamError(exception.ParamError.code, "Key should be a tuple.")


def replica_step(policy: Policy, attempt: int) -> int:
    """How far along each partition's replica list an attempt goes: 0 (the master) always for
    POLICY_REPLICA_MASTER; for the others (ANY, SEQUENCE, and 19.x's PREFER_RACK and RANDOM, which without rack
    awareness fall back to the sequence) the next replica on each retry, as the official clients route batches."""
    return attempt if attempt and policy.replica != POLICY_REPLICA_MASTER else 0


def _group(cluster: Any, keys: Sequence[Key], indexes: Sequence[int], step: int) -> dict[Any, list]:
    """Each key's node, grouped: the master, or with `step` (replica_step) the replica `step` places along."""
    groups: dict[Any, list] = {}
    node_for = cluster.node_for
    replica_counts: dict[str, int] = {}
    # The master row of the first namespace, looked up once: the usual batch is of one namespace.
    row_namespace = keys[indexes[0]].namespace if indexes and not step else None
    row = cluster.partition_row(row_namespace, 0) if row_namespace is not None else None
    for index in indexes:
        key = keys[index]
        node = row[key.partition_id] if row is not None and key.namespace == row_namespace else None
        if node is None:
            replica_index = 0
            if step:
                replicas = replica_counts.get(key.namespace)
                if replicas is None:
                    replicas = replica_counts[key.namespace] = cluster.replica_count(key.namespace)
                replica_index = step % replicas if replicas > 1 else 0
            node = node_for(key.namespace, key.partition_id, replica_index)
            if node is None and replica_index:
                node = cluster.node_for(key.namespace, key.partition_id, 0)
        if node is None:
            if not cluster.has_namespace(key.namespace):
                # 3.0.0's C client: as_cluster_get_node's error for a namespace it has no partition map of.
                raise exception.ClientError(exception.ClientError.code, f"Invalid namespace: {key.namespace}")
            raise exception.InvalidNodeError(
                exception.InvalidNodeError.code,
                f"No node for partition {key.partition_id} of namespace {key.namespace}",
            )
        group = groups.get(node)
        if group is None:
            groups[node] = [index]
        else:
            group.append(index)
    return groups


#: Keys per request when a batch's requests go out ahead of its replies (run_batch's `send_ahead`): a node's
#: keys go in chunks of at least this many, at most SEND_AHEAD_MAX_CHUNKS of them (each holds a connection).
SEND_AHEAD_KEYS = 64
SEND_AHEAD_MAX_CHUNKS = 8


def _chunks(indexes: list[int]) -> list[list[int]]:
    """`indexes` split into near-equal chunks of at least SEND_AHEAD_KEYS (one chunk when there are fewer)."""
    count = min(len(indexes) // SEND_AHEAD_KEYS, SEND_AHEAD_MAX_CHUNKS)
    if count <= 1:
        return [indexes]
    size = -(-len(indexes) // count)
    return [indexes[start : start + size] for start in range(0, len(indexes), size)]


# id of a batch policy -> (the policy, its per-node policy: max_retries 0, as run_batch re-routes itself).
_NODE_POLICIES: dict[int, tuple[Policy, Policy]] = {}
_NODE_POLICIES_MAX = 256


def _node_policy(policy: Policy) -> Policy:
    entry = _NODE_POLICIES.get(id(policy))
    if entry is not None and entry[0] is policy:
        return entry[1]
    node_policy = build("batch", {"max_retries": 0}, base=policy)
    if len(_NODE_POLICIES) >= _NODE_POLICIES_MAX:
        _NODE_POLICIES.clear()
    _NODE_POLICIES[id(policy)] = (policy, node_policy)
    return node_policy


def run_batch(
    cluster: Any,
    execute: Callable[..., Any],
    stream: Callable[..., None],
    keys: Sequence[Key],
    read: BatchRead,
    policy: Policy,
    codec: ValueCodec,
    thread_pool_size: int,
    stream_frames: Optional[Callable[..., None]] = None,
    send_ahead: Optional[Callable[..., Any]] = None,
) -> list:
    """Read every key; results in input order. Only a failed node's keys are re-routed and re-sent.

    With `stream_frames` (command.execute_stream_frames), each node's reply frames are decoded straight into
    the results by replies.batch_frame_reader; else `stream` (command.execute_stream) hands over messages.
    With `send_ahead` too (command.send_ahead), the requests of one round go out before the first reply is
    read, a node's keys in chunks of SEND_AHEAD_KEYS (_chunks): the server answers the next request while this
    client decodes the last reply, where one request per node would leave each idle while the other works.
    """
    if not keys:
        return []
    if len(keys) == 1 and read.bins is None:
        return [_single(cluster, execute, keys[0], read, policy, codec)]
    results: list = [None] * len(keys)
    with_bins = not read.info1 & INFO1_NOBINDATA
    ops_to_bins = codec.ops_to_bins
    # execute_stream retries a node only while nothing arrived; re-routing is this loop's job.
    node_policy = _node_policy(policy)
    deadline = monotonic() + policy.total_timeout / 1000.0 if policy.total_timeout else 0.0
    pending = list(range(len(keys)))
    attempt = 0
    while True:
        groups = _group(cluster, keys, pending, replica_step(policy, attempt))
        failed: list[int] = []
        last_error: Optional[exception.AerospikeError] = None

        def encode(indexes: list[int]) -> bytes:
            return encode_batch_request([(index, keys[index]) for index in indexes], read, policy)

        def run_node(
            node: Any, indexes: list[int], request: Optional[bytes] = None, ahead: Any = None
        ) -> Optional[exception.AerospikeError]:
            if request is None:
                request = encode(indexes)
            wanted = set(indexes)

            def on_message(message: Message) -> bool:
                if message.info3 & INFO3_LAST:
                    if message.result_code not in (RESULT_OK, RESULT_KEY_NOT_FOUND):
                        raise rc.raise_for(message)
                    return False
                index = message.transaction_ttl
                if index not in wanted:
                    if message.result_code:
                        raise rc.raise_for(message)
                    raise exception.ClientError(f"batch reply for unknown key index {index} from {node.name}")
                if message.result_code or not with_bins:
                    results[index] = _record(read, keys[index], message, codec)
                    return True
                # _record(read, key, message, codec) for a found record with bins, inlined (once per record).
                key = keys[index]
                void_time = message.record_ttl
                results[index] = (
                    (key.namespace, key.set_name, key.user_key, bytearray(key.digest)),
                    {
                        "ttl": rc.NEVER_EXPIRES if void_time == 0 else rc.ttl_from_void_time(void_time),
                        "gen": message.generation,
                    },
                    ops_to_bins(message.ops),
                )
                return True

            try:
                if stream_frames is not None:
                    reader = batch_frame_reader(keys, results, wanted, codec, with_bins, node.name)
                    stream_frames(cluster, node_policy, node, request, reader, False, ahead)
                else:
                    stream(cluster, node_policy, node, request, on_message)
            except exception.AerospikeError as failure:
                if failure.code in _RETRYABLE:
                    return failure
                raise
            return None

        items: list[tuple[Any, list[int]]] = list(groups.items())
        if policy.concurrent and len(items) > 1 and thread_pool_size > 1:
            with ThreadPoolExecutor(max_workers=min(thread_pool_size, len(items))) as pool:
                outcomes = list(pool.map(lambda item: run_node(*item), items))
        elif send_ahead is not None and stream_frames is not None:
            items = [(node, chunk) for node, indexes in items for chunk in _chunks(indexes)]
            if len(items) > 1:
                sent = [(node, chunk, request, send_ahead(node_policy, node, request))
                        for node, chunk in items for request in (encode(chunk),)]
                outcomes = []
                try:
                    for node, chunk, request, ahead in sent:
                        outcomes.append(run_node(node, chunk, request, ahead))
                finally:
                    # A request whose reply was never read (an error ended the round): its connection goes.
                    for node, _, _, ahead in sent[len(outcomes) + 1:]:
                        if isinstance(ahead, Connection):
                            node.pool.discard(ahead)
            else:
                outcomes = [run_node(node, indexes) for node, indexes in items]
        else:
            outcomes = [run_node(node, indexes) for node, indexes in items]
        for (_, indexes), outcome in zip(items, outcomes):
            if outcome is not None:
                last_error = outcome
                failed.extend(index for index in indexes if results[index] is None)
        if not failed:
            return results
        attempt += 1
        if attempt > policy.max_retries or (deadline and monotonic() >= deadline):
            assert last_error is not None
            raise last_error
        if policy.sleep_between_retries:
            sleep(policy.sleep_between_retries / 1000.0)
        pending = failed


# ------------------------------------------------------------------------------------------------ client API


def _run_for_client(client: Any, keys: Any, read: BatchRead, policy: Any) -> list:
    from .command import execute_stream, execute_stream_frames, send_ahead

    cluster = client._connected_cluster()
    batch_policy = client._resolve("batch", policy)  # 3.0.0 read the policy before the keys
    parsed = parse_keys(keys)
    return run_batch(
        cluster,
        client._execute,
        execute_stream,
        parsed,
        read,
        batch_policy,
        client._codec,
        client._config.thread_pool_size,
        execute_stream_frames,
        send_ahead,
    )


def get_many(client: Any, keys: Any, policy: Any = None) -> list:
    """Client.get_many: ``[(key, meta, bins)]``, ``(key, None, None)`` for a missing record."""
    return _run_for_client(client, keys, BatchRead.get(), policy)


def exists_many(client: Any, keys: Any, policy: Any = None) -> list:
    """Client.exists_many: ``[(key, meta)]``, ``(key, None)`` for a missing record."""
    return _run_for_client(client, keys, BatchRead.exists(), policy)


def select_many(client: Any, keys: Any, bins: Any, policy: Any = None) -> list:
    """Client.select_many: ``[(key, meta, bins)]`` with only the named bins (no names: every bin)."""
    client._connected_cluster()
    return _run_for_client(client, keys, BatchRead.select(bins), policy)
