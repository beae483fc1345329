"""One TCP (or TLS) connection to one Aerospike node: the only code in the client that touches sockets.

Owns: connecting with a timeout (IPv4/IPv6 through getaddrinfo), TCP_NODELAY, sending whole requests, and reading
whole reply frames within a deadline (header into a reused buffer, body with recv_into), inflating compressed
(type 4) frames. Every socket failure leaves as an ``aerospike.exception`` error: ``TimeoutError`` for a deadline,
``ConnectionError`` (code -10, the code the command loop retries on) for reset/EOF/refused, ``ClientError`` for
bytes that are not a valid frame. Must not know pools, nodes, policies or what a message means.
"""

from __future__ import annotations

import builtins
import socket
import ssl
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


class Connection:
    """A connected socket to `host:port` with a reused 8-byte header buffer.

    `timeout` arguments are seconds for the whole call (None: no limit). After any error the connection is
    closed and must be discarded by its owner.
    """

    __slots__ = (
        "host",
        "port",
        "last_used",
        "closed",
        "pool_generation",
        "_socket",
        "_header",
        "_header_view",
        "_max_frame",
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
        self._header = bytearray(PROTO_HEADER_SIZE)
        self._header_view = memoryview(self._header)
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
        except ssl.SSLError as error:
            sock.close()
            raise exception.TLSError(exception.TLSError.code, f"TLS with {address} failed: {error}") from None
        except builtins.TimeoutError:
            sock.close()
            raise timeout_error(f"TLS handshake with {address} timed out") from None
        except OSError as error:
            sock.close()
            raise network_error(f"connection to {address} failed: {error.strerror or error}") from None
        self._socket = sock
        self.closed = False
        self.last_used = monotonic()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<Connection {self.host}:{self.port} {state}>"

    def send(self, data: bytes, timeout: Optional[float]) -> None:
        """Send all of `data` within `timeout` seconds."""
        sock = self._socket
        try:
            sock.settimeout(timeout)
            sock.sendall(data)
        except builtins.TimeoutError:
            self.close()
            raise timeout_error(f"send to {self.host}:{self.port} timed out") from None
        except OSError as error:
            self.close()
            raise network_error(
                f"send to {self.host}:{self.port} failed: {error.strerror or error}"
            ) from None

    def read_frame(self, timeout: Optional[float]) -> tuple[int, bytearray]:
        """Read one whole frame within `timeout` seconds; return (proto_type, body).

        A compressed frame (type 4) is inflated and its inner frame returned in its place.
        """
        deadline = None if timeout is None else monotonic() + timeout
        try:
            if deadline is None:
                self._socket.settimeout(None)
            self._recv_exact(self._header_view, PROTO_HEADER_SIZE, deadline)
            proto_type, length = unpack_header(self._header, self._max_frame)
            body = bytearray(length)
            if length:
                self._recv_exact(memoryview(body), length, deadline)
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
            raise network_error(
                f"read from {self.host}:{self.port} failed: {error.strerror or error}"
            ) from None
        self.last_used = monotonic()
        return proto_type, body

    def _recv_exact(self, view: memoryview, size: int, deadline: Optional[float]) -> None:
        sock = self._socket
        if deadline is not None:
            remaining = deadline - monotonic()
            if remaining <= 0:
                raise builtins.TimeoutError
            sock.settimeout(remaining)
        received = sock.recv_into(view, size)
        while received < size:
            if received == 0:
                raise ConnectionResetError(0, "connection closed by the server")
            if deadline is not None:
                remaining = deadline - monotonic()
                if remaining <= 0:
                    raise builtins.TimeoutError
                sock.settimeout(remaining)
            count = sock.recv_into(view[received:], size - received)
            if count == 0:
                raise ConnectionResetError(0, "connection closed by the server")
            received += count

    def _inflate(self, body: bytearray) -> tuple[int, bytearray]:
        inner = compression.decompress_body(bytes(body), self._max_frame)
        proto_type, length = unpack_header(inner, self._max_frame)
        if proto_type == PROTO_TYPE_COMPRESSED or len(inner) != PROTO_HEADER_SIZE + length:
            raise ProtocolError("compressed frame does not hold exactly one uncompressed frame")
        self.last_used = monotonic()
        return proto_type, bytearray(memoryview(inner)[PROTO_HEADER_SIZE:])

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
