"""Connection._spin_recv: a reply read polls (sched_yield + non-blocking recv) before it blocks, only while that
pays and only for the thread that made the last read; whatever the path, read_frame returns the same frames and
raises the same errors."""

from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

from aerospike import connection as connection_module
from aerospike import exception
from aerospike.connection import Connection
from tests.support.sockets import connected_pair


def _frame(body: bytes) -> bytes:
    return struct.pack(">Q", (2 << 56) | (3 << 48) | len(body)) + body


class _Recording:
    """The connection's socket, recording the flags of each recv_into (0: a blocking read)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.flags: list[int] = []

    def recv_into(self, buffer, nbytes=0, flags=0):
        self.flags.append(flags)
        return self._sock.recv_into(buffer, nbytes, flags)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def _connected() -> tuple[Connection, socket.socket, _Recording]:
    """(client Connection with a recording socket, the server's end of it, the recording)."""
    conn, server = connected_pair()
    recording = _Recording(conn._socket)
    conn._socket = recording
    return conn, server, recording


@pytest.fixture
def pair():
    conn, server, recording = _connected()
    yield conn, server, recording
    conn.close()
    server.close()


def _same_thread_read(conn: Connection, server: socket.socket, body: bytes, delay: float = 0.0) -> tuple:
    """Make this thread the last reader, then read one frame that the server sends after `delay` seconds."""
    connection_module._last_reader = threading.get_ident()
    if delay:
        timer = threading.Timer(delay, server.sendall, (_frame(body),))
        timer.start()
    else:
        server.sendall(_frame(body))
    result = conn.read_frame(2.0)
    if delay:
        timer.join()
    return result


def test_a_reply_that_is_there_is_read_by_the_poll(pair):
    conn, server, recording = pair
    assert connection_module.SPIN_ROUNDS > 0
    assert _same_thread_read(conn, server, b"hello") == (3, b"hello")
    assert recording.flags == [socket.MSG_DONTWAIT]
    assert conn._spin == connection_module.SPIN_CREDIT


def test_a_late_reply_is_read_blocking_and_misses_pause_the_poll(pair, monkeypatch):
    conn, server, recording = pair
    monkeypatch.setattr(connection_module, "SPIN_ROUNDS", 2)
    monkeypatch.setattr(connection_module, "SPIN_CREDIT", 2)
    monkeypatch.setattr(connection_module, "SPIN_PAUSE", 3)
    conn._spin = 2
    assert _same_thread_read(conn, server, b"late", delay=0.03) == (3, b"late")
    assert recording.flags == [socket.MSG_DONTWAIT] * 2 + [0]  # two polls, then the blocking read
    assert conn._spin == 1
    recording.flags.clear()
    assert _same_thread_read(conn, server, b"late again", delay=0.03) == (3, b"late again")
    assert recording.flags == [socket.MSG_DONTWAIT] * 2 + [0]
    assert conn._spin == -3  # two misses in a row: paused for SPIN_PAUSE reads
    recording.flags.clear()
    for number in range(3):  # paused: blocking reads only, even for a reply already there
        assert _same_thread_read(conn, server, b"%d" % number) == (3, b"%d" % number)
    assert recording.flags == [0, 0, 0]
    assert conn._spin == 1  # the pause is over: one probe
    recording.flags.clear()
    assert _same_thread_read(conn, server, b"probe") == (3, b"probe")
    assert recording.flags == [socket.MSG_DONTWAIT]
    assert conn._spin == 2  # it paid: full credit again


def test_a_read_by_another_thread_since_this_threads_last_one_does_not_poll(pair):
    conn, server, recording = pair
    connection_module._last_reader = threading.get_ident() + 1  # another thread read last
    server.sendall(_frame(b"x"))
    assert conn.read_frame(2.0) == (3, b"x")
    assert recording.flags == [0]
    assert connection_module._last_reader == threading.get_ident()
    assert conn._spin == connection_module.SPIN_CREDIT  # not a miss


def test_a_connection_closed_while_polling_is_a_connection_error(pair):
    conn, server, recording = pair
    connection_module._last_reader = threading.get_ident()
    threading.Timer(0.001, server.close).start()
    with pytest.raises(exception.ConnectionError) as raised:
        conn.read_frame(2.0)
    assert raised.value.code == -10
    assert conn.closed


def test_frames_split_across_reads_and_back_to_back_frames_are_read_whole(pair):
    conn, server, recording = pair
    connection_module._last_reader = threading.get_ident()
    first = _frame(b"a" * 1000)
    server.sendall(first[:5])  # the poll reads a partial header; the rest arrives later
    threading.Timer(0.01, server.sendall, (first[5:] + _frame(b"second"),)).start()
    assert conn.read_frame(2.0) == (3, b"a" * 1000)
    time.sleep(0.02)
    assert conn.read_frame(2.0) == (3, b"second")


def test_the_poll_is_off_when_turned_off(monkeypatch):
    monkeypatch.setenv("AEROSPIKE_SPIN_WAIT", "0")
    assert connection_module._spin_rounds() == 0
    monkeypatch.setenv("AEROSPIKE_SPIN_WAIT", "16")
    assert connection_module._spin_rounds() == 16
    monkeypatch.setenv("AEROSPIKE_SPIN_WAIT", "junk")
    assert connection_module._spin_rounds() == 64
    monkeypatch.delenv("AEROSPIKE_SPIN_WAIT")
    assert connection_module._spin_rounds() == 64
    # A connection made while polling is off never polls.
    monkeypatch.setattr(connection_module, "SPIN_ROUNDS", 0)
    conn, server, recording = _connected()
    try:
        for _ in range(3):
            assert _same_thread_read(conn, server, b"y") == (3, b"y")
        assert recording.flags == [0, 0, 0]
    finally:
        conn.close()
        server.close()
