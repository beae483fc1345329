"""The current API's batch methods: ``batch_read``, ``batch_write``, ``batch_operate``, ``batch_apply``,
``batch_remove``, with per-record results in ``aerospike_helpers.batch.records`` objects (19.3.0's shapes).

Owns: turning each sub-command (read, write/operate, UDF apply, remove) and its 19.x batch policy into one batch
row (info bits, generation, TTL, fields, ops), the batch-index field with write/apply/delete rows and the
"repeat previous row" shortcut where 19.3.0 uses it, sending a lone sub-command as a plain single-record command
as 19.3.0 does, answering keys of an unknown namespace on the client (result 20), and filling each BatchRecord
(result, record, message, in_doubt) and the BatchRecords' result (-16 when some key failed).
Must not know sockets: command.execute / execute_stream send and read.
The 3.0.0 methods get_many, exists_many and select_many stay in batch.py.
"""

from __future__ import annotations

import struct
from time import monotonic, sleep
from typing import Any, Callable, Optional, Sequence

from . import exception
from . import record_commands as rc
from ._constants import (
    POLICY_COMMIT_LEVEL_MASTER,
    POLICY_EXISTS_CREATE,
    POLICY_EXISTS_CREATE_OR_REPLACE,
    POLICY_EXISTS_REPLACE,
    POLICY_EXISTS_UPDATE,
    POLICY_GEN_EQ,
    POLICY_GEN_GT,
    POLICY_KEY_SEND,
)
from .batch import (
    _RETRYABLE,
    BATCH_FLAG_ALLOW_INLINE,
    BATCH_FLAG_BASE,
    BATCH_FLAG_RESPOND_ALL_KEYS,
    BATCH_MSG_REPEAT,
    _group,
    replica_step,
)
from .key import Key, parse_key
from .ops.results import KIND_KEY_VALUE, flat_key_values
from .policy import Policy, build
from .protocol.constants import (
    FIELD_BATCH_INDEX,
    FIELD_DIGEST,
    FIELD_FILTER_EXP,
    FIELD_KEY,
    FIELD_NAMESPACE,
    FIELD_SET,
    FIELD_UDF_ARGLIST,
    FIELD_UDF_FUNCTION,
    FIELD_UDF_PACKAGE_NAME,
    INFO1_BATCH,
    INFO1_GET_ALL,
    INFO1_NOBINDATA,
    INFO1_READ,
    INFO1_READ_MODE_AP_ALL,
    INFO2_CREATE_ONLY,
    INFO2_DELETE,
    INFO2_DURABLE_DELETE,
    INFO2_GENERATION,
    INFO2_GENERATION_GT,
    INFO2_RESPOND_ALL_OPS,
    INFO2_WRITE,
    INFO3_COMMIT_MASTER,
    INFO3_CREATE_OR_REPLACE,
    INFO3_LAST,
    INFO3_REPLACE_ONLY,
    INFO3_UPDATE_ONLY,
    OP_READ,
    PARTICLE_NULL,
    PARTICLE_STRING,
    RESULT_FILTERED_OUT,
    RESULT_KEY_NOT_FOUND,
    RESULT_OK,
)
from .protocol.errors import ProtocolError
from .protocol.message import Message, Op, decode_message, encode_fields, encode_message

__all__ = ["batch_apply", "batch_operate", "batch_read", "batch_remove", "batch_write", "encode_rows"]

BATCH_FLAG_ALLOW_INLINE_SSD = 0x02  # the server may answer inline for device namespaces too
BATCH_MSG_INFO = 0x02  # the row carries info1/2/3
BATCH_MSG_GEN = 0x04  # the row carries a u16 generation
BATCH_MSG_TTL = 0x08  # the row carries a u32 TTL
_READ_ROW_FLAGS = BATCH_MSG_INFO | BATCH_MSG_TTL
_WRITE_ROW_FLAGS = BATCH_MSG_INFO | BATCH_MSG_GEN | BATCH_MSG_TTL

RESULT_BATCH_FAILED = -16  # AEROSPIKE_BATCH_FAILED: some key of the batch failed
RESULT_NAMESPACE_NOT_FOUND = 20
READ_MODE_AP_ALL = 1  # 19.x POLICY_READ_MODE_AP_ALL
TTL_CLIENT_DEFAULT = -3  # 19.x TTL_CLIENT_DEFAULT: take the policy's ttl
_U32 = 0xFFFFFFFF
_FAILURE_BIN = "FAILURE"

# Results that do not make the whole batch a failure.
_ORDINARY = frozenset((RESULT_OK, RESULT_KEY_NOT_FOUND, RESULT_FILTERED_OUT))

_KIND_READ, _KIND_WRITE, _KIND_APPLY, _KIND_REMOVE = range(4)

_ROW_HEAD = struct.Struct(">I20sB")
_READ_ROW = struct.Struct(">BBBIHH")  # info1, info2, info3, ttl, field count, op count
_WRITE_ROW = struct.Struct(">BBBHIHH")  # info1, info2, info3, generation, ttl, field count, op count
_BATCH_HEAD = struct.Struct(">IB")
_OP_HEAD = struct.Struct(">IBBBB")

# The operate policy the row ops are encoded under: digest only, no filter (a row's filter is its own field).
_ROW_OPS_POLICY = build("operate")


class _Row:
    """One sub-command of a batch: what its row (or its plain command, when alone) carries."""

    __slots__ = ("key", "kind", "info1", "info2", "info3", "generation", "ttl", "filter", "send_key", "udf",
                 "ops", "slots", "identity", "header_only", "is_write")

    def __init__(self, key: Key, kind: int) -> None:
        self.key = key
        self.kind = kind
        self.info1 = self.info2 = self.info3 = 0
        self.generation = 0
        self.ttl = 0
        self.filter: Optional[bytes] = None
        self.send_key = False
        self.udf: Optional[tuple[bytes, bytes, bytes]] = None  # module, function, msgpack arguments
        self.ops: list[Op] = []
        self.slots: list[Any] = []  # per op: its result shape (or None: the value as it comes)
        self.identity: Any = None  # rows with equal identity (and namespace and set) are sent as repeats
        self.header_only = False  # batch_read with bins=[]: the record is (key, meta)
        self.is_write = kind != _KIND_READ

    def row_fields(self) -> list[tuple[int, bytes]]:
        """Fields after namespace and set, in 19.3.0's batch-row order: filter, key, UDF."""
        fields: list[tuple[int, bytes]] = []
        if self.filter is not None:
            fields.append((FIELD_FILTER_EXP, self.filter))
        if self.send_key and self.key.key_field is not None:
            fields.append((FIELD_KEY, self.key.key_field))
        if self.udf is not None:
            fields += [(FIELD_UDF_PACKAGE_NAME, self.udf[0]), (FIELD_UDF_FUNCTION, self.udf[1]),
                       (FIELD_UDF_ARGLIST, self.udf[2])]
        return fields

    def repeats(self, previous: Optional[_Row]) -> bool:
        if previous is None or self.identity is None or self.send_key or previous.send_key:
            return False
        return (
            previous.identity == self.identity
            and previous.key.namespace_bytes == self.key.namespace_bytes
            and previous.key.set_bytes == self.key.set_bytes
        )


# ------------------------------------------------------------------------------------------------ policies


def _policy_dict(policy: Any) -> dict:
    if policy is None:
        return {}
    if not isinstance(policy, dict):
        raise exception.ParamError(exception.ParamError.code, "policy must be a dict")
    return policy


def _int_entry(policy: dict, name: str, default: int = 0) -> int:
    value = policy.get(name)
    if value is None:
        return default
    if not isinstance(value, int):
        raise exception.ParamError(exception.ParamError.code, f"{name} is invalid")
    return int(value)


def _filter_of(policy: dict) -> Optional[bytes]:
    compiled = policy.get("expressions")
    if compiled is None:
        return None
    from .ops.exp_ops import encode_filter

    return encode_filter(compiled)


def _ttl_value(ttl: int) -> int:
    return ttl & _U32


def _write_bits(row: _Row, policy: dict) -> None:
    """The write-policy bits of a write, remove or apply row (exists, gen, durable delete, commit level)."""
    exists = _int_entry(policy, "exists")
    if exists == POLICY_EXISTS_CREATE:
        row.info2 |= INFO2_CREATE_ONLY
    elif exists == POLICY_EXISTS_UPDATE:
        row.info3 |= INFO3_UPDATE_ONLY
    elif exists == POLICY_EXISTS_REPLACE:
        row.info3 |= INFO3_REPLACE_ONLY
    elif exists == POLICY_EXISTS_CREATE_OR_REPLACE:
        row.info3 |= INFO3_CREATE_OR_REPLACE
    gen = _int_entry(policy, "gen")
    if gen == POLICY_GEN_EQ:
        row.info2 |= INFO2_GENERATION
    elif gen == POLICY_GEN_GT:
        row.info2 |= INFO2_GENERATION_GT
    else:
        row.generation = 0
    if _int_entry(policy, "durable_delete"):
        row.info2 |= INFO2_DURABLE_DELETE
    if _int_entry(policy, "commit_level") == POLICY_COMMIT_LEVEL_MASTER:
        row.info3 |= INFO3_COMMIT_MASTER
    row.send_key = _int_entry(policy, "key") == POLICY_KEY_SEND
    row.filter = _filter_of(policy)


# ------------------------------------------------------------------------------------------------ rows


def _encode_ops(key: Key, operations: list, codec: Any) -> tuple[list[Op], list[Any], bool, bool]:
    """(ops, result slots, any read, any write) of operation dicts, encoded as operate encodes them."""
    spec = rc.encode_operate(key, operations, None, _ROW_OPS_POLICY, codec)
    message, _ = decode_message(spec.request, 8)
    slots = [slot if isinstance(slot, rc.ResultShape) else None for _, slot in spec.results]
    return list(message.ops), slots, bool(message.info1 & INFO1_READ), spec.is_write


def _read_row(key: Key, bins: Optional[Sequence[str]], header_only: bool, policy: dict, identity: Any) -> _Row:
    row = _Row(key, _KIND_READ)
    row.info1 = INFO1_READ
    if header_only:
        row.info1 |= INFO1_NOBINDATA
    elif bins is None:
        row.info1 |= INFO1_GET_ALL
    else:
        row.ops = [Op(OP_READ, PARTICLE_NULL, name, b"") for name in bins]
        row.slots = [None] * len(row.ops)
    if _int_entry(policy, "read_mode_ap") == READ_MODE_AP_ALL or _int_entry(policy, "consistency_level") == 1:
        row.info1 |= INFO1_READ_MODE_AP_ALL
    row.ttl = _ttl_value(_int_entry(policy, "read_touch_ttl_percent"))
    row.identity = identity
    return row


def _operate_row(key: Key, operations: list, policy: dict, meta: Any, ttl: Optional[int], codec: Any,
                 identity: Any, always_write: bool) -> _Row:
    ops, slots, reads, writes = _encode_ops(key, operations, codec)
    if not writes and not always_write:
        row = _read_row(key, (), False, policy, identity)
        row.ops, row.slots = ops, slots
        row.filter = _filter_of(policy)
        return row
    row = _Row(key, _KIND_WRITE)
    row.info1 = INFO1_READ if reads else 0
    row.info2 = INFO2_WRITE | INFO2_RESPOND_ALL_OPS
    meta_ttl, meta_gen = rc.parse_meta(meta, "operate") if meta is not None else (None, 0)
    if meta is not None and "ttl" not in meta:
        meta_ttl = None
    row.generation = meta_gen
    _write_bits(row, policy)
    chosen = meta_ttl if meta_ttl is not None and meta_ttl != _ttl_value(TTL_CLIENT_DEFAULT) else ttl
    if chosen is None or _ttl_value(chosen) == _ttl_value(TTL_CLIENT_DEFAULT):
        chosen = _int_entry(policy, "ttl")
    row.ttl = _ttl_value(chosen)
    row.ops, row.slots = ops, slots
    row.identity = identity
    return row


def _remove_row(key: Key, policy: dict, identity: Any) -> _Row:
    row = _Row(key, _KIND_REMOVE)
    row.info2 = INFO2_WRITE | INFO2_DELETE | INFO2_RESPOND_ALL_OPS
    row.generation = _int_entry(policy, "generation") & 0xFFFF
    _write_bits(row, policy)
    row.identity = identity
    return row


def _apply_row(key: Key, udf: tuple[bytes, bytes, bytes], policy: dict, identity: Any) -> _Row:
    row = _Row(key, _KIND_APPLY)
    row.info2 = INFO2_WRITE
    _write_bits(row, policy)
    row.generation = 0
    row.ttl = _ttl_value(_int_entry(policy, "ttl"))
    row.udf = udf
    row.identity = identity
    return row


def encode_rows(entries: Sequence[tuple[int, _Row]], flags: int) -> bytes:
    """The data of field 41 for `entries` ((index in the call, row) pairs)."""
    parts = [_BATCH_HEAD.pack(len(entries), flags)]
    previous: Optional[_Row] = None
    for index, row in entries:
        key = row.key
        if row.repeats(previous):
            parts.append(_ROW_HEAD.pack(index, key.digest, BATCH_MSG_REPEAT))
            continue
        previous = row
        fields = [(FIELD_NAMESPACE, key.namespace_bytes), (FIELD_SET, key.set_bytes)] + row.row_fields()
        if row.kind == _KIND_READ:
            parts.append(_ROW_HEAD.pack(index, key.digest, _READ_ROW_FLAGS))
            parts.append(_READ_ROW.pack(row.info1, row.info2, row.info3, row.ttl, len(fields), len(row.ops)))
        else:
            parts.append(_ROW_HEAD.pack(index, key.digest, _WRITE_ROW_FLAGS))
            parts.append(_WRITE_ROW.pack(row.info1, row.info2, row.info3, row.generation, row.ttl, len(fields),
                                         len(row.ops)))
        parts.append(encode_fields(fields))
        for op in row.ops:
            name = op.bin_name.encode("utf-8", "surrogatepass")
            parts.append(_OP_HEAD.pack(4 + len(name) + len(op.value), op.op_type, op.particle_type, 0, len(name)))
            parts.append(name)
            parts.append(op.value)
    return b"".join(parts)


def _batch_flags(policy: dict, batch_policy: Policy) -> int:
    flags = BATCH_FLAG_BASE
    if batch_policy.allow_inline:
        flags |= BATCH_FLAG_ALLOW_INLINE
    if _int_entry(policy, "allow_inline_ssd"):
        flags |= BATCH_FLAG_ALLOW_INLINE_SSD
    if _int_entry(policy, "respond_all_keys", 1):
        flags |= BATCH_FLAG_RESPOND_ALL_KEYS
    return flags


def _single_request(row: _Row, parent_filter: Optional[bytes], batch_policy: Policy) -> bytes:
    """A lone row as the plain single-record command 19.3.0 sends instead of a batch."""
    key = row.key
    fields = [(FIELD_NAMESPACE, key.namespace_bytes), (FIELD_SET, key.set_bytes), (FIELD_DIGEST, key.digest)]
    if row.send_key and key.key_field is not None:
        fields.append((FIELD_KEY, key.key_field))
    chosen = row.filter if row.filter is not None else parent_filter
    if chosen is not None:
        fields.append((FIELD_FILTER_EXP, chosen))
    if row.udf is not None:
        fields += [(FIELD_UDF_PACKAGE_NAME, row.udf[0]), (FIELD_UDF_FUNCTION, row.udf[1]),
                   (FIELD_UDF_ARGLIST, row.udf[2])]
    info2 = row.info2
    if row.kind == _KIND_REMOVE:
        info2 &= ~INFO2_RESPOND_ALL_OPS
    return encode_message(row.info1, info2, row.info3, 0, 0, row.generation, row.ttl,
                          rc.server_timeout(batch_policy), fields, row.ops)


# ------------------------------------------------------------------------------------------------ results


def _decoder(codec: Any) -> Callable[..., Any]:
    """codec.decode, but lists and maps come back with KeyOrderedDict for the maps the server marks
    key-ordered, as 19.3.0 returns them (the 3.0.0 API's calls keep plain dicts)."""
    from .cdt_types import KeyOrderedDict
    from .protocol.cdt import unpack
    from .protocol.constants import PARTICLE_LIST, PARTICLE_MAP
    from .values import GeoJSON

    def decode(particle_type: int, data: bytes, preserved_map_as_list: bool = False) -> Any:
        if particle_type not in (PARTICLE_MAP, PARTICLE_LIST):
            return codec.decode(particle_type, data, preserved_map_as_list)
        try:
            return unpack(data, GeoJSON, codec._blob_factory, preserved_map_as_list=preserved_map_as_list,
                          key_ordered_type=KeyOrderedDict)
        except ProtocolError as error:
            raise exception.ClientError(
                exception.ClientError.code, f"cannot decode a value of particle type {particle_type}: {error}"
            ) from None

    return decode


def _bins(row: _Row, message: Message, codec: Any) -> dict[str, Any]:
    decode = _decoder(codec)
    slots = row.slots
    bins: dict[str, Any] = {}
    for position, op in enumerate(message.ops):
        slot = slots[position] if position < len(slots) and row.ops[position].bin_name == op.bin_name else None
        if slot is None:
            bins[op.bin_name] = decode(op.particle_type, op.value)
            continue
        value = decode(op.particle_type, op.value, slot.preserved_map_as_list)
        bins[op.bin_name] = flat_key_values(value) if slot.kind == KIND_KEY_VALUE else slot(value)
    return bins


def _failure_text(message: Message) -> Optional[str]:
    for op in message.ops:
        if op.bin_name == _FAILURE_BIN and op.particle_type == PARTICLE_STRING:
            return bytes(op.value).decode("utf-8", "replace")
    return None


def _fill(record: Any, row: _Row, message: Message, codec: Any, address: str, single: bool) -> None:
    """Set `record`'s result, record tuple and message from the reply `message` of its row."""
    code = message.result_code
    record.result = code
    record.in_doubt = False
    if code == RESULT_OK:
        record.message = None
        if single and row.kind == _KIND_APPLY:
            meta = {"ttl": 0, "gen": 0}  # 19.3.0 reports no metadata for a lone UDF apply
        else:
            meta = {"ttl": rc.ttl_from_void_time(message.record_ttl), "gen": message.generation}
        key_tuple = row.key.as_tuple()
        if row.header_only:
            record.record = (key_tuple, meta)
        else:
            record.record = (key_tuple, meta, _bins(row, message, codec))
        return
    record.record = None
    if code == RESULT_KEY_NOT_FOUND:
        record.message = None
        return
    failure = _failure_text(message)
    if failure is not None:
        detail = failure
    elif single:
        detail = _status_name(code)
    else:
        detail = "AEROSPIKE_OK"  # 19.3.0 names no status for a failed batch row
    record.message = f"{address} {detail}"


def _status_name(code: int) -> str:
    return exception._RESULT_NAMES.get(code, f"AEROSPIKE_ERR({code})")


# ------------------------------------------------------------------------------------------------ running


def _run_node(client: Any, cluster: Any, node_policy: Policy, node: Any, rows: list[_Row], records: list[Any],
              indexes: list[int], parent_filter: Optional[bytes], flags: int, outcome: dict[str, Any],
              filled: set[int]) -> Optional[exception.AerospikeError]:
    """Send one node's rows; None when its reply came, or the failure that re-routing may cure (others raise;
    write rows of a request that may have been applied get in_doubt)."""
    from .command import execute_stream

    entries = [(index, rows[index]) for index in indexes]
    fields = []
    if parent_filter is not None:
        fields.append((FIELD_FILTER_EXP, parent_filter))
    fields.append((FIELD_BATCH_INDEX, encode_rows(entries, flags)))
    request = encode_message(INFO1_BATCH, 0, 0, 0, 0, 0, 0, rc.server_timeout(node_policy), fields, [])
    wanted = set(indexes)
    is_write = any(rows[index].is_write for index in indexes)

    def on_message(message: Message) -> bool:
        if message.info3 & INFO3_LAST:
            if message.result_code not in (RESULT_OK, RESULT_KEY_NOT_FOUND):
                # Without respond_all_keys the server ends the batch with a key's error code: 19.3.0
                # reports it as the batch's result (the keys keep their own results).
                outcome["node_error"] = message.result_code
            return False
        index = message.transaction_ttl
        if index not in wanted:
            if message.result_code:
                raise rc.raise_for(message)
            raise exception.ClientError(
                exception.ClientError.code, f"batch reply for unknown key index {index} from {node.name}"
            )
        _fill(records[index], rows[index], message, client._codec, node.address, False)
        filled.add(index)
        if message.result_code not in _ORDINARY:
            outcome["failed"] = True
        return True

    try:
        execute_stream(cluster, node_policy, node, request, on_message, is_write)
    except exception.AerospikeError as error:
        if error.code in _RETRYABLE:
            return error
        if is_write and error.in_doubt:
            for index in indexes:
                if rows[index].is_write:
                    records[index].in_doubt = True
        raise
    return None


def _run(client: Any, cluster: Any, rows: list[_Row], records: list[Any], batch_policy: Policy,
         parent_filter: Optional[bytes], flags: int) -> int:
    """Send every row, fill `records` (one per row), and return the BatchRecords result."""
    failed = False
    pending: list[int] = []
    for index, row in enumerate(rows):
        if not cluster.has_namespace(row.key.namespace):
            record = records[index]
            record.result = RESULT_NAMESPACE_NOT_FOUND
            record.record = None
            record.message = None
            failed = True
        else:
            pending.append(index)
    if not pending:
        return RESULT_BATCH_FAILED if failed else 0
    if len(pending) == 1:
        index = pending[0]
        row = rows[index]
        key = row.key
        node = cluster.node_for(key.namespace, key.partition_id, 0)
        address = node.address if node is not None else ""
        request = _single_request(row, parent_filter, batch_policy)

        def parse(message: Message) -> int:
            _fill(records[index], row, message, client._codec, address, True)
            return int(message.result_code)

        code = client._execute(cluster, batch_policy, request, key.namespace, key.partition_id, row.is_write,
                               parse)
        return RESULT_BATCH_FAILED if failed or code not in _ORDINARY else 0
    keys = [row.key for row in rows]
    # execute_stream retries a node only while nothing arrived; re-routing a failed node's rows (to the next
    # replica when the policy's replica is not MASTER) is this loop's job, as in batch.run_batch.
    node_policy = build("batch", {"max_retries": 0}, base=batch_policy)
    deadline = monotonic() + batch_policy.total_timeout / 1000.0 if batch_policy.total_timeout else 0.0
    outcome: dict[str, Any] = {"failed": failed, "node_error": 0}
    filled: set[int] = set()
    doubtful: set[int] = set()  # write rows of a failed request that had been sent
    attempt = 0
    while True:
        groups = _group(cluster, keys, pending, replica_step(batch_policy, attempt))
        retry: list[int] = []
        last_error: Optional[exception.AerospikeError] = None
        for node, indexes in groups.items():
            error = _run_node(client, cluster, node_policy, node, rows, records, indexes, parent_filter, flags,
                              outcome, filled)
            if error is not None:
                last_error = error
                retry.extend(index for index in indexes if index not in filled)
                if error.in_doubt:
                    doubtful.update(index for index in indexes if rows[index].is_write)
        if not retry:
            break
        attempt += 1
        if attempt > batch_policy.max_retries or (deadline and monotonic() >= deadline):
            assert last_error is not None
            for index in retry:
                if index in doubtful:
                    records[index].in_doubt = True
            raise last_error
        if batch_policy.sleep_between_retries:
            sleep(batch_policy.sleep_between_retries / 1000.0)
        pending = retry
    if outcome["node_error"]:
        return int(outcome["node_error"])
    return RESULT_BATCH_FAILED if outcome["failed"] else 0


# ------------------------------------------------------------------------------------------------ arguments


def _parse_keys(keys: Any) -> list[Key]:
    if not isinstance(keys, list):
        raise exception.ParamError(exception.ParamError.code, "keys should be a list of aerospike key tuples")
    parsed = []
    for position, key in enumerate(keys):
        if not isinstance(key, tuple):
            raise exception.ParamError(exception.ParamError.code, "key should be an aerospike key tuple")
        try:
            parsed.append(parse_key(key))
        except exception.ParamError as error:
            raise exception.ParamError(
                exception.ParamError.code, f"failed to convert key at index: {position} -> {error.msg}"
            ) from None
    return parsed


def _records_for(keys: list[Key]) -> list[Any]:
    from aerospike_helpers.batch.records import BatchRecord

    return [BatchRecord(key.as_tuple()) for key in keys]


def _new_batch_records(records: list[Any], result: int) -> Any:
    from aerospike_helpers.batch.records import BatchRecords

    batch_records = BatchRecords(records)
    batch_records.result = result
    return batch_records


def _batch_policy(client: Any, policy: Any) -> tuple[dict, Policy]:
    raw = _policy_dict(policy)
    return raw, client._resolve("batch", policy)


def _parent_write_policy(client: Any, policy: Any) -> tuple[dict, Policy]:
    """The parent batch policy of a batch with writes: the call's dict over ``config['policies']
    ['batch_parent_write']`` (not the client's 'batch' default, which only batch reads take), as 19.3.0."""
    from .policy import build_defaults

    raw = _policy_dict(policy)
    base = build_defaults(None)["batch"]
    configured = client._batch_defaults.get("batch_parent_write")
    if configured:
        base = build("batch", configured, base=base)
    return raw, (build("batch", raw, base=base) if raw else base)


def _row_policy(client: Any, name: str, policy: Any) -> dict:
    """A row policy: the call's (or record's) dict laid key by key over ``config['policies'][name]``
    (batch_write, batch_apply or batch_remove), as 19.3.0 starts from the config's default."""
    raw = _policy_dict(policy)
    configured = client._batch_defaults.get(name)
    if not configured:
        return raw
    merged = {key: value for key, value in configured.items() if key != "expressions"}
    merged.update(raw)
    return merged


def batch_read(client: Any, keys: Any, bins: Any = None, policy: Any = None) -> Any:
    """Client.batch_read: every bin, the named bins, or (``bins=[]``) only the metadata of each key."""
    cluster = client._connected_cluster()
    parsed = _parse_keys(keys)
    if bins is not None:
        if not isinstance(bins, list):
            raise exception.ParamError(exception.ParamError.code, "Bins argument should be a list.")
        for name in bins:
            if not isinstance(name, str):
                raise exception.ParamError(exception.ParamError.code, "Bin name should be a string or unicode string.")
    raw, batch_policy = _batch_policy(client, policy)
    records = _records_for(parsed)
    if not parsed:
        return _new_batch_records(records, 0)
    header_only = bins is not None and not bins
    identity = ("read", tuple(bins) if bins else bins is not None)
    rows = [_read_row(key, bins if bins else None, header_only, raw, identity) for key in parsed]
    for row in rows:
        row.header_only = header_only
    result = _run(client, cluster, rows, records, batch_policy, batch_policy.expressions,
                  _batch_flags(raw, batch_policy))
    return _new_batch_records(records, result)


def batch_operate(client: Any, keys: Any, ops: Any, policy_batch: Any = None, policy_batch_write: Any = None,
                  ttl: Any = None) -> Any:
    """Client.batch_operate: the same operations on every key."""
    cluster = client._connected_cluster()
    parsed = _parse_keys(keys)
    if not isinstance(ops, list) or not ops:
        raise exception.ParamError(exception.ParamError.code, "ops should be a list of op dictionaries")
    if ttl is not None and not isinstance(ttl, int):
        raise exception.ParamError(exception.ParamError.code, "ttl should be an integer")
    write_policy = _row_policy(client, "batch_write", policy_batch_write)
    raw, batch_policy = _batch_policy(client, policy_batch)
    records = _records_for(parsed)
    if not parsed:
        return _new_batch_records(records, 0)
    row_policy = {name: value for name, value in write_policy.items() if name != "expressions"}
    identity = ("operate",)
    rows = [_operate_row(key, ops, row_policy, None, ttl, client._codec, identity, False) for key in parsed]
    if any(row.is_write for row in rows):
        # With a write, 19.3.0 takes config['policies']['batch_parent_write'] instead of 'batch'.
        raw, batch_policy = _parent_write_policy(client, policy_batch)
    # 19.3.0 sends the write policy's filter as the whole batch's filter.
    parent_filter = batch_policy.expressions
    if parent_filter is None:
        parent_filter = _filter_of(write_policy)
    result = _run(client, cluster, rows, records, batch_policy, parent_filter, _batch_flags(raw, batch_policy))
    return _new_batch_records(records, result)


def _udf_parts(client: Any, module: Any, function: Any, args: Any) -> tuple[bytes, bytes, bytes]:
    from .udf import _arglist

    if not isinstance(module, str):
        raise exception.ParamError(exception.ParamError.code, "module must be a string")
    if not isinstance(function, str):
        raise exception.ParamError(exception.ParamError.code, "function must be a string")
    if not isinstance(args, list):
        raise exception.ParamError(exception.ParamError.code, "args must be a list of arguments for the UDF")
    return module.encode("utf-8"), function.encode("utf-8"), _arglist(client, args)


def batch_apply(client: Any, keys: Any, module: Any, function: Any, args: Any, policy_batch: Any = None,
                policy_batch_apply: Any = None) -> Any:
    """Client.batch_apply: one record UDF call per key."""
    cluster = client._connected_cluster()
    parsed = _parse_keys(keys)
    udf = _udf_parts(client, module, function, args)
    raw, batch_policy = _parent_write_policy(client, policy_batch)
    apply_policy = _row_policy(client, "batch_apply", policy_batch_apply)
    records = _records_for(parsed)
    if not parsed:
        return _new_batch_records(records, 0)
    parent_filter = batch_policy.expressions
    if parent_filter is None:
        parent_filter = _filter_of(apply_policy)
    row_policy = {name: value for name, value in apply_policy.items() if name != "expressions"}
    identity = ("apply",)
    rows = [_apply_row(key, udf, row_policy, identity) for key in parsed]
    result = _run(client, cluster, rows, records, batch_policy, parent_filter, _batch_flags(raw, batch_policy))
    return _new_batch_records(records, result)


def batch_remove(client: Any, keys: Any, policy_batch: Any = None, policy_batch_remove: Any = None) -> Any:
    """Client.batch_remove: remove every key."""
    cluster = client._connected_cluster()
    parsed = _parse_keys(keys)
    raw, batch_policy = _parent_write_policy(client, policy_batch)
    remove_policy = _row_policy(client, "batch_remove", policy_batch_remove)
    records = _records_for(parsed)
    if not parsed:
        return _new_batch_records(records, 0)
    parent_filter = batch_policy.expressions
    if parent_filter is None:
        parent_filter = _filter_of(remove_policy)
    row_policy = {name: value for name, value in remove_policy.items() if name != "expressions"}
    identity = ("remove",)
    rows = [_remove_row(key, row_policy, identity) for key in parsed]
    result = _run(client, cluster, rows, records, batch_policy, parent_filter, _batch_flags(raw, batch_policy))
    return _new_batch_records(records, result)


def _record_key(record: Any) -> Key:
    key = getattr(record, "key", None)
    if not isinstance(key, tuple):
        raise exception.ParamError(
            exception.ParamError.code, "py_key is NULL or not a tuple, key must be a aerospike key tuple"
        )
    return parse_key(key)


def _record_ops(record: Any) -> list:
    ops = getattr(record, "ops", None)
    if not isinstance(ops, list) or not ops:
        raise exception.ParamError(
            exception.ParamError.code,
            "py_ops_list is NULL or not a list, ops must be a list of aerospike operation dicts",
        )
    return ops


def _row_of(client: Any, record: Any) -> _Row:
    from aerospike_helpers.batch.records import Apply, Read, Remove, Write

    key = _record_key(record)
    policy = getattr(record, "policy", None)
    raw = _policy_dict(policy)
    if isinstance(record, Write):
        raw = _row_policy(client, "batch_write", policy)
    elif isinstance(record, Apply):
        raw = _row_policy(client, "batch_apply", policy)
    elif isinstance(record, Remove):
        raw = _row_policy(client, "batch_remove", policy)
    # Rows without a policy of their own and without ops of their own may go as repeats (19.3.0 compares them
    # by their C structs; a record's own ops or policy is always a struct of its own).
    if isinstance(record, Write):
        meta = record.meta
        if meta is not None and not isinstance(meta, dict):
            raise exception.ParamError(exception.ParamError.code, "Metadata should be of type dictionary")
        return _operate_row(key, _record_ops(record), raw, meta, None, client._codec, None, True)
    if isinstance(record, Read):
        meta = record.meta
        if meta is not None and not isinstance(meta, dict):
            raise exception.ParamError(exception.ParamError.code, "Metadata should be of type dictionary")
        if record.ops is not None:
            row = _operate_row(key, _record_ops(record), raw, None, None, client._codec, None, False)
            if _int_entry(raw, "read_mode_ap") == READ_MODE_AP_ALL:
                row.info1 |= INFO1_READ_MODE_AP_ALL
            row.filter = _filter_of(raw)
            return row
        identity = ("read", bool(record.read_all_bins)) if policy is None and meta is None else None
        row = _read_row(key, None, not record.read_all_bins, raw, identity)
        row.filter = _filter_of(raw)
        return row
    if isinstance(record, Apply):
        udf = _udf_parts(client, record.module, record.function, record.args)
        return _apply_row(key, udf, raw, None)
    if isinstance(record, Remove):
        return _remove_row(key, raw, ("remove",) if policy is None else None)
    raise exception.ParamError(exception.ParamError.code, "batch_record must be a BatchRecord class instance")


def batch_write(client: Any, batch_records: Any, policy_batch: Any = None) -> Any:
    """Client.batch_write: each record's own sub-command; results are set on the given records."""
    from aerospike_helpers.batch.records import BatchRecord, BatchRecords

    cluster = client._connected_cluster()
    if not isinstance(batch_records, BatchRecords):
        raise exception.ParamError(
            exception.ParamError.code,
            "batch_records must be an aerospike_helpers.batch.records.BatchRecords instance",
        )
    raw, batch_policy = _parent_write_policy(client, policy_batch)
    records = list(batch_records.batch_records or [])
    rows = []
    for record in records:
        if not isinstance(record, BatchRecord):
            raise exception.ParamError(
                exception.ParamError.code, "batch_record must be a BatchRecord class instance"
            )
        rows.append(_row_of(client, record))
    if not rows:
        batch_records.result = 0
        return batch_records
    batch_records.result = _run(client, cluster, rows, records, batch_policy, batch_policy.expressions,
                                _batch_flags(raw, batch_policy))
    return batch_records

