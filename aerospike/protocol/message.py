"""Aerospike record messages (proto type 3): the 22-byte message header, fields and operations.

Owns: encoding a message into one exactly-sized buffer in a single pass, and decoding messages back to back from a
frame body with every length bounded before it is trusted. Must not know sockets, policies or Python client values
(particles are bytes here; particles.py turns them into values).
"""

from __future__ import annotations

import struct
from typing import NamedTuple, Sequence

from .constants import MSG_HEADER_SIZE, PROTO_HEADER_SIZE, PROTO_TYPE_MESSAGE, PROTO_VERSION
from .errors import ProtocolError

# proto header (as one u64) + message header, written together.
_FRAME_AND_MSG_HEADER = struct.Struct(">QBBBBBBIIIHH")
_MSG_HEADER = struct.Struct(">BBBBBBIIIHH")
_FIELD_HEADER = struct.Struct(">IB")
_OP_HEADER = struct.Struct(">IBBBB")
_PROTO_WORD_BASE = (PROTO_VERSION << 56) | (PROTO_TYPE_MESSAGE << 48)

MAX_BIN_NAME = 255  # the op header stores the name length in one byte


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
    name already encoded. Sizes are computed first, then everything is written once into one buffer.
    """
    size = MSG_HEADER_SIZE
    for _, data in fields:
        size += 5 + len(data)
    encoded_ops = []
    for op_type, particle_type, name, value in ops:
        name_bytes = name.encode("utf-8") if isinstance(name, str) else name
        if len(name_bytes) > MAX_BIN_NAME:
            raise ProtocolError(f"bin name of {len(name_bytes)} bytes is too long")
        encoded_ops.append((op_type, particle_type, name_bytes, value))
        size += 8 + len(name_bytes) + len(value)
    buffer = bytearray(PROTO_HEADER_SIZE + size)
    _FRAME_AND_MSG_HEADER.pack_into(
        buffer,
        0,
        _PROTO_WORD_BASE | size,
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
        len(encoded_ops),
    )
    offset = PROTO_HEADER_SIZE + MSG_HEADER_SIZE
    for field_type, data in fields:
        length = len(data)
        _FIELD_HEADER.pack_into(buffer, offset, length + 1, field_type)
        offset += 5
        buffer[offset : offset + length] = data
        offset += length
    for op_type, particle_type, name_bytes, value in encoded_ops:
        name_length = len(name_bytes)
        value_length = len(value)
        _OP_HEADER.pack_into(buffer, offset, 4 + name_length + value_length, op_type, particle_type, 0, name_length)
        offset += 8
        buffer[offset : offset + name_length] = name_bytes
        offset += name_length
        buffer[offset : offset + value_length] = value
        offset += value_length
    return bytes(buffer)


_new_tuple = tuple.__new__  # building an Op without NamedTuple's Python-level __new__ (hot path)


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
        for _ in range(n_fields):
            if offset + 5 > end:
                raise ProtocolError("truncated field header")
            size, field_type = unpack_field(body, offset)
            data_end = offset + 4 + size
            if size < 1 or data_end > end:
                raise ProtocolError(f"field size {size} out of bounds")
            fields.append((field_type, body[offset + 5 : data_end]))
            offset = data_end
    ops: list[Op] = []
    if n_ops:
        unpack_op = _OP_HEADER.unpack_from
        append = ops.append
        for _ in range(n_ops):
            if offset + 8 > end:
                raise ProtocolError("truncated op header")
            size, op_type, particle_type, _version, name_length = unpack_op(body, offset)
            op_end = offset + 4 + size
            if size < 4 + name_length or op_end > end:
                raise ProtocolError(f"op size {size} out of bounds")
            value_start = offset + 8 + name_length
            try:
                name = str(body[offset + 8 : value_start], "utf-8")
            except UnicodeDecodeError as error:
                raise ProtocolError("bin name is not UTF-8") from error
            append(_new_tuple(Op, (op_type, particle_type, name, body[value_start:op_end])))
            offset = op_end
    message = Message(
        info1, info2, info3, info4, result_code, generation, record_ttl, transaction_ttl, fields, ops
    )
    return message, offset


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
