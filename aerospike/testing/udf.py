"""User-defined functions of the local cluster: the Lua module registry, record UDFs and stream aggregations.

Owns: `udf-put` / `udf-get` / `udf-list` / `udf-remove` (cluster-wide, as the server keeps modules in system
metadata), running a record UDF (fields 30/31/32) in Lua through lupa with the server's record API (`rec[bin]`,
`aerospike:exists/create/update/remove`, `record.gen/ttl/...`, `list` and `map` values), its answer (the return value
in a bin named SUCCESS, or an error string in FAILURE with result 100, worded as server 8.1.2.0 words them), and
stream UDFs (`stream:map/filter/aggregate/reduce`) over the records a node masters, one value per message. Must not
know sockets; writes go through the cluster so they replicate.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Iterable, Optional

try:  # the server runs Lua 5.4: its error texts are the ones to give
    import lupa.lua54 as lupa
except ImportError:  # pragma: no cover - a lupa build without 5.4
    import lupa  # type: ignore[no-redef]

from aerospike.protocol import cdt
from aerospike.protocol import constants as c
from aerospike.protocol.errors import ProtocolError
from aerospike.protocol.message import Message, Op
from aerospike.protocol.particles import decode_value, encode_value

from .info import PARAM_FOUND, PARAM_NOT_FOUND, PARAM_TOO_LONG, NodeState, info_parameter
from .store import partition_of

MAX_BIN_NAME_BYTES = 15  # the server's bin names are at most 15 bytes

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import LocalCluster
    from .scan import QueryPlan
    from .server import NodeServer

SUCCESS_BIN = "SUCCESS"
FAILURE_BIN = "FAILURE"
MODULE_NOT_FOUND = "UDF: Execution Error 1"
FUNCTION_NOT_FOUND = "function not found"
AGGREGATE_FUNCTION_NOT_FOUND = "UDF: Execution Error 2 : function not found"

# The server's Lua environment, as far as UDFs see it: list and map values, the record module, streams.
_PRELUDE = r"""
local ListMT, MapMT, StreamMT = {}, {}, {}
ListMT.__index = function(t, k) return rawget(t, "__items")[k] end
ListMT.__newindex = function(t, k, v)
  local items = rawget(t, "__items"); items[k] = v
  if type(k) == "number" and k > rawget(t, "__n") then rawset(t, "__n", k) end
end
ListMT.__len = function(t) return rawget(t, "__n") end
MapMT.__len = function(t) local n = 0 for _ in next, rawget(t, "__items") do n = n + 1 end return n end
MapMT.__index = function(t, k) return rawget(t, "__items")[k] end
MapMT.__newindex = function(t, k, v) rawget(t, "__items")[k] = v end
MapMT.__pairs = function(t) return next, rawget(t, "__items"), nil end

list = setmetatable({}, {__call = function(_, init)
  local l = setmetatable({__items = {}, __n = 0}, ListMT)
  if init then  -- as the server: the values at numeric keys, in key order; a nil leaves no hole
    local keys = {}
    for k in pairs(init) do if type(k) == "number" then keys[#keys + 1] = k end end
    table.sort(keys)
    for _, k in ipairs(keys) do list.append(l, init[k]) end
  end
  return l
end})
function list.size(l) return rawget(l, "__n") end
function list.append(l, v) local n = rawget(l, "__n") + 1; rawget(l, "__items")[n] = v; rawset(l, "__n", n) end
function list.prepend(l, v) list.insert(l, 1, v) end
function list.insert(l, i, v) table.insert(rawget(l, "__items"), i, v); rawset(l, "__n", rawget(l, "__n") + 1) end
function list.remove(l, i) table.remove(rawget(l, "__items"), i); rawset(l, "__n", rawget(l, "__n") - 1) end
function list.iterator(l) local i = 0 return function() i = i + 1 if i <= rawget(l, "__n") then return l[i] end end end
function list.clone(l) local r = list() for i = 1, list.size(l) do list.append(r, l[i]) end return r end
function list.concat(a, b) for i = 1, list.size(b) do list.append(a, b[i]) end end
function list.merge(a, b) local r = list.clone(a) list.concat(r, b) return r end
function list.take(l, n) local r = list() for i = 1, math.min(n, list.size(l)) do list.append(r, l[i]) end return r end
function list.drop(l, n) local r = list() for i = n + 1, list.size(l) do list.append(r, l[i]) end return r end

map = setmetatable({}, {__call = function(_, init)
  local m = setmetatable({__items = {}}, MapMT)
  if init then for k, v in pairs(init) do m[k] = v end end
  return m
end})
function map.size(m) return #m end
function map.pairs(m) return next, rawget(m, "__items"), nil end
function map.keys(m) local k = nil local items = rawget(m, "__items")
  return function() k = next(items, k) return k end end
function map.values(m) local k, v = nil, nil local items = rawget(m, "__items")
  return function() k, v = next(items, k) return v end end
function map.remove(m, k) rawget(m, "__items")[k] = nil end
function map.clone(m) local r = map() for k, v in map.pairs(m) do r[k] = v end return r end
function map.merge(a, b, f)
  local r = map.clone(a)
  for k, v in map.pairs(b) do
    if f ~= nil and r[k] ~= nil then r[k] = f(r[k], v) else r[k] = v end
  end
  return r
end

function __kind(v)
  local mt = getmetatable(v)
  if mt == ListMT then return "list" elseif mt == MapMT then return "map" end
  return type(v)
end
function __list_items(l) local r = {} for i = 1, rawget(l, "__n") do r[i] = rawget(l, "__items")[i] end return r, rawget(l, "__n") end
function __map_items(m) return rawget(m, "__items") end

function __make_record(handle)
  return setmetatable({}, {
    __index = function(_, k) return handle.get(k) end,
    __newindex = function(_, k, v) handle.set(k, v) end,
    __handle = handle,
  })
end
local function handle_of(rec) return getmetatable(rec).__handle end
aerospike = {}
function aerospike:exists(rec) return handle_of(rec).exists() end
function aerospike:create(rec) return handle_of(rec).commit(true) end
function aerospike:update(rec) return handle_of(rec).commit(false) end
function aerospike:remove(rec) return handle_of(rec).remove() end
function aerospike:log(level, ...) end
record = {}
function record.gen(rec) return handle_of(rec).meta("gen") end
function record.ttl(rec) return handle_of(rec).meta("ttl") end
function record.setname(rec) return handle_of(rec).meta("setname") end
function record.digest(rec) return handle_of(rec).meta("digest") end
function record.key(rec) return handle_of(rec).meta("key") end
function record.bin_names(rec) return list(handle_of(rec).bin_names()) end
function record.set_ttl(rec, ttl) handle_of(rec).set_ttl(ttl) end
info = function(...) end
trace = info
debug = info
warn = info

StreamMT.__index = StreamMT
function __new_stream() return setmetatable({ops = {}}, StreamMT) end
function StreamMT:map(f) table.insert(self.ops, {"map", f}) return self end
function StreamMT:filter(f) table.insert(self.ops, {"filter", f}) return self end
function StreamMT:reduce(f) table.insert(self.ops, {"reduce", f}) return self end
function StreamMT:aggregate(init, f) table.insert(self.ops, {"aggregate", f, init}) return self end
function StreamMT:groupby(f) table.insert(self.ops, {"groupby", f}) return self end
function __run_stream(s, values, n)
  local current, count = values, n
  for _, op in ipairs(s.ops) do
    local kind, f = op[1], op[2]
    local out, m = {}, 0
    if kind == "map" then
      for i = 1, count do m = m + 1; out[m] = f(current[i]) end
    elseif kind == "filter" then
      for i = 1, count do if f(current[i]) then m = m + 1; out[m] = current[i] end end
    elseif kind == "aggregate" then
      local acc = op[3]
      for i = 1, count do acc = f(acc, current[i]) end
      m = 1; out[1] = acc
    elseif kind == "reduce" then
      if count > 0 then
        local acc = current[1]
        for i = 2, count do acc = f(acc, current[i]) end
        m = 1; out[1] = acc
      end
    end
    current, count = out, m
  end
  return current, count
end
"""


# pcall keeps the error object as Lua raised it (no traceback) and only the first return value counts.
_CALL = "function(f, ...) local r = table.pack(pcall(f, ...)) return {r[1], r[2]} end"


class UdfError(Exception):
    """A UDF failed; the message is the FAILURE text."""


class ModuleRegistry:
    """Lua modules by file name (cluster-wide), each with the hash udf-list shows for it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.modules: dict[str, tuple[bytes, str]] = {}

    def put(self, name: str, content: bytes, digest: str = "") -> None:
        with self.lock:
            self.modules[name] = (content, digest or hashlib.sha1(content).hexdigest())

    def get(self, name: str) -> Optional[bytes]:
        with self.lock:
            found = self.modules.get(name)
            return found[0] if found is not None else None

    def remove(self, name: str) -> None:
        with self.lock:
            self.modules.pop(name, None)

    def items(self) -> list[tuple[str, bytes]]:
        with self.lock:
            return [(name, content) for name, (content, _) in self.modules.items()]

    def hashes(self) -> list[tuple[str, str]]:
        """(file name, udf-list hash) of every module, in registration order."""
        with self.lock:
            return [(name, digest) for name, (_, digest) in self.modules.items()]

    def lua_source(self, module: str) -> Optional[bytes]:
        """The source of a module as UDF calls name it (without `.lua`)."""
        return self.get(module if module.endswith(".lua") else module + ".lua")


_registries: weakref.WeakKeyDictionary[Any, ModuleRegistry] = weakref.WeakKeyDictionary()
_registries_lock = threading.Lock()


def registry(cluster: Any) -> ModuleRegistry:
    with _registries_lock:
        found = _registries.get(cluster)
        if found is None:
            found = _registries[cluster] = ModuleRegistry()
        return found


# ---------------------------------------------------------------------------------------------------------------
# Info commands


_MAX_FILE_NAME = 128  # the server's buffer for a module file name
_MAX_CONTENT = 1024 * 1024  # decoded module size limit
USER_PATH = "/opt/aerospike/usr/udf/lua"  # the server's default mod-lua user-path; Lua errors name files under it


def _parameter(args: str, name: str, size: int) -> Optional[str]:
    """A parameter's value; None when it is missing or too long (the server's udf commands refuse both)."""
    status, value = info_parameter(args, name, size)
    return value if status == PARAM_FOUND else None


def smd_hash(filename: str, content64: str, udf_type: str = "LUA") -> str:
    """The hash udf-list shows: SHA-1 of the module's system-metadata value, a JSON object as jansson dumps it."""
    value = json.dumps({"content64": content64, "type": udf_type, "name": filename}, ensure_ascii=False)
    return hashlib.sha1(value.encode("utf-8")).hexdigest()


def compile_error(filename: str, source: bytes) -> Optional[str]:
    """The server's udf-put answer for a module that does not load or run, else None."""
    runtime = lupa.LuaRuntime(register_eval=False, unpack_returned_tuples=False)
    runtime.execute(_PRELUDE)
    chunk = runtime.globals().load(source, filename)
    if lupa.lua_type(chunk) == "function":
        outcome = runtime.eval("function(f) return {pcall(f)} end")(chunk)
        message = None if outcome[1] else outcome[2]
    else:
        message = runtime.eval("function(s, n) local _, e = load(s, n) return e end")(source, filename)
    if message is None:
        return None
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    # "[string "<file>"]:<line>: <message>" becomes file, line and message.
    file_name, line, detail = "", 0, text.split("\n", 1)[0][:256]
    if text.startswith("[") and text.count('"') >= 2:
        file_name = text.split('"', 2)[1]
        rest = text.split('"', 2)[2]
        _, colon, after = rest.partition(":")
        line_text, colon2, after2 = after.partition(":")
        if colon and colon2:
            line = int(line_text) if line_text.isdigit() else 0
            detail = after2[1:]
    encoded = base64.b64encode(detail.encode("utf-8")).decode("ascii")
    return f"error=compile_error;file={file_name};line={line};message={encoded}"


def _answer_put(state: NodeState, name: str, args: str) -> str:
    filename = _parameter(args, "filename", _MAX_FILE_NAME)
    if filename is None:
        return "error=invalid_filename"
    dot = filename.find(".")
    if dot <= 0 or dot == len(filename) - 1:
        return "error=invalid_filename"
    content_len = _parameter(args, "content-len", 11)
    if content_len is None:
        return "error=invalid_content_len"
    status, udf_type = info_parameter(args, "udf-type", 16)
    if status == PARAM_NOT_FOUND:
        udf_type = "LUA"
    elif status == PARAM_TOO_LONG or udf_type != "LUA":
        return "error=invalid_udf_type"
    if not content_len.isdigit() or int(content_len) >= 1 << 32 or int(content_len) % 4:
        return "error=invalid_content_len"
    length = int(content_len)
    content = _parameter(args, "content", length + 1)
    if content is None or len(content) != length:
        return "error=invalid_content"
    if length // 4 * 3 > _MAX_CONTENT:
        return "error=invalid_udf_content_len,>1M"
    try:
        source = base64.b64decode(content, validate=True)
    except ValueError:
        return "error=invalid_base64_content"
    refusal = compile_error(filename, source)
    if refusal is not None:
        return refusal
    registry(state.extras["cluster"]).put(filename, source, smd_hash(filename, content, udf_type))
    return "ok"


def _answer_list(state: NodeState, name: str, args: str) -> str:
    modules = registry(state.extras["cluster"]).hashes()
    return "".join(f"filename={name},hash={digest},type=LUA;" for name, digest in modules)


def _answer_get(state: NodeState, name: str, args: str) -> str:
    filename = _parameter(args, "filename", _MAX_FILE_NAME)
    if filename is None:
        return "error=invalid_filename"
    source = registry(state.extras["cluster"]).get(filename)
    if source is None:
        return "error=not_found"
    if not source:
        return "error=empty"
    return f"type=LUA;content={base64.b64encode(source).decode('ascii')};"


def _answer_remove(state: NodeState, name: str, args: str) -> str:
    filename = _parameter(args, "filename", _MAX_FILE_NAME)
    if filename is None:
        return "error=invalid_filename"
    registry(state.extras["cluster"]).remove(filename)
    return "ok"


HANDLERS = {"udf-put": _answer_put, "udf-list": _answer_list, "udf-get": _answer_get, "udf-remove": _answer_remove}


def install(cluster: LocalCluster) -> None:
    """Answer UDF info commands and record UDF commands on every node of `cluster`."""
    cluster.info_handlers.update(HANDLERS)
    cluster.message_handlers["udf"] = handle_udf


# ---------------------------------------------------------------------------------------------------------------
# Values between the wire, Python and Lua


def _octets(value: Any) -> bytes:
    # A Lua string reaches Python as str or bytes, depending on the runtime's encoding.
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value) if isinstance(value, (bytes, bytearray)) else b""


def _byte_position(index: Any) -> Optional[int]:
    return index - 1 if isinstance(index, int) and index >= 1 else None


def _bytes_set_byte(data: bytearray, index: Any, value: Any) -> bool:
    position = _byte_position(index)
    if position is None or not isinstance(value, int):
        return False
    if position >= len(data):  # the server's bytes grow to the index, zero-filled
        data.extend(bytes(position + 1 - len(data)))
    data[position] = value & 0xFF
    return True


def _bytes_get_byte(data: bytearray, index: Any) -> Optional[int]:
    position = _byte_position(index)
    return data[position] if position is not None and position < len(data) else None


def _bytes_slice(data: bytearray, index: Any, count: Any) -> Optional[bytearray]:
    position = _byte_position(index)
    if position is None or not isinstance(count, int) or count < 0 or position + count > len(data):
        return None
    return data[position : position + count]


def _bytes_append(data: bytearray, more: Any, count: Any = None) -> bool:
    octets = _octets(more)
    data.extend(octets if count is None else octets[: max(0, int(count))])
    return True


def _bytes_append_byte(data: bytearray, value: Any) -> bool:
    if not isinstance(value, int):
        return False
    data.append(value & 0xFF)
    return True


# The server's Lua `bytes` module (mod_lua_bytes): `bytes(capacity)` is empty; bytes grow as they are written.
_BYTES_FUNCTIONS = {
    "size": len,
    "get_byte": _bytes_get_byte,
    "set_byte": _bytes_set_byte,
    "append_byte": _bytes_append_byte,
    "append_string": _bytes_append,
    "append_bytes": _bytes_append,
    "get_bytes": _bytes_slice,
    "get_string": lambda data, index, count: (
        None if (part := _bytes_slice(data, index, count)) is None else bytes(part)
    ),
}


class _Lua:
    """One Lua state with the prelude and one module loaded."""

    def __init__(self, module: str, source: bytes) -> None:
        self.runtime = lupa.LuaRuntime(register_eval=False, unpack_returned_tuples=True)
        lua_globals = self.runtime.globals()
        lua_globals.python = None
        self.runtime.execute(_PRELUDE)
        bytes_module = self.runtime.table()
        for name, function in _BYTES_FUNCTIONS.items():
            bytes_module[name] = function
        self.runtime.execute(
            "local functions, new = ...\n"
            "bytes = setmetatable(functions, {__call = function(_, capacity) return new() end})",
            bytes_module, bytearray,
        )
        # Loaded as the server loads the module file, so errors name it as the server does.
        file_name = module if module.endswith(".lua") else module + ".lua"
        chunk = lua_globals.load(source, f"@{USER_PATH}/{file_name}")
        if lupa.lua_type(chunk) != "function":
            raise UdfError(MODULE_NOT_FOUND)
        chunk()
        self.globals = lua_globals
        self._call = self.runtime.eval(_CALL)

    def call(self, function: Any, *arguments: Any) -> Any:
        """Run a UDF function: its first return value; UdfError with the server's text when it fails."""
        outcome = self._call(function, *arguments)
        ok, value = outcome[1], outcome[2]
        if ok:
            return value
        if isinstance(value, (str, bytes)):
            raise UdfError(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
        if isinstance(value, BaseException):  # raised by this double's Python side (record access)
            raise UdfError(str(value))
        # Lua raised something that is not a string: the server answers with a fixed text.
        raise UdfError("result value type unexpected")

    def function(self, name: str) -> Any:
        found = self.globals[name]
        return found if lupa.lua_type(found) == "function" else None

    def to_lua(self, value: Any) -> Any:
        if isinstance(value, list):
            result = self.globals.list()
            for item in value:
                self.globals.list.append(result, self.to_lua(item))
            return result
        if isinstance(value, dict):
            result = self.globals.map()
            for key, item in value.items():
                result[self.to_lua(key)] = self.to_lua(item)
            return result
        if isinstance(value, str):
            return value.encode("utf-8")
        if isinstance(value, (bytes, bytearray)):
            return bytearray(value)  # stays a Python object in Lua, so it comes back as bytes, not text
        if isinstance(value, tuple):
            return self.to_lua(list(value))
        return value

    def from_lua(self, value: Any) -> Any:
        if isinstance(value, bytearray):
            return value
        if isinstance(value, bytes):
            try:
                return value.decode("utf-8")
            except UnicodeDecodeError:
                return bytearray(value)
        kind = self.globals["__kind"](value) if lupa.lua_type(value) == "table" else None
        if kind == "list":
            items, count = self.globals["__list_items"](value)
            return [self.from_lua(items[i]) for i in range(1, count + 1)]
        if kind == "table" or (kind is None and lupa.lua_type(value) is not None):
            return None  # the server returns nil for a Lua value that is not a record value (table, function)
        if kind == "map":
            items = self.globals["__map_items"](value)
            pairs = [(self.from_lua(k), self.from_lua(v)) for k, v in items.items()]
            try:  # Lua's table order is random per state; a stable order keeps answers repeatable
                pairs.sort(key=lambda pair: pair[0])
            except TypeError:
                pass
            return dict(pairs)
        return value


def _bin_to_python(particle_type: int, data: bytes) -> Any:
    if particle_type in (c.PARTICLE_LIST, c.PARTICLE_MAP):
        return cdt.unpack(data)
    if particle_type == c.PARTICLE_GEOJSON:
        return decode_value(particle_type, data)
    return decode_value(particle_type, data)


def _python_to_op(name: str, value: Any, op_type: int = c.OP_READ) -> Op:
    if value is None:
        return Op(op_type, c.PARTICLE_NULL, name, b"")
    particle_type, data = encode_value(value, bool_as_int=False)
    return Op(op_type, particle_type, name, data)


class _RecordHandle:
    """What `rec` in a UDF reads and writes: the record's bins, and commits through the cluster."""

    def __init__(
        self, cluster: LocalCluster, node: NodeServer, lua: _Lua, namespace: str, set_name: Optional[str],
        digest: bytes, writable: bool,
    ) -> None:
        self.cluster = cluster
        self.node = node
        self.lua = lua
        self.namespace = namespace
        self.set_name = set_name
        self.digest = digest
        self.writable = writable
        self.ttl: Optional[int] = None
        self._load()

    def _load(self) -> None:
        partition_id = partition_of(self.digest)
        holders = self.cluster.owners(partition_id)
        store = self.cluster.node(holders[0]).stores[self.namespace] if holders else None
        record = store.get(self.digest, time.time()) if store is not None else None
        self.record = record
        self.bins: dict[str, Any] = {}
        if record is not None:
            self.bins = {name: _bin_to_python(pt, data) for name, (pt, data) in record.bins.items()}
            if record.set_name:
                self.set_name = record.set_name
        self.changed: dict[str, Any] = {}

    def get(self, name: Any) -> Any:
        key = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
        if key in self.changed:
            return self.lua.to_lua(self.changed[key])
        return self.lua.to_lua(self.bins.get(key))

    def set(self, name: Any, value: Any) -> None:
        key = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
        if len(key.encode("utf-8")) > MAX_BIN_NAME_BYTES:
            return  # the server refuses the bin and the UDF goes on without it
        self.changed[key] = self.lua.from_lua(value)

    def exists(self) -> bool:
        return self.record is not None

    def meta(self, what: str) -> Any:
        record = self.record
        if what == "gen":
            return record.generation if record is not None else 0
        if what == "ttl":
            return max(0, record.void_time - (int(time.time()) - c.CITRUSLEAF_EPOCH)) if record and record.void_time else 0
        if what == "setname":
            return (self.set_name or "").encode("utf-8")
        if what == "digest":
            return self.digest
        if what == "key" and record is not None and record.key is not None:
            return self.lua.to_lua(decode_value(record.key[0], record.key[1]))
        return None

    def bin_names(self) -> Any:
        names = [n for n in self.bins if self.changed.get(n, 0) is not None] + [
            n for n, v in self.changed.items() if n not in self.bins and v is not None
        ]
        return self.lua.runtime.table(*[n.encode("utf-8") for n in names])

    def set_ttl(self, ttl: int) -> None:
        self.ttl = int(ttl)

    def commit(self, create: bool) -> int:
        if not self.writable:
            raise UdfError("record is read-only")
        if create and self.record is not None:
            return 1
        if not create and self.record is None:
            return -2  # aerospike:update of a record that does not exist
        ops = [_python_to_op(name, value, c.OP_WRITE) for name, value in self.changed.items()]
        if not ops:
            ops = [Op(c.OP_TOUCH, c.PARTICLE_NULL, "", b"")]
        fields = [(c.FIELD_NAMESPACE, self.namespace.encode("utf-8"))]
        if self.set_name:
            fields.append((c.FIELD_SET, self.set_name.encode("utf-8")))
        fields.append((c.FIELD_DIGEST, self.digest))
        info2 = c.INFO2_WRITE | (c.INFO2_CREATE_ONLY if create else 0)
        ttl = self.ttl if self.ttl is not None else (0xFFFFFFFE if self.record is not None else 0)
        message = Message(info2=info2, record_ttl=ttl & 0xFFFFFFFF, fields=fields, ops=ops)
        reply, _proxied = self.cluster.execute_single(self.node, message)
        self._load()
        return 0 if reply.result_code == c.RESULT_OK else reply.result_code

    def remove(self) -> int:
        if self.record is None:
            return 1  # aerospike:remove of a record that does not exist
        if not self.writable:
            return 2
        fields = [(c.FIELD_NAMESPACE, self.namespace.encode("utf-8")), (c.FIELD_DIGEST, self.digest)]
        reply, _proxied = self.cluster.execute_single(
            self.node, Message(info2=c.INFO2_WRITE | c.INFO2_DELETE, fields=fields)
        )
        self._load()
        return 0 if reply.result_code == c.RESULT_OK else reply.result_code


def _arguments(message: Message) -> list[Any]:
    data = message.field(c.FIELD_UDF_ARGLIST)
    if data is None:
        return []
    try:
        arguments = cdt.unpack(data)
    except ProtocolError as error:
        raise UdfError("invalid argument list") from error
    if not isinstance(arguments, list):
        raise UdfError("invalid argument list")
    return arguments


def _lua_error_text(error: Exception) -> str:
    text = str(error)
    # lupa appends a Lua traceback on its own line; the server sends only the message.
    return text.split("\nstack traceback:")[0]


def _failure(result_code: int, text: str, generation: int = 0, void_time: int = 0) -> Message:
    return Message(
        result_code=result_code,
        generation=generation,
        record_ttl=void_time,
        ops=[Op(c.OP_READ, c.PARTICLE_STRING, FAILURE_BIN, text.encode("utf-8"))],
    )


def execute_record_udf(cluster: LocalCluster, node: NodeServer, message: Message) -> Message:
    """Run the record UDF a message names on its record; the reply message."""
    namespace_field = message.field(c.FIELD_NAMESPACE)
    digest = message.field(c.FIELD_DIGEST)
    module = message.field(c.FIELD_UDF_PACKAGE_NAME)
    function_name = message.field(c.FIELD_UDF_FUNCTION)
    if namespace_field is None or digest is None or len(digest) != c.DIGEST_SIZE or not module or not function_name:
        return Message(result_code=c.RESULT_PARAMETER_ERROR)
    namespace = namespace_field.decode("utf-8", "replace")
    if namespace not in cluster.namespaces:
        return Message(result_code=c.RESULT_NAMESPACE_NOT_FOUND)
    set_field = message.field(c.FIELD_SET)
    with cluster._lock:  # one UDF is one transaction: nothing else touches the record meanwhile
        source = registry(cluster).lua_source(module.decode("utf-8", "replace"))
        handle: Optional[_RecordHandle] = None
        try:
            if source is None:
                raise UdfError(MODULE_NOT_FOUND)
            lua = _Lua(module.decode("utf-8", "replace"), source)
            handle = _RecordHandle(
                cluster, node, lua, namespace, set_field.decode("utf-8", "replace") if set_field else None, digest,
                writable=True,
            )
            function = lua.function(function_name.decode("utf-8", "replace"))
            if function is None:
                raise UdfError(FUNCTION_NOT_FOUND)
            rec = lua.globals["__make_record"](handle)
            result = lua.call(function, rec, *[lua.to_lua(argument) for argument in _arguments(message)])
            value = lua.from_lua(result)
        except UdfError as error:
            return _reply_failure(cluster, namespace, digest, str(error), handle)
        except lupa.LuaError as error:
            return _reply_failure(cluster, namespace, digest, _lua_error_text(error), handle)
        record = handle.record
        try:
            op = _python_to_op(SUCCESS_BIN, value)
        except Exception:  # a value the wire cannot carry
            return _reply_failure(cluster, namespace, digest, "unsupported return type", handle)
        if record is None:
            return Message(ops=[op])
        return Message(generation=record.generation, record_ttl=record.void_time, ops=[op])


def _reply_failure(
    cluster: LocalCluster, namespace: str, digest: bytes, text: str, handle: Optional[_RecordHandle]
) -> Message:
    record = handle.record if handle is not None else None
    if record is None and handle is None:
        holders = cluster.owners(partition_of(digest))
        store = cluster.node(holders[0]).stores.get(namespace) if holders else None
        record = store.get(digest, time.time()) if store is not None else None
    if record is None:
        return _failure(c.RESULT_UDF_ERROR, text)
    return _failure(c.RESULT_UDF_ERROR, text, record.generation, record.void_time)


def handle_udf(cluster: LocalCluster, node: NodeServer, message: Message) -> Iterable[bytes]:
    """The reply frame of a record UDF command (`apply`)."""
    return [execute_record_udf(cluster, node, message).encode()]


# ---------------------------------------------------------------------------------------------------------------
# Stream UDFs


def aggregate(cluster: LocalCluster, node: NodeServer, message: Message, plan: QueryPlan) -> Iterable[bytes]:
    """Run a stream UDF over the records this node masters that the query selects: one value per message."""
    from .scan import selected_records

    module = message.field(c.FIELD_UDF_PACKAGE_NAME)
    function_name = message.field(c.FIELD_UDF_FUNCTION)
    if not module or not function_name:
        return [Message(result_code=c.RESULT_PARAMETER_ERROR).encode()]
    source = registry(cluster).lua_source(module.decode("utf-8", "replace"))
    if source is None:
        return _aggregate_failure(MODULE_NOT_FOUND)
    try:
        lua = _Lua(module.decode("utf-8", "replace"), source)
        function = lua.function(function_name.decode("utf-8", "replace"))
        if function is None:
            return _aggregate_failure(AGGREGATE_FUNCTION_NOT_FOUND)
        stream = lua.globals["__new_stream"]()
        function(stream, *[lua.to_lua(argument) for argument in _arguments(message)])
        records = lua.runtime.table()
        count = 0
        for _partition_id, found in selected_records(cluster, node, plan, masters_only=True):
            if found is None:
                continue
            digest, record, _bval = found
            handle = _RecordHandle(cluster, node, lua, plan.namespace, record.set_name, digest, writable=False)
            count += 1
            records[count] = lua.globals["__make_record"](handle)
        values, produced = lua.globals["__run_stream"](stream, records, count)
        outputs = [lua.from_lua(values[i]) for i in range(1, produced + 1)]
    except (UdfError, lupa.LuaError) as error:
        text = str(error) if isinstance(error, UdfError) else _lua_error_text(error)
        return _aggregate_failure(text)
    frames = []
    for value in outputs:
        frames.append(Message(ops=[_python_to_op(SUCCESS_BIN, value)]).encode())
    frames.append(Message(info3=c.INFO3_LAST).encode())
    return frames


def _aggregate_failure(text: str) -> list[bytes]:
    failure = Message(ops=[Op(c.OP_READ, c.PARTICLE_STRING, FAILURE_BIN, text.encode("utf-8"))])
    return [failure.encode(), Message(info3=c.INFO3_LAST, result_code=c.RESULT_SERVER_ERROR).encode()]
