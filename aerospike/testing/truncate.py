"""Truncation info commands of the local cluster: `truncate` (one set) and `truncate-namespace`.

Owns: their argument checks and answers as server 8.1.2.0 gives them (`ok` for an unknown namespace, `ERROR:4:would
truncate in the future` for a last-update time ahead of the clock, `would truncate to 0` for one before 2010, a lut
read as C's strtoul reads it) and removing, on every node, the records last
updated before the given time (nanoseconds since the Unix epoch; now when absent). Truncation is cluster-wide, as
the server spreads it through system metadata. Must not know sockets.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Optional

from .info import PARAM_NOT_FOUND, PARAM_TOO_LONG, NodeState, info_parameter

# Buffer sizes of the server's parameters.
_NAMESPACE_SIZE = 32
_SET_SIZE = 64
_LUT_SIZE = 24  # decimal, hex or octal in C constant format

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import LocalCluster

_CITRUSLEAF_EPOCH_MS = 1262304000 * 1000  # the server's epoch (2010-01-01) in Unix milliseconds
_U64 = (1 << 64) - 1


class _Refused(Exception):
    """The server's error answer for a refused parameter."""


def _strtoul(text: str) -> int:
    """C's strtoul(text, NULL, 0): leading blanks, a sign, 0x hex / 0 octal / decimal, up to the first other
    character; 0 when there are no digits, ULONG_MAX on overflow, a negative number wrapped."""
    rest = text.lstrip(" \t\n\v\f\r")
    negative = rest[:1] == "-"
    if rest[:1] in "+-" and rest:
        rest = rest[1:]
    base = 10
    if rest[:2].lower() == "0x" and rest[2:3] and rest[2:3].lower() in "0123456789abcdef":
        base, rest = 16, rest[2:]
    elif rest[:1] == "0":
        base = 8
    digits = ""
    for char in rest:
        if char.lower() not in "0123456789abcdef"[:base]:
            break
        digits += char
    value = int(digits, base) if digits else 0
    if value > _U64:
        return _U64
    return (-value) & _U64 if negative else value


def _value(args: str, name: str, size: int, required: bool) -> Optional[str]:
    status, value = info_parameter(args, name, size)
    code = 20 if name == "namespace" else 4
    if status == PARAM_NOT_FOUND:
        if required:
            raise _Refused(f"ERROR:{code}:missing '{name}'")
        return None
    if status == PARAM_TOO_LONG:
        raise _Refused(f"ERROR:{code}:'{name}' value too long")
    if not value:
        raise _Refused(f"ERROR:{code}:missing '{name}' value")
    return value


def _truncate(state: NodeState, namespace: str, set_name: Optional[str], lut: Optional[str]) -> str:
    now_ns = time.time_ns()
    if lut is not None:
        before_ns = _strtoul(lut)
        unix_ms = before_ns // 1_000_000
        clepoch_ms = unix_ms - _CITRUSLEAF_EPOCH_MS if unix_ms > _CITRUSLEAF_EPOCH_MS else 0
        if clepoch_ms == 0:
            return "ERROR:4:would truncate to 0"
        if clepoch_ms > now_ns // 1_000_000 - _CITRUSLEAF_EPOCH_MS:
            return "ERROR:4:would truncate in the future"
    else:
        before_ns = now_ns
    if namespace not in state.namespaces:
        return "ok"
    cluster: LocalCluster = state.extras["cluster"]
    for node in cluster.nodes:
        store = node.stores.get(namespace)
        if store is not None:
            store.truncate(set_name, before_ns)
    return "ok"


def _answer_truncate(state: NodeState, name: str, args: str) -> str:
    try:
        namespace = _value(args, "namespace", _NAMESPACE_SIZE, True) or ""
        set_name = _value(args, "set", _SET_SIZE, True)
        lut = _value(args, "lut", _LUT_SIZE, False)
    except _Refused as refused:
        return str(refused)
    return _truncate(state, namespace, set_name, lut)


def _answer_truncate_namespace(state: NodeState, name: str, args: str) -> str:
    try:
        namespace = _value(args, "namespace", _NAMESPACE_SIZE, True) or ""
        if info_parameter(args, "set", 1)[0] != PARAM_NOT_FOUND:
            raise _Refused("ERROR:4:unexpected set name")
        lut = _value(args, "lut", _LUT_SIZE, False)
    except _Refused as refused:
        return str(refused)
    return _truncate(state, namespace, None, lut)


HANDLERS = {"truncate": _answer_truncate, "truncate-namespace": _answer_truncate_namespace}


def install(cluster: LocalCluster) -> None:
    """Answer truncation info commands on every node of `cluster`."""
    cluster.info_handlers.update(HANDLERS)
