"""Secondary indexes: ``index_*_create`` and ``index_remove`` over info commands.

Owns: the ``sindex-create`` command text (namespace, set, index name, collection type, bin, data type, in
the official client's order), waiting for the index like the official client (poll ``sindex-stat`` on every
node until ``load_pct`` reaches 100), ``sindex-delete``, and mapping ``ERROR:<code>:<text>`` replies to the
exception classes (200 IndexFoundError, 201 IndexNotFound, 20 NamespaceNotFound, ...).
"""

from __future__ import annotations

from time import monotonic, sleep
from typing import Any, Optional

from . import exception
from ._constants import INDEX_GEO2DSPHERE, INDEX_NUMERIC, INDEX_STRING
from .protocol.info import parse_info_error

__all__ = ["datatype_name", "index_create", "index_remove", "sindex_create_command"]

_DATATYPES = {INDEX_STRING: "STRING", INDEX_NUMERIC: "NUMERIC", INDEX_GEO2DSPHERE: "GEO2DSPHERE"}
_POLL_INTERVAL = 0.1  # seconds between sindex-stat polls
_MAX_NAME = 255


def datatype_name(index_datatype: Any) -> str:
    """The sindex-create ``type`` of an ``aerospike.INDEX_*`` data type."""
    if isinstance(index_datatype, bool) or index_datatype not in _DATATYPES:
        raise exception.ParamError("index_datatype must be aerospike.INDEX_STRING, INDEX_NUMERIC or INDEX_GEO2DSPHERE")
    return _DATATYPES[index_datatype]


def _name(value: Any, what: str, allow_none: bool = False) -> Optional[str]:
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or not value:
        raise exception.ParamError(f"{what} must be a non-empty string")
    if len(value.encode("utf-8")) > _MAX_NAME or any(c in value for c in ";:=\t\n"):
        raise exception.ParamError(f"{what} {value!r} is too long or holds a reserved character")
    return value


def sindex_create_command(
    ns: str, set_name: Optional[str], bin_name: str, index_name: str, datatype: str, collection: Optional[str]
) -> str:
    """The info command that creates one index."""
    command = f"sindex-create:namespace={ns}"
    if set_name:
        command += f";set={set_name}"
    command += f";indexname={index_name}"
    if collection:
        command += f";indextype={collection}"
    return command + f";bin={bin_name};type={datatype}"


def _timeout(client: Any, policy: Any) -> Optional[float]:
    info_policy = client._resolve("info", policy)
    return info_policy.timeout / 1000.0 if info_policy.timeout else None


def _check(value: str, address: str) -> None:
    error = parse_info_error(value)
    if error is not None:
        code, message = error
        raise exception.error_for_code(code, f"{message} from {address}")
    if value.lower().startswith("fail") or value.lower().startswith("error"):
        raise exception.IndexError(exception.IndexError.code, f"{value} from {address}")


def _reply(node: Any, command: str, timeout: Optional[float]) -> str:
    reply = node.info([command], timeout)
    return reply.get(command, next(iter(reply.values()), ""))


def _load_pct(value: str) -> int:
    for part in value.split(";"):
        name, _, number = part.partition("=")
        if name == "load_pct":
            try:
                return int(float(number))
            except ValueError:
                return 0
    # Servers that do not report a load percentage answer sindex-stat only once the index exists.
    return 100


def index_create(
    client: Any,
    ns: Any,
    set_name: Any,
    bin_name: Any,
    index_name: Any,
    datatype: str,
    collection: Optional[str],
    policy: Any = None,
) -> int:
    """Create an index and wait until every node has built it; returns 0."""
    cluster = client._connected_cluster()
    namespace = _name(ns, "namespace")
    set_value = _name(set_name, "set", allow_none=True)
    bin_value = _name(bin_name, "bin")
    name = _name(index_name, "index name")
    assert namespace is not None and bin_value is not None and name is not None
    timeout = _timeout(client, policy)
    node = cluster.random_node()
    command = sindex_create_command(namespace, set_value, bin_value, name, datatype, collection)
    _check(_reply(node, command, timeout), node.address)
    _wait_built(cluster, namespace, name, timeout)
    return 0


def _wait_built(cluster: Any, namespace: str, name: str, timeout: Optional[float]) -> None:
    command = f"sindex-stat:namespace={namespace};indexname={name}"
    deadline = monotonic() + (timeout if timeout else 30.0) * 10
    while True:
        done = True
        for node in cluster.nodes():
            value = _reply(node, command, timeout)
            error = parse_info_error(value)
            if error is not None:
                code, message = error
                if code == exception.IndexNotFound.code and monotonic() < deadline:
                    # Not yet visible on this node: the create is still spreading over the cluster.
                    done = False
                    continue
                raise exception.error_for_code(code, f"{message} from {node.address}")
            if _load_pct(value) < 100:
                done = False
        if done:
            return
        if monotonic() >= deadline:
            raise exception.TimeoutError(exception.TimeoutError.code, f"index {name} was not built in time")
        sleep(_POLL_INTERVAL)


def index_remove(client: Any, ns: Any, index_name: Any, policy: Any = None) -> int:
    """Remove an index (the server answers ok also when it does not exist); returns 0."""
    cluster = client._connected_cluster()
    namespace = _name(ns, "namespace")
    name = _name(index_name, "index name")
    node = cluster.random_node()
    command = f"sindex-delete:namespace={namespace};indexname={name}"
    _check(_reply(node, command, _timeout(client, policy)), node.address)
    return 0
