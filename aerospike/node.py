"""A cluster node as this process sees it: its name, address, connection pool and failure count.

Owns the per-process state of one server node (its ConnectionPool) and info requests on pooled connections,
and the process's security sessions (`Authenticator`): the session token each node's login gave this process,
presented on every new pooled connection, refreshed by logging in again when it is about to expire or the
server says it has. Must not know routing or tending: the cluster creates a Node the first time a snapshot
names it and keeps it while the node is present.
"""

from __future__ import annotations

import threading
from time import monotonic
from typing import TYPE_CHECKING, Iterable, Optional

from . import exception
from .connection import Connection
from .pool import ConnectionFactory, ConnectionPool
from .protocol.constants import RESULT_EXPIRED_SESSION, RESULT_INVALID_CREDENTIAL, RESULT_NOT_AUTHENTICATED
from .snapshot import NodeRecord

if TYPE_CHECKING:
    import ssl

    from .admin import Credentials, Session
    from .cluster import ClusterConfig


def _authenticated_factory(authenticator: Authenticator) -> ConnectionFactory:
    """A pool connection factory that authenticates every new connection before the pool hands it out."""

    def connect(
        host: str,
        port: int,
        timeout: Optional[float],
        tls_context: Optional[ssl.SSLContext],
        tls_name: Optional[str],
    ) -> Connection:
        connection = Connection(host, port, timeout, tls_context, tls_name)
        try:
            authenticator.authenticate(connection, timeout)
        except BaseException:
            connection.close()
            raise
        return connection

    return connect


def format_address(host: str, port: int) -> str:
    """`host:port`, with an IPv6 host in brackets."""
    if ":" in host:
        return f"[{host}]:{port}"
    return f"{host}:{port}"


# Answers to AUTHENTICATE that mean "this token is no good any more": log in again on the same connection.
_LOGIN_AGAIN = frozenset((RESULT_EXPIRED_SESSION, RESULT_INVALID_CREDENTIAL, RESULT_NOT_AUTHENTICATED))


class _NodeSession:
    __slots__ = ("session", "refresh_at")

    def __init__(self, session: Optional[Session], refresh_at: Optional[float]) -> None:
        self.session = session  # None: the node does not have security enabled
        self.refresh_at = refresh_at  # monotonic time to log in again, or None for never


class Authenticator:
    """The credentials of `connect(username, password)` and this process's session per node address.

    Sessions are per process and never shared (a forked child starts with none, `forget_sessions`). A node
    whose session is unknown (first connection, or a process that does not tend in shared-memory mode) is
    logged in on the connection at hand.
    """

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self._sessions: dict[tuple[str, int], _NodeSession] = {}
        self._lock = threading.Lock()
        self.logins = 0  # successful logins by this process (for tests and diagnostics)

    def __repr__(self) -> str:
        return f"<Authenticator user={self.credentials.user!r} nodes={len(self._sessions)}>"

    @property
    def user(self) -> str:
        return self.credentials.user

    def login(self, connection: Connection, timeout: Optional[float]) -> None:
        """Log in on `connection` (which is then authenticated) and keep the node's new session."""
        session = connection.login(self.credentials, timeout)
        refresh_after = session.refresh_after if session is not None else None
        refresh_at = monotonic() + refresh_after if refresh_after is not None else None
        with self._lock:
            self._sessions[(connection.host, connection.port)] = _NodeSession(session, refresh_at)
            self.logins += 1

    def needs_login(self, host: str, port: int) -> bool:
        """True when the node's session is unknown or due for refresh."""
        entry = self._sessions.get((host, port))
        if entry is None:
            return True
        return entry.refresh_at is not None and monotonic() >= entry.refresh_at

    def authenticate(self, connection: Connection, timeout: Optional[float]) -> None:
        """Make a new connection usable: present the node's token, or log in when there is no good one."""
        if self.needs_login(connection.host, connection.port):
            self.login(connection, timeout)
            return
        entry = self._sessions[(connection.host, connection.port)]
        if entry.session is None:
            return  # security is not enabled on that node
        try:
            connection.authenticate(self.credentials.user, entry.session, timeout)
        except exception.AerospikeError as error:
            if error.code not in _LOGIN_AGAIN or connection.closed:
                raise
            self.login(connection, timeout)

    def forget_sessions(self) -> None:
        """Drop every session (in a forked child: the parent's tokens are the parent's)."""
        self._lock = threading.Lock()
        self._sessions = {}

    def set_credentials(self, credentials: Credentials) -> None:
        """New credentials (after this user's password changed); sessions stay valid until they expire."""
        self.credentials = credentials


class Node:
    """One server node: `name` (node id), `host`, `port`, `address` ("host:port"), `pool`, `failures`."""

    __slots__ = ("name", "host", "port", "tls_name", "address", "pool", "failures", "record", "__weakref__")

    def __init__(
        self,
        record: NodeRecord,
        config: ClusterConfig,
        tls_context: Optional[ssl.SSLContext] = None,
        authenticator: Optional[Authenticator] = None,
    ) -> None:
        self.record = record
        self.name = record.name
        self.host = record.host
        self.port = record.port
        self.tls_name = record.tls_name
        self.address = format_address(record.host, record.port)
        self.failures = 0  # network errors of commands since the last success
        self.pool = ConnectionPool(
            record.host,
            record.port,
            config.max_conns_per_node,
            config.max_socket_idle,
            config.conn_timeout,
            tls_context,
            record.tls_name,
            _authenticated_factory(authenticator) if authenticator is not None else None,
        )

    def __repr__(self) -> str:
        return f"<Node {self.name} {self.address}>"

    def info(self, commands: Iterable[str], timeout: Optional[float] = None) -> dict[str, str]:
        """Send info `commands` on a pooled connection; return each command's value.

        `timeout` is seconds for the whole exchange (None: the pool's connect timeout bounds only connecting).
        """
        deadline = None if timeout is None else monotonic() + timeout
        connection = self.pool.checkout(timeout)
        remaining = None if deadline is None else max(deadline - monotonic(), 0.001)
        try:
            reply = connection.info(list(commands), remaining)
        except exception.AerospikeError:
            self.pool.discard(connection)
            self.failures += 1
            raise
        except BaseException:
            self.pool.discard(connection)
            raise
        self.pool.checkin(connection)
        self.failures = 0
        return reply

    def close(self) -> None:
        """Close the node's idle pooled connections; the node may not be used afterwards."""
        self.pool.close()
