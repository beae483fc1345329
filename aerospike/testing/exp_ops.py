"""Expression operations (op types EXP_READ / EXP_MODIFY) and the expression evaluator's calls, for the local cluster.

Owns: reading ``[expression, flags]`` ops (the result as the op's bin, or written to the bin with the write
flags), list/map/HLL bin values inside the evaluator (``WireValue``: particle type and stored bytes), the CALL
node (``[127, type, module, op, bin]``) that runs a list, map, bit or HLL operation on a value through the same
engines the operations use, and comparisons of list and map values. Must not know sockets, partitions or the
client core.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Optional

import msgpack

from aerospike.protocol import constants as c
from aerospike.protocol.message import Op

from . import bit_ops, cdt_ops, hll_ops, record_ops
from .record_ops import BinValue, OpContext, OpError, RecordView, WireValue

__all__ = ["WireValue", "install"]

EXP_CALL = 127
_HLL_LIST_OPS = frozenset((hll_ops.SET_UNION, hll_ops.UNION, hll_ops.UNION_COUNT, hll_ops.INTERSECT_COUNT,
                           hll_ops.SIMILARITY))
CALL_CDT, CALL_BIT, CALL_HLL, CALL_MODIFY = 0, 1, 2, 0x40
CTX_MARKER = 0xFF

# Expression op flags.
WRITE_CREATE_ONLY, WRITE_UPDATE_ONLY, WRITE_ALLOW_DELETE, WRITE_POLICY_NO_FAIL, EVAL_NO_FAIL = 1, 2, 4, 8, 16

_I64 = struct.Struct(">q")
_F64 = struct.Struct(">d")


def _to_internal(value: Any, quoted: bool = False) -> Any:
    """An evaluator value in the CDT engine's model (strings as bytes led by their particle type)."""
    if isinstance(value, WireValue):
        if value.particle_type in (c.PARTICLE_LIST, c.PARTICLE_MAP):
            return cdt_ops.unpack(value.data)
        return bytes((value.particle_type,)) + value.data
    if isinstance(value, str):
        raw = value.encode("utf-8", "surrogateescape")
        return raw if quoted else b"\x03" + raw
    if isinstance(value, (bytes, bytearray)):
        return b"\x04" + bytes(value)
    if isinstance(value, list):
        return [_to_internal(item, True) for item in value]
    if isinstance(value, dict):
        return {_to_internal(key, True): _to_internal(item, True) for key, item in value.items()}
    return value


def _model(value: Any) -> Any:
    """A value in the CDT engine's model, lists and maps as CdtList/CdtMap (for the server's value order)."""
    return cdt_ops.unpack(cdt_ops.pack(_to_internal(value)))


def _from_particle(particle_type: int, data: bytes) -> Any:
    if particle_type == c.PARTICLE_NULL:
        return None
    if particle_type == c.PARTICLE_INTEGER:
        return _I64.unpack(data)[0] if len(data) == 8 else int.from_bytes(data, "big")
    if particle_type == c.PARTICLE_FLOAT:
        return _F64.unpack(data)[0]
    if particle_type == c.PARTICLE_STRING:
        return data.decode("utf-8", "surrogateescape")
    if particle_type == c.PARTICLE_BOOL:
        return data != b"\x00"
    if particle_type in (c.PARTICLE_LIST, c.PARTICLE_MAP, c.PARTICLE_HLL):
        return WireValue(particle_type, data)
    return bytes(data)


def _to_bin(value: Any) -> Optional[BinValue]:
    if value is None:
        return None
    if isinstance(value, WireValue):
        return value.particle_type, value.data
    if isinstance(value, bool):
        return c.PARTICLE_BOOL, b"\x01" if value else b"\x00"
    if isinstance(value, int):
        return c.PARTICLE_INTEGER, record_ops.integer_to_wire(value)
    if isinstance(value, float):
        return c.PARTICLE_FLOAT, _F64.pack(value)
    if isinstance(value, str):
        return c.PARTICLE_STRING, value.encode("utf-8", "surrogateescape")
    if isinstance(value, (bytes, bytearray)):
        return c.PARTICLE_BLOB, bytes(value)
    if isinstance(value, list):
        return c.PARTICLE_LIST, cdt_ops.pack(cdt_ops.unpack(cdt_ops.pack(_to_internal(value))))
    if isinstance(value, dict):
        return cdt_ops.encode_bin(cdt_ops.unpack(cdt_ops.pack(_to_internal(value))))
    raise record_ops.ExpressionError(f"cannot store an expression result of type {type(value).__name__}")


# --------------------------------------------------------------------------------------------- CALL


def _call(node: list, record: RecordView, variables: dict) -> Any:
    if len(node) != 5 or not isinstance(node[2], int) or not isinstance(node[3], list):
        raise record_ops.ExpressionError("call takes a type, a module, an operation and a bin")
    module = node[2]
    target = record_ops._evaluate(node[4], record, variables)
    if target is record_ops.UNKNOWN:
        return record_ops.UNKNOWN
    operation = node[3]
    ctx = None
    if operation and operation[0] == CTX_MARKER:
        if len(operation) != 3:
            raise record_ops.ExpressionError("a context call is [0xff, ctx, op]")
        ctx, operation = operation[1], operation[2]
    if not operation or not isinstance(operation[0], int):
        raise record_ops.ExpressionError("a call's operation is [op, args...]")
    args = [record_ops._evaluate(arg, record, variables) for arg in operation[1:]]
    if any(arg is record_ops.UNKNOWN for arg in args) and module & 0x3F != CALL_CDT:
        return record_ops.UNKNOWN
    if module & 0x3F == CALL_HLL and args and isinstance(args[0], WireValue) and operation[0] in _HLL_LIST_OPS:
        args[0] = [args[0]]  # one HLL value where the op takes a list of them
    request: list = [operation[0], *(_to_internal(arg) for arg in args)]
    if ctx is not None:
        request = [CTX_MARKER, _to_internal(ctx, True), request]
    payload = cdt_ops.pack(request)
    modify = bool(module & CALL_MODIFY)
    try:
        return _run(module & 0x3F, modify, target, payload)
    except OpError:
        return record_ops.UNKNOWN


def _run(module: int, modify: bool, target: Any, payload: bytes) -> Any:
    if module == CALL_CDT:
        if not isinstance(target, WireValue) or target.particle_type not in (c.PARTICLE_LIST, c.PARTICLE_MAP):
            return record_ops.UNKNOWN
        value = cdt_ops.decode_bin(target.particle_type, target.data)
        op_type = c.OP_CDT_MODIFY if modify else c.OP_CDT_READ
        code, new_value, reply = cdt_ops.apply_cdt_op(op_type, target.particle_type, value, payload)
        if code:
            raise OpError(code)
        if modify:
            return target if new_value is cdt_ops.UNCHANGED else WireValue(*cdt_ops.encode_bin(new_value))
        return None if reply is None else _from_particle(*reply)
    if module == CALL_BIT:
        if not isinstance(target, (bytes, bytearray)):
            return record_ops.UNKNOWN
        new_bin, reply = bit_ops.apply_bit_op(modify, (c.PARTICLE_BLOB, bytes(target)), payload)
        if modify:
            return bytes(target) if new_bin is None else new_bin[1]
        return None if reply is None else _from_particle(*reply)
    if module == CALL_HLL:
        current = (target.particle_type, target.data) if isinstance(target, WireValue) else None
        if current is not None and current[0] != c.PARTICLE_HLL:
            return record_ops.UNKNOWN
        new_bin, reply = hll_ops.apply_hll_op(modify, current, payload)
        if modify:
            if new_bin is None:
                return target
            return WireValue(*new_bin)
        return None if reply is None else _from_particle(*reply)
    raise record_ops.ExpressionError(f"call module {module} is not supported")


def _compare_values(test: Callable[[int], bool], fallback: Callable[..., Any]) -> Callable[..., Any]:
    """Comparisons that also order list and map values (the server's CDT order), else the scalar comparison."""

    def compare(node: list, record: RecordView, variables: dict) -> Any:
        if len(node) == 3:
            left = record_ops._evaluate(node[1], record, variables)
            right = record_ops._evaluate(node[2], record, variables)
            kinds = (WireValue, list, dict)
            if isinstance(left, kinds) or isinstance(right, kinds):
                if left is record_ops.UNKNOWN or right is record_ops.UNKNOWN:
                    return record_ops.UNKNOWN
                return test(cdt_ops.compare(_model(left), _model(right)))
        return fallback(node, record, variables)

    return compare


# --------------------------------------------------------------------------------------------- ops


def _view(ctx: OpContext) -> RecordView:
    view = getattr(ctx, "record_view", None)
    if view is not None:
        view.bins = ctx.bins
        return view  # type: ignore[no-any-return]
    import time

    return RecordView(ctx.bins, b"\x00" * 20, None, None, 0, 0, time.time())


def _op_exp(ctx: OpContext, op: Op) -> None:
    try:
        request = msgpack.unpackb(op.value, raw=False, strict_map_key=False)
    except Exception:  # noqa: BLE001 - any decoder failure is a malformed op
        raise OpError(c.RESULT_PARAMETER_ERROR) from None
    if not isinstance(request, list) or len(request) not in (1, 2):
        raise OpError(c.RESULT_PARAMETER_ERROR)
    flags = request[1] if len(request) == 2 else 0
    if type(flags) is not int:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    try:
        value = record_ops._evaluate(request[0], _view(ctx), {})
    except record_ops.ExpressionError:
        raise OpError(c.RESULT_PARAMETER_ERROR) from None
    modify = op.op_type == c.OP_EXP_MODIFY
    if value is record_ops.UNKNOWN:
        if flags & EVAL_NO_FAIL:
            ctx.empty_reply(op.bin_name, op.op_type)
            return
        raise OpError(c.RESULT_OP_NOT_APPLICABLE)
    if not modify:
        result = _to_bin(value)
        particle_type, data = result if result is not None else (c.PARTICLE_NULL, b"")
        ctx.replies.append(Op(op.op_type, particle_type, op.bin_name, data))
        return
    exists = op.bin_name in ctx.bins
    if (flags & WRITE_CREATE_ONLY and exists) or (flags & WRITE_UPDATE_ONLY and not exists):
        if flags & WRITE_POLICY_NO_FAIL:
            ctx.empty_reply(op.bin_name, op.op_type)
            return
        raise OpError(c.RESULT_BIN_EXISTS if exists else c.RESULT_BIN_NOT_FOUND)
    result = _to_bin(value)
    if result is None:
        ctx.bins.pop(op.bin_name, None)
    else:
        ctx.bins[op.bin_name] = record_ops.normalize_particle(*result)
    ctx.empty_reply(op.bin_name, op.op_type)


def install(cluster: object = None) -> None:
    """Register the expression, bit and HLL engines and the evaluator's calls with the local cluster."""
    bit_ops.install()
    hll_ops.install()
    record_ops.register_op_handler(c.OP_EXP_READ, _op_exp, read_only=True)
    record_ops.register_op_handler(c.OP_EXP_MODIFY, _op_exp, read_only=False)
    handlers = record_ops._EXP_HANDLERS
    handlers[EXP_CALL] = _call
    tests = {
        record_ops.EXP_EQ: lambda order: order == 0,
        record_ops.EXP_NE: lambda order: order != 0,
        record_ops.EXP_GT: lambda order: order > 0,
        record_ops.EXP_GE: lambda order: order >= 0,
        record_ops.EXP_LT: lambda order: order < 0,
        record_ops.EXP_LE: lambda order: order <= 0,
    }
    for code, test in tests.items():
        if not getattr(handlers[code], "_orders_cdt", False):
            wrapped = _compare_values(test, handlers[code])
            wrapped._orders_cdt = True  # type: ignore[attr-defined]
            handlers[code] = wrapped
    from . import path_exp

    path_exp.install()
