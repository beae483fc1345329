"""A wire-compatible local Aerospike cluster for tests and demos (a test double, not a server).

`LocalCluster` runs nodes as threads of this process on 127.0.0.1; `python -m aerospike.testing` runs one in the
foreground. This package may import `aerospike.protocol` only, never the client core, so that a client bug
cannot hide a bug in the double.
"""

from .cluster import LocalCluster, Topology, error_frames
from .server import ConnectionCounts, NodeCounts, NodeServer, classify

__all__ = [
    "ConnectionCounts",
    "LocalCluster",
    "NodeCounts",
    "NodeServer",
    "Topology",
    "classify",
    "error_frames",
]
