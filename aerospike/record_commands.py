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
from functools import partial
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
from ._constants_current import OP_EXPR_READ, OP_EXPR_WRITE, OPERATOR_DELETE
from .exception import AerospikeError, BinNameError, ClientError, ParamError, error_for_code
from .key import Key
from .ops import ResultShape, build_bin_op, build_cdt_op, is_bin_op, is_cdt_op
from .ops.results import KIND_KEY_VALUE, flat_key_values
from .policy import Policy
from .protocol.compression import compress_frame
from .protocol.constants import (
    CITRUSLEAF_EPOCH,
    DIGEST_SIZE,
    FIELD_DIGEST,
    FIELD_FILTER_EXP,
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
    MSG_HEADER_SIZE,
    OP_APPEND,
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
from .protocol.constants import OP_DELETE as _OP_DELETE
from .protocol.errors import ProtocolError
from .protocol.message import (
    Message,
    Op,
    decode_message,
    encode_fields,
    encode_message_with_fields,
    read_ops,
    skip_fields,
    unpack_message_header,
)
from .values import BIN_NAME_TOO_LONG, MAX_BIN_NAME, Null, ValueCodec, bin_name_length, c_bin_name

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

_NULL = Null()
_PLAIN_CODEC = ValueCodec()
NEVER_EXPIRES = 0xFFFFFFFF  # the ttl the official client reports for a record that never expires
_U32_MAX = 0xFFFFFFFF
_EMPTY = b""

# ------------------------------------------------------------------------------------------------ meta


_C_LONG_MIN = -(1 << 63)
_C_LONG_LIMIT = 1 << 63
_U16_MAX = 0xFFFF


def parse_meta(meta: Any, style: str = "put") -> tuple[int, int]:
    """(ttl, generation) of a meta dict for the message header, as 3.0.0 reads it for `style`'s methods.

    "put" (put): meta must be a dict; "operate" (operate, operate_ordered, append, prepend, increment, touch);
    "remove_bin" (a meta that is not a dict is ignored). ttl is cast to 32 bits (-1 never expires, -2 keeps the
    ttl), gen to 16 bits; ``bool`` counts as an int; a missing key is 0.
    """
    if meta is None:
        return 0, 0
    if type(meta) is not dict and not isinstance(meta, dict):
        if style == "put":
            raise ParamError("meta must be a dictionary")
        if style == "operate":
            raise ParamError("Metadata should be of type dictionary")
        return 0, 0
    ttl = meta.get("ttl", 0) if "ttl" in meta else 0
    gen = meta.get("gen", 0) if "gen" in meta else 0
    error: Optional[str] = None
    if not isinstance(ttl, int):
        error = "TTL should be an int or long" if style == "put" else "Ttl should be an int or long"
        if style != "put":
            raise ParamError(error)
        ttl = 0
    elif not _C_LONG_MIN <= ttl < _C_LONG_LIMIT:
        error = "integer value exceeds sys.maxsize" if style == "put" else "integer value for ttl exceeds sys.maxsize"
        if style != "put":
            raise ParamError(error)
        ttl = 0
    if not isinstance(gen, int):
        error = "Generation should be an int or long"
    elif not _C_LONG_MIN <= gen < _C_LONG_LIMIT:
        error = "integer value exceeds sys.maxsize" if style == "put" else "integer value for gen exceeds sys.maxsize"
    if error is not None:  # put reports the last bad field, the others the first
        raise ParamError(error)
    return ttl & _U32_MAX, gen & _U16_MAX


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
    if policy.expressions is not None:  # the current API's filter expression
        n_fields += 1
        fields += encode_fields(((FIELD_FILTER_EXP, policy.expressions),))
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


def _select_name(name: str) -> str:
    # 3.0.0 copies at most 14 bytes of each name (strncpy): a longer name reads the bin of its first 14 bytes.
    raw = name.encode("utf-8", "surrogateescape").split(b"\0", 1)[0]
    if len(raw) > MAX_BIN_NAME:
        raw = raw[:MAX_BIN_NAME]
    return raw.decode("utf-8", "ignore")


def encode_select(key: Key, bins: Any, policy: Policy) -> bytes:
    """select: read the named bins (a list or tuple of str; names past 14 bytes are cut, as 3.0.0 did)."""
    if isinstance(bins, list):
        message = "Bin name must be a string"
    elif isinstance(bins, tuple):
        message = "not string type"
    else:
        raise ParamError("not a list or tuple")
    ops = []
    for name in bins:
        if not isinstance(name, str):
            raise ParamError(message)
        if len(name) > MAX_BIN_NAME or not name.isascii() or "\0" in name:
            name = _select_name(name)
        ops.append(Op(OP_READ, PARTICLE_NULL, name, _EMPTY))
    return _frame(key, policy, _read_info1(policy, INFO1_READ), 0, _read_info3(policy), 0, 0, ops)


def encode_exists(key: Key, policy: Policy) -> bytes:
    """exists: metadata only."""
    info1 = _read_info1(policy, INFO1_READ | INFO1_NOBINDATA)
    return _frame(key, policy, info1, 0, _read_info3(policy), 0, 0, [])


def encode_put(key: Key, ops: list[Op], meta: Any, policy: Policy, meta_style: str = "put") -> bytes:
    """put (and remove_bin): write ops already encoded from the bins."""
    ttl, generation = parse_meta(meta, meta_style)
    info2, info3, generation = _write_flags(policy, generation)
    return _frame(key, policy, 0, info2, info3, generation, ttl, ops)


# put requests of plain bins (the common case) for one policy, namespace and set share everything before the
# digest but their size and op count: (policy, proto word with size 0, message header up to n_ops, fields up to
# the digest), built once from encode_put's own frame with no ops. Keyed by the policy's id, the entry keeps the
# policy itself, so a recycled id is never mistaken for it; fields None marks a policy whose frame is not of
# that shape (a KEY field or expressions after the digest, compression).
_PutPrefix = tuple[Policy, int, bytes, Optional[bytes]]
_PUT_PREFIXES: dict[tuple[int, bytes, bytes], _PutPrefix] = {}
_PUT_PREFIXES_MAX = 512
_PUT_HEAD = struct.Struct(">Q20sH")
_PROTO_WORD = struct.Struct(">Q")
# bin name -> (its length, int op's header and name, str op's header after the size and name), for names of
# at most 14 ascii characters without NUL (bins_to_ops takes them as they are).
_PLAIN_BIN_NAMES: dict[str, tuple[int, bytes, bytes]] = {}
_PLAIN_BIN_NAMES_MAX = 4096
_OP_SIZE = struct.Struct(">I").pack
_OP_HEADER_PACK = struct.Struct(">IBBBB").pack


def _prefix_entry(key: Key, policy: Policy, frame_of: Callable[[], bytes]) -> _PutPrefix:
    """The cache entry of a one-pass encoder (encode_put_plain, encode_operate_plain) from the op-less frame
    `frame_of()` builds: the proto word less the frame's size, the message header before n_ops, and the fields
    before the digest; fields None when the frame is compressed or has a field after the digest. A KEY_SEND
    policy never gets one: whether a KEY field follows depends on the key, and the entry serves every key."""
    if not policy.compression_threshold and policy.key != POLICY_KEY_SEND:
        frame = frame_of()
        if frame.endswith(key.digest):
            size = len(frame) - 8
            return (policy, _PROTO_WORD.unpack_from(frame)[0] - size, frame[8:28], frame[30 : -len(key.digest)])
    return (policy, 0, _EMPTY, None)


def _put_prefix(key: Key, policy: Policy) -> _PutPrefix:
    entry = _prefix_entry(key, policy, lambda: encode_put(key, [], None, policy))
    if len(_PUT_PREFIXES) >= _PUT_PREFIXES_MAX:
        _PUT_PREFIXES.clear()
    _PUT_PREFIXES[(id(policy), key.namespace_bytes, key.set_bytes)] = entry
    return entry


def _plain_bin_name(name: str) -> Optional[tuple[int, bytes, bytes]]:
    if len(name) > MAX_BIN_NAME or not name.isascii() or "\0" in name:
        return None
    name_bytes = name.encode("ascii")
    length = len(name_bytes)
    int_head = _OP_HEADER_PACK(4 + length + 8, OP_WRITE, PARTICLE_INTEGER, 0, length) + name_bytes
    str_tail = bytes((OP_WRITE, PARTICLE_STRING, 0, length)) + name_bytes
    if len(_PLAIN_BIN_NAMES) >= _PLAIN_BIN_NAMES_MAX:
        _PLAIN_BIN_NAMES.clear()
    entry = _PLAIN_BIN_NAMES[name] = (length, int_head, str_tail)
    return entry


def encode_put_plain(key: Key, bins: dict, policy: Policy) -> Optional[bytes]:
    """encode_put(key, codec.bins_to_ops(bins), None, policy) when every bin is plain (a str name of at most
    14 ascii characters without NUL; an int64 or ascii str value) and the policy's frame ends with the digest;
    None otherwise (the caller then takes the general path, which raises what it must)."""
    entry = _PUT_PREFIXES.get((id(policy), key.namespace_bytes, key.set_bytes))
    if entry is None or entry[0] is not policy:
        entry = _put_prefix(key, policy)
    fields = entry[3]
    if fields is None:
        return None
    names = _PLAIN_BIN_NAMES
    digest = key.digest
    parts: list[bytes] = [_EMPTY, fields, digest]
    append = parts.append
    size = MSG_HEADER_SIZE + len(fields) + len(digest)
    for name, value in bins.items():
        if type(name) is not str:
            return None
        plain = names.get(name) or _plain_bin_name(name)
        if plain is None:
            return None
        kind = type(value)
        if kind is int and _INT64_MIN <= value < _INT64_LIMIT:
            append(plain[1])
            append(_I64_PACK(value))
            size += 16 + plain[0]
        elif kind is str and value.isascii():
            data = value.encode("ascii")
            value_length = len(data)
            append(_OP_SIZE(4 + plain[0] + value_length))
            append(plain[2])
            append(data)
            size += 8 + plain[0] + value_length
        else:
            return None
    parts[0] = _PUT_HEAD.pack(entry[1] + size, entry[2], len(bins))
    return _EMPTY.join(parts)


def encode_touch(key: Key, ttl_value: Any, meta: Any, policy: Policy, codec: Optional[ValueCodec] = None) -> bytes:
    """touch: one touch operation whose ``val`` is the new ttl (3.0.0 ran it through operate)."""
    operation = {"op": OPERATOR_TOUCH, "val": ttl_value}
    return encode_operate(key, [operation], meta, policy, codec or _PLAIN_CODEC).request


def encode_remove(key: Key, meta: Any, policy: Policy) -> bytes:
    """remove: delete the record; the generation checked under POLICY_GEN_EQ/GT is meta's gen, else the
    remove policy's ``generation``."""
    generation = policy.generation
    if meta is not None and isinstance(meta, dict) and "gen" in meta:
        generation = parse_meta({"gen": meta["gen"]}, "operate")[1]
    info2, info3, generation = _write_flags(policy, generation)
    return _frame(key, policy, 0, info2 | INFO2_DELETE, info3, generation, 0, [])


def encode_single_op(
    key: Key, op_type: int, bin_name: Any, value: Any, meta: Any, policy: Policy, codec: ValueCodec
) -> bytes:
    """append / prepend / increment: one operation through operate, as 3.0.0 ran them."""
    code = _WIRE_TO_OPERATOR.get(op_type, op_type)
    return encode_operate(key, [{"op": code, "bin": bin_name, "val": value}], meta, policy, codec).request


# ------------------------------------------------------------------------------------------------ operate

# An operator encoder turns one op dict into (wire op, reads?, writes?, ttl from the op or None).
OperatorEncoder = Callable[[dict, ValueCodec], "tuple[Op, bool, bool, Optional[int]]"]
_OPERATORS: dict[int, OperatorEncoder] = {}


def register_operator(op_code: int, encoder: OperatorEncoder) -> None:
    """Let another module handle the op dicts whose 'op' is `op_code` (the scalar operators are built in)."""
    _OPERATORS[op_code] = encoder


def _delete_operator(operation: dict, codec: ValueCodec) -> tuple[Op, bool, bool, Optional[int]]:
    # operations.delete() of the current API: delete the record within the operate (a write).
    return Op(_OP_DELETE, PARTICLE_NULL, "", _EMPTY), False, True, None


register_operator(OPERATOR_DELETE, _delete_operator)


_MISSING: Any = object()
_OP_KEYS = frozenset(("bin", "index", "val", "key", "range", "map_policy", "return_type"))
_SCALAR_OPERATORS = frozenset(
    (OPERATOR_READ, OPERATOR_WRITE, OPERATOR_INCR, OPERATOR_APPEND, OPERATOR_PREPEND, OPERATOR_TOUCH)
)
_WIRE_TO_OPERATOR = {OP_APPEND: OPERATOR_APPEND, OP_PREPEND: OPERATOR_PREPEND, OP_INCR: OPERATOR_INCR}
_WIRE_OP = {
    OPERATOR_READ: OP_READ,
    OPERATOR_WRITE: OP_WRITE,
    OPERATOR_INCR: OP_INCR,
    OPERATOR_APPEND: OP_APPEND,
    OPERATOR_PREPEND: OP_PREPEND,
    OPERATOR_TOUCH: OP_TOUCH,
}


def _check_operand(code: int, value: Any) -> None:
    # 3.0.0's check_type (strict_types): the operand types each scalar operator takes.
    if value is _NULL:
        return
    if code == OPERATOR_TOUCH and not isinstance(value, int):
        raise ParamError("Unsupported operand type(s) for touch : only int or long allowed")
    if code == OPERATOR_INCR and not isinstance(value, (int, float)):
        raise ParamError("Unsupported operand type(s) for +: only 'int' allowed")
    if code in (OPERATOR_APPEND, OPERATOR_PREPEND) and not isinstance(value, (str, bytearray)):
        raise ParamError("Cannot concatenate 'str' and 'non-str' objects")


def _check_map_policy(map_policy: Any) -> None:
    if map_policy is None:
        return
    if not isinstance(map_policy, dict):
        raise ParamError("policy must be a dict")
    for name in ("map_write_mode", "map_order"):
        if name in map_policy and not isinstance(map_policy[name], int):
            raise ParamError(f"{name} is invalid")


def _loose_value(value: Any, codec: ValueCodec) -> tuple[int, bytes]:
    # An operand of the wrong type for its operator (strict_types off, or aerospike.null()): 3.0.0 sent it as
    # its own particle and let the server refuse it.
    if value is _NULL:
        return PARTICLE_NULL, _EMPTY
    if isinstance(value, bytearray):
        return PARTICLE_BLOB, bytes(value)
    return codec.encode(value, SERIALIZER_PYTHON)


def _scalar_operation(operation: dict, codec: ValueCodec) -> Optional[tuple[Op, bool, bool, Optional[int]]]:
    """(wire op, reads?, writes?, ttl or None) of a scalar op dict, with 3.0.0's checks and messages (add_op);
    None for an unknown operator under strict_types off (3.0.0 skipped it)."""
    code = 0
    name: Any = _MISSING
    value: Any = _MISSING
    index: Any = _MISSING
    map_policy: Any = None
    return_type: Any = _MISSING
    for field, item in operation.items():
        if not isinstance(field, str):
            raise ClientError("An operation key must be a string.")
        if field == "op" and isinstance(item, int):
            code = item
        elif field in _OP_KEYS:
            if field == "bin":
                name = item
            elif field == "val":
                value = item
            elif field == "index":
                index = item
            elif field == "map_policy":
                map_policy = item
            elif field == "return_type":
                return_type = item
        else:
            raise ParamError("Operation can contain only op, bin, index, key, val, return_type and map_policy keys")
    strict = codec.strict_types
    if name is not _MISSING:
        if not isinstance(name, (str, bytearray)):
            raise ParamError("Bin name should be of type string")
        name = c_bin_name(name)
        if strict and bin_name_length(name) > MAX_BIN_NAME:
            raise BinNameError(BIN_NAME_TOO_LONG)
    elif code != OPERATOR_TOUCH:
        raise ParamError("Bin is not given")
    else:
        name = ""
    if value is not _MISSING:
        if strict:
            _check_operand(code, value)
    elif code != OPERATOR_READ and code != OPERATOR_TOUCH:
        raise ParamError("Value should be given")
    _check_map_policy(map_policy)
    if return_type is not _MISSING and not isinstance(return_type, int):
        raise ParamError("Return type should be an integer")
    if index is not _MISSING:
        if strict:
            raise ParamError("Operation does not need an index value")
        if not isinstance(index, int):
            raise ParamError("Index should be an integer")
    if code == OPERATOR_READ:
        return Op(OP_READ, PARTICLE_NULL, name, _EMPTY), True, False, None
    if code == OPERATOR_TOUCH:
        ttl = None
        if value is not _MISSING:
            if not isinstance(value, int):
                raise ParamError("Offset should be of int or long type")
            if not _C_LONG_MIN <= value < _C_LONG_LIMIT:
                raise ParamError("integer value exceeds sys.maxsize")
            ttl = value & _U32_MAX
        return Op(OP_TOUCH, PARTICLE_NULL, "", _EMPTY), False, True, ttl
    if code == OPERATOR_WRITE:
        particle_type, data = codec.encode(value, SERIALIZER_PYTHON)
        return Op(OP_WRITE, particle_type, name, data), False, True, None
    if code == OPERATOR_INCR:
        if isinstance(value, int) and value is not _NULL:
            if not _C_LONG_MIN <= value < _C_LONG_LIMIT:
                raise ParamError("integer value exceeds sys.maxsize")
            particle: tuple[int, bytes] = (PARTICLE_INTEGER, _I64_PACK(int(value)))
        elif isinstance(value, float):
            particle = codec.encode(float(value))
        else:
            particle = _loose_value(value, codec)
        return Op(OP_INCR, particle[0], name, particle[1]), False, True, None
    if code == OPERATOR_APPEND or code == OPERATOR_PREPEND:
        if isinstance(value, str):
            try:
                particle = (PARTICLE_STRING, value.encode("utf-8"))
            except UnicodeEncodeError:
                raise ClientError("Unicode value not encoded in utf-8.") from None
        elif isinstance(value, bytearray):
            particle = codec.serialize(value, SERIALIZER_PYTHON)
        else:
            particle = _loose_value(value, codec)
        return Op(_WIRE_OP[code], particle[0], name, particle[1]), False, True, None
    if strict:
        raise ParamError("Invalid operation given")
    return None


# The scalar operators encode_operate inlines for their common cases (while no list/map code shadows them).
_INLINE_OPERATORS = frozenset(code for code in (OPERATOR_READ, OPERATOR_WRITE, OPERATOR_INCR) if not is_cdt_op(code))
_new_tuple = tuple.__new__  # an Op without NamedTuple's Python-level __new__ (hot path)
_I64_PACK = struct.Struct(">q").pack
_I64_UNPACK = struct.Struct(">q").unpack
_INT64_MIN = -(1 << 63)
_INT64_LIMIT = 1 << 63


# What an operate reply op becomes, per request op: READ_RESULT (a bin read: the value as decoded), a
# ResultShape (a list/map operation), or NO_RESULT (scalar writes, touch, delete: they report no value, and the
# nil op the server sends for them under RESPOND_ALL_OPS is dropped, so mixing in a map operation changes nothing).
READ_RESULT = "read"
_EXPRESSION_OPS = frozenset((OP_EXPR_READ, OP_EXPR_WRITE))
NO_RESULT = None
ResultSlot = Optional["ResultShape | str"]


class OperateSpec:
    """An encoded operate request and what its reply parser needs to know.

    ``results`` holds one ``(bin_name, slot)`` per request op, in request order; ``respond_all_ops`` says the
    request asked for one reply op per request op; ``reports_writes`` that the writes' nil reply ops are results
    too (``None``), as 19.3.0 reports them when an expression operation is in the request (3.0.0's map operations,
    which ask for every op's reply as well, drop them). ``key_value_pairs`` picks the shape of MAP_RETURN_KEY_VALUE
    results: False for operate and operate_ordered (a flat ``[k1, v1, ...]`` list, client.rst's format since
    2.1.3), True for the map_* convenience methods (``[(k1, v1), ...]``, aerospike.rst's map return types).
    """

    __slots__ = ("request", "is_write", "results", "respond_all_ops", "reports_writes", "key_value_pairs", "plain")

    def __init__(
        self,
        request: bytes,
        is_write: bool,
        results: Optional[list[tuple[str, ResultSlot]]] = None,
        respond_all_ops: bool = False,
        reports_writes: bool = False,
    ) -> None:
        self.request = request
        self.is_write = is_write
        self.results: list[tuple[str, ResultSlot]] = results if results is not None else []
        self.respond_all_ops = respond_all_ops
        self.reports_writes = reports_writes
        self.key_value_pairs = False
        # Only scalar operations (every result slot READ_RESULT or NO_RESULT, no RESPOND_ALL_OPS): each reply
        # op is then a result of its own, so the results dict is the reply ops' bins (operate_plain_body).
        self.plain = False


# (policy id, namespace, set, reads?, writes?) -> (the policy, the proto word less the frame's size, the message
# header before n_ops, the fields before the digest or None when the frame does not end with it): what an operate
# request of plain operations (encode_operate_plain) shares with every other one of its kind.
_OPERATE_PREFIXES: dict[tuple[int, bytes, bytes, bool, bool], _PutPrefix] = {}
# bin name -> (its length, its bytes), for names encode_operate's inline path takes (see _plain_bin_name).
_OPERATE_NAMES: dict[str, tuple[int, bytes]] = {}


def _operate_prefix(key: Key, policy: Policy, reads: bool, writes: bool) -> _PutPrefix:
    info1 = _read_info1(policy, INFO1_READ) if reads else 0
    info3 = _read_info3(policy) if reads else 0
    info2 = generation = 0
    if writes:
        write_info2, write_info3, generation = _write_flags(policy, 0)
        info2 |= write_info2
        info3 |= write_info3
    entry = _prefix_entry(key, policy, lambda: _frame(key, policy, info1, info2, info3, generation, 0, []))
    if len(_OPERATE_PREFIXES) >= _PUT_PREFIXES_MAX:
        _OPERATE_PREFIXES.clear()
    _OPERATE_PREFIXES[(id(policy), key.namespace_bytes, key.set_bytes, reads, writes)] = entry
    return entry


def encode_operate_plain(key: Key, operations: list, policy: Policy) -> Optional[OperateSpec]:
    """encode_operate(key, operations, None, policy, codec) in one pass when every operation takes its inline
    path (a read, or a write or increment of an int64 or a write of an ascii str, on a str bin name of at most 14
    ascii characters without NUL, with no other keys) and the policy (not KEY_SEND) puts nothing after the
    digest: the same request bytes, in a plain spec (its results are not kept: operate_plain_body needs none). None otherwise (the
    caller then takes the general path, which raises what it must)."""
    names = _OPERATE_NAMES
    pack_op = _OP_HEADER_PACK
    parts: list[bytes] = [_EMPTY, _EMPTY, key.digest]
    append = parts.append
    ops_size = n_ops = 0
    reads = writes = False
    for operation in operations:
        n_ops += 1
        if type(operation) is not dict or len(operation) > 3:
            return None
        code = operation.get("op")
        if type(code) is not int or code not in _INLINE_OPERATORS:
            return None
        name = operation.get("bin")
        if type(name) is not str:
            return None
        plain = names.get(name)
        if plain is None:
            if len(name) > MAX_BIN_NAME or not name.isascii() or "\0" in name:
                return None
            if len(names) >= _PLAIN_BIN_NAMES_MAX:
                names.clear()
            plain = names[name] = (len(name), name.encode("ascii"))
        length, name_bytes = plain
        if code == OPERATOR_READ:
            if len(operation) != 2:
                return None
            append(pack_op(4 + length, OP_READ, PARTICLE_NULL, 0, length))
            append(name_bytes)
            ops_size += 8 + length
            reads = True
            continue
        value = operation.get("val", _EMPTY)
        kind = type(value)
        if kind is int and _INT64_MIN <= value < _INT64_LIMIT:
            append(pack_op(12 + length, OP_WRITE if code == OPERATOR_WRITE else OP_INCR, PARTICLE_INTEGER, 0, length))
            append(name_bytes)
            append(_I64_PACK(value))
            ops_size += 16 + length
        elif kind is str and code == OPERATOR_WRITE and value.isascii():
            data = value.encode("ascii")
            append(pack_op(4 + length + len(data), OP_WRITE, PARTICLE_STRING, 0, length))
            append(name_bytes)
            append(data)
            ops_size += 8 + length + len(data)
        else:
            return None
        writes = True
    if not reads and not writes:
        return None  # no operation: the general path refuses it
    entry = _OPERATE_PREFIXES.get((id(policy), key.namespace_bytes, key.set_bytes, reads, writes))
    if entry is None or entry[0] is not policy:
        entry = _operate_prefix(key, policy, reads, writes)
    fields = entry[3]
    if fields is None:
        return None
    parts[1] = fields
    parts[0] = _PUT_HEAD.pack(entry[1] + MSG_HEADER_SIZE + len(fields) + len(key.digest) + ops_size, entry[2], n_ops)
    spec = OperateSpec(_EMPTY.join(parts), writes)
    spec.plain = True
    return spec


def encode_operate(
    key: Key, operations: Any, meta: Any, policy: Policy, codec: ValueCodec, ordered: bool = False
) -> OperateSpec:
    """operate / operate_ordered: the op dicts of the spec (scalar, list and map operations) in one request.

    As in 3.0.0, meta is checked first, then each op dict in turn; operate skips an entry that is not a dict,
    operate_ordered (`ordered`) refuses it; no operation at all is 'No operations defined'.
    """
    if not isinstance(operations, list):
        raise ParamError("Operations should be of type list")
    ttl, generation = parse_meta(meta, "operate") if meta is not None else (0, 0)
    ops: list[Op] = []
    results: list[tuple[str, ResultSlot]] = []
    reads = writes = respond_all = reports_writes = False
    op_ttl: Optional[int] = None
    cdt_fallback = None
    for operation in operations:
        if type(operation) is dict:
            code = operation.get("op")
            if type(code) is int and code in _INLINE_OPERATORS and len(operation) <= 3:
                # Fast path: a read, or a write/increment of an int (or a write of a str), on a plain ASCII bin
                # name, with no other keys. Anything else takes the general path, which raises the proper error.
                name = operation.get("bin")
                if type(name) is str and len(name) <= MAX_BIN_NAME and name.isascii() and "\0" not in name:
                    if code == OPERATOR_READ and len(operation) == 2:
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
                    if particle is not None and code != OPERATOR_READ:
                        op_type = OP_WRITE if code == OPERATOR_WRITE else OP_INCR
                        ops.append(_new_tuple(Op, (op_type, particle[0], name, particle[1])))
                        results.append((name, NO_RESULT))
                        writes = True
                        continue
        elif not isinstance(operation, dict):
            if ordered:
                raise ParamError("Operation must be a dict")
            continue
        code = operation.get("op")
        if type(code) is int and (is_cdt_op(code) or is_bin_op(code)):
            if cdt_fallback is None:
                cdt_fallback = codec.fallback_for(SERIALIZER_PYTHON)
            if is_bin_op(code):  # bit, HLL and expression operations of the current API
                op, shape = build_bin_op(operation)
                if code in _EXPRESSION_OPS:
                    reports_writes = True
            else:
                op, shape = build_cdt_op(operation, cdt_fallback)
            ops.append(op)
            results.append((op.bin_name, shape))
            if shape.is_write:
                writes = True
            else:
                reads = True
            respond_all = respond_all or shape.respond_all_ops
            continue
        encoder = _OPERATORS.get(code) if isinstance(code, int) and code not in _SCALAR_OPERATORS else None
        if encoder is not None:
            encoded: Optional[tuple[Op, bool, bool, Optional[int]]] = encoder(operation, codec)
        else:
            encoded = _scalar_operation(operation, codec)
            if encoded is None:
                continue
        op, is_read, is_write, op_ttl_value = encoded  # type: ignore[misc]
        ops.append(op)
        results.append((op.bin_name, READ_RESULT if is_read else NO_RESULT))
        reads = reads or is_read
        writes = writes or is_write
        if op_ttl_value is not None:
            op_ttl = op_ttl_value
    if not ops:
        raise ParamError("No operations defined")
    if op_ttl is not None:
        ttl = op_ttl  # a touch's val is applied after meta, so it wins
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
    spec = OperateSpec(request, writes, results, respond_all, reports_writes)
    spec.plain = cdt_fallback is None  # no list, map, bit, HLL or expression operation
    return spec


# ------------------------------------------------------------------------------------------------ replies


def get_parser(key: Key, codec: ValueCodec, report_user_key: bool = False) -> Callable[[Message], tuple]:
    """Parser of a get reply: ``(key, meta, bins)``. As in 3.0.0 the key is the caller's, with its user key
    only when `report_user_key` (a policy was given and it says POLICY_KEY_SEND)."""
    reported = key.as_tuple(report_user_key)

    def parse(message: Message) -> tuple:
        if message.result_code != RESULT_OK:
            raise raise_for(message)
        void_time = message.record_ttl
        return (
            (reported[0], reported[1], reported[2], bytearray(key.digest)),
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
    return _results_of_ops(spec, message.ops, codec)


def _results_of_ops(spec: OperateSpec, ops: list[Op], codec: ValueCodec) -> list[tuple[str, Any]]:
    decode = codec.decode
    slots = spec.results
    count = len(slots)
    respond_all = spec.respond_all_ops
    reports_writes = spec.reports_writes
    found: list[tuple[str, Any]] = []
    cursor = 0
    for op in ops:
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
            if reports_writes and op.bin_name:
                found.append((op.bin_name, None))
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


# ------------------------------------------------------------------------------------------------ replies, raw

# The parsers below take the reply's frame body itself (command.execute with raw=True) and decode it straight
# into the result, with no Message or Op objects: each gives what its Message twin above gives for
# decode_message(body)[0], and raises what decode_message or its twin would (ProtocolError for a malformed
# message). tests/unit/test_fast_paths.py holds them to that.


def _reply_head(body: bytes) -> tuple[int, int, int, int, int, int]:
    """(result_code, generation, void_time, offset of the ops, n_ops, end) of a reply body, fields skipped."""
    end = len(body)
    if end < MSG_HEADER_SIZE:
        raise ProtocolError("truncated message header")
    header_size, _, _, _, _, code, generation, void_time, _, n_fields, n_ops = unpack_message_header(body, 0)
    if header_size != MSG_HEADER_SIZE:
        raise ProtocolError(f"message header size {header_size}, expected {MSG_HEADER_SIZE}")
    offset = skip_fields(body, MSG_HEADER_SIZE, n_fields, end) if n_fields else MSG_HEADER_SIZE
    return code, generation, void_time, offset, n_ops, end


def _refused(body: bytes, offset: int, n_ops: int, end: int, code: int, is_write: bool) -> AerospikeError:
    # The server's error, once the ops (an error reply has none) are known to be well formed.
    if n_ops:
        read_ops(body, offset, n_ops, end)
    return error_for_code(code, in_doubt=is_write and code == RESULT_TIMEOUT)


def get_body(key: Key, codec: ValueCodec, report_user_key: bool, body: bytes) -> tuple:
    """get's result from the raw reply body (get_body_parser's function, its first arguments bound)."""
    # _reply_head(body), inlined: every get goes through here.
    end = len(body)
    if end < MSG_HEADER_SIZE:
        raise ProtocolError("truncated message header")
    header_size, _, _, _, _, code, generation, void_time, _, n_fields, n_ops = unpack_message_header(body, 0)
    if header_size != MSG_HEADER_SIZE:
        raise ProtocolError(f"message header size {header_size}, expected {MSG_HEADER_SIZE}")
    offset = skip_fields(body, MSG_HEADER_SIZE, n_fields, end) if n_fields else MSG_HEADER_SIZE
    if code != RESULT_OK:
        raise _refused(body, offset, n_ops, end, code, False)
    return (
        (key.namespace, key.set_name, key.user_key if report_user_key else None, bytearray(key.digest)),
        {"ttl": NEVER_EXPIRES if void_time == 0 else ttl_from_void_time(void_time), "gen": generation},
        codec.bins_at(body, offset, n_ops, end)[0],
    )


def get_body_parser(key: Key, codec: ValueCodec, report_user_key: bool = False) -> Callable[[bytes], tuple]:
    """get_parser's twin over the raw reply body."""
    # A partial, not a closure: made in C, no frame for this function's cells on every get.
    return partial(get_body, key, codec, report_user_key)


def select_body_parser(key: Key, codec: ValueCodec) -> Callable[[bytes], tuple]:
    """select_parser's twin over the raw reply body."""

    def parse(body: bytes) -> tuple:
        code, generation, void_time, offset, n_ops, end = _reply_head(body)
        if code != RESULT_OK:
            raise _refused(body, offset, n_ops, end, code, False)
        return (
            key.as_tuple(),
            {"ttl": ttl_from_void_time(void_time), "gen": generation},
            codec.bins_at(body, offset, n_ops, end)[0],
        )

    return parse


def exists_body_parser(key: Key) -> Callable[[bytes], tuple]:
    """exists_parser's twin over the raw reply body."""

    def parse(body: bytes) -> tuple:
        code, generation, void_time, offset, n_ops, end = _reply_head(body)
        if n_ops:
            read_ops(body, offset, n_ops, end)
        if code == RESULT_OK:
            return key.as_tuple(), {"ttl": ttl_from_void_time(void_time), "gen": generation}
        if code == RESULT_KEY_NOT_FOUND:
            return key.as_tuple(), None
        raise error_for_code(code, in_doubt=False)

    return parse


def status_body_parse(body: bytes) -> int:
    """_status_parse_write's twin over the raw reply body (put, touch, remove, ...): 0."""
    if len(body) < MSG_HEADER_SIZE:
        raise ProtocolError("truncated message header")
    header = unpack_message_header(body, 0)
    if header[9] or header[10] or header[0] != MSG_HEADER_SIZE:
        decode_message(body, 0)  # fields or ops in a write's reply (or a bad header): bounded, or refused
    code = header[5]
    if code != RESULT_OK:
        raise error_for_code(code, in_doubt=code == RESULT_TIMEOUT)
    return 0


def operate_body_parser(
    key: Key, codec: ValueCodec, spec: OperateSpec, ordered: bool = False
) -> Callable[[bytes], tuple]:
    """operate_parser's (operate_ordered_parser's with `ordered`) twin over the raw reply body."""
    is_write = spec.is_write
    if spec.plain and not ordered:
        return partial(operate_plain_body, key, codec, is_write)

    def parse(body: bytes) -> tuple:
        code, generation, void_time, offset, n_ops, end = _reply_head(body)
        ops = read_ops(body, offset, n_ops, end)[0] if n_ops else []
        if code != RESULT_OK:
            raise error_for_code(code, in_doubt=is_write and code == RESULT_TIMEOUT)
        results = _results_of_ops(spec, ops, codec)
        return (
            key.as_tuple(),
            {"ttl": ttl_from_void_time(void_time), "gen": generation},
            results if ordered else dict(results),
        )

    return parse


def operate_plain_body(key: Key, codec: ValueCodec, is_write: bool, body: bytes) -> tuple:
    """operate's result from the raw reply body when its spec is plain: without RESPOND_ALL_OPS and with only
    scalar operations, _results_of_ops gives every reply op as a result of its own (a read's, or a value nobody
    asked for), decoded as ValueCodec.bins_at decodes it, and dict() of them is bins_at's dict."""
    code, generation, void_time, offset, n_ops, end = _reply_head(body)
    if code != RESULT_OK:
        if n_ops:
            read_ops(body, offset, n_ops, end)
        raise error_for_code(code, in_doubt=is_write and code == RESULT_TIMEOUT)
    return (
        key.as_tuple(),
        {"ttl": ttl_from_void_time(void_time), "gen": generation},
        codec.bins_at(body, offset, n_ops, end)[0] if n_ops else {},
    )


__all__ += [
    "exists_body_parser",
    "get_body_parser",
    "operate_body_parser",
    "select_body_parser",
    "status_body_parse",
]

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
