"""Map operation dicts: map policies and write modes, return types and result shapes, argument checks."""

from __future__ import annotations

import pytest

import aerospike
from aerospike.exception import ClientError, ParamError
from aerospike.ops import build_cdt_op, key_value_pairs, method_operation, read_map_policy
from aerospike.protocol import cdt
from aerospike.protocol.constants import OP_CDT_MODIFY, OP_CDT_READ

A = aerospike
KV = A.MAP_RETURN_KEY_VALUE


def decoded(operation):
    return cdt.unpack(build_cdt_op(operation)[0].value)


# ------------------------------------------------------------------------------------------ policies


@pytest.mark.parametrize(
    ("policy", "order", "flags"),
    [
        (None, 0, 0),
        ({}, 0, 0),
        ({"map_order": A.MAP_KEY_ORDERED}, 1, 0),
        ({"map_order": A.MAP_KEY_VALUE_ORDERED, "map_write_mode": A.MAP_UPDATE}, 3, 0),
        ({"map_write_mode": A.MAP_UPDATE_ONLY}, 0, 2),
        ({"map_write_mode": A.MAP_CREATE_ONLY}, 0, 1),
        ({"map_write_mode": A.MAP_CREATE_ONLY, "map_write_flags": 4 | 8}, 0, 13),
        ({"map_order": A.MAP_KEY_ORDERED, "unrelated": "ignored"}, 1, 0),
    ],
)
def test_map_policy(policy, order, flags):
    assert read_map_policy(policy) == (order, flags)


@pytest.mark.parametrize(
    "policy",
    [
        "MAP_UPDATE",
        {"map_order": 2},
        {"map_order": "1"},
        {"map_order": True},
        {"map_write_mode": 3},
        {"map_write_mode": 1.0},
        {"map_write_flags": 16},
    ],
)
def test_bad_map_policy(policy):
    with pytest.raises(ParamError, match="map_policy"):
        build_cdt_op({"op": A.OP_MAP_PUT, "bin": "m", "key": "k", "val": 1, "map_policy": policy})


def test_write_modes_on_put_and_put_items():
    put = {"op": A.OP_MAP_PUT, "bin": "m", "key": "k", "val": 1}
    assert decoded(put) == [67, "k", 1, 0]
    assert decoded({**put, "map_policy": {"map_order": A.MAP_KEY_ORDERED}}) == [67, "k", 1, 1]
    assert decoded({**put, "map_policy": {"map_write_mode": A.MAP_UPDATE_ONLY}}) == [67, "k", 1, 0, 2]
    assert decoded({**put, "map_policy": {"map_write_mode": A.MAP_CREATE_ONLY, "map_order": 3}}) == [
        67,
        "k",
        1,
        3,
        1,
    ]
    items = {"op": A.OP_MAP_PUT_ITEMS, "bin": "m", "val": {"b": 2, "a": 1}}
    assert decoded(items) == [68, {"a": 1, "b": 2}, 0]
    assert decoded({**items, "map_policy": {"map_write_mode": A.MAP_UPDATE_ONLY}}) == [
        68,
        {"a": 1, "b": 2},
        0,
        2,
    ]


def test_increment_and_decrement_carry_only_the_order():
    inc = {
        "op": A.OP_MAP_INCREMENT,
        "bin": "m",
        "key": "k",
        "val": 2,
        "map_policy": {"map_order": 1, "map_write_mode": A.MAP_CREATE_ONLY},
    }
    assert decoded(inc) == [73, "k", 2, 1]
    assert decoded({**inc, "op": A.OP_MAP_DECREMENT, "val": 0.5}) == [74, "k", 0.5, 1]


def test_set_policy():
    op, shape = build_cdt_op({"op": A.OP_MAP_SET_POLICY, "bin": "m", "map_policy": {"map_order": 3}})
    assert (op.op_type, cdt.unpack(op.value)) == (OP_CDT_MODIFY, [64, 3])
    assert shape.respond_all_ops and shape.is_write


# ------------------------------------------------------------------------------------------ layouts


BY = [
    (A.OP_MAP_REMOVE_BY_KEY, {"key": "k"}, OP_CDT_MODIFY, [76, 7, "k"]),
    (A.OP_MAP_REMOVE_BY_KEY_LIST, {"val": ["a", 1]}, OP_CDT_MODIFY, [81, 7, ["a", 1]]),
    (A.OP_MAP_REMOVE_BY_KEY_RANGE, {"key": "a", "val": "c"}, OP_CDT_MODIFY, [84, 7, "a", "c"]),
    (A.OP_MAP_REMOVE_BY_VALUE, {"val": 3}, OP_CDT_MODIFY, [82, 7, 3]),
    (A.OP_MAP_REMOVE_BY_VALUE_LIST, {"val": [1, 2]}, OP_CDT_MODIFY, [83, 7, [1, 2]]),
    (A.OP_MAP_REMOVE_BY_VALUE_RANGE, {"val": 1, "range": 9}, OP_CDT_MODIFY, [86, 7, 1, 9]),
    (A.OP_MAP_REMOVE_BY_INDEX, {"index": -1}, OP_CDT_MODIFY, [77, 7, -1]),
    (A.OP_MAP_REMOVE_BY_INDEX_RANGE, {"index": 1, "val": 2}, OP_CDT_MODIFY, [85, 7, 1, 2]),
    (A.OP_MAP_REMOVE_BY_RANK, {"index": 0}, OP_CDT_MODIFY, [79, 7, 0]),
    (A.OP_MAP_REMOVE_BY_RANK_RANGE, {"index": 0, "val": 2}, OP_CDT_MODIFY, [87, 7, 0, 2]),
    (A.OP_MAP_GET_BY_KEY, {"key": b"k"}, OP_CDT_READ, [97, 7, bytearray(b"k")]),
    (A.OP_MAP_GET_BY_KEY_RANGE, {"key": 1, "range": None}, OP_CDT_READ, [103, 7, 1, None]),
    (A.OP_MAP_GET_BY_VALUE, {"val": [1]}, OP_CDT_READ, [102, 7, [1]]),
    (A.OP_MAP_GET_BY_VALUE_RANGE, {"val": "a", "range": "b"}, OP_CDT_READ, [105, 7, "a", "b"]),
    (A.OP_MAP_GET_BY_INDEX, {"index": 3}, OP_CDT_READ, [98, 7, 3]),
    (A.OP_MAP_GET_BY_INDEX_RANGE, {"index": 3, "val": 1}, OP_CDT_READ, [104, 7, 3, 1]),
    (A.OP_MAP_GET_BY_RANK, {"index": 3}, OP_CDT_READ, [100, 7, 3]),
    (A.OP_MAP_GET_BY_RANK_RANGE, {"index": 3, "val": 1}, OP_CDT_READ, [106, 7, 3, 1]),
]


@pytest.mark.parametrize(("code", "fields", "op_type", "expected"), BY, ids=[str(case[0]) for case in BY])
def test_by_operator_layouts(code, fields, op_type, expected):
    op, shape = build_cdt_op({"op": code, "bin": "m", "return_type": A.MAP_RETURN_VALUE, **fields})
    assert op.op_type == op_type and cdt.unpack(op.value) == expected
    assert shape.respond_all_ops and shape.is_write == (op_type == OP_CDT_MODIFY)


@pytest.mark.parametrize(("code", "fields", "op_type", "expected"), BY, ids=[str(case[0]) for case in BY])
def test_return_type_defaults_to_none(code, fields, op_type, expected):
    assert decoded({"op": code, "bin": "m", **fields})[1] == A.MAP_RETURN_NONE


def test_size_and_clear():
    assert decoded({"op": A.OP_MAP_SIZE, "bin": "m"}) == [96]
    assert decoded({"op": A.OP_MAP_CLEAR, "bin": "m"}) == [75]


@pytest.mark.parametrize(
    "return_type",
    [
        A.MAP_RETURN_NONE,
        A.MAP_RETURN_INDEX,
        A.MAP_RETURN_REVERSE_INDEX,
        A.MAP_RETURN_RANK,
        A.MAP_RETURN_REVERSE_RANK,
        A.MAP_RETURN_COUNT,
        A.MAP_RETURN_KEY,
        A.MAP_RETURN_VALUE,
        KV,
    ],
)
def test_every_return_type_is_sent(return_type):
    operation = {
        "op": A.OP_MAP_GET_BY_INDEX_RANGE,
        "bin": "m",
        "index": 0,
        "val": 2,
        "return_type": return_type,
    }
    op, shape = build_cdt_op(operation)
    assert cdt.unpack(op.value)[1] == return_type
    assert shape.preserved_map_as_list == (return_type == KV)


# ------------------------------------------------------------------------------------------ results


def test_key_value_results_become_tuples():
    _op, shape = build_cdt_op({"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "a", "return_type": KV})
    assert shape(["a", 1, b"k", [2]]) == [("a", 1), (b"k", [2])]
    assert shape({"a": 1}) == [("a", 1)]
    assert shape([]) == []
    assert shape(None) is None
    with pytest.raises(ClientError):
        shape(["a"])
    with pytest.raises(ClientError):
        key_value_pairs(5)


def test_inverted_key_value_results_become_tuples():
    _op, shape = build_cdt_op(
        {"op": A.OP_MAP_GET_BY_RANK_RANGE, "bin": "m", "index": 0, "val": 1, "return_type": KV | 0x10000}
    )
    assert shape(["x", 1]) == [("x", 1)]


def test_other_results_pass_through():
    _op, shape = build_cdt_op(
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "a", "return_type": A.MAP_RETURN_KEY}
    )
    assert shape(["a", 1]) == ["a", 1]
    assert not shape.preserved_map_as_list


# ------------------------------------------------------------------------------------------ bad fields


@pytest.mark.parametrize(
    ("operation", "field"),
    [
        ({"op": A.OP_MAP_SET_POLICY, "bin": "m"}, "map_policy"),
        ({"op": A.OP_MAP_SET_POLICY, "bin": "m", "map_policy": None}, "map_policy"),
        ({"op": A.OP_MAP_PUT, "bin": "m", "val": 1}, "key"),
        ({"op": A.OP_MAP_PUT, "bin": "m", "key": 1}, "val"),
        ({"op": A.OP_MAP_PUT, "key": 1, "val": 1}, "bin"),
        ({"op": A.OP_MAP_PUT, "bin": "m", "key": 1, "val": 1, "index": 0}, "index"),
        ({"op": A.OP_MAP_PUT_ITEMS, "bin": "m", "val": [("a", 1)]}, "val"),
        ({"op": A.OP_MAP_PUT_ITEMS, "bin": "m"}, "val"),
        ({"op": A.OP_MAP_INCREMENT, "bin": "m", "key": "k", "val": "1"}, "val"),
        ({"op": A.OP_MAP_DECREMENT, "bin": "m", "val": 1}, "key"),
        ({"op": A.OP_MAP_SIZE, "bin": 1}, "bin"),
        ({"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "m"}, "key"),
        ({"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "m", "key": "k", "return_type": "1"}, "return_type"),
        ({"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "m", "key": "k", "return_type": 9}, "return_type"),
        ({"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "m", "key": "k", "return_type": 1.0}, "return_type"),
        ({"op": A.OP_MAP_REMOVE_BY_KEY_LIST, "bin": "m", "val": "k"}, "val"),
        ({"op": A.OP_MAP_REMOVE_BY_KEY_RANGE, "bin": "m", "key": "a"}, "val"),
        ({"op": A.OP_MAP_REMOVE_BY_KEY_RANGE, "bin": "m", "val": "a"}, "key"),
        ({"op": A.OP_MAP_REMOVE_BY_VALUE, "bin": "m"}, "val"),
        ({"op": A.OP_MAP_REMOVE_BY_VALUE_LIST, "bin": "m", "val": {1: 2}}, "val"),
        ({"op": A.OP_MAP_REMOVE_BY_VALUE_RANGE, "bin": "m", "val": 1}, "range"),
        ({"op": A.OP_MAP_REMOVE_BY_INDEX, "bin": "m"}, "index"),
        ({"op": A.OP_MAP_REMOVE_BY_INDEX_RANGE, "bin": "m", "index": 1}, "val"),
        ({"op": A.OP_MAP_REMOVE_BY_RANK, "bin": "m", "index": "0"}, "index"),
        ({"op": A.OP_MAP_REMOVE_BY_RANK_RANGE, "bin": "m", "index": 0, "val": None}, "val"),
        ({"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "k", "index": 1}, "index"),
        ({"op": A.OP_MAP_GET_BY_KEY_RANGE, "bin": "m", "key": "a", "val": "b"}, "range"),
        ({"op": A.OP_MAP_GET_BY_VALUE, "bin": "m", "key": "a"}, "val"),
        ({"op": A.OP_MAP_GET_BY_VALUE_RANGE, "bin": "m", "range": 2}, "val"),
        ({"op": A.OP_MAP_GET_BY_INDEX, "bin": "m", "index": 2.0}, "index"),
        ({"op": A.OP_MAP_GET_BY_INDEX_RANGE, "bin": "m", "index": 0, "val": "2"}, "val"),
        ({"op": A.OP_MAP_GET_BY_RANK, "bin": "m"}, "index"),
        ({"op": A.OP_MAP_GET_BY_RANK_RANGE, "bin": "m", "val": 2}, "index"),
    ],
)
def test_bad_field_is_a_param_error_naming_it(operation, field):
    with pytest.raises(ParamError, match=f"'{field}'"):
        build_cdt_op(operation)


# ------------------------------------------------------------------------------------------ methods


def test_map_methods_map_to_the_operator_dicts():
    assert method_operation("map_put", "m", "k", 1) == {"op": A.OP_MAP_PUT, "bin": "m", "key": "k", "val": 1}
    assert method_operation("map_put", "m", "k", 1, None) == {
        "op": A.OP_MAP_PUT,
        "bin": "m",
        "key": "k",
        "val": 1,
    }
    assert method_operation("map_put_items", "m", {"a": 1}, {"map_order": 1}) == {
        "op": A.OP_MAP_PUT_ITEMS,
        "bin": "m",
        "val": {"a": 1},
        "map_policy": {"map_order": 1},
    }
    assert method_operation("map_get_by_key_range", "m", "a", "c", KV) == {
        "op": A.OP_MAP_GET_BY_KEY_RANGE,
        "bin": "m",
        "key": "a",
        "range": "c",
        "return_type": KV,
    }
    assert method_operation("map_remove_by_key_range", "m", "a", "c", KV) == {
        "op": A.OP_MAP_REMOVE_BY_KEY_RANGE,
        "bin": "m",
        "key": "a",
        "val": "c",
        "return_type": KV,
    }
    assert method_operation("map_get_by_rank_range", "m", 1, 2, KV)["index"] == 1
    with pytest.raises(ParamError):
        method_operation("map_get_by_key", "m", "k")
    with pytest.raises(ParamError):
        build_cdt_op(method_operation("map_set_policy", "m", None))
