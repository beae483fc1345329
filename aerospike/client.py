"""The public ``aerospike.Client`` of client.rst: connection lifecycle, single-record commands and info.

Owns: argument checks (before anything is sent), policy resolution per call, the calls into the command loop
(command.execute / execute_on_node), info over nodes, truncate, and the process-wide registry of shared
cluster connections (``use_shared_connection``). Request bytes and reply shapes live in record_commands.py;
routing, retries and sockets live in cluster.py and command.py.
"""

from __future__ import annotations

import threading
from functools import partial as _partial
from typing import Any, Callable, Optional

from . import exception
from . import record_commands as rc
from ._constants import (
    OPERATOR_APPEND,
    OPERATOR_INCR,
    OPERATOR_PREPEND,
    OPERATOR_TOUCH,
    POLICY_KEY_SEND,
    SERIALIZER_PYTHON,
)
from .admin_methods import AdminMethods
from .cdt_methods import CdtMethods

# Every program that imports the client connects: the modules connect() needs are loaded with it, so that
# connect itself only talks to the cluster (import aerospike stays well under the C client's import time).
from .cluster import Cluster
from .command import execute, execute_on_node
from .config import ClientConfig, parse_config
from .key import calc_digest, parse_key
from .policy import Resolver
from .protocol.constants import OP_WRITE, PARTICLE_NULL
from .protocol.message import Op
from .values import MAX_BIN_NAME, ValueCodec, bin_name_length, c_bin_name

__all__ = ["Client"]

_MISSING_ARGS: Any = object()  # query_apply's `args` left out (3.0.0 crashed on it; None is refused)

_NOT_GIVEN: Any = object()  # put's serializer argument when the caller gave none

# use_shared_connection: one Cluster per identical config in this process, closed with its last client.
_shared_lock = threading.Lock()
_shared_clusters: dict[tuple, list] = {}  # identity -> [cluster, reference count]


_NO_HOSTS: Any = object()  # info() called without hosts (an explicit None is refused, as in 3.0.0)


def _not_connected() -> exception.AerospikeError:
    return exception.ClusterError(exception.ClusterError.code, "No connection to aerospike cluster")


class Client(CdtMethods, AdminMethods):
    """A client of one Aerospike cluster (see client.rst). Build it with ``aerospike.client(config)``."""

    def __init__(self, config: Any) -> None:
        self._config: ClientConfig = parse_config(config)
        self._resolve = Resolver(self._config.policies).resolve
        self._policies = self._config.policies  # the defaults: what _resolve gives for no policy
        # config['policies'] dicts only the current API's batch methods read (as 19.3.0 reads them).
        policies = config.get("policies") if isinstance(config, dict) else None
        self._batch_defaults: dict[str, dict] = {
            name: dict(value)
            for name, value in (policies.items() if isinstance(policies, dict) else ())
            if name in ("batch_write", "batch_apply", "batch_remove", "batch_parent_write") and isinstance(value, dict)
        }
        self._codec = ValueCodec(
            self._config.serializer,
            self._config.deserializer,
            self._config.unpickle_python_blobs,
            getattr(self._config, "strict_types", True),
        )
        self._operate_read_policy: Any = None
        self._cluster: Any = None
        self._shared_identity: Optional[tuple] = None
        self._execute: Callable[..., Any] = _unconnected_execute
        self._execute_on_node: Callable[..., Any] = _unconnected_execute
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def connect(self, *args: Any, **credentials: Any) -> Client:
        """Connect to the cluster (username, password for servers with security); returns the client.

        As 3.0.0: the credentials are used only when both are strings (otherwise the client connects without
        them); connecting a connected client does nothing. Unlike 3.0.0, which ignored keyword arguments,
        ``username=`` and ``password=`` are taken too. No usable seed raises 'Failed to connect'.
        """
        if len(args) > 2:
            raise TypeError(f"connect() takes at most 2 arguments ({len(args)} given)")
        username = args[0] if args else credentials.get("username")
        password = args[1] if len(args) > 1 else credentials.get("password")
        if not (isinstance(username, str) and isinstance(password, str)):
            username = password = None

        with self._lock:
            if self._cluster is not None and self._cluster.is_connected():
                return self
            if self._cluster is not None:
                self._release_cluster()
            config = self._config
            if config.use_shared_connection:
                identity = config.identity(username, password)
                with _shared_lock:
                    entry = _shared_clusters.get(identity)
                    if entry is not None and entry[0].is_connected():
                        entry[1] += 1
                        cluster = entry[0]
                    else:
                        cluster = self._new_cluster(username, password)
                        cluster.connect()
                        _shared_clusters[identity] = [cluster, 1]
                self._shared_identity = identity
            else:
                cluster = self._new_cluster(username, password)
                cluster.connect()
            self._execute = execute
            self._execute_on_node = execute_on_node
            self._cluster = cluster
        return self

    def _cluster_config(self, username: Optional[str], password: Optional[str]) -> Any:
        return self._config.cluster_config(username, password)

    def _new_cluster(self, username: Optional[str], password: Optional[str]) -> Any:
        cluster_config = self._cluster_config(username, password)
        if cluster_config.shm is None:
            return Cluster(cluster_config)
        from .shm import SharedTending

        return Cluster(cluster_config, SharedTending)

    def _release_cluster(self) -> None:
        cluster = self._cluster
        self._cluster = None
        self._execute = _unconnected_execute
        self._execute_on_node = _unconnected_execute
        identity = self._shared_identity
        self._shared_identity = None
        if identity is None:
            cluster.close()
            return
        with _shared_lock:
            entry = _shared_clusters.get(identity)
            if entry is None or entry[0] is not cluster:
                cluster.close()
                return
            entry[1] -= 1
            if entry[1] <= 0:
                del _shared_clusters[identity]
                cluster.close()

    def is_connected(self, *_ignored: Any, **_ignored_keywords: Any) -> bool:
        """Whether the client has a live connection to the cluster (arguments are ignored, as by 3.0.0)."""
        cluster = self._cluster
        return cluster is not None and bool(cluster.is_connected())

    def close(self, *_ignored: Any, **_ignored_keywords: Any) -> None:
        """Close the connections to the cluster (a shared cluster closes with its last client); closing an
        unconnected client does nothing. Arguments are ignored, as by 3.0.0."""
        with self._lock:
            if self._cluster is not None:
                self._release_cluster()

    def shm_key(self, *_ignored: Any, **_ignored_keywords: Any) -> Optional[int]:
        """The shared-memory key when shared-memory tending is configured, else None (ClusterError before
        connect, as 3.0.0)."""
        if self._cluster is None:
            raise _not_connected()
        return self._config.shm_key()

    def _connected_cluster(self) -> Any:
        cluster = self._cluster
        if cluster is None:
            raise _not_connected()
        return cluster

    # -- single-record commands (3.0.0's argument names, checks in its order, its messages) ---------------------

    def get(self, key: Any, policy: Optional[dict] = None) -> tuple:
        """Read a record: ``(key, meta, bins)``; RecordNotFound when it does not exist."""
        cluster = self._cluster
        if cluster is None:
            raise _not_connected()
        k = parse_key(key)
        if policy is None:
            read_policy = self._policies["read"]
            parser: Callable[[bytes], tuple] = _partial(rc.get_body, k, self._codec, False)  # get_body_parser's
        else:
            read_policy = self._resolve("read", policy)
            parser = rc.get_body_parser(k, self._codec, read_policy.key == POLICY_KEY_SEND)
        try:
            return self._execute(  # type: ignore[no-any-return]
                cluster, read_policy, rc.encode_get(k, read_policy), k.namespace, k.partition_id, False, parser, None,
                True,
            )
        except exception.AerospikeError as error:
            raise _for_record(error, key, None)

    def select(self, key: Any, bins: Any, policy: Optional[dict] = None) -> tuple:
        """Read the named bins of a record: ``(key, meta, bins)``."""
        cluster = self._connected_cluster()
        k = parse_key(key)
        rc.encode_select(k, bins, self._config.policies["read"])  # 3.0.0 checks the bins before the policy
        read_policy = self._resolve("read", policy)
        request = rc.encode_select(k, bins, read_policy)
        try:
            return self._execute(  # type: ignore[no-any-return]
                cluster, read_policy, request, k.namespace, k.partition_id, False, rc.select_body_parser(k, self._codec),
                None, True,
            )
        except exception.AerospikeError as error:
            raise _for_record(error, key, None)

    def exists(self, key: Any, policy: Optional[dict] = None) -> tuple:
        """``(key, meta)`` of a record, meta None when it does not exist."""
        cluster = self._connected_cluster()
        k = parse_key(key)
        read_policy = self._resolve("read", policy)
        request = rc.encode_exists(k, read_policy)
        try:
            return self._execute(  # type: ignore[no-any-return]
                cluster, read_policy, request, k.namespace, k.partition_id, False, rc.exists_body_parser(k), None, True
            )
        except exception.AerospikeError as error:
            raise _for_record(error, key, None)

    def put(
        self,
        key: Any,
        bins: Any,
        meta: Optional[dict] = None,
        policy: Optional[dict] = None,
        serializer: Any = _NOT_GIVEN,
    ) -> int:
        """Write a record's bins (an aerospike.null() value removes the bin); returns 0.

        Values of other types than int, float, str, list, dict and GeoJSON (bool and None included) go through
        `serializer` (one of the SERIALIZER_* constants; pickled by default).
        """
        cluster = self._cluster
        if cluster is None:
            raise _not_connected()
        codec = self._codec
        serializer_type = SERIALIZER_PYTHON
        if serializer is _NOT_GIVEN:
            codec.explicit_serializer = False
        elif isinstance(serializer, int):
            codec.explicit_serializer = True
            serializer_type = serializer
        try:
            k = parse_key(key)
            request = None
            if policy is None and meta is None and type(bins) is dict:
                # Plain bins under the default policy: encoded in one pass (held to the path below by
                # tests/unit/test_fast_paths.py).
                write_policy = self._policies["write"]
                request = rc.encode_put_plain(k, bins, write_policy)
            if request is None:
                ops = codec.bins_to_ops(bins, serializer_type)
                if meta is not None:
                    rc.parse_meta(meta)
                write_policy = self._resolve("write", policy)
                request = rc.encode_put(k, ops, meta, write_policy)
            return self._execute(  # type: ignore[no-any-return]
                cluster, write_policy, request, k.namespace, k.partition_id, True, rc.status_body_parse, None, True
            )
        except exception.AerospikeError as error:
            raise _for_record(error, key, bins)

    def touch(self, key: Any, val: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """Reset a record's ttl to ``val`` seconds (0: namespace default) and bump its generation; returns 0."""
        return self._single_operation(key, {"op": OPERATOR_TOUCH, "val": val}, meta, policy, None)

    def remove(self, key: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """Remove a record; returns 0. With a policy, ``meta['gen']`` is the generation POLICY_GEN_EQ/GT check.

        As in 3.0.0, meta is read only when a policy is given (``remove(key, policy)`` positionally passes the
        policy as meta, which is then ignored).
        """
        cluster = self._connected_cluster()
        try:
            k = parse_key(key)
            remove_policy = self._resolve("remove", policy)
            if policy is None or not isinstance(meta, dict) or "gen" not in meta:
                meta = None
            request = rc.encode_remove(k, meta, remove_policy)
            return self._execute(  # type: ignore[no-any-return]
                cluster, remove_policy, request, k.namespace, k.partition_id, True, rc.status_body_parse, None, True
            )
        except exception.AerospikeError as error:
            raise _for_record(error, key, None)

    def remove_bin(self, key: Any, list: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """Remove the named bins from a record; returns 0."""
        cluster = self._connected_cluster()
        try:
            if not isinstance(list, type([])):
                raise exception.ParamError(exception.ParamError.code, "Bins should be a list")
            k = parse_key(key)
            try:
                write_policy = self._resolve("write", policy)
            except exception.ParamError:
                raise exception.ClientError(exception.ClientError.code, "Incorrect policy") from None
            ops: Any = []
            bin_names: Any = list
            for name in bin_names:
                if not isinstance(name, str):
                    raise exception.ClientError(
                        exception.ClientError.code, "Invalid bin name, bin name should be a string or unicode string"
                    )
                name = c_bin_name(name)
                if bin_name_length(name) > MAX_BIN_NAME:
                    return 0  # 3.0.0: the C client refuses the bin and the call returns 0 without writing
                ops.append(Op(OP_WRITE, PARTICLE_NULL, name, b""))
            request = rc.encode_put(k, ops, meta, write_policy, "remove_bin")
            return self._execute(  # type: ignore[no-any-return]
                cluster, write_policy, request, k.namespace, k.partition_id, True, rc.status_body_parse, None, True
            )
        except exception.AerospikeError as error:
            raise _for_record(error, key, None)

    def _single_operation(self, key: Any, operation: dict, meta: Any, policy: Any, bin: Any) -> int:
        # append, prepend, increment and touch: a one-operation operate, as 3.0.0 ran them; returns 0.
        cluster = self._connected_cluster()
        try:
            k = parse_key(key)
            operate_policy = self._resolve("operate", policy)
            spec = rc.encode_operate(k, [operation], meta, operate_policy, self._codec)
            self._execute(
                cluster, operate_policy, spec.request, k.namespace, k.partition_id, True, rc.status_body_parse, None, True
            )
        except exception.AerospikeError as error:
            raise _for_record(error, key, bin)
        return 0

    def append(self, key: Any, bin: Any, val: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """Append a string (or bytearray) to a bin; returns 0."""
        return self._single_operation(key, {"op": OPERATOR_APPEND, "bin": bin, "val": val}, meta, policy, bin)

    def prepend(self, key: Any, bin: Any, val: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """Prepend a string (or bytearray) to a bin; returns 0."""
        return self._single_operation(key, {"op": OPERATOR_PREPEND, "bin": bin, "val": val}, meta, policy, bin)

    def increment(
        self, key: Any, bin: Any, offset: Any, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Add an int or float to a bin; returns 0."""
        return self._single_operation(key, {"op": OPERATOR_INCR, "bin": bin, "val": offset}, meta, policy, bin)

    def _operate(self, key: Any, list: Any, meta: Any, policy: Any, ordered: bool) -> tuple:
        cluster = self._connected_cluster()
        try:
            k = parse_key(key)
            if not isinstance(list, type([])):
                raise exception.ParamError(exception.ParamError.code, "Operations should be of type list")
            operate_policy = self._resolve("operate", policy)
            spec = rc.encode_operate_plain(k, list, operate_policy) if meta is None and not ordered else None
            if spec is None:
                spec = rc.encode_operate(k, list, meta, operate_policy, self._codec, ordered)
            if policy is None and not spec.is_write:
                operate_policy = self._read_operate_policy()  # 3.0.0: reads retry twice by default
            parser = rc.operate_body_parser(k, self._codec, spec, ordered)
            return self._execute(  # type: ignore[no-any-return]
                cluster, operate_policy, spec.request, k.namespace, k.partition_id, spec.is_write, parser, None, True
            )
        except exception.AerospikeError as error:
            raise _for_record(error, key, None)

    def _read_operate_policy(self) -> Any:
        policy = self._operate_read_policy
        if policy is None:
            policy = self._operate_read_policy = self._config.policies["operate"].replace(max_retries=2)
        return policy

    def operate(self, key: Any, list: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> tuple:
        """Several bin operations on one record: ``(key, meta, bins)`` with one entry per bin read."""
        return self._operate(key, list, meta, policy, False)

    def operate_ordered(
        self, key: Any, list: Any, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> tuple:
        """Like operate, with the results as a list of ``(bin, value)`` in operation order."""
        return self._operate(key, list, meta, policy, True)

    def get_key_digest(self, ns: Any, set: Any, key: Any) -> bytearray:
        """The RIPEMD-160 digest of a key (deprecated: use aerospike.calc_digest).

        As 3.0.0 (client/get_key_digest.c): the argument types are checked first (TypeError, as calc_digest),
        then the connection (ClusterError when not connected), then the key's values (ParamError).
        """
        if self._cluster is None:
            try:
                calc_digest(ns, set, key, check_types=True)
            except exception.AerospikeError:
                pass
            raise _not_connected()
        return calc_digest(ns, set, key, check_types=True)

    # -- info ----------------------------------------------------------------------------------------------------

    def _info_policy(self, policy: Any) -> Any:
        return self._resolve("info", policy)

    def info_node(self, command: Any, host: Any, policy: Optional[dict] = None) -> str:
        """Send an info command to the host ``(address, port[, tls_name])``, in the cluster or not; its raw reply.

        A tuple of another length asks the first configured seed, as 3.0.0 did.
        """
        from .info import info_host

        cluster = self._connected_cluster()
        seed = self._config.hosts[0]
        address, port, tls_name = seed[0], seed[1], None
        info_policy = self._info_policy(policy)
        if not isinstance(host, tuple):
            raise exception.ParamError(exception.ParamError.code, "Host should be a specified in form of Tuple.")
        if len(host) in (2, 3):
            if isinstance(host[0], str):
                address = host[0]
            if isinstance(host[1], int):
                port = host[1] & 0xFFFF
            if len(host) == 3:
                if not isinstance(host[2], str):
                    raise exception.ParamError(exception.ParamError.code, "tls name must be string or unicode")
                tls_name = host[2]
        if not isinstance(command, str):
            raise exception.ParamError(exception.ParamError.code, "Request should be of string type")
        return info_host(cluster, address, port, tls_name, command, info_policy)

    def info_single_node(self, command: Any, host: Any, policy: Optional[dict] = None) -> str:
        """Send an info command to the cluster node named ``host`` (a node name, e.g. 'BB9020011AC4202'); its raw
        reply (``command<TAB>value`` lines). The current API's call: its messages, and errors name the node."""
        from .info import info_node

        cluster = self._connected_cluster()
        if not isinstance(command, str):
            raise exception.ParamError(exception.ParamError.code, "Request should be a string.")
        if not isinstance(host, str):
            raise exception.ParamError(exception.ParamError.code, "Host must be a string.")
        info_policy = self._info_policy(policy)
        try:
            node = cluster.get_node(host)
        except exception.InvalidNodeError:
            raise exception.ParamError(exception.ParamError.code, f"Could not get node with name {host}.") from None
        return _info_from(info_node, node, command, info_policy)

    def info_random_node(self, command: Any, policy: Optional[dict] = None) -> str:
        """Send an info command to one node of the cluster picked at random; its raw reply (current API)."""
        from .info import info_node

        cluster = self._connected_cluster()
        if not isinstance(command, str):
            raise exception.ParamError(exception.ParamError.code, "Request should be a string.")
        info_policy = self._info_policy(policy)
        return _info_from(info_node, cluster.random_node(), command, info_policy)

    def info_all(self, command: Any, policy: Optional[dict] = None) -> dict:
        """Send an info command to every node: ``{node_name: (None, reply)}``; raises the first node error."""
        from .info import info_node

        cluster = self._connected_cluster()
        info_policy = self._info_policy(policy)
        if not isinstance(command, str):
            raise exception.ParamError(exception.ParamError.code, "Request must be a string")
        result = {}
        for node in cluster.nodes():
            raw = info_node(node, command, info_policy)
            result[node.name] = (None, _after_tab(raw))
        return result

    def info(self, command: Any, hosts: Any = _NO_HOSTS, policy: Optional[dict] = None) -> dict:
        """Deprecated: info_all limited to the nodes at ``hosts`` [(address, port), ...].

        ``{node_name: (None, reply)}``; an explicit ``hosts=None`` is refused, as in 3.0.0.
        """
        from .info import info_node

        cluster = self._connected_cluster()
        info_policy = self._info_policy(policy)
        if not isinstance(command, str):
            raise exception.ParamError(exception.ParamError.code, "Request must be a string")
        result: dict[str, tuple] = {}
        for node in cluster.nodes():
            value = (None, _after_tab(info_node(node, command, info_policy)))
            if hosts is _NO_HOSTS:
                result[node.name] = value
            elif _node_at(node, hosts):
                result[node.name] = value
        return result

    def get_nodes(self, *args: Any, **kwargs: Any) -> list:
        """The ``(address, port)`` of every node of the connected cluster (arguments are ignored, as in 3.0.0)."""
        cluster = self._connected_cluster()
        return [(node.host, node.port) for node in cluster.nodes()]

    def has_geo(self, *args: Any, **kwargs: Any) -> bool:
        """Whether every node of the cluster supports geospatial data and indexes (arguments are ignored)."""
        cluster = self._connected_cluster()
        nodes = cluster.nodes()
        if not nodes:
            return False
        timeout = self._info_policy(None).timeout / 1000.0 or None
        for node in nodes:
            features = node.info(["features"], timeout).get("features", "")
            if "geo" not in features.split(";"):
                return False
        return True

    def truncate(self, namespace: Any, set: Any, nanos: Any, policy: Optional[dict] = None) -> int:
        """Remove the records of a set (or namespace) last updated before ``nanos`` (0: all); returns 0.

        As in 3.0.0, arguments are checked first, and any failure of the request itself (a bad policy, a server
        refusal) is ClientError 'Incorrect Policy' / 'Truncate operation failed'.
        """
        if not isinstance(namespace, str):
            raise exception.ParamError(exception.ParamError.code, "Namespace must be unicode or string type")
        if set is not None and not isinstance(set, str):
            raise exception.ParamError(exception.ParamError.code, "Set must be None, or unicode or string type")
        if not isinstance(nanos, int):
            raise exception.ParamError(exception.ParamError.code, "Nanoseconds must be a long type")
        if -(1 << 63) <= nanos < 0:
            raise exception.ParamError(exception.ParamError.code, "Nanoseconds must be a positive value")
        if not 0 <= nanos < 1 << 64:
            raise exception.ParamError(exception.ParamError.code, "Nanoseconds value too large")
        cluster = self._connected_cluster()
        try:
            info_policy = self._info_policy(policy)
        except exception.AerospikeError:
            raise exception.ClientError(exception.ClientError.code, "Incorrect Policy") from None
        # 3.0.0 sends `truncate:namespace=<ns>` without a set, which servers since 4.x refuse ("missing 'set'");
        # the namespace form of those servers is truncate-namespace.
        if set is None:
            command = f"truncate-namespace:namespace={namespace}"
        else:
            command = f"truncate:namespace={namespace};set={set}"
        if nanos:
            command += f";lut={int(nanos)}"
        from .info import info_node

        try:
            # The server spreads a truncate over the cluster itself; one node is enough.
            info_node(cluster.random_node(), command, info_policy)
        except exception.AerospikeError:
            raise exception.ClientError(exception.ClientError.code, "Truncate operation failed") from None
        return 0

    # -- batch, scans, queries, UDFs, secondary indexes (batch.py, scan.py, query.py, udf.py, index.py) ----

    def get_many(self, keys: Any, policy: Optional[dict] = None) -> list:
        """Batch-read records: ``[(key, meta, bins)]`` in input order; a missing record has None meta and bins."""
        from . import batch

        return batch.get_many(self, keys, policy)

    def exists_many(self, keys: Any, policy: Optional[dict] = None) -> list:
        """Batch-read metadata: ``[(key, meta)]`` in input order; meta None for a missing record."""
        from . import batch

        return batch.exists_many(self, keys, policy)

    def select_many(self, keys: Any, bins: Any, policy: Optional[dict] = None) -> list:
        """Batch-read the named bins: ``[(key, meta, bins)]`` in input order."""
        from . import batch

        return batch.select_many(self, keys, bins, policy)

    # The current API's batch methods (19.x): results in aerospike_helpers.batch.records objects.

    def batch_read(self, keys: Any, bins: Any = None, policy: Optional[dict] = None) -> Any:
        """Read every key (all bins, the named bins, or with ``bins=[]`` only metadata): a BatchRecords."""
        from . import batch_records

        return batch_records.batch_read(self, keys, bins, policy)

    def batch_write(self, batch_records: Any, policy_batch: Optional[dict] = None) -> Any:
        """Run each record's sub-command (Read, Write, Apply, Remove); results are set on `batch_records`."""
        from . import batch_records as batch

        return batch.batch_write(self, batch_records, policy_batch)

    def batch_operate(
        self,
        keys: Any,
        ops: Any,
        policy_batch: Optional[dict] = None,
        policy_batch_write: Optional[dict] = None,
        ttl: Any = None,
    ) -> Any:
        """The same operations on every key: a BatchRecords."""
        from . import batch_records

        return batch_records.batch_operate(self, keys, ops, policy_batch, policy_batch_write, ttl)

    def batch_apply(
        self,
        keys: Any,
        module: Any,
        function: Any,
        args: Any,
        policy_batch: Optional[dict] = None,
        policy_batch_apply: Optional[dict] = None,
    ) -> Any:
        """Apply a record UDF to every key: a BatchRecords."""
        from . import batch_records

        return batch_records.batch_apply(self, keys, module, function, args, policy_batch, policy_batch_apply)

    def batch_remove(
        self, keys: Any, policy_batch: Optional[dict] = None, policy_batch_remove: Optional[dict] = None
    ) -> Any:
        """Remove every key: a BatchRecords."""
        from . import batch_records

        return batch_records.batch_remove(self, keys, policy_batch, policy_batch_remove)

    def scan(self, *args: Any, **kwargs: Any) -> Any:
        """``scan(namespace[, set])``: a :class:`aerospike.Scan` over a set (None: the whole namespace).

        As in 3.0.0, arguments that do not fit raise ParamError, not TypeError.
        """
        from .scan import Scan

        return Scan(self, *args, **kwargs)

    def query(self, *args: Any, **kwargs: Any) -> Any:
        """``query(namespace[, set])``: a :class:`aerospike.Query` over a set (None: records in no set).

        As in 3.0.0, arguments that do not fit raise ParamError, not TypeError.
        """
        from .query import Query

        return Query(self, *args, **kwargs)

    def udf_put(self, filename: Any, udf_type: int = 0, policy: Optional[dict] = None) -> int:
        """Register a Lua module file with the cluster (and copy it to lua user_path); returns 0."""
        from . import udf

        return udf.udf_put(self, filename, udf_type, policy)

    def udf_remove(self, filename: Any, policy: Optional[dict] = None) -> int:
        """Remove a registered UDF module (``filename`` as registered, e.g. 'my_module.lua'); returns 0."""
        from . import udf

        return udf.udf_remove(self, filename, policy)

    def udf_list(self, policy: Optional[dict] = None) -> list:
        """The registered UDF modules: ``[{'name', 'hash', 'type', 'content'}]``."""
        from . import udf

        return udf.udf_list(self, policy)

    def udf_get(self, module: Any, language: int = 0, policy: Optional[dict] = None) -> str:
        """The source of a registered UDF module."""
        from . import udf

        return udf.udf_get(self, module, language, policy)

    def apply(self, key: Any, module: Any, function: Any, args: Any, policy: Optional[dict] = None) -> Any:
        """Apply a registered record UDF to one record; returns the function's value."""
        from . import udf

        return udf.apply(self, key, module, function, args, policy)

    def scan_apply(
        self,
        ns: str,
        set: Optional[str],
        module: str,
        function: str,
        args: Any = None,
        policy: Optional[dict] = None,
        options: Optional[dict] = None,
    ) -> int:
        """Apply a record UDF to every record of a set in the background; returns the job id once the job
        is done (3.0.0 waited for it)."""
        from . import jobs

        return jobs.scan_apply(self, ns, set, module, function, args, policy, options)

    def query_apply(
        self,
        ns: str,
        set: Optional[str],
        predicate: Any,
        module: str,
        function: str,
        args: Any = _MISSING_ARGS,
        policy: Optional[dict] = None,
    ) -> int:
        """Apply a record UDF to the records a predicate selects, in the background; returns the job id once
        the job is done (3.0.0 waited for it)."""
        from . import jobs

        if args is _MISSING_ARGS:
            args = jobs.MISSING
        return jobs.query_apply(self, ns, set, predicate, module, function, args, policy)

    def job_info(self, job_id: int, module: str, policy: Optional[dict] = None) -> dict:
        """Progress of a background job: ``{'status', 'records_read', 'progress_pct'}`` (JOB_STATUS_*)."""
        from . import jobs

        return jobs.job_info(self, job_id, module, policy)

    def scan_info(self, scanid: int, policy: Optional[dict] = None) -> dict:
        """Deprecated: progress of a background scan with a SCAN_STATUS_* status."""
        from . import jobs

        return jobs.scan_info(self, scanid, policy)

    def index_string_create(
        self, ns: Any, set: Any, bin: Any, name: Any, policy: Optional[dict] = None
    ) -> int:
        """Create a string secondary index on a bin; returns 0 once the index is built."""
        from .index import index_create

        return index_create(self, ns, set, bin, name, "STRING", None, policy)

    def index_integer_create(
        self, ns: Any, set: Any, bin: Any, name: Any, policy: Optional[dict] = None
    ) -> int:
        """Create an integer secondary index on a bin; returns 0 once the index is built."""
        from .index import index_create

        return index_create(self, ns, set, bin, name, "NUMERIC", None, policy)

    def index_list_create(
        self, ns: Any, set: Any, bin: Any, index_datatype: Any, name: Any, policy: Optional[dict] = None
    ) -> int:
        """Create a secondary index on the values of a list bin."""
        from .index import index_create

        return index_create(self, ns, set, bin, name, index_datatype, "LIST", policy)

    def index_map_keys_create(
        self, ns: Any, set: Any, bin: Any, index_datatype: Any, name: Any, policy: Optional[dict] = None
    ) -> int:
        """Create a secondary index on the keys of a map bin."""
        from .index import index_create

        return index_create(self, ns, set, bin, name, index_datatype, "MAPKEYS", policy)

    def index_map_values_create(
        self, ns: Any, set: Any, bin: Any, index_datatype: Any, name: Any, policy: Optional[dict] = None
    ) -> int:
        """Create a secondary index on the values of a map bin."""
        from .index import index_create

        return index_create(self, ns, set, bin, name, index_datatype, "MAPVALUES", policy)

    def index_geo2dsphere_create(
        self, ns: Any, set: Any, bin: Any, name: Any, policy: Optional[dict] = None
    ) -> int:
        """Create a geospatial (GeoJSON) secondary index on a bin."""
        from .index import index_create

        return index_create(self, ns, set, bin, name, "GEO2DSPHERE", None, policy, geo=True)

    def index_remove(self, ns: Any, name: Any, policy: Optional[dict] = None) -> int:
        """Remove a secondary index; returns 0 (also when it did not exist)."""
        from .index import index_remove

        return index_remove(self, ns, name, policy)


def _info_from(info_node: Any, node: Any, command: str, policy: Any) -> str:
    """One info command to `node`; an error the reply reports names the node, as 19.x says it ('... from ip:port')."""
    try:
        return info_node(node, command, policy)  # type: ignore[no-any-return]
    except exception.AerospikeError as error:
        if isinstance(error, (exception.ClientError, exception.TimeoutError)):
            raise
        raise exception.error_for_code(error.code or 0, f"{error.msg} from {node.address}") from None


def _after_tab(raw: str) -> str:
    # 3.0.0's info/info_all report what follows the first tab of the reply.
    _, tab, rest = raw.partition("\t")
    return rest if tab else raw


def _node_at(node: Any, hosts: Any) -> bool:
    """Whether one of ``hosts`` names the node's address, checked as 3.0.0's info callback checks them."""
    if not isinstance(hosts, list):
        raise exception.ParamError(exception.ParamError.code, "Hosts should be specified in a list.")
    found = False
    for host in hosts:
        if not isinstance(host, tuple) or len(host) != 2:
            continue
        address, port = host
        if not isinstance(address, str):
            raise exception.ParamError(exception.ParamError.code, "Host address is of type incorrect")
        if not isinstance(port, int):
            break
        if len(address) >= 46:  # INET6_ADDRSTRLEN
            raise exception.ParamError(exception.ParamError.code, "Host address is too long")
        port &= 0xFFFF
        if node.address in (f"{address}:{port}", f"[{address}]:{port}"):
            found = True
    return found


def _for_record(error: exception.AerospikeError, key: Any, bin: Any) -> exception.AerospikeError:
    """A record error names the key (and bin) of the call, as 3.0.0's did; other errors pass unchanged."""
    if isinstance(error, (exception.RecordError, exception.LDTError)):
        error.key = key
        error.bin = bin
    return error


def _unconnected_execute(*args: Any) -> Any:
    raise _not_connected()
