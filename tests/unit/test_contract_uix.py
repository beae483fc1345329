"""3.0.0's contract for UDFs, secondary indexes, info and truncate, where no socket is needed.

Argument checks that 3.0.0 makes before it looks at the connection, the error of an unconnected client, how an
info reply becomes an error (C client 4.3.1's as_info_validate), the index command 3.0.0 sends, and the local
cluster's info answers checked against what server 8.1.2.0 answered (recorded by hand from a real node).
"""

from __future__ import annotations

import base64
from typing import Any, Callable

import pytest

import aerospike
from aerospike import exception
from aerospike.index import datatype_name, sindex_create_command
from aerospike.info import reply_error
from aerospike.testing import sindex as local_sindex
from aerospike.testing import truncate as local_truncate
from aerospike.testing import udf as local_udf


@pytest.fixture
def unconnected() -> aerospike.Client:
    return aerospike.client({"hosts": [("127.0.0.1", 3000)]})


# ---------------------------------------------------------------------------------------------------------------
# Argument errors (class, code, message) of an unconnected client: 3.0.0's checks in its order


KEY = ("test", "uix", 1)

CALLS: list[tuple[str, Callable[[Any], Any], type[BaseException], Any, Any]] = [
    # Checked before the connection.
    ("udf_put float udf_type", lambda c: c.udf_put("m.lua", 1.0), TypeError, None, None),
    ("udf_put other language", lambda c: c.udf_put("m.lua", 1), exception.ClientError, -1, "Invalid UDF language"),
    ("udf_get float language", lambda c: c.udf_get("m.lua", 0.0), TypeError, None, None),
    ("apply args not a list", lambda c: c.apply(KEY, "m", "f", None), TypeError, None, None),
    ("apply args a tuple", lambda c: c.apply(KEY, "m", "f", (1,)), TypeError, None, None),
    ("truncate namespace", lambda c: c.truncate(1, "s", 0), exception.ParamError, -2,
     "Namespace must be unicode or string type"),
    ("truncate set", lambda c: c.truncate("test", 1, 0), exception.ParamError, -2,
     "Set must be None, or unicode or string type"),
    ("truncate nanos float", lambda c: c.truncate("test", "s", 1.0), exception.ParamError, -2,
     "Nanoseconds must be a long type"),
    ("truncate nanos negative", lambda c: c.truncate("test", "s", -1), exception.ParamError, -2,
     "Nanoseconds must be a positive value"),
    ("truncate nanos too large", lambda c: c.truncate("test", "s", 1 << 64), exception.ParamError, -2,
     "Nanoseconds value too large"),
    ("truncate nanos below -2**63", lambda c: c.truncate("test", "s", -(1 << 64)), exception.ParamError, -2,
     "Nanoseconds value too large"),
    # Keyword names of 3.0.0's kwlists.
    ("info_node host required", lambda c: c.info_node("build"), TypeError, None, None),
    ("index remove keywords", lambda c: c.index_remove(ns="test", name="i"), exception.ClusterError, 11, None),
    ("index create keywords", lambda c: c.index_integer_create(ns="test", set="s", bin="b", name="i"),
     exception.ClusterError, 11, None),
    ("list index keywords", lambda c: c.index_list_create(
        ns="test", set="s", bin="b", index_datatype=aerospike.INDEX_STRING, name="i"), exception.ClusterError, 11, None),
    ("udf_remove keyword", lambda c: c.udf_remove(filename="m.lua"), exception.ClusterError, 11, None),
    ("udf_get keywords", lambda c: c.udf_get(module="m.lua", language=0), exception.ClusterError, 11, None),
    ("apply keywords", lambda c: c.apply(key=KEY, module="m", function="f", args=[]), exception.ClusterError, 11, None),
    ("info keywords", lambda c: c.info(command="build", hosts=[]), exception.ClusterError, 11, None),
    # After the arguments, the connection.
    ("truncate unconnected", lambda c: c.truncate("test", "s", 0), exception.ClusterError, 11,
     "No connection to aerospike cluster"),
    ("udf_list unconnected", lambda c: c.udf_list(), exception.ClusterError, 11, "No connection to aerospike cluster"),
    ("info_all unconnected", lambda c: c.info_all("build"), exception.ClusterError, 11,
     "No connection to aerospike cluster"),
    ("get_nodes ignores arguments", lambda c: c.get_nodes(1, x=2), exception.ClusterError, 11, None),
    ("has_geo ignores arguments", lambda c: c.has_geo(1), exception.ClusterError, 11, None),
]


@pytest.mark.parametrize(("name", "call", "error", "code", "message"), CALLS, ids=[row[0] for row in CALLS])
def test_unconnected_calls(
    unconnected: aerospike.Client, name: str, call: Callable[[Any], Any], error: type, code: Any, message: Any
) -> None:
    with pytest.raises(error) as raised:
        call(unconnected)
    assert type(raised.value) is error
    if code is not None:
        assert raised.value.code == code
    if message is not None:
        assert raised.value.msg == message


def test_udf_put_language_error_has_no_module(unconnected: aerospike.Client) -> None:
    with pytest.raises(exception.ClientError) as raised:
        unconnected.udf_put("m.lua", 2)
    assert not isinstance(raised.value, exception.UDFError)


# ---------------------------------------------------------------------------------------------------------------
# Info replies as the C client reads them


REPLIES = [
    ("build\t8.1.2.0\n", None),
    ("bins\tERROR:4:unrecognized command\n", (4, "unrecognized command")),
    ("ERROR:201:no index\n", (201, "no index")),
    ("x\tFAIL:200:exists\n", (200, "exists")),
    ("get-config\tERROR::unrecognized context\n", (1, "unrecognized context")),
    ("x\tERROR:no code\n", (1, "no code")),  # no second colon: the whole text, code AEROSPIKE_ERR_SERVER
    ("sindex-delete:ns=test;indexname=\tERROR:4:missing 'indexname' valueok\n", (4, "missing 'indexname' valueok")),
    ("udf-get:filename=m.lua;\terror=not_found\n", (100, "error=not_found\n")),
    (
        "udf-put:filename=b.lua;content=x;\terror=compile_error;file=b.lua;line=2;message="
        + base64.b64encode(b"<name> expected near 'return'").decode()
        + "\n",
        (100, "error=compile_error;file=b.lua;line=2;message=<name> expected near 'return'"),
    ),
    ("namespaces\ttest;bar\n", None),
]


@pytest.mark.parametrize(("raw", "expected"), REPLIES)
def test_reply_errors(raw: str, expected: Any) -> None:
    assert reply_error(raw) == expected


# ---------------------------------------------------------------------------------------------------------------
# What 3.0.0 sends to create an index


def test_sindex_create_command_is_3_0_0s() -> None:
    assert sindex_create_command("test", "s", "b", "i", "NUMERIC", None) == (
        "sindex-create:ns=test;set=s;indexname=i;numbins=1;indexdata=b,NUMERIC;priority=normal"
    )
    assert sindex_create_command("test", None, "b", "i", "STRING", "LIST") == (
        "sindex-create:ns=test;indexname=i;numbins=1;indextype=LIST;indexdata=b,STRING;priority=normal"
    )
    # An empty set is sent (the server refuses it), None leaves the set out.
    assert ";set=;" in sindex_create_command("test", "", "b", "i", "STRING", None)


@pytest.mark.parametrize(
    ("datatype", "name"),
    [(aerospike.INDEX_STRING, "STRING"), (aerospike.INDEX_NUMERIC, "NUMERIC"),
     (aerospike.INDEX_GEO2DSPHERE, "GEO2DSPHERE"), (99, "STRING"), (-1, "STRING"), ("x", "STRING"),
     (None, "STRING"), (True, "NUMERIC")],
)
def test_index_datatypes_as_3_0_0_maps_them(datatype: Any, name: str) -> None:
    assert datatype_name(datatype) == name


def test_index_datatype_overflow() -> None:
    with pytest.raises(exception.ParamError) as raised:
        datatype_name(1 << 70)
    assert raised.value.msg == "integer value exceeds sys.maxsize"


# ---------------------------------------------------------------------------------------------------------------
# Local cluster answers, as server 8.1.2.0 gave them


class _State:
    def __init__(self) -> None:
        self.namespaces = {"test": object(), "bar": object()}
        self.extras = {"cluster": self}


SINDEX_CREATE = [
    ("ns=test;set=s;indexname=i1;numbins=1;indexdata=a,NUMERIC;priority=normal", "ok"),
    ("ns=test;set=s;indexname=i1;numbins=1;indexdata=a,NUMERIC;priority=normal", "ok"),
    ("ns=test;set=s;indexname=i1;numbins=1;indexdata=b,STRING;priority=normal",
     "ERROR:200:'indexname' already exists with different definition"),
    ("ns=nosuch;indexname=i3;numbins=1;indexdata=a,NUMERIC;priority=normal", "ok"),
    ("ns=test;indexname=i3;numbins=1;indexdata=a,FOO;priority=normal",
     "ERROR:4:bad 'indexdata' bin type - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'"),
    ("ns=test;indexname=i4;numbins=1;indextype=BOGUS;indexdata=l,STRING;priority=normal",
     "ERROR:4:bad 'indextype' - must be one of 'default', 'list', 'mapkeys', 'mapvalues'"),
    ("ns=test;indexname=" + "x" * 70 + ";numbins=1;indexdata=a,NUMERIC", "ERROR:4:'indexname' value too long"),
    ("ns=test;indexname=i7;numbins=1;indexdata=abcdefghijklmnopq,NUMERIC", "ERROR:4:'indexdata' bin name too long"),
    ("ns=test;set=" + "s" * 70 + ";indexname=i7;indexdata=a,NUMERIC", "ERROR:4:'set' value too long"),
    ("ns=test;indexname=;indexdata=a,NUMERIC", "ERROR:4:missing 'indexname' value"),
    ("ns=test;indexname=i7;indexdata=,NUMERIC", "ERROR:4:'indexdata' missing bin name"),
    ("ns=;indexname=i7;indexdata=a,NUMERIC", "ERROR:20:missing 'namespace' value"),
    ("ns=test;set=;indexname=i7;indexdata=a,NUMERIC", "ERROR:4:missing 'set' value"),
    ("ns=test;indexname=q;indexdata=a", "ERROR:4:'indexdata' missing bin type"),
    ("ns=test;indexname=q;type=numeric", "ERROR:4:both 'bin' and 'exp' are missing"),
    ("ns=test;indexname=q;type=numeric;bin=a;indexdata=a,numeric", "ERROR:4:both 'indexdata' and 'type' are specified"),
    ("ns=test;indexname=q;type=bogus;bin=a",
     "ERROR:4:bad 'type' - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'"),
    ("ns=test;indexname=q;indextype=;indexdata=a,numeric", "ERROR:4:missing 'indextype' value"),
    ("indexname=q;indexdata=a,numeric", "ERROR:20:missing 'namespace'"),
    ("ns=test;indexdata=a,numeric", "ERROR:4:missing 'indexname'"),
    ("ns=test;indexname=q;indexdata=a,numeric;context=!!!", "ERROR:4:'context' invalid base64"),
    ("ns=test;indexname=mk;indextype=MAPKEYS;indexdata=m,GEO2DSPHERE",
     "ERROR:4:bad 'indexdata' bin type for 'indextype' 'mapkeys' - must be one of 'numeric', 'string', 'blob'"),
    ("namespace=test;indexname=i6;bin=a;type=numeric", "ok"),
]


def test_local_sindex_create_answers() -> None:
    state = _State()
    answers = [local_sindex._answer_create(state, "sindex-create", args) for args, _ in SINDEX_CREATE]  # type: ignore[arg-type]
    assert answers == [expected for _, expected in SINDEX_CREATE]


def test_local_sindex_other_answers() -> None:
    state = _State()
    create = local_sindex._answer_create
    assert create(state, "sindex-create", "ns=test;indexname=n1;indexdata=zz,NUMERIC") == "ok"  # type: ignore[arg-type]
    listed = "ns=test:indexname=n1:set=null:bin=zz:type=numeric:indextype=default:context=null:exp=null:state=RW"
    cases = [
        (local_sindex._answer_list, "sindex-list", "ns=test;b64=true", listed),
        (local_sindex._answer_list, "sindex-list", "ns=nosuch",
         "ERROR:20:namespace not found on node;ERROR:20:namespace not found on node"),
        (local_sindex._answer_list, "sindex-list", "b64=maybe", "ERROR:4:bad b64"),
        (local_sindex._answer_exists, "sindex-exists", "ns=test;indexname=n1", "true"),
        (local_sindex._answer_exists, "sindex-exists", "ns=test;indexname=", "ERROR:4:missing 'indexname' valuefalse"),
        (local_sindex._answer_sindex, "sindex/test/n1/extra", "", "ERROR:201:no index"),
        (local_sindex._answer_sindex, "sindex/", "", listed),
        (local_sindex._answer_sindex, "sindex/nosuch", "", "ns_type=unknown"),
        (local_sindex._answer_sindex, "sindex/test/nosuch", "", "ERROR:201:no index"),
        (local_sindex._answer_delete, "sindex-delete", "ns=test", "ERROR:4:missing 'indexname'ok"),
        (local_sindex._answer_delete, "sindex-delete", "ns=;indexname=x", "ERROR:20:missing 'namespace' value"),
        (local_sindex._answer_delete, "sindex-delete", "ns=test;indexname=", "ERROR:4:missing 'indexname' valueok"),
        (local_sindex._answer_delete, "sindex-delete", "ns=test;indexname=n1", "ok"),
        (local_sindex._answer_delete, "sindex-delete", "ns=test;indexname=n1", "ok"),
        (local_sindex._answer_exists, "sindex-exists", "ns=test;indexname=n1", "false"),
    ]
    answers = [handler(state, name, args) for handler, name, args, _ in cases]  # type: ignore[arg-type]
    assert answers == [expected for *_, expected in cases]


def test_local_sindex_stat_of_a_created_index() -> None:
    state = _State()
    local_sindex._answer_create(state, "sindex-create", "ns=test;indexname=n2;indexdata=zz,NUMERIC")  # type: ignore[arg-type]
    state.namespaces["test"] = _EmptyStore()
    stats = local_sindex._answer_sindex(state, "sindex/test/n2", "")  # type: ignore[arg-type]
    assert "load_pct=100;" in stats and stats.startswith("entries=0;")
    stat = local_sindex._answer_stat(state, "sindex-stat", "ns=test")  # type: ignore[arg-type]
    assert stat == "ERROR:4:missing 'indexname'ERROR:201:no index"


class _EmptyStore:
    def records(self) -> list:
        return []


UDF_PUT = [
    ("filename=noext;content=YQ==;content-len=4;udf-type=LUA;", "error=invalid_filename"),
    ("filename=a.lua;content=YQ==;content-len=5;", "error=invalid_content_len"),
    ("filename=a.lua;content=YQ==;content-len=8;", "error=invalid_content"),
    ("filename=a.lua;content=YQ==;content-len=4;udf-type=lua;", "error=invalid_udf_type"),
    ("filename=a.lua;content=Y!==;content-len=4;", "error=invalid_base64_content"),
    ("content=YQ==;content-len=4;", "error=invalid_filename"),
    # The module runs when it is registered: a top-level error is a compile error too.
    ("filename=top.lua;content=ZXJyb3IoInRvcCIp;content-len=16;",
     "error=compile_error;file=top.lua;line=1;message=" + base64.b64encode(b"top").decode()),
    ("filename=bad.lua;content=ZnVuY3Rpb24gYnJva2VuKAogIHJldHVybiAxCg==;content-len=40;udf-type=LUA;",
     "error=compile_error;file=bad.lua;line=2;message=PG5hbWU+IG9yICcuLi4nIGV4cGVjdGVkIG5lYXIgJ3JldHVybic="),
]


@pytest.mark.parametrize(("args", "expected"), UDF_PUT)
def test_local_udf_put_answers(args: str, expected: str) -> None:
    assert local_udf._answer_put(_State(), "udf-put", args) == expected  # type: ignore[arg-type]


def test_local_udf_list_hash_is_the_servers() -> None:
    # The hash a real 8.1.2.0 node listed for this module (SHA-1 of its system-metadata JSON, not of the source).
    content = base64.b64encode(_UIX_M1).decode()
    state = _State()
    args = f"filename=uix_m1.lua;content={content};content-len={len(content)};udf-type=LUA;"
    assert local_udf._answer_put(state, "udf-put", args) == "ok"  # type: ignore[arg-type]
    assert local_udf._answer_list(state, "udf-list", "") == (  # type: ignore[arg-type]
        "filename=uix_m1.lua,hash=bad02555a7a34a14bb1080619f56b683487c03f1,type=LUA;"
    )
    assert local_udf._answer_get(state, "udf-get", "") == "error=invalid_filename"  # type: ignore[arg-type]
    assert local_udf._answer_remove(state, "udf-remove", "") == "error=invalid_filename"  # type: ignore[arg-type]


_UIX_M1 = b"""function hello(rec, a)
  return "hi " .. tostring(a)
end
function boom(rec)
  error("kaboom")
end
function boom2(rec)
  local x = nil
  return x.y
end
function boomtable(rec)
  error({code=5})
end
function getbin(rec, b)
  return rec[b]
end
"""


TRUNCATE = [
    ("truncate", "namespace=nosuch;set=s9", "ok"),
    ("truncate-namespace", "namespace=nosuch", "ok"),
    ("truncate", "namespace=test;set=s9;lut=99999999999999999999", "ERROR:4:would truncate in the future"),
    ("truncate", "namespace=test;set=s9;lut=abc", "ERROR:4:would truncate to 0"),
    ("truncate", "namespace=test;set=s9;lut=1", "ERROR:4:would truncate to 0"),
    ("truncate", "namespace=test;set=s9;lut=0x16", "ERROR:4:would truncate to 0"),
    ("truncate", "namespace=test;set=s9;lut=-5", "ERROR:4:would truncate in the future"),
    ("truncate", "namespace=test", "ERROR:4:missing 'set'"),
    ("truncate", "ns=test;set=s9", "ERROR:20:missing 'namespace'"),
    ("truncate", "namespace=;set=s9", "ERROR:20:missing 'namespace' value"),
    ("truncate", "namespace=test;set=s9;lut=", "ERROR:4:missing 'lut' value"),
    ("truncate", "namespace=test;set=" + "s" * 70, "ERROR:4:'set' value too long"),
    ("truncate-namespace", "namespace=test;set=x", "ERROR:4:unexpected set name"),
    ("truncate-namespace", "namespace=test;set=", "ERROR:4:unexpected set name"),
]


@pytest.mark.parametrize(("name", "args", "expected"), TRUNCATE)
def test_local_truncate_answers(name: str, args: str, expected: str) -> None:
    handler = local_truncate.HANDLERS[name]
    assert handler(_State(), name, args) == expected  # type: ignore[arg-type]
