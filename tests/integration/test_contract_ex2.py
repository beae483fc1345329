"""Current-API calls through the official client 19.3.0 and through this package give the same answers.

One script (operations, list/map operations with ctx, expression filters on get/put/operate/batch/scan/query,
expression read/write ops with record metadata, path expressions, string expressions and operations, bit and
HLL operations, map rank selections) runs through both clients against the backend (the local cluster, and a
real server when the run has one); the normalised results must be equal, and a few of them are also checked
against what CE 8.1.2.0 answered when the test was written.
"""

from __future__ import annotations

from typing import Any

from tests.support.official import run_official

SCRIPT = r"""
import aerospike
from aerospike_helpers import cdt_ctx as ctx
from aerospike_helpers import expressions as exp
from aerospike_helpers import string_helpers as sh
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import bitwise_operations as bo
from aerospike_helpers.operations import expression_operations as eo
from aerospike_helpers.operations import hll_operations as ho
from aerospike_helpers.operations import list_operations as lo
from aerospike_helpers.operations import map_operations as mo
from aerospike_helpers.operations import operations as op
from aerospike_helpers.operations import string_operations as so

client = aerospike.client({"hosts": [tuple(h) for h in hosts]}).connect()
NS = "test"
KEY = (NS, set_name, "k1")
SEND = {"key": aerospike.POLICY_KEY_SEND}
INITIAL = {"n": 7, "s": "hello", "f": 1.5, "l": [5, 1, 3, 2, 4], "sl": ["a", "b"], "b": bytearray(b"\x0f\xf0"),
           "m": {"a": 5, "b": 1, "c": 3, "d": 2, "e": 4}, "nm": {"a": {"x": 1}, "b": {"x": 5}, "c": [1, 9]}}

def norm(value):
    if isinstance(value, (bytes, bytearray)):
        return ["bytes", bytes(value).hex()]
    if isinstance(value, dict):
        return {str(k): norm(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [norm(v) for v in value]
    return value

def call(fn, *args, **kwargs):
    try:
        return ["ok", norm(fn(*args, **kwargs))]
    except Exception as error:
        return ["error", type(error).__name__, getattr(error, "code", None)]

def bins(record):
    return None if record is None else norm(record[2])

def reset():
    try:
        client.remove(KEY)
    except aerospike.exception.RecordNotFound:
        pass
    client.put(KEY, INITIAL, policy=SEND)

out = {}

def operate(name, ops, policy=None):
    reset()
    out[name] = call(lambda: bins(client.operate(KEY, ops, policy=policy)))
    out[name + " after"] = call(lambda: bins(client.get(KEY)))

# Plain and list/map operations with ctx.
operate("ops", [op.increment("n", 2), op.append("s", "!"), op.prepend("s", ">"), op.read("n"), op.read("s"),
                op.write("w", [1, {"z": 2}]), op.touch()])
operate("delete", [op.read("n"), op.delete()])
operate("list ctx", [lo.list_append("nm", 7, ctx=[ctx.cdt_ctx_map_key("c")]),
                     lo.list_get_by_rank_range("l", 1, aerospike.LIST_RETURN_VALUE, 2),
                     lo.list_get_by_rank_range("l", 1, aerospike.LIST_RETURN_REVERSE_RANK, 2, True),
                     lo.list_sort("l", 0), lo.list_get_range("l", 0, 3)])
operate("map ctx", [mo.map_put("nm", "y", 3, ctx=[ctx.cdt_ctx_map_key("a")]),
                    mo.map_get_by_key("nm", "y", aerospike.MAP_RETURN_VALUE, ctx=[ctx.cdt_ctx_map_key("a")]),
                    mo.map_put("nm", "q", 1, ctx=[ctx.cdt_ctx_map_key_create("new", aerospike.MAP_KEY_ORDERED)])])
rank = {}
for return_type in (1, 2, 3, 4, 6, 7, 8):
    for inverted in (False, True):
        reset()
        rank[f"{return_type} {inverted}"] = call(lambda: bins(client.operate(KEY, [
            mo.map_get_by_rank_range("m", 1, 2, return_type, inverted),
            lo.list_get_by_rank_range("l", 1, min(return_type, 7), 2, inverted)])))
out["rank"] = rank

# Expression filters on every kind of command.
yes = exp.GT(exp.IntBin("n"), 5).compile()
no = exp.LT(exp.IntBin("n"), 5).compile()
reset()
for name, policy in (("yes", {"expressions": yes}), ("no", {"expressions": no})):
    out["get " + name] = call(lambda: bins(client.get(KEY, policy)))
    out["select " + name] = call(lambda: bins(client.select(KEY, ["n"], policy)))
    out["exists " + name] = call(lambda: client.exists(KEY, policy)[1] is not None)
    out["put " + name] = call(lambda: client.put(KEY, {"p": 1}, policy=policy))
    out["operate " + name] = call(lambda: bins(client.operate(KEY, [op.read("n")], policy=policy)))
    out["batch_read " + name] = call(lambda: [(r.result, bins(r.record)) for r in client.batch_read(
        [KEY, (NS, set_name, "absent")], policy=policy).batch_records])
    out["scan " + name] = call(lambda: sorted(r[2]["n"] for r in client.scan(NS, set_name).results(policy)))
    out["query " + name] = call(lambda: sorted(r[2]["n"] for r in client.query(NS, set_name).results(policy)))
out["remove no"] = call(lambda: client.remove(KEY, policy={"expressions": no}))
out["meta filter"] = call(lambda: bins(client.get(KEY, {"expressions": exp.And(
    exp.Eq(exp.SetName(), set_name), exp.KeyExists(), exp.Eq(exp.KeyStr(), "k1"), exp.Eq(exp.TTL(), -1),
    exp.GT(exp.LastUpdateTime(), 0), exp.LT(exp.SinceUpdateTime(), 600000), exp.Not(exp.IsTombstone()),
    exp.Eq(exp.DeviceSize(), 0), exp.GT(exp.RecordSize(), 0), exp.InList(3, exp.ListBin("l"))).compile()})))

# Expression read and write operations.
reads = {
    "set name": exp.SetName(), "key exists": exp.KeyExists(), "ttl": exp.TTL(), "digest mod": exp.DigestMod(7),
    "key": exp.KeyStr(), "void time": exp.VoidTime(), "in list": exp.InList(3, "l"), "not in list": exp.InList(9, "l"),
    "map keys": exp.MapGetKeys(exp.MapBin("m")), "map values": exp.MapGetValues(exp.MapBin("nm")),
    "arith": exp.Add(exp.IntBin("n"), 3), "cond": exp.Cond(exp.GT(exp.IntBin("n"), 5), "big", "small"),
    "let": exp.Let(exp.Def("x", exp.IntBin("n")), exp.Mul(exp.Var("x"), exp.Var("x"))),
    "list read": exp.ListGetByRankRange(None, aerospike.LIST_RETURN_VALUE, 1, 2, "l"),
    "map read ctx": exp.MapGetByKey([ctx.cdt_ctx_map_key("b")], aerospike.MAP_RETURN_VALUE, exp.ResultType.INTEGER, "x", "nm"),
    "list join": exp.ListJoin(None, ",", "sl"), "b64": exp.BitB64Encode(0, 2, False, "b"),
    "strlen": exp.StrLen("s"), "upper": exp.Upper(exp.StringPolicy(), "s"), "to string": exp.ToString(exp.IntBin("n")),
    "select values": exp.SelectByPath([ctx.cdt_ctx_all_children()], exp.ResultType.LIST,
                                      aerospike.EXP_PATH_SELECT_VALUE, exp.MapBin("nm")),
    "select keys filtered": exp.SelectByPath(
        [ctx.cdt_ctx_all_children_with_filter(exp.GT(exp.MapGetByKey(None, aerospike.MAP_RETURN_VALUE,
         exp.ResultType.INTEGER, "x", exp.LoopVarMap(aerospike.EXP_LOOPVAR_VALUE)), 2).compile())],
        exp.ResultType.LIST, aerospike.EXP_PATH_SELECT_MAP_KEY | aerospike.EXP_PATH_SELECT_NO_FAIL, exp.MapBin("nm")),
    "select tree keys in": exp.SelectByPath(
        [ctx.cdt_ctx_map_keys_in(["a", "c", "z"]), ctx.cdt_ctx_and_filter(exp.GT(exp.LoopVarInt(
         aerospike.EXP_LOOPVAR_VALUE), 2).compile())], exp.ResultType.MAP, 0, exp.MapBin("m")),
    "select list index": exp.SelectByPath([ctx.cdt_ctx_all_children_with_filter(exp.LT(exp.LoopVarInt(
        aerospike.EXP_LOOPVAR_INDEX), 2).compile())], exp.ResultType.LIST, 1, exp.ListBin("l")),
    "select fails": exp.SelectByPath([ctx.cdt_ctx_all_children_with_filter(exp.GT(exp.LoopVarInt(
        aerospike.EXP_LOOPVAR_VALUE), 2).compile())], exp.ResultType.LIST, 1, exp.MapBin("nm")),
    "modify add": exp.ModifyByPath([ctx.cdt_ctx_all_children()], exp.ResultType.MAP,
                                   exp.Add(exp.LoopVarInt(aerospike.EXP_LOOPVAR_VALUE), 10).compile(), 0, exp.MapBin("m")),
    "modify remove": exp.ModifyByPath([ctx.cdt_ctx_all_children_with_filter(exp.GT(exp.LoopVarInt(
        aerospike.EXP_LOOPVAR_VALUE), 2).compile())], exp.ResultType.LIST, exp.RemoveResult().compile(),
        aerospike.EXP_PATH_MODIFY_NO_FAIL, exp.ListBin("l")),
}
reset()
out["exp reads"] = {name: call(lambda: bins(client.operate(KEY, [eo.expression_read("r", e.compile())])))
                    for name, e in reads.items()}
operate("exp write", [eo.expression_write("w", exp.Add(exp.IntBin("n"), 1).compile()),
                      eo.expression_write("n", exp.Unknown().compile(), aerospike.EXP_WRITE_EVAL_NO_FAIL)])
operate("path ops", [op.select_by_path("nm", [ctx.cdt_ctx_all_children()], aerospike.EXP_PATH_SELECT_MAP_KEY),
                     op.modify_by_path("m", [ctx.cdt_ctx_all_children()], exp.Mul(exp.LoopVarInt(
                         aerospike.EXP_LOOPVAR_VALUE), 2).compile(), 0)])
operate("string op", [so.strlen("s")])
operate("string write", [so.append("s", "!", sh.StringPolicy())])
operate("b64 op", [bo.bit_b64_encode("b")])

# Bit and HLL operations.
operate("bits", [bo.bit_get("b", 4, 8), bo.bit_count("b", 0, 16), bo.bit_lscan("b", 0, 16, True),
                 bo.bit_get_int("b", 0, 8, True), bo.bit_add("b", 0, 8, 3, False, aerospike.BIT_OVERFLOW_FAIL),
                 bo.bit_resize("b", 3), bo.bit_get("b", 0, 24)])
operate("hll", [ho.hll_init("h", 8), ho.hll_add("h", ["a", "b", "c", "a"]), ho.hll_get_count("h"),
                ho.hll_describe("h")])
client.close()
result = out
"""


def test_current_api_calls_equal_the_official_client(backend: Any) -> None:
    variables: dict[str, Any] = {"hosts": [list(host) for host in backend.hosts], "set_name": "ex2_diff"}
    official = run_official(SCRIPT, **variables)
    namespace: dict[str, Any] = dict(variables)
    exec(SCRIPT, namespace)  # noqa: S102 (the same script through this package)
    ours = namespace["result"]
    differing = {name: (ours.get(name), official.get(name)) for name in official if ours.get(name) != official[name]}
    assert differing == {}
    assert set(ours) == set(official)
    # What CE 8.1.2.0 answered (checked on both backends, so the local cluster must agree with it).
    assert ours["rank"]["1 False"] == ["ok", {"m": [3, 2], "l": [2, 3]}]
    assert ours["rank"]["4 True"][1]["m"] == [4, 0, 1]
    reads = ours["exp reads"]
    assert reads["set name"] == ["ok", {"r": "ex2_diff"}] and reads["key exists"] == ["ok", {"r": True}]
    assert reads["strlen"] == ["error", "InvalidRequest", 4] and reads["b64"] == ["error", "OpNotApplicable", 26]
    assert reads["select tree keys in"] == ["ok", {"r": {"a": 5, "c": 3}}]
    assert reads["modify remove"] == ["ok", {"r": [1, 2]}]
    assert reads["select fails"][0] == "error" and reads["select fails"][2] == 26
    assert ours["path ops after"][1]["m"] == {"a": 10, "b": 2, "c": 6, "d": 4, "e": 8}
    assert ours["get no"] == ["error", "FilteredOut", 27] and ours["meta filter"][0] == "ok"
