"""Contract of the list and map operations (area cdt): one table of list_* / map_* / operate calls, each with
the record before, and what Aerospike 8.1.2.0 answered (the result or the error class and code) and left in the
record. The tables run on both test backends (tests/fixtures/backend.py): the local cluster and the real server.

A second table holds the argument errors client 3.0.0 raised before sending anything (class, code, message),
in its order of checks (operate_list.c, operate_map.c, add_op in operate.c).
"""

from __future__ import annotations

from typing import Any

import aerospike as A
from aerospike import exception
from tests.fixtures.backend import Backend

SET = "cdt_contract"
L = [1, 2, 3, 4, 5]
M = {"a": 1, "b": 2, "c": 3, "d": 4}
KO = {"map_order": A.MAP_KEY_ORDERED}
KVO = {"map_order": A.MAP_KEY_VALUE_ORDERED}
S = {"s": "str"}
NOREC = None

# (name, record before (None: no record), method, args after the key)
CASES: list[tuple] = [
    # lists
    ("append", {"l": L}, "list_append", ("l", 6)),
    ("append_newbin", {"x": 1}, "list_append", ("l", 6)),
    ("append_norec", NOREC, "list_append", ("l", 6)),
    ("append_strbin", S, "list_append", ("s", 6)),
    ("append_mapbin", {"m": M}, "list_append", ("m", 6)),
    ("append_list", {"l": L}, "list_append", ("l", [7, 8])),
    ("append_none", {"l": L}, "list_append", ("l", None)),
    ("extend", {"l": L}, "list_extend", ("l", [6, 7])),
    ("extend_empty", {"l": L}, "list_extend", ("l", [])),
    ("extend_strbin", S, "list_extend", ("s", [1])),
    ("extend_tuple", {"l": L}, "list_extend", ("l", (6, 7))),
    ("insert", {"l": L}, "list_insert", ("l", 2, "x")),
    ("insert_neg", {"l": L}, "list_insert", ("l", -1, "x")),
    ("insert_end", {"l": L}, "list_insert", ("l", 5, "x")),
    ("insert_past", {"l": L}, "list_insert", ("l", 8, "x")),
    ("insert_neg_past", {"l": L}, "list_insert", ("l", -8, "x")),
    ("insert_norec", NOREC, "list_insert", ("l", 2, "x")),
    ("insert_items", {"l": L}, "list_insert_items", ("l", 1, ["x", "y"])),
    ("insert_items_past", {"l": L}, "list_insert_items", ("l", 7, ["x", "y"])),
    ("insert_items_neg_past", {"l": L}, "list_insert_items", ("l", -7, ["x"])),
    ("insert_items_empty", {"l": L}, "list_insert_items", ("l", 1, [])),
    ("insert_items_notlist", {"l": L}, "list_insert_items", ("l", 1, "x")),
    ("pop", {"l": L}, "list_pop", ("l", 0)),
    ("pop_neg", {"l": L}, "list_pop", ("l", -1)),
    ("pop_past", {"l": L}, "list_pop", ("l", 5)),
    ("pop_neg_past", {"l": L}, "list_pop", ("l", -6)),
    ("pop_nobin", {"x": 1}, "list_pop", ("l", 0)),
    ("pop_norec", NOREC, "list_pop", ("l", 0)),
    ("pop_strbin", S, "list_pop", ("s", 0)),
    ("pop_empty", {"l": []}, "list_pop", ("l", 0)),
    ("pop_range", {"l": L}, "list_pop_range", ("l", 1, 2)),
    ("pop_range_over", {"l": L}, "list_pop_range", ("l", 3, 10)),
    ("pop_range_neg", {"l": L}, "list_pop_range", ("l", -2, 5)),
    ("pop_range_past", {"l": L}, "list_pop_range", ("l", 7, 2)),
    ("pop_range_neg_past", {"l": L}, "list_pop_range", ("l", -7, 3)),
    ("pop_range_zero", {"l": L}, "list_pop_range", ("l", 1, 0)),
    ("pop_range_negcount", {"l": L}, "list_pop_range", ("l", 1, -1)),
    ("pop_range_nobin", {"x": 1}, "list_pop_range", ("l", 0, 2)),
    ("remove", {"l": L}, "list_remove", ("l", 1)),
    ("remove_neg", {"l": L}, "list_remove", ("l", -1)),
    ("remove_past", {"l": L}, "list_remove", ("l", 5)),
    ("remove_nobin", {"x": 1}, "list_remove", ("l", 0)),
    ("remove_range", {"l": L}, "list_remove_range", ("l", 1, 3)),
    ("remove_range_past", {"l": L}, "list_remove_range", ("l", 6, 3)),
    ("remove_range_neg", {"l": L}, "list_remove_range", ("l", -3, 2)),
    ("clear", {"l": L}, "list_clear", ("l",)),
    ("clear_nobin", {"x": 1}, "list_clear", ("l",)),
    ("clear_norec", NOREC, "list_clear", ("l",)),
    ("clear_strbin", S, "list_clear", ("s",)),
    ("set", {"l": L}, "list_set", ("l", 1, "x")),
    ("set_neg", {"l": L}, "list_set", ("l", -1, "x")),
    ("set_past", {"l": L}, "list_set", ("l", 7, "x")),
    ("set_neg_past", {"l": L}, "list_set", ("l", -7, "x")),
    ("set_nobin", {"x": 1}, "list_set", ("l", 0, "x")),
    ("set_norec", NOREC, "list_set", ("l", 2, "x")),
    ("get", {"l": L}, "list_get", ("l", 1)),
    ("get_neg", {"l": L}, "list_get", ("l", -1)),
    ("get_past", {"l": L}, "list_get", ("l", 5)),
    ("get_neg_past", {"l": L}, "list_get", ("l", -6)),
    ("get_nobin", {"x": 1}, "list_get", ("l", 0)),
    ("get_norec", NOREC, "list_get", ("l", 0)),
    ("get_strbin", S, "list_get", ("s", 0)),
    ("get_mapbin", {"m": M}, "list_get", ("m", 0)),
    ("get_range", {"l": L}, "list_get_range", ("l", 1, 3)),
    ("get_range_over", {"l": L}, "list_get_range", ("l", 3, 10)),
    ("get_range_past", {"l": L}, "list_get_range", ("l", 6, 2)),
    ("get_range_neg", {"l": L}, "list_get_range", ("l", -2, 5)),
    ("get_range_neg_past", {"l": L}, "list_get_range", ("l", -8, 4)),
    ("get_range_zero", {"l": L}, "list_get_range", ("l", 0, 0)),
    ("get_range_negcount", {"l": L}, "list_get_range", ("l", 1, -1)),
    ("get_range_nobin", {"x": 1}, "list_get_range", ("l", 0, 2)),
    ("trim", {"l": L}, "list_trim", ("l", 1, 2)),
    ("trim_past", {"l": L}, "list_trim", ("l", 7, 2)),
    ("trim_neg", {"l": L}, "list_trim", ("l", -2, 1)),
    ("trim_zero", {"l": L}, "list_trim", ("l", 1, 0)),
    ("trim_nobin", {"x": 1}, "list_trim", ("l", 0, 1)),
    ("size", {"l": L}, "list_size", ("l",)),
    ("size_nobin", {"x": 1}, "list_size", ("l",)),
    ("size_norec", NOREC, "list_size", ("l",)),
    ("size_strbin", S, "list_size", ("s",)),
    ("size_mapbin", {"m": M}, "list_size", ("m",)),
    ("incr", {"l": L}, "operate", ([{"op": A.OP_LIST_INCREMENT, "bin": "l", "index": 1, "val": 10}],)),
    ("incr_past", {"l": L}, "operate", ([{"op": A.OP_LIST_INCREMENT, "bin": "l", "index": 9, "val": 10}],)),
    (
        "incr_str",
        {"l": ["a", 2]},
        "operate",
        ([{"op": A.OP_LIST_INCREMENT, "bin": "l", "index": 0, "val": 10}],),
    ),
    (
        "incr_float",
        {"l": [1.5, 2]},
        "operate",
        ([{"op": A.OP_LIST_INCREMENT, "bin": "l", "index": 0, "val": 1}],),
    ),
    ("incr_nobin", {"x": 1}, "operate", ([{"op": A.OP_LIST_INCREMENT, "bin": "l", "index": 0, "val": 3}],)),
    (
        "ops_list_all",
        {"l": L},
        "operate_ordered",
        (
            [
                {"op": A.OP_LIST_APPEND, "bin": "l", "val": 6},
                {"op": A.OP_LIST_APPEND_ITEMS, "bin": "l", "val": [7, 8]},
                {"op": A.OP_LIST_INSERT, "bin": "l", "index": 0, "val": 0},
                {"op": A.OP_LIST_INSERT_ITEMS, "bin": "l", "index": 0, "val": [-2, -1]},
                {"op": A.OP_LIST_SIZE, "bin": "l"},
                {"op": A.OP_LIST_POP, "bin": "l", "index": 0},
                {"op": A.OP_LIST_POP_RANGE, "bin": "l", "index": 0, "val": 2},
                {"op": A.OP_LIST_REMOVE, "bin": "l", "index": 0},
                {"op": A.OP_LIST_REMOVE_RANGE, "bin": "l", "index": 0, "val": 2},
                {"op": A.OP_LIST_SET, "bin": "l", "index": 0, "val": "x"},
                {"op": A.OP_LIST_GET, "bin": "l", "index": 0},
                {"op": A.OP_LIST_GET_RANGE, "bin": "l", "index": 0, "val": 3},
                {"op": A.OP_LIST_TRIM, "bin": "l", "index": 1, "val": 3},
                {"op": A.OP_LIST_CLEAR, "bin": "l"},
                {"op": A.OP_LIST_SIZE, "bin": "l"},
            ],
        ),
    ),
    (
        "ops_list_all_unordered",
        {"l": L},
        "operate",
        (
            [
                {"op": A.OP_LIST_APPEND, "bin": "l", "val": 6},
                {"op": A.OP_LIST_POP, "bin": "l", "index": 0},
                {"op": A.OP_LIST_SIZE, "bin": "l"},
            ],
        ),
    ),
    (
        "ops_list_read_write",
        {"l": L, "n": 1},
        "operate",
        (
            [
                {"op": A.OP_LIST_REMOVE_RANGE, "bin": "l", "index": 0, "val": 2},
                {"op": A.OPERATOR_READ, "bin": "l"},
                {"op": A.OPERATOR_INCR, "bin": "n", "val": 2},
                {"op": A.OPERATOR_READ, "bin": "n"},
            ],
        ),
    ),
]
CASES = [("l_" + name, *rest) for name, *rest in CASES]
MAP_CASES = [
    ("put", {"m": M}, "map_put", ("m", "e", 5)),
    ("put_replace", {"m": M}, "map_put", ("m", "a", 10)),
    ("put_nobin", {"x": 1}, "map_put", ("m", "a", 1)),
    ("put_norec", NOREC, "map_put", ("m", "a", 1)),
    ("put_listbin", {"l": L}, "map_put", ("l", "a", 1)),
    ("put_create_only_exists", {"m": M}, "map_put", ("m", "a", 9, {"map_write_mode": A.MAP_CREATE_ONLY})),
    ("put_create_only_new", {"m": M}, "map_put", ("m", "z", 9, {"map_write_mode": A.MAP_CREATE_ONLY})),
    ("put_update_only_missing", {"m": M}, "map_put", ("m", "z", 9, {"map_write_mode": A.MAP_UPDATE_ONLY})),
    ("put_update_only_exists", {"m": M}, "map_put", ("m", "a", 9, {"map_write_mode": A.MAP_UPDATE_ONLY})),
    ("put_update_only_nobin", {"x": 1}, "map_put", ("m", "a", 9, {"map_write_mode": A.MAP_UPDATE_ONLY})),
    ("put_ko", {"x": 1}, "map_put", ("m", "b", 2, KO)),
    ("put_int_key", {"m": M}, "map_put", ("m", 1, "one")),
    ("put_float_key", {"m": M}, "map_put", ("m", 1.5, "one")),
    ("put_list_key", {"m": M}, "map_put", ("m", [1], "one")),
    ("put_none_key", {"m": M}, "map_put", ("m", None, "one")),
    ("put_items", {"m": M}, "map_put_items", ("m", {"e": 5, "a": 0})),
    ("put_items_empty", {"m": M}, "map_put_items", ("m", {})),
    ("put_items_nobin", {"x": 1}, "map_put_items", ("m", {"b": 2, "a": 1}, KVO)),
    (
        "put_items_create_only",
        {"m": M},
        "map_put_items",
        ("m", {"a": 5, "z": 1}, {"map_write_mode": A.MAP_CREATE_ONLY}),
    ),
    (
        "put_items_update_only",
        {"m": M},
        "map_put_items",
        ("m", {"a": 5, "z": 1}, {"map_write_mode": A.MAP_UPDATE_ONLY}),
    ),
    ("put_items_list", {"m": M}, "map_put_items", ("m", [1, 2])),
    ("incr", {"m": M}, "map_increment", ("m", "a", 5)),
    ("incr_newkey", {"m": M}, "map_increment", ("m", "z", 5)),
    ("incr_float", {"m": M}, "map_increment", ("m", "a", 1.5)),
    ("incr_str_val", {"m": {"a": "x"}}, "map_increment", ("m", "a", 1)),
    ("incr_str_delta", {"m": M}, "map_increment", ("m", "a", "x")),
    ("incr_nobin", {"x": 1}, "map_increment", ("m", "a", 2)),
    ("decr", {"m": M}, "map_decrement", ("m", "a", 5)),
    ("decr_newkey", {"m": M}, "map_decrement", ("m", "z", 5)),
    ("size", {"m": M}, "map_size", ("m",)),
    ("size_nobin", {"x": 1}, "map_size", ("m",)),
    ("size_norec", NOREC, "map_size", ("m",)),
    ("size_listbin", {"l": L}, "map_size", ("l",)),
    ("clear", {"m": M}, "map_clear", ("m",)),
    ("clear_nobin", {"x": 1}, "map_clear", ("m",)),
    ("clear_norec", NOREC, "map_clear", ("m",)),
    ("set_policy", {"m": M}, "map_set_policy", ("m", KO)),
    ("set_policy_nobin", {"x": 1}, "map_set_policy", ("m", KVO)),
    ("set_policy_listbin", {"l": L}, "map_set_policy", ("l", KO)),
]
CASES += [("m_" + name, *rest) for name, *rest in MAP_CASES]
for rt in range(0, 9):
    CASES += [
        (f"rm_key_rt{rt}", {"m": M}, "map_remove_by_key", ("m", "b", rt)),
        (f"get_key_rt{rt}", {"m": M}, "map_get_by_key", ("m", "b", rt)),
        (f"get_key_range_rt{rt}", {"m": M}, "map_get_by_key_range", ("m", "b", "d", rt)),
        (f"get_index_range_rt{rt}", {"m": M}, "map_get_by_index_range", ("m", 1, 2, rt)),
        (f"get_rank_rt{rt}", {"m": M}, "map_get_by_rank", ("m", -1, rt)),
    ]
CASES += [
    ("rm_key_missing", {"m": M}, "map_remove_by_key", ("m", "z", A.MAP_RETURN_VALUE)),
    ("rm_key_missing_kv", {"m": M}, "map_remove_by_key", ("m", "z", A.MAP_RETURN_KEY_VALUE)),
    ("rm_key_missing_idx", {"m": M}, "map_remove_by_key", ("m", "z", A.MAP_RETURN_INDEX)),
    ("rm_key_nobin", {"x": 1}, "map_remove_by_key", ("m", "z", A.MAP_RETURN_VALUE)),
    ("rm_key_norec", NOREC, "map_remove_by_key", ("m", "z", A.MAP_RETURN_VALUE)),
    ("rm_key_listbin", {"l": L}, "map_remove_by_key", ("l", "z", A.MAP_RETURN_VALUE)),
    ("rm_key_list", {"m": M}, "map_remove_by_key_list", ("m", ["a", "c", "z"], A.MAP_RETURN_KEY_VALUE)),
    ("rm_key_list_val", {"m": M}, "map_remove_by_key_list", ("m", ["c", "a"], A.MAP_RETURN_VALUE)),
    ("rm_key_list_notlist", {"m": M}, "map_remove_by_key_list", ("m", "a", A.MAP_RETURN_VALUE)),
    ("rm_key_range", {"m": M}, "map_remove_by_key_range", ("m", "b", "d", A.MAP_RETURN_KEY)),
    ("rm_key_range_none_end", {"m": M}, "map_remove_by_key_range", ("m", "b", None, A.MAP_RETURN_KEY)),
    ("rm_value", {"m": {"a": 1, "b": 2, "c": 1}}, "map_remove_by_value", ("m", 1, A.MAP_RETURN_KEY)),
    ("rm_value_count", {"m": {"a": 1, "b": 2, "c": 1}}, "map_remove_by_value", ("m", 1, A.MAP_RETURN_COUNT)),
    ("rm_value_list", {"m": M}, "map_remove_by_value_list", ("m", [4, 1, 9], A.MAP_RETURN_KEY)),
    ("rm_value_range", {"m": M}, "map_remove_by_value_range", ("m", 2, 4, A.MAP_RETURN_VALUE)),
    ("rm_index", {"m": M}, "map_remove_by_index", ("m", 0, A.MAP_RETURN_KEY_VALUE)),
    ("rm_index_neg", {"m": M}, "map_remove_by_index", ("m", -1, A.MAP_RETURN_KEY)),
    ("rm_index_past", {"m": M}, "map_remove_by_index", ("m", 4, A.MAP_RETURN_KEY)),
    ("rm_index_past_none", {"m": M}, "map_remove_by_index", ("m", 4, A.MAP_RETURN_NONE)),
    ("rm_index_range", {"m": M}, "map_remove_by_index_range", ("m", 1, 2, A.MAP_RETURN_KEY)),
    ("rm_index_range_over", {"m": M}, "map_remove_by_index_range", ("m", 2, 10, A.MAP_RETURN_KEY)),
    ("rm_index_range_past", {"m": M}, "map_remove_by_index_range", ("m", 6, 10, A.MAP_RETURN_KEY)),
    ("rm_index_range_negcount", {"m": M}, "map_remove_by_index_range", ("m", 1, -1, A.MAP_RETURN_KEY)),
    ("rm_rank", {"m": M}, "map_remove_by_rank", ("m", 0, A.MAP_RETURN_KEY)),
    ("rm_rank_past", {"m": M}, "map_remove_by_rank", ("m", 9, A.MAP_RETURN_KEY)),
    ("rm_rank_range", {"m": M}, "map_remove_by_rank_range", ("m", -2, 2, A.MAP_RETURN_VALUE)),
    ("get_key_missing", {"m": M}, "map_get_by_key", ("m", "z", A.MAP_RETURN_VALUE)),
    ("get_key_missing_kv", {"m": M}, "map_get_by_key", ("m", "z", A.MAP_RETURN_KEY_VALUE)),
    ("get_key_missing_count", {"m": M}, "map_get_by_key", ("m", "z", A.MAP_RETURN_COUNT)),
    ("get_key_missing_rank", {"m": M}, "map_get_by_key", ("m", "z", A.MAP_RETURN_RANK)),
    ("get_key_nobin", {"x": 1}, "map_get_by_key", ("m", "a", A.MAP_RETURN_VALUE)),
    ("get_key_nobin_kv", {"x": 1}, "map_get_by_key", ("m", "a", A.MAP_RETURN_KEY_VALUE)),
    ("get_key_nobin_count", {"x": 1}, "map_get_by_key", ("m", "a", A.MAP_RETURN_COUNT)),
    ("get_key_norec", NOREC, "map_get_by_key", ("m", "a", A.MAP_RETURN_VALUE)),
    ("get_key_listbin", {"l": L}, "map_get_by_key", ("l", "a", A.MAP_RETURN_VALUE)),
    ("get_key_strbin", S, "map_get_by_key", ("s", "a", A.MAP_RETURN_VALUE)),
    ("get_key_range_none_begin", {"m": M}, "map_get_by_key_range", ("m", None, "c", A.MAP_RETURN_KEY)),
    ("get_key_range_none_end", {"m": M}, "map_get_by_key_range", ("m", "c", None, A.MAP_RETURN_KEY)),
    ("get_key_range_empty", {"m": M}, "map_get_by_key_range", ("m", "x", "z", A.MAP_RETURN_KEY_VALUE)),
    ("get_key_range_reversed", {"m": M}, "map_get_by_key_range", ("m", "d", "b", A.MAP_RETURN_KEY)),
    ("get_value", {"m": {"a": 1, "b": 2, "c": 1}}, "map_get_by_value", ("m", 1, A.MAP_RETURN_KEY)),
    ("get_value_kv", {"m": {"a": 1, "b": 2, "c": 1}}, "map_get_by_value", ("m", 1, A.MAP_RETURN_KEY_VALUE)),
    ("get_value_none", {"m": M}, "map_get_by_value", ("m", 9, A.MAP_RETURN_KEY)),
    ("get_value_range", {"m": M}, "map_get_by_value_range", ("m", 2, 4, A.MAP_RETURN_KEY)),
    ("get_value_range_none_end", {"m": M}, "map_get_by_value_range", ("m", 2, None, A.MAP_RETURN_KEY)),
    ("get_index", {"m": M}, "map_get_by_index", ("m", 0, A.MAP_RETURN_KEY_VALUE)),
    ("get_index_neg", {"m": M}, "map_get_by_index", ("m", -1, A.MAP_RETURN_VALUE)),
    ("get_index_past", {"m": M}, "map_get_by_index", ("m", 4, A.MAP_RETURN_VALUE)),
    ("get_index_neg_past", {"m": M}, "map_get_by_index", ("m", -5, A.MAP_RETURN_VALUE)),
    ("get_index_nobin", {"x": 1}, "map_get_by_index", ("m", 0, A.MAP_RETURN_VALUE)),
    ("get_index_range_over", {"m": M}, "map_get_by_index_range", ("m", 2, 10, A.MAP_RETURN_KEY)),
    ("get_index_range_past", {"m": M}, "map_get_by_index_range", ("m", 5, 1, A.MAP_RETURN_KEY)),
    ("get_index_range_neg", {"m": M}, "map_get_by_index_range", ("m", -3, 2, A.MAP_RETURN_KEY)),
    ("get_index_range_neg_past", {"m": M}, "map_get_by_index_range", ("m", -6, 3, A.MAP_RETURN_KEY)),
    ("get_index_range_zero", {"m": M}, "map_get_by_index_range", ("m", 0, 0, A.MAP_RETURN_KEY)),
    ("get_rank", {"m": M}, "map_get_by_rank", ("m", 0, A.MAP_RETURN_KEY_VALUE)),
    ("get_rank_past", {"m": M}, "map_get_by_rank", ("m", 4, A.MAP_RETURN_KEY)),
    ("get_rank_range", {"m": M}, "map_get_by_rank_range", ("m", 1, 2, A.MAP_RETURN_KEY_VALUE)),
    ("get_rank_range_neg", {"m": M}, "map_get_by_rank_range", ("m", -1, 5, A.MAP_RETURN_KEY)),
    (
        "mixed_keys_order",
        {"m": {"b": 1, 2: 2, "a": 4, 1: 5}},
        "map_get_by_index_range",
        ("m", 0, 10, A.MAP_RETURN_KEY),
    ),
    (
        "mixed_values_rank",
        {"m": {"a": "x", "b": 2, "c": 1.5, "d": [1], "e": None}},
        "map_get_by_rank_range",
        ("m", 0, 10, A.MAP_RETURN_KEY),
    ),
    (
        "ops_map_all",
        {"m": M},
        "operate_ordered",
        (
            [
                {"op": A.OP_MAP_PUT, "bin": "m", "key": "e", "val": 5},
                {"op": A.OP_MAP_PUT_ITEMS, "bin": "m", "val": {"f": 6, "g": 7}},
                {"op": A.OP_MAP_INCREMENT, "bin": "m", "key": "a", "val": 10},
                {"op": A.OP_MAP_DECREMENT, "bin": "m", "key": "b", "val": 10},
                {"op": A.OP_MAP_SIZE, "bin": "m"},
                {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "a", "return_type": A.MAP_RETURN_VALUE},
                {
                    "op": A.OP_MAP_GET_BY_KEY_RANGE,
                    "bin": "m",
                    "key": "a",
                    "range": "c",
                    "return_type": A.MAP_RETURN_KEY_VALUE,
                },
                {"op": A.OP_MAP_GET_BY_VALUE, "bin": "m", "val": 3, "return_type": A.MAP_RETURN_KEY},
                {
                    "op": A.OP_MAP_GET_BY_VALUE_RANGE,
                    "bin": "m",
                    "val": 3,
                    "range": 6,
                    "return_type": A.MAP_RETURN_KEY,
                },
                {"op": A.OP_MAP_GET_BY_INDEX, "bin": "m", "index": 0, "return_type": A.MAP_RETURN_KEY},
                {
                    "op": A.OP_MAP_GET_BY_INDEX_RANGE,
                    "bin": "m",
                    "index": 0,
                    "val": 2,
                    "return_type": A.MAP_RETURN_VALUE,
                },
                {"op": A.OP_MAP_GET_BY_RANK, "bin": "m", "index": 0, "return_type": A.MAP_RETURN_KEY},
                {
                    "op": A.OP_MAP_GET_BY_RANK_RANGE,
                    "bin": "m",
                    "index": 0,
                    "val": 2,
                    "return_type": A.MAP_RETURN_KEY,
                },
                {"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "m", "key": "g", "return_type": A.MAP_RETURN_VALUE},
                {
                    "op": A.OP_MAP_REMOVE_BY_KEY_LIST,
                    "bin": "m",
                    "val": ["f"],
                    "return_type": A.MAP_RETURN_COUNT,
                },
                {
                    "op": A.OP_MAP_REMOVE_BY_KEY_RANGE,
                    "bin": "m",
                    "key": "e",
                    "val": "f",
                    "return_type": A.MAP_RETURN_KEY,
                },
                {"op": A.OP_MAP_REMOVE_BY_VALUE, "bin": "m", "val": 3, "return_type": A.MAP_RETURN_KEY},
                {
                    "op": A.OP_MAP_REMOVE_BY_VALUE_LIST,
                    "bin": "m",
                    "val": [4],
                    "return_type": A.MAP_RETURN_KEY,
                },
                {
                    "op": A.OP_MAP_REMOVE_BY_VALUE_RANGE,
                    "bin": "m",
                    "val": -100,
                    "range": 0,
                    "return_type": A.MAP_RETURN_KEY,
                },
                {"op": A.OP_MAP_REMOVE_BY_INDEX, "bin": "m", "index": 0, "return_type": A.MAP_RETURN_KEY},
                {
                    "op": A.OP_MAP_REMOVE_BY_INDEX_RANGE,
                    "bin": "m",
                    "index": 0,
                    "val": 0,
                    "return_type": A.MAP_RETURN_KEY,
                },
                {"op": A.OP_MAP_REMOVE_BY_RANK, "bin": "m", "index": 0, "return_type": A.MAP_RETURN_NONE},
                {
                    "op": A.OP_MAP_REMOVE_BY_RANK_RANGE,
                    "bin": "m",
                    "index": 0,
                    "val": 1,
                    "return_type": A.MAP_RETURN_KEY,
                },
                {"op": A.OP_MAP_SIZE, "bin": "m"},
                {"op": A.OP_MAP_CLEAR, "bin": "m"},
                {"op": A.OP_MAP_SIZE, "bin": "m"},
            ],
        ),
    ),
    (
        "ops_map_operate",
        {"m": M},
        "operate",
        (
            [
                {"op": A.OP_MAP_PUT, "bin": "m", "key": "e", "val": 5},
                {
                    "op": A.OP_MAP_GET_BY_KEY_RANGE,
                    "bin": "m",
                    "key": "a",
                    "range": "c",
                    "return_type": A.MAP_RETURN_KEY_VALUE,
                },
            ],
        ),
    ),
    (
        "ops_map_noreturn_type",
        {"m": M},
        "operate",
        (
            [
                {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "a"},
            ],
        ),
    ),
    (
        "ops_map_put_only",
        {"m": M},
        "operate",
        (
            [
                {"op": A.OP_MAP_PUT, "bin": "m", "key": "e", "val": 5},
            ],
        ),
    ),
    (
        "ops_map_set_policy_then_kv",
        {"m": {"d": 4, "b": 2, "a": 1, "c": 3}},
        "operate_ordered",
        (
            [
                {"op": A.OP_MAP_SET_POLICY, "bin": "m", "map_policy": KO},
                {
                    "op": A.OP_MAP_GET_BY_INDEX_RANGE,
                    "bin": "m",
                    "index": 0,
                    "val": 4,
                    "return_type": A.MAP_RETURN_KEY_VALUE,
                },
                {"op": A.OPERATOR_READ, "bin": "m"},
            ],
        ),
    ),
    (
        "ops_ko_put_read",
        {"x": 1},
        "operate_ordered",
        (
            [
                {"op": A.OP_MAP_PUT_ITEMS, "bin": "m", "val": {"d": 4, "b": 2, "a": 1}, "map_policy": KO},
                {"op": A.OPERATOR_READ, "bin": "m"},
            ],
        ),
    ),
]
for rt in (9, 10, 11, 12, 13, 16, 17, 0x10001, 0x10006, 0x10008, -1, 255, 1 << 20):
    CASES += [
        (f"unknown_rt_{rt}", {"m": M}, "map_get_by_key_range", ("m", "b", "d", rt)),
        (
            f"unknown_rt_op_{rt}",
            {"m": M},
            "operate",
            ([{"op": A.OP_MAP_GET_BY_KEY_RANGE, "bin": "m", "key": "b", "range": "d", "return_type": rt}],),
        ),
    ]

# What 8.1.2.0 answered: (('ok', result) or ('err', class, code, client-side message), bins after).
EXPECTED: dict[str, tuple] = {
    "l_append": (("ok", 0), {"l": [1, 2, 3, 4, 5, 6]}),
    "l_append_newbin": (("ok", 0), {"x": 1, "l": [6]}),
    "l_append_norec": (("ok", 0), {"l": [6]}),
    "l_append_strbin": (("err", "BinIncompatibleType", 12, ""), {"s": "str"}),
    "l_append_mapbin": (("err", "BinIncompatibleType", 12, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "l_append_list": (("ok", 0), {"l": [1, 2, 3, 4, 5, [7, 8]]}),
    "l_append_none": (("ok", 0), {"l": [1, 2, 3, 4, 5, None]}),
    "l_extend": (("ok", 0), {"l": [1, 2, 3, 4, 5, 6, 7]}),
    "l_extend_empty": (("ok", 0), {"l": [1, 2, 3, 4, 5]}),
    "l_extend_strbin": (("err", "BinIncompatibleType", 12, ""), {"s": "str"}),
    "l_extend_tuple": (("err", "ParamError", -2, "Items should be of type list"), {"l": [1, 2, 3, 4, 5]}),
    "l_insert": (("ok", 0), {"l": [1, 2, "x", 3, 4, 5]}),
    "l_insert_neg": (("ok", 0), {"l": [1, 2, 3, 4, "x", 5]}),
    "l_insert_end": (("ok", 0), {"l": [1, 2, 3, 4, 5, "x"]}),
    "l_insert_past": (("ok", 0), {"l": [1, 2, 3, 4, 5, None, None, None, "x"]}),
    "l_insert_neg_past": (("err", "OpNotApplicable", 26, ""), {"l": [1, 2, 3, 4, 5]}),
    "l_insert_norec": (("ok", 0), {"l": [None, None, "x"]}),
    "l_insert_items": (("ok", 0), {"l": [1, "x", "y", 2, 3, 4, 5]}),
    "l_insert_items_past": (("ok", 0), {"l": [1, 2, 3, 4, 5, None, None, "x", "y"]}),
    "l_insert_items_neg_past": (("err", "OpNotApplicable", 26, ""), {"l": [1, 2, 3, 4, 5]}),
    "l_insert_items_empty": (("ok", 0), {"l": [1, 2, 3, 4, 5]}),
    "l_insert_items_notlist": (
        ("err", "ParamError", -2, "Items should be of type list"),
        {"l": [1, 2, 3, 4, 5]},
    ),
    "l_pop": (("ok", 1), {"l": [2, 3, 4, 5]}),
    "l_pop_neg": (("ok", 5), {"l": [1, 2, 3, 4]}),
    "l_pop_past": (("err", "OpNotApplicable", 26, ""), {"l": [1, 2, 3, 4, 5]}),
    "l_pop_neg_past": (("err", "OpNotApplicable", 26, ""), {"l": [1, 2, 3, 4, 5]}),
    "l_pop_nobin": (("ok", None), {"x": 1}),
    "l_pop_norec": (("err", "RecordNotFound", 2, ""), None),
    "l_pop_strbin": (("err", "BinIncompatibleType", 12, ""), {"s": "str"}),
    "l_pop_empty": (("err", "OpNotApplicable", 26, ""), {"l": []}),
    "l_pop_range": (("ok", [2, 3]), {"l": [1, 4, 5]}),
    "l_pop_range_over": (("ok", [4, 5]), {"l": [1, 2, 3]}),
    "l_pop_range_neg": (("ok", [4, 5]), {"l": [1, 2, 3]}),
    "l_pop_range_past": (("ok", []), {"l": [1, 2, 3, 4, 5]}),
    "l_pop_range_neg_past": (("ok", [1]), {"l": [2, 3, 4, 5]}),
    "l_pop_range_zero": (("ok", []), {"l": [1, 2, 3, 4, 5]}),
    "l_pop_range_negcount": (("ok", [2, 3, 4, 5]), {"l": [1]}),
    "l_pop_range_nobin": (("ok", None), {"x": 1}),
    "l_remove": (("ok", 0), {"l": [1, 3, 4, 5]}),
    "l_remove_neg": (("ok", 0), {"l": [1, 2, 3, 4]}),
    "l_remove_past": (("err", "OpNotApplicable", 26, ""), {"l": [1, 2, 3, 4, 5]}),
    "l_remove_nobin": (("ok", 0), {"x": 1}),
    "l_remove_range": (("ok", 0), {"l": [1, 5]}),
    "l_remove_range_past": (("ok", 0), {"l": [1, 2, 3, 4, 5]}),
    "l_remove_range_neg": (("ok", 0), {"l": [1, 2, 5]}),
    "l_clear": (("ok", 0), {"l": []}),
    "l_clear_nobin": (("ok", 0), {"x": 1}),
    "l_clear_norec": (("err", "RecordNotFound", 2, ""), None),
    "l_clear_strbin": (("err", "BinIncompatibleType", 12, ""), {"s": "str"}),
    "l_set": (("ok", 0), {"l": [1, "x", 3, 4, 5]}),
    "l_set_neg": (("ok", 0), {"l": [1, 2, 3, 4, "x"]}),
    "l_set_past": (("ok", 0), {"l": [1, 2, 3, 4, 5, None, None, "x"]}),
    "l_set_neg_past": (("err", "OpNotApplicable", 26, ""), {"l": [1, 2, 3, 4, 5]}),
    "l_set_nobin": (("ok", 0), {"x": 1, "l": ["x"]}),
    "l_set_norec": (("ok", 0), {"l": [None, None, "x"]}),
    "l_get": (("ok", 2), {"l": [1, 2, 3, 4, 5]}),
    "l_get_neg": (("ok", 5), {"l": [1, 2, 3, 4, 5]}),
    "l_get_past": (("err", "OpNotApplicable", 26, ""), {"l": [1, 2, 3, 4, 5]}),
    "l_get_neg_past": (("err", "OpNotApplicable", 26, ""), {"l": [1, 2, 3, 4, 5]}),
    "l_get_nobin": (("ok", None), {"x": 1}),
    "l_get_norec": (("err", "RecordNotFound", 2, ""), None),
    "l_get_strbin": (("err", "BinIncompatibleType", 12, ""), {"s": "str"}),
    "l_get_mapbin": (("err", "BinIncompatibleType", 12, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "l_get_range": (("ok", [2, 3, 4]), {"l": [1, 2, 3, 4, 5]}),
    "l_get_range_over": (("ok", [4, 5]), {"l": [1, 2, 3, 4, 5]}),
    "l_get_range_past": (("ok", []), {"l": [1, 2, 3, 4, 5]}),
    "l_get_range_neg": (("ok", [4, 5]), {"l": [1, 2, 3, 4, 5]}),
    "l_get_range_neg_past": (("ok", [1]), {"l": [1, 2, 3, 4, 5]}),
    "l_get_range_zero": (("ok", []), {"l": [1, 2, 3, 4, 5]}),
    "l_get_range_negcount": (("ok", [2, 3, 4, 5]), {"l": [1, 2, 3, 4, 5]}),
    "l_get_range_nobin": (("ok", []), {"x": 1}),
    "l_trim": (("ok", 0), {"l": [2, 3]}),
    "l_trim_past": (("ok", 0), {"l": []}),
    "l_trim_neg": (("ok", 0), {"l": [4]}),
    "l_trim_zero": (("ok", 0), {"l": []}),
    "l_trim_nobin": (("ok", 0), {"x": 1}),
    "l_size": (("ok", 5), {"l": [1, 2, 3, 4, 5]}),
    "l_size_nobin": (("ok", 0), {"x": 1}),
    "l_size_norec": (("err", "RecordNotFound", 2, ""), None),
    "l_size_strbin": (("err", "BinIncompatibleType", 12, ""), {"s": "str"}),
    "l_size_mapbin": (("err", "BinIncompatibleType", 12, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "l_incr": (("ok", {"l": 12}), {"l": [1, 12, 3, 4, 5]}),
    "l_incr_past": (("ok", {"l": 10}), {"l": [1, 2, 3, 4, 5, None, None, None, None, 10]}),
    "l_incr_str": (("err", "InvalidRequest", 4, ""), {"l": ["a", 2]}),
    "l_incr_float": (("ok", {"l": 2.5}), {"l": [2.5, 2]}),
    "l_incr_nobin": (("ok", {"l": 3}), {"x": 1, "l": [3]}),
    "l_ops_list_all": (
        (
            "ok",
            [
                ("l", 6),
                ("l", 8),
                ("l", 9),
                ("l", 11),
                ("l", 11),
                ("l", -2),
                ("l", [-1, 0]),
                ("l", 1),
                ("l", 2),
                ("l", "x"),
                ("l", ["x", 5, 6]),
                ("l", 2),
                ("l", 0),
            ],
        ),
        {"l": []},
    ),
    "l_ops_list_all_unordered": (("ok", {"l": 5}), {"l": [2, 3, 4, 5, 6]}),
    "l_ops_list_read_write": (("ok", {"l": [3, 4, 5], "n": 3}), {"l": [3, 4, 5], "n": 3}),
    "m_put": (("ok", 0), {"m": {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}}),
    "m_put_replace": (("ok", 0), {"m": {"a": 10, "b": 2, "c": 3, "d": 4}}),
    "m_put_nobin": (("ok", 0), {"x": 1, "m": {"a": 1}}),
    "m_put_norec": (("ok", 0), {"m": {"a": 1}}),
    "m_put_listbin": (("err", "BinIncompatibleType", 12, ""), {"l": [1, 2, 3, 4, 5]}),
    "m_put_create_only_exists": (
        ("err", "ElementExistsError", 24, ""),
        {"m": {"a": 1, "b": 2, "c": 3, "d": 4}},
    ),
    "m_put_create_only_new": (("ok", 0), {"m": {"a": 1, "b": 2, "c": 3, "d": 4, "z": 9}}),
    "m_put_update_only_missing": (
        ("err", "ElementNotFoundError", 23, ""),
        {"m": {"a": 1, "b": 2, "c": 3, "d": 4}},
    ),
    "m_put_update_only_exists": (("ok", 0), {"m": {"a": 9, "b": 2, "c": 3, "d": 4}}),
    "m_put_update_only_nobin": (("err", "ElementNotFoundError", 23, ""), {"x": 1}),
    "m_put_ko": (("ok", 0), {"x": 1, "m": {"b": 2}}),
    "m_put_int_key": (("ok", 0), {"m": {1: "one", "a": 1, "b": 2, "c": 3, "d": 4}}),
    "m_put_float_key": (("err", "InvalidRequest", 4, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "m_put_list_key": (("err", "InvalidRequest", 4, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "m_put_none_key": (("err", "InvalidRequest", 4, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "m_put_items": (("ok", 0), {"m": {"a": 0, "b": 2, "c": 3, "d": 4, "e": 5}}),
    "m_put_items_empty": (("ok", 0), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "m_put_items_nobin": (("ok", 0), {"x": 1, "m": {"a": 1, "b": 2}}),
    "m_put_items_create_only": (
        ("err", "ElementExistsError", 24, ""),
        {"m": {"a": 1, "b": 2, "c": 3, "d": 4}},
    ),
    "m_put_items_update_only": (
        ("err", "ElementNotFoundError", 23, ""),
        {"m": {"a": 1, "b": 2, "c": 3, "d": 4}},
    ),
    "m_put_items_list": (
        ("err", "ParamError", -2, "Value of map_put_items should be of type dict"),
        {"m": {"a": 1, "b": 2, "c": 3, "d": 4}},
    ),
    "m_incr": (("ok", 0), {"m": {"a": 6, "b": 2, "c": 3, "d": 4}}),
    "m_incr_newkey": (("ok", 0), {"m": {"a": 1, "b": 2, "c": 3, "d": 4, "z": 5}}),
    "m_incr_float": (("ok", 0), {"m": {"a": 2, "b": 2, "c": 3, "d": 4}}),
    "m_incr_str_val": (("err", "InvalidRequest", 4, ""), {"m": {"a": "x"}}),
    "m_incr_str_delta": (("err", "InvalidRequest", 4, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "m_incr_nobin": (("ok", 0), {"x": 1, "m": {"a": 2}}),
    "m_decr": (("ok", 0), {"m": {"a": -4, "b": 2, "c": 3, "d": 4}}),
    "m_decr_newkey": (("ok", 0), {"m": {"a": 1, "b": 2, "c": 3, "d": 4, "z": -5}}),
    "m_size": (("ok", 4), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "m_size_nobin": (("ok", 0), {"x": 1}),
    "m_size_norec": (("err", "RecordNotFound", 2, ""), None),
    "m_size_listbin": (("err", "BinIncompatibleType", 12, ""), {"l": [1, 2, 3, 4, 5]}),
    "m_clear": (("ok", 0), {"m": {}}),
    "m_clear_nobin": (("ok", 0), {"x": 1}),
    "m_clear_norec": (("err", "RecordNotFound", 2, ""), None),
    "m_set_policy": (("ok", 0), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "m_set_policy_nobin": (("ok", 0), {"x": 1, "m": {}}),
    "m_set_policy_listbin": (("err", "BinIncompatibleType", 12, ""), {"l": [1, 2, 3, 4, 5]}),
    "rm_key_rt0": (("ok", None), {"m": {"a": 1, "c": 3, "d": 4}}),
    "get_key_rt0": (("ok", None), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_rt0": (("ok", None), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_rt0": (("ok", None), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_rt0": (("ok", None), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_rt1": (("ok", 1), {"m": {"a": 1, "c": 3, "d": 4}}),
    "get_key_rt1": (("ok", 1), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_rt1": (("ok", [1, 2]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_rt1": (("ok", [1, 2]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_rt1": (("ok", 3), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_rt2": (("ok", 2), {"m": {"a": 1, "c": 3, "d": 4}}),
    "get_key_rt2": (("ok", 2), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_rt2": (("ok", [1, 2]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_rt2": (("ok", [1, 2]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_rt2": (("ok", 0), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_rt3": (("ok", 1), {"m": {"a": 1, "c": 3, "d": 4}}),
    "get_key_rt3": (("ok", 1), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_rt3": (("ok", [1, 2]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_rt3": (("ok", [1, 2]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_rt3": (("ok", 3), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_rt4": (("ok", 2), {"m": {"a": 1, "c": 3, "d": 4}}),
    "get_key_rt4": (("ok", 2), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_rt4": (("ok", [2, 1]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_rt4": (("ok", [2, 1]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_rt4": (("ok", 0), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_rt5": (("ok", 1), {"m": {"a": 1, "c": 3, "d": 4}}),
    "get_key_rt5": (("ok", 1), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_rt5": (("ok", 2), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_rt5": (("ok", 2), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_rt5": (("ok", 1), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_rt6": (("ok", "b"), {"m": {"a": 1, "c": 3, "d": 4}}),
    "get_key_rt6": (("ok", "b"), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_rt6": (("ok", ["b", "c"]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_rt6": (("ok", ["b", "c"]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_rt6": (("ok", "d"), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_rt7": (("ok", 2), {"m": {"a": 1, "c": 3, "d": 4}}),
    "get_key_rt7": (("ok", 2), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_rt7": (("ok", [2, 3]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_rt7": (("ok", [2, 3]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_rt7": (("ok", 4), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_rt8": (("ok", [("b", 2)]), {"m": {"a": 1, "c": 3, "d": 4}}),
    "get_key_rt8": (("ok", [("b", 2)]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_rt8": (("ok", [("b", 2), ("c", 3)]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_rt8": (("ok", [("b", 2), ("c", 3)]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_rt8": (("ok", [("d", 4)]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_missing": (("ok", None), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_missing_kv": (("ok", []), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_missing_idx": (("ok", -1), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_key_nobin": (("ok", None), {"x": 1}),
    "rm_key_norec": (("err", "RecordNotFound", 2, ""), None),
    "rm_key_listbin": (("err", "BinIncompatibleType", 12, ""), {"l": [1, 2, 3, 4, 5]}),
    "rm_key_list": (("ok", [("a", 1), ("c", 3)]), {"m": {"b": 2, "d": 4}}),
    "rm_key_list_val": (("ok", [1, 3]), {"m": {"b": 2, "d": 4}}),
    "rm_key_list_notlist": (
        ("err", "ParamError", -2, "List parameter should be of type list"),
        {"m": {"a": 1, "b": 2, "c": 3, "d": 4}},
    ),
    "rm_key_range": (("ok", ["b", "c"]), {"m": {"a": 1, "d": 4}}),
    "rm_key_range_none_end": (("ok", []), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_value": (("ok", ["a", "c"]), {"m": {"b": 2}}),
    "rm_value_count": (("ok", 2), {"m": {"b": 2}}),
    "rm_value_list": (("ok", ["a", "d"]), {"m": {"b": 2, "c": 3}}),
    "rm_value_range": (("ok", [2, 3]), {"m": {"a": 1, "d": 4}}),
    "rm_index": (("ok", [("a", 1)]), {"m": {"b": 2, "c": 3, "d": 4}}),
    "rm_index_neg": (("ok", "d"), {"m": {"a": 1, "b": 2, "c": 3}}),
    "rm_index_past": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_index_past_none": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_index_range": (("ok", ["b", "c"]), {"m": {"a": 1, "d": 4}}),
    "rm_index_range_over": (("ok", ["c", "d"]), {"m": {"a": 1, "b": 2}}),
    "rm_index_range_past": (("ok", []), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_index_range_negcount": (("ok", ["b", "c", "d"]), {"m": {"a": 1}}),
    "rm_rank": (("ok", "a"), {"m": {"b": 2, "c": 3, "d": 4}}),
    "rm_rank_past": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "rm_rank_range": (("ok", [3, 4]), {"m": {"a": 1, "b": 2}}),
    "get_key_missing": (("ok", None), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_missing_kv": (("ok", []), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_missing_count": (("ok", 0), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_missing_rank": (("ok", -1), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_nobin": (("ok", None), {"x": 1}),
    "get_key_nobin_kv": (("ok", None), {"x": 1}),
    "get_key_nobin_count": (("ok", None), {"x": 1}),
    "get_key_norec": (("err", "RecordNotFound", 2, ""), None),
    "get_key_listbin": (("err", "BinIncompatibleType", 12, ""), {"l": [1, 2, 3, 4, 5]}),
    "get_key_strbin": (("err", "BinIncompatibleType", 12, ""), {"s": "str"}),
    "get_key_range_none_begin": (("ok", ["a", "b"]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_none_end": (("ok", []), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_empty": (("ok", []), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_key_range_reversed": (("ok", []), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_value": (("ok", ["a", "c"]), {"m": {"a": 1, "b": 2, "c": 1}}),
    "get_value_kv": (("ok", [("a", 1), ("c", 1)]), {"m": {"a": 1, "b": 2, "c": 1}}),
    "get_value_none": (("ok", []), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_value_range": (("ok", ["b", "c"]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_value_range_none_end": (("ok", []), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index": (("ok", [("a", 1)]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_neg": (("ok", 4), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_past": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_neg_past": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_nobin": (("ok", None), {"x": 1}),
    "get_index_range_over": (("ok", ["c", "d"]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_past": (("ok", []), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_neg": (("ok", ["b", "c"]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_neg_past": (("ok", ["a"]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_index_range_zero": (("ok", []), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank": (("ok", [("a", 1)]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_past": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_range": (("ok", [("b", 2), ("c", 3)]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "get_rank_range_neg": (("ok", ["d"]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "mixed_keys_order": (("ok", [1, 2, "a", "b"]), {"m": {1: 5, 2: 2, "a": 4, "b": 1}}),
    "mixed_values_rank": (
        ("ok", ["e", "b", "a", "d", "c"]),
        {"m": {"a": "x", "b": 2, "c": 1.5, "d": [1], "e": None}},
    ),
    "ops_map_all": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "ops_map_operate": (("ok", {"m": ["a", 1, "b", 2]}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}}),
    "ops_map_noreturn_type": (("ok", {"m": None}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "ops_map_put_only": (("ok", {"m": 5}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}}),
    "ops_map_set_policy_then_kv": (
        (
            "ok",
            [("m", None), ("m", ["a", 1, "b", 2, "c", 3, "d", 4]), ("m", {"a": 1, "b": 2, "c": 3, "d": 4})],
        ),
        {"m": {"a": 1, "b": 2, "c": 3, "d": 4}},
    ),
    "ops_ko_put_read": (
        ("ok", [("m", 3), ("m", {"a": 1, "b": 2, "d": 4})]),
        {"x": 1, "m": {"a": 1, "b": 2, "d": 4}},
    ),
    "unknown_rt_9": (("ok", [1, 2]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_9": (("ok", {"m": [1, 2]}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_10": (("ok", [1, 2]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_10": (("ok", {"m": [1, 2]}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_11": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_11": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_12": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_12": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_13": (("ok", True), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_13": (("ok", {"m": True}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_16": (("ok", {"b": 2, "c": 3}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_16": (("ok", {"m": {"b": 2, "c": 3}}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_17": (("ok", {"b": 2, "c": 3}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_17": (("ok", {"m": {"b": 2, "c": 3}}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_65537": (("ok", [0, 3]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_65537": (("ok", {"m": [0, 3]}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_65542": (("ok", ["a", "d"]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_65542": (("ok", {"m": ["a", "d"]}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_65544": (("ok", ["a", 1, "d", 4]), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_65544": (("ok", {"m": ["a", 1, "d", 4]}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_-1": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_-1": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_255": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_255": (("err", "OpNotApplicable", 26, ""), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_1048576": (("ok", None), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
    "unknown_rt_op_1048576": (("ok", {"m": None}), {"m": {"a": 1, "b": 2, "c": 3, "d": 4}}),
}


def _outcome(client: Any, name: str, before: Any, method: str, args: tuple) -> tuple:
    """(result or error, bins after) of one case, in the shape of EXPECTED."""
    key = ("test", SET, name)
    try:
        client.remove(key)
    except exception.RecordNotFound:
        pass
    if before is not None:
        client.put(key, before)
    try:
        result = getattr(client, method)(key, *args)
        outcome: tuple = ("ok", result[2] if method.startswith("operate") else result)
    except exception.AerospikeError as error:
        # Server errors carry the node's address in their message: compare class and code only.
        outcome = ("err", type(error).__name__, error.code, error.msg if (error.code or 0) < 0 else "")
    try:
        after = client.get(key)[2]
    except exception.RecordNotFound:
        after = None
    return outcome, after


def _mismatches(client: Any) -> list[str]:
    found = []
    for name, before, method, args in CASES:
        got = _outcome(client, name, before, method, args)
        # repr: dict order and tuple-vs-list shapes are part of the contract.
        if repr(got) != repr(EXPECTED[name]):
            found.append(f"{name}: expected {EXPECTED[name]!r}, got {got!r}")
    return found


def test_every_case_has_an_expectation() -> None:
    names = [name for name, *_ in CASES]
    assert len(names) == len(set(names)) and set(names) == set(EXPECTED)


def test_table(backend: Backend) -> None:
    client = backend.client()
    try:
        assert _mismatches(client) == []
    finally:
        for name, *_ in CASES:
            try:
                client.remove(("test", SET, name))
            except exception.RecordNotFound:
                pass
        client.close()


ONLY_KEYS = "Operation can contain only op, bin, index, key, val, return_type and map_policy keys"
ITEMS = "Items should be of type list"
LIST_PARAM = "List parameter should be of type list"
KV = A.MAP_RETURN_KEY_VALUE

# (method, args after the key, kwargs, class, code, message); TypeError rows check the class only.
ARGUMENT_ERRORS: list[tuple] = [
    ("list_insert", ("l", 1.5, "x"), {}, TypeError, None, None),
    ("list_get", ("l", "0"), {}, TypeError, None, None),
    ("list_get_range", ("l", 0, None), {}, TypeError, None, None),
    ("map_get_by_key", ("m", "a", "7"), {}, TypeError, None, None),
    ("map_get_by_index_range", ("m", 0, 1.0, KV), {}, TypeError, None, None),
    ("list_extend", ("l", (1, 2)), {}, exception.ParamError, -2, ITEMS),
    ("list_insert_items", ("l", 0, "x"), {}, exception.ParamError, -2, ITEMS),
    ("map_remove_by_key_list", ("m", "a", KV), {}, exception.ParamError, -2, LIST_PARAM),
    ("map_remove_by_value_list", ("m", {1: 2}, KV), {}, exception.ParamError, -2, LIST_PARAM),
    ("list_append", (b"l", 1), {}, exception.ParamError, -2, "Bin name should be of type string"),
    ("list_append", (None, 1), {}, exception.ParamError, -2, "Bin name should be of type string"),
    ("map_size", (5,), {}, exception.ParamError, -2, "Bin name should be of type string"),
    (
        "list_append",
        ("x" * 15, 1),
        {},
        exception.BinNameError,
        21,
        "A bin name should not exceed 14 characters limit",
    ),
    ("map_put", ("m", "a", 1, "MAP_UPDATE"), {}, exception.ParamError, -2, "policy must be a dict"),
    ("map_put", ("m", "a", 1, {"map_order": "1"}), {}, exception.ParamError, -2, "map_order is invalid"),
    (
        "map_set_policy",
        ("m", {"map_write_mode": 1.5}),
        {},
        exception.ParamError,
        -2,
        "map_write_mode is invalid",
    ),
    # 3.0.0's order: meta before bin; the items check of list_extend before everything but the connection.
    ("list_append", (5, 1), {"meta": "x"}, exception.ParamError, -2, "Metadata should be of type dictionary"),
    ("map_put", (5, "a", 1, "MAP_UPDATE"), {}, exception.ParamError, -2, "Bin name should be of type string"),
    (
        "operate",
        ([{"op": A.OP_LIST_APPEND, "bin": "l"}],),
        {},
        exception.ParamError,
        -2,
        "Value should be given",
    ),
    ("operate", ([{"op": A.OP_LIST_SIZE}],), {}, exception.ParamError, -2, "Bin is not given"),
    (
        "operate",
        ([{"op": A.OP_LIST_GET, "bin": "l", "index": "0"}],),
        {},
        exception.ParamError,
        -2,
        "Index should be an integer",
    ),
    (
        "operate",
        ([{"op": A.OP_LIST_SIZE, "bin": "l", "index": 0}],),
        {},
        exception.ParamError,
        -2,
        "Operation does not need an index value",
    ),
    (
        "operate",
        ([{"op": A.OP_LIST_POP_RANGE, "bin": "l", "index": 0, "val": "2"}],),
        {},
        exception.ParamError,
        -2,
        "Offset should be of int or long type",
    ),
    (
        "operate",
        ([{"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "a", "return_type": "7"}],),
        {},
        exception.ParamError,
        -2,
        "Return type should be an integer",
    ),
    (
        "operate",
        ([{"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "return_type": 7}],),
        {},
        exception.ParamError,
        -2,
        "Operation requires key parameter",
    ),
    (
        "operate",
        ([{"op": A.OP_MAP_GET_BY_VALUE_RANGE, "bin": "m", "val": 1}],),
        {},
        exception.ParamError,
        -2,
        "Range should be given",
    ),
    (
        "operate",
        ([{"op": A.OP_MAP_SET_POLICY, "bin": "m"}],),
        {},
        exception.ParamError,
        -2,
        "Operation requires map_policy parameter",
    ),
    (
        "operate",
        ([{"op": A.OP_MAP_GET_BY_RANK, "bin": "m", "return_type": 7, "inverted": True}],),
        {},
        exception.ParamError,
        -2,
        ONLY_KEYS,
    ),
    (
        "operate",
        ([{"op": A.OP_LIST_APPEND_ITEMS, "bin": "l", "val": 1}],),
        {},
        exception.ParamError,
        -2,
        "Value of list_append_items should be of type list",
    ),
]


def _argument_errors(client: Any) -> list[str]:
    key = ("test", SET, "argument-errors")
    client.put(key, {"l": [1, 2], "m": {"a": 1}})
    found = []
    for method, args, kwargs, cls, code, message in ARGUMENT_ERRORS:
        try:
            getattr(client, method)(key, *args, **kwargs)
            found.append(f"{method}{args}: no error")
            continue
        except Exception as error:  # noqa: BLE001 - the class is what is checked
            got = (type(error), getattr(error, "code", None), getattr(error, "msg", None))
        expected = (cls, code, message)
        if cls is TypeError:
            got = (got[0], None, None)
        if got != expected:
            found.append(f"{method}{args} {kwargs}: expected {expected}, got {got}")
    # Nothing was written by any of them.
    if client.get(key)[2] != {"l": [1, 2], "m": {"a": 1}}:
        found.append(f"the record changed: {client.get(key)[2]}")
    client.remove(key)
    return found


def test_argument_errors(backend: Backend) -> None:
    client = backend.client()
    try:
        assert _argument_errors(client) == []
    finally:
        client.close()


def test_bytearray_bin_names_are_read_up_to_their_nul(backend: Backend) -> None:
    client = backend.client()
    key = ("test", SET, "bytearray-bin")
    try:
        assert client.list_append(key, bytearray(b"l\0ignored"), 1) == 0
        assert client.map_put(key, bytearray(b"m"), "a", 1) == 0
        assert client.get(key)[2] == {"l": [1], "m": {"a": 1}}
    finally:
        client.close()

