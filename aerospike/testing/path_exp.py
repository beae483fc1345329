"""Path expressions (server 8.1) and the list/map expressions 19.x added, for the local cluster.

Owns: select by path and modify by path, as expression calls (``[127, type, module, [0xfe, [ctx...], flags(,
expr)], bin]``) and as list/map operations (a CDT read/modify whose payload is ``[0xfe, [ctx...], flags(,
expr)]``); the path contexts (every child, with a filter; map keys in a list; a filter AND-ed with the level
before; map key and list index); loop variables (``[122, type, id]``) and ``RemoveResult``; ``InList`` (9),
``MapGetKeys`` (101) and ``MapGetValues`` (102). Must not know sockets, partitions or the client core.

What CE 8.1.2.0 answers, as observed: a filter that cannot be evaluated on an element (a loop variable of
another type) fails the call with 26 unless the NO_FAIL flag (16) is set, which skips the element; flags 0 give
the matching tree (the bin pruned to the selected paths), 1 the selected values, 2 their map keys, 3 keys and
values flattened.
"""

from __future__ import annotations

import copy
from typing import Any

from aerospike.protocol import constants as c
from aerospike.protocol.message import Op

from . import cdt_ops, record_ops
from .record_ops import OpContext, OpError, RecordView, WireValue

__all__ = ["install"]

EXP_IN_LIST = 9
EXP_REMOVE_RESULT = 100
EXP_MAP_KEYS = 101
EXP_MAP_VALUES = 102
EXP_LOOP_VAR = 122
PATH_MARKER = 0xFE
CALL_MODIFY = 0x40

CTX_EXP = 0x04
CTX_AND = 0x200
CTX_LIST_INDEX = 0x10
CTX_MAP_KEY = 0x22
CTX_MAP_KEYS_IN = 0x2A

SELECT_TREE, SELECT_VALUE, SELECT_KEY, SELECT_KEY_VALUE = 0, 1, 2, 3
FLAG_NO_FAIL = 16
LOOPVAR_KEY, LOOPVAR_VALUE, LOOPVAR_INDEX = 0, 1, 2

_LOOP = "\x00loop"  # the variables entry holding the element a context is visiting
_REMOVE = object()  # what RemoveResult evaluates to


class _Skip(Exception):
    """An element whose filter could not be evaluated (skipped under NO_FAIL, else the call fails)."""


# ------------------------------------------------------------------------------------ value conversion


def _to_eval(value: Any) -> Any:
    """A CDT-model value as the evaluator sees it (strings as str, blobs as bytes, containers as WireValue)."""
    if isinstance(value, (cdt_ops.CdtList, cdt_ops.CdtMap)):
        return WireValue(*cdt_ops.encode_bin(value))
    if isinstance(value, bytes) and value:
        if value[0] == c.PARTICLE_STRING:
            return value[1:].decode("utf-8", "surrogateescape")
        if value[0] == c.PARTICLE_BLOB:
            return value[1:]
    return value


def _to_model(value: Any) -> Any:
    """An evaluator value in the CDT model (the inverse of _to_eval)."""
    if isinstance(value, WireValue):
        return cdt_ops.decode_bin(value.particle_type, value.data)
    if isinstance(value, str):
        return b"\x03" + value.encode("utf-8", "surrogateescape")
    if isinstance(value, (bytes, bytearray)):
        return b"\x04" + bytes(value)
    if isinstance(value, (list, dict)):
        from .exp_ops import _model

        return _model(value)
    return value


def _literal(value: Any) -> Any:
    """A value written in a context (strings and blobs led by their particle type) in the CDT model."""
    if isinstance(value, str) and value[:1] in ("\x03", "\x04"):
        value = record_ops._evaluate(value, None, {})  # type: ignore[arg-type]
    return _to_model(value)


def _children(node: Any) -> list[tuple[Any, Any, int]]:
    """(key or None, value, index) of each child of a list or map."""
    if isinstance(node, cdt_ops.CdtList):
        return [(None, item, index) for index, item in enumerate(node.items)]
    if isinstance(node, cdt_ops.CdtMap):
        return [(key, item, index) for index, (key, item) in enumerate(node.pairs())]
    return []


# ---------------------------------------------------------------------------------------------- contexts


def _levels(ctx: Any) -> list[list[tuple[int, Any]]]:
    """The context items grouped by level: an AND filter joins the level before it."""
    if not isinstance(ctx, list) or not ctx or len(ctx) % 2:
        raise record_ops.ExpressionError("a path needs [id, value, ...] contexts")
    levels: list[list[tuple[int, Any]]] = []
    for index in range(0, len(ctx), 2):
        ctx_id, value = ctx[index], ctx[index + 1]
        if not isinstance(ctx_id, int):
            raise record_ops.ExpressionError("a context id is an integer")
        if ctx_id & CTX_AND:
            if not levels:
                raise record_ops.ExpressionError("an AND filter cannot come first")
            levels[-1].append((ctx_id, value))
        else:
            levels.append([(ctx_id, value)])
    return levels


def _passes(expression: Any, key: Any, value: Any, index: int, record: RecordView, variables: dict) -> bool:
    loop = {LOOPVAR_KEY: _to_eval(key), LOOPVAR_VALUE: _to_eval(value), LOOPVAR_INDEX: index}
    result = record_ops._evaluate(expression, record, {**variables, _LOOP: loop})
    if result is record_ops.UNKNOWN or not isinstance(result, bool):
        raise _Skip
    return result


def _selected(node: Any, level: list[tuple[int, Any]], record: RecordView, variables: dict, no_fail: bool) -> list:
    """The children of `node` that one level of contexts selects, as (key, value, index)."""
    selected = []
    for key, value, index in _children(node):
        keep = True
        for ctx_id, ctx_value in level:
            base = ctx_id & ~CTX_AND
            if base == CTX_EXP:
                if ctx_value is True:
                    continue
                try:
                    keep = _passes(ctx_value, key, value, index, record, variables)
                except _Skip:
                    if not no_fail:
                        raise OpError(c.RESULT_OP_NOT_APPLICABLE) from None
                    keep = False
            elif base == CTX_MAP_KEYS_IN:
                wanted = ctx_value if isinstance(ctx_value, list) else [ctx_value]
                keep = key is not None and any(cdt_ops.compare(key, _literal(item)) == 0 for item in wanted)
            elif base == CTX_MAP_KEY:
                keep = key is not None and cdt_ops.compare(key, _literal(ctx_value)) == 0
            elif base == CTX_LIST_INDEX:
                size = len(node.items) if isinstance(node, cdt_ops.CdtList) else -1
                keep = key is None and isinstance(ctx_value, int) and index == (ctx_value % size if size > 0 else -1)
            else:
                raise record_ops.ExpressionError(f"path context {ctx_id} is not supported")
            if not keep:
                break
        if keep:
            selected.append((key, value, index))
    return selected


def _rebuild(node: Any, pairs: list[tuple[Any, Any]]) -> Any:
    if isinstance(node, cdt_ops.CdtList):
        return cdt_ops.CdtList([value for _, value in pairs], node.flags)
    return cdt_ops.CdtMap(pairs, node.flags & ~cdt_ops.MAP_PRESERVE_ORDER)


def _select(node: Any, levels: list, record: RecordView, variables: dict, no_fail: bool, leaves: list) -> Any:
    """The matching tree under `node` (None when nothing matches below a container); leaves collects
    (key, value) of every selected element at the last level."""
    level, rest = levels[0], levels[1:]
    kept = []
    for key, value, _ in _selected(node, level, record, variables, no_fail):
        if rest:
            if not isinstance(value, (cdt_ops.CdtList, cdt_ops.CdtMap)):
                continue
            below = _select(value, rest, record, variables, no_fail, leaves)
            if below is None:
                continue
            kept.append((key, below))
        else:
            leaves.append((key, value))
            kept.append((key, value))
    if rest and not kept:
        return None
    return _rebuild(node, kept)


def _modify(node: Any, levels: list, expression: Any, record: RecordView, variables: dict, no_fail: bool) -> Any:
    level, rest = levels[0], levels[1:]
    chosen = {index for _, _, index in _selected(node, level, record, variables, no_fail)}
    pairs = []
    for key, value, index in _children(node):
        if index in chosen:
            if rest:
                if isinstance(value, (cdt_ops.CdtList, cdt_ops.CdtMap)):
                    value = _modify(value, rest, expression, record, variables, no_fail)
            else:
                loop = {LOOPVAR_KEY: _to_eval(key), LOOPVAR_VALUE: _to_eval(value), LOOPVAR_INDEX: index}
                result = record_ops._evaluate(expression, record, {**variables, _LOOP: loop})
                if result is _REMOVE:
                    continue
                if result is record_ops.UNKNOWN:
                    if not no_fail:
                        raise OpError(c.RESULT_OP_NOT_APPLICABLE)
                else:
                    value = _to_model(result)
        pairs.append((key, value))
    return _rebuild(node, pairs)


def _path_call(target: Any, path: list, modify: bool, record: RecordView, variables: dict) -> Any:
    """The result of a select (the selection as `flags` ask) or a modify (the new container)."""
    if len(path) != (4 if modify else 3) or not isinstance(path[2], int):
        raise record_ops.ExpressionError("a path call is [0xfe, ctx, flags(, expr)]")
    levels = _levels(path[1])
    flags = path[2]
    no_fail = bool(flags & FLAG_NO_FAIL)
    if modify:
        return _modify(copy.deepcopy(target), levels, path[3], record, variables, no_fail)
    leaves: list = []
    tree = _select(target, levels, record, variables, no_fail, leaves)
    kind = flags & 0x0F
    if kind == SELECT_TREE:
        return tree if tree is not None else _rebuild(target, [])
    if kind == SELECT_VALUE:
        return cdt_ops.CdtList([value for _, value in leaves])
    if kind == SELECT_KEY:
        return cdt_ops.CdtList([key for key, _ in leaves if key is not None])
    if kind == SELECT_KEY_VALUE:
        return cdt_ops.CdtList([item for key, value in leaves if key is not None for item in (key, value)])
    raise record_ops.ExpressionError(f"path select flags {flags} are not supported")


# ------------------------------------------------------------------------------------ evaluator handlers


def _call(fallback: Any) -> Any:
    def call(node: list, record: RecordView, variables: dict) -> Any:
        operation = node[3] if len(node) == 5 else None
        if not (isinstance(operation, list) and operation and operation[0] == PATH_MARKER):
            return fallback(node, record, variables)
        target = record_ops._evaluate(node[4], record, variables)
        if not isinstance(target, WireValue) or target.particle_type not in (c.PARTICLE_LIST, c.PARTICLE_MAP):
            return record_ops.UNKNOWN
        value = cdt_ops.decode_bin(target.particle_type, target.data)
        try:
            result = _path_call(value, operation, bool(node[2] & CALL_MODIFY), record, variables)
        except OpError:
            return record_ops.UNKNOWN
        return _to_eval(result)

    call._paths = True  # type: ignore[attr-defined]
    return call


def _loop_var(node: list, record: RecordView, variables: dict) -> Any:
    loop = variables.get(_LOOP)
    if loop is None or len(node) != 3:
        raise record_ops.ExpressionError("a loop variable outside a path context")
    value = loop.get(node[2], record_ops.UNKNOWN)
    expected = node[1]
    kinds: dict[int, type] = {1: bool, 2: int, 3: str, 4: WireValue, 5: WireValue, 6: bytes, 7: float}
    kind = kinds.get(expected)
    if value is None and expected == 0:
        return None
    if kind is None or not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        return record_ops.UNKNOWN
    if isinstance(value, WireValue) and value.particle_type != (c.PARTICLE_LIST if expected == 4 else c.PARTICLE_MAP):
        return record_ops.UNKNOWN
    return value


def _remove_result(node: list, record: RecordView, variables: dict) -> Any:
    return _REMOVE


def _in_list(node: list, record: RecordView, variables: dict) -> Any:
    if len(node) != 3:
        raise record_ops.ExpressionError("in_list takes a value and a list")
    value = record_ops._evaluate(node[1], record, variables)
    target = record_ops._evaluate(node[2], record, variables)
    if value is record_ops.UNKNOWN or target is record_ops.UNKNOWN:
        return record_ops.UNKNOWN
    if isinstance(target, list):
        from .exp_ops import _model

        target = WireValue(*cdt_ops.encode_bin(_model(target)))
    if not isinstance(target, WireValue) or target.particle_type != c.PARTICLE_LIST:
        return record_ops.UNKNOWN
    wanted = _to_model(value)
    items = cdt_ops.decode_bin(target.particle_type, target.data).items  # type: ignore[union-attr]
    return any(cdt_ops.compare(item, wanted) == 0 for item in items)


def _map_part(take_keys: bool) -> Any:
    def part(node: list, record: RecordView, variables: dict) -> Any:
        if len(node) != 2:
            raise record_ops.ExpressionError("map keys/values take one map")
        target = record_ops._evaluate(node[1], record, variables)
        if not isinstance(target, WireValue) or target.particle_type != c.PARTICLE_MAP:
            return record_ops.UNKNOWN
        pairs = cdt_ops.decode_bin(target.particle_type, target.data).pairs()  # type: ignore[union-attr]
        return _to_eval(cdt_ops.CdtList([key if take_keys else value for key, value in pairs]))

    return part


# ------------------------------------------------------------------------------------------- operations


def _cdt_op(fallback: Any) -> Any:
    def handler(ctx: OpContext, op: Op) -> None:
        if op.value[1:3] != b"\xcc\xfe":  # not [0xfe, ...]: a list or map operation
            fallback(ctx, op)
            return
        current = ctx.bins.get(op.bin_name)
        modify = op.op_type == c.OP_CDT_MODIFY
        if current is None:
            ctx.empty_reply(op.bin_name, op.op_type)
            return
        if current[0] not in (c.PARTICLE_LIST, c.PARTICLE_MAP):
            raise OpError(c.RESULT_BIN_TYPE_ERROR)
        path = record_ops.parse_expression(op.value)
        value = cdt_ops.decode_bin(current[0], current[1])
        view = getattr(ctx, "record_view", None)
        if view is None:
            import time

            view = RecordView(ctx.bins, b"\x00" * 20, None, None, 0, 0, time.time())
        try:
            result = _path_call(value, path, modify, view, {})
        except record_ops.ExpressionError:
            raise OpError(c.RESULT_PARAMETER_ERROR) from None
        if modify:
            ctx.bins[op.bin_name] = cdt_ops.encode_bin(result)
            ctx.empty_reply(op.bin_name, op.op_type)
            return
        particle_type, data = cdt_ops.encode_bin(result)
        ctx.replies.append(Op(op.op_type, particle_type, op.bin_name, data))

    handler._paths = True  # type: ignore[attr-defined]
    return handler


def install() -> None:
    """Register path expressions, loop variables and the 19.x list/map expressions with the evaluator, and
    path operations with the CDT op handlers (exp_ops.install calls this after installing its CALL)."""
    handlers = record_ops._EXP_HANDLERS
    if not getattr(handlers.get(127), "_paths", False):
        handlers[127] = _call(handlers[127])
    handlers[EXP_LOOP_VAR] = _loop_var
    handlers[EXP_REMOVE_RESULT] = _remove_result
    handlers[EXP_IN_LIST] = _in_list
    handlers[EXP_MAP_KEYS] = _map_part(True)
    handlers[EXP_MAP_VALUES] = _map_part(False)
    for op_type, read_only in ((c.OP_CDT_READ, True), (c.OP_CDT_MODIFY, False)):
        current = record_ops.WRITE_OP_HANDLERS[op_type]
        if not getattr(current, "_paths", False):
            record_ops.register_op_handler(op_type, _cdt_op(current), read_only=read_only)
