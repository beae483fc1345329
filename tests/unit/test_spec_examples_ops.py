"""operate's requests and replies with list/map operations, without a server: the spec's OP_LIST_* / OP_MAP_*
examples build into operate requests with the right header bits, and reply ops pair with their request ops
(one per op under RESPOND_ALL_OPS, else by bin) and take their operation's result shape; the recorded 19.3.0
requests and replies of multi-op calls (transcripts 05/06) give the same bytes and the spec's results."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike
from aerospike import record_commands as rc
from aerospike.key import parse_key
from aerospike.policy import build_defaults
from aerospike.protocol import constants as c
from aerospike.protocol.message import Message, Op
from aerospike.values import ValueCodec
from tests.support import transcripts as t
from tests.unit.test_ops_list import EXAMPLES

A = aerospike
CODEC = ValueCodec()
KEY = parse_key(("test", "demo", 1))
POLICY = build_defaults({"operate": {}})["operate"]
READ_ONLY = {"OP_LIST_GET", "OP_LIST_GET_RANGE", "OP_LIST_SIZE", "OP_MAP_SIZE"} | {
    name for name, _ in EXAMPLES if name.startswith("OP_MAP_GET_BY_")
}


def request_message(spec: rc.OperateSpec) -> Message:
    (message,) = t.messages(spec.request)
    return message


@pytest.mark.parametrize(("name", "code"), EXAMPLES, ids=[name for name, _code in EXAMPLES])
def test_spec_example_builds_an_operate_request(name: str, code: str) -> None:
    operation = eval(code.strip(), {"aerospike": A, "Aerospike": A, "Aeorspike": A})
    spec = rc.encode_operate(KEY, [operation], None, POLICY, CODEC)
    message = request_message(spec)
    (op,) = message.ops
    assert op.bin_name == operation["bin"]
    is_map = name.startswith("OP_MAP_")
    if name in READ_ONLY:
        assert (op.op_type, message.info1 & c.INFO1_READ, message.info2 & c.INFO2_WRITE) == (c.OP_CDT_READ, 1, 0)
        assert not spec.is_write
    else:
        assert (op.op_type, message.info1, message.info2 & c.INFO2_WRITE) == (c.OP_CDT_MODIFY, 0, c.INFO2_WRITE)
        assert spec.is_write
    # The official client asks for one reply op per request op when a map operation is in the request.
    assert bool(message.info2 & c.INFO2_RESPOND_ALL_OPS) == is_map == spec.respond_all_ops
    ((bin_name, slot),) = spec.results
    assert bin_name == operation["bin"] and slot.op_code == operation["op"]


def _int(value: int) -> tuple[int, bytes]:
    return CODEC.encode(value)


def _reply(*ops: tuple[str, Any]) -> Message:
    reply_ops = []
    for name, value in ops:
        particle_type, data = (c.PARTICLE_NULL, b"") if value is None else CODEC.encode(value)
        reply_ops.append(Op(c.OP_READ, particle_type, name, data))
    return Message(generation=3, ops=reply_ops)


def test_respond_all_ops_pairs_one_reply_op_per_request_op_and_drops_scalar_writes() -> None:
    operations = [
        {"op": A.OPERATOR_WRITE, "bin": "m", "val": 1},
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "m", "key": "a", "return_type": A.MAP_RETURN_KEY_VALUE},
        {"op": A.OPERATOR_INCR, "bin": "n", "val": 1},
        {"op": A.OPERATOR_READ, "bin": "n"},
        {"op": A.OP_MAP_CLEAR, "bin": "x"},
    ]
    spec = rc.encode_operate(KEY, operations, None, POLICY, CODEC)
    assert spec.respond_all_ops and spec.is_write
    reply = _reply(("m", None), ("m", ["a", 1]), ("n", None), ("n", 2), ("x", None))
    _, meta, bins = rc.operate_parser(KEY, CODEC, spec)(reply)
    assert meta["gen"] == 3
    # operate's KEY_VALUE results are flat lists (client.rst, since 2.1.3); the map_* methods give tuples.
    assert bins == {"m": ["a", 1], "n": 2, "x": None}
    assert rc.operate_ordered_parser(KEY, CODEC, spec)(reply)[2] == [("m", ["a", 1]), ("n", 2), ("x", None)]
    spec.key_value_pairs = True
    assert rc.operate_ordered_parser(KEY, CODEC, spec)(reply)[2] == [("m", [("a", 1)]), ("n", 2), ("x", None)]


def test_without_respond_all_ops_reply_ops_pair_by_bin_in_order() -> None:
    operations = [
        {"op": A.OP_LIST_SET, "bin": "k", "index": 0, "val": 9},  # answers nothing
        {"op": A.OPERATOR_WRITE, "bin": "l", "val": [1]},
        {"op": A.OP_LIST_APPEND, "bin": "l", "val": 2},
        {"op": A.OP_LIST_GET, "bin": "k", "index": 0},
        {"op": A.OPERATOR_READ, "bin": "l"},
    ]
    spec = rc.encode_operate(KEY, operations, None, POLICY, CODEC)
    assert not spec.respond_all_ops
    assert not request_message(spec).info2 & c.INFO2_RESPOND_ALL_OPS
    reply = _reply(("l", 2), ("k", 9), ("l", [1, 2]))
    assert rc.operate_ordered_parser(KEY, CODEC, spec)(reply)[2] == [("l", 2), ("k", 9), ("l", [1, 2])]
    assert rc.operate_parser(KEY, CODEC, spec)(reply)[2] == {"l": [1, 2], "k": 9}


def test_a_bare_is_write_flag_decodes_reply_ops_as_they_are() -> None:
    reply = _reply(("l", 2), ("m", ["a", 1]))
    assert rc.operate_parser(KEY, CODEC, True)(reply)[2] == {"l": 2, "m": ["a", 1]}
    assert rc.operate_ordered_parser(KEY, CODEC, False)(reply)[2] == [("l", 2), ("m", ["a", 1])]


def test_errors_of_operate_replies_raise() -> None:
    spec = rc.encode_operate(KEY, [{"op": A.OP_LIST_POP, "bin": "l", "index": 9}], None, POLICY, CODEC)
    with pytest.raises(A.exception.OpNotApplicable):
        rc.operate_parser(KEY, CODEC, spec)(Message(result_code=26))
    with pytest.raises(A.exception.ParamError, match="index"):
        rc.encode_operate(KEY, [{"op": A.OP_LIST_POP, "bin": "l"}], None, POLICY, CODEC)


@pytest.mark.parametrize(
    ("fragment", "operations", "ordered", "expected"),
    [
        (
            "lo.list_append('l', 6), lo.list_size('l'), lo.list_get_range('l', 0, 3)",
            [
                {"op": A.OP_LIST_APPEND, "bin": "l", "val": 6},
                {"op": A.OP_LIST_SIZE, "bin": "l"},
                {"op": A.OP_LIST_GET_RANGE, "bin": "l", "index": 0, "val": 3},
            ],
            False,
            {"l": [3, 1, 2]},
        ),
        (
            "lo.list_append('l', 7), lo.list_size('l'), lo.list_get_range('l', 0, 3)",
            [
                {"op": A.OP_LIST_APPEND, "bin": "l", "val": 7},
                {"op": A.OP_LIST_SIZE, "bin": "l"},
                {"op": A.OP_LIST_GET_RANGE, "bin": "l", "index": 0, "val": 3},
            ],
            True,
            [("l", 7), ("l", 7), ("l", [3, 1, 2])],
        ),
        (
            "mo.map_put_items('m', {'k': 1, 'j': 2}), mo.map_size('m')",
            [
                {"op": A.OP_MAP_PUT_ITEMS, "bin": "m", "val": {"k": 1, "j": 2}},
                {"op": A.OP_MAP_SIZE, "bin": "m"},
                {"op": A.OP_MAP_GET_BY_RANK, "bin": "m", "index": 0, "return_type": A.MAP_RETURN_KEY},
            ],
            False,
            {"m": "k"},
        ),
    ],
)
def test_recorded_multi_op_calls(fragment: str, operations: list, ordered: bool, expected: Any) -> None:
    exchange = t.find("05-list-ops" if fragment.startswith("lo.") else "06-map-ops", fragment)
    recorded = t.messages(exchange.request)[0]
    spec = rc.encode_operate(parse_key(("test", "s05", "l")), operations, None, POLICY, CODEC)
    ours = request_message(spec)
    assert ours.ops == recorded.ops
    assert (ours.info1, ours.info2, ours.info3) == (recorded.info1, recorded.info2, recorded.info3)
    parser = rc.operate_ordered_parser if ordered else rc.operate_parser
    (reply,) = t.messages(exchange.replies[0])
    assert parser(KEY, CODEC, spec)(reply)[2] == expected
