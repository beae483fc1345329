"""3.0.0's contract for UDFs, secondary indexes, info and truncate against a server (the local cluster and a real
8.1.2.0 node): which calls succeed, and the class, code, message and attributes of each error.

Messages that come from the server are 8.1.2.0's words as the C client 4.3.1 reads them (no node address, except
info_node's ', <ip:port>' suffix); the path in a Lua error is the server's user-path, so only its end is checked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import aerospike
from aerospike import exception
from tests.fixtures.backend import Backend

MODULE = """function hello(rec, a)
  return "hi " .. tostring(a)
end
function boom(rec)
  error("kaboom")
end
function boom_table(rec)
  error({code = 5})
end
function plain_table(rec)
  return {1, 2}
end
function two(rec)
  return 1, 2
end
function nil_index(rec)
  local x = nil
  return x.y
end
"""
BAD_MODULE = "function broken(\n  return 1\n"


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    sources = tmp_path / "src"
    sources.mkdir()
    user_path = tmp_path / "user"
    user_path.mkdir()
    return sources, user_path


@pytest.fixture
def client(backend: Backend, paths: tuple[Path, Path]) -> Iterator[aerospike.Client]:
    connected = aerospike.client({"hosts": list(backend.hosts), "lua": {"user_path": str(paths[1])}}).connect()
    yield connected
    connected.close()


def _raised(call: Any) -> exception.AerospikeError:
    with pytest.raises(exception.AerospikeError) as raised:
        call()
    return raised.value


def _error(call: Any) -> tuple[type, int, str]:
    error = _raised(call)
    return type(error), error.code, error.msg  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------------------------
# UDF registry


def test_udf_registry(client: aerospike.Client, paths: tuple[Path, Path]) -> None:
    sources, user_path = paths
    (sources / "uix_ct.lua").write_text(MODULE)
    assert client.udf_put(str(sources / "uix_ct.lua")) == 0
    assert (user_path / "uix_ct.lua").read_text() == MODULE  # copied to user_path, as 3.0.0 does
    listed = {module["name"]: module for module in client.udf_list()}
    module = listed["uix_ct.lua"]
    # The server's hash: SHA-1 of the module's system-metadata JSON (content64, type, name).
    content64 = base64.b64encode(MODULE.encode()).decode()
    smd = json.dumps({"content64": content64, "type": "LUA", "name": "uix_ct.lua"})
    assert module == {
        "name": "uix_ct.lua",
        "hash": bytearray(hashlib.sha1(smd.encode()).hexdigest().encode()),
        "type": aerospike.UDF_TYPE_LUA,
        "content": bytearray(),
    }
    assert client.udf_get("uix_ct.lua") == MODULE
    assert client.udf_get(module="uix_ct.lua", language=aerospike.UDF_TYPE_LUA) == MODULE
    assert client.udf_remove(filename="uix_ct.lua") == 0
    assert client.udf_remove("uix_never_registered.lua") == 0
    error = _raised(lambda: client.udf_get("uix_ct.lua"))
    assert (type(error), error.code, error.msg) == (exception.UDFError, 100, "error=not_found\n")
    assert (error.module, error.func) == ("uix_ct.lua", None)


def test_udf_put_errors(client: aerospike.Client, paths: tuple[Path, Path], backend: Backend) -> None:
    sources, _ = paths
    (sources / "uix_bad.lua").write_text(BAD_MODULE)
    error = _raised(lambda: client.udf_put(str(sources / "uix_bad.lua")))
    assert (type(error), error.code, error.msg) == (
        exception.UDFError, 100, "error=compile_error;file=uix_bad.lua;line=2;message=<name> or '...' expected near 'return'"
    )
    assert (error.module, error.func) == (None, None)
    (sources / "uix_noext").write_text(MODULE)
    assert _error(lambda: client.udf_put(str(sources / "uix_noext"))) == (
        exception.UDFError, 100, "error=invalid_filename\n"
    )
    (sources / "uix_empty.lua").write_text("")
    assert _error(lambda: client.udf_put(str(sources / "uix_empty.lua"))) == (
        exception.LuaFileNotFound, 1302, "Script file is empty"
    )
    assert _error(lambda: client.udf_put(str(sources / "uix_missing.lua"))) == (
        exception.LuaFileNotFound, 1302, "cannot open script file"
    )
    assert _error(lambda: client.udf_put(str(sources) + "/")) == (exception.ParamError, -2, "Empty udf filename")
    assert _error(lambda: client.udf_put(5)) == (exception.ParamError, -2, "Filename should be a string")
    assert _error(lambda: client.udf_put("m.lua", 1)) == (exception.ClientError, -1, "Invalid UDF language")
    with pytest.raises(TypeError):
        client.udf_put("m.lua", "LUA")
    no_user_path = aerospike.client(
        {"hosts": list(backend.hosts), "lua": {"user_path": str(sources / "no such dir")}}
    ).connect()
    try:
        (sources / "uix_ok.lua").write_text(MODULE)
        assert _error(lambda: no_user_path.udf_put(str(sources / "uix_ok.lua"))) == (
            exception.ClientError, -1, "No permissions to write lua file to user path"
        )
    finally:
        no_user_path.close()


def test_udf_get_and_remove_argument_errors(client: aerospike.Client) -> None:
    assert _error(lambda: client.udf_get("m.lua", 1)) == (exception.ClientError, -1, "Invalid language")
    assert _error(lambda: client.udf_get(5)) == (
        exception.ClientError, -1, "Module name should be a string or unicode string."
    )
    assert _error(lambda: client.udf_remove(5)) == (exception.ParamError, -2, "Filename should be a string")
    assert client.udf_remove("uix_never.lua", "not a policy") == 0  # 3.0.0 does not check udf_remove's policy


# ---------------------------------------------------------------------------------------------------------------
# apply


def test_apply_values_and_errors(client: aerospike.Client, paths: tuple[Path, Path]) -> None:
    sources, _ = paths
    (sources / "uix_ap.lua").write_text(MODULE)
    client.udf_put(str(sources / "uix_ap.lua"))
    key = ("test", "uix_apply", 1)
    client.put(key, {"a": 1})
    try:
        assert client.apply(key, "uix_ap", "hello", [5]) == "hi 5"
        assert client.apply(key=key, module="uix_ap", function="two", args=[]) == 1
        assert client.apply(key, "uix_ap", "plain_table", []) is None  # not a record value: nil
        error = _raised(lambda: client.apply(key, "uix_ap", "boom", []))
        assert (type(error), error.code) == (exception.UDFError, 100)
        assert re.fullmatch(r"/\S*/uix_ap\.lua:5: kaboom", error.msg), error.msg  # the server's module path
        assert (error.module, error.func) == ("uix_ap", "boom")
        assert not hasattr(error, "key")  # 3.0.0 sets `key` only on the errors that have it (RecordError)
        error = _raised(lambda: client.apply(key, "uix_ap", "nil_index", []))
        assert re.fullmatch(r"/\S*/uix_ap\.lua:18: attempt to index a nil value \(local 'x'\)", error.msg), error.msg
        assert _error(lambda: client.apply(key, "uix_ap", "boom_table", [])) == (
            exception.UDFError, 100, "result value type unexpected"
        )
        assert _error(lambda: client.apply(key, "uix_ap", "no_such_function", [])) == (
            exception.UDFError, 100, "function not found"
        )
        assert _error(lambda: client.apply(key, "uix_no_such_module", "hello", [])) == (
            exception.UDFError, 100, "UDF: Execution Error 1"
        )
        assert _error(lambda: client.apply(key, 5, "hello", [])) == (
            exception.ClientError, -1, "udf module argument must be a string or unicode string"
        )
        assert _error(lambda: client.apply(key, "uix_ap", 5, [])) == (
            exception.ClientError, -1, "function name must be a string or unicode string"
        )
        with pytest.raises(TypeError):
            client.apply(key, "uix_ap", "hello", "not a list")
    finally:
        client.remove(key)
        client.udf_remove("uix_ap.lua")


# ---------------------------------------------------------------------------------------------------------------
# Secondary indexes


def test_index_create_and_remove(client: aerospike.Client) -> None:
    try:
        assert client.index_integer_create("test", "uix_ix", "a", "uix_ix_a") == 0
        assert client.index_integer_create("test", "uix_ix", "a", "uix_ix_a") == 0  # same definition: ok
        error = _raised(lambda: client.index_string_create("test", "uix_ix", "a", "uix_ix_a"))
        assert (type(error), error.code, error.msg) == (
            exception.IndexFoundError, 200, "'indexname' already exists with different definition"
        )
        assert error.name == "uix_ix_a"
        assert client.index_string_create(ns="test", set="uix_ix", bin="s", name="uix_ix_s") == 0
        # A bytearray bin name ends at its first NUL, as a C string.
        assert client.index_string_create("test", "uix_ix", bytearray(b"c\0ignored"), "uix_ix_c") == 0
        assert client.index_list_create("test", "uix_ix", "l", aerospike.INDEX_NUMERIC, "uix_ix_l") == 0
        assert client.index_map_values_create("test", "uix_ix", "m", "not an int: STRING", "uix_ix_mv") == 0
        assert client.index_geo2dsphere_create("test", "uix_ix", "g", "uix_ix_g") == 0
        listing = client.info_all("sindex-list:ns=test")
        text = next(iter(listing.values()))[1]
        for entry in (
            "indexname=uix_ix_c:set=uix_ix:bin=c:type=string:indextype=default",
            "indexname=uix_ix_l:set=uix_ix:bin=l:type=numeric:indextype=list",
            "indexname=uix_ix_mv:set=uix_ix:bin=m:type=string:indextype=mapvalues",
            "indexname=uix_ix_g:set=uix_ix:bin=g:type=geo2dsphere:indextype=default",
        ):
            assert entry in text
        # The server accepts a definition for a namespace no node has; 3.0.0 then finds nothing to wait for.
        assert client.index_integer_create("uix_no_such_ns", "uix_ix", "a", "uix_ix_nons") == 0
    finally:
        for name in ("uix_ix_a", "uix_ix_s", "uix_ix_c", "uix_ix_l", "uix_ix_mv", "uix_ix_g"):
            assert client.index_remove("test", name) == 0
    assert client.index_remove("test", "uix_ix_a") == 0  # removing a missing index is not an error


SERVER_REFUSALS = [
    (lambda c: c.index_integer_create("test", "uix_ix", "abcdefghijklmnopq", "uix_ix_x"),
     "'indexdata' bin name too long"),
    (lambda c: c.index_integer_create("test", "uix_ix", "", "uix_ix_x"), "'indexdata' missing bin name"),
    (lambda c: c.index_integer_create("test", "", "a", "uix_ix_x"), "missing 'set' value"),
    (lambda c: c.index_integer_create("test", "uix_ix", "a", "uix_" + "x" * 70), "'indexname' value too long"),
    (lambda c: c.index_map_keys_create("test", "uix_ix", "m", aerospike.INDEX_GEO2DSPHERE, "uix_ix_x"),
     "bad 'indexdata' bin type for 'indextype' 'mapkeys' - must be one of 'numeric', 'string', 'blob'"),
]


@pytest.mark.parametrize(("call", "message"), SERVER_REFUSALS)
def test_index_server_refusals(client: aerospike.Client, call: Any, message: str) -> None:
    assert _error(lambda: call(client)) == (exception.InvalidRequest, 4, message)


def test_index_argument_errors(client: aerospike.Client) -> None:
    cases = [
        (lambda: client.index_integer_create(1, "s", "a", "i"), "Namespace should be a string"),
        (lambda: client.index_integer_create("test", 1, "a", "i"), "Set should be string, unicode or None"),
        (lambda: client.index_integer_create("test", "s", 1, "i"), "Bin should be a string"),
        (lambda: client.index_integer_create("test", "s", b"a", "i"), "Bin should be a string"),
        (lambda: client.index_integer_create("test", "s", "a", 1), "Index name should be string or unicode"),
        (lambda: client.index_remove(1, "i"), "Namespace should be a string"),
        (lambda: client.index_remove("test", 1), "Index name should be string or unicode"),
        (lambda: client.index_remove("test", "i", "not a policy"), "policy must be a dict"),
    ]
    assert [_error(call) for call, _ in cases] == [(exception.ParamError, -2, message) for _, message in cases]
    assert _error(lambda: client.index_remove("", "x")) == (
        exception.NamespaceNotFound, 20, "missing 'namespace' value"
    )


# ---------------------------------------------------------------------------------------------------------------
# info, info_all, info_node, truncate


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_info_calls(client: aerospike.Client, backend: Backend) -> None:
    host, port = backend.hosts[0]
    name = client.info_node("node", (host, port)).split("\t", 1)[1].strip()
    assert client.info("namespaces") == {name: (None, "test;bar\n")}
    assert client.info("namespaces", [(host, port)]) == {name: (None, "test;bar\n")}
    assert client.info("namespaces", [(host, port + 1)]) == {}
    assert client.info_all("build") == {name: (None, "8.1.2.0\n")}
    assert client.info_node("build", (host, port)) == "build\t8.1.2.0\n"
    # A command the server does not know is an error for every info call.
    assert _error(lambda: client.info("bins")) == (exception.InvalidRequest, 4, "unrecognized command")
    assert _error(lambda: client.info_all("bins")) == (exception.InvalidRequest, 4, "unrecognized command")
    assert _error(lambda: client.info_node("bins", (host, port))) == (
        exception.InvalidRequest, 4, f"unrecognized command, {host}:{port}"
    )
    assert _error(lambda: client.info_all("sindex/test/uix_none")) == (exception.IndexNotFound, 201, "no index")
    assert _error(lambda: client.info("namespaces", None)) == (
        exception.ParamError, -2, "Hosts should be specified in a list."
    )
    assert _error(lambda: client.info("namespaces", [(5, port)])) == (
        exception.ParamError, -2, "Host address is of type incorrect"
    )
    assert _error(lambda: client.info(5)) == (exception.ParamError, -2, "Request must be a string")
    assert _error(lambda: client.info_node("build", None)) == (
        exception.ParamError, -2, "Host should be a specified in form of Tuple."
    )
    assert _error(lambda: client.info_node(5, (host, port))) == (
        exception.ParamError, -2, "Request should be of string type"
    )
    assert _error(lambda: client.info_node("build", (host, port, 5))) == (
        exception.ParamError, -2, "tls name must be string or unicode"
    )
    # Any host can be asked, in the cluster or not; nothing listening is a connection error.
    assert type(_raised(lambda: client.info_node("build", ("127.0.0.1", _free_port())))) is exception.ConnectionError


def test_info_node_reaches_a_host_outside_the_cluster(client: aerospike.Client, local_cluster: Any) -> None:
    other = local_cluster(nodes=1, replication_factor=1)
    outside_host, outside_port = other.hosts[0]
    assert (outside_host, outside_port) not in client.get_nodes()
    assert client.info_node("node", (outside_host, outside_port)) == f"node\t{other.node_ids[0]}\n"


def test_truncate(client: aerospike.Client) -> None:
    client.put(("test", "uix_tr", 1), {"a": 1})
    time.sleep(0.01)  # the server truncates records last updated before the current millisecond
    assert client.truncate("test", "uix_tr", 0) == 0
    assert client.exists(("test", "uix_tr", 1))[1] is None
    assert client.truncate(namespace="uix_no_such_ns", set="uix_tr", nanos=0, policy={"timeout": 1000}) == 0
    # 3.0.0 reports any refusal the same way: a lut before 2010, or in the future.
    refusals = [_error(lambda n=nanos: client.truncate("test", "uix_tr", n)) for nanos in (1, True, (1 << 64) - 1)]
    assert refusals == [(exception.ClientError, -1, "Truncate operation failed")] * 3
    assert _error(lambda: client.truncate("test", "uix_tr", 0, "not a policy")) == (
        exception.ClientError, -1, "Incorrect Policy"
    )


def test_job_info_of_an_unknown_job_is_completed_with_no_progress(backend: Any) -> None:
    # C client 4.3.1 under 3.0.0 (aerospike_job_info): a node answering "job not found" counts as done, and the
    # progress stays 0 when no node reports one; 19.3.0 answers the same (transcript 10-udf).
    client = aerospike.client({"hosts": backend.hosts}).connect()
    try:
        assert client.job_info(123456789, aerospike.JOB_QUERY) == {
            "progress_pct": 0, "records_read": 0, "status": aerospike.JOB_STATUS_COMPLETED,
        }
    finally:
        client.close()
