"""Operate replies that mix plain writes with expression operations (issue 12), and the batch policy's replica
as a policy key; no socket. 19.3.0 asks the server for every op's reply when an expression op is in the request
and reports each write's nil reply as ``None``; 3.0.0's map operations also ask for every reply but drop them.
"""

from __future__ import annotations

import pytest

import aerospike
from aerospike import record_commands as rc
from aerospike.key import parse_key
from aerospike.policy import build, build_defaults
from aerospike.protocol.constants import INFO2_RESPOND_ALL_OPS, PARTICLE_INTEGER, PARTICLE_NULL
from aerospike.protocol.message import Op, decode_message
from aerospike.values import ValueCodec
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import expression_operations as eo
from aerospike_helpers.operations import map_operations as mo
from aerospike_helpers.operations import operations as op

CODEC = ValueCodec()
KEY = parse_key(("test", "rpl", "k"))
POLICY = build("operate")
E = exp.Add(exp.IntBin("a"), 5).compile()


def _nil(name: str) -> Op:
    return Op(0, PARTICLE_NULL, name, b"")


def _int(name: str, value: int) -> Op:
    return Op(0, PARTICLE_INTEGER, name, value.to_bytes(8, "big", signed=True))


CASES = [
    # (operations, reply ops the server sends under RESPOND_ALL_OPS, expected ordered results)
    ([op.write("b", 2), eo.expression_write("c", E)], [_nil("b"), _nil("c")], [("b", None), ("c", None)]),
    ([op.write("b", 2), eo.expression_read("c", E)], [_nil("b"), _int("c", 6)], [("b", None), ("c", 6)]),
    ([op.increment("a", 1), eo.expression_write("c", E), op.read("a")], [_nil("a"), _nil("c"), _int("a", 2)],
     [("a", None), ("c", None), ("a", 2)]),
    ([op.touch(10), eo.expression_write("c", E)], [_nil(""), _nil("c")], [("c", None)]),
    # 3.0.0's map operation alone keeps dropping the write's nil reply.
    ([op.write("b", 2), mo.map_put("m", "y", 2)], [_nil("b"), _int("m", 2)], [("m", 2)]),
]


@pytest.mark.parametrize("operations, reply, expected", CASES)
def test_operate_results_of_writes_beside_expression_ops(operations: list, reply: list, expected: list) -> None:
    spec = rc.encode_operate(KEY, operations, None, POLICY, CODEC)
    assert rc._results_of_ops(spec, reply, CODEC) == expected


@pytest.mark.parametrize("operation", [eo.expression_read("c", E), eo.expression_write("c", E)])
def test_expression_ops_ask_for_every_ops_reply(operation: dict) -> None:
    spec = rc.encode_operate(KEY, [op.write("b", 2), operation], None, POLICY, CODEC)
    message = decode_message(spec.request[8:], 0)[0]
    assert message.info2 & INFO2_RESPOND_ALL_OPS
    assert spec.reports_writes


def test_plain_operate_does_not_report_writes() -> None:
    spec = rc.encode_operate(KEY, [op.write("b", 2), op.read("b")], None, POLICY, CODEC)
    assert not spec.reports_writes and not spec.respond_all_ops
    assert rc._results_of_ops(spec, [_int("b", 2)], CODEC) == [("b", 2)]


@pytest.mark.parametrize(
    "given, expected",
    [
        ({}, aerospike.POLICY_REPLICA_MASTER),
        ({"replica": aerospike.POLICY_REPLICA_SEQUENCE}, aerospike.POLICY_REPLICA_SEQUENCE),
        ({"replica": aerospike.POLICY_REPLICA_ANY}, aerospike.POLICY_REPLICA_ANY),
        ({"replica": "sequence"}, aerospike.POLICY_REPLICA_MASTER),  # 3.0.0 ignored the key: still no error
        ({"replica": None}, aerospike.POLICY_REPLICA_MASTER),
    ],
)
def test_batch_policy_reads_replica(given: dict, expected: int) -> None:
    assert build("batch", given).replica == expected
    assert build_defaults({"batch": given})["batch"].replica == expected
