"""Secondary indexes: ``index_*_create`` and ``index_remove`` over info commands, as the official client 3.0.0.

Owns: the argument checks and messages of 3.0.0, the ``sindex-create`` command text it sends (namespace, set,
index name, ``numbins=1``, collection type, ``indexdata=<bin>,<type>``, ``priority=normal``), waiting for the
index like it does (``sindex/<ns>/<name>`` on every node until none reports a ``load_pct`` under 100),
``sindex-delete``, and the ``name`` attribute 3.0.0 sets on index errors. Server answers become errors through
aerospike.info (``ERROR:200:...`` IndexFoundError, ``ERROR:4:...`` InvalidRequest, ...).
"""

from __future__ import annotations

import sys
from time import monotonic, sleep
from typing import Any, Optional

from . import exception
from ._constants import INDEX_GEO2DSPHERE, INDEX_NUMERIC, INDEX_STRING

__all__ = ["datatype_name", "index_create", "index_remove", "sindex_create_command"]

# The C client's names; any other number (or a datatype that is not an int) is a STRING index, as in 3.0.0.
_DATATYPES = {INDEX_STRING: "STRING", INDEX_NUMERIC: "NUMERIC", INDEX_GEO2DSPHERE: "GEO2DSPHERE"}
_POLL_INTERVAL = 0.1  # seconds between sindex polls
_GIVE_UP = 30.0  # seconds a node may keep failing the poll before the wait gives up (3.0.0 waits forever)
_POLL_TIMEOUT_MS = 1000  # 3.0.0 polls with an info timeout of one second


def datatype_name(index_datatype: Any) -> str:
    """The ``indexdata`` type of an ``aerospike.INDEX_*`` data type, as 3.0.0 maps it."""
    if not isinstance(index_datatype, int):
        return "STRING"
    if not -sys.maxsize - 1 <= index_datatype <= sys.maxsize:
        raise exception.ParamError(exception.ParamError.code, "integer value exceeds sys.maxsize")
    return _DATATYPES.get(index_datatype, "STRING")


def _c_string(value: str) -> str:
    # The C client reads every name as a C string: it ends at the first NUL.
    return value.split("\0", 1)[0]


def _check_names(ns: Any, set_name: Any) -> tuple[str, Optional[str]]:
    if not isinstance(ns, str):
        raise exception.ParamError(exception.ParamError.code, "Namespace should be a string")
    if set_name is not None and not isinstance(set_name, str):
        raise exception.ParamError(exception.ParamError.code, "Set should be string, unicode or None")
    return _c_string(ns), None if set_name is None else _c_string(set_name)


def _bin_name(bin_name: Any) -> str:
    if isinstance(bin_name, str):
        return _c_string(bin_name)
    if isinstance(bin_name, bytearray):
        return bytes(bin_name).split(b"\0", 1)[0].decode("utf-8", "replace")
    raise exception.ParamError(exception.ParamError.code, "Bin should be a string")


def _index_name(name: Any) -> str:
    if not isinstance(name, str):
        raise exception.ParamError(exception.ParamError.code, "Index name should be string or unicode")
    return _c_string(name)


def sindex_create_command(
    ns: str, set_name: Optional[str], bin_name: str, index_name: str, datatype: str, collection: Optional[str]
) -> str:
    """The info command 3.0.0 (C client 4.3.1) sends to create one index."""
    command = f"sindex-create:ns={ns}"
    if set_name is not None:
        command += f";set={set_name}"
    command += f";indexname={index_name};numbins=1;"
    if collection:
        command += f"indextype={collection};"
    return command + f"indexdata={bin_name},{datatype};priority=normal"


def _named(error: exception.AerospikeError, name: Any) -> exception.AerospikeError:
    # 3.0.0 sets `name` (the index name argument) on the errors that have it: IndexError and its subclasses.
    if isinstance(error, exception.IndexError):
        error.name = name
    return error


def index_create(
    client: Any,
    ns: Any,
    set_name: Any,
    bin_name: Any,
    name: Any,
    datatype: Any,
    collection: Optional[str],
    policy: Any = None,
    geo: bool = False,
) -> int:
    """Create an index and wait until every node has built it; returns 0.

    ``datatype`` is the ``index_datatype`` argument of the collection methods, or the fixed type name.
    """
    from .info import info_any

    try:
        cluster = client._connected_cluster()
        if geo and not client.has_geo():
            raise exception.ClusterError(exception.ClusterError.code, "Server does not support geospatial indexes")
        info_policy = client._resolve("info", policy)
        namespace, set_value = _check_names(ns, set_name)
        bin_value = _bin_name(bin_name)
        index_name = _index_name(name)
        type_name = datatype if collection is None else datatype_name(datatype)
        command = sindex_create_command(namespace, set_value, bin_value, index_name, type_name, collection)
        info_any(cluster, command, info_policy)
        _wait_built(cluster, namespace, index_name, info_policy)
    except exception.AerospikeError as error:
        raise _named(error, name) from None
    return 0


def _wait_built(cluster: Any, namespace: str, name: str, info_policy: Any) -> None:
    """Until no node reports a load percentage under 100 for the index (3.0.0's aerospike_index_create_wait)."""
    from .info import info_node

    poll_policy = info_policy.replace(timeout=_POLL_TIMEOUT_MS, send_as_is=False)
    command = f"sindex/{namespace}/{name}"
    failing_since: Optional[float] = None
    while True:
        done = bool(cluster.nodes())
        failure: Optional[exception.AerospikeError] = None
        for node in cluster.nodes():
            try:
                reply = info_node(node, command, poll_policy)
            except exception.AerospikeError as error:
                # Not yet visible on this node (the create is still spreading over the cluster), or unreachable.
                done, failure = False, error
                break
            percent = _load_pct(reply)
            if percent is not None and 0 <= percent < 100:
                done = False
                break
        if done:
            return
        if failure is None:
            failing_since = None
        elif failing_since is None:
            failing_since = monotonic()
        elif monotonic() - failing_since > _GIVE_UP:
            raise failure
        sleep(_POLL_INTERVAL)


def _load_pct(reply: str) -> Optional[int]:
    at = reply.find("load_pct=")
    if at < 0:
        return None
    digits = reply[at + len("load_pct=") :].split(";", 1)[0]
    number = ""
    for char in digits.strip():
        if not (char.isdigit() or (char == "-" and not number)):
            break
        number += char
    try:
        return int(number)
    except ValueError:
        return 0


def index_remove(client: Any, ns: Any, name: Any, policy: Any = None) -> int:
    """Remove an index (the server answers ok also when it does not exist); returns 0."""
    from .info import info_any

    try:
        cluster = client._connected_cluster()
        info_policy = client._resolve("info", policy)
        namespace, _ = _check_names(ns, None)
        index_name = _index_name(name)
        info_any(cluster, f"sindex-delete:ns={namespace};indexname={index_name}", info_policy)
    except exception.AerospikeError as error:
        raise _named(error, name) from None
    return 0
