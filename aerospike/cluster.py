"""The cluster view of one process: config, node registry, routing table and the tend thread.

Owns: turning ClusterSnapshots (from the local Tender, or from the shared-memory reader through the strategy
seam) into this process's Node objects and a routing table swapped in with one assignment; the tend thread;
fork safety (a forked child drops inherited sockets, pools and thread, and rebuilds them on first use).
Must not know commands or the wire format of tending (tend.py) or of shared memory (aerospike/shm/).
"""

from __future__ import annotations

import _thread
import os
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Protocol, Sequence

from . import exception
from ._frozen import Frozen
from ._log import get_logger
from .node import Authenticator, Node, format_address
from .snapshot import EMPTY_SNAPSHOT, ClusterSnapshot, NodeRecord
from .tend import Tender

if TYPE_CHECKING:
    from .connection import Connection
    from .shm.config import ShmConfig

log = get_logger("aerospike.cluster")


class ClusterConfig(Frozen):
    """What tending and pooling need from the client config (times in seconds)."""

    __slots__ = _fields = (
        "seeds", "cluster_name", "tend_interval", "conn_timeout", "max_conns_per_node", "max_socket_idle", "user",
        "password", "tls", "shm", "shm_key", "fail_if_not_connected",
    )
    _defaults = {
        "cluster_name": None, "tend_interval": 1.0, "conn_timeout": 1.0, "max_conns_per_node": 300,
        "max_socket_idle": 0.0, "user": None, "password": None, "tls": None, "shm": None, "shm_key": None,
        "fail_if_not_connected": True,
    }
    _hidden = frozenset(("password",))
    seeds: tuple[tuple[str, int, Optional[str]], ...]
    cluster_name: Optional[str]
    tend_interval: float
    conn_timeout: float
    max_conns_per_node: int
    max_socket_idle: float
    user: Optional[str]
    password: Optional[str]
    tls: Optional[Mapping[str, Any]]
    shm: Optional[ShmConfig]
    shm_key: Optional[int]
    fail_if_not_connected: bool


class TendStrategy(Protocol):
    """How the cluster's view is kept current: tend locally, or read/tend a shared-memory segment."""

    def start(self) -> None: ...

    def step(self) -> None: ...

    def close(self) -> None: ...

    def after_fork_in_child(self) -> None: ...


class LocalTending:
    """The default strategy: this process tends the cluster itself."""

    def __init__(self, cluster: Cluster, tender: Tender) -> None:
        self.cluster = cluster
        self.tender = tender

    def start(self) -> None:
        snapshot = self.tender.tend()
        if not snapshot.nodes and self.cluster.config.fail_if_not_connected:
            raise self.tender.connect_failure()
        self.cluster.apply_snapshot(snapshot)
        # The seeds' validated connections serve the first commands, which then need no connect of their own
        # (a TCP handshake and the server's first read on a new socket); the tend thread opens new tend
        # connections at its next pass.
        self.cluster.adopt_connections(self.tender.release_connections())

    def step(self) -> None:
        self.cluster.apply_snapshot(self.tender.tend())

    def close(self) -> None:
        self.tender.close()

    def after_fork_in_child(self) -> None:
        self.tender.after_fork_in_child()


class _Routing:
    """One immutable routing state: the snapshot, its nodes and per-namespace owner lists of Node objects."""

    __slots__ = ("snapshot", "nodes", "table")

    def __init__(
        self, snapshot: ClusterSnapshot, nodes: tuple[Node, ...], table: dict[str, tuple[list, ...]]
    ) -> None:
        self.snapshot = snapshot
        self.nodes = nodes
        self.table = table


_EMPTY_ROUTING = _Routing(EMPTY_SNAPSHOT, (), {})


class _TendThread:
    """The tend loop's thread: `_thread.start_new_thread`, not `threading.Thread`, whose start() waits until the
    new thread has run (a scheduler round trip inside every connect: 0.1 ms idle, milliseconds on a busy host).
    Daemon like the Thread it replaces; `join` and `is_alive` as Thread's."""

    __slots__ = ("_running", "ident")

    def __init__(self, target: Callable[..., None], args: tuple) -> None:
        self._running = _thread.allocate_lock()
        self._running.acquire()
        self.ident: Optional[int] = None
        _thread.start_new_thread(self._main, (target, args))

    def _main(self, target: Callable[..., None], args: tuple) -> None:
        self.ident = _thread.get_ident()
        try:
            target(*args)
        finally:
            self._running.release()

    def is_alive(self) -> bool:
        return self._running.locked()

    def join(self, timeout: float) -> None:
        if self._running.acquire(timeout=timeout):
            self._running.release()


def _forked_child_hook(reference: weakref.ref) -> Callable[[], None]:
    def hook() -> None:
        cluster = reference()
        if cluster is not None:
            cluster._mark_forked()

    return hook


class Cluster:
    """This process's view of one Aerospike cluster."""

    def __init__(
        self, config: ClusterConfig, strategy_factory: Optional[Callable[[Cluster], Any]] = None
    ) -> None:
        # Security: the password is hashed here (Credentials) and the clear one is not kept.
        self.authenticator: Optional[Authenticator] = None
        if config.user:
            from .admin import Credentials  # security (bcrypt) is loaded only by clients that log in

            self.authenticator = Authenticator(Credentials(config.user, config.password or ""))
        if config.password is not None:
            config = config.replace(password=None)
        self.config = config
        self._tls_context = None
        if config.tls and config.tls.get("enable"):
            from .tls import make_tls_context  # ssl is imported only by programs that use TLS

            self._tls_context = make_tls_context(config.tls)
        self.tender = Tender(config, self._tls_context, self.authenticator)
        self._strategy_factory = strategy_factory
        self._strategy: Any = None
        self._routing = _EMPTY_ROUTING
        # node_for's table: the same dict as _routing.table, read without an attribute hop.
        self._table: dict[str, tuple[list, ...]] = {}
        self._registry: dict[str, Node] = {}  # one Node per node name, kept while present
        self._registry_lock = threading.Lock()
        # Called at the start of node_for when set: the strategy's poll(), or the post-fork rebuild.
        self._check: Optional[Callable[[], None]] = None
        self._thread: Optional[_TendThread] = None
        self._stop = threading.Event()
        self._connected = False
        self._closed = False
        self._forked = False  # set in a forked child until the first use rebuilds thread and sockets
        self._round_robin = 0
        os.register_at_fork(after_in_child=_forked_child_hook(weakref.ref(self)))

    def __repr__(self) -> str:
        seeds = ", ".join(format_address(host, port) for host, port, _ in self.config.seeds)
        return f"<Cluster seeds=[{seeds}] nodes={len(self._routing.nodes)} connected={self._connected}>"

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def connect(self) -> None:
        """Validate seeds, tend once synchronously, then tend every `tend_interval` in a daemon thread."""
        if self._connected:
            return
        if self._closed:
            raise exception.ClientError(exception.ClientError.code, "the cluster was closed")
        strategy = (
            self._strategy_factory(self)
            if self._strategy_factory is not None
            else LocalTending(self, self.tender)
        )
        strategy.start()
        self._strategy = strategy
        self._check = getattr(strategy, "poll", None)
        self._connected = True
        self._start_thread()

    def _start_thread(self) -> None:
        self._stop = threading.Event()
        self._thread = _TendThread(self._run, (weakref.ref(self), self._stop))

    @staticmethod
    def _run(reference: weakref.ref, stop: threading.Event) -> None:
        # Holds the cluster only while stepping, so an abandoned cluster can be collected.
        while True:
            cluster = reference()
            if cluster is None:
                return
            interval = cluster.config.tend_interval
            del cluster
            if stop.wait(interval):
                return
            cluster = reference()
            if cluster is None or stop.is_set():
                return
            try:
                cluster._tend_step()
            except Exception:
                log.exception("cluster tend failed")
            del cluster

    def _tend_step(self) -> None:
        self._strategy.step()
        for node in self._routing.nodes:
            node.pool.reap()

    def close(self) -> None:
        """Stop tending and close every connection this process owns."""
        if self._closed:
            return
        self._closed = True
        self._connected = False
        self._stop.set()
        thread = self._thread
        if thread is not None and thread.ident != _thread.get_ident():
            thread.join(timeout=max(self.config.conn_timeout * 2, 1.0) + self.config.tend_interval)
        self._thread = None
        if self._strategy is not None:
            self._strategy.close()
        else:
            self.tender.close()
        with self._registry_lock:
            nodes = list(self._registry.values())
            self._registry.clear()
        for node in nodes:
            node.close()
        self._routing = _EMPTY_ROUTING
        self._table = {}

    def is_connected(self) -> bool:
        """True after connect() while the cluster is open and knows at least one node."""
        if self._check is not None and self._connected:
            self._check()
        return self._connected and bool(self._routing.nodes)

    # -- fork safety ---------------------------------------------------------------------------------------------

    def _mark_forked(self) -> None:
        # Runs in the child right after fork: no I/O, no threads; drop what the parent owns.
        self._thread = None
        self._stop = threading.Event()
        self._registry_lock = threading.Lock()
        # A tend pass may have held the tender's lock at the fork: the child's copy would stay held forever.
        self.tender.after_fork_in_child()
        if self.authenticator is not None:
            self.authenticator.forget_sessions()  # session tokens are per process
        if self._connected:
            self._forked = True
            self._check = self._rebuild_after_fork

    def _rebuild_after_fork(self) -> None:
        with self._registry_lock:
            if not self._forked:
                return
            self._forked = False
            strategy = self._strategy
            self._check = getattr(strategy, "poll", None)
        # Pools reset themselves in a child (pool.py); the strategy forgets its inherited tend sockets.
        strategy.after_fork_in_child()
        if self._connected and not self._closed:
            self._start_thread()
        if self._check is not None:
            self._check()

    def _ensure_current(self) -> None:
        if self._check is not None:
            self._check()

    # -- snapshots and routing -----------------------------------------------------------------------------------

    def apply_snapshot(self, snapshot: ClusterSnapshot) -> None:
        """Resolve the snapshot's nodes to this process's Node objects and swap the routing table in."""
        if snapshot is self._routing.snapshot or self._closed:
            return
        with self._registry_lock:
            registry = self._registry
            removed: list[Node] = []  # closed only after the swap, so no command routes to a closed pool
            nodes = tuple(self._node_for_record(record, removed) for record in snapshot.nodes)
            present = {record.name for record in snapshot.nodes}
            gone = [name for name in registry if name not in present]
            removed.extend(registry.pop(name) for name in gone)
        table: dict[str, tuple[list, ...]] = {}
        by_index = [*nodes, None]  # NO_NODE (-1) picks the None at the end
        pick = by_index.__getitem__
        for namespace, partitions in snapshot.namespaces.items():
            # A row with one owner (a one-node cluster) is a repeated list; `owners[:1] * n == owners` compares the
            # arrays' memory, where array.count would box each of the 4,096 owners.
            table[namespace] = tuple(
                [pick(owners[0])] * len(owners) if owners[:1] * len(owners) == owners else list(map(pick, owners))
                for owners in partitions.owners
            )
        routing = _Routing(snapshot, nodes, table)
        self._routing = routing
        self._table = table
        for node in removed:
            log.debug("closing pool of departed node %s", node.name)
            node.close()

    def adopt_connections(self, connections: list[tuple[str, Connection]]) -> None:
        """Hand open connections to the pools of the named nodes; close those no pool takes."""
        for name, connection in connections:
            node = self._registry.get(name)
            if node is None or (node.host, node.port) != (connection.host, connection.port) or not (
                node.pool.adopt(connection)
            ):
                connection.close()

    def _node_for_record(self, record: NodeRecord, replaced: list[Node]) -> Node:
        node = self._registry.get(record.name)
        if node is not None and (node.host, node.port) != (record.host, record.port):
            # Same name at a new address: a fresh pool for the new address; the old one closes after the swap.
            replaced.append(node)
            node = None
        if node is None:
            node = Node(record, self.config, self._tls_context, self.authenticator)
            self._registry[record.name] = node
        return node

    @property
    def snapshot(self) -> ClusterSnapshot:
        return self._routing.snapshot

    def node_for(self, namespace: str, partition_id: int, replica_index: int) -> Optional[Node]:
        """The node holding `replica_index` of the partition, or None (unknown namespace or unowned)."""
        if self._check is not None:
            self._check()
        rows = self._table.get(namespace)
        if rows is None or replica_index >= len(rows):
            return None
        return rows[replica_index][partition_id]

    def partition_row(self, namespace: str, replica_index: int) -> Optional[Sequence[Optional[Node]]]:
        """The node of each partition id for `replica_index` of the namespace (node_for's row: one lookup for a
        whole batch), or None (unknown namespace or no such replica)."""
        if self._check is not None:
            self._check()
        rows = self._table.get(namespace)
        if rows is None or replica_index >= len(rows):
            return None
        return rows[replica_index]

    def replica_count(self, namespace: str) -> int:
        """How many replicas of `namespace` the partition map holds (0 for an unknown namespace)."""
        self._ensure_current()
        rows = self._table.get(namespace)
        return 0 if rows is None else len(rows)

    def has_namespace(self, namespace: str) -> bool:
        self._ensure_current()
        return namespace in self._table

    def namespaces(self) -> list[str]:
        self._ensure_current()
        return list(self._table)

    def nodes(self) -> list[Node]:
        """The nodes currently in the cluster."""
        self._ensure_current()
        return list(self._routing.nodes)

    def get_node(self, name: str) -> Node:
        """The node named `name`; InvalidNodeError when the cluster has no such node."""
        self._ensure_current()
        for node in self._routing.nodes:
            if node.name == name:
                return node
        raise exception.InvalidNodeError(exception.InvalidNodeError.code, f"Invalid node: {name}")

    def random_node(self) -> Node:
        """A node of the cluster, round robin; InvalidNodeError when the cluster has none."""
        self._ensure_current()
        nodes = self._routing.nodes
        if not nodes:
            raise exception.InvalidNodeError(
                exception.InvalidNodeError.code, "Cluster is empty: no node available"
            )
        self._round_robin = index = (self._round_robin + 1) % len(nodes)
        return nodes[index]
