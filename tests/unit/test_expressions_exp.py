"""The current API's expressions and bit/HLL operations, without a server.

- every expression of tests/data/expressions_golden.json (bytes the official client 19.3.0 compiled them to,
  through ``client.get_expression_base64``) compiles to the same bytes here;
- the operate calls of transcript 04 that carry a filter expression produce the recorded request bytes;
- builder shapes: what compile() returns, and the dicts the operation helpers return.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import aerospike
from aerospike import exception
from aerospike import record_commands as rc
from aerospike.key import parse_key
from aerospike.ops.bit_ops import build_bin_op
from aerospike.policy import build, build_defaults
from aerospike.protocol.expressions import ExpressionError, encode_expression
from aerospike.values import GeoJSON, ValueCodec
from aerospike_helpers import cdt_ctx as ctx
from aerospike_helpers import expressions as exp
from aerospike_helpers import string_helpers
from aerospike_helpers.operations import bitwise_operations as bo
from aerospike_helpers.operations import expression_operations as eo
from aerospike_helpers.operations import hll_operations as ho
from aerospike_helpers.operations import operations as op
from tests.support.transcripts import find

GOLDEN = json.loads((Path(__file__).parents[1] / "data" / "expressions_golden.json").read_text())["expressions"]
CODEC = ValueCodec()


def _geo_fallback(value: Any) -> tuple[int, bytes]:
    if isinstance(value, GeoJSON):
        return 23, value.dumps().encode()
    raise TypeError(value)


@pytest.mark.parametrize("source,expected", GOLDEN, ids=[row[0][:80] for row in GOLDEN])
def test_expression_bytes_equal_official(source: str, expected: str) -> None:
    namespace = {"exp": exp, "ctx": ctx, "aerospike": aerospike, "sh": string_helpers}
    compiled = eval(source, namespace)  # noqa: S307 - sources are the checked-in golden table
    assert encode_expression(compiled.compile(), _geo_fallback).hex() == expected


@pytest.mark.parametrize(
    "fragment,expression",
    [
        ("exp.GT(exp.IntBin('n'), 5)", exp.GT(exp.IntBin("n"), 5)),
        ("exp.LT(exp.IntBin('n'), 5)", exp.LT(exp.IntBin("n"), 5)),
    ],
)
def test_transcript_filter_requests(fragment: str, expression: Any) -> None:
    exchange = find("04-operate", fragment)
    policy = build_defaults({"operate": {}})["operate"]
    policy = build("operate", {"expressions": expression.compile()}, policy)
    request = rc.encode_operate(parse_key(("test", "s04", "o")), [op.read("n")], None, policy, CODEC).request
    assert request == exchange.request


def test_transcript_filtered_out_reply_raises_filtered_out() -> None:
    assert exception.FilteredOut.code == 27
    assert issubclass(exception.FilteredOut, exception.AerospikeError)


def test_compile_is_preorder_tuples() -> None:
    compiled = exp.And(exp.Eq(exp.IntBin("a"), 1), exp.BinExists("b")).compile()
    assert [entry[3] for entry in compiled] == [2, 2, 0, 0, 0]
    assert compiled[2][2] == {"bin": "a"} and compiled[2][1] == exp.ResultType.INTEGER
    assert compiled[3][2] == {"val": 1}
    assert compiled[4][2] == {"bin": "b"}


def test_operators_flatten_like_the_official_builder() -> None:
    flat = (exp.IntBin("a") + 1 + 2).compile()
    assert flat[0][3] == 3  # one ADD of three children
    assert encode_expression(flat) == encode_expression(exp.Add(exp.IntBin("a"), 1, 2).compile())


@pytest.mark.parametrize(
    "compiled",
    [[], [(1, None, None, 2)], [(1, None, None, 0), (1, None, None, 0)], [("x", None, None, 0)], "nope", [(999, None, {}, 0)]],
)
def test_malformed_compiled_expressions_raise(compiled: Any) -> None:
    with pytest.raises(ExpressionError):
        encode_expression(compiled)


def test_policy_expressions_must_be_compiled() -> None:
    with pytest.raises(exception.ParamError):
        build("read", {"expressions": [("bad",)]})
    assert build("read", {"expressions": None}).expressions is None
    assert build("read", {"expressions": exp.Eq(1, 1).compile()}).expressions == bytes.fromhex("93010101")


# ------------------------------------------------------------------------------ operation dicts to wire ops

OPS = [
    (bo.bit_resize("b", 4, None, aerospike.BIT_RESIZE_FROM_FRONT), 13, "940004" "0001"),
    (bo.bit_remove("b", 1, 2), 13, "9402010200"),
    (bo.bit_set_int("b", 0, 8, 255, {"bit_write_flags": aerospike.BIT_WRITE_UPDATE_ONLY}), 13, "950c0008ccff02"),
    (bo.bit_count("b", 0, 16), 12, "93330010"),
    (bo.bit_get("b", 8, 8), 12, "93320808"),
    (bo.bit_get_int("b", 0, 8, True), 12, "9436000801"),
    (bo.bit_get_int("b", 0, 8, False), 12, "93360008"),
    (bo.bit_lscan("b", 0, 8, True), 12, "943400 08c3".replace(" ", "")),
    (bo.bit_add("b", 0, 8, 1, True, aerospike.BIT_OVERFLOW_SATURATE), 13, "960a0008010003"),
    (bo.bit_not("b", 0, 8), 13, "9407000800"),
    (bo.bit_lshift("b", 0, 8, 2), 13, "950800080200"),
    (ho.hll_init("h", 8, 0), 16, "9400080000"),
    (ho.hll_add("h", ["a"], 8), 16, "9501" "91a20361" "08ff00"),
    (ho.hll_get_count("h"), 15, "9132"),
    (ho.hll_describe("h"), 15, "9137"),
    (ho.hll_fold("h", 4), 16, "920404"),
    (ho.hll_refresh_count("h"), 16, "9103"),
    (ho.hll_get_union("h", [b"\x00"]), 15, "9233" "91a21200"),
    (eo.expression_read("x", exp.IntBin("n").compile()), 7, "92935102a16e00"),
    (eo.expression_write("x", exp.Val(1).compile(), aerospike.EXP_WRITE_CREATE_ONLY), 8, "920101"),
]


@pytest.mark.parametrize("operation,op_type,payload", OPS, ids=[str(row[0]["op"]) + ":" + row[2] for row in OPS])
def test_operation_wire(operation: dict, op_type: int, payload: str) -> None:
    wire_op, shape = build_bin_op(operation)
    assert wire_op.op_type == op_type
    assert wire_op.value.hex() == payload
    assert shape.is_write == (op_type in (8, 13, 16))


def test_bit_op_rejects_non_bytes_value() -> None:
    with pytest.warns(DeprecationWarning):
        operation = bo.bit_set("b", 0, 8, 1, "not bytes")
    with pytest.raises(exception.ParamError):
        build_bin_op(operation)


def test_scalar_operations_use_this_packages_codes() -> None:
    assert op.read("a") == {"op": aerospike.OPERATOR_READ, "bin": "a"}
    assert op.write("a", 1) == {"op": aerospike.OPERATOR_WRITE, "bin": "a", "val": 1}
    assert op.increment("a", 1)["op"] == aerospike.OPERATOR_INCR == 5  # 3.0.0's number, not 19.x's 6
    assert op.delete() == {"op": aerospike.OPERATOR_DELETE}
    assert op.touch() == {"op": aerospike.OPERATOR_TOUCH}


def test_create_contexts_carry_their_order_on_the_wire() -> None:
    assert ctx.cdt_ctx_list_index_create(1, aerospike.LIST_ORDERED).wire_id == 0x10 | 0xC0
    assert ctx.cdt_ctx_list_index_create(1, pad=True).wire_id == 0x10 | 0x80
    assert ctx.cdt_ctx_map_key_create("k", aerospike.MAP_KEY_ORDERED).wire_id == 0x22 | 0x80
    assert ctx.cdt_ctx_map_key("k").id == aerospike.CDT_CTX_MAP_KEY
