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

import builtins
import errno
import logging
import socket
import ssl
import struct
from time import monotonic
from typing import Any, Mapping, Optional

from . import admin, exception
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

log = logging.getLogger("aerospike.connection")

#: The result code of a network failure (AEROSPIKE_ERR_CONNECTION); the command loop retries on it.
NETWORK_ERROR_CODE = -10  # exception.ConnectionError


def network_error(message: str) -> exception.AerospikeError:
    """A ConnectionError (code -10): the connection failed; the command may be retried elsewhere."""
    return exception.ConnectionError(NETWORK_ERROR_CODE, message)


def timeout_error(message: str) -> exception.AerospikeError:
    return exception.TimeoutError(exception.TimeoutError.code, message)


# ----- TLS ------------------------------------------------------------------------------------------------------

DEFAULT_TLS_PROTOCOLS = "-all +TLSv1.2"  # the spec's default for the `protocols` key
_TLS_VERSIONS = {
    "SSLv3": ssl.TLSVersion.SSLv3,
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
_TLS_ORDER = ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
_TLS_ALL = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")  # Apache's "all" (SSLv3 must be named)
# getpeercert()'s attribute names to the short names OpenSSL's one-line issuer format (blacklist files) uses.
_SHORT_NAMES = {
    "countryName": "C",
    "stateOrProvinceName": "ST",
    "localityName": "L",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "commonName": "CN",
    "emailAddress": "emailAddress",
    "domainComponent": "DC",
    "serialNumber": "serialNumber",
}


def tls_error(message: str) -> exception.AerospikeError:
    return exception.TLSError(exception.TLSError.code, message)


def parse_protocols(spec: Optional[str]) -> tuple[ssl.TLSVersion, ssl.TLSVersion]:
    """(minimum, maximum) TLS version from an Apache SSLProtocol string such as "-all +TLSv1.2"."""
    text = DEFAULT_TLS_PROTOCOLS if spec is None or not spec.strip() else spec
    enabled: set[str] = set()
    for token in text.split():
        sign = token[0] if token[0] in "+-" else ""
        name = token[1:] if sign else token
        names = _TLS_ALL if name.lower() == "all" else (name,)
        for version in names:
            if version not in _TLS_VERSIONS:
                raise tls_error(f"TLS protocols {text!r}: unknown protocol {name!r}")
            if sign == "-":
                enabled.discard(version)
            else:
                enabled.add(version)
    if not enabled:
        raise tls_error(f"TLS protocols {text!r} enable no protocol")
    positions = sorted(_TLS_ORDER.index(version) for version in enabled)
    if positions != list(range(positions[0], positions[-1] + 1)):
        raise tls_error(f"TLS protocols {text!r}: enabled protocols must be a contiguous range")
    return _TLS_VERSIONS[_TLS_ORDER[positions[0]]], _TLS_VERSIONS[_TLS_ORDER[positions[-1]]]


def _normal_serial(text: str) -> str:
    return text.strip().upper().lstrip("0") or "0"


def read_blacklist(path: str) -> frozenset[tuple[str, Optional[str]]]:
    """(serial, issuer or None) entries of a certificate blacklist file: `SERIAL_HEX [/C=../CN=..]` per line."""
    entries = set()
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                serial, _, issuer = line.partition(" ")
                try:
                    int(serial, 16)
                except ValueError:
                    raise tls_error(f"cert_blacklist {path}: bad serial number {serial!r}") from None
                entries.add((_normal_serial(serial), issuer.strip() or None))
    except OSError as error:
        raise tls_error(f"cert_blacklist {path}: {error.strerror or error}") from None
    return frozenset(entries)


def _issuer_line(certificate: Mapping[str, Any]) -> str:
    parts = []
    for rdn in certificate.get("issuer", ()):
        for name, value in rdn:
            parts.append(f"/{_SHORT_NAMES.get(name, name)}={value}")
    return "".join(parts)


class TlsContext(ssl.SSLContext):
    """The client's SSLContext plus what OpenSSL does not check for us: the certificate blacklist, and whether
    to log each session's protocol and cipher."""

    blacklist: frozenset[tuple[str, Optional[str]]] = frozenset()
    log_session_info: bool = False

    def check_peer(self, sock: ssl.SSLSocket, address: str) -> None:
        """Refuse a server certificate on the blacklist (by serial, or by serial and issuer)."""
        if self.log_session_info:
            log.info("TLS session with %s: %s %s", address, sock.version(), (sock.cipher() or ("?",))[0])
        if not self.blacklist:
            return
        certificate = sock.getpeercert()
        if not certificate:
            raise tls_error(f"TLS with {address}: the server presented no certificate")
        serial = _normal_serial(str(certificate.get("serialNumber", "")))
        issuer = _issuer_line(certificate)
        if (serial, None) in self.blacklist or (serial, issuer) in self.blacklist:
            raise tls_error(f"TLS with {address}: server certificate serial {serial} is blacklisted")


def make_tls_context(tls: Optional[Mapping[str, Any]]) -> Optional[TlsContext]:
    """A client TlsContext from the spec's `tls` config dict, or None when TLS is not enabled."""
    if not tls or not tls.get("enable"):
        return None
    minimum, maximum = parse_protocols(tls.get("protocols"))
    context = TlsContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the certificate and the name (tls-name)
    try:
        context.minimum_version = minimum
        context.maximum_version = maximum
        if tls.get("cafile") or tls.get("capath"):
            context.load_verify_locations(cafile=tls.get("cafile"), capath=tls.get("capath"))
        else:
            context.load_default_certs()
        if tls.get("certfile"):
            context.load_cert_chain(tls["certfile"], tls.get("keyfile"), tls.get("keyfile_pw"))
        elif tls.get("keyfile"):
            raise tls_error("TLS configuration: 'keyfile' needs a 'certfile'")
        if tls.get("cipher_suite"):
            context.set_ciphers(tls["cipher_suite"])
    except (OSError, ssl.SSLError, ValueError) as error:
        raise tls_error(f"TLS configuration: {error}") from None
    if tls.get("crl_check_all"):
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_CHAIN
    elif tls.get("crl_check"):
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    if tls.get("cert_blacklist"):
        context.blacklist = read_blacklist(tls["cert_blacklist"])
    context.log_session_info = bool(tls.get("log_session_info"))
    return context


def _verify_message(error: ssl.SSLError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        return f"certificate verify failed: {error.verify_message}"
    return str(error)


_TIMEVAL = struct.Struct("@ll")
_HEADER_WORD = struct.Struct(">Q")
_LENGTH_MASK = (1 << 48) - 1
_MESSAGE_WORD_TOP = (PROTO_VERSION << 8) | PROTO_TYPE_MESSAGE  # version and type: the top 16 bits
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
                if isinstance(tls_context, TlsContext):
                    tls_context.check_peer(sock, address)  # type: ignore[arg-type]
            else:
                sock.settimeout(None)  # blocking; timeouts are the kernel's (see _set_timeout)
        except ssl.SSLError as error:
            sock.close()
            name = f" (tls-name {tls_name!r})" if tls_name else ""
            raise exception.TLSError(
                exception.TLSError.code, f"TLS with {address}{name} failed: {_verify_message(error)}"
            ) from None
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
            if timeout is None or int(timeout * 1000.0 + 0.999) != self._timeout_ms or timeout <= 0:
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
            if timeout is None or int(timeout * 1000.0 + 0.999) != self._timeout_ms or timeout <= 0:
                self._set_timeout(timeout)
            if self._start == self._end:
                # The common case: nothing buffered, and the whole reply arrives with this one recv.
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
                        self.last_used = monotonic()
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
        body = self._admin_exchange(admin.login_request(credentials), timeout)
        try:
            return admin.parse_login_reply(body)
        except exception.AerospikeError:
            self.close()
            raise

    def authenticate(self, user: str, session: admin.Session, timeout: Optional[float]) -> None:
        """Present a session token on this new connection; raises ExpiredSession / InvalidCredential when the
        token is no longer good (the connection stays open, so the caller may log in on it instead)."""
        body = self._admin_exchange(admin.authenticate_request(user, session), timeout)
        admin.parse_authenticate_reply(body)

    def close(self) -> None:
        """Close the socket (idempotent)."""
        if not self.closed:
            self.closed = True
            try:
                self._socket.close()
            except OSError:
                pass
