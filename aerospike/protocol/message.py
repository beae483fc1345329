"""Aerospike record messages (proto type 3): the 22-byte message header, fields and operations.

Owns: encoding a message into one exactly-sized buffer in a single pass, and decoding messages back to back from a
frame body with every length bounded before it is trusted. Must not know sockets, policies or Python client values
(particles are bytes here; particles.py turns them into values).
"""

from __future__ import annotations

import struct
from typing import Callable, NamedTuple, Sequence

from .constants import MSG_HEADER_SIZE, PROTO_TYPE_MESSAGE, PROTO_VERSION
from .errors import ProtocolError

# proto header (as one u64) + message header, written together.
_FRAME_AND_MSG_HEADER = struct.Struct(">QBBBBBBIIIHH")
_MSG_HEADER = struct.Struct(">BBBBBBIIIHH")
_FIELD_HEADER = struct.Struct(">IB")
_OP_HEADER = struct.Struct(">IBBBB")
_PROTO_WORD_BASE = (PROTO_VERSION << 56) | (PROTO_TYPE_MESSAGE << 48)

MAX_BIN_NAME = 255  # the op header stores the name length in one byte
_EMPTY = b""


class Op(NamedTuple):
    """One operation: its type, the particle type of its value, the bin name, and the value bytes."""

    op_type: int
    particle_type: int
    bin_name: str
    value: bytes


class Message:
    """A decoded message. Fields are (field_type, data) pairs; ops are Op tuples."""

    __slots__ = (
        "info1",
        "info2",
        "info3",
        "info4",
        "result_code",
        "generation",
        "record_ttl",
        "transaction_ttl",
        "fields",
        "ops",
    )

    def __init__(
        self,
        info1: int = 0,
        info2: int = 0,
        info3: int = 0,
        info4: int = 0,
        result_code: int = 0,
        generation: int = 0,
        record_ttl: int = 0,
        transaction_ttl: int = 0,
        fields: list[tuple[int, bytes]] | None = None,
        ops: list[Op] | None = None,
    ) -> None:
        self.info1 = info1
        self.info2 = info2
        self.info3 = info3
        self.info4 = info4
        self.result_code = result_code
        self.generation = generation
        self.record_ttl = record_ttl
        self.transaction_ttl = transaction_ttl
        self.fields = fields if fields is not None else []
        self.ops = ops if ops is not None else []

    def field(self, field_type: int) -> bytes | None:
        """The data of the first field of `field_type`, or None."""
        for ftype, data in self.fields:
            if ftype == field_type:
                return data
        return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def __repr__(self) -> str:
        return (
            f"Message(info1={self.info1}, info2={self.info2}, info3={self.info3}, info4={self.info4}, "
            f"result_code={self.result_code}, generation={self.generation}, record_ttl={self.record_ttl}, "
            f"transaction_ttl={self.transaction_ttl}, fields={self.fields!r}, ops={self.ops!r})"
        )

    def encode(self) -> bytes:
        """This message as a whole proto frame."""
        return encode_message(
            self.info1,
            self.info2,
            self.info3,
            self.info4,
            self.result_code,
            self.generation,
            self.record_ttl,
            self.transaction_ttl,
            self.fields,
            self.ops,
        )


def encode_message(
    info1: int,
    info2: int,
    info3: int,
    info4: int,
    result_code: int,
    generation: int,
    record_ttl: int,
    transaction_ttl: int,
    fields: Sequence[tuple[int, bytes]],
    ops: Sequence[Op] | Sequence[tuple[int, int, bytes, bytes]],
) -> bytes:
    """One whole frame (proto header included) holding one message.

    `ops` items are Op tuples with a str bin name, or (op_type, particle_type, name_bytes, value) tuples with the
    name already encoded. Headers are packed as the sizes are counted and the pieces joined once at the end:
    b"".join sizes its result exactly and copies each piece once, which for the few small pieces of a record
    message costs less than slice stores into a presized bytearray plus the final copy out of it.
    """
    parts: list[bytes | bytearray | memoryview] = [_EMPTY]  # [0]: the headers, packed once sizes are known
    append = parts.append
    size = MSG_HEADER_SIZE
    pack_field = _FIELD_HEADER.pack
    for field_type, data in fields:
        length = len(data)
        append(pack_field(length + 1, field_type))
        append(data)
        size += 5 + length
    ops_size, n_ops = _append_ops(append, ops)
    parts[0] = _FRAME_AND_MSG_HEADER.pack(
        _PROTO_WORD_BASE | (size + ops_size),
        MSG_HEADER_SIZE,
        info1,
        info2,
        info3,
        info4,
        result_code,
        generation,
        record_ttl,
        transaction_ttl,
        len(fields),
        n_ops,
    )
    return _EMPTY.join(parts)


def encode_fields(fields: Sequence[tuple[int, bytes]]) -> bytes:
    """The wire form of `fields` back to back (headers and data), for encode_message_with_fields."""
    pack_field = _FIELD_HEADER.pack
    return _EMPTY.join([pack_field(len(data) + 1, field_type) + data for field_type, data in fields])


def encode_message_with_fields(
    info1: int,
    info2: int,
    info3: int,
    info4: int,
    result_code: int,
    generation: int,
    record_ttl: int,
    transaction_ttl: int,
    n_fields: int,
    encoded_fields: bytes,
    ops: Sequence[Op] | Sequence[tuple[int, int, bytes, bytes]],
) -> bytes:
    """encode_message with its `n_fields` fields already encoded back to back (see encode_fields).

    Lets a caller that sends the same leading fields again and again (namespace and set) encode them once.
    """
    parts: list[bytes | bytearray | memoryview] = [_EMPTY, encoded_fields]
    ops_size, n_ops = _append_ops(parts.append, ops)
    parts[0] = _FRAME_AND_MSG_HEADER.pack(
        _PROTO_WORD_BASE | (MSG_HEADER_SIZE + len(encoded_fields) + ops_size),
        MSG_HEADER_SIZE,
        info1,
        info2,
        info3,
        info4,
        result_code,
        generation,
        record_ttl,
        transaction_ttl,
        n_fields,
        n_ops,
    )
    return _EMPTY.join(parts)


def _append_ops(
    append: Callable[[bytes | bytearray | memoryview], None],
    ops: Sequence[Op] | Sequence[tuple[int, int, bytes, bytes]],
) -> tuple[int, int]:
    """Append each op's header, name and value; return (their total size, how many)."""
    size = 0
    n_ops = 0
    pack_op = _OP_HEADER.pack
    for op_type, particle_type, name, value in ops:
        name_bytes = name.encode("utf-8") if isinstance(name, str) else name
        name_length = len(name_bytes)
        if name_length > MAX_BIN_NAME:
            raise ProtocolError(f"bin name of {name_length} bytes is too long")
        value_length = len(value)
        append(pack_op(4 + name_length + value_length, op_type, particle_type, 0, name_length))
        append(name_bytes)
        append(value)
        size += 8 + name_length + value_length
        n_ops += 1
    return size, n_ops


_new_tuple = tuple.__new__  # building an Op without NamedTuple's Python-level __new__ (hot path)
_new_message = object.__new__


def decode_message(body: bytes | bytearray | memoryview, offset: int = 0) -> tuple[Message, int]:
    """Decode the message that starts at `offset` of a frame body; return it and the offset after it."""
    if type(body) is not bytes:
        body = bytes(body)  # one copy; every slice below is then bytes already
    end = len(body)
    if offset + MSG_HEADER_SIZE > end:
        raise ProtocolError("truncated message header")
    (
        header_size,
        info1,
        info2,
        info3,
        info4,
        result_code,
        generation,
        record_ttl,
        transaction_ttl,
        n_fields,
        n_ops,
    ) = _MSG_HEADER.unpack_from(body, offset)
    if header_size != MSG_HEADER_SIZE:
        raise ProtocolError(f"message header size {header_size}, expected {MSG_HEADER_SIZE}")
    offset += MSG_HEADER_SIZE
    fields: list[tuple[int, bytes]] = []
    if n_fields:
        unpack_field = _FIELD_HEADER.unpack_from
        append_field = fields.append
        try:
            for _ in range(n_fields):
                # unpack_from itself refuses a header that runs past the body (struct.error below).
                size, field_type = unpack_field(body, offset)
                data_end = offset + 4 + size
                if size < 1 or data_end > end:
                    raise ProtocolError(f"field size {size} out of bounds")
                append_field((field_type, body[offset + 5 : data_end]))
                offset = data_end
        except struct.error:
            raise ProtocolError("truncated field header") from None
    ops, offset = read_ops(body, offset, n_ops, end) if n_ops else ([], offset)
    # Slot stores instead of Message(...): no Python-level __init__ call per message (hot path).
    message = _new_message(Message)
    message.info1 = info1
    message.info2 = info2
    message.info3 = info3
    message.info4 = info4
    message.result_code = result_code
    message.generation = generation
    message.record_ttl = record_ttl
    message.transaction_ttl = transaction_ttl
    message.fields = fields
    message.ops = ops
    return message, offset


MessageHeader = tuple[int, int, int, int, int, int, int, int, int, int, int]
#: The 22-byte message header as a tuple: (header_size, info1, info2, info3, info4, result_code, generation,
#: record_ttl, transaction_ttl, n_fields, n_ops). unpack_from itself refuses a header past the body.
unpack_message_header: Callable[[bytes, int], MessageHeader] = _MSG_HEADER.unpack_from  # type: ignore[assignment]
#: (size, op_type, particle_type, version, name_length) of the op header at an offset.
unpack_op_header: Callable[[bytes, int], tuple[int, int, int, int, int]] = _OP_HEADER.unpack_from  # type: ignore[assignment]
#: (size, field_type) of the field header at an offset.
unpack_field_header: Callable[[bytes, int], tuple[int, int]] = _FIELD_HEADER.unpack_from  # type: ignore[assignment]
_unpack_field_header = unpack_field_header


def read_fields(body: bytes, offset: int, n_fields: int, end: int) -> tuple[dict[int, bytes], int]:
    """The `n_fields` fields at `offset` as {field_type: data} (the first of a type wins, as Message.field
    reads them) and the offset after them; every length bounded as decode_message bounds it."""
    fields: dict[int, bytes] = {}
    try:
        for _ in range(n_fields):
            size, field_type = _unpack_field_header(body, offset)
            data_end = offset + 4 + size
            if size < 1 or data_end > end:
                raise ProtocolError(f"field size {size} out of bounds")
            if field_type not in fields:
                fields[field_type] = body[offset + 5 : data_end]
            offset = data_end
    except struct.error:
        raise ProtocolError("truncated field header") from None
    return fields, offset


def skip_fields(body: bytes, offset: int, n_fields: int, end: int) -> int:
    """The offset after the `n_fields` fields at `offset`, each bounded as decode_message bounds it."""
    try:
        for _ in range(n_fields):
            size = _unpack_field_header(body, offset)[0]
            data_end = offset + 4 + size
            if size < 1 or data_end > end:
                raise ProtocolError(f"field size {size} out of bounds")
            offset = data_end
    except struct.error:
        raise ProtocolError("truncated field header") from None
    return offset


def read_ops(body: bytes, offset: int, n_ops: int, end: int) -> tuple[list[Op], int]:
    """The `n_ops` ops at `offset` of `body` (bytes) and the offset after them, each bounded before use."""
    ops: list[Op] = []
    unpack_op = _OP_HEADER.unpack_from
    append = ops.append
    try:
        for _ in range(n_ops):
            # unpack_from itself refuses a header that runs past the body (struct.error below).
            size, op_type, particle_type, _version, name_length = unpack_op(body, offset)
            value_start = offset + 8 + name_length
            op_end = offset + 4 + size
            if value_start > op_end or op_end > end:
                raise ProtocolError(f"op size {size} out of bounds")
            append(
                _new_tuple(Op, (op_type, particle_type, body[offset + 8 : value_start].decode(), body[value_start:op_end]))
            )
            offset = op_end
    except struct.error:
        raise ProtocolError("truncated op header") from None
    except UnicodeDecodeError as error:
        raise ProtocolError("bin name is not UTF-8") from error
    return ops, offset


def decode_messages(body: bytes | bytearray | memoryview) -> list[Message]:
    """Every message of a frame body, in order."""
    messages = []
    offset = 0
    end = len(body)
    while offset < end:
        message, offset = decode_message(body, offset)
        messages.append(message)
    return messages


def peek_header(body: bytes | bytearray | memoryview, offset: int = 0) -> tuple[int, int, int, int, int, int, int, int, int, int, int]:
    """The raw 22-byte message header at `offset` as a tuple, without decoding fields or ops."""
    if offset + MSG_HEADER_SIZE > len(body):
        raise ProtocolError("truncated message header")
    return _MSG_HEADER.unpack_from(body, offset)
