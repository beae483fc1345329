"""Cluster tending: from seeds to a ClusterSnapshot of nodes and partition owners.

Owns: seed validation (`node`, `partition-generation`, `build`, optional `cluster-name`), the per-node tend
connections (never from a command pool; with security, each logs in first and keeps the node's session fresh
through the Authenticator), peer discovery (`peers-generation`, `peers-clear-std`), partition maps
(`partition-generation`, `replicas` with regimes), removal of failed or departed nodes, and the parsers of those
info replies. Must not know command pools, routing tables or shared memory: its one product is `tend()`'s
immutable snapshot, which the cluster (or the shared-memory tender) publishes.
"""

from __future__ import annotations

import base64
import binascii
import threading
from array import array
from collections import namedtuple
from typing import TYPE_CHECKING, Optional

from . import exception
from ._log import get_logger
from .connection import Connection
from .node import Authenticator, format_address
from .protocol.errors import ProtocolError
from .protocol.info import parse_info_error
from .snapshot import EMPTY_SNAPSHOT, N_PARTITIONS, NO_NODE, ClusterSnapshot, NamespacePartitions, NodeRecord

if TYPE_CHECKING:
    import ssl

    from .cluster import ClusterConfig

log = get_logger("aerospike.tend")

#: Consecutive failed tends after which a node is removed.
MAX_TEND_FAILURES = 5
BITMAP_SIZE = N_PARTITIONS // 8
DEFAULT_PORT = 3000

_VALIDATE = ("node", "partition-generation", "build")
_REFRESH = ("node", "peers-generation", "partition-generation")
_REPLICAS = ("partition-generation", "replicas")
_SECURITY_REFUSALS = frozenset((80, 81))  # info answered "not authenticated" / "role violation"


# ---------------------------------------------------------------------------------------------------------------
# Parsers of tend info replies (pure).


# collections.namedtuple, not typing.NamedTuple: the same tuple class, made in a tenth of the time (typing checks
# and compiles every annotation), and this module is imported by every connect (docs/internals.md, "Startup").
class Peer(namedtuple("Peer", ("name", "tls_name", "addresses"))):
    """One entry of a `peers-*` reply: node id, TLS name (None if empty) and its addresses."""

    __slots__ = ()

    name: str
    tls_name: Optional[str]
    addresses: tuple[tuple[str, int], ...]


class PeersReply(namedtuple("PeersReply", ("generation", "default_port", "peers"))):
    __slots__ = ()

    generation: int
    default_port: int
    peers: tuple[Peer, ...]


class NamespaceReplicas(namedtuple("NamespaceReplicas", ("regime", "replica_count", "bitmaps"))):
    """One namespace of a `replicas` reply: regime, replica count and one 512-byte bitmap per replica."""

    __slots__ = ()

    regime: int
    replica_count: int
    bitmaps: tuple[bytes, ...]


class _Cursor:
    __slots__ = ("text", "position")

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def peek(self) -> str:
        return self.text[self.position : self.position + 1]

    def accept(self, char: str) -> bool:
        if self.text.startswith(char, self.position):
            self.position += len(char)
            return True
        return False

    def expect(self, char: str) -> None:
        if not self.accept(char):
            raise ProtocolError(f"peers reply: expected {char!r} at {self.position} in {self.text!r}")

    def until(self, stops: str) -> str:
        start = self.position
        text = self.text
        end = len(text)
        position = start
        while position < end and text[position] not in stops:
            position += 1
        self.position = position
        return text[start:position]

    def at_end(self) -> bool:
        return self.position >= len(self.text)


def _parse_port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ProtocolError(f"peers reply: bad port {text!r}")
    return int(text)


def _parse_address(cursor: _Cursor, default_port: int) -> tuple[str, int]:
    if cursor.accept("["):
        host = cursor.until("]")
        cursor.expect("]")
        port = _parse_port(cursor.until(",]")) if cursor.accept(":") else default_port
        return host, port
    token = cursor.until(",]")
    if not token:
        raise ProtocolError("peers reply: empty address")
    if token.count(":") == 1:
        host, _, port_text = token.partition(":")
        return host, _parse_port(port_text)
    return token, default_port


def _parse_peer(cursor: _Cursor, default_port: int) -> Peer:
    cursor.expect("[")
    name = cursor.until(",]")
    cursor.expect(",")
    tls_name = cursor.until(",]")
    cursor.expect(",")
    cursor.expect("[")
    addresses = []
    if not cursor.accept("]"):
        while True:
            addresses.append(_parse_address(cursor, default_port))
            if cursor.accept("]"):
                break
            cursor.expect(",")
    cursor.expect("]")
    if not name:
        raise ProtocolError("peers reply: empty node id")
    return Peer(name, tls_name or None, tuple(addresses))


def parse_peers(value: str) -> PeersReply:
    """Parse `<gen>,<default port>,[[<node id>,<tls name>,[<addr[:port]>,...]],...]` (IPv6 in brackets)."""
    parts = value.split(",", 2)
    if len(parts) != 3:
        raise ProtocolError(f"peers reply: {value!r}")
    generation_text, port_text, rest = parts
    if not generation_text.isdigit():
        raise ProtocolError(f"peers reply: bad generation {generation_text!r}")
    default_port = _parse_port(port_text) if port_text else DEFAULT_PORT
    cursor = _Cursor(rest)
    cursor.expect("[")
    peers = []
    if not cursor.accept("]"):
        while True:
            peers.append(_parse_peer(cursor, default_port))
            if cursor.accept("]"):
                break
            cursor.expect(",")
    if not cursor.at_end():
        raise ProtocolError(f"peers reply: trailing data in {value!r}")
    return PeersReply(int(generation_text), default_port, tuple(peers))


def parse_replicas(value: str) -> dict[str, NamespaceReplicas]:
    """Parse `<ns>:<regime>,<n_replicas>,<base64 bitmap>...;...` (the regime-less form too)."""
    result: dict[str, NamespaceReplicas] = {}
    for item in value.split(";"):
        if not item:
            continue
        namespace, separator, rest = item.partition(":")
        if not separator or not namespace:
            raise ProtocolError(f"replicas reply: bad entry {item[:64]!r}")
        parts = rest.split(",")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit() and len(parts) == int(parts[1]) + 2:
            regime, replica_count, encoded = int(parts[0]), int(parts[1]), parts[2:]
        elif parts and parts[0].isdigit() and len(parts) == int(parts[0]) + 1:
            regime, replica_count, encoded = 0, int(parts[0]), parts[1:]
        else:
            raise ProtocolError(f"replicas reply: bad entry for namespace {namespace!r}")
        bitmaps = []
        for text in encoded:
            try:
                bitmap = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError) as error:
                raise ProtocolError(f"replicas reply: bad base64 for namespace {namespace!r}") from error
            if len(bitmap) != BITMAP_SIZE:
                raise ProtocolError(
                    f"replicas reply: bitmap of {len(bitmap)} bytes for namespace {namespace!r}"
                )
            bitmaps.append(bitmap)
        result[namespace] = NamespaceReplicas(regime, replica_count, tuple(bitmaps))
    return result


def bitmap_partitions(bitmap: bytes) -> list[int]:
    """The partition ids whose bit is set: partition p is bit 0x80 >> (p & 7) of byte p >> 3."""
    return [p for p in range(N_PARTITIONS) if bitmap[p >> 3] & (0x80 >> (p & 7))]


# ---------------------------------------------------------------------------------------------------------------
# Tending state.


class _TendNode:
    """What the tender knows of one node, with its dedicated tend connection."""

    __slots__ = (
        "record",
        "connection",
        "failures",
        "active",
        "peers_generation",
        "partition_generation",
        "peers",
        "peers_known",
        "peers_stale",
        "partitions_stale",
        "added_in_tend",
        "prefetched",
    )

    def __init__(self, record: NodeRecord, connection: Optional[Connection]) -> None:
        self.record = record
        self.connection = connection
        self.failures = 0
        self.active = True
        self.peers_generation: Optional[int] = None
        self.partition_generation: Optional[int] = None
        self.peers: tuple[Peer, ...] = ()
        self.peers_known = False
        self.peers_stale = True
        self.partitions_stale = True
        self.added_in_tend = 0
        # Answers asked for with the validation request (peers, replicas), used by the same tend pass: a new node
        # costs one round trip instead of three.
        self.prefetched: Optional[dict[str, str]] = None

    @property
    def name(self) -> str:
        return self.record.name

    def drop_connection(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


_BITMAP_BYTES = N_PARTITIONS // 8
_ALL_CLAIMED = b"\xff" * _BITMAP_BYTES
_NONE_CLAIMED = bytes(_BITMAP_BYTES)


def _bit_string(bitmap: bytes) -> str:
    """The partitions of a replicas bitmap as a string of '0' and '1', partition 0 first."""
    return format(int.from_bytes(bitmap, "big"), f"0{N_PARTITIONS}b")


class _NamespaceMap:
    """Mutable partition owners (node names) and regimes of one namespace, private to the tender."""

    __slots__ = ("owners", "regimes", "top_regime", "uniform")

    def __init__(self, replica_count: int) -> None:
        self.owners: list[list[Optional[str]]] = [[None] * N_PARTITIONS for _ in range(replica_count)]
        self.regimes: list[int] = [0] * N_PARTITIONS
        self.top_regime = 0  # max(regimes), kept as a scalar: regimes only ever grow
        self.uniform = True  # every partition's regime is top_regime

    def resize(self, replica_count: int) -> None:
        owners = self.owners
        if replica_count < len(owners):
            del owners[replica_count:]
        while len(owners) < replica_count:
            owners.append([None] * N_PARTITIONS)

    def apply(self, node_name: str, replicas: NamespaceReplicas) -> bool:
        """Take `node_name`'s bitmaps; a partition's owner changes only when the regime is not stale."""
        changed = False
        regime = replicas.regime
        regimes = self.regimes
        for replica_index, bitmap in enumerate(replicas.bitmaps[: len(self.owners)]):
            owners = self.owners[replica_index]
            if regime >= self.top_regime:
                # No partition's regime is newer than this answer's (the usual case): whole-row passes that run
                # in C (list repetition, map() over the bits as a '0'/'1' string) instead of a bit test each.
                bitmap = bitmap[:_BITMAP_BYTES]
                # bits: None when the node claims every partition, "" when it claims none (a replica row beyond
                # a one-node cluster's), else one '0' or '1' per partition.
                bits = None if bitmap == _ALL_CLAIMED else "" if bitmap == _NONE_CLAIMED else _bit_string(bitmap)
                updated: list[Optional[str]]
                if bits is None:
                    updated = [node_name] * N_PARTITIONS
                elif not bits:
                    updated = [None if owner == node_name else owner for owner in owners] if node_name in owners else owners
                elif owners.count(None) == N_PARTITIONS:
                    updated = list(map({"1": node_name, "0": None}.__getitem__, bits))
                else:
                    updated = [node_name if bit == "1" else (None if owner == node_name else owner)
                               for bit, owner in zip(bits, owners)]
                if updated != owners:
                    owners[:] = updated
                    changed = True
                if bits is None:
                    if not (self.uniform and regime == self.top_regime):
                        regimes[:] = [regime] * N_PARTITIONS
                    self.uniform = True
                elif "1" not in bits:
                    continue  # claims nothing: no regime moves
                elif self.uniform and regime > self.top_regime:
                    regimes[:] = map({"1": regime, "0": self.top_regime}.__getitem__, bits)
                    self.uniform = False
                elif not self.uniform:
                    regimes[:] = [regime if bit == "1" and old < regime else old for bit, old in zip(bits, regimes)]
                    self.uniform = regimes.count(regime) == N_PARTITIONS
                self.top_regime = regime
                continue
            for partition_id in range(N_PARTITIONS):
                if bitmap[partition_id >> 3] & (0x80 >> (partition_id & 7)):
                    if regime >= regimes[partition_id]:
                        if regime > regimes[partition_id]:
                            regimes[partition_id] = regime
                        if owners[partition_id] != node_name:
                            owners[partition_id] = node_name
                            changed = True
                elif owners[partition_id] == node_name:
                    owners[partition_id] = None
                    changed = True
            self.uniform = regimes.count(self.top_regime) == N_PARTITIONS
        return changed

    def forget(self, node_name: str) -> bool:
        changed = False
        for owners in self.owners:
            for partition_id in range(N_PARTITIONS):
                if owners[partition_id] == node_name:
                    owners[partition_id] = None
                    changed = True
        return changed

    def owns_any(self, node_name: str) -> bool:
        return any(node_name in owners for owners in self.owners)


def _owner_indexes(row: list[Optional[str]], index: dict[Optional[str], int]) -> array:
    """The owner names of one replica row as indexes into the published node tuple (NO_NODE for None or a name
    no longer published)."""
    first = row[0]
    if row.count(first) == N_PARTITIONS:  # one owner for every partition (a one-node cluster)
        return array("h", [index.get(first, NO_NODE)]) * N_PARTITIONS
    try:
        return array("h", list(map(index.__getitem__, row)))  # every name known: map runs in C
    except KeyError:
        return array("h", [index.get(name, NO_NODE) for name in row])


class Tender:
    """Tends one cluster: `tend()` returns the current ClusterSnapshot (the same object when nothing changed)."""

    def __init__(
        self,
        config: ClusterConfig,
        tls_context: Optional[ssl.SSLContext] = None,
        authenticator: Optional[Authenticator] = None,
    ) -> None:
        self.config = config
        self.tls_context = tls_context
        self.authenticator = authenticator
        # A seed refused us for security reasons (bad credentials, not authenticated): connect() raises it as is.
        self.auth_error: Optional[exception.AerospikeError] = None
        self._timeout = config.conn_timeout or None
        self._peers_command = "peers-tls-std" if tls_context is not None else "peers-clear-std"
        self._prefetch = (self._peers_command, "replicas")
        self._validate_commands = (
            _VALIDATE + (("cluster-name",) if config.cluster_name else ()) + self._prefetch
        )
        self._nodes: dict[str, _TendNode] = {}
        self._maps: dict[str, _NamespaceMap] = {}
        self._snapshot = EMPTY_SNAPSHOT
        self._lock = threading.Lock()
        self.seed_errors: list[str] = []
        self.seed_error_code: Optional[int] = None  # the last seed failure's result code
        self.tend_count = 0

    @property
    def snapshot(self) -> ClusterSnapshot:
        return self._snapshot

    def seed_failure_message(self) -> str:
        """Why no seed could be used, naming every seed (for connect's error)."""
        seeds = ", ".join(format_address(host, port) for host, port, _ in self.config.seeds)
        details = "; ".join(self.seed_errors) if self.seed_errors else "no node answered"
        return f"Failed to connect to any seed host ({seeds}): {details}"

    def connect_failure(self) -> exception.AerospikeError:
        """connect()'s error when no seed could be used, as 3.0.0 gives it: the C client 4.3.1 says
        'Failed to connect' with the last seed failure's code (a refused login keeps its own) and logs why each
        seed failed; the details go to the log here too."""
        log.warning("%s", self.seed_failure_message())
        code = self.seed_error_code
        refusal = self.auth_error
        if isinstance(refusal, exception.TLSError):
            # 4.3.1 reports a failed handshake as a refused connection; the TLS error says more and is kept.
            return refusal
        if refusal is not None and refusal.code is not None:
            code = refusal.code
        return exception.error_for_code(code or -1, "Failed to connect")  # -1: AEROSPIKE_ERR_CLIENT

    # -- the tend pass -------------------------------------------------------------------------------------------

    def tend(self) -> ClusterSnapshot:
        """One tend pass: seed if needed, refresh nodes, peers and partition maps; return the snapshot."""
        with self._lock:
            changed = False
            self.tend_count += 1
            if not self._nodes:
                changed |= self._seed()
            for node in list(self._nodes.values()):
                if node.added_in_tend != self.tend_count:  # a node validated just now needs no refresh
                    self._refresh(node)
            changed |= self._refresh_peers()
            for node in list(self._nodes.values()):
                if node.partitions_stale and node.active and node.failures == 0:
                    changed |= self._refresh_partitions(node)
            changed |= self._remove_nodes()
            for node in self._nodes.values():
                node.prefetched = None  # answers of this pass only
            if changed:
                self._publish()
            return self._snapshot

    def _connect(self, host: str, port: int, tls_name: Optional[str]) -> Connection:
        return Connection(host, port, self._timeout, self.tls_context, tls_name)

    def _open(self, host: str, port: int, tls_name: Optional[str]) -> Connection:
        """A new tend connection, logged in first when the client has credentials (as the official one does)."""
        connection = self._connect(host, port, tls_name)
        if self.authenticator is not None:
            try:
                self.authenticator.login(connection, self._timeout)
            except BaseException:
                connection.close()
                raise
        return connection

    def _validate(self, host: str, port: int, tls_name: Optional[str], expected: Optional[str]) -> _TendNode:
        """Connect to host:port and check it is a node of this cluster (and `expected` if given)."""
        address = format_address(host, port)
        connection = self._open(host, port, tls_name)
        try:
            info = connection.info(self._validate_commands, self._timeout)
            name = info.get("node", "")
            refusal = parse_info_error(name)
            if refusal is not None and refusal[0] in _SECURITY_REFUSALS:
                raise exception.error_for_code(refusal[0], refusal[1])
            if not name or refusal is not None:
                raise exception.InvalidNodeError(
                    exception.InvalidNodeError.code, f"{address}: invalid node id {name!r}"
                )
            if expected is not None and name != expected:
                raise exception.InvalidNodeError(
                    exception.InvalidNodeError.code,
                    f"{address}: node id {name} where {expected} was expected",
                )
            cluster_name = self.config.cluster_name
            if cluster_name and info.get("cluster-name") != cluster_name:
                raise exception.ClientError(
                    exception.ClientError.code,
                    f"{address}: node {name} is in cluster {info.get('cluster-name')!r}, not {cluster_name!r}",
                )
            int(info.get("partition-generation", ""))
        except ValueError:
            connection.close()
            raise exception.ClientError(
                exception.ClientError.code, f"{address}: bad partition-generation"
            ) from None
        except BaseException:
            connection.close()
            raise
        node = _TendNode(NodeRecord(name, host, port, tls_name), connection)
        node.prefetched = {
            command: info[command] for command in self._prefetch + ("partition-generation",) if command in info
        }
        return node

    def _add(self, node: _TendNode) -> None:
        log.info("node %s added at %s", node.name, format_address(node.record.host, node.record.port))
        node.added_in_tend = self.tend_count
        self._nodes[node.name] = node

    def _seed(self) -> bool:
        errors = []
        added = False
        self.auth_error = None
        self.seed_error_code = None
        for host, port, tls_name in self.config.seeds:
            try:
                node = self._validate(host, port, tls_name, None)
            except exception.AerospikeError as error:
                errors.append(f"{format_address(host, port)}: {error.msg}")
                self.seed_error_code = error.code
                if isinstance(error, (exception.AdminError, exception.TLSError)):
                    self.auth_error = error
                continue
            if node.name in self._nodes:
                node.drop_connection()
                continue
            self._add(node)
            added = True
        self.seed_errors = errors
        if errors:
            log.debug("seed errors: %s", "; ".join(errors))
        return added

    def _info(self, node: _TendNode, commands: tuple[str, ...]) -> dict[str, str]:
        prefetched = node.prefetched
        if prefetched and all(command in prefetched for command in commands):
            return {command: prefetched.pop(command) for command in commands}
        record = node.record
        if node.connection is None or node.connection.closed:
            node.connection = self._open(record.host, record.port, record.tls_name)
        elif self.authenticator is not None and self.authenticator.needs_login(record.host, record.port):
            # The session is about to expire: a new token for the pools' new connections, on this connection.
            try:
                self.authenticator.login(node.connection, self._timeout)
            except BaseException:
                node.drop_connection()
                raise
        try:
            return node.connection.info(commands, self._timeout)
        except BaseException:
            node.drop_connection()
            raise

    def _fail(self, node: _TendNode, error: BaseException) -> None:
        node.failures += 1
        node.drop_connection()
        log.debug("tend of node %s failed (%d in a row): %s", node.name, node.failures, error)

    def _refresh(self, node: _TendNode) -> None:
        try:
            info = self._info(node, _REFRESH)
            name = info.get("node")
            peers_generation = int(info.get("peers-generation", ""))
            partition_generation = int(info.get("partition-generation", ""))
        except (exception.AerospikeError, ValueError) as error:
            self._fail(node, error)
            return
        if name != node.name:
            log.warning("address %s now answers as node %r, not %s", node.record.host, name, node.name)
            node.active = False
            node.drop_connection()
            return
        node.failures = 0
        if peers_generation != node.peers_generation:
            node.peers_stale = True
        if partition_generation != node.partition_generation:
            node.partitions_stale = True

    def _refresh_peers(self) -> bool:
        changed = False
        for node in list(self._nodes.values()):
            if not (node.peers_stale and node.active and node.failures == 0):
                continue
            try:
                info = self._info(node, (self._peers_command,))
                value = info.get(self._peers_command, "")
                if parse_info_error(value) is not None:
                    raise ProtocolError(f"{self._peers_command}: {value}")
                reply = parse_peers(value)
            except (exception.AerospikeError, ProtocolError) as error:
                self._fail(node, error)
                continue
            node.peers = reply.peers
            node.peers_known = True
            node.peers_stale = False
            node.peers_generation = reply.generation
        # Peers named by a healthy node but not yet known (new, or failed validation before): add them.
        for node in list(self._nodes.values()):
            if not (node.active and node.failures == 0):
                continue
            for peer in node.peers:
                if peer.name in self._nodes:
                    continue
                added = self._add_peer(peer)
                changed |= added
                if not added:
                    # Ask this node's peers again next time, as the official clients do.
                    node.peers_generation = None
        return changed

    def _add_peer(self, peer: Peer) -> bool:
        for host, port in peer.addresses:
            try:
                new_node = self._validate(host, port, peer.tls_name, peer.name)
            except exception.AerospikeError as error:
                log.debug("peer %s at %s: %s", peer.name, format_address(host, port), error.msg)
                continue
            self._add(new_node)
            return True
        return False

    def _referenced(self) -> Optional[set[str]]:
        """Names listed by the peers of healthy nodes, or None unless every healthy node's peers are known."""
        referenced: set[str] = set()
        healthy = 0
        for node in self._nodes.values():
            if node.active and node.failures == 0:
                if not node.peers_known:
                    return None
                healthy += 1
                referenced.update(peer.name for peer in node.peers)
        return referenced if healthy else None

    def _remove_nodes(self) -> bool:
        nodes = self._nodes
        referenced = self._referenced()
        removals = []
        for node in nodes.values():
            if not node.active:
                removals.append((node, "its address answers with another node id"))
            elif node.failures >= MAX_TEND_FAILURES:
                removals.append((node, f"{node.failures} failed tends in a row"))
            elif len(nodes) > 1 and referenced is not None and node.name not in referenced:
                if node.failures:
                    removals.append((node, "it failed and left the peers lists"))
                elif node.partition_generation is not None and not any(
                    m.owns_any(node.name) for m in self._maps.values()
                ):
                    removals.append((node, "no peer lists it and it owns no partitions"))
        for node, reason in removals:
            log.info("node %s removed: %s", node.name, reason)
            node.drop_connection()
            del nodes[node.name]
            for namespace_map in self._maps.values():
                namespace_map.forget(node.name)
        return bool(removals)

    def _refresh_partitions(self, node: _TendNode) -> bool:
        try:
            info = self._info(node, _REPLICAS)
            generation = int(info.get("partition-generation", ""))
            value = info.get("replicas", "")
            if parse_info_error(value) is not None:
                raise ProtocolError(f"replicas: {value}")
            replicas = parse_replicas(value)
        except (exception.AerospikeError, ProtocolError, ValueError) as error:
            self._fail(node, error)
            return False
        changed = False
        for namespace, entry in replicas.items():
            namespace_map = self._maps.get(namespace)
            if namespace_map is None:
                namespace_map = self._maps[namespace] = _NamespaceMap(entry.replica_count)
                changed = True
            elif entry.replica_count > len(namespace_map.owners):
                namespace_map.resize(entry.replica_count)
                changed = True
            changed |= namespace_map.apply(node.name, entry)
        node.partition_generation = generation
        node.partitions_stale = False
        return changed

    def _publish(self) -> None:
        records = tuple(node.record for node in self._nodes.values())
        index: dict[Optional[str], int] = {record.name: position for position, record in enumerate(records)}
        index[None] = NO_NODE
        namespaces: dict[str, NamespacePartitions] = {}
        for namespace, namespace_map in self._maps.items():
            owners = tuple(_owner_indexes(row, index) for row in namespace_map.owners)
            # One regime everywhere (the usual case): a repeated array, not 4,096 ints converted one by one.
            regimes = (
                array("I", (namespace_map.top_regime,)) * N_PARTITIONS
                if namespace_map.uniform
                else array("I", namespace_map.regimes)
            )
            namespaces[namespace] = NamespacePartitions(len(owners), owners, regimes)
        self._snapshot = ClusterSnapshot(self._snapshot.generation + 1, records, namespaces)

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def node_names(self) -> list[str]:
        return list(self._nodes)

    def release_connections(self) -> list[tuple[str, Connection]]:
        """Give up each node's open tend connection (to serve commands: see LocalTending.start); the next tend
        pass opens new ones."""
        released = []
        with self._lock:
            for node in self._nodes.values():
                connection = node.connection
                if connection is not None and not connection.closed:
                    node.connection = None
                    released.append((node.name, connection))
        return released

    def after_fork_in_child(self) -> None:
        """Forget (never close) tend connections inherited from the parent; the maps stay valid."""
        self._lock = threading.Lock()
        for node in self._nodes.values():
            node.connection = None

    def close(self) -> None:
        """Close every tend connection."""
        with self._lock:
            for node in self._nodes.values():
                node.drop_connection()
