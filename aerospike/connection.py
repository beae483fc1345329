"""One TCP (or TLS) connection to one Aerospike node: the only code in the client that touches sockets.

Owns: connecting with a timeout (IPv4/IPv6 through getaddrinfo), TCP_NODELAY, sending whole requests, and reading
whole reply frames within a deadline (into one reused buffer, usually with one recv), inflating compressed
(type 4) frames. Every socket failure leaves as an ``aerospike.exception`` error: ``TimeoutError`` for a deadline,
``ConnectionError`` (code -10, the code the command loop retries on) for reset/EOF/refused, ``ClientError`` for
bytes that are not a valid frame. Must not know pools, nodes, policies or what a message means.
"""

from __future__ import annotations

import builtins
import errno
import socket
import ssl
import struct
from time import monotonic
from typing import Optional

from . import exception
from .protocol import compression
from .protocol.constants import MAX_FRAME_SIZE, PROTO_HEADER_SIZE, PROTO_TYPE_COMPRESSED, PROTO_TYPE_INFO
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
_BUFFER_SIZE = 64 * 1024  # replies up to this size are read with one recv in the common case
_WOULD_BLOCK = (errno.EAGAIN, errno.EWOULDBLOCK)


class Connection:
    """A connected socket to `host:port` with a reused receive buffer.

    `timeout` arguments are seconds for the whole call (None: no limit). After any error the connection is
    closed and must be discarded by its owner.

    Plain TCP sockets stay in blocking mode and carry their timeout in the kernel (SO_RCVTIMEO/SO_SNDTIMEO), set
    only when it changes: a command costs one send and, usually, one recv system call, with no poll before each
    recv as Python's own socket timeouts would add. Replies are read into one reused buffer that may hold more
    than one frame (scans stream frames back to back).
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
        "_kernel_timeouts",
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
        address = f"{host}:{port}"
        try:
            sock = socket.create_connection((host, port), timeout=connect_timeout or None)
        except builtins.TimeoutError:
            raise timeout_error(f"connection to {address} timed out") from None
        except socket.gaierror as error:
            raise exception.InvalidHostError(
                exception.InvalidHostError.code, f"cannot resolve {host!r}: {error.strerror}"
            ) from None
        except OSError as error:
            raise network_error(f"connection to {address} failed: {error.strerror or error}") from None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if tls_context is not None:
                sock = tls_context.wrap_socket(sock, server_hostname=tls_name or host)
            else:
                sock.settimeout(None)  # blocking; timeouts are the kernel's (see _set_timeout)
        except ssl.SSLError as error:
            sock.close()
            raise exception.TLSError(exception.TLSError.code, f"TLS with {address} failed: {error}") from None
        except builtins.TimeoutError:
            sock.close()
            raise timeout_error(f"TLS handshake with {address} timed out") from None
        except OSError as error:
            sock.close()
            raise network_error(f"connection to {address} failed: {error.strerror or error}") from None
        self._kernel_timeouts = tls_context is None
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
            return
        sock = self._socket
        if self._kernel_timeouts:
            value = _TIMEVAL.pack(milliseconds // 1000, (milliseconds % 1000) * 1000)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)
        else:
            sock.settimeout(milliseconds / 1000.0 if milliseconds else None)
        self._timeout_ms = milliseconds

    def send(self, data: bytes, timeout: Optional[float]) -> None:
        """Send all of `data` within `timeout` seconds."""
        try:
            self._set_timeout(timeout)
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
        deadline = None if timeout is None else monotonic() + timeout
        try:
            self._set_timeout(timeout)
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

    def close(self) -> None:
        """Close the socket (idempotent)."""
        if not self.closed:
            self.closed = True
            try:
                self._socket.close()
            except OSError:
                pass
