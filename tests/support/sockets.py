"""A real loopback connection for unit tests of aerospike.connection.Connection."""

from __future__ import annotations

import socket

from aerospike.connection import Connection


def connected_pair(timeout: float = 2.0) -> tuple[Connection, socket.socket]:
    """(a Connection to a loopback listener, the listener's accepted end of it)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    conn = Connection("127.0.0.1", listener.getsockname()[1], timeout)
    server, _ = listener.accept()
    listener.close()
    return conn, server
