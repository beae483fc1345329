"""The local cluster: nodes, partition ownership, replication, migration, fault injection and request counts.

Owns: which live node masters and replicates each of the 4096 partitions of every namespace, moving data when nodes
join or leave (instant migration: every new owner copies the partition from a surviving previous holder),
synchronous replication of every write to the replica nodes, proxying of commands a node does not own, the
generations peers and partition maps are versioned by, the fault switches tests pull, and the optional security
state (users, roles, sessions; shared by all nodes) and server TLS context every node listens with. The sockets and framing
are `server.py`'s; the record semantics are `store.py`'s; the info answers are `info.py`'s.

Ownership is the server's idea in miniature: for each partition, live nodes are ordered by a hash of (node id,
partition id) and the first `replication_factor` of them hold it, the first being the master. The order depends
only on the node ids, so a node that restarts gets its partitions back, and the masters spread evenly.

Concurrency: all record data and the topology are guarded by one re-entrant lock. Commands from all connections
of all nodes take it for the time of one command (route, execute, replicate), and topology changes take it for the
whole migration, so no command sees a half-moved partition. One lock is no real loss under the GIL.
"""

from __future__ import annotations

import hashlib
import os
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

from aerospike.protocol.constants import (
    DIGEST_SIZE,
    FIELD_DIGEST,
    FIELD_NAMESPACE,
    INFO2_WRITE,
    N_PARTITIONS,
    RESULT_NAMESPACE_NOT_FOUND,
    RESULT_PARAMETER_ERROR,
)
from aerospike.protocol.message import Message

from . import batch, exp_ops, info, jobs, scan, sindex, truncate, udf
from .security import SecurityState

__all__ = ["ConnectionCounts", "LocalCluster", "NodeCounts", "Topology", "default_node_id", "error_frames"]
from .server import ConnectionCounts, NodeCounts, NodeServer, default_node_id
from .store import NamespaceStore, execute_single, partition_of

EDITIONS = ("community", "enterprise")
MAX_NAMESPACE_NAME = 31

# A handler of a multi-record command kind ("batch", "scan", "query"): it gets the cluster, the node that
# received the message, and the message; it yields whole reply frames, in order.
MessageHandler = Callable[["LocalCluster", NodeServer, Message], Iterable[bytes]]


def error_frames(result_code: int) -> list[bytes]:
    """The reply of a command refused as a whole: one message carrying `result_code`."""
    return [Message(result_code=result_code).encode()]


@dataclass(frozen=True)
class Topology:
    """Who holds what: an immutable value swapped in whole on every membership change."""

    live: tuple[int, ...]  # indexes of live nodes
    owners: tuple[tuple[int, ...], ...]  # per partition id: node indexes, master first
    bitmaps: dict[int, tuple[bytes, ...]]  # per live node: one bitmap per replica index


_EMPTY_TOPOLOGY = Topology((), tuple(() for _ in range(N_PARTITIONS)), {})


def _partition_scores(node_id: str) -> list[int]:
    """Per partition, this node's rank key; lower ranks first. Stable for a node id across restarts."""
    seed = hashlib.blake2b(node_id.encode("utf-8"), digest_size=16).digest()
    stream = hashlib.shake_128(seed).digest(N_PARTITIONS * 4)
    return [int.from_bytes(stream[i * 4 : i * 4 + 4], "big") for i in range(N_PARTITIONS)]


def _check_node_id(node_id: str) -> str:
    if not isinstance(node_id, str) or not node_id or any(c in node_id for c in ",;[]\t\n: "):
        raise ValueError(f"invalid node id {node_id!r}")
    return node_id


_TLS_KEYS = frozenset(("certfile", "keyfile", "cafile", "name"))


def _security_and_tls(
    security: Union[bool, SecurityState], tls: Optional[Mapping[str, Any]]
) -> tuple[Optional[SecurityState], Optional[ssl.SSLContext], str]:
    """The shared security state (None: security off), the server TLS context (None: plain TCP), the TLS name.

    `security=True` is a fresh secured server (user admin/admin with role user-admin); a `SecurityState` is
    used as given (custom session TTL, clock, users). `tls` is `{'certfile', 'keyfile', 'cafile', 'name'}`:
    the node's certificate chain and key, optionally a CA whose client certificates are then required (mutual
    TLS), and the TLS name peers lists announce.
    """
    if isinstance(security, SecurityState):
        state: Optional[SecurityState] = security
    elif security is True:
        state = SecurityState()
    elif security is False:
        state = None
    else:
        raise ValueError(f"security must be a bool or a SecurityState, not {security!r}")
    if tls is None:
        return state, None, ""
    unknown = set(tls) - _TLS_KEYS
    if unknown or not tls.get("certfile"):
        raise ValueError(f"tls needs a 'certfile' (and 'keyfile', 'cafile', 'name'); unknown keys {sorted(unknown)}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(tls["certfile"], tls.get("keyfile"))
        if tls.get("cafile"):
            context.load_verify_locations(cafile=tls["cafile"])
            context.verify_mode = ssl.CERT_REQUIRED
    except (OSError, ssl.SSLError) as error:
        raise ValueError(f"tls: cannot load certificates: {error}") from None
    return state, context, str(tls.get("name") or "")


class LocalCluster:
    """A wire-compatible Aerospike cluster on loopback; nodes are threads of this process.

    `with LocalCluster(nodes=3) as cluster:` starts it; `cluster.hosts` lists the node addresses.
    """

    def __init__(
        self,
        nodes: int = 3,
        replication_factor: int = 2,
        namespaces: Sequence[str] = ("test", "bar"),
        cluster_name: Optional[str] = None,
        node_ids: Optional[Sequence[str]] = None,
        edition: str = "community",
        port: int = 0,
        host: str = "127.0.0.1",
        partial_frame_timeout: float = 10.0,
        security: Union[bool, SecurityState] = False,
        tls: Optional[Mapping[str, Any]] = None,
    ) -> None:
        if not isinstance(nodes, int) or isinstance(nodes, bool) or nodes < 1:
            raise ValueError(f"nodes must be a positive integer, not {nodes!r}")
        if not isinstance(replication_factor, int) or isinstance(replication_factor, bool) or replication_factor < 1:
            raise ValueError(f"replication_factor must be a positive integer, not {replication_factor!r}")
        if isinstance(namespaces, str):
            namespaces = (namespaces,)
        namespaces = tuple(namespaces)
        if not namespaces or len(set(namespaces)) != len(namespaces):
            raise ValueError("namespaces must be a non-empty list of distinct names")
        for name in namespaces:
            if not isinstance(name, str) or not name or len(name) > MAX_NAMESPACE_NAME or any(
                c in name for c in ":;/\t\n"
            ):
                raise ValueError(f"invalid namespace name {name!r}")
        if edition not in EDITIONS:
            raise ValueError(f"edition must be one of {EDITIONS}, not {edition!r}")
        if not isinstance(port, int) or isinstance(port, bool) or port < 0 or port + nodes > 65536:
            raise ValueError(f"invalid port {port!r}")
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("the local cluster listens on loopback only")
        if cluster_name is not None and (not isinstance(cluster_name, str) or not cluster_name):
            raise ValueError(f"invalid cluster name {cluster_name!r}")
        if node_ids is not None:
            node_ids = [_check_node_id(node_id) for node_id in node_ids]
            if len(node_ids) != nodes or len(set(node_ids)) != nodes:
                raise ValueError("node_ids must give one distinct id per node")
        if partial_frame_timeout <= 0:
            raise ValueError("partial_frame_timeout must be positive")
        self.replication_factor = replication_factor
        self.namespaces = namespaces
        self.cluster_name = cluster_name
        self.edition = edition
        self.host = "127.0.0.1" if host == "localhost" else host
        self.base_port = port
        self.partial_frame_timeout = partial_frame_timeout
        self._initial_nodes = nodes
        self._initial_node_ids = list(node_ids) if node_ids is not None else None
        self._lock = threading.RLock()
        self._nodes: list[NodeServer] = []
        self._topology = _EMPTY_TOPOLOGY
        self._scores: dict[str, list[int]] = {}
        self._empty = {name: NamespaceStore(name, edition=edition) for name in namespaces}
        self._cluster_key = "000000000000"
        self._alumni: list[int] = []
        self._started = False
        self._started_at = time.monotonic()
        self.info_handlers: dict[str, info.InfoHandler] = dict(info.DEFAULT_HANDLERS)
        self.message_handlers: dict[str, MessageHandler] = {}
        for feature in (batch, scan, sindex, udf, jobs, truncate, exp_ops):
            feature.install(self)
        self.security, self.tls_context, self.tls_name = _security_and_tls(security, tls)
        if self.tls_context is not None:
            self.info_handlers["peers-tls-std"] = self._answer_peers_tls

    # ----- lifecycle -------------------------------------------------------------------------------------------

    def __enter__(self) -> LocalCluster:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> LocalCluster:
        """Start every node and form the cluster; returns once all nodes accept connections."""
        with self._lock:
            if self._started:
                raise RuntimeError("the cluster is already started")
            self._started = True
            try:
                if self._nodes:  # started before: every node comes back on its port, empty
                    for node in self._nodes:
                        node.listen()
                        node.stores = self._fresh_stores()
                else:
                    for index in range(self._initial_nodes):
                        node_id = self._initial_node_ids[index] if self._initial_node_ids else None
                        self._nodes.append(self._new_node(index, node_id))
                self._rebalance()
            except BaseException:
                self.stop()
                raise
        return self

    def stop(self) -> None:
        """Stop every node (clean close of all sockets)."""
        with self._lock:
            for node in self._nodes:
                node.close(abort=False)
                node.stores = {}
            self._topology = _EMPTY_TOPOLOGY
            self._started = False

    def _new_node(self, index: int, node_id: Optional[str]) -> NodeServer:
        port = self.base_port + index if self.base_port else 0
        node = NodeServer(self, index, self.host, port, node_id)
        node.listen()
        if node.node_id in (other.node_id for other in self._nodes):
            node.close(abort=False)
            raise ValueError(f"duplicate node id {node.node_id}")
        node.stores = self._fresh_stores()
        return node

    def _fresh_stores(self) -> dict[str, NamespaceStore]:
        return {name: NamespaceStore(name, edition=self.edition) for name in self.namespaces}

    # ----- public properties ---------------------------------------------------------------------------------

    @property
    def hosts(self) -> list[tuple[str, int]]:
        """(host, port) of every node, live or not, in node index order."""
        return [(node.host, node.port) for node in self._nodes]

    @property
    def nodes(self) -> list[NodeServer]:
        return list(self._nodes)

    @property
    def node_ids(self) -> list[str]:
        return [node.node_id for node in self._nodes]

    def live_nodes(self) -> list[int]:
        """Indexes of the nodes currently in the cluster."""
        return list(self._topology.live)

    def node(self, index: int) -> NodeServer:
        return self._node(index)

    def _node(self, index: int) -> NodeServer:
        if not isinstance(index, int) or not 0 <= index < len(self._nodes):
            raise IndexError(f"no node {index!r} (the cluster has {len(self._nodes)})")
        return self._nodes[index]

    # ----- membership and faults -----------------------------------------------------------------------------

    def stop_node(self, index: int) -> None:
        """Take node `index` out of the cluster and close its sockets cleanly (FIN)."""
        self._remove(index, abort=False)

    def kill_node(self, index: int) -> None:
        """Take node `index` out abruptly: its listener and client sockets are reset (RST), its data is lost."""
        self._remove(index, abort=True)

    def _remove(self, index: int, abort: bool) -> None:
        with self._lock:
            node = self._node(index)
            if not node.running:
                raise RuntimeError(f"node {index} is not running")
            node.running = False
            self._rebalance()
            node.stores = {}
            node.close(abort=abort)

    def start_node(self, index: int) -> None:
        """Restart a stopped or killed node on its port, with empty stores filled by migration."""
        with self._lock:
            node = self._node(index)
            if node.running:
                raise RuntimeError(f"node {index} is already running")
            node.listen()
            node.stores = self._fresh_stores()
            self._rebalance()

    def add_node(self, node_id: Optional[str] = None) -> int:
        """Start a new node that joins the cluster; returns its index."""
        with self._lock:
            if not self._started:
                raise RuntimeError("the cluster is not started")
            if node_id is not None:
                _check_node_id(node_id)
            index = len(self._nodes)
            if self.base_port and self.base_port + index > 65535:
                raise ValueError("no port left for another node")
            self._nodes.append(self._new_node(index, node_id))
            self._rebalance()
            return index

    def delay(self, index: int, seconds: float, info: bool = False) -> None:
        """Delay node `index`'s replies to messages (and to info and admin requests when `info`) by `seconds`."""
        if seconds < 0:
            raise ValueError("a delay cannot be negative")
        node = self._node(index)
        node.reply_delay = float(seconds)
        node.delay_info = info

    def fail(self, index: int, result_code: int) -> None:
        """Answer every message command node `index` receives with `result_code` (info still works)."""
        if not isinstance(result_code, int) or not 0 < result_code < 256:
            raise ValueError(f"result code must be in 1..255, not {result_code!r}")
        self._node(index).fail_code = result_code

    def reset_faults(self, index: Optional[int] = None) -> None:
        """Clear delays and failures of one node, or of all nodes."""
        for node in self._nodes if index is None else [self._node(index)]:
            node.reply_delay = 0.0
            node.delay_info = False
            node.fail_code = 0

    def request_counts(self) -> list[NodeCounts]:
        """A copy of what each node (by index) received since start or the last reset_counts()."""
        return [node.counts_snapshot() for node in self._nodes]

    def reset_counts(self) -> None:
        for node in self._nodes:
            node.reset_counts()

    # ----- partition map -------------------------------------------------------------------------------------

    def owners(self, partition_id: int) -> tuple[int, ...]:
        """Node indexes holding `partition_id`, master first."""
        return self._topology.owners[partition_id]

    def _scores_of(self, node_id: str) -> list[int]:
        scores = self._scores.get(node_id)
        if scores is None:
            scores = self._scores[node_id] = _partition_scores(node_id)
        return scores

    def _compute(self, live: tuple[int, ...]) -> Topology:
        replicas = min(self.replication_factor, len(live))
        if not live:
            return _EMPTY_TOPOLOGY
        ranked = [(self._scores_of(self._nodes[i].node_id), self._nodes[i].node_id, i) for i in live]
        owners = []
        for partition_id in range(N_PARTITIONS):
            order = sorted(ranked, key=lambda entry: (entry[0][partition_id], entry[1]))
            owners.append(tuple(entry[2] for entry in order[:replicas]))
        held: dict[int, list[set[int]]] = {i: [set() for _ in range(replicas)] for i in live}
        for partition_id, holders in enumerate(owners):
            for replica_index, node_index in enumerate(holders):
                held[node_index][replica_index].add(partition_id)
        bitmaps = {i: tuple(info.make_bitmap(sets) for sets in held[i]) for i in live}
        return Topology(live, tuple(owners), bitmaps)

    def _rebalance(self) -> None:
        """Recompute ownership over the running nodes, migrate, and bump every live node's generations."""
        live = tuple(node.index for node in self._nodes if node.running)
        old = self._topology
        new = self._compute(live)
        self._migrate(old, new)
        self._topology = new
        self._cluster_key = os.urandom(6).hex().upper()
        for index in live:
            if index not in self._alumni:
                self._alumni.append(index)
            node = self._nodes[index]
            node.partition_generation += 1
            node.peers_generation += 1
            node.cluster_generation += 1

    def _migrate(self, old: Topology, new: Topology) -> None:
        live = set(new.live)
        clears: list[tuple[int, int]] = []
        for partition_id in range(N_PARTITIONS):
            before = old.owners[partition_id]
            after = new.owners[partition_id]
            if before == after:
                continue
            sources = [i for i in before if i in live]
            for node_index in after:
                if node_index in before:
                    continue
                target = self._nodes[node_index].stores
                if sources:
                    source = self._nodes[sources[0]].stores
                    for name in self.namespaces:
                        target[name].copy_partition_from(source[name], partition_id)
            clears.extend((node_index, partition_id) for node_index in sources if node_index not in after)
        for node_index, partition_id in clears:
            stores = self._nodes[node_index].stores
            for name in self.namespaces:
                stores[name].copy_partition_from(self._empty[name], partition_id)

    # ----- commands ------------------------------------------------------------------------------------------

    def execute_single(self, node: NodeServer, message: Message) -> tuple[Message, bool]:
        """Run a single-record command received by `node`; returns the reply and whether it was proxied."""
        namespace_bytes = message.field(FIELD_NAMESPACE)
        digest = message.field(FIELD_DIGEST)
        if namespace_bytes is None or digest is None or len(digest) != DIGEST_SIZE:
            return Message(result_code=RESULT_PARAMETER_ERROR), False
        namespace = namespace_bytes.decode("utf-8", "replace")
        if namespace not in self._empty:
            return Message(result_code=RESULT_NAMESPACE_NOT_FOUND), False
        partition_id = partition_of(digest)
        is_write = bool(message.info2 & INFO2_WRITE)
        with self._lock:
            holders = self._topology.owners[partition_id]
            if not holders:
                return Message(result_code=RESULT_PARAMETER_ERROR), False
            if is_write or node.index not in holders:
                target = holders[0]
            else:
                target = node.index
            store = self._nodes[target].stores[namespace]
            now = time.time()
            reply = execute_single(store, message, now)
            if is_write and len(holders) > 1:
                # Synchronous replication of the one record the command touched.
                record = store.get(digest, now)
                for replica in holders[1:]:
                    replica_store = self._nodes[replica].stores[namespace]
                    if record is None:
                        replica_store.remove(digest)
                    else:
                        replica_store.put(digest, record)  # records are never mutated once stored
        return reply, target != node.index

    # ----- info ----------------------------------------------------------------------------------------------

    def node_state(self, node: NodeServer) -> info.NodeState:
        """The snapshot `info.answer` reads for `node`."""
        topology = self._topology
        peers = [
            info.Peer(self._nodes[i].node_id, self._nodes[i].host, self._nodes[i].port)
            for i in topology.live
            if i != node.index
        ]
        alumni = [(self._nodes[i].host, self._nodes[i].port) for i in self._alumni if i != node.index]
        principal = max((self._nodes[i].node_id for i in topology.live), default=node.node_id)
        return info.NodeState(
            node_id=node.node_id,
            host=node.host,
            port=node.port,
            edition=self.edition,
            cluster_name=self.cluster_name,
            cluster_key=self._cluster_key,
            cluster_size=len(topology.live),
            cluster_generation=node.cluster_generation,
            principal=principal,
            partition_generation=node.partition_generation,
            peers_generation=node.peers_generation,
            peers=peers,
            alumni=alumni,
            replication_factor=self.replication_factor,
            namespaces=node.stores,
            replica_bitmaps={name: topology.bitmaps.get(node.index, ()) for name in self.namespaces},
            uptime=int(time.monotonic() - self._started_at),
            client_connections=node.open_connections,
            client_connections_opened=node.connections_opened,
            client_connections_closed=node.connections_opened - node.open_connections,
            extras={"cluster": self, "node_index": node.index},
        )

    def _answer_peers_tls(self, state: info.NodeState, name: str, args: str) -> str:
        # Every listener speaks TLS, so the TLS peers list is the clear one with the TLS name filled in.
        entries = ",".join(
            f"[{peer.node_id},{self.tls_name},[{f'[{peer.host}]' if ':' in peer.host else peer.host}:{peer.port}]]"
            for peer in state.peers
        )
        return f"{state.peers_generation},{info.DEFAULT_SERVICE_PORT},[{entries}]"

    def answer_info(self, node: NodeServer, commands: Sequence[str]) -> list[tuple[str, str]]:
        with self._lock:
            return info.answer(self.node_state(node), commands, self.info_handlers)
