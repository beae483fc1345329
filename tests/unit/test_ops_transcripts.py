"""List/map operations against the wire transcripts: for each exchange whose note runs the equivalent 19.3.0
helper, the 3.0.0-style dict must build byte-identical op(s), and the recorded reply must decode into the
spec's result shape."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike
from aerospike.ops import build_cdt_op
from aerospike.values import ValueCodec
from tests.support import transcripts as t

A = aerospike
L = "05-list-ops"
M = "06-map-ops"
KV = A.MAP_RETURN_KEY_VALUE

# (step, fragment of the 19.3.0 source, 3.0.0-style operation dict, expected result of that op)
CASES: list[tuple[str, str, dict, Any]] = [
    (L, "lo.list_append('l', 9)", {"op": A.OP_LIST_APPEND, "bin": "l", "val": 9}, 6),
    (L, "lo.list_append('l', 'str')", {"op": A.OP_LIST_APPEND, "bin": "l", "val": "str"}, 6),
    (L, "lo.list_append_items('l', [7, 8])]", {"op": A.OP_LIST_APPEND_ITEMS, "bin": "l", "val": [7, 8]}, 7),
    (L, "lo.list_insert('l', 1, 'ins')", {"op": A.OP_LIST_INSERT, "bin": "l", "index": 1, "val": "ins"}, 6),
    (L, "lo.list_insert('l', 8, 'far')", {"op": A.OP_LIST_INSERT, "bin": "l", "index": 8, "val": "far"}, 9),
    (
        L,
        "lo.list_insert_items('l', 0, ['a', 'b'])",
        {"op": A.OP_LIST_INSERT_ITEMS, "bin": "l", "index": 0, "val": ["a", "b"]},
        7,
    ),
    (L, "lo.list_increment('l', 0, 10)", {"op": A.OP_LIST_INCREMENT, "bin": "l", "index": 0, "val": 10}, 13),
    (L, "lo.list_pop('l', 0)", {"op": A.OP_LIST_POP, "bin": "l", "index": 0}, 3),
    (L, "lo.list_pop('l', -1)", {"op": A.OP_LIST_POP, "bin": "l", "index": -1}, 4),
    (
        L,
        "lo.list_pop_range('l', 1, 2)",
        {"op": A.OP_LIST_POP_RANGE, "bin": "l", "index": 1, "val": 2},
        [1, 2],
    ),
    (L, "lo.list_remove('l', 0)", {"op": A.OP_LIST_REMOVE, "bin": "l", "index": 0}, 1),
    (
        L,
        "lo.list_remove_range('l', 0, 2)",
        {"op": A.OP_LIST_REMOVE_RANGE, "bin": "l", "index": 0, "val": 2},
        2,
    ),
    (L, "lo.list_clear('l')", {"op": A.OP_LIST_CLEAR, "bin": "l"}, None),
    (L, "lo.list_set('l', 1, 99)", {"op": A.OP_LIST_SET, "bin": "l", "index": 1, "val": 99}, None),
    (L, "lo.list_set('l', 7, 'pad')", {"op": A.OP_LIST_SET, "bin": "l", "index": 7, "val": "pad"}, None),
    (L, "lo.list_trim('l', 1, 2)", {"op": A.OP_LIST_TRIM, "bin": "l", "index": 1, "val": 2}, 3),
    (L, "lo.list_get('l', 1)", {"op": A.OP_LIST_GET, "bin": "l", "index": 1}, 1),
    (L, "lo.list_get('l', -1)", {"op": A.OP_LIST_GET, "bin": "l", "index": -1}, 4),
    (
        L,
        "lo.list_get_range('l', 1, 2)",
        {"op": A.OP_LIST_GET_RANGE, "bin": "l", "index": 1, "val": 2},
        [1, 2],
    ),
    (L, "lo.list_size('l')])", {"op": A.OP_LIST_SIZE, "bin": "l"}, 5),
    (L, "lo.list_size('nosuchbin')", {"op": A.OP_LIST_SIZE, "bin": "nosuchbin"}, None),
    (L, "lo.list_append('newbin', 1)", {"op": A.OP_LIST_APPEND, "bin": "newbin", "val": 1}, 1),
    (L, "lo.list_get('l', 99)", {"op": A.OP_LIST_GET, "bin": "l", "index": 99}, None),
    (
        M,
        "mo.map_set_policy('m', {'map_order': aerospike.MAP_UNORDERED})",
        {"op": A.OP_MAP_SET_POLICY, "bin": "m", "map_policy": {"map_order": A.MAP_UNORDERED}},
        None,
    ),
    (
        M,
        "mo.map_set_policy('m', {'map_order': aerospike.MAP_KEY_ORDERED})",
        {"op": A.OP_MAP_SET_POLICY, "bin": "m", "map_policy": {"map_order": A.MAP_KEY_ORDERED}},
        None,
    ),
    (
        M,
        "mo.map_set_policy('m', {'map_order': aerospike.MAP_KEY_VALUE_ORDERED})",
        {
            "op": A.OP_MAP_SET_POLICY,
            "bin": "m",
            "map_policy": {"map_write_mode": A.MAP_UPDATE, "map_order": A.MAP_KEY_VALUE_ORDERED},
        },
        None,
    ),
    (M, "mo.map_put('m', 'f', 6)", {"op": A.OP_MAP_PUT, "bin": "m", "key": "f", "val": 6}, 6),
    (
        M,
        "mo.map_put('m', 'a', 50)",
        {
            "op": A.OP_MAP_PUT,
            "bin": "m",
            "key": "a",
            "val": 50,
            "map_policy": {"map_write_mode": A.MAP_UPDATE},
        },
        5,
    ),
    (
        M,
        "mo.map_put('m', 'a', 9, map_policy={'map_write_flags': aerospike.MAP_WRITE_FLAGS_CREATE_ONLY})",
        {
            "op": A.OP_MAP_PUT,
            "bin": "m",
            "key": "a",
            "val": 9,
            "map_policy": {"map_write_mode": A.MAP_CREATE_ONLY},
        },
        None,
    ),
    (
        M,
        "mo.map_put('m', 'z', 9, map_policy={'map_write_flags': aerospike.MAP_WRITE_FLAGS_UPDATE_ONLY})",
        {
            "op": A.OP_MAP_PUT,
            "bin": "m",
            "key": "z",
            "val": 9,
            "map_policy": {"map_write_mode": A.MAP_UPDATE_ONLY},
        },
        None,
    ),
    (
        M,
        "| aerospike.MAP_WRITE_FLAGS_NO_FAIL})]",
        {
            "op": A.OP_MAP_PUT,
            "bin": "m",
            "key": "a",
            "val": 9,
            "map_policy": {"map_write_mode": A.MAP_CREATE_ONLY, "map_write_flags": 4},
        },
        5,
    ),
    (
        M,
        "mo.map_put('m2', 'k', 1, map_policy={'map_order': aerospike.MAP_KEY_ORDERED})",
        {
            "op": A.OP_MAP_PUT,
            "bin": "m2",
            "key": "k",
            "val": 1,
            "map_policy": {"map_order": A.MAP_KEY_ORDERED},
        },
        1,
    ),
    (
        M,
        "mo.map_put_items('m', {'x': 10, 'y': 20})",
        {"op": A.OP_MAP_PUT_ITEMS, "bin": "m", "val": {"y": 20, "x": 10}},
        7,
    ),
    (M, "mo.map_increment('m', 'a', 10)", {"op": A.OP_MAP_INCREMENT, "bin": "m", "key": "a", "val": 10}, 15),
    (M, "mo.map_increment('m', 'new', 1)", {"op": A.OP_MAP_INCREMENT, "bin": "m", "key": "new", "val": 1}, 1),
    (M, "mo.map_increment('m', 'a', 1.5)", {"op": A.OP_MAP_INCREMENT, "bin": "m", "key": "a", "val": 1.5}, 6),
    (M, "mo.map_decrement('m', 'a', 3)", {"op": A.OP_MAP_DECREMENT, "bin": "m", "key": "a", "val": 3}, 2),
    (M, "mo.map_size('m')])", {"op": A.OP_MAP_SIZE, "bin": "m"}, 5),
    (M, "mo.map_size('nosuchbin')", {"op": A.OP_MAP_SIZE, "bin": "nosuchbin"}, None),
    (M, "mo.map_clear('m')", {"op": A.OP_MAP_CLEAR, "bin": "m"}, None),
    (
        M,
        "mo.map_remove_by_key('m', 'a', aerospike.MAP_RETURN_VALUE)",
        {"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "m", "key": "a", "return_type": A.MAP_RETURN_VALUE},
        5,
    ),
    (
        M,
        "mo.map_remove_by_key('m', 'zz', aerospike.MAP_RETURN_VALUE)",
        {"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "m", "key": "zz", "return_type": A.MAP_RETURN_VALUE},
        None,
    ),
    (
        M,
        "mo.map_remove_by_key('m', 'b', aerospike.MAP_RETURN_NONE)",
        {"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "m", "key": "b"},
        None,
    ),
    (
        M,
        "mo.map_remove_by_key_list('m', ['a', 'b'], aerospike.MAP_RETURN_KEY_VALUE)",
        {"op": A.OP_MAP_REMOVE_BY_KEY_LIST, "bin": "m", "val": ["a", "b"], "return_type": KV},
        [("a", 5), ("b", 1)],
    ),
    (
        M,
        "mo.map_remove_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_KEY)",
        {
            "op": A.OP_MAP_REMOVE_BY_KEY_RANGE,
            "bin": "m",
            "key": "b",
            "val": "d",
            "return_type": A.MAP_RETURN_KEY,
        },
        ["b", "c"],
    ),
    (
        M,
        "mo.map_remove_by_value('m', 3, aerospike.MAP_RETURN_KEY)",
        {"op": A.OP_MAP_REMOVE_BY_VALUE, "bin": "m", "val": 3, "return_type": A.MAP_RETURN_KEY},
        ["c"],
    ),
    (
        M,
        "mo.map_remove_by_value_list('m', [1, 2], aerospike.MAP_RETURN_COUNT)",
        {"op": A.OP_MAP_REMOVE_BY_VALUE_LIST, "bin": "m", "val": [1, 2], "return_type": A.MAP_RETURN_COUNT},
        2,
    ),
    (
        M,
        "mo.map_remove_by_value_range('m', 2, 4, aerospike.MAP_RETURN_VALUE)",
        {
            "op": A.OP_MAP_REMOVE_BY_VALUE_RANGE,
            "bin": "m",
            "val": 2,
            "range": 4,
            "return_type": A.MAP_RETURN_VALUE,
        },
        [3, 2],
    ),
    (
        M,
        "mo.map_remove_by_index('m', 0, aerospike.MAP_RETURN_KEY_VALUE)",
        {"op": A.OP_MAP_REMOVE_BY_INDEX, "bin": "m", "index": 0, "return_type": KV},
        [("a", 5)],
    ),
    (
        M,
        "mo.map_remove_by_index_range('m', 1, 2, aerospike.MAP_RETURN_KEY)",
        {
            "op": A.OP_MAP_REMOVE_BY_INDEX_RANGE,
            "bin": "m",
            "index": 1,
            "val": 2,
            "return_type": A.MAP_RETURN_KEY,
        },
        ["b", "c"],
    ),
    (
        M,
        "mo.map_remove_by_rank('m', 0, aerospike.MAP_RETURN_KEY)",
        {"op": A.OP_MAP_REMOVE_BY_RANK, "bin": "m", "index": 0, "return_type": A.MAP_RETURN_KEY},
        "b",
    ),
    (
        M,
        "mo.map_remove_by_rank_range('m', 0, 2, aerospike.MAP_RETURN_VALUE)",
        {
            "op": A.OP_MAP_REMOVE_BY_RANK_RANGE,
            "bin": "m",
            "index": 0,
            "val": 2,
            "return_type": A.MAP_RETURN_VALUE,
        },
        [1, 2],
    ),
    (
        M,
        "mo.map_remove_by_rank_range('m', 0, 2, aerospike.MAP_RETURN_REVERSE_RANK)",
        {
            "op": A.OP_MAP_REMOVE_BY_RANK_RANGE,
            "bin": "m",
            "index": 0,
            "val": 2,
            "return_type": A.MAP_RETURN_REVERSE_RANK,
        },
        [3, 4],
    ),
    (
        M,
        "mo.map_get_by_key('m', 'c', aerospike.MAP_RETURN_VALUE)",
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "c", "return_type": A.MAP_RETURN_VALUE},
        3,
    ),
    (
        M,
        "mo.map_get_by_key('m', 'c', aerospike.MAP_RETURN_KEY_VALUE)",
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "c", "return_type": KV},
        [("c", 3)],
    ),
    (
        M,
        "mo.map_get_by_key('m', 'c', aerospike.MAP_RETURN_INDEX)",
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "c", "return_type": A.MAP_RETURN_INDEX},
        2,
    ),
    (
        M,
        "mo.map_get_by_key('m', 'c', aerospike.MAP_RETURN_RANK)",
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "c", "return_type": A.MAP_RETURN_RANK},
        2,
    ),
    (
        M,
        "mo.map_get_by_key('m', 'c', aerospike.MAP_RETURN_NONE)",
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "c", "return_type": A.MAP_RETURN_NONE},
        None,
    ),
    (
        M,
        "mo.map_get_by_key('m', 'c', aerospike.MAP_RETURN_COUNT)",
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "c", "return_type": A.MAP_RETURN_COUNT},
        1,
    ),
    (
        M,
        "mo.map_get_by_key('m', 'c', aerospike.MAP_RETURN_EXISTS)",
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "c", "return_type": 13},
        True,
    ),
    (
        M,
        "mo.map_get_by_key('m', 'zz', aerospike.MAP_RETURN_VALUE)",
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "zz", "return_type": A.MAP_RETURN_VALUE},
        None,
    ),
    (
        M,
        "mo.map_get_by_key('im', -1, aerospike.MAP_RETURN_VALUE)",
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "im", "key": -1, "return_type": A.MAP_RETURN_VALUE},
        "n",
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_NONE)",
        {"op": A.OP_MAP_GET_BY_KEY_RANGE, "bin": "m", "key": "b", "range": "d"},
        None,
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_INDEX)",
        {
            "op": A.OP_MAP_GET_BY_KEY_RANGE,
            "bin": "m",
            "key": "b",
            "range": "d",
            "return_type": A.MAP_RETURN_INDEX,
        },
        [1, 2],
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_REVERSE_INDEX)",
        {
            "op": A.OP_MAP_GET_BY_KEY_RANGE,
            "bin": "m",
            "key": "b",
            "range": "d",
            "return_type": A.MAP_RETURN_REVERSE_INDEX,
        },
        [2, 3],
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_RANK)",
        {
            "op": A.OP_MAP_GET_BY_KEY_RANGE,
            "bin": "m",
            "key": "b",
            "range": "d",
            "return_type": A.MAP_RETURN_RANK,
        },
        [0, 2],
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_REVERSE_RANK)",
        {
            "op": A.OP_MAP_GET_BY_KEY_RANGE,
            "bin": "m",
            "key": "b",
            "range": "d",
            "return_type": A.MAP_RETURN_REVERSE_RANK,
        },
        [4, 2],
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_COUNT)",
        {
            "op": A.OP_MAP_GET_BY_KEY_RANGE,
            "bin": "m",
            "key": "b",
            "range": "d",
            "return_type": A.MAP_RETURN_COUNT,
        },
        2,
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_KEY)]",
        {
            "op": A.OP_MAP_GET_BY_KEY_RANGE,
            "bin": "m",
            "key": "b",
            "range": "d",
            "return_type": A.MAP_RETURN_KEY,
        },
        ["b", "c"],
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_VALUE)",
        {
            "op": A.OP_MAP_GET_BY_KEY_RANGE,
            "bin": "m",
            "key": "b",
            "range": "d",
            "return_type": A.MAP_RETURN_VALUE,
        },
        [1, 3],
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_KEY_VALUE)",
        {"op": A.OP_MAP_GET_BY_KEY_RANGE, "bin": "m", "key": "b", "range": "d", "return_type": KV},
        [("b", 1), ("c", 3)],
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_ORDERED_MAP)",
        {"op": A.OP_MAP_GET_BY_KEY_RANGE, "bin": "m", "key": "b", "range": "d", "return_type": 17},
        {"b": 1, "c": 3},
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'b', 'd', aerospike.MAP_RETURN_KEY, inverted=True)",
        {
            "op": A.OP_MAP_GET_BY_KEY_RANGE,
            "bin": "m",
            "key": "b",
            "range": "d",
            "return_type": A.MAP_RETURN_KEY | 0x10000,
        },
        ["a", "d", "e"],
    ),
    (
        M,
        "mo.map_get_by_key_range('m', 'c', None, aerospike.MAP_RETURN_KEY)",
        {
            "op": A.OP_MAP_GET_BY_KEY_RANGE,
            "bin": "m",
            "key": "c",
            "range": None,
            "return_type": A.MAP_RETURN_KEY,
        },
        [],
    ),
    (
        M,
        "mo.map_get_by_key_range('im', 1, 5, aerospike.MAP_RETURN_KEY_VALUE)",
        {"op": A.OP_MAP_GET_BY_KEY_RANGE, "bin": "im", "key": 1, "range": 5, "return_type": KV},
        [(1, "a"), (2, "b")],
    ),
    (
        M,
        "mo.map_get_by_value('m', 3, aerospike.MAP_RETURN_KEY)",
        {"op": A.OP_MAP_GET_BY_VALUE, "bin": "m", "val": 3, "return_type": A.MAP_RETURN_KEY},
        ["c"],
    ),
    (
        M,
        "mo.map_get_by_value_range('m', 2, 4, aerospike.MAP_RETURN_KEY)]",
        {
            "op": A.OP_MAP_GET_BY_VALUE_RANGE,
            "bin": "m",
            "val": 2,
            "range": 4,
            "return_type": A.MAP_RETURN_KEY,
        },
        ["c", "d"],
    ),
    (
        M,
        "mo.map_get_by_value_range('m', 2, 4, aerospike.MAP_RETURN_KEY_VALUE)",
        {"op": A.OP_MAP_GET_BY_VALUE_RANGE, "bin": "m", "val": 2, "range": 4, "return_type": KV},
        [("c", 3), ("d", 2)],
    ),
    (
        M,
        "mo.map_get_by_index('m', 0, aerospike.MAP_RETURN_KEY)",
        {"op": A.OP_MAP_GET_BY_INDEX, "bin": "m", "index": 0, "return_type": A.MAP_RETURN_KEY},
        "a",
    ),
    (
        M,
        "mo.map_get_by_index('m', -1, aerospike.MAP_RETURN_KEY_VALUE)",
        {"op": A.OP_MAP_GET_BY_INDEX, "bin": "m", "index": -1, "return_type": KV},
        [("e", 4)],
    ),
    (
        M,
        "mo.map_get_by_index('m', 1, aerospike.MAP_RETURN_REVERSE_INDEX)",
        {"op": A.OP_MAP_GET_BY_INDEX, "bin": "m", "index": 1, "return_type": A.MAP_RETURN_REVERSE_INDEX},
        3,
    ),
    (
        M,
        "mo.map_get_by_index('m', 99, aerospike.MAP_RETURN_VALUE)",
        {"op": A.OP_MAP_GET_BY_INDEX, "bin": "m", "index": 99, "return_type": A.MAP_RETURN_VALUE},
        None,
    ),
    (
        M,
        "mo.map_get_by_index_range('m', 1, 2, aerospike.MAP_RETURN_KEY_VALUE)",
        {"op": A.OP_MAP_GET_BY_INDEX_RANGE, "bin": "m", "index": 1, "val": 2, "return_type": KV},
        [("b", 1), ("c", 3)],
    ),
    (
        M,
        "mo.map_get_by_index_range('m', 0, 3, aerospike.MAP_RETURN_KEY_VALUE)",
        {"op": A.OP_MAP_GET_BY_INDEX_RANGE, "bin": "m", "index": 0, "val": 3, "return_type": KV},
        [("a", 5), ("b", 1), ("c", 3)],
    ),
    (
        M,
        "mo.map_get_by_rank('m', 0, aerospike.MAP_RETURN_KEY)",
        {"op": A.OP_MAP_GET_BY_RANK, "bin": "m", "index": 0, "return_type": A.MAP_RETURN_KEY},
        "b",
    ),
    (
        M,
        "mo.map_get_by_rank('m', -1, aerospike.MAP_RETURN_VALUE)",
        {"op": A.OP_MAP_GET_BY_RANK, "bin": "m", "index": -1, "return_type": A.MAP_RETURN_VALUE},
        5,
    ),
    (
        M,
        "mo.map_get_by_rank('m', 1, aerospike.MAP_RETURN_REVERSE_RANK)",
        {"op": A.OP_MAP_GET_BY_RANK, "bin": "m", "index": 1, "return_type": A.MAP_RETURN_REVERSE_RANK},
        3,
    ),
    (
        M,
        "mo.map_get_by_rank_range('m', 0, 2, aerospike.MAP_RETURN_KEY)",
        {"op": A.OP_MAP_GET_BY_RANK_RANGE, "bin": "m", "index": 0, "val": 2, "return_type": A.MAP_RETURN_KEY},
        ["b", "d"],
    ),
    (
        M,
        "mo.map_get_by_rank_range('m', 0, 3, aerospike.MAP_RETURN_KEY_VALUE)",
        {"op": A.OP_MAP_GET_BY_RANK_RANGE, "bin": "m", "index": 0, "val": 3, "return_type": KV},
        [("b", 1), ("d", 2), ("c", 3)],
    ),
    (
        M,
        "mo.map_get_by_rank_range('m', 1, 2, aerospike.MAP_RETURN_KEY, inverted=True)",
        {
            "op": A.OP_MAP_GET_BY_RANK_RANGE,
            "bin": "m",
            "index": 1,
            "val": 2,
            "return_type": A.MAP_RETURN_KEY | 0x10000,
        },
        ["a", "b", "e"],
    ),
]


def _reply_ops(exchange: t.Exchange) -> list:
    return [op for frame in exchange.replies for message in t.messages(frame) for op in message.ops]


@pytest.mark.parametrize(("step", "fragment", "operation", "expected"), CASES, ids=[c[1] for c in CASES])
def test_op_is_byte_identical_and_reply_has_spec_shape(step, fragment, operation, expected):
    exchange = t.find(step, fragment)
    (recorded,) = t.messages(exchange.request)[0].ops
    op, shape = build_cdt_op(operation)
    assert op == recorded
    assert shape.is_write == (recorded.op_type == 4)
    # The official client asks for one reply op per map op (info2 RESPOND_ALL_OPS) and not for list ops.
    assert shape.respond_all_ops == bool(t.messages(exchange.request)[0].info2 & 128)
    reply_ops = _reply_ops(exchange)
    if not reply_ops:
        assert expected is None
        return
    (reply,) = reply_ops
    value = ValueCodec().decode(reply.particle_type, reply.value, shape.preserved_map_as_list)
    assert shape(value) == expected


def test_several_ops_in_one_request_match_in_order():
    exchange = t.find(L, "lo.list_append('l', 6), lo.list_size('l'), lo.list_get_range('l', 0, 3)")
    built = [
        build_cdt_op(operation)
        for operation in (
            {"op": A.OP_LIST_APPEND, "bin": "l", "val": 6},
            {"op": A.OP_LIST_SIZE, "bin": "l"},
            {"op": A.OP_LIST_GET_RANGE, "bin": "l", "index": 0, "val": 3},
        )
    ]
    assert [op for op, _shape in built] == t.messages(exchange.request)[0].ops
    values = [
        shape(ValueCodec().decode(reply.particle_type, reply.value, shape.preserved_map_as_list))
        for (_op, shape), reply in zip(built, _reply_ops(exchange))
    ]
    assert values == [6, 6, [3, 1, 2]]


def test_put_items_writes_keys_in_the_official_clients_order():
    # 19.3.0 wrote {'k': 1, 'j': 2} as j, k: its C core keeps unordered maps sorted by key.
    exchange = t.find(M, "mo.map_put_items('m', {'k': 1, 'j': 2})")
    recorded = t.messages(exchange.request)[0].ops[0]
    op, _shape = build_cdt_op({"op": A.OP_MAP_PUT_ITEMS, "bin": "m", "val": {"k": 1, "j": 2}})
    assert op == recorded


def test_put_items_with_create_only_no_fail_partial():
    exchange = t.find(M, "mo.map_put_items('m', {'a': 0, 'q': 1}, map_policy=")
    recorded = t.messages(exchange.request)[0].ops[0]
    operation = {
        "op": A.OP_MAP_PUT_ITEMS,
        "bin": "m",
        "val": {"q": 1, "a": 0},
        "map_policy": {"map_write_mode": A.MAP_CREATE_ONLY, "map_write_flags": 4 | 8},
    }
    op, _shape = build_cdt_op(operation)
    assert op == recorded
