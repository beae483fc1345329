"""The record objects of the current API's batch methods (19.x ``aerospike_helpers.batch.records``).

``BatchRecords`` holds a list of ``BatchRecord`` objects; ``Read``, ``Write``, ``Apply`` and ``Remove`` describe
one sub-command of ``Client.batch_write`` each, and every record carries its outcome after the call: ``result``
(the server's result code for that key), ``record`` (``(key, meta, bins)`` when the result is 0, else None),
``in_doubt``, and the server's error detail in ``message`` / ``subcode``. The client's batch methods
(aerospike/batch_records.py) read and fill these attributes; the classes themselves only hold values.
"""

from __future__ import annotations

import typing as ty
from typing import Any, Optional

TypeOps = ty.List[ty.Dict]
TypeBatchPolicyWrite = ty.Union[ty.Dict, None]
TypeBatchPolicyRemove = ty.Union[ty.Dict, None]
TypeBatchPolicyApply = ty.Union[ty.Dict, None]
TypeBatchPolicyRead = ty.Union[ty.Dict, None]
TypeRecord = ty.Union[ty.Tuple, None]
TypeUDFArgs = ty.List[ty.Any]

__all__ = ["Apply", "BatchRecord", "BatchRecords", "Read", "Remove", "Write"]


class _Types:
    """The kind of sub-command a record stands for."""

    READ = 0
    WRITE = 1
    APPLY = 2
    REMOVE = 3


class BatchRecord:
    """One key of a batch call and its outcome: ``key``, ``record``, ``result``, ``in_doubt``, ``message``,
    ``subcode``. The batch methods return these; the subclasses below are the inputs of ``batch_write``."""

    def __init__(self, key: tuple) -> None:
        self.key = key
        self.record: TypeRecord = None
        self.result = 0
        self.message: Optional[str] = None
        self.subcode = 0
        self.in_doubt = False


class Write(BatchRecord):
    """A write sub-command: ``ops`` (operation dicts) on ``key``, with optional ``meta`` (``gen``, ``ttl``) and a
    batch write ``policy``."""

    def __init__(
        self, key: tuple, ops: TypeOps, meta: Optional[dict] = None, policy: TypeBatchPolicyWrite = None
    ) -> None:
        super().__init__(key)
        self.ops = ops
        self._type = _Types.WRITE
        self._has_write = True
        self.meta = meta
        self.policy = policy


class Read(BatchRecord):
    """A read sub-command: the read ``ops`` on ``key``, or every bin with ``read_all_bins``, or (neither) only
    the record's metadata; an optional batch read ``policy``."""

    def __init__(
        self,
        key: tuple,
        ops: ty.Union[TypeOps, None],
        read_all_bins: bool = False,
        meta: Optional[dict] = None,
        policy: TypeBatchPolicyRead = None,
    ) -> None:
        super().__init__(key)
        self.ops = ops
        self.read_all_bins = read_all_bins
        self._type = _Types.READ
        self._has_write = False
        self.meta = meta
        self.policy = policy


class Apply(BatchRecord):
    """A record UDF sub-command: ``module.function(*args)`` on ``key``, with an optional batch apply ``policy``."""

    def __init__(
        self, key: tuple, module: str, function: str, args: TypeUDFArgs, policy: TypeBatchPolicyApply = None
    ) -> None:
        super().__init__(key)
        self._type = _Types.APPLY
        self._has_write = True
        self.module = module
        self.function = function
        self.args = args
        self.policy = policy


class Remove(BatchRecord):
    """A remove sub-command on ``key``, with an optional batch remove ``policy``."""

    def __init__(self, key: tuple, policy: TypeBatchPolicyRemove = None) -> None:
        super().__init__(key)
        self._type = _Types.REMOVE
        self._has_write = True
        self.policy = policy


TypeBatchRecordList = ty.List[BatchRecord]


class BatchRecords:
    """Input and output of the batch methods: ``batch_records`` (a list of BatchRecord) and ``result``, the
    status of the last call that used it (0 when every key succeeded or was only not found / filtered out)."""

    def __init__(self, batch_records: Optional[TypeBatchRecordList] = None) -> None:
        if batch_records is None:
            batch_records = []
        self.batch_records: Any = batch_records
        self.result = 0
