"""``aerospike.Query`` and the request encoder shared by scans, queries, aggregations and background jobs.

Owns: the message a scan or query sends (header bits, fields in the official client's order: namespace,
set, socket timeout, task id, index type, index range, UDF fields, partition ids, resume digests; selected
bins as read ops), the secondary-index filter encoding of field 22, turning a record message into the
spec's record tuple, and the Query class (select, where, results, foreach, apply). Partition tracking and
retries live in partition_scan.py; the Lua final reduce of aggregations in udf.py.
"""

from __future__ import annotations

import os
import struct
from typing import Any, Callable, Optional, Sequence

from . import exception
from ._constants import INDEX_GEO2DSPHERE, INDEX_NUMERIC, INDEX_STRING
from .predicates import PREDICATE_EQUAL, PREDICATE_RANGE
from .protocol.constants import (
    FIELD_DIGEST,
    FIELD_DIGEST_ARRAY,
    FIELD_INDEX_RANGE,
    FIELD_INDEX_TYPE,
    FIELD_KEY,
    FIELD_NAMESPACE,
    FIELD_PID_ARRAY,
    FIELD_SET,
    FIELD_SOCKET_TIMEOUT,
    FIELD_TASK_ID,
    FIELD_UDF_ARGLIST,
    FIELD_UDF_FUNCTION,
    FIELD_UDF_OP,
    FIELD_UDF_PACKAGE_NAME,
    INFO1_NOBINDATA,
    INFO1_READ,
    INFO2_DURABLE_DELETE,
    INFO2_WRITE,
    INFO3_PARTITION_DONE,
    OP_READ,
    PARTICLE_GEOJSON,
    PARTICLE_INTEGER,
    PARTICLE_NULL,
    PARTICLE_STRING,
)
from .protocol.errors import ProtocolError
from .protocol.message import Message, Op, encode_message
from .protocol.particles import decode_value
from .record_commands import NEVER_EXPIRES, ttl_from_void_time
from .values import ValueCodec, check_bin_name

__all__ = [
    "UDF_OP_AGGREGATE",
    "UDF_OP_BACKGROUND",
    "Query",
    "StreamRequest",
    "encode_filter",
    "new_task_id",
    "record_tuple",
]

UDF_OP_AGGREGATE = 1  # field 33: stream UDF whose values come back to the client
UDF_OP_BACKGROUND = 2  # field 33: record UDF applied by the server in the background

_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_I64 = struct.Struct(">q")
_READ_TTL_NONE = 0xFFFFFFFF  # the record_ttl slot of a foreground scan/query: do not touch-on-read
_INDEX_PARTICLES = {INDEX_NUMERIC: PARTICLE_INTEGER, INDEX_STRING: PARTICLE_STRING, INDEX_GEO2DSPHERE: PARTICLE_GEOJSON}


def new_task_id() -> int:
    """A random non-zero u64 task (transaction) id; background jobs report it as their job id."""
    while True:
        task_id = int.from_bytes(os.urandom(8), "big") & 0x7FFFFFFFFFFFFFFF
        if task_id:
            return task_id


# ------------------------------------------------------------------------------------------------ filters


def _filter_value(datatype: int, value: Any) -> bytes:
    if datatype == INDEX_NUMERIC:
        if isinstance(value, bool) or not isinstance(value, int):
            raise exception.ParamError("numeric predicate values must be integers")
        try:
            return _I64.pack(value)
        except struct.error:
            raise exception.ParamError("predicate integer out of the signed 64-bit range") from None
    if not isinstance(value, str):
        raise exception.ParamError("string and geo predicate values must be str")
    return value.encode("utf-8")


def encode_filter(predicate: Any) -> tuple[Optional[bytes], bytes]:
    """(field 26 data or None, field 22 data) of a predicates tuple; ParamError for anything else."""
    if not isinstance(predicate, tuple) or not 4 <= len(predicate) <= 6:
        raise exception.ParamError("predicate must be a tuple made by aerospike.predicates")
    kind, datatype, bin_name = predicate[0], predicate[1], predicate[2]
    particle = _INDEX_PARTICLES.get(datatype)
    if kind not in (PREDICATE_EQUAL, PREDICATE_RANGE) or particle is None:
        raise exception.ParamError("predicate must be a tuple made by aerospike.predicates")
    name = check_bin_name(bin_name)
    begin = predicate[3]
    end = predicate[4] if len(predicate) > 4 and predicate[4] is not None else begin
    if kind == PREDICATE_RANGE and datatype == INDEX_NUMERIC and (len(predicate) < 5 or predicate[4] is None):
        raise exception.ParamError("range predicate needs a minimum and a maximum")
    index_type = predicate[5] if len(predicate) > 5 else 0
    if isinstance(index_type, bool) or not isinstance(index_type, int) or index_type not in (0, 1, 2, 3):
        raise exception.ParamError("predicate index type must be one of aerospike.INDEX_TYPE_*")
    begin_bytes = _filter_value(datatype, begin)
    end_bytes = _filter_value(datatype, end)
    data = (
        bytes((1, len(name)))
        + name
        + bytes((particle,))
        + _U32.pack(len(begin_bytes))
        + begin_bytes
        + _U32.pack(len(end_bytes))
        + end_bytes
    )
    return (bytes((index_type,)) if index_type else None), data


# ------------------------------------------------------------------------------------------------ requests


class StreamRequest:
    """Everything a scan/query request says except the partitions; ``encode`` adds those per node."""

    __slots__ = (
        "namespace",
        "set_name",
        "policy",
        "task_id",
        "bins",
        "nobins",
        "filter_fields",
        "udf",
        "background",
        "write_timeout",
    )

    def __init__(
        self,
        namespace: str,
        set_name: Optional[str],
        policy: Any,
        *,
        task_id: Optional[int] = None,
        bins: Sequence[str] = (),
        nobins: bool = False,
        predicate: Any = None,
        udf: Optional[tuple[int, str, str, bytes]] = None,
        background: bool = False,
        write_timeout: Optional[int] = None,
    ) -> None:
        if not isinstance(namespace, str) or not namespace:
            raise exception.ParamError("namespace must be a non-empty string")
        if set_name is not None and not isinstance(set_name, str):
            raise exception.ParamError("set must be a string or None")
        self.namespace = namespace
        self.set_name = set_name
        self.policy = policy
        self.task_id = new_task_id() if task_id is None else task_id
        self.bins = tuple(bins)
        self.nobins = nobins
        self.filter_fields: list[tuple[int, bytes]] = []
        if predicate is not None:
            index_type, index_range = encode_filter(predicate)
            if index_type is not None:
                self.filter_fields.append((FIELD_INDEX_TYPE, index_type))
            self.filter_fields.append((FIELD_INDEX_RANGE, index_range))
        self.udf = udf
        self.background = background
        self.write_timeout = write_timeout

    def encode(self, pid_array: Optional[bytes] = None, digest_array: Optional[bytes] = None) -> bytes:
        """The whole request frame; partition fields only for partition scans/queries."""
        policy = self.policy
        fields: list[tuple[int, bytes]] = [(FIELD_NAMESPACE, self.namespace.encode("utf-8"))]
        if self.set_name:
            fields.append((FIELD_SET, self.set_name.encode("utf-8")))
        fields.append((FIELD_SOCKET_TIMEOUT, _U32.pack(policy.socket_timeout)))
        fields.append((FIELD_TASK_ID, _U64.pack(self.task_id)))
        fields.extend(self.filter_fields)
        if self.udf is not None:
            udf_op, module, function, arglist = self.udf
            fields.append((FIELD_UDF_OP, bytes((udf_op,))))
            fields.append((FIELD_UDF_PACKAGE_NAME, module.encode("utf-8")))
            fields.append((FIELD_UDF_FUNCTION, function.encode("utf-8")))
            fields.append((FIELD_UDF_ARGLIST, arglist))
        if pid_array:
            fields.append((FIELD_PID_ARRAY, pid_array))
        if digest_array:
            fields.append((FIELD_DIGEST_ARRAY, digest_array))
        ops = [Op(OP_READ, PARTICLE_NULL, name, b"") for name in self.bins]
        try:
            if self.background:
                info2 = INFO2_WRITE | (INFO2_DURABLE_DELETE if policy.durable_delete else 0)
                timeout = policy.total_timeout if self.write_timeout is None else self.write_timeout
                return encode_message(0, info2, 0, 0, 0, 0, 0, timeout, fields, ops)
            info1 = INFO1_READ | (INFO1_NOBINDATA if self.nobins else 0)
            return encode_message(
                info1, 0, INFO3_PARTITION_DONE, 0, 0, 0, _READ_TTL_NONE, policy.total_timeout, fields, ops
            )
        except ProtocolError as error:
            raise exception.ParamError(str(error)) from None


# ------------------------------------------------------------------------------------------------ records


def record_tuple(message: Message, codec: ValueCodec, nobins: bool = False) -> tuple:
    """The spec's ``(key, meta, bins)`` of one scan/query record message."""
    namespace = set_name = None
    digest = b""
    user_key = None
    for field_type, data in message.fields:
        if field_type == FIELD_NAMESPACE:
            namespace = data.decode("utf-8")
        elif field_type == FIELD_SET:
            set_name = data.decode("utf-8")
        elif field_type == FIELD_DIGEST:
            digest = data
        elif field_type == FIELD_KEY and data:
            try:
                user_key = decode_value(data[0], data[1:])
            except ProtocolError as error:
                raise exception.ClientError(f"malformed record key: {error}") from None
    key = (namespace, set_name, user_key, bytearray(digest))
    void_time = message.record_ttl
    # meta_from_message(message), inlined (once per record).
    meta = {"ttl": NEVER_EXPIRES if void_time == 0 else ttl_from_void_time(void_time), "gen": message.generation}
    if nobins:
        return key, meta, None
    return key, meta, codec.ops_to_bins(message.ops)


def _check_bins(bins: Sequence[Any]) -> tuple[str, ...]:
    for name in bins:
        check_bin_name(name)
    return tuple(bins)


def _nobins(options: Any) -> bool:
    if options is None:
        return False
    if not isinstance(options, dict):
        raise exception.ParamError("options must be a dict")
    value = options.get("nobins", False)
    if not isinstance(value, bool) and value not in (0, 1):
        raise exception.ParamError("option 'nobins' must be a bool")
    return bool(value)


def check_target(namespace: Any, set_name: Any) -> None:
    """The namespace and set a Query or Scan walks: ParamError unless a non-empty str and a str or None."""
    if not isinstance(namespace, str) or not namespace:
        raise exception.ParamError("namespace must be a non-empty string")
    if set_name is not None and not isinstance(set_name, str):
        raise exception.ParamError("set must be a string or None")


class Query:
    """A query over a set of a namespace: ``select``, ``where``, ``results``, ``foreach``, ``apply``."""

    def __init__(self, client: Any, namespace: str, set: Optional[str] = None) -> None:
        check_target(namespace, set)
        self._client = client
        self.namespace = namespace
        self.set = set
        self._bins: tuple[str, ...] = ()
        self._predicate: Any = None
        self._udf: Optional[tuple[str, str, list]] = None

    def select(self, *bins: str) -> Query:
        """Return only these bins of each record."""
        self._bins = _check_bins(bins)
        return self

    def where(self, predicate: Any) -> Query:
        """Filter on a secondary index with one ``aerospike.predicates`` tuple (at most one per query)."""
        encode_filter(predicate)
        self._predicate = predicate
        return self

    def apply(self, module: str, function: str, arguments: Optional[list] = None) -> Query:
        """Aggregate the results with a stream UDF (the final reduce runs in this client, in Lua)."""
        from .udf import check_udf_call

        check_udf_call(module, function, arguments)
        self._udf = (module, function, list(arguments or []))
        return self

    def results(self, policy: Optional[dict] = None, options: Optional[dict] = None) -> list:
        """Every matching record as ``(key, meta, bins)``, or the aggregation's values after apply()."""
        found: list = []
        append = found.append

        def collect(item: Any) -> bool:
            append(item)
            return True

        self._run(collect, policy, options)
        return found

    def foreach(self, callback: Callable[[Any], Any], policy: Optional[dict] = None, options: Optional[dict] = None) -> None:
        """Call ``callback(record)`` for each record as it arrives; a False return stops the query."""
        if not callable(callback):
            raise exception.ParamError("callback must be callable")
        self._run(callback, policy, options)

    def _run(self, callback: Callable[[Any], Any], policy: Any, options: Any) -> None:
        client = self._client
        cluster = client._connected_cluster()
        query_policy = client._resolve("query", policy)
        nobins = _nobins(options)
        if self._udf is not None:
            from .udf import run_aggregation

            run_aggregation(client, cluster, query_policy, self.namespace, self.set, self._predicate, self._udf, callback)
            return
        request = StreamRequest(
            self.namespace, self.set, query_policy, bins=self._bins, nobins=nobins, predicate=self._predicate
        )
        run_records(client, cluster, query_policy, request, callback, nobins, concurrent=True)


def run_records(
    client: Any,
    cluster: Any,
    policy: Any,
    request: StreamRequest,
    callback: Callable[[Any], Any],
    nobins: bool,
    concurrent: bool,
    node_name: Optional[str] = None,
) -> None:
    """Run a partition scan/query, handing each record tuple to callback (False stops)."""
    from .command import execute_stream
    from .partition_scan import PartitionTracker, run_partition_stream

    codec = client._codec
    fixed_node = None
    partition_ids = None
    if node_name is not None:
        if not isinstance(node_name, str):
            raise exception.ParamError("nodename must be a string")
        fixed_node = cluster.get_node(node_name)
        partition_ids = [
            pid for pid in range(4096) if cluster.node_for(request.namespace, pid, 0) is fixed_node
        ]
    tracker = PartitionTracker(request.namespace, partition_ids)

    def on_record(message: Message) -> bool:
        # run_partition_stream never calls this from two threads at once.
        return callback(record_tuple(message, codec, nobins)) is not False

    run_partition_stream(
        cluster,
        execute_stream,
        policy,
        tracker,
        lambda assignment: request.encode(assignment.pid_array(), assignment.digest_array()),
        on_record,
        concurrent,
        client._config.thread_pool_size,
        fixed_node,
    )
