"""List and map operations against local clusters (1 node and 3 nodes) and the real server: every OP_LIST_* / OP_MAP_* operator
through operate, every list_* / map_* method of the Client, their errors (out-of-range index, wrong bin type,
empty bin), operate / operate_ordered mixing scalar, list and map operations, and the code examples of
spec/aerospike.rst run as written."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

import aerospike
from aerospike import exception
from tests.fixtures.backend import Backend
from tests.unit.test_ops_list import EXAMPLES

A = aerospike
KV = A.MAP_RETURN_KEY_VALUE
LIST = [3, 1, 2, 5, 4]
MAP = {"a": 5, "b": 1, "c": 3, "d": 2, "e": 4}
ABSENT = object()  # the operation puts no entry in operate's bins


pytestmark = pytest.mark.backends("local", "local3", "real")


@pytest.fixture
def client(backend: Backend) -> Iterator[aerospike.Client]:
    connected = backend.client()
    yield connected
    connected.close()


def fresh(client: aerospike.Client, name: str, bins: dict[str, Any]) -> tuple[str, str, str]:
    """A record holding exactly `bins`."""
    key = ("test", "cdt", name)
    try:
        client.remove(key)
    except exception.RecordNotFound:
        pass
    client.put(key, bins)
    return key


def _without(mapping: dict, *keys: Any) -> dict:
    return {key: value for key, value in mapping.items() if key not in keys}


# (operation without its bin, method name and arguments after (key, bin) or None, result in operate's bins,
#  value the method returns, the bin stored afterwards)
LIST_CASES: list[tuple[dict, Any, Any, Any, Any]] = [
    ({"op": A.OP_LIST_APPEND, "val": 9}, ("list_append", 9), 6, 0, [*LIST, 9]),
    ({"op": A.OP_LIST_APPEND_ITEMS, "val": [7, 8]}, ("list_extend", [7, 8]), 7, 0, [*LIST, 7, 8]),
    ({"op": A.OP_LIST_INSERT, "index": 1, "val": "ins"}, ("list_insert", 1, "ins"), 6, 0, [3, "ins", 1, 2, 5, 4]),
    (
        {"op": A.OP_LIST_INSERT_ITEMS, "index": 0, "val": ["a", "b"]},
        ("list_insert_items", 0, ["a", "b"]),
        7,
        0,
        ["a", "b", *LIST],
    ),
    ({"op": A.OP_LIST_INCREMENT, "index": 0, "val": 10}, None, 13, None, [13, 1, 2, 5, 4]),
    ({"op": A.OP_LIST_POP, "index": 0}, ("list_pop", 0), 3, 3, [1, 2, 5, 4]),
    ({"op": A.OP_LIST_POP, "index": -1}, ("list_pop", -1), 4, 4, [3, 1, 2, 5]),
    ({"op": A.OP_LIST_POP_RANGE, "index": 1, "val": 2}, ("list_pop_range", 1, 2), [1, 2], [1, 2], [3, 5, 4]),
    ({"op": A.OP_LIST_REMOVE, "index": 0}, ("list_remove", 0), 1, 0, [1, 2, 5, 4]),
    ({"op": A.OP_LIST_REMOVE_RANGE, "index": 0, "val": 2}, ("list_remove_range", 0, 2), 2, 0, [2, 5, 4]),
    ({"op": A.OP_LIST_CLEAR}, ("list_clear",), ABSENT, 0, []),
    ({"op": A.OP_LIST_SET, "index": 1, "val": 99}, ("list_set", 1, 99), ABSENT, 0, [3, 99, 2, 5, 4]),
    ({"op": A.OP_LIST_SET, "index": 7, "val": "pad"}, ("list_set", 7, "pad"), ABSENT, 0, [*LIST, None, None, "pad"]),
    ({"op": A.OP_LIST_GET, "index": 1}, ("list_get", 1), 1, 1, LIST),
    ({"op": A.OP_LIST_GET, "index": -1}, ("list_get", -1), 4, 4, LIST),
    ({"op": A.OP_LIST_GET_RANGE, "index": 1, "val": 2}, ("list_get_range", 1, 2), [1, 2], [1, 2], LIST),
    ({"op": A.OP_LIST_TRIM, "index": 1, "val": 2}, ("list_trim", 1, 2), 3, 0, [1, 2]),
    ({"op": A.OP_LIST_SIZE}, ("list_size",), 5, 5, LIST),
]

MAP_CASES: list[tuple[dict, Any, Any, Any, Any]] = [
    (
        {"op": A.OP_MAP_SET_POLICY, "map_policy": {"map_order": A.MAP_KEY_ORDERED}},
        ("map_set_policy", {"map_order": A.MAP_KEY_ORDERED}),
        None,
        0,
        MAP,
    ),
    ({"op": A.OP_MAP_PUT, "key": "f", "val": 6}, ("map_put", "f", 6), 6, 0, dict(MAP, f=6)),
    (
        {"op": A.OP_MAP_PUT, "key": "a", "val": 9, "map_policy": {"map_write_mode": A.MAP_UPDATE_ONLY}},
        ("map_put", "a", 9, {"map_write_mode": A.MAP_UPDATE_ONLY}),
        5,
        0,
        dict(MAP, a=9),
    ),
    (
        {"op": A.OP_MAP_PUT_ITEMS, "val": {"x": 10, "y": 20}},
        ("map_put_items", {"x": 10, "y": 20}),
        7,
        0,
        dict(MAP, x=10, y=20),
    ),
    ({"op": A.OP_MAP_INCREMENT, "key": "a", "val": 10}, ("map_increment", "a", 10), 15, 0, dict(MAP, a=15)),
    ({"op": A.OP_MAP_INCREMENT, "key": "new", "val": 1}, ("map_increment", "new", 1), 1, 0, dict(MAP, new=1)),
    ({"op": A.OP_MAP_DECREMENT, "key": "a", "val": 3}, ("map_decrement", "a", 3), 2, 0, dict(MAP, a=2)),
    ({"op": A.OP_MAP_SIZE}, ("map_size",), 5, 5, MAP),
    ({"op": A.OP_MAP_CLEAR}, ("map_clear",), None, 0, {}),
    (
        {"op": A.OP_MAP_REMOVE_BY_KEY, "key": "a", "return_type": A.MAP_RETURN_VALUE},
        ("map_remove_by_key", "a", A.MAP_RETURN_VALUE),
        5,
        5,
        _without(MAP, "a"),
    ),
    (
        {"op": A.OP_MAP_REMOVE_BY_KEY, "key": "zz", "return_type": A.MAP_RETURN_VALUE},
        ("map_remove_by_key", "zz", A.MAP_RETURN_VALUE),
        None,
        None,
        MAP,
    ),
    (
        {"op": A.OP_MAP_REMOVE_BY_KEY_LIST, "val": ["a", "b"], "return_type": KV},
        ("map_remove_by_key_list", ["a", "b"], KV),
        [("a", 5), ("b", 1)],
        [("a", 5), ("b", 1)],
        _without(MAP, "a", "b"),
    ),
    (
        {"op": A.OP_MAP_REMOVE_BY_KEY_RANGE, "key": "b", "val": "d", "return_type": A.MAP_RETURN_KEY},
        ("map_remove_by_key_range", "b", "d", A.MAP_RETURN_KEY),
        ["b", "c"],
        ["b", "c"],
        _without(MAP, "b", "c"),
    ),
    (
        {"op": A.OP_MAP_REMOVE_BY_VALUE, "val": 3, "return_type": A.MAP_RETURN_KEY},
        ("map_remove_by_value", 3, A.MAP_RETURN_KEY),
        ["c"],
        ["c"],
        _without(MAP, "c"),
    ),
    (
        {"op": A.OP_MAP_REMOVE_BY_VALUE_LIST, "val": [1, 2], "return_type": A.MAP_RETURN_COUNT},
        ("map_remove_by_value_list", [1, 2], A.MAP_RETURN_COUNT),
        2,
        2,
        _without(MAP, "b", "d"),
    ),
    (
        {"op": A.OP_MAP_REMOVE_BY_VALUE_RANGE, "val": 2, "range": 4, "return_type": A.MAP_RETURN_VALUE},
        ("map_remove_by_value_range", 2, 4, A.MAP_RETURN_VALUE),
        [3, 2],
        [3, 2],
        _without(MAP, "c", "d"),
    ),
    (
        {"op": A.OP_MAP_REMOVE_BY_INDEX, "index": 0, "return_type": KV},
        ("map_remove_by_index", 0, KV),
        [("a", 5)],
        [("a", 5)],
        _without(MAP, "a"),
    ),
    (
        {"op": A.OP_MAP_REMOVE_BY_INDEX_RANGE, "index": 1, "val": 2, "return_type": A.MAP_RETURN_KEY},
        ("map_remove_by_index_range", 1, 2, A.MAP_RETURN_KEY),
        ["b", "c"],
        ["b", "c"],
        _without(MAP, "b", "c"),
    ),
    (
        {"op": A.OP_MAP_REMOVE_BY_RANK, "index": 0, "return_type": A.MAP_RETURN_KEY},
        ("map_remove_by_rank", 0, A.MAP_RETURN_KEY),
        "b",
        "b",
        _without(MAP, "b"),
    ),
    (
        {"op": A.OP_MAP_REMOVE_BY_RANK_RANGE, "index": 0, "val": 2, "return_type": A.MAP_RETURN_VALUE},
        ("map_remove_by_rank_range", 0, 2, A.MAP_RETURN_VALUE),
        [1, 2],
        [1, 2],
        _without(MAP, "b", "d"),
    ),
    (
        {"op": A.OP_MAP_GET_BY_KEY, "key": "c", "return_type": A.MAP_RETURN_VALUE},
        ("map_get_by_key", "c", A.MAP_RETURN_VALUE),
        3,
        3,
        MAP,
    ),
    (
        {"op": A.OP_MAP_GET_BY_KEY, "key": "c", "return_type": KV},
        ("map_get_by_key", "c", KV),
        [("c", 3)],
        [("c", 3)],
        MAP,
    ),
    (
        {"op": A.OP_MAP_GET_BY_KEY_RANGE, "key": "b", "range": "d", "return_type": KV},
        ("map_get_by_key_range", "b", "d", KV),
        [("b", 1), ("c", 3)],
        [("b", 1), ("c", 3)],
        MAP,
    ),
    (
        {"op": A.OP_MAP_GET_BY_KEY_RANGE, "key": "b", "range": "d", "return_type": A.MAP_RETURN_COUNT},
        ("map_get_by_key_range", "b", "d", A.MAP_RETURN_COUNT),
        2,
        2,
        MAP,
    ),
    (
        {"op": A.OP_MAP_GET_BY_VALUE, "val": 3, "return_type": A.MAP_RETURN_KEY},
        ("map_get_by_value", 3, A.MAP_RETURN_KEY),
        ["c"],
        ["c"],
        MAP,
    ),
    (
        {"op": A.OP_MAP_GET_BY_VALUE_RANGE, "val": 2, "range": 4, "return_type": A.MAP_RETURN_KEY},
        ("map_get_by_value_range", 2, 4, A.MAP_RETURN_KEY),
        ["c", "d"],
        ["c", "d"],
        MAP,
    ),
    (
        {"op": A.OP_MAP_GET_BY_INDEX, "index": -1, "return_type": KV},
        ("map_get_by_index", -1, KV),
        [("e", 4)],
        [("e", 4)],
        MAP,
    ),
    (
        {"op": A.OP_MAP_GET_BY_INDEX_RANGE, "index": 1, "val": 2, "return_type": KV},
        ("map_get_by_index_range", 1, 2, KV),
        [("b", 1), ("c", 3)],
        [("b", 1), ("c", 3)],
        MAP,
    ),
    (
        {"op": A.OP_MAP_GET_BY_RANK, "index": 0, "return_type": A.MAP_RETURN_KEY},
        ("map_get_by_rank", 0, A.MAP_RETURN_KEY),
        "b",
        "b",
        MAP,
    ),
    (
        {"op": A.OP_MAP_GET_BY_RANK_RANGE, "index": 0, "val": 2, "return_type": A.MAP_RETURN_KEY},
        ("map_get_by_rank_range", 0, 2, A.MAP_RETURN_KEY),
        ["b", "d"],
        ["b", "d"],
        MAP,
    ),
]

CASES = [("l", LIST, *case) for case in LIST_CASES] + [("m", MAP, *case) for case in MAP_CASES]
CASE_IDS = [f"{case[2]['op']}-{index}" for index, case in enumerate(CASES)]


def operate_shape(operation: dict, value: Any) -> Any:
    """What operate returns for `operation` given the map_* methods' result: KEY_VALUE results come as a flat
    [k1, v1, ...] list from operate and operate_ordered (client.rst, since 2.1.3), as (k, v) tuples from the
    map_* methods."""
    if operation.get("return_type") == A.MAP_RETURN_KEY_VALUE and isinstance(value, list):
        return [item for pair in value for item in pair]
    return value



@pytest.mark.parametrize(("bin_name", "initial", "operation", "method", "result", "returned", "stored"), CASES,
                         ids=CASE_IDS)
def test_operator_through_operate(
    client: aerospike.Client, bin_name: str, initial: Any, operation: dict, method: Any, result: Any,
    returned: Any, stored: Any,
) -> None:
    key = fresh(client, "op", {bin_name: initial, "other": 1})
    _, meta, bins = client.operate(key, [dict(operation, bin=bin_name)])
    assert bins == ({} if result is ABSENT else {bin_name: operate_shape(operation, result)})
    assert meta["gen"] == (1 if operation["op"] in READ_OPS else 2)
    assert client.get(key)[2] == {bin_name: stored, "other": 1}


@pytest.mark.parametrize(("bin_name", "initial", "operation", "method", "result", "returned", "stored"),
                         [case for case in CASES if case[3] is not None],
                         ids=[case_id for case_id, case in zip(CASE_IDS, CASES) if case[3] is not None])
def test_method(
    client: aerospike.Client, bin_name: str, initial: Any, operation: dict, method: Any, result: Any,
    returned: Any, stored: Any,
) -> None:
    key = fresh(client, "method", {bin_name: initial})
    name, *args = method
    assert getattr(client, name)(key, bin_name, *args) == returned
    assert client.get(key)[2] == {bin_name: stored}


READ_OPS = {
    A.OP_LIST_GET, A.OP_LIST_GET_RANGE, A.OP_LIST_SIZE, A.OP_MAP_SIZE, A.OP_MAP_GET_BY_KEY,
    A.OP_MAP_GET_BY_KEY_RANGE, A.OP_MAP_GET_BY_VALUE, A.OP_MAP_GET_BY_VALUE_RANGE, A.OP_MAP_GET_BY_INDEX,
    A.OP_MAP_GET_BY_INDEX_RANGE, A.OP_MAP_GET_BY_RANK, A.OP_MAP_GET_BY_RANK_RANGE,
}


# ------------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(("bin_name", "initial", "operation", "method", "result", "returned", "stored"), CASES,
                         ids=CASE_IDS)
def test_operator_on_a_bin_of_another_type(
    client: aerospike.Client, bin_name: str, initial: Any, operation: dict, method: Any, result: Any,
    returned: Any, stored: Any,
) -> None:
    # A list operation on a map bin, a map operation on a list bin: the server refuses, the bin is unchanged.
    other_type = MAP if bin_name == "l" else LIST
    key = fresh(client, "type", {bin_name: other_type, "s": "text"})
    with pytest.raises(exception.BinIncompatibleType):
        client.operate(key, [dict(operation, bin=bin_name)])
    with pytest.raises(exception.BinIncompatibleType):
        client.operate(key, [dict(operation, bin="s")])
    if method is not None:
        name, *args = method
        with pytest.raises(exception.BinIncompatibleType):
            getattr(client, name)(key, "s", *args)
    assert client.get(key)[2] == {bin_name: other_type, "s": "text"}


OUT_OF_RANGE = [
    ("list_get", {"op": A.OP_LIST_GET, "bin": "l", "index": 99}),
    ("list_pop", {"op": A.OP_LIST_POP, "bin": "l", "index": 99}),
    ("list_remove", {"op": A.OP_LIST_REMOVE, "bin": "l", "index": 99}),
    ("list_get", {"op": A.OP_LIST_GET, "bin": "l", "index": -6}),
    ("map_get_by_index", {"op": A.OP_MAP_GET_BY_INDEX, "bin": "m", "index": 99, "return_type": KV}),
    ("map_remove_by_index", {"op": A.OP_MAP_REMOVE_BY_INDEX, "bin": "m", "index": 99, "return_type": KV}),
    ("map_get_by_rank", {"op": A.OP_MAP_GET_BY_RANK, "bin": "m", "index": 99, "return_type": KV}),
    ("map_remove_by_rank", {"op": A.OP_MAP_REMOVE_BY_RANK, "bin": "m", "index": 99, "return_type": KV}),
]


@pytest.mark.parametrize(("method", "operation"), OUT_OF_RANGE, ids=[f"{m}-{o['index']}" for m, o in OUT_OF_RANGE])
def test_out_of_range_index_is_not_applicable(client: aerospike.Client, method: str, operation: dict) -> None:
    key = fresh(client, "range", {"l": LIST, "m": MAP})
    with pytest.raises(exception.OpNotApplicable) as raised:
        client.operate(key, [operation])
    assert raised.value.code == 26
    args = [operation["index"]] + ([operation["return_type"]] if "return_type" in operation else [])
    with pytest.raises(exception.OpNotApplicable):
        getattr(client, method)(key, operation["bin"], *args)
    assert client.get(key)[2] == {"l": LIST, "m": MAP}


def test_out_of_range_ranges_and_inserts(client: aerospike.Client) -> None:
    key = fresh(client, "range2", {"l": [1, 2, 3], "m": MAP})
    assert client.list_get_range(key, "l", 99, 2) == []
    assert client.list_pop_range(key, "l", 99, 2) == []
    assert client.map_get_by_index_range(key, "m", 99, 2, A.MAP_RETURN_KEY) == []
    # Inserting or setting past the end pads the list with None.
    assert client.list_insert(key, "l", 5, "x") == 0
    assert client.list_get(key, "l", 5) == "x"
    assert client.get(key)[2]["l"] == [1, 2, 3, None, None, "x"]


def test_empty_bin(client: aerospike.Client) -> None:
    key = fresh(client, "empty", {"other": 1})
    # Reads of a missing bin: list reads return nothing, map reads (one reply op per op) return None.
    assert client.operate(key, [{"op": A.OP_LIST_SIZE, "bin": "l"}])[2] == {}
    assert client.operate(key, [{"op": A.OP_LIST_GET_RANGE, "bin": "l", "index": 0, "val": 2}])[2] == {}
    assert client.operate(key, [{"op": A.OP_MAP_SIZE, "bin": "m"}])[2] == {"m": None}
    assert client.list_size(key, "l") == 0
    assert client.map_size(key, "m") == 0
    assert client.list_get(key, "l", 0) is None
    assert client.map_get_by_key(key, "m", "a", A.MAP_RETURN_VALUE) is None
    assert client.map_get_by_key_range(key, "m", "a", "z", KV) is None
    assert client.map_remove_by_key(key, "m", "a", A.MAP_RETURN_VALUE) is None
    # List modifies on a missing bin succeed with no result (3.0.0 returned None / 0 / []).
    assert client.list_pop(key, "l", 0) is None
    assert client.list_pop_range(key, "l", 0, 2) is None
    assert client.list_get_range(key, "l", 0, 2) == []
    assert client.list_remove(key, "l", 0) == 0
    assert client.list_trim(key, "l", 0, 1) == 0
    # Writes create the bin.
    assert client.list_append(key, "l", 1) == 0
    assert client.map_put(key, "m", "k", "v") == 0
    assert client.get(key)[2] == {"other": 1, "l": [1], "m": {"k": "v"}}


def test_missing_record(client: aerospike.Client) -> None:
    key = ("test", "cdt", "never-written")
    with pytest.raises(exception.RecordNotFound):
        client.list_size(key, "l")
    with pytest.raises(exception.RecordNotFound):
        client.map_get_by_key(key, "m", "a", A.MAP_RETURN_VALUE)
    assert client.list_append(("test", "cdt", "created-by-append"), "l", "x") == 0
    assert client.get(("test", "cdt", "created-by-append"))[2] == {"l": ["x"]}


def test_method_argument_errors(client: aerospike.Client) -> None:
    key = fresh(client, "params", {"l": LIST, "m": MAP})
    # 3.0.0 parsed indexes and return types as C longs: TypeError.
    with pytest.raises(TypeError, match="index"):
        client.list_get(key, "l", "one")
    with pytest.raises(TypeError, match="return_type"):
        client.map_get_by_key(key, "m", "a", "VALUE")
    with pytest.raises(exception.ParamError, match="policy must be a dict"):
        client.map_set_policy(key, "m", "KEY_ORDERED")
    with pytest.raises(exception.ParamError):
        client.list_append(key, 5, 1)
    with pytest.raises(exception.ParamError):
        client.list_append(("test", "cdt"), "l", 1)
    with pytest.raises(exception.ParamError):
        client.list_append(key, "l", 1, meta="not a dict")
    assert client.get(key)[2] == {"l": LIST, "m": MAP}


def test_meta_and_policy_are_applied(client: aerospike.Client) -> None:
    key = fresh(client, "meta", {"l": [1]})
    assert client.list_append(key, "l", 2, {"ttl": 300}, {"total_timeout": 2000}) == 0
    meta = client.exists(key)[1]
    assert 290 <= meta["ttl"] <= 300 and meta["gen"] == 2
    assert client.map_put(key, "m", "a", 1, None, {"ttl": 600}) == 0
    assert 590 <= client.exists(key)[1]["ttl"] <= 600
    # Generation check through the operate policy.
    with pytest.raises(exception.RecordGenerationError):
        client.list_append(key, "l", 3, {"gen": 1}, {"gen": A.POLICY_GEN_EQ})
    assert client.list_append(key, "l", 3, {"gen": 3}, {"gen": A.POLICY_GEN_EQ}) == 0
    assert client.get(key)[2]["l"] == [1, 2, 3]


# ------------------------------------------------------------------------------------------------ mixing


def test_operate_mixes_scalar_list_and_map_operations_on_several_bins(client: aerospike.Client) -> None:
    key = fresh(client, "mixed", {"n": 1, "s": "mid", "l": LIST, "m": MAP})
    operations = [
        {"op": A.OPERATOR_INCR, "bin": "n", "val": 5},
        {"op": A.OP_LIST_APPEND, "bin": "l", "val": 6},
        {"op": A.OPERATOR_WRITE, "bin": "w", "val": "new"},
        {"op": A.OP_MAP_PUT, "bin": "m", "key": "f", "val": 6},
        {"op": A.OPERATOR_APPEND, "bin": "s", "val": "-end"},
        {"op": A.OP_MAP_GET_BY_KEY_RANGE, "bin": "m", "key": "a", "range": "c", "return_type": KV},
        {"op": A.OPERATOR_READ, "bin": "n"},
        {"op": A.OP_LIST_GET_RANGE, "bin": "l", "index": 4, "val": 2},
    ]
    _, meta, bins = client.operate(key, operations, {"ttl": 1000})
    # Scalar writes report nothing; a later operation on a bin wins.
    assert bins == {"l": [4, 6], "m": ["a", 5, "b", 1], "n": 6}
    assert 990 <= meta["ttl"] <= 1000
    assert client.get(key)[2] == {
        "n": 6, "s": "mid-end", "l": [*LIST, 6], "m": dict(MAP, f=6), "w": "new",
    }
    _, _, ordered = client.operate_ordered(key, operations)
    assert ordered == [
        ("l", 7),
        ("m", 6),  # 'f' was already there: the size stays 6
        ("m", ["a", 5, "b", 1]),
        ("n", 11),
        ("l", [4, 6]),
    ]


def test_operate_ordered_without_map_operations_pairs_by_bin(client: aerospike.Client) -> None:
    key = fresh(client, "ordered", {"l": LIST, "k": [1]})
    operations = [
        {"op": A.OP_LIST_APPEND, "bin": "l", "val": 7},
        {"op": A.OP_LIST_SET, "bin": "k", "index": 0, "val": 9},  # no result
        {"op": A.OP_LIST_SIZE, "bin": "l"},
        {"op": A.OPERATOR_WRITE, "bin": "l2", "val": 1},
        {"op": A.OP_LIST_GET_RANGE, "bin": "l", "index": 0, "val": 3},
        {"op": A.OP_LIST_GET, "bin": "k", "index": 0},
    ]
    _, _, ordered = client.operate_ordered(key, operations)
    assert ordered == [("l", 6), ("l", 6), ("l", [3, 1, 2]), ("k", 9)]
    assert client.operate(key, [{"op": A.OP_LIST_SIZE, "bin": "l"}, {"op": A.OP_LIST_GET, "bin": "k", "index": 0}])[
        2
    ] == {"l": 6, "k": 9}


def test_several_map_operations_on_one_bin(client: aerospike.Client) -> None:
    key = ("test", "cdt", "fresh-map")
    try:
        client.remove(key)
    except exception.RecordNotFound:
        pass
    operations = [
        {"op": A.OP_MAP_PUT_ITEMS, "bin": "m", "val": {"k": 1, "j": 2}},
        {"op": A.OP_MAP_SIZE, "bin": "m"},
        {"op": A.OP_MAP_GET_BY_RANK, "bin": "m", "index": 0, "return_type": A.MAP_RETURN_KEY},
        {"op": A.OP_MAP_CLEAR, "bin": "m2"},
    ]
    _, meta, bins = client.operate(key, operations)
    assert bins == {"m": "k", "m2": None} and meta["gen"] == 1
    _, _, ordered = client.operate_ordered(key, operations)
    assert ordered == [("m", 2), ("m", 2), ("m", "k"), ("m2", None)]


def test_operate_errors_leave_the_record_unchanged(client: aerospike.Client) -> None:
    key = fresh(client, "atomic", {"l": LIST, "m": MAP})
    with pytest.raises(exception.OpNotApplicable):
        client.operate(key, [{"op": A.OP_LIST_APPEND, "bin": "l", "val": 1},
                             {"op": A.OP_MAP_GET_BY_INDEX, "bin": "m", "index": 50, "return_type": KV}])
    assert client.get(key)[2] == {"l": LIST, "m": MAP}
    with pytest.raises(exception.ParamError):
        client.operate(key, [{"op": A.OPERATOR_READ, "bin": "l"}, {"op": A.OP_LIST_GET, "bin": "l"}])


# ------------------------------------------------------------------------------------------------ spec examples


@pytest.mark.parametrize(("name", "code"), EXAMPLES, ids=[name for name, _code in EXAMPLES])
@pytest.mark.backends("local", "real")
def test_spec_example_runs(backend: Backend, name: str, code: str) -> None:
    # The examples as written (the spec spells the module "Aeorspike" / "Aerospike" in one of them), on bins
    # holding a list of 5 ints ("events", "bin_name") and a map ("my_map", "scores") keyed like the examples.
    operation = eval(code.strip(), {"aerospike": A, "Aerospike": A, "Aeorspike": A})
    client = backend.client()
    try:
        key = fresh(client, "example", {"events": _EVENTS, "bin_name": [1, 2, 3], "my_map": _MY_MAP, "scores": {"x": 1}})
        _, _, bins = client.operate(key, [operation])
        after = client.get(key)[2]
    finally:
        client.close()
    assert operation["op"] == getattr(A, name)
    assert set(bins) <= {operation["bin"]}
    expected_result, expected_after = EXPECTED_EXAMPLE_BINS[name]
    assert (operate_shape(operation, expected_result), expected_after) == (
        bins.get(operation["bin"], ABSENT),
        after.get(operation["bin"]),
    )


_EVENTS = [10, 20, 30, 40, 50, 60]
_MY_MAP = {"age": 97, "name": "bubba", "i": 1, "rank": 98, "serial": 99, **{f"k{n}": n for n in range(12)}}

# name -> (result in operate's bins, the bin afterwards)
EXPECTED_EXAMPLE_BINS: dict[str, tuple[Any, Any]] = {
    "OP_LIST_APPEND": (7, [*_EVENTS, 1234]),
    "OP_LIST_APPEND_ITEMS": (8, [*_EVENTS, 123, 456]),
    "OP_LIST_INSERT": (7, [10, 20, 1234, 30, 40, 50, 60]),
    "OP_LIST_INSERT_ITEMS": (8, [10, 20, 123, 456, 30, 40, 50, 60]),
    "OP_LIST_INCREMENT": (8, [1, 2, 8]),
    "OP_LIST_POP": (30, [10, 20, 40, 50, 60]),
    "OP_LIST_POP_RANGE": ([30, 40, 50], [10, 20, 60]),
    "OP_LIST_REMOVE": (1, [10, 20, 40, 50, 60]),
    "OP_LIST_REMOVE_RANGE": (3, [10, 20, 60]),
    "OP_LIST_CLEAR": (ABSENT, []),
    "OP_LIST_SET": (ABSENT, [10, 20, "latest event at index 2", 40, 50, 60]),
    "OP_LIST_GET": (30, _EVENTS),
    "OP_LIST_GET_RANGE": ([30, 40, 50], _EVENTS),
    "OP_LIST_TRIM": (3, [30, 40, 50]),
    "OP_LIST_SIZE": (6, _EVENTS),
    "OP_MAP_SET_POLICY": (None, {"x": 1}),
    "OP_MAP_PUT": (len(_MY_MAP), _MY_MAP),
    "OP_MAP_PUT_ITEMS": (len(_MY_MAP) + 1, dict(_MY_MAP, occupation="dancer")),
    "OP_MAP_INCREMENT": (98, dict(_MY_MAP, age=98)),
    "OP_MAP_DECREMENT": (96, dict(_MY_MAP, age=96)),
    "OP_MAP_SIZE": (len(_MY_MAP), _MY_MAP),
    "OP_MAP_CLEAR": (None, {}),
    "OP_MAP_REMOVE_BY_KEY": (97, _without(_MY_MAP, "age")),
    # No return_type: MAP_RETURN_NONE.
    "OP_MAP_REMOVE_BY_KEY_LIST": (None, _without(_MY_MAP, "name", "rank", "serial")),
    "OP_MAP_REMOVE_BY_KEY_RANGE": ([("i", 1)], _without(_MY_MAP, "i")),
    "OP_MAP_REMOVE_BY_VALUE": (["age"], _without(_MY_MAP, "age")),
    "OP_MAP_REMOVE_BY_VALUE_LIST": (["age", "rank", "serial"], _without(_MY_MAP, "age", "rank", "serial")),
    "OP_MAP_REMOVE_BY_VALUE_RANGE": (["age", "rank", "serial"], _without(_MY_MAP, "age", "rank", "serial")),
    # Key order: age, i, k0, k1, k10, k11, k2, ... name, rank, serial.
    "OP_MAP_REMOVE_BY_INDEX": ([("age", 97)], _without(_MY_MAP, "age")),
    "OP_MAP_REMOVE_BY_INDEX_RANGE": ([("age", 97), ("i", 1)], _without(_MY_MAP, "age", "i")),
    # Value rank 10 among 0..11, 1, 97, 98, 99 and "bubba": the value 9 (k9); no return_type.
    "OP_MAP_REMOVE_BY_RANK": (None, _without(_MY_MAP, "k9")),
    "OP_MAP_REMOVE_BY_RANK_RANGE": ([("k9", 9), ("k10", 10)], _without(_MY_MAP, "k9", "k10")),
    "OP_MAP_GET_BY_KEY": ([("age", 97)], _MY_MAP),
    "OP_MAP_GET_BY_KEY_RANGE": ([("i", 1)], _MY_MAP),
    "OP_MAP_GET_BY_VALUE": (["age"], _MY_MAP),
    "OP_MAP_GET_BY_VALUE_RANGE": (["age", "rank", "serial"], _MY_MAP),
    "OP_MAP_GET_BY_INDEX": ([("age", 97)], _MY_MAP),
    "OP_MAP_GET_BY_INDEX_RANGE": ([("age", 97), ("i", 1)], _MY_MAP),
    "OP_MAP_GET_BY_RANK": (None, _MY_MAP),
    "OP_MAP_GET_BY_RANK_RANGE": ([("k9", 9), ("k10", 10)], _MY_MAP),
}
