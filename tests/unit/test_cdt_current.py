"""The current API's list and map operations (aerospike_helpers.operations.list_operations / map_operations),
without a server:

- every helper call of tests/data/cdt_helpers_golden.json returns the dict 19.3.0's helper returned (keys, their
  order and values);
- every operate call of transcripts 05-list-ops and 06-map-ops, made through these helpers, produces the
  recorded request bytes, and the recorded reply parses into the recorded result;
- the current API's keys (ctx, list_policy, inverted) and op codes encode as the official C core writes them,
  while 3.0.0's dicts keep their checks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgpack
import pytest

import aerospike
from aerospike import exception
from aerospike import record_commands as rc
from aerospike.key import parse_key
from aerospike.ops import build_cdt_op
from aerospike.policy import build_defaults
from aerospike.values import ValueCodec
from aerospike_helpers import cdt_ctx as ctx
from aerospike_helpers.operations import list_operations as lo
from aerospike_helpers.operations import map_operations as mo
from aerospike_helpers.operations import operations as op
from tests.support.transcripts import load, messages, split_note

A = aerospike
CODEC = ValueCodec()
GOLDEN = json.loads((Path(__file__).parents[1] / "data" / "cdt_helpers_golden.json").read_text())["shapes"]
NAMES = {"lo": lo, "mo": mo, "ctx": ctx, "op": op, "aerospike": aerospike}
_OPERATE = re.compile(r"^_ = client\.(operate|operate_ordered)\((\(.*?\)), (\[.*\])\)$")


def _plain(value: Any) -> Any:
    """A helper's dict in the golden file's JSON form (contexts as ['ctx', id, value, extra_args])."""
    if isinstance(value, ctx._cdt_ctx):
        return ["ctx", value.id, value.value, value.extra_args]
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: _plain(item) for key, item in value.items()}
        return {"__pairs__": [[_plain(key), _plain(item)] for key, item in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


@pytest.mark.parametrize("source,expected", GOLDEN, ids=[row[0][:90] for row in GOLDEN])
def test_helper_dicts_equal_19_3_0(source: str, expected: list) -> None:
    built = eval(source, dict(NAMES))  # noqa: S307 - sources are the checked-in golden table
    assert [[key, _plain(value)] for key, value in built.items()] == expected


def _operate_calls() -> list[tuple[str, Any]]:
    calls = []
    for step in ("05-list-ops", "06-map-ops"):
        for exchange in load(step):
            source, _ = split_note(exchange.note)
            if _OPERATE.match(source):
                calls.append((source, exchange))
    return calls


CALLS = _operate_calls()


def _encode(source: str) -> tuple[Any, Any, bool]:
    match = _OPERATE.match(source)
    assert match is not None
    key = parse_key(eval(match.group(2)))  # noqa: S307 - transcript notes are checked-in data
    operations = eval(match.group(3), dict(NAMES))  # noqa: S307
    ordered = match.group(1) == "operate_ordered"
    policy = build_defaults({"operate": {}})["operate"]
    return key, rc.encode_operate(key, operations, None, policy, CODEC, ordered=ordered), ordered


def test_every_list_and_map_helper_is_in_the_transcripts() -> None:
    sources = " ".join(source for source, _ in CALLS)
    used = {name for name in re.findall(r"\b(?:lo|mo)\.(\w+)\(", sources)}
    assert len(CALLS) == 174
    assert len(used) >= 55


@pytest.mark.parametrize("source,exchange", CALLS, ids=[f"{e.step}-{e.call}" for _, e in CALLS])
def test_transcript_request_bytes_and_results(source: str, exchange: Any) -> None:
    key, spec, ordered = _encode(source)
    assert spec.request == exchange.request
    parser = (rc.operate_ordered_parser if ordered else rc.operate_parser)(key, CODEC, spec)
    result = split_note(exchange.note)[1]
    reply = messages(exchange.replies[0])[0]
    if result.startswith("raised "):
        with pytest.raises(exception.AerospikeError) as raised:
            parser(reply)
        assert result.startswith(f"raised {type(raised.value).__name__}(code={raised.value.code},")
    else:
        recorded = eval(result, {"bytearray": bytearray})  # noqa: S307 - transcript notes are checked-in data
        parsed = parser(reply)
        assert parsed[2] == recorded[2]
        assert repr(parsed[2]) == repr(recorded[2])  # tuples stay tuples, lists lists
        assert parsed[1]["gen"] == recorded[1]["gen"]


def _payload(operation: dict) -> Any:
    built, _ = build_cdt_op(operation)
    return built.op_type, msgpack.unpackb(built.value, strict_map_key=False)


@pytest.mark.parametrize(
    "operation,op_type,payload",
    [
        # list policy: append/append_items/increment carry order and flags, insert/insert_items/set only flags
        (lo.list_append("l", 1, {"write_flags": 1, "list_order": 1}), 4, [1, 1, 1, 1]),
        (lo.list_append_items("l", [1], {"write_flags": 4}), 4, [2, [1], 0, 4]),
        (lo.list_increment("l", 0, 2, {"write_flags": 8}), 4, [12, 0, 2, 0, 8]),
        (lo.list_insert_items("l", 0, [1], {"write_flags": 2}), 4, [4, 0, [1], 2]),
        # contexts, create contexts and nested create
        (lo.list_append("l", 1, ctx=[ctx.cdt_ctx_map_key("k"), ctx.cdt_ctx_list_index(-1)]), 4,
         [0xFF, [0x22, "\x03k", 0x10, -1], [1, 1]]),
        (lo.list_size("l", ctx=[ctx.cdt_ctx_list_index_create(2, A.LIST_UNORDERED, True)]), 3,
         [0xFF, [0x90, 2], [16]]),
        (mo.map_put("m", "a", 1, ctx=[ctx.cdt_ctx_map_key_create("n", A.MAP_KEY_VALUE_ORDERED)]), 4,
         [0xFF, [0xE2, "\x03n"], [67, "\x03a", 1, 0]]),
        (lo.list_create("l", A.LIST_ORDERED, False, True), 4, [0, 0x11]),
        (lo.list_create("l", A.LIST_UNORDERED, True, True, ctx=[ctx.cdt_ctx_list_index(3)]), 4,
         [0xFF, [0x90, 3], [0, 0]]),
        (lo.list_create("l", A.LIST_ORDERED, False, False, ctx=[ctx.cdt_ctx_map_key("k")]), 4,
         [0xFF, [0xE2, "\x03k"], [0, 1]]),
        (mo.map_create("m", A.MAP_KEY_ORDERED, True), 4, [64, 0x11]),
        (mo.map_create("m", A.MAP_KEY_ORDERED, False, [ctx.cdt_ctx_map_key("k")]), 4,
         [0xFF, [0xA2, "\x03k"], [64, 1]]),
        (mo.map_create("m", A.MAP_UNORDERED, False, [ctx.cdt_ctx_list_index(0)]), 4,
         [0xFF, [0x50, 0], [64, 0]]),
        (mo.map_set_policy("m", {"map_order": A.MAP_KEY_ORDERED, "persist_index": True}), 4, [64, 0x11]),
        # 'to the end' forms and the codes 19.x defines but its helpers do not write
        (lo.list_remove_by_rank_range("l", -2, A.LIST_RETURN_VALUE), 4, [39, 7, -2]),
        ({"op": A.OP_LIST_GET_BY_INDEX_RANGE_TO_END, "bin": "l", "index": 1, "return_type": 7}, 3, [24, 7, 1]),
        ({"op": A.OP_MAP_GET_BY_RANK_RANGE_TO_END, "bin": "m", "rank": 1, "return_type": 6}, 3, [106, 6, 1]),
        ({"op": A.OP_MAP_REMOVE_BY_INDEX_RANGE_TO_END, "bin": "m", "index": 1, "return_type": 6}, 4, [85, 6, 1]),
        (mo.map_remove_by_key_index_range_relative("m", "a", -1, 6, inverted=True), 4,
         [88, 0x10006, "\x03a", -1]),
        (mo.map_get_by_value_rank_range_relative("m", 5, 1, 7, 3), 3, [110, 7, 5, 1, 3]),
        (lo.list_get_by_value_range("l", 7, None, 9), 3, [25, 7, None, 9]),
        (lo.list_sort("l", A.LIST_SORT_DROP_DUPLICATES), 4, [13, 2]),
        # inverted on the 3.0.0 map operations 19.x gives it to
        (mo.map_remove_by_value_range("m", 1, 5, A.MAP_RETURN_KEY, True), 4, [86, 0x10006, 1, 5]),
        (mo.map_get_by_rank_range("m", 0, 2, A.MAP_RETURN_VALUE, False), 3, [106, 7, 0, 2]),
    ],
)
def test_current_keys_and_codes_on_the_wire(operation: dict, op_type: int, payload: list) -> None:
    assert _payload(operation) == (op_type, payload)


@pytest.mark.parametrize(
    "operation",
    [
        # 3.0.0 still refuses the current API's keys on operations 19.x does not give them to
        {"op": A.OP_MAP_GET_BY_RANK, "bin": "m", "index": 0, "return_type": 7, "inverted": True},
        {"op": A.OP_LIST_GET, "bin": "l", "index": 0, "list_policy": {}},
        {"op": A.OP_LIST_SIZE, "bin": "l", "inverted": True},
        {"op": A.OP_MAP_PUT, "bin": "m", "key": "a", "val": 1, "count": 1},
    ],
)
def test_3_0_0_key_check_stays(operation: dict) -> None:
    with pytest.raises(exception.ParamError) as raised:
        build_cdt_op(operation)
    assert raised.value.msg == "Operation can contain only op, bin, index, key, val, return_type and map_policy keys"


@pytest.mark.parametrize(
    "operation,message",
    [
        ({"op": A.OP_LIST_GET_BY_INDEX, "return_type": 7, "index": 0}, "Bin is not given"),
        ({"op": A.OP_LIST_GET_BY_INDEX, "bin": "l", "return_type": 7}, "Operation requires index parameter"),
        ({"op": A.OP_LIST_GET_BY_RANK, "bin": "l", "return_type": 7, "rank": "0"}, "rank must be an integer"),
        ({"op": A.OP_LIST_GET_BY_VALUE_LIST, "bin": "l", "return_type": 7, "value_list": 5},
         "value_list must be a list"),
        ({"op": A.OP_LIST_APPEND, "bin": "l", "val": 1, "ctx": "x"}, "ctx must be a list of cdt_ctx objects"),
        ({"op": A.OP_LIST_APPEND, "bin": "l", "val": 1, "ctx": [object()]}, "ctx must be a list of cdt_ctx objects"),
        ({"op": A.OP_LIST_APPEND, "bin": "l", "val": 1, "list_policy": 3}, "list_policy must be a dict"),
        ({"op": A.OP_LIST_APPEND, "bin": "l", "val": 1, "list_policy": {"write_flags": "x"}},
         "write_flags is invalid"),
    ],
)
def test_current_operation_errors(operation: dict, message: str) -> None:
    with pytest.raises(exception.ParamError) as raised:
        build_cdt_op(operation)
    assert raised.value.msg == message
