"""Per-node, per-process connection pool: LIFO, bounded, idle reaping, fork-aware.

Owns: handing out connections to one node (reusing the most recently used one so warm sockets stay warm),
creating new ones up to `max_conns`, closing those idle longer than `max_idle`, and forgetting - without closing
or using - the sockets a forked child inherited from its parent. Must not know commands, policies or routing.
Handing out and taking back an idle connection takes no lock (deque.pop and append are atomic); the lock
guards the counter and the steps that take several connections at once (close, reap, stale ones); connecting
happens outside it.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from time import monotonic
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:
    import ssl
from . import exception
from .connection import HOLD_GIL_IN_FLIGHT, Connection

# Bumped in every forked child; a pool (or a connection, stamped at creation) made under another value belongs
# to an ancestor process.
_fork_generation = 0


def _after_fork_in_child() -> None:
    global _fork_generation
    _fork_generation += 1


os.register_at_fork(after_in_child=_after_fork_in_child)

ConnectionFactory = Callable[[str, int, Optional[float], Optional["ssl.SSLContext"], Optional[str]], Connection]


def _connect(
    host: str,
    port: int,
    timeout: Optional[float],
    tls_context: Optional[ssl.SSLContext],
    tls_name: Optional[str],
) -> Connection:
    return Connection(host, port, timeout, tls_context, tls_name)


def _drain(idle: deque[Connection], into: list[Connection]) -> None:
    """Move every connection of `idle` into `into`, one atomic popleft at a time: a lock-free checkout may pop
    from the other end meanwhile, so copying the deque and then clearing it could hand one connection both to
    a command and to whoever closes the drained ones."""
    while True:
        try:
            into.append(idle.popleft())
        except IndexError:
            return


class ConnectionPool:
    """Connections to one node for this process.

    `max_conns` bounds open connections (idle + checked out); `max_idle` seconds (0: never) ages idle ones out;
    `connect_timeout` seconds (0/None: no limit) bounds each new connection.
    """

    def __init__(
        self,
        node_host: str,
        node_port: int,
        max_conns: int,
        max_idle: float,
        connect_timeout: Optional[float],
        tls_context: Optional[ssl.SSLContext] = None,
        tls_name: Optional[str] = None,
        connection_factory: Optional[ConnectionFactory] = None,
    ) -> None:
        self.host = node_host
        self.port = node_port
        self.max_conns = max_conns
        self.max_idle = max_idle
        self.connect_timeout = connect_timeout or None
        self.tls_context = tls_context
        self.tls_name = tls_name
        self._factory = connection_factory or _connect  # security: a factory that also authenticates
        self._lock = threading.Lock()
        self._idle: deque[Connection] = deque()
        self._total = 0  # open connections owned by this pool: idle + checked out
        self._closed = False
        self.pid = os.getpid()
        self._generation = _fork_generation

    def __repr__(self) -> str:
        return f"<ConnectionPool {self.host}:{self.port} open={self._total} idle={len(self._idle)}>"

    @property
    def total(self) -> int:
        """Open connections owned by this pool (idle and checked out)."""
        return self._total

    @property
    def idle(self) -> int:
        return len(self._idle)

    def _forget_after_fork(self) -> None:
        # The parent still uses these sockets: drop the objects, never close or touch them.
        self._lock = threading.Lock()
        self._idle = deque()
        self._total = 0
        self.pid = os.getpid()
        self._generation = _fork_generation

    def checkout(self, timeout: Optional[float] = None) -> Connection:
        """A connection to the node: the most recently returned idle one, else a new one.

        `timeout` caps the connect time of a new connection (the command's remaining time).
        Raises NoMoreConnectionsError when `max_conns` are open, or the connection's own errors.
        """
        if self._generation != _fork_generation:
            self._forget_after_fork()
        max_idle = self.max_idle
        stale: tuple[Connection, ...] | list[Connection] = ()  # nothing allocated when an idle one is handed out
        popped: Optional[Connection] = None  # a stale connection the lock-free step took
        if not self._closed:
            # The common case without the lock: deque.pop is atomic, and an idle connection is counted in _total
            # whether idle or checked out. (A close() racing with it either drains the deque first, and the pop
            # finds it empty, or lets this command have the connection, which checkin then closes.)
            try:
                connection = self._idle.pop()
            except IndexError:
                pass
            else:
                if not max_idle or monotonic() - connection.last_used <= max_idle:
                    connection.hold_gil = self._total - len(self._idle) >= HOLD_GIL_IN_FLIGHT
                    return connection
                popped = connection
        with self._lock:
            if self._closed:
                if popped is not None:  # a stale one popped before the close: still counted, closed here
                    self._total -= 1
                    popped.close()
                # The node left the routing table after the command picked it: a retry routes anew.
                raise exception.ConnectionError(
                    exception.ConnectionError.code, f"pool of {self.host}:{self.port} is closed"
                )
            idle = self._idle
            if popped is None and idle:
                connection = idle.pop()
                if not max_idle or monotonic() - connection.last_used <= max_idle:
                    connection.hold_gil = self._total - len(idle) >= HOLD_GIL_IN_FLIGHT
                    return connection
                popped = connection
            if popped is not None:
                # The most recent one is stale, so every older one is too.
                stale = [popped]
                _drain(idle, stale)
                self._total -= len(stale)
            if self._total >= self.max_conns:
                full = True
            else:
                full = False
                self._total += 1
        for connection in stale:
            connection.close()
        if full:
            raise exception.NoMoreConnectionsError(
                exception.NoMoreConnectionsError.code,
                f"no more connections: {self.max_conns} open to {self.host}:{self.port}",
            )
        connect_timeout = self.connect_timeout
        if timeout is not None and (connect_timeout is None or timeout < connect_timeout):
            connect_timeout = timeout
        try:
            connection = self._factory(self.host, self.port, connect_timeout, self.tls_context, self.tls_name)
        except BaseException:
            with self._lock:
                self._total -= 1
            raise
        connection.pool_generation = self._generation
        connection.hold_gil = self._total - len(self._idle) >= HOLD_GIL_IN_FLIGHT
        return connection

    def adopt(self, connection: Connection) -> bool:
        """Take an open connection made elsewhere (a seed's validated tend connection) as an idle one of this
        pool; False, and the caller keeps it, when the pool is closed, full, or made in another process."""
        if connection.closed or self._generation != _fork_generation:
            return False
        with self._lock:
            if self._closed or self._total >= self.max_conns:
                return False
            self._total += 1
        connection.pool_generation = self._generation
        connection.last_used = monotonic()
        self._idle.append(connection)
        return True

    def checkin(self, connection: Connection) -> None:
        """Return a healthy connection for reuse (a closed one is discarded)."""
        if connection.pool_generation != _fork_generation:
            # Checked out in a parent before fork: not ours to keep or close.
            if self._generation != _fork_generation:
                self._forget_after_fork()
            return
        if connection.closed:
            self.discard(connection)
            return
        if not self._closed:
            self._idle.append(connection)  # atomic: no lock for the common case
            if not self._closed:
                return
            # close() ran meanwhile: it either drained the deque after the append (and closes this connection
            # itself), or before it, and the connection is still there for this call to take out and close.
            with self._lock:
                try:
                    self._idle.remove(connection)
                except ValueError:
                    return
                self._total -= 1
            connection.close()
            return
        with self._lock:
            self._total -= 1
        connection.close()

    def discard(self, connection: Connection) -> None:
        """Close a checked-out connection that must not be reused."""
        if connection.pool_generation != _fork_generation:
            if self._generation != _fork_generation:
                self._forget_after_fork()
            return
        connection.close()
        with self._lock:
            self._total -= 1

    def reap(self) -> int:
        """Close idle connections unused for more than `max_idle` seconds; return how many."""
        if self._generation != _fork_generation:
            self._forget_after_fork()
            return 0
        if not self.max_idle:
            return 0
        limit = monotonic() - self.max_idle
        stale: list[Connection] = []
        with self._lock:
            idle = self._idle
            # Oldest at the left: checkin appends, checkout pops from the right, both without the lock, so the
            # deque may empty (or the connection at its left change) between two of these steps.
            while True:
                try:
                    if idle[0].last_used >= limit:
                        break
                    stale.append(idle.popleft())
                except IndexError:
                    break
            self._total -= len(stale)
        for connection in stale:
            connection.close()
        return len(stale)

    def close(self) -> None:
        """Close every idle connection; connections checked out now are closed when returned."""
        if self._generation != _fork_generation:
            self._forget_after_fork()
            self._closed = True
            return
        idle: list[Connection] = []
        with self._lock:
            self._closed = True
            _drain(self._idle, idle)
            self._total -= len(idle)
        for connection in idle:
            connection.close()
