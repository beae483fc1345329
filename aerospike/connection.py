"""One TCP (or TLS) connection to one Aerospike node: the only code in the client that touches sockets.

Owns: connecting with a timeout (IPv4/IPv6 through getaddrinfo), TCP_NODELAY, sending whole requests, and reading
whole reply frames within a deadline (into one reused buffer, usually with one recv), inflating compressed
(type 4) frames, the TLS handshake and the checks after it (the spec's `tls` config: protocols, ciphers, CA
file/path, mutual TLS, CRL checks, certificate blacklist, session logging; see `TlsContext`), and the two
security exchanges that open a connection (LOGIN on tend connections, AUTHENTICATE with a session token on the
others; the frames and their meaning are admin.py's). Every socket failure leaves as an ``aerospike.exception`` error: ``TimeoutError`` for a deadline,
``ConnectionError`` (code -10, the code the command loop retries on) for reset/EOF/refused, ``ClientError`` for
bytes that are not a valid frame. Must not know pools, nodes, policies or what a message means.
"""

from __future__ import annotations

import _socket
import builtins
import errno
import os as _os
import struct
from threading import get_ident as _get_ident
from time import monotonic
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import ssl

    from . import admin
from . import exception
from .protocol import compression
from .protocol.constants import (
    MAX_FRAME_SIZE,
    PROTO_HEADER_SIZE,
    PROTO_TYPE_ADMIN,
    PROTO_TYPE_COMPRESSED,
    PROTO_TYPE_INFO,
    PROTO_TYPE_MESSAGE,
    PROTO_VERSION,
)
from .protocol.errors import ProtocolError
from .protocol.frame import unpack_header
from .protocol.info import encode_info_request, parse_info_reply

#: The result code of a network failure (AEROSPIKE_ERR_CONNECTION); the command loop retries on it.
NETWORK_ERROR_CODE = -10  # exception.ConnectionError


def network_error(message: str) -> exception.AerospikeError:
    """A ConnectionError (code -10): the connection failed; the command may be retried elsewhere."""
    return exception.ConnectionError(NETWORK_ERROR_CODE, message)


def timeout_error(message: str) -> exception.AerospikeError:
    return exception.TimeoutError(exception.TimeoutError.code, message)


_TIMEVAL = struct.Struct("@ll")
_HEADER_WORD = struct.Struct(">Q")
_LENGTH_MASK = (1 << 48) - 1
_MESSAGE_WORD_TOP = (PROTO_VERSION << 8) | PROTO_TYPE_MESSAGE  # version and type: the top 16 bits
_BUFFER_SIZE = 64 * 1024  # replies up to this size are read with one recv in the common case
_UNCHECKED = object()  # no timeout object checked against the kernel timeout yet
_WOULD_BLOCK = (errno.EAGAIN, errno.EWOULDBLOCK)
_DONTWAIT = getattr(_socket, "MSG_DONTWAIT", 0)


def _spin_rounds() -> int:
    """How many times a reply read polls before it blocks (see Connection._spin_recv): AEROSPIKE_SPIN_WAIT, an
    int (0 turns the polling off), else 64; 0 where the platform has no sched_yield or MSG_DONTWAIT."""
    if not _DONTWAIT or not hasattr(_os, "sched_yield"):
        return 0
    try:
        return max(0, int(_os.environ.get("AEROSPIKE_SPIN_WAIT", "64")))
    except ValueError:
        return 64


#: Polls (one sched_yield and one non-blocking recv each, about a microsecond) before a reply read blocks.
SPIN_ROUNDS = _spin_rounds()
#: Polls that found no reply in a row before a connection stops polling for SPIN_PAUSE reads.
SPIN_CREDIT = 8
SPIN_PAUSE = 1024
_NO_SPIN = -(1 << 62)  # a connection that never polls (TLS, or polling turned off)
# The thread of the last reply read that could poll: a thread polls only after a read of its own, so threads
# sharing a client (which must hand the GIL over at every read) do not poll.
_last_reader = 0

#: Commands in flight on one node's pool (counting the one at hand) from which a command sends its request
#: without releasing the GIL (see Connection.send); the pool sets `hold_gil` at each checkout.
HOLD_GIL_IN_FLIGHT = 3
_HOLD_FLAGS = _DONTWAIT | getattr(_socket, "MSG_NOSIGNAL", 0)
_held_send: Any = None  # libc send() through ctypes.PyDLL, loaded on first use; False where unavailable


def _load_held_send() -> Any:
    """libc's send() called with the GIL held (ctypes.PyDLL), or False where ctypes or libc are not there."""
    global _held_send
    function: Any = False
    if _DONTWAIT:  # never a send that may block while holding the GIL
        try:
            import ctypes  # loaded by the first command sent among several threads: 1.5 ms, once

            function = ctypes.PyDLL(None, use_errno=True).send
            function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int)
            function.restype = ctypes.c_ssize_t
        except Exception:  # noqa: BLE001 - no ctypes or no libc send(): sendall it is
            function = False
    _held_send = function
    return function


def _connect(host: str, port: int, timeout: Optional[float]) -> Any:
    """A connected TCP socket of the `_socket` module (what socket.create_connection does, without importing
    `socket`, whose enum set-up costs milliseconds at a process's first connect): each address in turn."""
    last: Optional[OSError] = None
    # An ASCII name goes as bytes: a str would be IDNA-encoded, importing the idna codec and unicodedata.
    name: Any = host.encode("ascii") if host.isascii() else host
    for family, kind, protocol, _name, address in _socket.getaddrinfo(name, port, 0, _socket.SOCK_STREAM):
        sock = _socket.socket(family, kind, protocol)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as error:
            sock.close()
            last = error
    raise last or OSError(f"getaddrinfo returned no address for {host}")


class Connection:
    """A connected socket to `host:port` with a reused receive buffer.

    `timeout` arguments are seconds for the whole call (None: no limit). After any error the connection is
    closed and must be discarded by its owner.

    Plain TCP sockets stay in blocking mode and carry their timeout in the kernel (SO_RCVTIMEO/SO_SNDTIMEO), set
    only when it changes: a command costs one send and, usually, one recv system call, with no poll() before
    each recv as Python's own socket timeouts would add. While it pays, a reply is first polled for with
    non-blocking recvs (_spin_recv). Replies are read into one reused buffer that may hold more than one frame
    (scans stream frames back to back).
    """

    __slots__ = (
        "host",
        "port",
        "last_used",
        "closed",
        "pool_generation",
        "_socket",
        "_buffer",
        "_view",
        "_start",
        "_end",
        "_max_frame",
        "_timeout_ms",
        "_timeout_checked",
        "_kernel_timeouts",
        "_spin",
        "_fileno",
        "hold_gil",
    )

    def __init__(
        self,
        host: str,
        port: int,
        connect_timeout: Optional[float],
        tls_context: Optional[ssl.SSLContext] = None,
        tls_name: Optional[str] = None,
        max_frame: int = MAX_FRAME_SIZE,
    ) -> None:
        self.host = host
        self.port = port
        self.closed = True
        self.pool_generation = 0  # stamped by the pool that made it (see pool.py)
        self._max_frame = max_frame
        self._buffer = bytearray(_BUFFER_SIZE)
        self._view = memoryview(self._buffer)
        self._start = 0  # received bytes not yet consumed: _buffer[_start:_end]
        self._end = 0
        self._timeout_ms = -1  # the kernel timeout in force; -1: not set yet
        # The last timeout object seen to give _timeout_ms: a command passes one object to send and read_frame,
        # so the second call skips the milliseconds check.
        self._timeout_checked: object = _UNCHECKED
        address = f"{host}:{port}"
        try:
            sock = _connect(host, port, connect_timeout or None)
        except builtins.TimeoutError:
            raise timeout_error(f"connection to {address} timed out") from None
        except _socket.gaierror as error:
            raise exception.InvalidHostError(
                exception.InvalidHostError.code, f"cannot resolve {host!r}: {error.strerror}"
            ) from None
        except OSError as error:
            raise network_error(f"connection to {address} failed: {error.strerror or error}") from None
        try:
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            if tls_context is not None:
                from .tls import wrap  # imported only when TLS is used (see tls.py)

                sock = wrap(tls_context, sock, host, address, tls_name)
            else:
                sock.settimeout(None)  # blocking; timeouts are the kernel's (see _set_timeout)
        except exception.AerospikeError:
            sock.close()
            raise
        except builtins.TimeoutError:
            sock.close()
            raise timeout_error(f"TLS handshake with {address} timed out") from None
        except OSError as error:
            sock.close()
            raise network_error(f"connection to {address} failed: {error.strerror or error}") from None
        self._kernel_timeouts = tls_context is None
        # SSL sockets take no recv flags, so TLS connections never poll.
        self._spin = SPIN_CREDIT if tls_context is None and SPIN_ROUNDS else _NO_SPIN
        self._fileno = sock.fileno() if tls_context is None else -1  # -1: never sent with the GIL held
        self.hold_gil = False  # set by the pool at checkout: send without releasing the GIL
        self._socket = sock
        self.closed = False
        self.last_used = monotonic()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<Connection {self.host}:{self.port} {state}>"

    def _set_timeout(self, timeout: Optional[float]) -> None:
        """Bound the next socket calls by `timeout` seconds (None: no bound), touching the socket only on change."""
        if timeout is None:
            milliseconds = 0
        else:
            if timeout <= 0:
                raise builtins.TimeoutError
            milliseconds = int(timeout * 1000.0 + 0.999)  # rounded up: never shorter than asked
        if milliseconds == self._timeout_ms:
            self._timeout_checked = timeout
            return
        self._timeout_checked = _UNCHECKED
        sock = self._socket
        if self._kernel_timeouts:
            value = _TIMEVAL.pack(milliseconds // 1000, (milliseconds % 1000) * 1000)
            sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_RCVTIMEO, value)
            sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_SNDTIMEO, value)
        else:
            sock.settimeout(milliseconds / 1000.0 if milliseconds else None)
        self._timeout_ms = milliseconds
        self._timeout_checked = timeout

    def send(self, data: bytes, timeout: Optional[float]) -> None:
        """Send all of `data` within `timeout` seconds.

        With `hold_gil` (several threads have commands in flight on this node), a plain TCP connection first
        tries libc's send() without releasing the GIL and without blocking (MSG_DONTWAIT): a request fits in the
        socket's buffer, and the thread hands the GIL over only in the recv that follows. socket.sendall
        releases it, and among many threads each release hands it to another thread which this one must then
        wait out (8 threads: 46,000 against 58,000 gets/s; 2 threads lose by holding it, hence the threshold).
        What does not go out that way (a full buffer, an error, another type than bytes) goes through sendall
        as always.
        """
        try:
            if timeout is not self._timeout_checked:
                self._set_timeout(timeout)
            if self.hold_gil and self._fileno >= 0 and type(data) is bytes:
                sender = _held_send if _held_send is not None else _load_held_send()
                if sender:
                    sent = sender(self._fileno, data, len(data), _HOLD_FLAGS)
                    if sent == len(data):
                        return
                    if sent > 0:
                        data = data[sent:]
            self._socket.sendall(data)
        except builtins.TimeoutError:
            self.close()
            raise timeout_error(f"send to {self.host}:{self.port} timed out") from None
        except OSError as error:
            self.close()
            if error.errno in _WOULD_BLOCK:
                raise timeout_error(f"send to {self.host}:{self.port} timed out") from None
            raise network_error(
                f"send to {self.host}:{self.port} failed: {error.strerror or error}"
            ) from None

    def read_frame(self, timeout: Optional[float]) -> tuple[int, bytes]:
        """Read one whole frame within `timeout` seconds; return (proto_type, body).

        A compressed frame (type 4) is inflated and its inner frame returned in its place.
        """
        # One clock read serves the deadline and last_used (the idle clock may start at the recv's beginning).
        started = monotonic()
        deadline = None if timeout is None else started + timeout
        try:
            if timeout is not self._timeout_checked:
                self._set_timeout(timeout)
            if self._start == self._end:
                # The common case: nothing buffered, and the whole reply arrives with this one recv (after a
                # short poll when it pays: _spin_recv).
                if self._spin > 0:
                    received = self._spin_recv()
                else:
                    received = -1
                    self._spin += 1
                    if not self._spin:
                        self._spin = 1  # the pause is over: the next read polls again, once
                if received < 0:
                    received = self._socket.recv_into(self._buffer)
                if received == 0:
                    raise ConnectionResetError(0, "connection closed by the server")
                self._start = 0
                self._end = received
                if received > PROTO_HEADER_SIZE:
                    (word,) = _HEADER_WORD.unpack_from(self._buffer, 0)
                    length = word & _LENGTH_MASK
                    if (
                        word >> 48 == _MESSAGE_WORD_TOP
                        and received == PROTO_HEADER_SIZE + length
                    ):
                        self._end = 0
                        self.last_used = started
                        return PROTO_TYPE_MESSAGE, bytes(self._view[PROTO_HEADER_SIZE:received])
            if self._end - self._start < PROTO_HEADER_SIZE:
                self._fill(PROTO_HEADER_SIZE, deadline)
            start = self._start
            proto_type, length = unpack_header(self._view[start : start + PROTO_HEADER_SIZE], self._max_frame)
            start += PROTO_HEADER_SIZE
            end = start + length
            if end <= self._end:
                body = bytes(self._view[start:end])
                self._start = end
            elif PROTO_HEADER_SIZE + length <= _BUFFER_SIZE:
                self._fill(PROTO_HEADER_SIZE + length, deadline)
                start = self._start + PROTO_HEADER_SIZE
                body = bytes(self._view[start : start + length])
                self._start = start + length
            else:
                body = self._read_large(start, length, deadline)
            if self._start == self._end:
                self._start = self._end = 0
            if proto_type == PROTO_TYPE_COMPRESSED:
                return self._inflate(body)
        except builtins.TimeoutError:
            self.close()
            raise timeout_error(f"read from {self.host}:{self.port} timed out") from None
        except ProtocolError as error:
            self.close()
            raise exception.ClientError(
                exception.ClientError.code, f"malformed reply from {self.host}:{self.port}: {error}"
            ) from None
        except OSError as error:
            self.close()
            if error.errno in _WOULD_BLOCK:
                raise timeout_error(f"read from {self.host}:{self.port} timed out") from None
            raise network_error(
                f"read from {self.host}:{self.port} failed: {error.strerror or error}"
            ) from None
        self.last_used = monotonic()
        return proto_type, body

    def _spin_recv(self) -> int:
        """The reply read by polling: up to SPIN_ROUNDS rounds of sched_yield and a non-blocking recv into the
        buffer; the byte count, or -1 to block as usual.

        A reply on loopback or a fast LAN arrives in tens of microseconds. Blocking for it puts the thread to
        sleep, and the process then resumes on a cold CPU (caches, branch predictors, a vCPU woken by the
        host): measured here, the same get's Python work took 14-17 us after a sleep against 6.5 us hot, and
        a raw loop's round trip 17 us blocking against 12 us polling. sched_yield hands the CPU to any other
        runnable task, so on a busy machine the poll gives way to the server and other processes (4 processes
        on 2 cores shared with the server: the same throughput with and without it).
        A connection polls only while it pays (SPIN_CREDIT misses in a row pause it for SPIN_PAUSE reads, then
        it tries once more), and only for the thread that made the last read, so 8 threads on one client,
        which hand the GIL over at each read, do not poll. Errors other than "no data yet" propagate as the
        blocking recv's would.
        """
        global _last_reader
        me = _get_ident()
        if _last_reader != me:
            _last_reader = me
            return -1
        buffer = self._buffer
        recv_into = self._socket.recv_into
        sched_yield = _os.sched_yield
        for _ in range(SPIN_ROUNDS):
            sched_yield()
            try:
                received: int = recv_into(buffer, 0, _DONTWAIT)
            except BlockingIOError:
                continue
            self._spin = SPIN_CREDIT
            return received
        self._spin -= 1
        if self._spin == 0:
            self._spin = -SPIN_PAUSE
        return -1

    def _fill(self, size: int, deadline: Optional[float]) -> None:
        """Receive until the buffer holds at least `size` unconsumed bytes (size <= the buffer's size)."""
        if self._start + size > _BUFFER_SIZE:  # move what is left to the front
            pending = self._end - self._start
            self._buffer[:pending] = self._view[self._start : self._end]
            self._start, self._end = 0, pending
        recv_into = self._socket.recv_into
        view = self._view
        while self._end - self._start < size:
            count = recv_into(view[self._end :])
            if count == 0:
                raise ConnectionResetError(0, "connection closed by the server")
            self._end += count
            if self._end - self._start < size and deadline is not None:
                self._set_timeout(deadline - monotonic())

    def _read_large(self, start: int, length: int, deadline: Optional[float]) -> bytes:
        """A body larger than the buffer: what is buffered, then straight into a buffer of its own."""
        body = bytearray(length)
        have = self._end - start
        body[:have] = self._view[start : self._end]
        self._start = self._end = 0
        view = memoryview(body)
        recv_into = self._socket.recv_into
        while have < length:
            if deadline is not None:
                self._set_timeout(deadline - monotonic())
            count = recv_into(view[have:], length - have)
            if count == 0:
                raise ConnectionResetError(0, "connection closed by the server")
            have += count
        return bytes(body)

    def _inflate(self, body: bytes) -> tuple[int, bytes]:
        inner = compression.decompress_body(body, self._max_frame)
        proto_type, length = unpack_header(inner, self._max_frame)
        if proto_type == PROTO_TYPE_COMPRESSED or len(inner) != PROTO_HEADER_SIZE + length:
            raise ProtocolError("compressed frame does not hold exactly one uncompressed frame")
        self.last_used = monotonic()
        return proto_type, bytes(memoryview(inner)[PROTO_HEADER_SIZE:])

    def info(self, commands: list[str] | tuple[str, ...], timeout: Optional[float]) -> dict[str, str]:
        """Ask info `commands` and return the reply's name -> value map."""
        self.send(encode_info_request(commands), timeout)
        proto_type, body = self.read_frame(timeout)
        if proto_type != PROTO_TYPE_INFO:
            self.close()
            raise exception.ClientError(
                exception.ClientError.code,
                f"info reply from {self.host}:{self.port} has proto type {proto_type}",
            )
        return parse_info_reply(bytes(body))

    def _admin_exchange(self, request: bytes, timeout: Optional[float]) -> bytes:
        self.send(request, timeout)
        proto_type, body = self.read_frame(timeout)
        if proto_type != PROTO_TYPE_ADMIN:
            self.close()
            raise exception.ClientError(
                exception.ClientError.code,
                f"security reply from {self.host}:{self.port} has proto type {proto_type}",
            )
        return body

    def login(self, credentials: admin.Credentials, timeout: Optional[float]) -> Optional[admin.Session]:
        """Log in on this connection; returns the session (None: the server has no security enabled).

        A refused login closes the connection and raises the server's error (InvalidUser, InvalidCredential...).
        """
        from . import admin  # security only: not loaded by a client without a user

        body = self._admin_exchange(admin.login_request(credentials), timeout)
        try:
            return admin.parse_login_reply(body)
        except exception.AerospikeError:
            self.close()
            raise

    def authenticate(self, user: str, session: admin.Session, timeout: Optional[float]) -> None:
        """Present a session token on this new connection; raises ExpiredSession / InvalidCredential when the
        token is no longer good (the connection stays open, so the caller may log in on it instead)."""
        from . import admin

        body = self._admin_exchange(admin.authenticate_request(user, session), timeout)
        admin.parse_authenticate_reply(body)

    def close(self) -> None:
        """Close the socket (idempotent)."""
        if not self.closed:
            self.closed = True
            self._fileno = -1  # its number may be reused by another file: never sent to with the GIL held again
            try:
                self._socket.close()
            except OSError:
                pass
