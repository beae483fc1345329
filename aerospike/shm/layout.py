"""Byte layout of the shared-memory segment: header, node slots, per-namespace partition tables.

Owns the one description of where every field lives, and packing a ClusterSnapshot into (and out of) a
writable buffer. Pure: no shared memory, no locks, no clocks, no processes. The seqlock discipline (generation odd
while writing) is the segment's and the tender's business; this module only says where the generation lives.

Everything is little-endian. The header's fixed part (magic .. seeds digest) is written once when the segment is
made; its mutable part (generation, tender pid/epoch, heartbeat, claim time, attach count) is read and written
field by field at fixed, 8-byte aligned offsets. The payload (everything a ClusterSnapshot holds) follows at
HEADER_SIZE and is only ever read under the seqlock.
"""

from __future__ import annotations

import hashlib
import struct
import sys
from array import array
from typing import Iterable, NamedTuple, Optional

from aerospike.snapshot import N_PARTITIONS, NO_NODE, ClusterSnapshot, NamespacePartitions, NodeRecord

MAGIC = b"ASPYSHM\x00"
LAYOUT_VERSION = 1
HEADER_SIZE = 256
# Replica indices kept per partition; more are dropped by fit_snapshot (commands use 0 and 1).
MAX_REPLICAS = 4
NODE_NAME_MAX = 64
HOST_MAX = 256
TLS_NAME_MAX = 256
NAMESPACE_NAME_MAX = 32  # the server's limit is 31 bytes
CLUSTER_NAME_MAX = 64
NO_TLS_NAME = 0xFFFF  # tls-name length meaning "no TLS name" (None), as opposed to ""
_LITTLE = sys.byteorder == "little"

# Fixed part of the header, written once when the segment is made.
_FIXED = struct.Struct("<8sIIIIIIQH6x64s32s")
# Mutable header fields, each 8 bytes at an 8-byte aligned offset so a reader sees it whole.
GENERATION_OFFSET = 144  # seqlock generation: odd while the tender writes the payload
TENDER_PID_OFFSET = 152
TENDER_EPOCH_OFFSET = 160  # bumped by every process that becomes the tender
HEARTBEAT_OFFSET = 168  # time.time() of the tender's last successful tend
CLAIMED_AT_OFFSET = 176  # time.time() at which the current tender epoch began
CREATED_AT_OFFSET = 184
_U64 = struct.Struct("<Q")
_F64 = struct.Struct("<d")

_PAYLOAD_HEAD = struct.Struct("<QII")  # snapshot generation, node count, namespace count
_NODE_SLOT = struct.Struct(f"<HHHH{NODE_NAME_MAX}s{HOST_MAX}s{TLS_NAME_MAX}s")  # name/host/tls lengths, port
_NAMESPACE_HEAD = struct.Struct(f"<HH{NAMESPACE_NAME_MAX}s4x")  # name length, replica count, name
_REGIMES_SIZE = N_PARTITIONS * 4

assert _FIXED.size <= GENERATION_OFFSET and CREATED_AT_OFFSET + 8 <= HEADER_SIZE


class LayoutError(ValueError):
    """A snapshot that does not fit the layout, or bytes that are not a valid payload."""


class Header(NamedTuple):
    """The fixed part of a segment header as found in a buffer."""

    magic: bytes
    version: int
    header_size: int
    max_nodes: int
    max_namespaces: int
    max_replicas: int
    owner_width: int
    total_size: int
    cluster_name: str
    seeds_digest: bytes


def seeds_digest(seeds: Iterable[tuple]) -> bytes:
    """SHA-256 of the seed set: order and duplicates do not matter, host case does not matter."""
    normalized = sorted(
        {
            (str(seed[0]).lower(), int(seed[1]), (seed[2] if len(seed) > 2 and seed[2] else ""))
            for seed in seeds
        }
    )
    text = "\n".join(f"{host}\t{port}\t{tls_name}" for host, port, tls_name in normalized)
    return hashlib.sha256(text.encode("utf-8")).digest()


def _encode_text(text: str, limit: int, what: str) -> bytes:
    raw = text.encode("utf-8")
    if len(raw) > limit:
        raise LayoutError(f"{what} {text[:80]!r} is longer than {limit} bytes")
    return raw


def _decode_text(raw: bytes, length: int, limit: int, what: str) -> str:
    if length > limit:
        raise LayoutError(f"{what} length {length} exceeds {limit}")
    try:
        return raw[:length].decode("utf-8")
    except UnicodeDecodeError as error:
        raise LayoutError(f"{what} is not UTF-8") from error


def _widen_u8(data: bytes) -> array:
    """u8 owner slots (0xFF: no node) -> array('h') with NO_NODE, without a Python-level loop."""
    high = data.translate(_HIGH_BYTE)
    wide = bytearray(2 * len(data))
    wide[0::2] = data
    wide[1::2] = high
    result = array("h")
    result.frombytes(bytes(wide))
    if not _LITTLE:
        result.byteswap()
    return result


_HIGH_BYTE = bytes([0xFF if value == 0xFF else 0 for value in range(256)])


def _little_bytes(values: array) -> bytes:
    if _LITTLE:
        return values.tobytes()
    swapped = array(values.typecode, values)
    swapped.byteswap()
    return swapped.tobytes()


def _from_little(typecode: str, data: bytes) -> array:
    result = array(typecode)
    result.frombytes(data)
    if not _LITTLE:
        result.byteswap()
    return result


class SegmentLayout:
    """Offsets and sizes of a segment made for `max_nodes` nodes and `max_namespaces` namespaces."""

    def __init__(self, max_nodes: int, max_namespaces: int) -> None:
        if not 1 <= max_nodes <= 0x7FFE or not 1 <= max_namespaces <= 0xFFFF:
            raise LayoutError(f"unsupported sizes max_nodes={max_nodes} max_namespaces={max_namespaces}")
        self.max_nodes = max_nodes
        self.max_namespaces = max_namespaces
        self.max_replicas = MAX_REPLICAS
        # One byte per owner slot while every node index and the "no node" mark fit in it.
        self.owner_width = 1 if max_nodes < 0xFF else 2
        self.nodes_offset = HEADER_SIZE + _PAYLOAD_HEAD.size
        self.namespaces_offset = self.nodes_offset + max_nodes * _NODE_SLOT.size
        self.owners_size = N_PARTITIONS * self.owner_width
        self.namespace_size = _NAMESPACE_HEAD.size + _REGIMES_SIZE + self.max_replicas * self.owners_size
        self.size = self.namespaces_offset + max_namespaces * self.namespace_size

    # -- header ---------------------------------------------------------------------------------------------

    def write_header(self, buffer: memoryview, cluster_name: str, digest: bytes, created_at: float) -> None:
        """Write a fresh header (generation 0, no tender) and an empty payload."""
        name = _encode_text(cluster_name or "", CLUSTER_NAME_MAX, "cluster name")
        if len(digest) != 32:
            raise LayoutError("seeds digest must be 32 bytes")
        buffer[: self.size] = bytes(self.size)
        _FIXED.pack_into(
            buffer, 0, MAGIC, LAYOUT_VERSION, HEADER_SIZE, self.max_nodes, self.max_namespaces,
            self.max_replicas, self.owner_width, self.size, len(name), name, digest,
        )  # fmt: skip
        _F64.pack_into(buffer, CREATED_AT_OFFSET, created_at)

    def mismatches(self, header: Header, cluster_name: str, digest: bytes) -> list[str]:
        """What in `header` differs from what this process expects; empty when it may attach."""
        if header.magic != MAGIC:
            return [f"not an aerospike shm segment (magic {header.magic!r})"]
        if header.version != LAYOUT_VERSION:
            return [f"layout version {header.version}, this client uses {LAYOUT_VERSION}"]
        problems = []
        expected = (
            ("header_size", HEADER_SIZE), ("max_nodes", self.max_nodes), ("max_namespaces", self.max_namespaces),
            ("max_replicas", self.max_replicas), ("owner_width", self.owner_width), ("total_size", self.size),
        )  # fmt: skip
        for field, value in expected:
            found = getattr(header, field)
            if found != value:
                problems.append(f"{field} is {found} in the segment, {value} in this process")
        if header.cluster_name != (cluster_name or ""):
            problems.append(
                f"cluster_name is {header.cluster_name!r} in the segment, {cluster_name!r} in this process"
            )
        if header.seeds_digest != digest:
            problems.append("the seed hosts differ from the ones the segment was made for")
        return problems

    # -- payload --------------------------------------------------------------------------------------------

    def pack(self, buffer: memoryview, snapshot: ClusterSnapshot) -> None:
        """Write `snapshot` into the payload; raises LayoutError (writing nothing) when it does not fit."""
        nodes = snapshot.nodes
        namespaces = snapshot.namespaces
        if len(nodes) > self.max_nodes:
            raise LayoutError(f"{len(nodes)} nodes exceed shm max_nodes {self.max_nodes}")
        if len(namespaces) > self.max_namespaces:
            raise LayoutError(f"{len(namespaces)} namespaces exceed shm max_namespaces {self.max_namespaces}")
        node_slots = [self._node_slot(node) for node in nodes]
        tables = [
            self._namespace_table(name, partitions, len(nodes)) for name, partitions in namespaces.items()
        ]
        _PAYLOAD_HEAD.pack_into(buffer, HEADER_SIZE, snapshot.generation, len(nodes), len(namespaces))
        offset = self.nodes_offset
        for slot in node_slots:
            buffer[offset : offset + len(slot)] = slot
            offset += _NODE_SLOT.size
        offset = self.namespaces_offset
        for table in tables:
            buffer[offset : offset + len(table)] = table
            offset += self.namespace_size

    def unpack(self, buffer: memoryview) -> ClusterSnapshot:
        """Rebuild the ClusterSnapshot in the payload; raises LayoutError on bytes no pack() wrote."""
        generation, node_count, namespace_count = _PAYLOAD_HEAD.unpack_from(buffer, HEADER_SIZE)
        if node_count > self.max_nodes or namespace_count > self.max_namespaces:
            raise LayoutError(
                f"payload counts {node_count} nodes, {namespace_count} namespaces exceed the layout"
            )
        nodes = tuple(
            self._read_node(buffer, self.nodes_offset + index * _NODE_SLOT.size)
            for index in range(node_count)
        )
        namespaces = {}
        for index in range(namespace_count):
            name, partitions = self._read_namespace(
                buffer, self.namespaces_offset + index * self.namespace_size
            )
            for replica in partitions.owners:
                if min(replica) < NO_NODE or max(replica) >= node_count:
                    raise LayoutError(f"namespace {name!r} names a node slot beyond {node_count}")
            namespaces[name] = partitions
        return ClusterSnapshot(generation, nodes, namespaces)

    def _node_slot(self, node: NodeRecord) -> bytes:
        name = _encode_text(node.name, NODE_NAME_MAX, "node name")
        host = _encode_text(node.host, HOST_MAX, "node host")
        tls_name = (
            b"" if node.tls_name is None else _encode_text(node.tls_name, TLS_NAME_MAX, "node tls_name")
        )
        if not 0 <= node.port <= 0xFFFF:
            raise LayoutError(f"node port {node.port} out of range")
        tls_length = NO_TLS_NAME if node.tls_name is None else len(tls_name)
        return _NODE_SLOT.pack(len(name), len(host), tls_length, node.port, name, host, tls_name)

    def _read_node(self, buffer: memoryview, offset: int) -> NodeRecord:
        name_length, host_length, tls_length, port, name, host, tls_name = _NODE_SLOT.unpack_from(
            buffer, offset
        )
        tls: Optional[str] = None
        if tls_length != NO_TLS_NAME:
            tls = _decode_text(tls_name, tls_length, TLS_NAME_MAX, "node tls_name")
        return NodeRecord(
            _decode_text(name, name_length, NODE_NAME_MAX, "node name"),
            _decode_text(host, host_length, HOST_MAX, "node host"),
            port,
            tls,
        )

    def _namespace_table(self, name: str, partitions: NamespacePartitions, node_count: int) -> bytes:
        raw_name = _encode_text(name, NAMESPACE_NAME_MAX, "namespace name")
        replica_count = partitions.replica_count
        if not 0 <= replica_count <= self.max_replicas or len(partitions.owners) != replica_count:
            raise LayoutError(
                f"namespace {name!r}: {replica_count} replicas ({len(partitions.owners)} owner maps), "
                f"the layout keeps at most {self.max_replicas}"
            )
        if len(partitions.regimes) != N_PARTITIONS:
            raise LayoutError(
                f"namespace {name!r}: {len(partitions.regimes)} regimes, expected {N_PARTITIONS}"
            )
        parts = [_NAMESPACE_HEAD.pack(len(raw_name), replica_count, raw_name)]
        parts.append(_little_bytes(array("I", partitions.regimes)))
        for replica_index, owners in enumerate(partitions.owners):
            if len(owners) != N_PARTITIONS:
                raise LayoutError(f"namespace {name!r} replica {replica_index}: {len(owners)} owners")
            if len(owners) and (min(owners) < NO_NODE or max(owners) >= node_count):
                raise LayoutError(
                    f"namespace {name!r} replica {replica_index} names a node index not in the snapshot"
                )
            raw = _little_bytes(array("h", owners))
            parts.append(raw[0::2] if self.owner_width == 1 else raw)
        return b"".join(parts)

    def _read_namespace(self, buffer: memoryview, offset: int) -> tuple[str, NamespacePartitions]:
        name_length, replica_count, raw_name = _NAMESPACE_HEAD.unpack_from(buffer, offset)
        name = _decode_text(raw_name, name_length, NAMESPACE_NAME_MAX, "namespace name")
        if replica_count > self.max_replicas:
            raise LayoutError(f"namespace {name!r}: replica count {replica_count} exceeds the layout")
        offset += _NAMESPACE_HEAD.size
        regimes = _from_little("I", bytes(buffer[offset : offset + _REGIMES_SIZE]))
        offset += _REGIMES_SIZE
        owners = []
        for _ in range(replica_count):
            raw = bytes(buffer[offset : offset + self.owners_size])
            owners.append(_widen_u8(raw) if self.owner_width == 1 else _from_little("h", raw))
            offset += self.owners_size
        return name, NamespacePartitions(replica_count, tuple(owners), regimes)


def read_header(buffer: memoryview) -> Header:
    """The fixed header fields found at the start of `buffer` (which may hold anything)."""
    if len(buffer) < HEADER_SIZE:
        return Header(bytes(buffer[:8]), 0, 0, 0, 0, 0, 0, len(buffer), "", b"")
    fields = _FIXED.unpack_from(buffer, 0)
    name_length, name, digest = fields[8:]
    cluster_name = name[: min(name_length, CLUSTER_NAME_MAX)].decode("utf-8", "replace")
    magic, version, header_size, max_nodes, max_namespaces, max_replicas, owner_width, total_size = fields[:8]
    return Header(
        magic, version, header_size, max_nodes, max_namespaces, max_replicas, owner_width, total_size,
        cluster_name, digest,
    )  # fmt: skip


def read_u64(buffer: memoryview, offset: int) -> int:
    return _U64.unpack_from(buffer, offset)[0]


def write_u64(buffer: memoryview, offset: int, value: int) -> None:
    _U64.pack_into(buffer, offset, value)


def read_f64(buffer: memoryview, offset: int) -> float:
    return _F64.unpack_from(buffer, offset)[0]


def write_f64(buffer: memoryview, offset: int, value: float) -> None:
    _F64.pack_into(buffer, offset, value)


def fit_snapshot(
    snapshot: ClusterSnapshot, max_nodes: int, max_namespaces: int
) -> tuple[ClusterSnapshot, list[str]]:
    """A snapshot that fits the layout, and what had to be dropped to make it fit (for the log).

    Nodes past `max_nodes` are dropped and the partitions they own become unowned (commands to them fall back as
    for any unowned partition); namespaces past `max_namespaces` (in name order) and replica indices past
    MAX_REPLICAS are dropped.
    """
    problems: list[str] = []
    nodes = snapshot.nodes
    namespaces = dict(snapshot.namespaces)
    if len(nodes) > max_nodes:
        dropped = [node.name for node in nodes[max_nodes:]]
        problems.append(
            f"{len(nodes)} nodes exceed shm max_nodes {max_nodes}; not shared: {', '.join(dropped)}"
        )
        nodes = nodes[:max_nodes]
    if len(namespaces) > max_namespaces:
        kept = sorted(namespaces)[:max_namespaces]
        left_out = sorted(set(namespaces) - set(kept))
        problems.append(
            f"{len(namespaces)} namespaces exceed shm max_namespaces {max_namespaces}; not shared: {', '.join(left_out)}"
        )
        namespaces = {name: namespaces[name] for name in kept}
    nodes_dropped = len(nodes) < len(snapshot.nodes)
    for name, partitions in list(namespaces.items()):
        owners = tuple(partitions.owners[:MAX_REPLICAS])
        if len(owners) < len(partitions.owners):
            problems.append(f"namespace {name!r}: replicas past {MAX_REPLICAS} not shared")
        elif not nodes_dropped:
            continue
        if nodes_dropped:
            node_count = len(nodes)
            owners = tuple(
                array("h", (o if o < node_count else NO_NODE for o in replica)) for replica in owners
            )
        namespaces[name] = NamespacePartitions(len(owners), owners, partitions.regimes)
    if not problems:
        return snapshot, problems
    return ClusterSnapshot(snapshot.generation, nodes, namespaces), problems
