"""Batch index commands (info1 BATCH, field 41) of the local cluster.

Owns: parsing the batch field into one sub-command per key (the layout of server 8.x `as_batch_queue_task`: key
count, parent flags, then per key its index, digest and either a repeat flag or its own info bits, generation,
TTL, fields and ops), running each sub-command with single-record semantics, and answering one message per key
(transaction_ttl = the key's index) followed by a LAST message. Keys whose partition this node does not hold are
still answered, as a server proxies them. Must not know sockets; routing, locking and replication are the
cluster's (`LocalCluster.execute_single`); record UDF sub-commands go to udf.py.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Iterator, NamedTuple

from aerospike.protocol import constants as c
from aerospike.protocol.errors import ProtocolError
from aerospike.protocol.frame import pack_header
from aerospike.protocol.message import Message, Op

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import LocalCluster
    from .server import NodeServer

# Parent flags (the byte after the key count).
BATCH_FLAG_INLINE = 0x1  # run sub-commands inline (memory namespaces)
BATCH_FLAG_INLINE_SSD = 0x2  # run sub-commands inline (device namespaces)
BATCH_FLAG_REPORT_ALL_ERRORS = 0x4  # every error goes into its key's message, the batch goes on
# Without the above, 8.1 still answers every key (each error in its key's message) but ends the batch with the
# first key error's code on the LAST message instead of 0.
BATCH_FLAG_REPORT_ERROR_REC = 0x8

# Per-key flags (the byte after the digest).
KEY_REPEAT = 0x1  # same namespace, bins and ops as the previous key
KEY_HAS_INFO = 0x2  # info1 is followed by info2 and info3
KEY_HAS_GENERATION = 0x4  # u16 generation
KEY_HAS_RECORD_TTL = 0x8  # u32 record TTL
KEY_HAS_INFO4 = 0x10  # one more info byte

# Results a batch without REPORT_ALL_ERRORS still reports per key.
_ORDINARY_RESULTS = frozenset({c.RESULT_OK, c.RESULT_KEY_NOT_FOUND, c.RESULT_FILTERED_OUT})
MAX_BIN_NAME = 15  # the server's longest bin name
RESULT_BIN_NAME = 21  # AS_ERR_BIN_NAME
# A reply frame is closed once it holds this many bytes (the server's batch buffers are 128 KiB).
FRAME_LIMIT = 128 * 1024

_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_KEY_HEAD = struct.Struct(">I20sB")
_FIELD_HEAD = struct.Struct(">IB")
_OP_HEAD = struct.Struct(">IBBBB")


class BatchKey(NamedTuple):
    """One row of a batch: its index in the request, and the single-record message it stands for."""

    key_index: int
    message: Message


class BatchRequest(NamedTuple):
    flags: int
    keys: list[BatchKey]
    # Rows the request announced but that could not be parsed (bad bytes, unknown namespace): they end the batch.
    truncated: bool


def parse_batch_field(data: bytes, namespaces: frozenset[str] | set[str], transaction_ttl: int = 0) -> BatchRequest:
    """The rows of a field-41 payload. Raises ProtocolError when even its head is malformed."""
    if len(data) < 5:
        raise ProtocolError("batch field shorter than its head")
    (count,) = _U32.unpack_from(data, 0)
    if count == 0:
        raise ProtocolError("batch of zero keys")
    flags = data[4]
    offset = 5
    end = len(data)
    keys: list[BatchKey] = []
    previous: Message | None = None
    try:
        while len(keys) < count:
            if offset + _KEY_HEAD.size > end:
                break
            index, digest, key_flags = _KEY_HEAD.unpack_from(data, offset)
            offset += _KEY_HEAD.size
            if key_flags & KEY_REPEAT:
                if previous is None:
                    break
                message = _with_digest(previous, digest)
            else:
                message, offset = _parse_row(data, offset, key_flags, digest, transaction_ttl)
                namespace = message.field(c.FIELD_NAMESPACE)
                if namespace is None or namespace.decode("utf-8", "replace") not in namespaces:
                    break
                previous = message
            keys.append(BatchKey(index, message))
    except (struct.error, ProtocolError, IndexError):
        pass
    return BatchRequest(flags, keys, len(keys) < count)


def _with_digest(template: Message, digest: bytes) -> Message:
    fields = [(ftype, value) for ftype, value in template.fields if ftype != c.FIELD_DIGEST]
    fields.append((c.FIELD_DIGEST, digest))
    return Message(
        template.info1,
        template.info2,
        template.info3,
        template.info4,
        0,
        template.generation,
        template.record_ttl,
        template.transaction_ttl,
        fields,
        list(template.ops),
    )


def _parse_row(data: bytes, offset: int, key_flags: int, digest: bytes, transaction_ttl: int) -> tuple[Message, int]:
    end = len(data)

    def take(size: int) -> int:
        nonlocal offset
        if offset + size > end:
            raise ProtocolError("batch row runs past the field")
        start = offset
        offset += size
        return start

    info1 = data[take(1)] & ~(c.INFO1_COMPRESS_RESPONSE | c.INFO1_XDR)
    info2 = info3 = info4 = 0
    if key_flags & KEY_HAS_INFO:
        info2 = data[take(1)]
        info3 = data[take(1)]
    if key_flags & KEY_HAS_INFO4:
        info4 = data[take(1)]
    generation = _U16.unpack_from(data, take(2))[0] if key_flags & KEY_HAS_GENERATION else 0
    record_ttl = _U32.unpack_from(data, take(4))[0] if key_flags & KEY_HAS_RECORD_TTL else 0
    n_fields = _U16.unpack_from(data, take(2))[0] or 1  # old clients sent 0 but always a namespace
    n_ops = _U16.unpack_from(data, take(2))[0]
    fields: list[tuple[int, bytes]] = []
    for _ in range(n_fields):
        size, field_type = _FIELD_HEAD.unpack_from(data, take(_FIELD_HEAD.size))
        if size < 1:
            raise ProtocolError("batch row field of size 0")
        fields.append((field_type, data[take(size - 1) : offset]))
    ops: list[Op] = []
    for _ in range(n_ops):
        size, op_type, particle_type, _version, name_length = _OP_HEAD.unpack_from(data, take(_OP_HEAD.size))
        if size < 4 + name_length:
            raise ProtocolError("batch row op too short for its name")
        name_start = take(name_length)
        name = data[name_start : name_start + name_length].decode("utf-8")
        value_start = take(size - 4 - name_length)
        ops.append(Op(op_type, particle_type, name, data[value_start:offset]))
    fields.append((c.FIELD_DIGEST, digest))
    message = Message(info1, info2, info3, info4, 0, generation, record_ttl, transaction_ttl, fields, ops)
    return message, offset


def _run_one(cluster: LocalCluster, node: NodeServer, message: Message) -> Message:
    if message.field(c.FIELD_UDF_PACKAGE_NAME) is not None:
        from . import udf

        return udf.execute_record_udf(cluster, node, message)
    reply, _proxied = cluster.execute_single(node, message)
    return reply


def handle_batch(cluster: LocalCluster, node: NodeServer, message: Message) -> Iterator[bytes]:
    """The reply frames of one batch index request."""
    data = message.field(c.FIELD_BATCH_INDEX)
    if data is None:
        yield Message(info3=c.INFO3_LAST, result_code=c.RESULT_PARAMETER_ERROR).encode()
        return
    try:
        request = parse_batch_field(data, set(cluster.namespaces), message.transaction_ttl)
    except (ProtocolError, UnicodeDecodeError):
        yield Message(info3=c.INFO3_LAST, result_code=c.RESULT_PARAMETER_ERROR).encode()
        return
    parent_filter = message.field(c.FIELD_FILTER_EXP)
    report_all = bool(request.flags & BATCH_FLAG_REPORT_ALL_ERRORS)
    final_result = c.RESULT_OK
    pending: list[bytes] = []
    pending_size = 0
    for key in request.keys:
        sub = key.message
        if parent_filter is not None and sub.field(c.FIELD_FILTER_EXP) is None:
            sub.fields.append((c.FIELD_FILTER_EXP, parent_filter))
        if any(len(op.bin_name.encode("utf-8")) > MAX_BIN_NAME for op in sub.ops):
            # A batch row naming a bin of more than 15 bytes is refused per key (a plain read is not).
            reply = Message(result_code=RESULT_BIN_NAME)
        else:
            reply = _run_one(cluster, node, sub)
        ops = reply.ops  # each result already carries the type of the op it answers
        encoded = Message(
            result_code=reply.result_code,
            generation=reply.generation,
            record_ttl=reply.record_ttl,
            transaction_ttl=key.key_index,
            ops=ops,
        ).encode()[c.PROTO_HEADER_SIZE :]
        pending.append(encoded)
        pending_size += len(encoded)
        if pending_size >= FRAME_LIMIT:
            yield _frame(pending)
            pending, pending_size = [], 0
        if not report_all and reply.result_code not in _ORDINARY_RESULTS and final_result == c.RESULT_OK:
            final_result = reply.result_code
    if request.truncated and final_result == c.RESULT_OK:
        final_result = c.RESULT_PARAMETER_ERROR
    if pending:
        yield _frame(pending)
    yield Message(info3=c.INFO3_LAST, result_code=final_result).encode()


def _frame(bodies: list[bytes]) -> bytes:
    body = b"".join(bodies)
    return pack_header(c.PROTO_TYPE_MESSAGE, len(body)) + body


def install(cluster: LocalCluster) -> None:
    """Answer batch index requests on every node of `cluster`."""
    cluster.message_handlers["batch"] = handle_batch
