"""A cluster node as this process sees it: its name, address, connection pool and failure count.

Owns the per-process state of one server node (its ConnectionPool) and info requests on pooled connections.
Must not know routing or tending: the cluster creates a Node the first time a snapshot names it and keeps it
while the node is present.
"""

from __future__ import annotations

import ssl
from time import monotonic
from typing import TYPE_CHECKING, Iterable, Optional

from . import exception
from .pool import ConnectionPool
from .snapshot import NodeRecord

if TYPE_CHECKING:
    from .cluster import ClusterConfig


def format_address(host: str, port: int) -> str:
    """`host:port`, with an IPv6 host in brackets."""
    if ":" in host:
        return f"[{host}]:{port}"
    return f"{host}:{port}"


class Node:
    """One server node: `name` (node id), `host`, `port`, `address` ("host:port"), `pool`, `failures`."""

    __slots__ = ("name", "host", "port", "tls_name", "address", "pool", "failures", "record", "__weakref__")

    def __init__(
        self, record: NodeRecord, config: ClusterConfig, tls_context: Optional[ssl.SSLContext] = None
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
