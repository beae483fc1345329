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
from time import monotonic, sleep
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


def _int_argument(method: str, name: str, value: Any) -> None:
    # 3.0.0 parses these with the "l" format: anything but an int is a TypeError.
    if not isinstance(value, int):
        raise TypeError(f"{method}() argument '{name}' must be int, not {type(value).__name__}")


def _udf_error(error: exception.AerospikeError, module: Any, func: Any) -> exception.AerospikeError:
    # 3.0.0 sets `module` and `func` on the exceptions that have them (UDFError and its subclasses).
    if isinstance(error, exception.UDFError):
        error.module = module
        error.func = func
    return error


# ------------------------------------------------------------------------------------------------ registry

_SCRIPT_LEN_MAX = 1048576  # 3.0.0 refuses a module file of this size or more
_PATH_MAX = 2 * 256 - 1  # 3.0.0's limit on user_path + '/' + file name
_PUT_WAIT = 0.05  # seconds between udf-list polls while a new module spreads over the cluster


def udf_put(client: Any, filename: Any, udf_type: Any = UDF_TYPE_LUA, policy: Any = None) -> int:
    """Register a Lua module file with the cluster (copying it to ``lua['user_path']``); returns 0."""
    from .info import info_any

    _int_argument("udf_put", "udf_type", udf_type)
    try:
        if udf_type != UDF_TYPE_LUA:
            raise exception.ClientError(exception.ClientError.code, "Invalid UDF language")
        cluster = client._connected_cluster()
        if not isinstance(filename, str):
            raise exception.ParamError(exception.ParamError.code, "Filename should be a string")
        info_policy = client._resolve("info", policy)
        user_path = client._config.lua.user_path
        name = filename.rpartition("/")[2]
        if not name:
            raise exception.ParamError(exception.ParamError.code, "Empty udf filename")
        path_length = len(user_path.encode("utf-8")) + (0 if user_path.endswith("/") else 1)
        if path_length + len(name.encode("utf-8")) > _PATH_MAX:
            raise exception.ParamError(exception.ParamError.code, "Lua file pathname too long")
        content = _read_module(filename)
        _copy_to_user_path(user_path, name, content)
        encoded = base64.b64encode(content).decode("ascii")
        command = f"udf-put:filename={name};content={encoded};content-len={len(encoded)};udf-type=LUA;"
        info_any(cluster, command, info_policy)
        _wait_listed(cluster, name, info_policy)
    except exception.AerospikeError as error:
        raise _udf_error(error, None, None) from None
    return 0


def _read_module(filename: str) -> bytes:
    try:
        with open(filename, "rb") as source:
            content = source.read(_SCRIPT_LEN_MAX)
    except OSError:
        raise exception.LuaFileNotFound(exception.LuaFileNotFound.code, "cannot open script file") from None
    if not content:
        raise exception.LuaFileNotFound(exception.LuaFileNotFound.code, "Script file is empty")
    if len(content) >= _SCRIPT_LEN_MAX:
        raise exception.LuaFileNotFound(exception.LuaFileNotFound.code, "Script File is too large")
    return content


def _copy_to_user_path(user_path: str, name: str, content: bytes) -> None:
    # Aggregations read the module from here. A temporary file renamed into place means a concurrent reader
    # never sees half a module, and a module registered from user_path itself is not truncated while read.
    if not user_path or not os.access(user_path, os.W_OK):
        raise exception.ClientError(exception.ClientError.code, "No permissions to write lua file to user path")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=user_path)
    except OSError:
        raise exception.ClientError(exception.ClientError.code, "Write of lua file to user path failed") from None
    try:
        with os.fdopen(handle, "wb") as target:
            target.write(content)
        os.replace(temporary, os.path.join(user_path, name))
    except OSError:
        raise exception.ClientError(exception.ClientError.code, "Write of lua file to user path failed") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _wait_listed(cluster: Any, name: str, info_policy: Any) -> None:
    """Until every node lists the module (3.0.0 polls udf-list the same way, without an end)."""
    from .info import info_node

    wanted = f"filename={name}"
    deadline = monotonic() + max(info_policy.timeout / 1000.0, 1.0) * 10
    while monotonic() < deadline:
        listed = True
        for node in cluster.nodes():
            try:
                if wanted not in info_node(node, "udf-list", info_policy):
                    listed = False
                    break
            except exception.AerospikeError:
                continue  # as in 3.0.0, a node that fails to answer does not hold the wait
        if listed:
            return
        sleep(_PUT_WAIT)


def udf_remove(client: Any, filename: Any, policy: Any = None) -> int:
    """Remove a registered module (the server answers ok also when it was not registered); returns 0."""
    from .info import info_any

    try:
        cluster = client._connected_cluster()
        if not isinstance(filename, str):
            raise exception.ParamError(exception.ParamError.code, "Filename should be a string")
        try:
            info_policy = client._resolve("info", policy)
        except exception.AerospikeError:  # 3.0.0 does not look at the policy's conversion error here
            info_policy = client._resolve("info", None)
        info_any(cluster, f"udf-remove:filename={filename};", info_policy)
    except exception.AerospikeError as error:
        raise _udf_error(error, filename, None) from None
    return 0


def parse_udf_list(raw: str) -> list[dict[str, Any]]:
    """``[{'name', 'hash', 'type', 'content'}]`` from a udf-list reply, read as the C client reads it."""
    _, tab, listing = raw.partition("\t")
    if not tab:
        raise exception.ParamError(exception.ParamError.code, f"Invalid udf-list response: {raw}")
    modules = []
    # Entries end with ';' (one not ended is dropped); fields are name=value pairs separated by ','.
    for entry in listing.split(";")[:-1]:
        fields = dict(part.split("=", 1) for part in entry.split(",") if "=" in part)
        modules.append(
            {
                "name": fields.get("filename", "")[:127],
                "hash": bytearray(fields.get("hash", "")[:40].encode("utf-8")),
                "type": UDF_TYPE_LUA,
                "content": bytearray(),
            }
        )
    return modules


def udf_list(client: Any, policy: Any = None) -> list:
    """``[{'name', 'hash', 'type', 'content'}]`` of the registered modules (content is empty here)."""
    from .info import info_any

    try:
        cluster = client._connected_cluster()
        info_policy = client._resolve("info", policy)
        return parse_udf_list(info_any(cluster, "udf-list", info_policy))
    except exception.AerospikeError as error:
        raise _udf_error(error, None, None) from None


def udf_get(client: Any, module: Any, language: Any = UDF_TYPE_LUA, policy: Any = None) -> str:
    """The source text of a registered module (``module`` is its file name, e.g. 'my_module.lua')."""
    from .info import info_any

    _int_argument("udf_get", "language", language)
    try:
        cluster = client._connected_cluster()
        if language != UDF_TYPE_LUA:
            raise exception.ClientError(exception.ClientError.code, "Invalid language")
        if not isinstance(module, str):
            raise exception.ClientError(
                exception.ClientError.code, "Module name should be a string or unicode string."
            )
        info_policy = client._resolve("info", policy)
        raw = info_any(cluster, f"udf-get:filename={module};", info_policy)
        _, tab, reply = raw.partition("\t")
        start = reply.find("content=") if tab else -1
        if start < 0:
            raise exception.ParamError(exception.ParamError.code, f"Invalid udf-get response: {raw}")
        content = reply[start + len("content=") :].split(";", 1)[0].strip()
        try:
            source = base64.b64decode(content)
        except ValueError:
            raise exception.ParamError(exception.ParamError.code, f"Invalid udf-get response: {raw}") from None
        return source.decode("utf-8")  # a module that is not UTF-8 raises UnicodeDecodeError, as in 3.0.0
    except exception.AerospikeError as error:
        raise _udf_error(error, module, None) from None


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


def _apply_value(message: Message, codec: Any) -> Any:
    """The SUCCESS value of a record UDF reply; a FAILURE raises UDFError with the server's text, as 3.0.0."""
    for op in message.ops:
        if op.bin_name == _FAILURE:
            text = codec.decode(op.particle_type, op.value)
            if not isinstance(text, str):
                text = exception.result_code_message(RESULT_UDF_ERROR)
            raise exception.UDFError(exception.UDFError.code, text)
        if op.bin_name == _SUCCESS and message.result_code == RESULT_OK:
            return codec.decode(op.particle_type, op.value)
    if message.result_code == RESULT_UDF_ERROR:
        raise exception.UDFError(exception.UDFError.code, exception.result_code_message(RESULT_UDF_ERROR))
    return None


def apply(client: Any, key: Any, module: Any, function: Any, args: Any, policy: Any = None) -> Any:
    """Run a record UDF on one record; its return value (None when the function returns nothing)."""
    from .record_commands import raise_for, server_timeout

    if not isinstance(args, list):
        raise TypeError("expected UDF method arguments in a 'list'")
    try:
        cluster = client._connected_cluster()
        k = parse_key(key)
        arglist = _arglist(client, args)
        apply_policy = client._resolve("apply", policy)
        if not isinstance(module, str):
            raise exception.ClientError(
                exception.ClientError.code, "udf module argument must be a string or unicode string"
            )
        if not isinstance(function, str):
            raise exception.ClientError(
                exception.ClientError.code, "function name must be a string or unicode string"
            )
        fields = [(FIELD_NAMESPACE, k.namespace_bytes), (FIELD_SET, k.set_bytes), (FIELD_DIGEST, k.digest)]
        if apply_policy.key == POLICY_KEY_SEND and k.key_field is not None:
            fields.append((FIELD_KEY, k.key_field))
        fields += [
            (FIELD_UDF_PACKAGE_NAME, module.encode("utf-8")),
            (FIELD_UDF_FUNCTION, function.encode("utf-8")),
            (FIELD_UDF_ARGLIST, arglist),
        ]
        info2 = INFO2_WRITE | (INFO2_DURABLE_DELETE if apply_policy.durable_delete else 0)
        info3 = INFO3_COMMIT_MASTER if apply_policy.commit_level == 1 else 0
        request = encode_message(0, info2, info3, 0, 0, 0, 0, server_timeout(apply_policy), fields, [])
        codec = client._codec

        def parse(message: Message) -> Any:
            if message.result_code not in (RESULT_OK, RESULT_UDF_ERROR):
                raise raise_for(message, True)
            return _apply_value(message, codec)

        return client._execute(cluster, apply_policy, request, k.namespace, k.partition_id, True, parse)
    except exception.AerospikeError as error:
        if hasattr(type(error), "key"):
            error.key = key  # type: ignore[attr-defined]
            error.bin = None  # type: ignore[attr-defined]
        raise _udf_error(error, module, function) from None


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
                raise exception.error_for_code(message.result_code)
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


def parse_job_reply(value: str) -> Optional[tuple[int, int, Optional[int]]]:
    """(JOB_STATUS_* or UNDEF, records read, progress percent or None) of one node's query-show reply, or None
    when the node does not know the job (``ERROR:2``). Other error replies raise."""
    if parse_info_error(value) is not None:
        from .info import reply_error

        error = reply_error(value)
        if error is None or error[0] == exception.RecordNotFound.code:
            return None
        raise exception.error_for_code(*error)
    fields = dict(part.split("=", 1) for part in value.replace(";", ":").split(":") if "=" in part)
    status_text = fields.get("status", "")
    if status_text.startswith(("active", "IN_PROGRESS")):
        status = JOB_STATUS_INPROGRESS
    elif status_text.lower().startswith("done"):
        status = JOB_STATUS_COMPLETED
    else:
        status = JOB_STATUS_UNDEF
    records = fields.get("recs-read", fields.get("recs_read", fields.get("recs-succeeded", "0")))
    try:
        records_read = int(records)
    except ValueError:
        records_read = 0
    progress: Optional[int] = None
    if "job-progress" in fields:
        try:
            progress = int(float(fields["job-progress"]))
        except ValueError:
            progress = 0
    return status, records_read, progress


def job_info(client: Any, job_id: Any, module: Any, policy: Any = None) -> dict:
    """``{'status', 'records_read', 'progress_pct'}`` of a background job over every node, merged as the C client
    4.3.1 under 3.0.0 merges them (aerospike_job_info): a node that does not know the job counts as done; the
    slowest node's progress wins; an unknown job everywhere is COMPLETED with progress 0."""
    cluster = client._connected_cluster()
    if isinstance(job_id, bool) or not isinstance(job_id, int) or not 0 <= job_id < 1 << 64:
        raise exception.ParamError("job id must be an unsigned 64-bit integer")
    if module not in (JOB_SCAN, JOB_QUERY):
        raise exception.ParamError("module must be aerospike.JOB_SCAN or aerospike.JOB_QUERY")
    timeout = _info_timeout(client, policy)
    command = f"query-show:id={job_id}"
    status = JOB_STATUS_UNDEF
    records_read = 0
    progress = 0
    nodes = cluster.nodes()
    if not nodes:
        raise exception.InvalidNodeError(exception.InvalidNodeError.code, "Cluster is empty: no node available")
    for node in nodes:
        reply = node.info([command], timeout)
        parsed = parse_job_reply(reply.get(command, next(iter(reply.values()), "")))
        if parsed is None:
            if status == JOB_STATUS_UNDEF:
                status = JOB_STATUS_COMPLETED
            continue
        node_status, node_records, node_progress = parsed
        if node_status == JOB_STATUS_INPROGRESS:
            status = JOB_STATUS_INPROGRESS
        elif node_status == JOB_STATUS_COMPLETED and status == JOB_STATUS_UNDEF:
            status = JOB_STATUS_COMPLETED
        if node_progress is not None and (progress == 0 or node_progress < progress):
            progress = node_progress  # be pessimistic: the slowest node's progress
        records_read += node_records
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
                    raise exception.error_for_code(message.result_code)
                return False
            if message.result_code and message.result_code != RESULT_UDF_ERROR:
                raise exception.error_for_code(message.result_code)
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
        except ImportError:  # pragma: no cover - lupa is a dependency; only a broken install gets here
            raise exception.ClientError(
                "stream UDF aggregation needs the lupa package: pip install 'lupa>=2' (a dependency of aerospike-shm)"
            ) from None
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
