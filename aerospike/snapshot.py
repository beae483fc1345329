"""Immutable snapshots of what cluster tending learned: nodes and per-namespace partition ownership.

Owns the value types handed from a tender to the views that route commands: the in-process view swaps in a new
snapshot with one assignment; the shared-memory tender serializes a snapshot into its segment and readers rebuild
an equal one. Knows no sockets, no pools and no shared memory.
"""

from __future__ import annotations

from array import array
from collections import namedtuple
from typing import Mapping, Optional, Sequence

N_PARTITIONS = 4096
NO_NODE = -1  # owner slot of a partition that no known node holds


# collections.namedtuple, not typing.NamedTuple: the same tuple class, made in a tenth of the time (typing checks
# and compiles every annotation), and this module is imported by every connect (docs/internals.md, "Startup").
class NodeRecord(namedtuple("NodeRecord", ("name", "host", "port", "tls_name"), defaults=(None,))):
    """A node as tending knows it: its name (node id), the address commands use, and its TLS name."""

    __slots__ = ()

    name: str
    host: str
    port: int
    tls_name: Optional[str]


class NamespacePartitions(namedtuple("NamespacePartitions", ("replica_count", "owners", "regimes"))):
    """Ownership of one namespace's 4096 partitions.

    `owners[replica_index][partition_id]` is an index into ClusterSnapshot.nodes, or NO_NODE.
    `regimes[partition_id]` is the regime of the map the owner came from (a stale regime never wins).
    """

    __slots__ = ()

    replica_count: int
    owners: tuple[array, ...]  # array('h'), N_PARTITIONS each, one per replica index
    regimes: array  # array('I'), N_PARTITIONS


class ClusterSnapshot(namedtuple("ClusterSnapshot", ("generation", "nodes", "namespaces"))):
    """Everything routing needs, as one immutable value; `generation` grows with every published change."""

    __slots__ = ()

    generation: int
    nodes: tuple[NodeRecord, ...]
    namespaces: Mapping[str, NamespacePartitions]

    def node_index(self, name: str) -> int:
        for index, node in enumerate(self.nodes):
            if node.name == name:
                return index
        return NO_NODE


EMPTY_SNAPSHOT = ClusterSnapshot(0, (), {})


def empty_owners(replica_count: int) -> tuple[array, ...]:
    """Owner arrays with every partition unowned."""
    return tuple(array("h", [NO_NODE]) * N_PARTITIONS for _ in range(replica_count))


def empty_regimes() -> array:
    return array("I", [0]) * N_PARTITIONS


def owner_names(snapshot: ClusterSnapshot, namespace: str, replica_index: int = 0) -> Sequence[Optional[str]]:
    """Node name (or None) owning each partition of `namespace` at `replica_index`: for tests and tools."""
    partitions = snapshot.namespaces[namespace]
    names = [node.name for node in snapshot.nodes]
    return [names[i] if i != NO_NODE else None for i in partitions.owners[replica_index]]
