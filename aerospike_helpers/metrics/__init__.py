"""The metrics classes of 19.x (``client.enable_metrics``, ``get_stats``), for code that imports them.

This package does not collect the official client's extended metrics: these classes exist so that code naming
them imports, and ``MetricsPolicy`` / ``MetricsListeners`` hold their settings as 19.x does.
"""

from __future__ import annotations

from typing import Callable, Optional

__all__ = ["Cluster", "ClusterStats", "ConnectionStats", "MetricsListeners", "MetricsPolicy", "NamespaceMetrics",
           "Node", "NodeStats"]  # fmt: skip


class ConnectionStats:
    """Connection counts of a node: in_use, in_pool, opened, closed, recovered, aborted."""


class NamespaceMetrics:
    """Per-namespace metrics of a node: ns, bytes_in, bytes_out, error/timeout/key-busy counts, latencies."""


class Node:
    """A node in a metrics snapshot: name, address, port, conns, metrics."""


class Cluster:
    """A cluster in a metrics snapshot: cluster_name, app_id, invalid_node_count, command/retry counts, nodes."""


class NodeStats:
    """Statistics of one node: name, address, port, conns and error, timeout and key-busy counts."""

    name: str
    address: str
    port: int
    conns: ConnectionStats
    error_count: int
    timeout_count: int
    key_busy_count: int


class ClusterStats:
    """Statistics of the cluster: nodes, retry_count, thread_pool_queued_tasks, recover_queue_size."""

    nodes: list
    retry_count: int
    thread_pool_queued_tasks: int
    recover_queue_size: int


class MetricsListeners:
    """The four callbacks of extended metrics; all must be set."""

    def __init__(
        self,
        enable_listener: Callable[[], None],
        snapshot_listener: Callable[[Cluster], None],
        node_close_listener: Callable[[Node], None],
        disable_listener: Callable[[Cluster], None],
    ):
        self.enable_listener = enable_listener
        self.snapshot_listener = snapshot_listener
        self.node_close_listener = node_close_listener
        self.disable_listener = disable_listener


class MetricsPolicy:
    """Settings of extended metrics: listeners, report directory and size limit, interval, latency buckets,
    labels."""

    def __init__(
        self,
        metrics_listeners: Optional[MetricsListeners] = None,
        report_dir: str = ".",
        report_size_limit: int = 0,
        interval: int = 30,
        latency_columns: int = 7,
        latency_shift: int = 1,
        labels: Optional[dict] = None,
    ):
        self.metrics_listeners = metrics_listeners
        self.report_dir = report_dir
        self.report_size_limit = report_size_limit
        self.interval = interval
        self.latency_columns = latency_columns
        self.latency_shift = latency_shift
        self.labels = {} if labels is None else labels
