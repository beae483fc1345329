"""Filter expressions of the current API in policies, and bit, HLL and expression operations, on both backends."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike
from aerospike import exception
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import bitwise_operations as bo
from aerospike_helpers.operations import expression_operations as eo
from aerospike_helpers.operations import hll_operations as ho
from aerospike_helpers.operations import operations as op

SET = "exp-filters"


@pytest.fixture
def client(backend: Any) -> Any:
    client = backend.client()
    yield client
    client.close()


def _key(name: str) -> tuple:
    return ("test", SET, name)


PASSING = exp.And(exp.GT(exp.IntBin("n"), 5), exp.Eq(exp.StrBin("s"), "mid")).compile()
FAILING = exp.LT(exp.IntBin("n"), 5).compile()

FILTERS = [
    (exp.GT(exp.IntBin("n"), 5), True),
    (exp.LT(exp.IntBin("n"), 5), False),
    (exp.Eq(exp.StrBin("s"), "mid"), True),
    (exp.NE(exp.StrBin("s"), "mid"), False),
    (exp.Or(exp.Eq(exp.IntBin("n"), 1), exp.Eq(exp.IntBin("n"), 9)), True),
    (exp.Not(exp.BinExists("nosuch")), True),
    (exp.BinExists("nosuch"), False),
    (exp.Eq(exp.Add(exp.IntBin("n"), 1), 10), True),
    (exp.Eq(exp.FloatBin("f"), 1.5), True),
    (exp.Eq(exp.SetName(), SET), True),
    (exp.Let(exp.Def("x", exp.IntBin("n")), exp.Cond(exp.GT(exp.Var("x"), 8), True, False)), True),
    (exp.Eq(exp.TTL(), -1), True),
]


@pytest.mark.parametrize("expression,passes", FILTERS, ids=[str(i) for i in range(len(FILTERS))])
def test_filter_on_get(client: Any, expression: Any, passes: bool) -> None:
    key = _key("get")
    client.put(key, {"n": 9, "s": "mid", "f": 1.5})
    policy = {"expressions": expression.compile()}
    if passes:
        assert client.get(key, policy=policy)[2] == {"n": 9, "s": "mid", "f": 1.5}
    else:
        with pytest.raises(exception.FilteredOut) as raised:
            client.get(key, policy=policy)
        assert raised.value.code == 27


def test_filter_on_put_operate_remove(client: Any) -> None:
    key = _key("writes")
    client.put(key, {"n": 9, "s": "mid"})
    client.put(key, {"n": 10}, policy={"expressions": PASSING})
    with pytest.raises(exception.FilteredOut):
        client.put(key, {"n": 11}, policy={"expressions": FAILING})
    assert client.get(key)[2]["n"] == 10
    assert client.operate(key, [op.increment("n", 1), op.read("n")], policy={"expressions": PASSING})[2] == {"n": 11}
    with pytest.raises(exception.FilteredOut):
        client.operate(key, [op.increment("n", 1)], policy={"expressions": FAILING})
    with pytest.raises(exception.FilteredOut):
        client.remove(key, policy={"expressions": FAILING})
    client.remove(key, policy={"expressions": PASSING})
    assert client.exists(key)[1] is None


def test_operate_delete(client: Any) -> None:
    key = _key("delete")
    client.put(key, {"n": 1})
    assert client.operate(key, [op.read("n"), op.delete()])[2] == {"n": 1}
    assert client.exists(key)[1] is None


def test_bit_operations(backend: Any, client: Any) -> None:
    key = _key("bits")
    client.put(key, {"b": bytearray(b"\x01\x02")})
    ops = [bo.bit_count("b", 0, 16)]
    assert client.operate(key, ops)[2] == {"b": 2}
    assert client.operate(key, [bo.bit_get_int("b", 8, 8, False)])[2] == {"b": 2}
    client.operate(key, [bo.bit_resize("b", 4), bo.bit_set_int("b", 16, 8, 255)])
    assert client.get(key)[2]["b"] == bytearray(b"\x01\x02\xff\x00")
    assert client.operate(key, [bo.bit_lscan("b", 0, 32, True)])[2] == {"b": 7}
    client.operate(key, [bo.bit_add("b", 0, 8, 1, False, aerospike.BIT_OVERFLOW_FAIL)])
    assert client.operate(key, [bo.bit_get("b", 0, 8)])[2] == {"b": bytearray(b"\x02")}


def test_hll_operations(backend: Any, client: Any) -> None:
    key = _key("hll")
    client.operate(key, [ho.hll_init("h", 8, 0)])
    client.operate(key, [ho.hll_add("h", ["a", "b", "c", "a"])])
    assert client.operate(key, [ho.hll_get_count("h")])[2] == {"h": 3}
    assert client.operate(key, [ho.hll_describe("h")])[2] == {"h": [8, 0]}
    other = client.operate(key, [op.read("h")])[2]["h"]
    assert client.operate(key, [ho.hll_get_union_count("h", [other])])[2] == {"h": 3}


def test_expression_operations(backend: Any, client: Any) -> None:
    key = _key("expops")
    client.put(key, {"n": 4})
    result = client.operate(
        key,
        [eo.expression_write("x", (exp.IntBin("n") + 5).compile()), eo.expression_read("y", exp.Mul(exp.IntBin("n"), 3).compile())],
    )[2]
    assert result == {"x": None, "y": 12}  # 19.3.0 asks for every op's result (respond-all-ops) on expression writes
    assert client.get(key)[2] == {"n": 4, "x": 9}
