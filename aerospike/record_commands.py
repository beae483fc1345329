"""Single-record commands: request encoders and reply parsers for get, select, exists, put, touch, remove,
remove_bin, append, prepend, increment, operate and operate_ordered.

Owns: the message header bits each call and policy sets (byte-identical to the official client's requests:
fields namespace, set, digest, then the user key with POLICY_KEY_SEND; transaction_ttl from the timeouts),
the meta dict (ttl, gen), the scalar operation dicts of ``operate``, and turning a reply message into the
spec's result shapes or exceptions. Must not know sockets or the retry loop (command.py runs requests).

List and map operations (``OP_LIST_*`` / ``OP_MAP_*`` dicts) are built by :mod:`aerospike.ops`; each keeps a
result shape, and the reply parsers pair every reply op with the request op it answers (one reply op per
request op when a map operation asked for RESPOND_ALL_OPS, else by bin, in order) to shape its value. Other
operation families plug into ``operate`` through :func:`register_operator`.
"""

from __future__ import annotations

import struct
import time
from typing import Any, Callable, Optional

from ._constants import (
    OPERATOR_APPEND,
    OPERATOR_INCR,
    OPERATOR_PREPEND,
    OPERATOR_READ,
    OPERATOR_TOUCH,
    OPERATOR_WRITE,
    POLICY_COMMIT_LEVEL_MASTER,
    POLICY_CONSISTENCY_ALL,
    POLICY_EXISTS_CREATE,
    POLICY_EXISTS_CREATE_OR_REPLACE,
    POLICY_EXISTS_REPLACE,
    POLICY_EXISTS_UPDATE,
    POLICY_GEN_EQ,
    POLICY_GEN_GT,
    POLICY_KEY_SEND,
    SERIALIZER_PYTHON,
)
from .exception import AerospikeError, ParamError, error_for_code
from .key import Key
from .ops import ResultShape, build_cdt_op, is_cdt_op
from .ops.results import KIND_KEY_VALUE, flat_key_values
from .policy import Policy
from .protocol.compression import compress_frame
from .protocol.constants import (
    CITRUSLEAF_EPOCH,
    DIGEST_SIZE,
    FIELD_DIGEST,
    FIELD_KEY,
    FIELD_NAMESPACE,
    FIELD_SET,
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
    INFO3_REPLACE_ONLY,
    INFO3_SC_READ_TYPE,
    INFO3_UPDATE_ONLY,
    OP_APPEND,
    OP_DELETE,
    OP_INCR,
    OP_PREPEND,
    OP_READ,
    OP_TOUCH,
    OP_WRITE,
    PARTICLE_BLOB,
    PARTICLE_INTEGER,
    PARTICLE_NULL,
    PARTICLE_STRING,
    RESULT_KEY_NOT_FOUND,
    RESULT_OK,
    RESULT_TIMEOUT,
)
from .protocol.errors import ProtocolError
from .protocol.message import Message, Op, encode_fields, encode_message_with_fields
from .protocol.particles import decode_value
from .values import MAX_BIN_NAME, ValueCodec, check_bin_name

__all__ = [
    "NEVER_EXPIRES",
    "OperateSpec",
    "encode_exists",
    "encode_get",
    "encode_operate",
    "encode_put",
    "encode_remove",
    "encode_select",
    "encode_single_op",
    "encode_touch",
    "meta_from_message",
    "parse_meta",
    "raise_for",
    "register_operator",
    "ttl_from_void_time",
]

NEVER_EXPIRES = 0xFFFFFFFF  # the ttl the official client reports for a record that never expires
_U32_MAX = 0xFFFFFFFF
_EMPTY = b""

# ------------------------------------------------------------------------------------------------ meta


def parse_meta(meta: Any) -> tuple[int, int]:
    """(ttl, generation) of a meta dict for the message header; ttl -1/-2 become the u32 specials."""
    if meta is None:
        return 0, 0
    if not isinstance(meta, dict):
        raise ParamError("meta must be a dict")
    ttl = meta.get("ttl", 0)
    gen = meta.get("gen", 0)
    if ttl is None:
        ttl = 0
    if gen is None:
        gen = 0
    if isinstance(ttl, bool) or not isinstance(ttl, int):
        raise ParamError("meta 'ttl' must be an integer")
    if isinstance(gen, bool) or not isinstance(gen, int):
        raise ParamError("meta 'gen' must be an integer")
    if ttl < 0:
        if ttl < -2:
            raise ParamError("meta 'ttl' must be -2, -1 or a number of seconds")
        ttl &= _U32_MAX
    elif ttl > _U32_MAX:
        raise ParamError("meta 'ttl' is out of range")
    if not 0 <= gen <= _U32_MAX:
        raise ParamError("meta 'gen' is out of range")
    return ttl, gen


def ttl_from_void_time(void_time: int, now: Optional[float] = None) -> int:
    """The remaining seconds of a void time (seconds since 2010-01-01), 0xFFFFFFFF for never-expire.

    A record already past its void time reports 1, as the C client does.
    """
    if void_time == 0:
        return NEVER_EXPIRES
    current = int((time.time() if now is None else now) - CITRUSLEAF_EPOCH)
    return void_time - current if void_time > current else 1


def meta_from_message(message: Message) -> dict[str, int]:
    """The spec's meta dict ``{'ttl': ..., 'gen': ...}`` of a reply."""
    return {"ttl": ttl_from_void_time(message.record_ttl), "gen": message.generation}


# ------------------------------------------------------------------------------------------------ errors


def raise_for(message: Message, is_write: bool = False) -> AerospikeError:
    """The exception for a reply's non-zero result code (in doubt only for a server-side write timeout)."""
    code = message.result_code
    return error_for_code(code, in_doubt=is_write and code == RESULT_TIMEOUT)


# ------------------------------------------------------------------------------------------------ encoding


def server_timeout(policy: Policy) -> int:
    # What the official clients send as transaction_ttl: the socket timeout when it is the tighter limit.
    total = policy.total_timeout
    socket = policy.socket_timeout
    if socket and (not total or socket < total):
        return socket
    return total


def _fields(key: Key, policy: Policy) -> list[tuple[int, bytes]]:
    fields = [
        (FIELD_NAMESPACE, key.namespace_bytes),
        (FIELD_SET, key.set_bytes),
        (FIELD_DIGEST, key.digest),
    ]
    if policy.key == POLICY_KEY_SEND and key.key_field is not None:
        fields.append((FIELD_KEY, key.key_field))
    return fields


def _read_info1(policy: Policy, info1: int) -> int:
    if policy.consistency_level == POLICY_CONSISTENCY_ALL:
        info1 |= INFO1_READ_MODE_AP_ALL
    return info1


def _read_info3(policy: Policy) -> int:
    return INFO3_SC_READ_TYPE if policy.linearize_read else 0


def _write_flags(policy: Policy, generation: int) -> tuple[int, int, int]:
    """(info2 bits, info3 bits, generation to send) of a write policy's exists/gen/commit/durable settings."""
    info2 = INFO2_WRITE
    info3 = 0
    exists = policy.exists
    if exists:
        if exists == POLICY_EXISTS_CREATE:
            info2 |= INFO2_CREATE_ONLY
        elif exists == POLICY_EXISTS_UPDATE:
            info3 |= INFO3_UPDATE_ONLY
        elif exists == POLICY_EXISTS_REPLACE:
            info3 |= INFO3_REPLACE_ONLY
        elif exists == POLICY_EXISTS_CREATE_OR_REPLACE:
            info3 |= INFO3_CREATE_OR_REPLACE
    gen = policy.gen
    if gen == POLICY_GEN_EQ:
        info2 |= INFO2_GENERATION
    elif gen == POLICY_GEN_GT:
        info2 |= INFO2_GENERATION_GT
    else:
        generation = 0
    if policy.durable_delete:
        info2 |= INFO2_DURABLE_DELETE
    if policy.commit_level == POLICY_COMMIT_LEVEL_MASTER:
        info3 |= INFO3_COMMIT_MASTER
    return info2, info3, generation


# The namespace, set and digest field headers, encoded once per namespace and set: every record request starts
# its fields with them, then the key's digest (and its KEY field with POLICY_KEY_SEND).
_TARGET_FIELDS: dict[tuple[bytes, bytes], bytes] = {}
_TARGET_FIELDS_MAX = 512
_DIGEST_PLACEHOLDER = bytes(DIGEST_SIZE)


def _target_fields(namespace_bytes: bytes, set_bytes: bytes) -> bytes:
    target = (namespace_bytes, set_bytes)
    prefix = _TARGET_FIELDS.get(target)
    if prefix is None:
        fields = ((FIELD_NAMESPACE, namespace_bytes), (FIELD_SET, set_bytes), (FIELD_DIGEST, _DIGEST_PLACEHOLDER))
        prefix = encode_fields(fields)[:-DIGEST_SIZE]
        if len(_TARGET_FIELDS) >= _TARGET_FIELDS_MAX:
            _TARGET_FIELDS.clear()
        _TARGET_FIELDS[target] = prefix
    return prefix


def _frame(
    key: Key,
    policy: Policy,
    info1: int,
    info2: int,
    info3: int,
    generation: int,
    ttl: int,
    ops: list[Op],
) -> bytes:
    # The fields of _fields(key, policy), encoded as encode_message would.
    prefix = _TARGET_FIELDS.get((key.namespace_bytes, key.set_bytes)) or _target_fields(
        key.namespace_bytes, key.set_bytes
    )
    if policy.key == POLICY_KEY_SEND and key.key_field is not None:
        n_fields = 4
        fields = prefix + key.digest + encode_fields(((FIELD_KEY, key.key_field),))
    else:
        n_fields = 3
        fields = prefix + key.digest
    # server_timeout(policy), inlined.
    total = policy.total_timeout
    socket = policy.socket_timeout
    transaction_ttl = socket if socket and (not total or socket < total) else total
    try:
        frame = encode_message_with_fields(info1, info2, info3, 0, 0, generation, ttl, transaction_ttl, n_fields, fields, ops)
    except ProtocolError as error:
        raise ParamError(str(error)) from None
    threshold = policy.compression_threshold
    if threshold and len(frame) > threshold:
        return compress_frame(frame)
    return frame


# get requests differ only in their last 20 bytes, the digest, for one policy, namespace and set: the bytes
# before it are built once (the hot path then costs one concatenation). Keyed by the policy's id, the entry
# keeps the policy itself, so a recycled id is never mistaken for it.
_GET_PREFIXES: dict[tuple[int, bytes, bytes], tuple[Policy, bytes]] = {}
_GET_PREFIXES_MAX = 512


def encode_get(key: Key, policy: Policy) -> bytes:
    """get: read all bins."""
    cache_key = (id(policy), key.namespace_bytes, key.set_bytes)
    entry = _GET_PREFIXES.get(cache_key)
    if entry is not None and entry[0] is policy:
        return entry[1] + key.digest
    frame = _frame(key, policy, _read_info1(policy, INFO1_READ | INFO1_GET_ALL), 0, _read_info3(policy), 0, 0, [])
    if frame.endswith(key.digest):  # neither a KEY field after it nor compressed
        if len(_GET_PREFIXES) >= _GET_PREFIXES_MAX:
            _GET_PREFIXES.clear()
        _GET_PREFIXES[cache_key] = (policy, frame[: -len(key.digest)])
    return frame


def encode_select(key: Key, bins: Any, policy: Policy) -> bytes:
    """select: read the named bins."""
    if not isinstance(bins, (list, tuple)):
        raise ParamError("bins must be a list of bin names")
    ops = []
    for name in bins:
        check_bin_name(name)
        ops.append(Op(OP_READ, PARTICLE_NULL, name, _EMPTY))
    return _frame(key, policy, _read_info1(policy, INFO1_READ), 0, _read_info3(policy), 0, 0, ops)


def encode_exists(key: Key, policy: Policy) -> bytes:
    """exists: metadata only."""
    info1 = _read_info1(policy, INFO1_READ | INFO1_NOBINDATA)
    return _frame(key, policy, info1, 0, _read_info3(policy), 0, 0, [])


def encode_put(key: Key, ops: list[Op], meta: Any, policy: Policy) -> bytes:
    """put (and remove_bin): write ops already encoded from the bins."""
    ttl, generation = parse_meta(meta)
    info2, info3, generation = _write_flags(policy, generation)
    return _frame(key, policy, 0, info2, info3, generation, ttl, ops)


def encode_touch(key: Key, ttl_value: Any, meta: Any, policy: Policy) -> bytes:
    """touch: reset the ttl (``val``, else meta's ttl) and bump the generation."""
    ttl, generation = parse_meta(meta)
    if ttl_value is not None:
        if isinstance(ttl_value, bool) or not isinstance(ttl_value, int):
            raise ParamError("touch val must be an integer ttl")
        if ttl_value:
            ttl, _ = parse_meta({"ttl": ttl_value})
    info2, info3, generation = _write_flags(policy, generation)
    return _frame(key, policy, 0, info2, info3, generation, ttl, [Op(OP_TOUCH, PARTICLE_NULL, "", _EMPTY)])


def encode_remove(key: Key, meta: Any, policy: Policy) -> bytes:
    """remove: delete the record (generation check from meta's gen with POLICY_GEN_EQ/GT)."""
    _, generation = parse_meta(meta)
    info2, info3, generation = _write_flags(policy, generation)
    return _frame(key, policy, 0, info2 | INFO2_DELETE, info3, generation, 0, [])


def _append_value(value: Any, codec: ValueCodec) -> tuple[int, bytes]:
    if isinstance(value, str):
        return PARTICLE_STRING, value.encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        return PARTICLE_BLOB, bytes(value)
    raise ParamError("append/prepend value must be a str or bytearray")


def _incr_value(value: Any, codec: ValueCodec) -> tuple[int, bytes]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamError("increment value must be an int or float")
    return codec.encode(value)


def encode_single_op(
    key: Key, op_type: int, bin_name: Any, value: Any, meta: Any, policy: Policy, codec: ValueCodec
) -> bytes:
    """append / prepend / increment: one write op on one bin."""
    check_bin_name(bin_name)
    if op_type == OP_INCR:
        particle_type, data = _incr_value(value, codec)
    else:
        particle_type, data = _append_value(value, codec)
    ttl, generation = parse_meta(meta)
    info2, info3, generation = _write_flags(policy, generation)
    return _frame(key, policy, 0, info2, info3, generation, ttl, [Op(op_type, particle_type, bin_name, data)])


# ------------------------------------------------------------------------------------------------ operate

# An operator encoder turns one op dict into (wire op, reads?, writes?, ttl from the op or None).
OperatorEncoder = Callable[[dict, ValueCodec], "tuple[Op, bool, bool, Optional[int]]"]
_OPERATORS: dict[int, OperatorEncoder] = {}


def register_operator(op_code: int, encoder: OperatorEncoder) -> None:
    """Let another module (list/map operations, ...) handle the op dicts whose 'op' is `op_code`."""
    _OPERATORS[op_code] = encoder


def _bin_of(op: dict) -> str:
    name = op.get("bin")
    if name is None:
        raise ParamError("operation requires a 'bin'")
    check_bin_name(name)
    return name  # type: ignore[no-any-return]


def _value_of(op: dict) -> Any:
    if "val" not in op:
        raise ParamError("operation requires a 'val'")
    return op["val"]


def _op_read(op: dict, codec: ValueCodec) -> tuple[Op, bool, bool, Optional[int]]:
    return Op(OP_READ, PARTICLE_NULL, _bin_of(op), _EMPTY), True, False, None


def _op_write(op: dict, codec: ValueCodec) -> tuple[Op, bool, bool, Optional[int]]:
    name = _bin_of(op)
    particle_type, data = codec.encode(_value_of(op), SERIALIZER_PYTHON)
    return Op(OP_WRITE, particle_type, name, data), False, True, None


def _op_incr(op: dict, codec: ValueCodec) -> tuple[Op, bool, bool, Optional[int]]:
    name = _bin_of(op)
    particle_type, data = _incr_value(_value_of(op), codec)
    return Op(OP_INCR, particle_type, name, data), False, True, None


def _op_append(op: dict, codec: ValueCodec) -> tuple[Op, bool, bool, Optional[int]]:
    name = _bin_of(op)
    particle_type, data = _append_value(_value_of(op), codec)
    return Op(OP_APPEND, particle_type, name, data), False, True, None


def _op_prepend(op: dict, codec: ValueCodec) -> tuple[Op, bool, bool, Optional[int]]:
    name = _bin_of(op)
    particle_type, data = _append_value(_value_of(op), codec)
    return Op(OP_PREPEND, particle_type, name, data), False, True, None


def _op_touch(op: dict, codec: ValueCodec) -> tuple[Op, bool, bool, Optional[int]]:
    # A 'val' on touch is the deprecated way to give the ttl; meta's ttl wins when both are given.
    ttl = None
    if op.get("val") is not None:
        ttl, _ = parse_meta({"ttl": op["val"]})
    return Op(OP_TOUCH, PARTICLE_NULL, "", _EMPTY), False, True, ttl


def _op_delete(op: dict, codec: ValueCodec) -> tuple[Op, bool, bool, Optional[int]]:
    return Op(OP_DELETE, PARTICLE_NULL, "", _EMPTY), False, True, None


register_operator(OPERATOR_READ, _op_read)
register_operator(OPERATOR_WRITE, _op_write)
register_operator(OPERATOR_INCR, _op_incr)
register_operator(OPERATOR_APPEND, _op_append)
register_operator(OPERATOR_PREPEND, _op_prepend)
register_operator(OPERATOR_TOUCH, _op_touch)
register_operator(OP_DELETE, _op_delete)  # the wire's delete op (later clients' OPERATOR_DELETE)


# The built-in encoders encode_operate inlines for their common cases (only while they are still the registered
# encoder of their code and not shadowed by a list/map operation code).
_INLINE_OPERATORS: dict[int, OperatorEncoder] = {
    code: encoder
    for code, encoder in ((OPERATOR_READ, _op_read), (OPERATOR_WRITE, _op_write), (OPERATOR_INCR, _op_incr))
    if not is_cdt_op(code)
}
_new_tuple = tuple.__new__  # an Op without NamedTuple's Python-level __new__ (hot path)
_I64_PACK = struct.Struct(">q").pack
_I64_UNPACK = struct.Struct(">q").unpack
_INT64_MIN = -(1 << 63)
_INT64_LIMIT = 1 << 63


# What an operate reply op becomes, per request op: READ_RESULT (a bin read: the value as decoded), a
# ResultShape (a list/map operation), or NO_RESULT (scalar writes, touch, delete: they report no value, and the
# nil op the server sends for them under RESPOND_ALL_OPS is dropped, so mixing in a map operation changes nothing).
READ_RESULT = "read"
NO_RESULT = None
ResultSlot = Optional["ResultShape | str"]


class OperateSpec:
    """An encoded operate request and what its reply parser needs to know.

    ``results`` holds one ``(bin_name, slot)`` per request op, in request order; ``respond_all_ops`` says the
    request asked for one reply op per request op. ``key_value_pairs`` picks the shape of MAP_RETURN_KEY_VALUE
    results: False for operate and operate_ordered (a flat ``[k1, v1, ...]`` list, client.rst's format since
    2.1.3), True for the map_* convenience methods (``[(k1, v1), ...]``, aerospike.rst's map return types).
    """

    __slots__ = ("request", "is_write", "results", "respond_all_ops", "key_value_pairs")

    def __init__(
        self,
        request: bytes,
        is_write: bool,
        results: Optional[list[tuple[str, ResultSlot]]] = None,
        respond_all_ops: bool = False,
    ) -> None:
        self.request = request
        self.is_write = is_write
        self.results: list[tuple[str, ResultSlot]] = results if results is not None else []
        self.respond_all_ops = respond_all_ops
        self.key_value_pairs = False


def encode_operate(key: Key, operations: Any, meta: Any, policy: Policy, codec: ValueCodec) -> OperateSpec:
    """operate / operate_ordered: the op dicts of the spec (scalar, list and map operations) in one request."""
    if not isinstance(operations, list):
        raise ParamError("operations must be a list of dicts")
    if not operations:
        raise ParamError("operations list must not be empty")
    ops: list[Op] = []
    results: list[tuple[str, ResultSlot]] = []
    reads = writes = respond_all = False
    op_ttl: Optional[int] = None
    cdt_fallback = None
    for operation in operations:
        if type(operation) is dict:
            code = operation.get("op")
            if type(code) is int and _INLINE_OPERATORS.get(code, _EMPTY) is _OPERATORS.get(code):
                # Fast path: a read, or a write/increment of an int (or a write of a str), on a plain ASCII bin
                # name. Anything else falls through to the operator's encoder, which raises the proper error.
                name = operation.get("bin")
                if type(name) is str and len(name) <= MAX_BIN_NAME and name.isascii():
                    if code == OPERATOR_READ:
                        ops.append(_new_tuple(Op, (OP_READ, PARTICLE_NULL, name, _EMPTY)))
                        results.append((name, READ_RESULT))
                        reads = True
                        continue
                    value = operation.get("val", _EMPTY)
                    kind = type(value)
                    if kind is int and _INT64_MIN <= value < _INT64_LIMIT:
                        particle: Optional[tuple[int, bytes]] = (PARTICLE_INTEGER, _I64_PACK(value))
                    elif kind is str and code == OPERATOR_WRITE and value.isascii():
                        particle = (PARTICLE_STRING, value.encode("ascii"))
                    else:
                        particle = None
                    if particle is not None:
                        op_type = OP_WRITE if code == OPERATOR_WRITE else OP_INCR
                        ops.append(_new_tuple(Op, (op_type, particle[0], name, particle[1])))
                        results.append((name, NO_RESULT))
                        writes = True
                        continue
        elif not isinstance(operation, dict):
            raise ParamError("each operation must be a dict")
        code = operation.get("op")
        if isinstance(code, bool) or not isinstance(code, int):
            raise ParamError("operation 'op' must be one of the aerospike.OPERATOR_* constants")
        if is_cdt_op(code):
            if cdt_fallback is None:
                cdt_fallback = codec.fallback_for(SERIALIZER_PYTHON)
            op, shape = build_cdt_op(operation, cdt_fallback)
            ops.append(op)
            results.append((op.bin_name, shape))
            if shape.is_write:
                writes = True
            else:
                reads = True
            respond_all = respond_all or shape.respond_all_ops
            continue
        encoder = _OPERATORS.get(code)
        if encoder is None:
            raise ParamError(f"unsupported operation {code!r}")
        op, is_read, is_write, ttl = encoder(operation, codec)
        ops.append(op)
        results.append((op.bin_name, READ_RESULT if is_read else NO_RESULT))
        reads = reads or is_read
        writes = writes or is_write
        if ttl is not None:
            op_ttl = ttl
    ttl, generation = parse_meta(meta) if meta is not None else (0, 0)
    if op_ttl is not None and not (isinstance(meta, dict) and meta.get("ttl") is not None):
        ttl = op_ttl
    info1 = _read_info1(policy, INFO1_READ) if reads else 0
    info3 = _read_info3(policy) if reads else 0
    info2 = INFO2_RESPOND_ALL_OPS if respond_all else 0
    if writes:
        write_info2, write_info3, generation = _write_flags(policy, generation)
        info2 |= write_info2
        info3 |= write_info3
    else:
        generation = 0
    request = _frame(key, policy, info1, info2, info3, generation, ttl, ops)
    return OperateSpec(request, writes, results, respond_all)


# ------------------------------------------------------------------------------------------------ replies


def _reply_key(key: Key, message: Message) -> tuple:
    # The official client's get reports the key the server sent back (CE sends none), so None.
    key_field = message.field(FIELD_KEY)
    user_key = None
    if key_field:
        try:
            user_key = decode_value(key_field[0], key_field[1:])
        except ProtocolError:
            user_key = None
    return (key.namespace, key.set_name, user_key, bytearray(key.digest))


def get_parser(key: Key, codec: ValueCodec) -> Callable[[Message], tuple]:
    """Parser of a get reply: ``(key, meta, bins)`` with the key as the server returned it."""

    def parse(message: Message) -> tuple:
        if message.result_code != RESULT_OK:
            raise raise_for(message)
        void_time = message.record_ttl
        return (
            # A reply without fields has no KEY field: _reply_key would report no user key either.
            _reply_key(key, message) if message.fields else (key.namespace, key.set_name, None, bytearray(key.digest)),
            {"ttl": NEVER_EXPIRES if void_time == 0 else ttl_from_void_time(void_time), "gen": message.generation},
            codec.ops_to_bins(message.ops),
        )

    return parse


def select_parser(key: Key, codec: ValueCodec) -> Callable[[Message], tuple]:
    """Parser of a select / operate reply: ``(key, meta, bins)`` with the caller's key."""

    def parse(message: Message) -> tuple:
        if message.result_code != RESULT_OK:
            raise raise_for(message)
        return (
            key.as_tuple(),
            {"ttl": ttl_from_void_time(message.record_ttl), "gen": message.generation},
            codec.ops_to_bins(message.ops),
        )

    return parse


def operate_results(spec: OperateSpec, message: Message, codec: ValueCodec) -> list[tuple[str, Any]]:
    """``[(bin, value), ...]`` of an operate reply, in request order, each value in its operation's shape.

    Each reply op answers the next request op on the same bin that can answer: with RESPOND_ALL_OPS every
    request op gets one reply op (a nil one for an op without a value); without it only reads and list/map
    operations with a result do. Ops whose slot is NO_RESULT are left out.
    """
    decode = codec.decode
    slots = spec.results
    count = len(slots)
    respond_all = spec.respond_all_ops
    found: list[tuple[str, Any]] = []
    cursor = 0
    for op in message.ops:
        index = cursor
        while index < count:
            name, slot = slots[index]
            if name == op.bin_name and (respond_all or slot is not NO_RESULT):
                break
            index += 1
        if index == count:
            # A reply op no request op asked for (a server answering more than asked): keep it as a value.
            found.append((op.bin_name, decode(op.particle_type, op.value)))
            continue
        cursor = index + 1
        slot = slots[index][1]
        if slot is NO_RESULT:
            continue
        if isinstance(slot, ResultShape):
            value = decode(op.particle_type, op.value, slot.preserved_map_as_list)
            if slot.kind == KIND_KEY_VALUE and not spec.key_value_pairs:
                found.append((op.bin_name, flat_key_values(value)))
            else:
                found.append((op.bin_name, slot(value)))
        else:
            value = op.value
            if op.particle_type == PARTICLE_INTEGER and len(value) == 8:  # most reads: decoded inline
                found.append((op.bin_name, _I64_UNPACK(value)[0]))
            else:
                found.append((op.bin_name, decode(op.particle_type, value)))
    return found


def _plain_results(message: Message, codec: ValueCodec) -> list[tuple[str, Any]]:
    decode = codec.decode
    return [(op.bin_name, decode(op.particle_type, op.value)) for op in message.ops]


def operate_parser(key: Key, codec: ValueCodec, spec: OperateSpec | bool) -> Callable[[Message], tuple]:
    """Parser of an operate reply: ``(key, meta, bins)``, one entry per bin (a later op on a bin wins).

    `spec` is the request's OperateSpec; a bare ``is_write`` flag (no result shapes known) decodes every reply
    op as it is.
    """
    is_write = spec.is_write if isinstance(spec, OperateSpec) else bool(spec)

    def parse(message: Message) -> tuple:
        if message.result_code != RESULT_OK:
            raise raise_for(message, is_write)
        if isinstance(spec, OperateSpec):
            bins = dict(operate_results(spec, message, codec))
        else:
            bins = codec.ops_to_bins(message.ops)
        return (
            key.as_tuple(),
            {"ttl": ttl_from_void_time(message.record_ttl), "gen": message.generation},
            bins,
        )

    return parse


def operate_ordered_parser(key: Key, codec: ValueCodec, spec: OperateSpec | bool) -> Callable[[Message], tuple]:
    """Parser of an operate_ordered reply: ``(key, meta, [(bin, value), ...])`` in operation order.

    `spec` as for :func:`operate_parser`.
    """
    is_write = spec.is_write if isinstance(spec, OperateSpec) else bool(spec)

    def parse(message: Message) -> tuple:
        if message.result_code != RESULT_OK:
            raise raise_for(message, is_write)
        if isinstance(spec, OperateSpec):
            results = operate_results(spec, message, codec)
        else:
            results = _plain_results(message, codec)
        return (
            key.as_tuple(),
            {"ttl": ttl_from_void_time(message.record_ttl), "gen": message.generation},
            results,
        )

    return parse


def exists_parser(key: Key) -> Callable[[Message], tuple]:
    """Parser of an exists reply: ``(key, meta)``, meta None when the record is missing."""

    def parse(message: Message) -> tuple:
        code = message.result_code
        if code == RESULT_OK:
            return key.as_tuple(), {"ttl": ttl_from_void_time(message.record_ttl), "gen": message.generation}
        if code == RESULT_KEY_NOT_FOUND:
            return key.as_tuple(), None
        raise raise_for(message)

    return parse


def _status_parse_write(message: Message) -> int:
    if message.result_code != RESULT_OK:
        raise raise_for(message, True)
    return 0


def status_parser() -> Callable[[Message], int]:
    """Parser of a write without results (put, touch, remove, ...): 0, the official client's return value."""
    return _status_parse_write


__all__ += [
    "MAX_BIN_NAME",
    "exists_parser",
    "get_parser",
    "operate_ordered_parser",
    "operate_parser",
    "operate_results",
    "select_parser",
    "status_parser",
]
