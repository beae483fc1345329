"""Connection.send with `hold_gil`: the request goes out through libc's send() without releasing the GIL and
without blocking; what does not (a full socket buffer, data that is not bytes) goes through sendall, so the peer
always receives the same bytes and errors are the same as without it. The pool sets `hold_gil` from the commands
in flight on it."""

from __future__ import annotations

import socket
import threading

import pytest

from aerospike import connection as connection_module
from aerospike import exception
from aerospike.connection import HOLD_GIL_IN_FLIGHT
from aerospike.pool import ConnectionPool
from tests.support.sockets import connected_pair


class _Counting:
    """The connection's socket, counting sendall calls."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.sendalls = 0

    def sendall(self, data, *args):
        self.sendalls += 1
        return self._sock.sendall(data, *args)

    def __getattr__(self, name):
        return getattr(self._sock, name)


@pytest.fixture
def pair():
    conn, server = connected_pair()
    counting = _Counting(conn._socket)
    conn._socket = counting
    yield conn, server, counting
    conn.close()
    server.close()


def _receive(server: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = server.recv(size)
        assert chunk
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def test_a_request_goes_out_without_sendall_while_the_gil_is_held(pair):
    conn, server, counting = pair
    conn.hold_gil = True
    conn.send(b"request bytes", 1.0)
    assert _receive(server, 13) == b"request bytes"
    assert counting.sendalls == 0 and connection_module._held_send


def test_without_hold_gil_or_for_other_types_sendall_sends(pair):
    conn, server, counting = pair
    conn.send(b"plain", 1.0)
    conn.hold_gil = True
    conn.send(bytearray(b"array"), 1.0)  # not bytes: the held path takes bytes only
    assert _receive(server, 10) == b"plainarray"
    assert counting.sendalls == 2


def test_what_a_full_buffer_leaves_goes_through_sendall(pair):
    conn, server, counting = pair
    conn._socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    payload = bytes(range(256)) * 8192  # 2 MiB: more than the buffers hold, so the non-blocking send is partial
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(_receive(server, len(payload))))
    conn.hold_gil = True
    reader.start()
    conn.send(payload, 5.0)
    reader.join(10)
    assert received == [payload]
    assert counting.sendalls == 1


def test_a_closed_peer_fails_as_without_hold_gil(pair):
    conn, server, _ = pair
    server.close()
    conn.hold_gil = True
    with pytest.raises(exception.AerospikeError) as caught:
        for _ in range(100):  # the first sends may still be accepted before the reset arrives
            conn.send(b"x" * 65536, 1.0)
    assert caught.value.code == connection_module.NETWORK_ERROR_CODE and conn.closed


class _Fake:
    def __init__(self) -> None:
        self.closed = False
        self.hold_gil = None
        self.last_used = 0.0

    def close(self) -> None:
        self.closed = True


def test_the_pool_sets_hold_gil_from_the_commands_in_flight():
    pool = ConnectionPool("127.0.0.1", 3000, 10, 0.0, 1.0, connection_factory=lambda *args: _Fake())
    busy = [pool.checkout() for _ in range(HOLD_GIL_IN_FLIGHT)]
    assert [c.hold_gil for c in busy] == [False] * (HOLD_GIL_IN_FLIGHT - 1) + [True]
    for connection in busy:
        pool.checkin(connection)
    assert pool.checkout().hold_gil is False  # alone in flight again: an idle one, handed out


def test_a_closed_connection_never_sends_to_its_old_file_number(pair, monkeypatch):
    conn, _, _ = pair
    conn.send(b"x", 1.0)  # the timeout is set: a later send goes straight to the sending
    held: list[tuple] = []
    monkeypatch.setattr(connection_module, "_held_send", lambda *args: held.append(args) or -1)
    conn.close()
    reused = socket.socket()  # likely given the closed connection's number
    try:
        conn.hold_gil = True
        with pytest.raises(exception.AerospikeError):
            conn.send(b"stale", 1.0)
        assert held == [] and conn._fileno == -1
    finally:
        reused.close()
