"""``aerospike.Query`` and the request encoder shared by scans, queries, aggregations and background jobs.

Owns: the message a scan or query sends (header bits, fields in the official client's order: namespace,
set, socket timeout, task id, index type, index range, UDF fields, partition ids, resume digests; selected
bins as read ops), checking a predicate as 3.0.0's ``Query.where`` and ``query_apply`` did (their ParamError
messages) and its encoding in field 22, turning a record message into the spec's record tuple, and the
Query class (select, where, results, foreach, apply) with 3.0.0's argument rules. Partition tracking and
retries live in partition_scan.py; the Lua final reduce of aggregations in udf.py.
"""

from __future__ import annotations

import os
import struct
from typing import Any, Callable, NamedTuple, Optional, Sequence

from . import exception
from ._constants import INDEX_GEO2DSPHERE, INDEX_NUMERIC, INDEX_STRING
from ._constants_current import QUERY_DURATION_LONG_RELAX_AP, QUERY_DURATION_SHORT, TTL_CLIENT_DEFAULT
from .partition_scan import PartitionsStatus
from .predicates import PREDICATE_EQUAL, PREDICATE_RANGE
from .protocol.constants import (
    DIGEST_SIZE,
    FIELD_BVAL_ARRAY,
    FIELD_DIGEST,
    FIELD_DIGEST_ARRAY,
    FIELD_FILTER_EXP,
    FIELD_INDEX_CONTEXT,
    FIELD_INDEX_EXPRESSION,
    FIELD_INDEX_NAME,
    FIELD_INDEX_RANGE,
    FIELD_INDEX_TYPE,
    FIELD_KEY,
    FIELD_MAX_RECORDS,
    FIELD_NAMESPACE,
    FIELD_PID_ARRAY,
    FIELD_RECORDS_PER_SECOND,
    FIELD_SET,
    FIELD_SOCKET_TIMEOUT,
    FIELD_TASK_ID,
    FIELD_UDF_ARGLIST,
    FIELD_UDF_FUNCTION,
    FIELD_UDF_OP,
    FIELD_UDF_PACKAGE_NAME,
    INFO1_NOBINDATA,
    INFO1_READ,
    INFO1_SHORT_QUERY,
    INFO2_DURABLE_DELETE,
    INFO2_RELAX_AP_LONG_QUERY,
    INFO2_WRITE,
    INFO3_PARTITION_DONE,
    N_PARTITIONS,
    OP_READ,
    PARTICLE_GEOJSON,
    PARTICLE_INTEGER,
    PARTICLE_NULL,
    PARTICLE_STRING,
    PROTO_HEADER_SIZE,
)
from .protocol.errors import ProtocolError
from .protocol.message import Message, Op, encode_message
from .protocol.particles import decode_value
from .record_commands import NEVER_EXPIRES, ttl_from_void_time
from .values import ValueCodec

__all__ = [
    "UDF_OP_AGGREGATE",
    "UDF_OP_BACKGROUND",
    "BinSelection",
    "IndexFilter",
    "Query",
    "StreamRequest",
    "apply_filter",
    "callback_runner",
    "encode_filter",
    "new_task_id",
    "parse_target",
    "record_tuple",
    "where_filter",
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

MAX_FILTER_BIN_NAME = 15  # 3.0.0 keeps a bin name in a 16-byte buffer with its NUL
_WHERE_INVALID = "predicate is invalid."
_WHERE_FAILED = "Failed to add predicate"


class IndexFilter(NamedTuple):
    """A checked predicate: what field 22 (and 26) say. ``bin_name`` is the bytes sent.

    ``index_field`` / ``index_data``: how where_with_index_name (21, the index name) or where_with_expr (24, the
    index's expression) names the index instead of a bin; 0 / b"" for where().
    """

    kind: int  # PREDICATE_EQUAL or PREDICATE_RANGE
    datatype: int  # INDEX_NUMERIC, INDEX_STRING or INDEX_GEO2DSPHERE
    bin_name: bytes
    begin: Any  # int, or str (string and geo)
    end: Any
    index_type: int  # INDEX_TYPE_*: 0 plain bin, 1 list, 2 map keys, 3 map values
    index_field: int = 0
    index_data: bytes = b""


def _is_int(value: Any) -> bool:
    # 3.0.0 tests PyLong_Check, which a bool passes.
    return isinstance(value, int)


def _filter_bin(name: Any) -> Optional[bytes]:
    """A predicate's bin name as sent (a bytearray ends at its first NUL, as 3.0.0's C string did), or None."""
    if isinstance(name, str):
        encoded = name.encode("utf-8", "surrogatepass")
    elif isinstance(name, bytearray):
        encoded = bytes(name).split(b"\0", 1)[0]
    else:
        return None
    if len(encoded) > MAX_FILTER_BIN_NAME:
        return None  # 3.0.0 dropped such a predicate silently (and queried everything)
    return encoded


def _int64(value: Any) -> Optional[int]:
    if _is_int(value) and -(1 << 63) <= value < 1 << 63:
        return int(value)
    return None


def _valid_index_type(value: Any) -> Optional[int]:
    if _is_int(value) and 0 <= value <= 3:
        return int(value)
    return None


def where_filter(predicate: Any) -> IndexFilter:
    """The filter of ``Query.where(predicate)``, with 3.0.0's ParamError messages for what it refused."""
    if isinstance(predicate, IndexFilter):
        return predicate
    if not isinstance(predicate, tuple) or not 1 < len(predicate) <= 6:
        raise exception.ParamError(exception.ParamError.code, _WHERE_INVALID)
    kind, datatype = predicate[0], predicate[1]
    if not (_is_int(kind) and _is_int(datatype)):
        raise exception.ParamError(exception.ParamError.code, _WHERE_INVALID)
    size = len(predicate)
    bin_name = _filter_bin(predicate[2] if size > 2 else None)
    value1 = predicate[3] if size > 3 else None
    value2 = predicate[4] if size > 4 else None
    index_type = _valid_index_type(predicate[5] if size > 5 else 0)
    found: Optional[IndexFilter] = None
    if bin_name is not None and index_type is not None:
        if kind == PREDICATE_EQUAL and datatype == INDEX_STRING and isinstance(value1, str):
            found = IndexFilter(kind, datatype, bin_name, value1, value1, index_type)
        elif kind == PREDICATE_EQUAL and datatype == INDEX_NUMERIC:
            value = _int64(value1)
            if value is not None:
                found = IndexFilter(kind, datatype, bin_name, value, value, index_type)
        elif kind == PREDICATE_RANGE and datatype == INDEX_NUMERIC:
            low, high = _int64(value1), _int64(value2)
            if low is not None and high is not None:
                found = IndexFilter(kind, datatype, bin_name, low, high, index_type)
        elif kind == PREDICATE_RANGE and datatype == INDEX_GEO2DSPHERE and isinstance(value1, str):
            found = IndexFilter(kind, datatype, bin_name, value1, value1, index_type)
    if found is None:
        raise exception.ParamError(exception.ParamError.code, _WHERE_FAILED)
    return found


def named_index_filter(predicate: Any, index_field: int, index_data: bytes) -> IndexFilter:
    """The filter of ``where_with_index_name`` / ``where_with_expr`` (19.x): the predicate's bin must be None or
    a string, and is not sent (19.3.0 sends an empty bin name and names the index by field 21 or 24)."""
    if not isinstance(predicate, tuple) or not 1 < len(predicate) <= 6:
        raise exception.ParamError(exception.ParamError.code, _WHERE_INVALID)
    if not (_is_int(predicate[0]) and _is_int(predicate[1])):
        raise exception.ParamError(exception.ParamError.code, _WHERE_INVALID)
    bin_name = predicate[2] if len(predicate) > 2 else None
    if bin_name is not None and not isinstance(bin_name, str):
        raise exception.ParamError(exception.ParamError.code, _WHERE_FAILED)
    checked = where_filter(predicate[:2] + ("",) + predicate[3:])
    return checked._replace(index_field=index_field, index_data=index_data)


def index_expression(expr: Any) -> bytes:
    """Field 24 of where_with_expr: a compiled expression, or the base64 text of one (as sindex-list shows an
    expression index's); ParamError 'Failed to add predicate' for anything else, as 19.3.0."""
    if isinstance(expr, str):
        import base64
        import binascii

        try:
            return base64.b64decode(expr)
        except (binascii.Error, ValueError):
            raise exception.ParamError(exception.ParamError.code, _WHERE_FAILED) from None
    if isinstance(expr, list) and expr:
        from .ops.exp_ops import encode_expression_bytes

        try:
            return encode_expression_bytes(expr)
        except exception.AerospikeError:
            pass
    raise exception.ParamError(exception.ParamError.code, _WHERE_FAILED)


def apply_filter(predicate: Any) -> IndexFilter:
    """The filter of ``Client.query_apply``: 3.0.0 checked it with its own messages, and took no geo predicate."""

    def refuse(message: str) -> exception.ParamError:
        return exception.ParamError(exception.ParamError.code, message)

    if not isinstance(predicate, tuple):
        raise refuse("Predicate must be a tuple")
    if len(predicate) < 2:
        raise refuse("Invalid predicate")
    kind, datatype = predicate[0], predicate[1]
    if not (_is_int(kind) and _is_int(datatype)):
        raise refuse("Invalid Predicate")
    size = len(predicate)
    raw_bin = predicate[2] if size > 2 else None
    value1 = predicate[3] if size > 3 else None
    value2 = predicate[4] if size > 4 else None
    index_type = _valid_index_type(predicate[5] if size > 5 else 0)

    def checked_bin() -> bytes:
        if not isinstance(raw_bin, (str, bytearray)):
            raise refuse("Bin must be a string or unicode")
        name = _filter_bin(raw_bin)
        if name is None:
            raise refuse("Invalid predicate")
        return name

    if kind == PREDICATE_EQUAL:
        if datatype == INDEX_STRING:
            name = checked_bin()
            if not isinstance(value1, str):
                raise refuse("Comparison value for string equality must be a string")
            if index_type is None:
                raise refuse("Invalid query index type")
            return IndexFilter(kind, datatype, name, value1, value1, index_type)
        if datatype == INDEX_NUMERIC:
            name = checked_bin()
            value = _int64(value1)
            if value is None:
                raise refuse("predicate 'equals' expects a string or integer value.")
            if index_type is None:
                raise refuse("Invalid query index types")
            return IndexFilter(kind, datatype, name, value, value, index_type)
        raise refuse("predicate 'equals' expects a string or integer value.")
    if kind == PREDICATE_RANGE:
        if datatype == INDEX_NUMERIC:
            name = checked_bin()
            if value1 is None or value2 is None:
                raise refuse("Min and max must be provided for a range query")
            low, high = _int64(value1), _int64(value2)
            if low is None:
                raise refuse("Min value must be an integer or long")
            if high is None:
                raise refuse("Max value must be an integer or long")
            if index_type is None:
                raise refuse("Invalid query index type")
            return IndexFilter(kind, datatype, name, low, high, index_type)
        if datatype == INDEX_STRING:
            raise refuse("Range predicate not supported for strings")
        raise refuse("predicate 'between' expects two integer values.")
    raise refuse("unknown predicate type")


def _filter_value(datatype: int, value: Any) -> bytes:
    if datatype == INDEX_NUMERIC:
        return _I64.pack(value)  # type: ignore[no-any-return]
    return value.encode("utf-8", "surrogatepass")  # type: ignore[no-any-return]


def encode_filter(predicate: Any) -> tuple[Optional[bytes], bytes]:
    """(field 26 data or None, field 22 data) of an IndexFilter (or a predicate tuple, checked as where() does)."""
    checked = where_filter(predicate)
    name = checked.bin_name
    begin_bytes = _filter_value(checked.datatype, checked.begin)
    end_bytes = _filter_value(checked.datatype, checked.end)
    data = (
        bytes((1, len(name)))
        + name
        + bytes((_INDEX_PARTICLES[checked.datatype],))
        + _U32.pack(len(begin_bytes))
        + begin_bytes
        + _U32.pack(len(end_bytes))
        + end_bytes
    )
    return (bytes((checked.index_type,)) if checked.index_type else None), data


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
        "ops",
        "records_per_second",
        "record_ttl",
        "info1",
        "info2",
    )

    def __init__(
        self,
        namespace: str,
        set_name: Optional[str],
        policy: Any,
        *,
        task_id: Optional[int] = None,
        bins: Sequence[Any] = (),
        nobins: bool = False,
        predicate: Any = None,
        udf: Optional[tuple[int, str, str, bytes]] = None,
        background: bool = False,
        write_timeout: Optional[int] = None,
        ops: Sequence[Op] = (),
        records_per_second: int = 0,
        ctx: Optional[bytes] = None,
        record_ttl: int = 0,
        info1: int = 0,
        info2: int = 0,
    ) -> None:
        if not isinstance(namespace, str):
            raise exception.ParamError(exception.ParamError.code, "Namespace should be a string")
        if set_name is not None and not isinstance(set_name, str):
            raise exception.ParamError(exception.ParamError.code, "Set should be string, unicode or None")
        self.namespace = namespace
        self.set_name = set_name
        self.policy = policy
        self.task_id = new_task_id() if task_id is None else task_id
        self.bins = tuple(name.encode("utf-8") if isinstance(name, str) else bytes(name) for name in bins)
        self.nobins = nobins
        self.filter_fields: list[tuple[int, bytes]] = []
        if predicate is not None:
            index_type, index_range = encode_filter(predicate)
            if index_type is not None:
                self.filter_fields.append((FIELD_INDEX_TYPE, index_type))
            self.filter_fields.append((FIELD_INDEX_RANGE, index_range))
            if isinstance(predicate, IndexFilter) and predicate.index_field:
                self.filter_fields.append((predicate.index_field, predicate.index_data))
            if ctx:
                self.filter_fields.append((FIELD_INDEX_CONTEXT, ctx))
        self.udf = udf
        self.background = background
        self.write_timeout = write_timeout
        self.ops = tuple(ops)
        self.records_per_second = records_per_second
        self.record_ttl = record_ttl
        self.info1 = info1  # extra read bits of the current API (short query)
        self.info2 = info2  # extra bits of the current API (relaxed long query)

    @property
    def has_filter(self) -> bool:
        """Whether a secondary-index filter is sent (its resumed partitions then carry field 15)."""
        return bool(self.filter_fields)

    def encode(
        self,
        pid_array: Optional[bytes] = None,
        digest_array: Optional[bytes] = None,
        bval_array: Optional[bytes] = None,
        max_records: int = 0,
    ) -> bytes:
        """The whole request frame; partition fields only for partition scans/queries."""
        policy = self.policy
        fields: list[tuple[int, bytes]] = [(FIELD_NAMESPACE, self.namespace.encode("utf-8"))]
        if self.set_name:
            fields.append((FIELD_SET, self.set_name.encode("utf-8")))
        if self.records_per_second > 0:
            fields.append((FIELD_RECORDS_PER_SECOND, _U32.pack(self.records_per_second & 0xFFFFFFFF)))
        fields.append((FIELD_SOCKET_TIMEOUT, _U32.pack(policy.socket_timeout)))
        fields.append((FIELD_TASK_ID, _U64.pack(self.task_id)))
        fields.extend(self.filter_fields)
        if self.udf is not None:
            udf_op, module, function, arglist = self.udf
            fields.append((FIELD_UDF_OP, bytes((udf_op,))))
            fields.append((FIELD_UDF_PACKAGE_NAME, module.encode("utf-8")))
            fields.append((FIELD_UDF_FUNCTION, function.encode("utf-8")))
            fields.append((FIELD_UDF_ARGLIST, arglist))
        expressions = getattr(policy, "expressions", None)
        if expressions:
            fields.append((FIELD_FILTER_EXP, expressions))
        if pid_array:
            fields.append((FIELD_PID_ARRAY, pid_array))
        if digest_array:
            fields.append((FIELD_DIGEST_ARRAY, digest_array))
            if bval_array and self.filter_fields:
                fields.append((FIELD_BVAL_ARRAY, bval_array))
        if max_records > 0:
            fields.append((FIELD_MAX_RECORDS, _U64.pack(max_records & 0xFFFFFFFFFFFFFFFF)))
        if self.ops:
            ops: list = list(self.ops)
        else:
            ops = [(OP_READ, PARTICLE_NULL, name, b"") for name in self.bins]
        try:
            if self.background:
                info2 = INFO2_WRITE | (INFO2_DURABLE_DELETE if policy.durable_delete else 0)
                timeout = policy.total_timeout if self.write_timeout is None else self.write_timeout
                return encode_message(0, info2, 0, 0, 0, 0, self.record_ttl, timeout, fields, ops)
            info1 = INFO1_READ | (INFO1_NOBINDATA if self.nobins else 0) | self.info1
            return encode_message(
                info1, self.info2, INFO3_PARTITION_DONE, 0, 0, 0, _READ_TTL_NONE, policy.total_timeout, fields, ops
            )
        except ProtocolError as error:
            raise exception.ParamError(str(error)) from None


# ------------------------------------------------------------------------------------------------ records


def record_tuple(message: Message, codec: ValueCodec, nobins: bool = False) -> tuple:
    """The spec's ``(key, meta, bins)`` of one scan/query record message (bins ``{}`` with nobins, as 3.0.0)."""
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
        return key, meta, {}
    return key, meta, codec.ops_to_bins(message.ops)


class BinSelection:
    """The bins a Scan or Query returns, kept as 3.0.0's as_scan/as_query select list kept them.

    The first ``select()`` fixes how many names the list holds; later calls add names only while room is
    left (in practice they are ignored). A name of more than 15 bytes is skipped; a bytearray name ends at its
    first NUL. No names (or only skipped ones): every bin.
    """

    __slots__ = ("names", "capacity")

    def __init__(self) -> None:
        self.names: list[bytes] = []
        self.capacity: Optional[int] = None

    def add(self, bins: Sequence[Any]) -> None:
        if self.capacity is None:
            self.capacity = len(bins)
        for name in bins:
            if isinstance(name, str):
                encoded = name.encode("utf-8", "surrogatepass")
            elif isinstance(name, bytearray):
                encoded = bytes(name).split(b"\0", 1)[0]
            else:
                raise exception.ParamError(exception.ParamError.code, "Bin name should be of type string")
            if len(encoded) <= MAX_FILTER_BIN_NAME and len(self.names) < self.capacity:
                self.names.append(encoded)


def parse_target(args: tuple, kwargs: dict) -> Optional[tuple[Any, Any]]:
    """(namespace, set) of ``client.query(...)`` / ``client.scan(...)`` arguments, None when they do not fit
    ``(namespace[, set])`` (3.0.0 parsed them with the kwlist namespace, set)."""
    if len(args) > 2:
        return None
    values = dict(zip(("namespace", "set"), args))
    for name, value in kwargs.items():
        if name not in ("namespace", "set") or name in values:
            return None
        values[name] = value
    if "namespace" not in values:
        return None
    return values["namespace"], values.get("set")


def callback_runner(callback: Any, message: str) -> Callable[[Any], bool]:
    """Call a user's foreach callback: False stops; an exception it raises becomes ClientError(message)."""

    def run(*item: Any) -> bool:
        try:
            result = callback(*item)
        except Exception as error:
            raise exception.ClientError(exception.ClientError.code, message) from error
        return result is not False

    return run


_CALLBACK_ERROR = "Callback function contains an error"  # 3.0.0's Query.foreach message


# ------------------------------------------------------------------------------------------------ current API

_PF_PREFIX = "invalid partition_filter policy"


def _param(message: str) -> exception.ParamError:
    return exception.ParamError(exception.ParamError.code, message)


def partition_filter_status(value: Any) -> PartitionsStatus:
    """The partition state a ``partition_filter`` policy dict asks for, checked with 19.x's messages."""
    if not isinstance(value, dict):
        raise _param(f"{_PF_PREFIX}, partition_filter must be a dict")
    begin = value.get("begin")
    count = value.get("count")
    digest = value.get("digest")
    status = value.get("partition_status")
    if status is not None and not isinstance(status, dict):
        raise _param(f"{_PF_PREFIX}, partition_status must be a dict")
    begin_message = (
        f"{_PF_PREFIX} begin, begin must \t\t\t\t\t\tbe an int between 0 and {N_PARTITIONS - 1} inclusive"
    )
    if begin is None:
        first = 0
    elif isinstance(begin, int) and 0 <= begin < N_PARTITIONS:
        first = int(begin)
    else:
        raise _param(begin_message)
    count_message = f"{_PF_PREFIX} count, count must \t\t\t\t\t\tbe an int between 1 and {N_PARTITIONS} inclusive"
    if count is None:
        number = N_PARTITIONS
    elif isinstance(count, int) and 1 <= count <= N_PARTITIONS:
        number = int(count)
    else:
        raise _param(count_message)
    if first + number > N_PARTITIONS:
        raise _param(
            f"invalid partition filter range,\t\t\t\t\t\tbegin: {first} count: {number}, valid range when "
            f"begin + count <= {N_PARTITIONS}"
        )
    start_digest: Optional[bytes] = None
    if isinstance(digest, dict) and digest.get("init") and isinstance(digest.get("value"), (bytes, bytearray)):
        start_digest = bytes(digest["value"])[:DIGEST_SIZE].ljust(DIGEST_SIZE, b"\0")
        # A digest names the partition to start in (the C client's rule).
        first = (start_digest[0] | start_digest[1] << 8) & (N_PARTITIONS - 1)
        number = min(number, N_PARTITIONS - first)
    parts = PartitionsStatus.range(first, number, start_digest)
    if status is not None:
        for key in ("done", "retry"):
            if key not in status:
                raise _param(f"partition_status dict missing key '{key}'")
            if not isinstance(status[key], int):
                raise _param(f"partition_status dict key '{key}' must be an int")
        parts.done = bool(status["done"])
        parts.retry = bool(status["retry"])
        for part in parts.parts:
            entry = status.get(part.partition_id)
            if not isinstance(entry, tuple):
                continue
            pid = part.partition_id
            if len(entry) > 1:
                if not isinstance(entry[1], int):
                    raise _param(f"invalid init for part_id: {pid}")
                init = bool(entry[1])
            else:
                init = False
            if len(entry) > 2:
                if not isinstance(entry[2], int):
                    raise _param(f"invalid retry for part_id: {pid}")
                part.retry = bool(entry[2])
            if len(entry) > 3:
                if not isinstance(entry[3], bytearray):
                    raise _param(f"invalid digest value for part_id: {pid}")
                if init:
                    part.digest = bytes(entry[3])[:DIGEST_SIZE].ljust(DIGEST_SIZE, b"\0")
            if len(entry) > 4:
                if not isinstance(entry[4], int):
                    raise _param(f"invalid bval for part_id: {pid}")
                if not 0 <= entry[4] < 1 << 64:
                    raise _param(f"invalid bval for partition id: {pid}, bval must fit in unsigned long long")
                part.bval = int(entry[4])
    return parts


class CallOptions:
    """The current API's keys of a scan or query policy dict (3.0.0 ignored them; 19.x reads them)."""

    __slots__ = ("partitions", "max_records", "records_per_second", "info1", "info2")

    def __init__(self, policy: Any, kind: str) -> None:
        self.partitions: Optional[PartitionsStatus] = None
        self.max_records = 0
        self.records_per_second = 0
        self.info1 = 0
        self.info2 = 0
        if not isinstance(policy, dict):
            return
        if "partition_filter" in policy and policy["partition_filter"] is not None:
            self.partitions = partition_filter_status(policy["partition_filter"])
        if kind == "scan":
            self.max_records = _uint_option(policy, "max_records", 64)
            self.records_per_second = _uint_option(policy, "records_per_second", 32)
        else:
            if policy.get("short_query") is True:
                self.info1 = INFO1_SHORT_QUERY
            else:
                duration = policy.get("expected_duration")
                if duration == QUERY_DURATION_SHORT:
                    self.info1 = INFO1_SHORT_QUERY
                elif duration == QUERY_DURATION_LONG_RELAX_AP:
                    self.info2 = INFO2_RELAX_AP_LONG_QUERY


def _uint_option(policy: dict, name: str, bits: int) -> int:
    value = policy.get(name)
    if value is None:
        return 0
    if not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise _param(f"{name} is invalid")
    return int(value)


def encode_ops(client: Any, operations: Any) -> tuple[list[Op], bool]:
    """The wire ops of an ``add_ops`` list (any operate op dict), and whether any of them writes.

    The ops are encoded exactly as ``operate`` encodes them (through a throwaway key), so a scan or query
    sends the same bytes; anything operate refuses is 19.x's ParamError 'Failed to convert ops.'.
    """
    from .key import make_key
    from .protocol.message import decode_message
    from .record_commands import encode_operate

    if not isinstance(operations, list):
        raise exception.ClientError(exception.ClientError.code, "Ops must be list.")
    if not operations:
        return [], False
    if not all(isinstance(operation, dict) for operation in operations):
        raise _param("Failed to convert ops.")
    try:
        spec = encode_operate(make_key("ns", "set", 0), operations, None, client._resolve("operate", None), client._codec)
    except exception.AerospikeError:
        raise _param("Failed to convert ops.") from None
    message, _ = decode_message(spec.request[PROTO_HEADER_SIZE:])
    return list(message.ops), spec.is_write


class PartitionedStream:
    """What the current API's Query and Scan share: pagination, partition state, ``add_ops``, attributes."""

    _kind = "query"
    _client: Any
    namespace: str
    set: Optional[str]

    def _init_stream(self) -> None:
        self._paginate = False
        self._partitions: Optional[PartitionsStatus] = None
        self._ops: Optional[list[Op]] = None
        self._ops_write = False
        self._max_records = 0
        self._records_per_second = 0
        self._ttl = 0

    # Plain unsigned integer attributes (the official client's T_ULONG / T_UINT members).
    def _set_uint(self, name: str, value: Any, bits: int) -> None:
        if not isinstance(value, int):
            raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an integer")
        setattr(self, name, int(value) & ((1 << bits) - 1))

    @property
    def ttl(self) -> int:
        """TTL of the records a background write (add_ops + execute_background) touches; 0: the namespace's."""
        return self._ttl

    @ttl.setter
    def ttl(self, value: Any) -> None:
        self._set_uint("_ttl", value, 32)

    def paginate(self) -> bool:
        """Keep the partition state between calls, so each results()/foreach() continues where the last
        one stopped (pages of ``max_records``); returns True."""
        self._client._connected_cluster()
        self._paginate = True
        return True

    def is_done(self) -> bool:
        """Whether the last paginated or partition_filter call returned every record."""
        self._client._connected_cluster()
        return self._partitions is not None and self._partitions.done

    def get_partitions_status(self) -> dict:
        """The saved partition state (``{}`` when this instance keeps none): ``done``, ``retry`` and
        ``{id: (id, init, retry, digest, bval)}``."""
        if self._partitions is None:
            return {}
        return self._partitions.as_dict()

    def add_ops(self, ops: Any) -> Any:
        """Operations for every record the scan/query finds: writes with execute_background(), reads with
        results()/foreach()."""
        self._client._connected_cluster()
        self._ops, self._ops_write = encode_ops(self._client, ops)
        return self

    def _tracker_status(self, options: CallOptions) -> Optional[PartitionsStatus]:
        """The partition state this call continues (and keeps, when paginating or filtering by partition)."""
        if options.partitions is not None and self._partitions is None:
            self._partitions = options.partitions
        if self._partitions is None and self._paginate:
            self._partitions = PartitionsStatus.range()
        return self._partitions

    def _start_background(self, policy: Any, udf: Optional[tuple[str, str, list]], predicate: Any) -> int:
        from .udf import _arglist, _start_background

        client = self._client
        cluster = client._connected_cluster()
        write_policy = client._resolve("write", policy)
        if udf is None and self._ops is None:
            raise _param("Background function or ops is required")
        udf_fields = None
        if udf is not None and self._ops is None:
            module, function, arguments = udf
            udf_fields = (UDF_OP_BACKGROUND, module, function, _arglist(client, arguments))
        record_ttl = self._ttl
        if record_ttl == TTL_CLIENT_DEFAULT:
            record_ttl = 0
        request = StreamRequest(
            self.namespace,
            self.set,
            write_policy,
            predicate=predicate,
            udf=udf_fields,
            background=True,
            write_timeout=write_policy.total_timeout,
            ops=self._ops or (),
            records_per_second=self._records_per_second,
            record_ttl=record_ttl,
        )
        if self._ops is not None and self._ops and not self._ops_write:
            raise _param("Background query operations must be write-only. Use query for read-only operations.")
        return _start_background(client, cluster, request, write_policy)


class Query(PartitionedStream):
    """A query over a set of a namespace: ``select``, ``where``, ``results``, ``foreach``, ``apply``, and the
    current API's ``paginate``, ``add_ops``, ``execute_background``, ``max_records`` and partition filters."""

    def __init__(self, client: Any, *args: Any, **kwargs: Any) -> None:
        target = parse_target(args, kwargs)
        if target is None:
            raise exception.ParamError(exception.ParamError.code, "query() expects atleast 1 parameter")
        namespace, set_name = target
        if not isinstance(namespace, str):
            raise exception.ParamError(exception.ParamError.code, "Namespace should be a string")
        if set_name is not None and not isinstance(set_name, str):
            raise exception.ParamError(exception.ParamError.code, "Set should be string, unicode or None")
        self._client = client
        self.namespace = namespace
        self.set = set_name
        self._selection = BinSelection()
        self._predicate: Optional[IndexFilter] = None
        self._ctx: Optional[bytes] = None
        self._udf: Optional[tuple[str, str, list]] = None
        self._nobins = False
        self._init_stream()

    @property
    def max_records(self) -> int:
        """Approximate number of records a results()/foreach() call returns (0: no limit); shared out over
        the nodes."""
        return self._max_records

    @max_records.setter
    def max_records(self, value: Any) -> None:
        self._set_uint("_max_records", value, 64)

    @property
    def records_per_second(self) -> int:
        """Limit on the records each node reads per second (0: no limit)."""
        return self._records_per_second

    @records_per_second.setter
    def records_per_second(self, value: Any) -> None:
        self._set_uint("_records_per_second", value, 32)

    def select(self, *bins: Any, **_ignored: Any) -> Query:
        """Return only these bins of each record (the first select() call decides, as in 3.0.0)."""
        self._client._connected_cluster()
        self._selection.add(bins)
        return self

    def where(self, predicate: Any, /, *extra: Any, **keywords: Any) -> Query:
        """Filter on a secondary index with one ``aerospike.predicates`` tuple; ``ctx`` (a list of
        ``aerospike_helpers.cdt_ctx`` contexts) names an index on a nested element.

        At most one predicate: as in 3.0.0, a second where() checks its predicate and is then ignored.
        """
        if len(extra) > 5:
            raise TypeError(f"where expected at most 6 arguments, got {len(extra) + 1}")
        ctx = keywords.pop("ctx", None)
        if keywords:
            raise TypeError(f"where() got an unexpected keyword argument '{next(iter(keywords))}'")
        if ctx is None and extra and isinstance(extra[0], list):
            ctx = extra[0]
        self._client._connected_cluster()
        checked = where_filter(predicate)
        packed_ctx = _pack_ctx(ctx) if ctx is not None else None
        if self._predicate is None:
            self._predicate = checked
            self._ctx = packed_ctx
        return self

    def where_with_expr(self, *args: Any, **kwargs: Any) -> Query:
        """Filter on an expression index (19.x): ``expr`` is the index's compiled expression (or its base64
        text), ``predicate`` an ``aerospike.predicates`` tuple whose bin is None. At most one predicate."""
        expr, predicate = _two_arguments("where_with_expr", args, kwargs)
        checked = named_index_filter(predicate, FIELD_INDEX_EXPRESSION, b"")
        checked = checked._replace(index_data=index_expression(expr))
        return self._set_named_predicate(checked)

    def where_with_index_name(self, *args: Any, **kwargs: Any) -> Query:
        """Filter on the secondary index called ``index_name`` (19.x), with an ``aerospike.predicates`` tuple
        whose bin is None. At most one predicate."""
        index_name, predicate = _two_arguments("where_with_index_name", args, kwargs)
        if not isinstance(index_name, str):
            raise TypeError(f"where_with_index_name() argument 1 must be str, not {type(index_name).__name__}")
        name = index_name.encode("utf-8", "surrogatepass")
        # 19.3.0 sends no field 21 for an empty name (the server then refuses the bin-less filter).
        checked = named_index_filter(predicate, FIELD_INDEX_NAME if name else 0, name)
        return self._set_named_predicate(checked)

    def _set_named_predicate(self, checked: IndexFilter) -> Query:
        # As 19.3.0: a query that already has a predicate refuses another one here (where() keeps 3.0.0's rule).
        if self._predicate is not None:
            raise exception.ParamError(exception.ParamError.code, _WHERE_FAILED)
        self._predicate = checked
        self._ctx = None
        return self

    def apply(self, module: Any, function: Any, arguments: Any = None, policy: Any = None) -> Query:
        """Aggregate the results with a stream UDF (the final reduce runs in this client, in Lua); with
        execute_background(), apply it as a record UDF to every record found instead."""
        self._client._connected_cluster()
        if not isinstance(module, str):
            raise exception.ClientError(
                exception.ClientError.code, "udf module argument must be a string or unicode string"
            )
        if not isinstance(function, str):
            raise exception.ClientError(
                exception.ClientError.code, "udf function argument must be a string or unicode string"
            )
        # 3.0.0 passes no arguments when `arguments` is not a list.
        self._udf = (module, function, list(arguments) if isinstance(arguments, list) else [])
        return self

    def results(self, policy: Optional[dict] = None, options: Optional[dict] = None) -> list:
        """Every matching record as ``(key, meta, bins)``, or the aggregation's values after apply()."""
        found: list = []
        self._run(found.append, policy, options, False)  # append returns None: not False, so on
        return found

    def foreach(self, callback: Callable[[Any], Any], policy: Optional[dict] = None, options: Optional[dict] = None) -> None:
        """Call ``callback(record)`` for each record as it arrives; a False return stops the query.

        With a ``partition_filter`` policy the callback gets ``(partition_id, record)``. An exception raised by
        the callback ends the query with ClientError, as in 3.0.0.
        """
        self._run(callback, policy, options, True, _CALLBACK_ERROR)

    def execute_background(self, policy: Optional[dict] = None) -> int:
        """Apply the add_ops() operations (or the apply() record UDF) to every record the query finds, in the
        background; returns the job id for ``job_info(id, aerospike.JOB_QUERY)`` at once."""
        return self._start_background(policy, self._udf, self._predicate)

    def _set_options(self, options: Any) -> None:
        # 3.0.0's set_query_options: only 'nobins' is read, and it stays set on the query.
        if options is None:
            return
        if not isinstance(options, dict):
            raise exception.ParamError(exception.ParamError.code, "query options must be a dictionary")
        if "nobins" in options:
            value = options["nobins"]
            if not isinstance(value, bool):
                raise exception.ParamError(exception.ParamError.code, "nobins value must be a bool")
            self._nobins = value

    def _run(
        self,
        callback: Callable[..., Any],
        policy: Any,
        options: Any,
        with_partition: bool,
        callback_error: Optional[str] = None,
    ) -> None:
        client = self._client
        cluster = client._connected_cluster()
        query_policy = client._resolve("query", policy)
        self._set_options(options)
        current = CallOptions(policy, "query")
        if self._udf is not None:
            from .udf import run_aggregation

            if callback_error is not None:
                callback = callback_runner(callback, callback_error)
            run_aggregation(client, cluster, query_policy, self.namespace, self.set, self._predicate, self._udf, callback)
            return
        if self._ops is not None and self._ops_write:
            raise _param("Query operations must be read-only. Use background query for write-only operations.")
        request = StreamRequest(
            self.namespace,
            self.set,
            query_policy,
            bins=self._selection.names,
            nobins=self._nobins,
            predicate=self._predicate,
            ops=self._ops or (),
            records_per_second=self._records_per_second,
            ctx=self._ctx,
            info1=current.info1,
            info2=current.info2,
        )
        run_records(
            client,
            cluster,
            query_policy,
            request,
            callback,
            self._nobins,
            concurrent=True,
            status=self._tracker_status(current),
            max_records=self._max_records,
            with_partition=with_partition and current.partitions is not None,
            callback_error=callback_error,
        )


def _two_arguments(method: str, args: tuple, kwargs: dict) -> tuple[Any, Any]:
    # 19.3.0's METH_VARARGS methods: exactly two positional arguments, no keywords.
    if kwargs:
        raise TypeError(f"Query.{method}() takes no keyword arguments")
    if len(args) != 2:
        raise TypeError(f"{method}() takes exactly 2 arguments ({len(args)} given)")
    return args[0], args[1]


def _pack_ctx(ctx: Any) -> bytes:
    """Field 23: the msgpack list of a where() ctx's (id, value) pairs, as the CDT operations pack them."""
    from .protocol.expressions import ExpressionError, pack_ctx

    if not isinstance(ctx, list):
        raise _param("ctx must be a list of cdt_ctx objects")
    try:
        return pack_ctx(ctx)
    except ExpressionError as error:
        raise _param(str(error)) from None


def run_records(
    client: Any,
    cluster: Any,
    policy: Any,
    request: StreamRequest,
    callback: Callable[..., Any],
    nobins: bool,
    concurrent: bool,
    node_name: Optional[str] = None,
    status: Optional[PartitionsStatus] = None,
    max_records: int = 0,
    with_partition: bool = False,
    callback_error: Optional[str] = None,
    frames: bool = True,
) -> None:
    """Run a partition scan/query, handing each record tuple to callback (False stops).

    `status` is the partition state to continue and update; `with_partition` hands the callback
    ``(partition_id, record)`` (a foreach with a partition_filter); with `callback_error`, an exception the
    callback raises becomes ``ClientError(callback_error)`` (foreach). Records are decoded straight from each
    reply frame (replies.scan_frame_reader); `frames` False takes the general path instead (messages through
    on_record below), which tests/unit/test_fast_paths.py holds the frame reader to.
    """
    from . import command
    from .partition_scan import PartitionTracker, run_partition_stream
    from .replies import scan_frame_reader

    codec = client._codec
    fixed_node = None
    partition_ids = None
    if node_name is not None:
        if not isinstance(node_name, str):
            raise exception.ParamError(exception.ParamError.code, "nodename must be a string")
        try:
            fixed_node = cluster.get_node(node_name)
        except exception.InvalidNodeError:
            raise exception.ParamError(exception.ParamError.code, f"Invalid node name: {node_name}") from None
        if status is None:
            partition_ids = [
                pid for pid in range(4096) if cluster.node_for(request.namespace, pid, 0) is fixed_node
            ]
    tracker = PartitionTracker(request.namespace, partition_ids, status, max_records)

    user_callback = callback
    if callback_error is not None:
        callback = callback_runner(callback, callback_error)
    if with_partition:

        def on_record(message: Message) -> bool:
            digest = message.field(FIELD_DIGEST) or b"\0\0"
            partition_id = (digest[0] | digest[1] << 8) & (N_PARTITIONS - 1)
            return callback(partition_id, record_tuple(message, codec, nobins)) is not False

    else:

        def on_record(message: Message) -> bool:
            # run_partition_stream never calls this from two threads at once.
            return callback(record_tuple(message, codec, nobins)) is not False

    def read_frames(tracker: Any, assignment: Any, stop: Any, lock: Any) -> Callable[[bytes], int]:
        return scan_frame_reader(
            tracker, assignment, stop, lock, user_callback, codec, nobins, with_partition, callback_error
        )

    with_filter = request.has_filter

    def build(assignment: Any) -> bytes:
        return request.encode(
            assignment.pid_array(),
            assignment.digest_array(),
            assignment.bval_array() if with_filter else None,
            assignment.record_max,
        )

    run_partition_stream(
        cluster,
        command.execute_stream_frames if frames else command.execute_stream,
        policy,
        tracker,
        build,
        on_record,
        concurrent,
        client._config.thread_pool_size,
        fixed_node,
        read_frames if frames else None,
    )
