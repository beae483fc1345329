"""User-defined functions: module registry (udf_put/remove/list/get), record UDFs (apply), background
jobs (scan_apply, query_apply, job_info, scan_info) and stream-UDF aggregation with its client-side reduce.

Owns: the udf-* and query-show info commands and their replies, the record-UDF message (fields 30/31/32,
reply bin SUCCESS or FAILURE), sending a background job to every node under one task id, and the Lua
final phase of an aggregation: the module is read from ``config['lua']['user_path']`` and run with lupa;
as in the official client, the stream operations from the first ``reduce`` on run again over the values
the nodes returned (``map``/``filter``/``aggregate`` before it ran on the servers).
"""

from __future__ import annotations

import base64
import os
import tempfile
from typing import Any, Callable, Optional

from . import exception
from ._constants import (
    JOB_QUERY,
    JOB_SCAN,
    JOB_STATUS_COMPLETED,
    JOB_STATUS_INPROGRESS,
    JOB_STATUS_UNDEF,
    POLICY_KEY_SEND,
    SCAN_STATUS_COMPLETED,
    SCAN_STATUS_INPROGRESS,
    SCAN_STATUS_UNDEF,
    UDF_TYPE_LUA,
)
from .key import parse_key
from .protocol.cdt import pack
from .protocol.constants import (
    FIELD_DIGEST,
    FIELD_KEY,
    FIELD_NAMESPACE,
    FIELD_SET,
    FIELD_UDF_ARGLIST,
    FIELD_UDF_FUNCTION,
    FIELD_UDF_PACKAGE_NAME,
    INFO2_DURABLE_DELETE,
    INFO2_WRITE,
    INFO3_COMMIT_MASTER,
    INFO3_LAST,
    RESULT_OK,
    RESULT_UDF_ERROR,
)
from .protocol.errors import ProtocolError
from .protocol.info import parse_info_error
from .protocol.message import Message, encode_message
from .query import UDF_OP_AGGREGATE, UDF_OP_BACKGROUND, StreamRequest

__all__ = [
    "apply",
    "check_udf_call",
    "job_info",
    "parse_job_reply",
    "query_apply",
    "run_aggregation",
    "scan_apply",
    "scan_info",
    "udf_get",
    "udf_list",
    "udf_put",
    "udf_remove",
]

_SUCCESS = "SUCCESS"
_FAILURE = "FAILURE"


def check_udf_call(module: Any, function: Any, args: Any) -> None:
    """ParamError unless module and function are strings and args a list (or None)."""
    if not isinstance(module, str) or not module:
        raise exception.ParamError("module must be a non-empty string")
    if not isinstance(function, str) or not function:
        raise exception.ParamError("function must be a non-empty string")
    if args is not None and not isinstance(args, list):
        raise exception.ParamError("arguments must be a list")


def _arglist(client: Any, args: Optional[list]) -> bytes:
    try:
        return pack(list(args or []), client._codec.fallback_for(0))
    except ProtocolError as error:
        raise exception.ParamError(f"cannot encode UDF arguments: {error}") from None


def _info_timeout(client: Any, policy: Any) -> Optional[float]:
    info_policy = client._resolve("info", policy)
    return info_policy.timeout / 1000.0 if info_policy.timeout else None


def _info(node: Any, command: str, timeout: Optional[float]) -> str:
    reply = node.info([command], timeout)
    value = reply.get(command)
    if value is None:
        value = next(iter(reply.values()), "")
    error = parse_info_error(value)
    if error is not None:
        code, message = error
        raise exception.error_for_code(code, f"{message} from {node.address}")
    return value


# ------------------------------------------------------------------------------------------------ registry


def _module_list(node: Any, timeout: Optional[float]) -> list[dict[str, str]]:
    modules = []
    for entry in _info(node, "udf-list", timeout).split(";"):
        if not entry:
            continue
        fields = dict(part.split("=", 1) for part in entry.split(",") if "=" in part)
        if "filename" in fields:
            modules.append(fields)
    return modules


def udf_put(client: Any, filename: Any, udf_type: Any = UDF_TYPE_LUA, policy: Any = None) -> int:
    """Register a Lua module with the cluster and copy it to ``lua['user_path']``; returns 0."""
    cluster = client._connected_cluster()
    if not isinstance(filename, str) or not filename:
        raise exception.ParamError("Filename should be a string")
    if udf_type != UDF_TYPE_LUA:
        raise exception.ParamError("Invalid UDF language")
    timeout = _info_timeout(client, policy)
    try:
        with open(filename, "rb") as source:
            content = source.read()
    except OSError as error:
        raise exception.LuaFileNotFound(exception.LuaFileNotFound.code, f"cannot open script file: {error}") from None
    name = os.path.basename(filename)
    encoded = base64.b64encode(content).decode("ascii")
    command = f"udf-put:filename={name};content={encoded};content-len={len(encoded)};udf-type=LUA;"
    node = cluster.random_node()
    reply = _info(node, command, timeout)
    if reply.startswith("error=") or "error=" in reply.split(";")[0]:
        fields = dict(part.split("=", 1) for part in reply.replace("\t", ";").split(";") if "=" in part)
        message = fields.get("message", "")
        try:
            message = base64.b64decode(message).decode("utf-8", "replace")
        except ValueError:
            pass
        raise exception.UDFError(
            exception.UDFError.code, f"{fields.get('error', 'error')}: {message} (line {fields.get('line', '?')})"
        )
    _copy_to_user_path(client._config.lua.user_path, name, content)
    return 0


def _copy_to_user_path(user_path: str, name: str, content: bytes) -> None:
    # Aggregations read the module from here; write a temporary file and rename so a concurrent reader
    # never sees half a module.
    if not user_path or not os.path.isdir(user_path):
        return
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=user_path)
    try:
        with os.fdopen(handle, "wb") as target:
            target.write(content)
        os.replace(temporary, os.path.join(user_path, name))
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def udf_remove(client: Any, module: Any, policy: Any = None) -> int:
    """Remove a registered module (no error when it was not registered); returns 0."""
    cluster = client._connected_cluster()
    if not isinstance(module, str) or not module:
        raise exception.ParamError("module must be a string")
    _info(cluster.random_node(), f"udf-remove:filename={module};", _info_timeout(client, policy))
    return 0


def udf_list(client: Any, policy: Any = None) -> list:
    """``[{'name', 'hash', 'type', 'content'}]`` of the registered modules (content is empty here)."""
    cluster = client._connected_cluster()
    modules = _module_list(cluster.random_node(), _info_timeout(client, policy))
    return [
        {
            "name": fields["filename"],
            "hash": bytearray(fields.get("hash", "").encode("ascii")),
            "type": UDF_TYPE_LUA,
            "content": bytearray(),
        }
        for fields in modules
    ]


def udf_get(client: Any, module: Any, language: Any = UDF_TYPE_LUA, policy: Any = None) -> str:
    """The source text of a registered module."""
    cluster = client._connected_cluster()
    if not isinstance(module, str) or not module:
        raise exception.ParamError("module must be a string")
    if language != UDF_TYPE_LUA:
        raise exception.ParamError("Invalid UDF language")
    node = cluster.random_node()
    reply = _info(node, f"udf-get:filename={module};", _info_timeout(client, policy))
    fields = dict(part.split("=", 1) for part in reply.split(";") if "=" in part)
    if "error" in fields or "content" not in fields:
        raise exception.UDFError(exception.UDFError.code, f"{reply}\n from {node.address}")
    return base64.b64decode(fields["content"]).decode("utf-8")


# ------------------------------------------------------------------------------------------------ apply


def _udf_value(message: Message, codec: Any, address: str) -> Any:
    for op in message.ops:
        if op.bin_name == _SUCCESS:
            return codec.decode(op.particle_type, op.value)
        if op.bin_name == _FAILURE:
            text = codec.decode(op.particle_type, op.value)
            raise exception.UDFError(exception.UDFError.code, f"{address} {text}")
    if message.result_code == RESULT_UDF_ERROR:
        raise exception.UDFError(exception.UDFError.code, f"{address} UDF error")
    return None


def apply(client: Any, key: Any, module: Any, function: Any, args: Any, policy: Any = None) -> Any:
    """Run a record UDF on one record; its return value (None when the record is missing and nil)."""
    from .record_commands import raise_for, server_timeout

    cluster = client._connected_cluster()
    k = parse_key(key)
    check_udf_call(module, function, args)
    apply_policy = client._resolve("apply", policy)
    fields = [(FIELD_NAMESPACE, k.namespace_bytes), (FIELD_SET, k.set_bytes), (FIELD_DIGEST, k.digest)]
    if apply_policy.key == POLICY_KEY_SEND and k.key_field is not None:
        fields.append((FIELD_KEY, k.key_field))
    fields += [
        (FIELD_UDF_PACKAGE_NAME, module.encode("utf-8")),
        (FIELD_UDF_FUNCTION, function.encode("utf-8")),
        (FIELD_UDF_ARGLIST, _arglist(client, args)),
    ]
    info2 = INFO2_WRITE | (INFO2_DURABLE_DELETE if apply_policy.durable_delete else 0)
    info3 = INFO3_COMMIT_MASTER if apply_policy.commit_level == 1 else 0
    request = encode_message(0, info2, info3, 0, 0, 0, 0, server_timeout(apply_policy), fields, [])
    codec = client._codec

    def parse(message: Message) -> Any:
        if message.result_code not in (RESULT_OK, RESULT_UDF_ERROR):
            raise raise_for(message, True)
        return _udf_value(message, codec, _address_of(cluster, k))

    return client._execute(cluster, apply_policy, request, k.namespace, k.partition_id, True, parse)


def _address_of(cluster: Any, key: Any) -> str:
    node = cluster.node_for(key.namespace, key.partition_id, 0)
    return node.address if node is not None else ""


# ------------------------------------------------------------------------------------------------ background


def _start_background(client: Any, cluster: Any, request: StreamRequest, policy: Any) -> int:
    from .command import execute_stream

    nodes = cluster.nodes()
    if not nodes:
        raise exception.InvalidNodeError(exception.InvalidNodeError.code, "Cluster is empty: no node available")
    if not cluster.has_namespace(request.namespace):
        raise exception.NamespaceNotFound(
            exception.NamespaceNotFound.code, f"Namespace not found in partition map: {request.namespace}"
        )
    frame = request.encode()

    for node in nodes:

        def on_message(message: Message, node: Any = node) -> bool:
            if message.result_code:
                raise exception.error_for_code(message.result_code, f"from {node.address}")
            return not message.info3 & INFO3_LAST

        execute_stream(cluster, policy, node, frame, on_message)
    return request.task_id


def scan_apply(
    client: Any, ns: Any, set: Any, module: Any, function: Any, args: Any = None, policy: Any = None,
    options: Any = None,
) -> int:
    """Start a background scan applying a record UDF; returns the job id for job_info(JOB_SCAN)."""
    from .scan import parse_options

    cluster = client._connected_cluster()
    check_udf_call(module, function, args)
    parse_options(options)
    scan_policy = client._resolve("scan", policy)
    request = StreamRequest(
        ns, set, scan_policy, udf=(UDF_OP_BACKGROUND, module, function, _arglist(client, args)), background=True
    )
    return _start_background(client, cluster, request, scan_policy)


def query_apply(
    client: Any, ns: Any, set: Any, predicate: Any, module: Any, function: Any, args: Any = None,
    policy: Any = None,
) -> int:
    """Start a background query applying a record UDF; returns the job id for job_info(JOB_QUERY)."""
    cluster = client._connected_cluster()
    check_udf_call(module, function, args)
    write_policy = client._resolve("write", policy)
    request = StreamRequest(
        ns,
        set,
        write_policy,
        predicate=predicate,
        udf=(UDF_OP_BACKGROUND, module, function, _arglist(client, args)),
        background=True,
        write_timeout=write_policy.total_timeout,
    )
    return _start_background(client, cluster, request, write_policy)


def parse_job_reply(value: str) -> tuple[int, int, int]:
    """(JOB_STATUS_*, records read, progress percent) of one node's query-show reply."""
    if parse_info_error(value) is not None:
        # The job is unknown to this node (finished long ago, or never ran here): reported as done.
        return JOB_STATUS_COMPLETED, 0, 100
    fields = dict(part.split("=", 1) for part in value.replace(";", ":").split(":") if "=" in part)
    status_text = fields.get("status", "")
    if status_text.startswith("done"):
        status = JOB_STATUS_COMPLETED
    elif status_text.startswith("active"):
        status = JOB_STATUS_INPROGRESS
    else:
        status = JOB_STATUS_UNDEF
    records = fields.get("recs-succeeded", fields.get("recs-read", "0"))
    try:
        records_read = int(records)
    except ValueError:
        records_read = 0
    try:
        progress = int(float(fields.get("job-progress", "0")))
    except ValueError:
        progress = 0
    return status, records_read, progress


def job_info(client: Any, job_id: Any, module: Any, policy: Any = None) -> dict:
    """``{'status', 'records_read', 'progress_pct'}`` of a background job over every node."""
    cluster = client._connected_cluster()
    if isinstance(job_id, bool) or not isinstance(job_id, int) or not 0 <= job_id < 1 << 64:
        raise exception.ParamError("job id must be an unsigned 64-bit integer")
    if module not in (JOB_SCAN, JOB_QUERY):
        raise exception.ParamError("module must be aerospike.JOB_SCAN or aerospike.JOB_QUERY")
    timeout = _info_timeout(client, policy)
    command = f"query-show:id={job_id}"
    status = JOB_STATUS_COMPLETED
    records_read = 0
    progress = 100
    nodes = cluster.nodes()
    if not nodes:
        raise exception.InvalidNodeError(exception.InvalidNodeError.code, "Cluster is empty: no node available")
    for node in nodes:
        reply = node.info([command], timeout)
        value = reply.get(command, next(iter(reply.values()), ""))
        node_status, node_records, node_progress = parse_job_reply(value)
        records_read += node_records
        progress = min(progress, node_progress)
        if node_status == JOB_STATUS_INPROGRESS or (node_status == JOB_STATUS_UNDEF and status != JOB_STATUS_INPROGRESS):
            status = node_status
    return {"progress_pct": progress, "records_read": records_read, "status": status}


def scan_info(client: Any, scan_id: Any, policy: Any = None) -> dict:
    """Deprecated job_info for scans: ``{'status': SCAN_STATUS_*, 'records_scanned', 'progress_pct'}``."""
    info = job_info(client, scan_id, JOB_SCAN, policy)
    status = {
        JOB_STATUS_COMPLETED: SCAN_STATUS_COMPLETED,
        JOB_STATUS_INPROGRESS: SCAN_STATUS_INPROGRESS,
    }.get(info["status"], SCAN_STATUS_UNDEF)
    return {"progress_pct": info["progress_pct"], "records_scanned": info["records_read"], "status": status}


# ------------------------------------------------------------------------------------------------ aggregation


def run_aggregation(
    client: Any,
    cluster: Any,
    policy: Any,
    namespace: str,
    set_name: Optional[str],
    predicate: Any,
    udf: tuple[str, str, list],
    callback: Callable[[Any], Any],
) -> None:
    """Run a stream UDF on every node, then its client phase in Lua; each final value goes to callback."""
    from .command import execute_stream
    module, function, args = udf
    aggregator = LuaAggregator(client._config.lua.user_path, module)
    request = StreamRequest(
        namespace, set_name, policy, predicate=predicate,
        udf=(UDF_OP_AGGREGATE, module, function, _arglist(client, args)),
    )
    if not cluster.has_namespace(namespace):
        raise exception.NamespaceNotFound(
            exception.NamespaceNotFound.code, f"Namespace not found in partition map: {namespace}"
        )
    frame = request.encode()
    codec = client._codec
    values: list = []
    for node in cluster.nodes():

        def on_message(message: Message, node: Any = node) -> bool:
            if message.info3 & INFO3_LAST:
                if message.result_code not in (RESULT_OK, 2):
                    raise exception.error_for_code(message.result_code, f"from {node.address}")
                return False
            if message.result_code and message.result_code != RESULT_UDF_ERROR:
                raise exception.error_for_code(message.result_code, f"from {node.address}")
            values.append(_udf_value(message, codec, node.address))
            return True

        execute_stream(cluster, policy, node, frame, on_message)
    for value in aggregator.run(function, args, values):
        if callback(value) is False:
            return


# ------------------------------------------------------------------------------------------------ Lua phase

# The client's Lua environment: map/list values, log functions, and stream operations with the official
# scopes (map/filter: either side; aggregate: server; reduce: both). Only the operations from the first
# reduce on run here, over the values the servers returned.
_LUA_PRELUDE = r"""
local MapMeta = {__name = "Map"}
local ListMeta = {__name = "List"}
local function tag(t, meta) return setmetatable(t or {}, meta) end

map = setmetatable({}, {__call = function(_, t) return tag(t, MapMeta) end})
function map.size(m) local n = 0 for _ in pairs(m) do n = n + 1 end return n end
function map.pairs(m) return pairs(m) end
function map.iterator(m) return pairs(m) end
function map.keys(m) local k = nil return function() k = next(m, k) return k end end
function map.values(m) local k, v = nil, nil return function() k, v = next(m, k) return v end end
function map.remove(m, k) m[k] = nil end
function map.clone(m) local c = tag({}, MapMeta) for k, v in pairs(m) do c[k] = v end return c end
function map.merge(a, b, f)
  local c = map.clone(a)
  for k, v in pairs(b) do
    if c[k] ~= nil and f then c[k] = f(c[k], v) else c[k] = v end
  end
  return c
end

list = setmetatable({}, {__call = function(_, t) return tag(t, ListMeta) end})
function list.size(l) return #l end
function list.append(l, v) l[#l + 1] = v end
function list.prepend(l, v) table.insert(l, 1, v) end
function list.iterator(l) local i = 0 return function() i = i + 1 return l[i] end end
function list.clone(l) local c = tag({}, ListMeta) for i = 1, #l do c[i] = l[i] end return c end
function list.merge(a, b) local c = list.clone(a) for i = 1, #b do c[#c + 1] = b[i] end return c end
function list.take(l, n) local c = tag({}, ListMeta) for i = 1, math.min(n, #l) do c[i] = l[i] end return c end
function list.drop(l, n) local c = tag({}, ListMeta) for i = n + 1, #l do c[#c + 1] = l[i] end return c end

function trace(...) end
function debug(...) end
function info(...) end
function warn(...) end
aerospike = {log = function(...) end}

function __as_kind(v)
  local meta = getmetatable(v)
  if meta == MapMeta then return "map" end
  if meta == ListMeta then return "list" end
  return type(v)
end
function __as_map() return tag({}, MapMeta) end
function __as_list() return tag({}, ListMeta) end

local SERVER, EITHER, BOTH = 1, 3, 4

local function clone(v)
  local kind = __as_kind(v)
  if kind == "map" then return map.clone(v) elseif kind == "list" then return list.clone(v) end
  return v
end

local function op_filter(next_value, p)
  return function()
    for a in next_value do if p(a) then return a end end
    return nil
  end
end

local function op_map(next_value, f)
  return function()
    local a = next_value()
    if a ~= nil then return f(a) end
    return nil
  end
end

local function op_reduce(next_value, f)
  local done = false
  return function()
    if done then return nil end
    done = true
    local a = next_value()
    if a ~= nil then for b in next_value do a = f(a, b) end end
    return a
  end
end

local function op_aggregate(next_value, init, f)
  local done = false
  return function()
    if done then return nil end
    done = true
    local a = clone(init)
    for b in next_value do a = f(a, b) end
    return a
  end
end

local StreamOps = {}
StreamOps.__index = StreamOps
local function add(self, scope, fn, ...)
  self.ops[#self.ops + 1] = {scope = scope, fn = fn, args = table.pack(...)}
  return self
end
function StreamOps:map(f) return add(self, EITHER, op_map, f) end
function StreamOps:filter(p) return add(self, EITHER, op_filter, p) end
function StreamOps:aggregate(init, f) return add(self, SERVER, op_aggregate, init, f) end
function StreamOps:reduce(f) return add(self, BOTH, op_reduce, f) end
function StreamOps:groupby(f)
  local function collect(m, v)
    local k = f and f(v) or nil
    local l = m[k] or list()
    list.append(l, v)
    m[k] = l
    return m
  end
  local function join(m1, m2) return map.merge(m1, m2, list.merge) end
  return self:aggregate(map(), collect):reduce(join)
end

function __as_client_stream(f, next_value, ...)
  local ops = setmetatable({ops = {}}, StreamOps)
  local result = f(ops, ...)
  if result == nil then result = ops end
  local stream = next_value
  local client = false
  for _, op in ipairs(result.ops) do
    if op.scope == BOTH then client = true end
    if client then stream = op.fn(stream, table.unpack(op.args, 1, op.args.n)) end
  end
  return stream
end

function __as_load(source, name)
  local env = setmetatable({}, {__index = _G})
  local chunk, err = load(source, "@" .. name, "t", env)
  if not chunk then error(err, 0) end
  chunk()
  return env
end
"""


class LuaAggregator:
    """The client phase of one stream UDF module, read from the lua user_path and run with lupa."""

    def __init__(self, user_path: str, module: str) -> None:
        path = os.path.join(user_path or ".", module if module.endswith(".lua") else module + ".lua")
        try:
            with open(path, encoding="utf-8") as source:
                text = source.read()
        except OSError as error:
            raise exception.LuaFileNotFound(
                exception.LuaFileNotFound.code, f"cannot read Lua module {module!r} from user_path: {error}"
            ) from None
        try:
            import lupa
        except ImportError:  # pragma: no cover - lupa is a dependency
            raise exception.ClientError("lupa is required for stream UDF aggregation") from None
        self._lua = lupa.LuaRuntime(unpack_returned_tuples=False)
        self._lua.execute(_LUA_PRELUDE)
        self._globals = self._lua.globals()
        try:
            self._env = self._globals["__as_load"](text, os.path.basename(path))
        except lupa.LuaError as error:
            raise exception.UDFError(exception.UDFError.code, f"cannot load Lua module {module}: {error}") from None
        self._lupa = lupa

    def _to_lua(self, value: Any) -> Any:
        if isinstance(value, dict):
            table = self._globals["__as_map"]()
            for key, item in value.items():
                table[self._to_lua(key)] = self._to_lua(item)
            return table
        if isinstance(value, (list, tuple)):
            table = self._globals["__as_list"]()
            for index, item in enumerate(value, 1):
                table[index] = self._to_lua(item)
            return table
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        if hasattr(value, "dumps") and not isinstance(value, str):
            return value.dumps()
        return value

    def _to_python(self, value: Any) -> Any:
        kind = self._globals["__as_kind"](value)
        if kind == "map":
            return {self._to_python(key): self._to_python(item) for key, item in value.items()}
        if kind == "list":
            return [self._to_python(value[index]) for index in range(1, len(value) + 1)]
        if kind == "table":
            items = list(value.items())
            if all(isinstance(key, int) for key, _ in items) and [key for key, _ in items] == list(
                range(1, len(items) + 1)
            ):
                return [self._to_python(item) for _, item in items]
            return {self._to_python(key): self._to_python(item) for key, item in items}
        if isinstance(value, bytes):
            try:
                return value.decode("utf-8")
            except UnicodeDecodeError:
                return bytearray(value)
        return value

    def run(self, function: str, args: list, values: list) -> list:
        """The values the stream yields on the client after the servers' `values`."""
        target = self._env[function]
        if target is None:
            raise exception.UDFError(exception.UDFError.code, f"UDF: function not found: {function}")
        source = iter(values)
        to_lua = self._to_lua

        def next_value(*_: Any) -> Any:
            for value in source:
                if value is not None:
                    return to_lua(value)
            return None

        try:
            stream = self._globals["__as_client_stream"](target, next_value, *[to_lua(arg) for arg in args])
            results = []
            while True:
                item = stream()
                if item is None:
                    break
                results.append(self._to_python(item))
        except self._lupa.LuaError as error:
            raise exception.UDFError(exception.UDFError.code, f"UDF: Execution Error: {error}") from None
        return results


__all__ += ["LuaAggregator"]
