"""Helpers for the fake clusters of unit tests."""

from __future__ import annotations

from typing import Any, Optional

PARTITIONS = 4096


class RowsFromNodeFor:
    """Cluster.partition_row for a fake cluster that only defines node_for: the row node_for gives."""

    def node_for(self, namespace: str, partition_id: int, replica_index: int) -> Any:
        raise NotImplementedError

    def partition_row(self, namespace: str, replica_index: int) -> Optional[list[Any]]:
        return [self.node_for(namespace, partition_id, replica_index) for partition_id in range(PARTITIONS)]
