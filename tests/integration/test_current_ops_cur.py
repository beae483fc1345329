"""Bit, HLL, expression, list and map operations of the current API on both backends (the local cluster and a real
server): each case's results, in order, equal what a CE 8.1.2.0 server answered (tests/data/current_ops_expected.json,
recorded from one with these cases). HLL counts, unions, intersections and similarities check the local
cluster's sketch against the server's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import aerospike as A
from aerospike import exception as ex
from aerospike_helpers import cdt_ctx as ctx
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import bitwise_operations as bo
from aerospike_helpers.operations import expression_operations as eo
from aerospike_helpers.operations import hll_operations as ho
from aerospike_helpers.operations import list_operations as lo
from aerospike_helpers.operations import map_operations as mo
from aerospike_helpers.operations import operations as op

SET = "cur-ops"
EXPECTED = json.loads((Path(__file__).parents[1] / "data" / "current_ops_expected.json").read_text())

B = bytearray(b"\x01\x02\x03\x04\x80\xff")
CASES = [
 ("bits-read", {"b": B}, [bo.bit_get("b", 0, 12), bo.bit_get("b", -8, 8), bo.bit_count("b", 4, 20), bo.bit_lscan("b", 0, 48, True), bo.bit_rscan("b", 0, 48, False), bo.bit_get_int("b", 32, 8, True), bo.bit_get_int("b", 28, 12, False), bo.bit_get("b", 40, 16), bo.bit_count("b", 0, 0), bo.bit_lscan("b", 0, 8, False), bo.bit_rscan("b", 8, 8, True)]),
 ("bits-write", {"b": B}, [bo.bit_set("b", 4, 8, 1, bytearray(b"\xab")), bo.bit_or("b", 0, 16, 2, bytearray(b"\xf0\x0f")), bo.bit_xor("b", 8, 12, 2, bytearray(b"\xff\xff")), bo.bit_and("b", 3, 5, 1, bytearray(b"\x00")), bo.bit_not("b", 20, 9), bo.bit_lshift("b", 0, 16, 3), bo.bit_rshift("b", 8, 24, 5), op.read("b")]),
 ("bits-math", {"b": B}, [bo.bit_add("b", 0, 8, 255, False, A.BIT_OVERFLOW_FAIL), bo.bit_add("b", 0, 8, 255, False, A.BIT_OVERFLOW_SATURATE), bo.bit_add("b", 8, 8, 255, False, A.BIT_OVERFLOW_WRAP), bo.bit_subtract("b", 16, 8, 5, True, A.BIT_OVERFLOW_SATURATE), bo.bit_subtract("b", 24, 8, 200, True, A.BIT_OVERFLOW_WRAP), bo.bit_subtract("b", 24, 8, 200, False, A.BIT_OVERFLOW_FAIL), bo.bit_set_int("b", 4, 16, -1), bo.bit_add("b", 40, 4, 3, True, A.BIT_OVERFLOW_SATURATE), op.read("b")]),
 ("bits-resize", {"b": B}, [bo.bit_resize("b", 8), bo.bit_resize("b", 10, resize_flags=A.BIT_RESIZE_FROM_FRONT), bo.bit_resize("b", 4, resize_flags=A.BIT_RESIZE_GROW_ONLY), bo.bit_resize("b", 3, resize_flags=A.BIT_RESIZE_SHRINK_ONLY | A.BIT_RESIZE_FROM_FRONT), bo.bit_insert("b", 1, 2, bytearray(b"\xaa\xbb")), bo.bit_insert("b", 9, 1, bytearray(b"\xcc")), bo.bit_remove("b", 0, 2), bo.bit_remove("b", 5, 9), bo.bit_remove("b", -2, 1), op.read("b")]),
 ("bits-missing", {"x": 1}, [bo.bit_set("b", 0, 8, 1, bytearray(b"\x01")), bo.bit_get("b", 0, 8), bo.bit_resize("b", 2, policy={"bit_write_flags": A.BIT_WRITE_UPDATE_ONLY}), bo.bit_resize("b", 2, policy={"bit_write_flags": A.BIT_WRITE_UPDATE_ONLY | A.BIT_WRITE_NO_FAIL}), bo.bit_insert("b", 0, 1, bytearray(b"\x07")), bo.bit_resize("b", 3, policy={"bit_write_flags": A.BIT_WRITE_CREATE_ONLY}), bo.bit_resize("b", 3, policy={"bit_write_flags": A.BIT_WRITE_CREATE_ONLY | A.BIT_WRITE_NO_FAIL}), bo.bit_get("x", 0, 8), op.read("b")]),
 ("bits-range", {"b": bytearray(b"\x0f\xf0")}, [bo.bit_get("b", 8, 16), bo.bit_set("b", 12, 8, 1, bytearray(b"\xff")), bo.bit_set("b", 12, 8, 1, bytearray(b"\xff"), policy={"bit_write_flags": A.BIT_WRITE_NO_FAIL}), bo.bit_set("b", 12, 8, 1, bytearray(b"\xff"), policy={"bit_write_flags": A.BIT_WRITE_NO_FAIL | A.BIT_WRITE_PARTIAL}), bo.bit_set("b", 0, 16, 1, bytearray(b"\xff")), bo.bit_get("b", -20, 4), bo.bit_get_int("b", 0, 65, False), op.read("b")]),
 ("hll-basic", {}, [ho.hll_init("h", 8, 0), ho.hll_add("h", ["a", "b", "c", "a", 1, 2, 3, b"x", 1.5]), ho.hll_get_count("h"), ho.hll_describe("h"), ho.hll_refresh_count("h"), op.read("h"), ho.hll_add("h", [f"v{i}" for i in range(500)]), ho.hll_get_count("h"), ho.hll_fold("h", 6), ho.hll_get_count("h"), ho.hll_describe("h"), op.read("h")]),
 ("hll-mh", {}, [ho.hll_add("h", [f"u{i}" for i in range(300)], 10, 12), ho.hll_get_count("h"), ho.hll_describe("h"), ho.hll_refresh_count("h"), ho.hll_add("h2", [f"u{i}" for i in range(150, 600)], 10, 12), ho.hll_get_count("h2"), op.read("h"), ho.hll_fold("h", 8), ho.hll_init("h", -1, 16), ho.hll_describe("h"), ho.hll_init("h", 10, -1), ho.hll_describe("h")]),
 ("hll-errors", {"x": 1}, [ho.hll_add("h", ["a"]), ho.hll_init("h", 3, 0), ho.hll_init("h", 8, 60), ho.hll_init("h", 8, 0, {"flags": A.HLL_WRITE_UPDATE_ONLY}), ho.hll_init("h", 8, 0, {"flags": A.HLL_WRITE_UPDATE_ONLY | A.HLL_WRITE_NO_FAIL}), ho.hll_get_count("h"), ho.hll_init("h", 8, 0), ho.hll_init("h", 8, 0, {"flags": A.HLL_WRITE_CREATE_ONLY}), ho.hll_get_count("x"), ho.hll_refresh_count("nosuch"), ho.hll_fold("h", 10), op.read("h")]),
 ("list-cur", {"l": [3, 1, 2, 5, 4], "n": [[1, 2], [3]]}, [lo.list_get_by_value_rank_range_relative("l", 3, -1, A.LIST_RETURN_VALUE, 2, True), lo.list_remove_by_value_range("l", A.LIST_RETURN_INDEX, None, 3, True), lo.list_append("n", 9, ctx=[ctx.cdt_ctx_list_index(-1)]), lo.list_append("n", 7, ctx=[ctx.cdt_ctx_list_index_create(4, A.LIST_UNORDERED, True)]), lo.list_create("n", A.LIST_ORDERED, False, False, ctx=[ctx.cdt_ctx_list_index(0)]), lo.list_sort("l", A.LIST_SORT_DROP_DUPLICATES), lo.list_increment("l", 0, 5, {"write_flags": A.LIST_WRITE_DEFAULT}), lo.list_get_by_rank_range("l", -2, A.LIST_RETURN_RANK), op.read("n")]),
 ("map-cur", {"m": {"a": 1, "b": 2, "c": 3, "d": {"x": 1}}}, [mo.map_get_by_key_list("m", ["a", "c", "q"], A.MAP_RETURN_KEY_VALUE), mo.map_get_by_value_list("m", [2, 3], A.MAP_RETURN_KEY, True), mo.map_remove_by_key_index_range_relative("m", "b", 0, A.MAP_RETURN_VALUE, 1), mo.map_put("m", "y", 5, ctx=[ctx.cdt_ctx_map_key("d")]), mo.map_create("m", A.MAP_KEY_ORDERED, False, [ctx.cdt_ctx_map_key("e")]), mo.map_put("m", "z", 1, ctx=[ctx.cdt_ctx_map_key_create("f", A.MAP_KEY_VALUE_ORDERED)]), mo.map_get_by_rank_range("m", 0, 2, A.MAP_RETURN_KEY), mo.map_put("m", "k", 1, {"map_order": A.MAP_KEY_ORDERED, "persist_index": True}), op.read("m")]),
 ("exp-ops", {"n": 4, "l": [1, 2, 3], "m": {"a": 1, "b": 2}, "s": "abc", "b": bytearray(b"\x0f")}, [
    [eo.expression_read("r", exp.ListSize(None, exp.ListBin("l")).compile())],
    [eo.expression_read("r", exp.ListGetByIndex(None, A.LIST_RETURN_VALUE, exp.ResultType.INTEGER, 1, exp.ListBin("l")).compile())],
    [eo.expression_read("r", exp.MapGetByKey(None, A.MAP_RETURN_VALUE, exp.ResultType.INTEGER, "b", exp.MapBin("m")).compile())],
    [eo.expression_write("l2", exp.ListAppend(None, None, 9, exp.ListBin("l")).compile())],
    [eo.expression_read("r", exp.BitCount(0, 8, exp.BlobBin("b")).compile())],
    [eo.expression_write("b2", exp.BitSetInt(None, 0, 8, 5, exp.BlobBin("b")).compile())],
    [eo.expression_read("r", exp.Eq(exp.ListBin("l"), [1, 2, 3]).compile())],
    [eo.expression_read("r", exp.Add(exp.IntBin("n"), 1).compile())],
    [eo.expression_read("r", exp.IntBin("zz").compile())],
    [eo.expression_read("r", exp.IntBin("zz").compile(), A.EXP_READ_EVAL_NO_FAIL)],
    [eo.expression_write("n", exp.Add(exp.IntBin("n"), 1).compile(), A.EXP_WRITE_CREATE_ONLY)],
    [eo.expression_write("n", exp.Add(exp.IntBin("n"), 1).compile(), A.EXP_WRITE_CREATE_ONLY | A.EXP_WRITE_POLICY_NO_FAIL)],
    [eo.expression_write("new", exp.Add(exp.IntBin("n"), 1).compile(), A.EXP_WRITE_UPDATE_ONLY)],
    [eo.expression_write("s2", exp.StrBin("s").compile()), op.read("s2")],
 ]),
 ("exp-hll", {"l": ["a", "b"]}, [ho.hll_add("h", ["a", "b", "c"], 8), ho.hll_add("g", ["b", "c", "d", "e"], 8),
    [eo.expression_read("r", exp.HLLGetCount(exp.HLLBin("h")).compile())],
    [eo.expression_read("r", exp.HLLGetUnionCount(exp.HLLBin("g"), exp.HLLBin("h")).compile())],
    [eo.expression_write("h3", exp.HLLAdd(None, ["x", "y"], 8, -1, exp.HLLBin("h")).compile()), ho.hll_get_count("h3")],
 ]),
]
_ha = ho.hll_add("h", [f"e{i}" for i in range(400)], 10, 16)
CASES += [
 ("hll-sets", {}, [_ha, ho.hll_add("g", [f"e{i}" for i in range(200, 700)], 10, 16), ho.hll_add("k", [f"e{i}" for i in range(100, 300)], 8, 0), ho.hll_add("j", [f"e{i}" for i in range(350, 900)], 10, 16),
   [eo.expression_read("r", exp.HLLGetUnionCount(exp.HLLBin("g"), exp.HLLBin("h")).compile())],
   [eo.expression_read("r", exp.HLLGetIntersectCount(exp.HLLBin("g"), exp.HLLBin("h")).compile())],
   [eo.expression_read("r", exp.HLLGetSimilarity(exp.HLLBin("g"), exp.HLLBin("h")).compile())],
   [eo.expression_read("r", exp.HLLGetIntersectCount(exp.HLLBin("k"), exp.HLLBin("h")).compile())],
   [eo.expression_read("r", exp.HLLGetSimilarity(exp.HLLBin("k"), exp.HLLBin("h")).compile())],
   [eo.expression_read("r", exp.HLLGetUnion(exp.HLLBin("k"), exp.HLLBin("h")).compile())],
   [eo.expression_write("u", exp.HLLGetUnion(exp.HLLBin("g"), exp.HLLBin("h")).compile()), ho.hll_get_count("u"), ho.hll_describe("u")],
 ]),
]


def _run(client: Any, name: str, bins: dict, ops: list) -> list[str]:
    key = ("test", SET, name)
    try:
        client.remove(key)
    except ex.RecordNotFound:
        pass
    if bins:
        client.put(key, bins)
    results: list[Any] = []
    for operation in ops:
        try:
            results.append(("ok", client.operate(key, operation if isinstance(operation, list) else [operation])[2]))
        except ex.AerospikeError as error:
            results.append(("err", type(error).__name__, error.code))
    try:
        results.append(("final", client.get(key)[2]))
    except ex.AerospikeError as error:
        results.append(("final-err", error.code))
    return [repr(result) for result in results]


@pytest.mark.parametrize("name,bins,ops", CASES, ids=[case[0] for case in CASES])
def test_results_equal_the_servers(backend: Any, name: str, bins: dict, ops: list) -> None:
    client = backend.client()
    try:
        assert _run(client, name, bins, ops) == EXPECTED[name]
    finally:
        client.close()
