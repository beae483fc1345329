"""Malformed replies from a node: the client raises a ClientError-family error, closes the connection the bytes
came on, and keeps working.

The node is a fake on loopback that answers the tend info requests as the local cluster does (one node owning
every partition of `test`) and answers message (type 3) frames with whatever the test chooses: well-formed
records, or broken bytes.
"""

from __future__ import annotations

import socket
import struct
import threading
import zlib
from typing import Callable, Iterator

import pytest

import aerospike
from aerospike import exception
from aerospike.protocol.constants import (
    INFO1_READ,
    MSG_HEADER_SIZE,
    OP_READ,
    PARTICLE_INTEGER,
    PROTO_TYPE_COMPRESSED,
    PROTO_TYPE_INFO,
    PROTO_TYPE_MESSAGE,
)
from aerospike.protocol.frame import pack_header
from aerospike.protocol.info import encode_info_reply, parse_info_request
from aerospike.protocol.message import Message, Op, decode_message
from tests.fixtures.cluster import read_frame

NODE_ID = "BB9000000FA4E01"
FULL_BITMAP = "/" * 682 + "8="  # base64 of 512 bytes of 0xff: every partition
INFO_ANSWERS = {
    "node": NODE_ID,
    "build": "8.1.2.0",
    "partition-generation": "1",
    "peers-generation": "1",
    "peers-clear-std": "1,3000,[]",
    "replicas": f"test:0,1,{FULL_BITMAP}",
    "cluster-name": "null",
    "partitions": "4096",
    "features": "batch-any;batch-index;blob-bits;cdt-list;cdt-map;float;geo;peers;pipelining;pquery;pscans;"
    "replicas;truncate-namespace;udf",
}
STORED_VALUE = 7

_MSG_HEADER = struct.Struct(">BBBBBBIIIHH")
_OP_HEADER = struct.Struct(">IBBBB")
_FIELD_HEADER = struct.Struct(">IB")

Reply = Callable[[socket.socket], None]  # sends a reply (and may close the socket)


def message_header(n_fields: int = 0, n_ops: int = 0, header_size: int = MSG_HEADER_SIZE) -> bytes:
    return _MSG_HEADER.pack(header_size, 0, 0, 0, 0, 0, 1, 0, 0, n_fields, n_ops)


def send_frame(proto_type: int, body: bytes) -> Reply:
    return lambda sock: sock.sendall(pack_header(proto_type, len(body)) + body)


def send_raw(data: bytes, close: bool = False) -> Reply:
    def reply(sock: socket.socket) -> None:
        sock.sendall(data)
        if close:
            sock.shutdown(socket.SHUT_RDWR)

    return reply


def good_record(sock: socket.socket) -> None:
    ops = [Op(OP_READ, PARTICLE_INTEGER, "v", STORED_VALUE.to_bytes(8, "big", signed=True))]
    sock.sendall(Message(generation=1, ops=ops).encode())


def good_write(sock: socket.socket) -> None:
    sock.sendall(Message(generation=1).encode())


VALID_BODY = Message(generation=1).encode()[8:]
NAME = b"v"

# name -> the reply the fake sends to a message frame; every one of them is broken.
MALFORMED: dict[str, Reply] = {
    "bad-version": send_raw(struct.pack(">Q", (1 << 56) | (PROTO_TYPE_MESSAGE << 48) | len(VALID_BODY)) + VALID_BODY),
    "unknown-proto-type": send_raw(struct.pack(">Q", (2 << 56) | (9 << 48) | len(VALID_BODY)) + VALID_BODY),
    "absurd-length": send_raw(struct.pack(">Q", (2 << 56) | (PROTO_TYPE_MESSAGE << 48) | (1 << 47)) + VALID_BODY),
    "info-frame-for-a-message": send_frame(PROTO_TYPE_INFO, b"node\tx\n"),
    "empty-body": send_frame(PROTO_TYPE_MESSAGE, b""),
    "short-message-header": send_frame(PROTO_TYPE_MESSAGE, VALID_BODY[:10]),
    "wrong-header-size": send_frame(PROTO_TYPE_MESSAGE, message_header(header_size=30)),
    "field-overruns": send_frame(PROTO_TYPE_MESSAGE, message_header(n_fields=1) + _FIELD_HEADER.pack(1000, 4) + b"x"),
    "field-size-zero": send_frame(PROTO_TYPE_MESSAGE, message_header(n_fields=1) + _FIELD_HEADER.pack(0, 4)),
    "op-overruns": send_frame(
        PROTO_TYPE_MESSAGE, message_header(n_ops=1) + _OP_HEADER.pack(1000, OP_READ, 1, 0, 1) + NAME + b"\0" * 8
    ),
    "op-header-truncated": send_frame(PROTO_TYPE_MESSAGE, message_header(n_ops=1) + b"\0\0\0"),
    "op-name-longer-than-op": send_frame(
        PROTO_TYPE_MESSAGE, message_header(n_ops=1) + _OP_HEADER.pack(5, OP_READ, 1, 0, 200) + b"v" * 200
    ),
    "bin-name-not-utf8": send_frame(
        PROTO_TYPE_MESSAGE, message_header(n_ops=1) + _OP_HEADER.pack(6, OP_READ, 3, 0, 2) + b"\xff\xfe"
    ),
    "corrupt-compressed-frame": send_frame(PROTO_TYPE_COMPRESSED, struct.pack(">Q", 30) + b"not zlib at all"),
    "compressed-frame-of-wrong-size": send_frame(
        PROTO_TYPE_COMPRESSED, struct.pack(">Q", 1000) + zlib.compress(Message(generation=1).encode())
    ),
}

# Whole, well-formed frames whose values cannot be decoded: the connection is still in step with the node (the
# frame was read to its end), so it may stay in the pool; the command fails with a ClientError all the same.
MALFORMED_VALUES: dict[str, Reply] = {
    "integer-particle-of-9-bytes": send_frame(
        PROTO_TYPE_MESSAGE,
        message_header(n_ops=1) + _OP_HEADER.pack(4 + 1 + 9, OP_READ, PARTICLE_INTEGER, 0, 1) + NAME + b"\0" * 9,
    ),
    "unknown-particle-type": send_frame(
        PROTO_TYPE_MESSAGE, message_header(n_ops=1) + _OP_HEADER.pack(4 + 1 + 2, OP_READ, 222, 0, 1) + NAME + b"ab"
    ),
    "corrupt-msgpack-list": send_frame(
        PROTO_TYPE_MESSAGE, message_header(n_ops=1) + _OP_HEADER.pack(4 + 1 + 2, OP_READ, 20, 0, 1) + NAME + b"\x93\xc1"
    ),
}

# Replies that end the connection early: the network failed, which a read may retry.
CUT_SHORT: dict[str, Reply] = {
    "truncated-body-then-close": send_raw(pack_header(PROTO_TYPE_MESSAGE, 100) + VALID_BODY[:10], close=True),
    "truncated-header-then-close": send_raw(pack_header(PROTO_TYPE_MESSAGE, 100)[:5], close=True),
    "close-without-reply": send_raw(b"", close=True),
}


class FakeNode:
    """A one-node "cluster" on loopback: real tend answers, scripted answers to message frames.

    `reply` answers every message frame. Each connection that received a message frame is recorded with an
    event set once the client closes its end.
    """

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()[:2]
        self.reply: Reply = good_record
        self.lock = threading.Lock()
        self.message_connections: dict[int, threading.Event] = {}  # client port -> closed by the client
        self.messages = 0
        self.unexpected: list[str] = []
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, peer = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.sockets.append(sock)
            threading.Thread(target=self._serve, args=(sock, peer[1]), daemon=True).start()

    def _serve(self, sock: socket.socket, client_port: int) -> None:
        try:
            while True:
                try:
                    proto_type, body = read_frame(sock)
                except (ConnectionError, OSError):
                    break
                if proto_type == PROTO_TYPE_INFO:
                    commands = parse_info_request(body)
                    sock.sendall(
                        encode_info_reply(
                            (command, INFO_ANSWERS.get(command, "ERROR:4:unrecognized command"))
                            for command in commands
                        )
                    )
                elif proto_type == PROTO_TYPE_MESSAGE:
                    request = decode_message(body, 0)[0]
                    with self.lock:
                        self.messages += 1
                        self.message_connections.setdefault(client_port, threading.Event())
                        reply = self.reply
                    if reply is good_record and not request.info1 & INFO1_READ:
                        reply = good_write
                    reply(sock)
                else:
                    self.unexpected.append(f"proto type {proto_type}")
                    break
        except OSError:
            pass
        finally:
            with self.lock:
                closed = self.message_connections.get(client_port)
            if closed is not None:
                closed.set()
            sock.close()

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()


@pytest.fixture
def fake() -> Iterator[FakeNode]:
    node = FakeNode()
    yield node
    node.close()


@pytest.fixture
def client(fake: FakeNode) -> Iterator[aerospike.Client]:
    policy = {"total_timeout": 2000, "max_retries": 2}
    connected = aerospike.client(
        {"hosts": [fake.address], "tend_interval": 100, "policies": {"read": policy, "write": policy}}
    ).connect()
    yield connected
    connected.close()


KEY = ("test", "demo", "k")


def warm_up(client: aerospike.Client, fake: FakeNode) -> int:
    """One good read, which leaves one pooled connection; returns its client port."""
    assert client.get(KEY)[2] == {"v": STORED_VALUE}
    (port,) = fake.message_connections
    return port


def assert_recovers(client: aerospike.Client, fake: FakeNode, bad_ports: set[int]) -> None:
    """Each connection that carried a bad reply is closed by the client; later commands work on fresh ones."""
    for port in bad_ports:
        assert fake.message_connections[port].wait(2.0), f"connection from port {port} left open"
    fake.reply = good_record
    assert client.get(KEY)[2] == {"v": STORED_VALUE}
    client.put(KEY, {"v": 1})
    new_ports = set(fake.message_connections) - bad_ports
    assert new_ports and not any(fake.message_connections[port].is_set() for port in new_ports)
    assert fake.unexpected == []


def assert_clear_error(error: BaseException) -> None:
    """A ClientError-family error (never struct.error, OSError, IndexError...) naming the node it came from."""
    assert isinstance(error, exception.ClientError), repr(error)
    assert error.msg and ("127.0.0.1" in error.msg or NODE_ID in error.msg), error.msg


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_reply_raises_client_error_and_closes_its_connection(client, fake, case):
    pooled_port = warm_up(client, fake)
    fake.reply = MALFORMED[case]
    messages_before = fake.messages
    with pytest.raises(exception.AerospikeError) as caught:
        client.get(KEY)
    assert_clear_error(caught.value)
    assert type(caught.value) is exception.ClientError  # not a retryable network error
    assert fake.messages == messages_before + 1  # a reply that cannot be parsed is not retried
    assert_recovers(client, fake, {pooled_port})


@pytest.mark.parametrize("case", ["bad-version", "op-overruns", "corrupt-compressed-frame"])
def test_malformed_reply_to_a_write_is_in_doubt(client, fake, case):
    pooled_port = warm_up(client, fake)
    fake.reply = MALFORMED[case]
    with pytest.raises(exception.ClientError) as caught:
        client.put(KEY, {"v": 2})
    assert_clear_error(caught.value)
    assert caught.value.in_doubt is True
    assert_recovers(client, fake, {pooled_port})


@pytest.mark.parametrize("case", sorted(CUT_SHORT))
def test_reply_cut_short_is_a_connection_error_retried_on_fresh_connections(client, fake, case):
    warm_up(client, fake)
    fake.reply = CUT_SHORT[case]
    messages_before = fake.messages
    with pytest.raises(exception.AerospikeError) as caught:
        client.get(KEY)
    assert_clear_error(caught.value)
    assert isinstance(caught.value, exception.ConnectionError)
    assert fake.messages == messages_before + 3  # max_retries 2: each attempt on its own connection
    bad_ports = set(fake.message_connections)
    assert_recovers(client, fake, bad_ports)


@pytest.mark.parametrize("case", sorted(MALFORMED_VALUES))
def test_undecodable_value_raises_client_error_and_keeps_the_connection_in_step(client, fake, case):
    pooled_port = warm_up(client, fake)
    fake.reply = MALFORMED_VALUES[case]
    messages_before = fake.messages
    with pytest.raises(exception.AerospikeError) as caught:
        client.get(KEY)
    assert_clear_error(caught.value)
    assert type(caught.value) is exception.ClientError
    assert fake.messages == messages_before + 1
    fake.reply = good_record
    assert client.get(KEY)[2] == {"v": STORED_VALUE}
    # The next command read its own reply on the same connection: nothing was left unread on it.
    assert set(fake.message_connections) == {pooled_port}
    assert not fake.message_connections[pooled_port].is_set()


def test_the_fake_node_is_a_whole_cluster_to_the_client(client, fake):
    """Guards the fake: the client tends it as a one-node cluster owning every partition of `test`."""
    assert client.get_nodes() == [fake.address]
    assert client.get(KEY)[2] == {"v": STORED_VALUE}
    assert client.info_all("node") == {NODE_ID: (None, f"{NODE_ID}\n")}
