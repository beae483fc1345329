"""Truncation info commands of the local cluster: `truncate` (one set) and `truncate-namespace`.

Owns: their argument checks and answers as server 8.1.2.0 gives them (`ok` for an unknown namespace, `ERROR:4:would
truncate in the future` for a last-update time ahead of the clock) and removing, on every node, the records last
updated before the given time (nanoseconds since the Unix epoch; now when absent). Truncation is cluster-wide, as
the server spreads it through system metadata. Must not know sockets.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Optional

from .info import NodeState, parse_params

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import LocalCluster

# The server refuses a lut more than this far past its clock.
_CLOCK_SLACK_NS = 0


def _truncate(state: NodeState, namespace: str, set_name: Optional[str], lut: Optional[str]) -> str:
    now_ns = time.time_ns()
    if lut is not None:
        try:
            before_ns = int(lut)
        except ValueError:
            return "ERROR:4:invalid lut"
        if before_ns > now_ns + _CLOCK_SLACK_NS:
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
    params = parse_params(args)
    namespace = params.get("namespace")
    set_name = params.get("set")
    if not namespace or not set_name:
        return "ERROR:4:namespace and set required"
    return _truncate(state, namespace, set_name, params.get("lut"))


def _answer_truncate_namespace(state: NodeState, name: str, args: str) -> str:
    params = parse_params(args)
    namespace = params.get("namespace")
    if not namespace:
        return "ERROR:4:namespace required"
    if "set" in params:
        return "ERROR:4:unexpected set"
    return _truncate(state, namespace, None, params.get("lut"))


HANDLERS = {"truncate": _answer_truncate, "truncate-namespace": _answer_truncate_namespace}


def install(cluster: LocalCluster) -> None:
    """Answer truncation info commands on every node of `cluster`."""
    cluster.info_handlers.update(HANDLERS)
