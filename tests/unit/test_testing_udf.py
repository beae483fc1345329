"""The local cluster's Lua values and UDF info answers, without sockets."""

from __future__ import annotations

import base64

from aerospike.testing import udf

SOURCE = b"""
function ret_list(rec) local l = list() list.append(l, 1) list.append(l, "two") return l end
function ret_map(rec) local m = map() m["a"] = 1 return m end
function agg(stream) local function add(a, b) return a + b end return stream : map(function(r) return r end) : reduce(add) end
"""


def test_lua_values_round_trip() -> None:
    lua = udf._Lua("m", SOURCE)
    assert lua.from_lua(lua.function("ret_list")(None)) == [1, "two"]
    assert lua.from_lua(lua.function("ret_map")(None)) == {"a": 1}
    value = [1, {"k": [2.5, b"\x00"]}, "s", True, None]
    assert lua.from_lua(lua.to_lua(value)) == [1, {"k": [2.5, bytearray(b"\x00")]}, "s", True, None]
    assert lua.function("missing") is None


def test_stream_runs_map_and_reduce() -> None:
    lua = udf._Lua("m", SOURCE)
    stream = lua.globals["__new_stream"]()
    lua.function("agg")(stream)
    values = lua.runtime.table(1, 2, 3, 4)
    out, count = lua.globals["__run_stream"](stream, values, 4)
    assert count == 1 and out[1] == 10


class _State:
    def __init__(self) -> None:
        self.extras = {"cluster": self}


def test_udf_info_commands() -> None:
    state = _State()
    content = base64.b64encode(SOURCE).decode()
    put = f"filename=m.lua;content={content};content-len={len(content)};udf-type=LUA;"
    assert udf._answer_put(state, "udf-put", put) == "ok"  # type: ignore[arg-type]
    listing = udf._answer_list(state, "udf-list", "")  # type: ignore[arg-type]
    assert listing.startswith("filename=m.lua,hash=") and listing.endswith(",type=LUA;")
    assert udf._answer_get(state, "udf-get", "filename=m.lua;") == f"type=LUA;content={content};"  # type: ignore[arg-type]
    assert udf._answer_get(state, "udf-get", "filename=x.lua;") == "error=not_found"  # type: ignore[arg-type]
    bad = base64.b64encode(b"function (").decode()
    put = f"filename=b.lua;content={bad};content-len={len(bad)}"
    assert udf._answer_put(state, "udf-put", put).startswith("error=compile_error")  # type: ignore[arg-type]
    assert udf._answer_remove(state, "udf-remove", "filename=m.lua;") == "ok"  # type: ignore[arg-type]
    assert udf._answer_list(state, "udf-list", "") == ""  # type: ignore[arg-type]
