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
    ("policy", "message"),
    [
        ("MAP_UPDATE", "policy must be a dict"),
        ({"map_order": "1"}, "map_order is invalid"),
        ({"map_write_mode": 1.0}, "map_write_mode is invalid"),
        ({"map_order": "1", "map_write_mode": "1"}, "map_write_mode is invalid"),  # 3.0.0 read the mode first
        ({"map_write_flags": "1"}, "map_write_flags is invalid"),
    ],
)
def test_bad_map_policy(policy, message):
    with pytest.raises(ParamError) as caught:
        build_cdt_op({"op": A.OP_MAP_PUT, "bin": "m", "key": "k", "val": 1, "map_policy": policy})
    assert caught.value.msg == message


@pytest.mark.parametrize(
    ("policy", "order", "flags"),
    [
        ({"map_order": 2}, 2, 0),  # any int order goes to the server, which answers
        ({"map_order": True}, 1, 0),
        ({"map_write_mode": 3}, 0, 0),  # an unknown write mode is MAP_UPDATE, as in 3.0.0's C core
    ],
)
def test_map_policy_integers_pass_as_3_0_0_passed_them(policy, order, flags):
    assert read_map_policy(policy) == (order, flags)


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
    # 3.0.0's C core read every preserve-order map as a flat list; only KEY_VALUE results become pairs.
    assert shape.preserved_map_as_list
    assert shape([1, 2]) == ([(1, 2)] if return_type == KV else [1, 2])


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


def test_inverted_key_value_results_stay_flat_as_in_3_0_0():
    # 3.0.0 made pairs only when return_type == MAP_RETURN_KEY_VALUE exactly.
    _op, shape = build_cdt_op(
        {"op": A.OP_MAP_GET_BY_RANK_RANGE, "bin": "m", "index": 0, "val": 1, "return_type": KV | 0x10000}
    )
    assert shape(["x", 1]) == ["x", 1]


def test_other_results_pass_through():
    _op, shape = build_cdt_op(
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "a", "return_type": A.MAP_RETURN_KEY}
    )
    assert shape(["a", 1]) == ["a", 1]
    assert shape({"a": 1}) == {"a": 1}


# ------------------------------------------------------------------------------------------ bad fields


NO_KEY = "Operation requires key parameter"
NO_VAL = "Value should be given"
NO_INDEX = "Operation needs an index value"
NO_RANGE = "Range should be given"
BAD_INDEX = "Index should be an integer"
BAD_COUNT = "Offset should be of int or long type"
RT = "Return type should be an integer"
LIST = "List parameter should be of type list"


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        ({"op": A.OP_MAP_SET_POLICY, "bin": "m"}, "Operation requires map_policy parameter"),
        ({"op": A.OP_MAP_PUT, "bin": "m", "val": 1}, NO_KEY),
        ({"op": A.OP_MAP_PUT, "bin": "m", "key": 1}, NO_VAL),
        ({"op": A.OP_MAP_PUT, "key": 1, "val": 1}, "Bin is not given"),
        ({"op": A.OP_MAP_PUT, "bin": "m", "key": 1, "val": 1, "index": 0}, "Operation does not need an index value"),
        ({"op": A.OP_MAP_PUT_ITEMS, "bin": "m", "val": [("a", 1)]}, "Value of map_put_items should be of type dict"),
        ({"op": A.OP_MAP_PUT_ITEMS, "bin": "m"}, NO_VAL),
        ({"op": A.OP_MAP_DECREMENT, "bin": "m", "val": 1}, NO_KEY),
        ({"op": A.OP_MAP_SIZE, "bin": 1}, "Bin name should be of type string"),
        ({"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "m"}, NO_KEY),
        ({"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "m", "key": "k", "return_type": "1"}, RT),
        ({"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "m", "key": "k", "return_type": 1.0}, RT),
        ({"op": A.OP_MAP_REMOVE_BY_KEY_LIST, "bin": "m", "val": "k"}, LIST),
        ({"op": A.OP_MAP_REMOVE_BY_KEY_RANGE, "bin": "m", "key": "a"}, NO_VAL),
        ({"op": A.OP_MAP_REMOVE_BY_KEY_RANGE, "bin": "m", "val": "a"}, NO_KEY),
        ({"op": A.OP_MAP_REMOVE_BY_VALUE, "bin": "m"}, NO_VAL),
        ({"op": A.OP_MAP_REMOVE_BY_VALUE_LIST, "bin": "m", "val": {1: 2}}, LIST),
        ({"op": A.OP_MAP_REMOVE_BY_VALUE_RANGE, "bin": "m", "val": 1}, NO_RANGE),
        ({"op": A.OP_MAP_REMOVE_BY_INDEX, "bin": "m"}, NO_INDEX),
        ({"op": A.OP_MAP_REMOVE_BY_INDEX_RANGE, "bin": "m", "index": 1}, NO_VAL),
        ({"op": A.OP_MAP_REMOVE_BY_RANK, "bin": "m", "index": "0"}, BAD_INDEX),
        ({"op": A.OP_MAP_REMOVE_BY_RANK_RANGE, "bin": "m", "index": 0, "val": None}, BAD_COUNT),
        ({"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "k", "index": 1}, "Operation does not need an index value"),
        ({"op": A.OP_MAP_GET_BY_KEY_RANGE, "bin": "m", "key": "a", "val": "b"}, NO_RANGE),
        ({"op": A.OP_MAP_GET_BY_VALUE, "bin": "m", "key": "a"}, NO_VAL),
        ({"op": A.OP_MAP_GET_BY_VALUE_RANGE, "bin": "m", "range": 2}, NO_VAL),
        ({"op": A.OP_MAP_GET_BY_INDEX, "bin": "m", "index": 2.0}, BAD_INDEX),
        ({"op": A.OP_MAP_GET_BY_INDEX_RANGE, "bin": "m", "index": 0, "val": "2"}, BAD_COUNT),
        ({"op": A.OP_MAP_GET_BY_RANK, "bin": "m"}, NO_INDEX),
        ({"op": A.OP_MAP_GET_BY_RANK_RANGE, "bin": "m", "val": 2}, NO_INDEX),
        # add_op's order: key before map_policy before range before return_type before index.
        ({"op": A.OP_MAP_GET_BY_KEY_RANGE, "bin": "m", "return_type": "x"}, NO_KEY),
        ({"op": A.OP_MAP_GET_BY_VALUE_RANGE, "bin": "m", "val": 1, "return_type": "x", "map_policy": 1},
         "policy must be a dict"),
        ({"op": A.OP_MAP_GET_BY_VALUE_RANGE, "bin": "m", "val": 1, "return_type": "x"}, NO_RANGE),
        ({"op": A.OP_MAP_GET_BY_RANK, "bin": "m", "return_type": "x"}, RT),
    ],
)
def test_bad_field_is_a_param_error_with_the_3_0_0_message(operation, message):
    with pytest.raises(ParamError) as caught:
        build_cdt_op(operation)
    assert (type(caught.value), caught.value.code, caught.value.msg) == (ParamError, -2, message)


@pytest.mark.parametrize("return_type", [9, 13, 16, 17, 255, -1, 0x10008, A.MAP_RETURN_KEY_VALUE | (1 << 40)])
def test_any_integer_return_type_goes_to_the_server(return_type):
    # 3.0.0 sent whatever integer it got; current servers answer 26 for the ones they do not know.
    op, shape = build_cdt_op({"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "k", "return_type": return_type})
    assert cdt.unpack(op.value) == [97, return_type, "k"]
    assert shape.return_type == return_type


@pytest.mark.parametrize(
    "operation",
    [
        {"op": A.OP_MAP_INCREMENT, "bin": "m", "key": "k", "val": "1"},  # the server answers 4
        {"op": A.OP_MAP_SET_POLICY, "bin": "m", "map_policy": None},  # given: the default policy
        {"op": A.OP_MAP_REMOVE_BY_KEY_RANGE, "bin": "m", "key": "a", "val": "b", "range": "ignored"},
    ],
)
def test_what_3_0_0_let_through(operation):
    assert build_cdt_op(operation)[0].bin_name == "m"


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
    assert cdt.unpack(build_cdt_op(method_operation("map_set_policy", "m", None))[0].value) == [64, 0]
