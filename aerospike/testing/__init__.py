"""A wire-compatible local Aerospike cluster for tests and demos (a test double, not a server).

`LocalCluster` runs nodes as threads of this process on 127.0.0.1; `python -m aerospike.testing` runs one in the
foreground. This package may import `aerospike.protocol` only, never the client core, so that a client bug
cannot hide a bug in the double.
"""

from . import exp_ops as _exp_ops
from .cluster import LocalCluster, Topology, error_frames
from .server import ConnectionCounts, NodeCounts, NodeServer, classify

# The bit, HLL and expression engines register their op handlers with the record model: once, on import, so a
# store used without a LocalCluster (unit tests) answers exactly as one inside a cluster.
_exp_ops.install()

__all__ = [
    "ConnectionCounts",
    "LocalCluster",
    "NodeCounts",
    "NodeServer",
    "Topology",
    "classify",
    "error_frames",
]
