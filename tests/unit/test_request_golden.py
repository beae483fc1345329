"""Our request bytes against the official client's recorded ones (03, 04), and the recorded replies decoded
to the spec's result shapes (compared with what the official client returned, modulo 3.0.0's value types)."""

from __future__ import annotations

import pickle
from typing import Any, Callable

import pytest

import aerospike
from aerospike import exception
from aerospike import record_commands as rc
from aerospike.key import parse_key
from aerospike.policy import build_defaults
from aerospike.values import GeoJSON, ValueCodec
from tests.support.transcripts import load, messages, split_note

CODEC = ValueCodec()
DEFAULTS = build_defaults(None)
OP = aerospike


def policy(kind: str, **overrides: Any) -> Any:
    return build_defaults({kind: overrides})[kind]


def put(rec: tuple, bins: dict, meta: Any = None, **pol: Any) -> bytes:
    return rc.encode_put(parse_key(rec), CODEC.bins_to_ops(bins), meta, policy("write", **pol))


def get(key: tuple) -> bytes:
    return rc.encode_get(parse_key(key), DEFAULTS["read"])


def operate(rec: tuple, ops: list, meta: Any = None, **pol: Any) -> bytes:
    return rc.encode_operate(parse_key(rec), ops, meta, policy("operate", **pol), CODEC).request


def w(bin: str, val: Any) -> dict:
    return {"op": aerospike.OPERATOR_WRITE, "bin": bin, "val": val}


def r(bin: str) -> dict:
    return {"op": aerospike.OPERATOR_READ, "bin": bin}


def incr(bin: str, val: Any) -> dict:
    return {"op": aerospike.OPERATOR_INCR, "bin": bin, "val": val}


S = ("test", "s03")
OKEY = ("test", "s04", "o")

# call number -> how we build the same request. (Call 50, a dict of several keys, is left out: the official
# client writes map entries in its C hash map's order, which no Python dict order reproduces.)
REQUESTS_03: dict[int, Callable[[], bytes]] = {
    40: lambda: put(S + ("int",), {"i": 7, "zero": 0, "neg": -1, "i255": 255, "i2_31": 2**31, "max": 2**63 - 1,
                                   "min": -(2**63)}),
    41: lambda: get(S + ("int",)),
    42: lambda: put(S + ("float",), {"f": 2.5, "fneg": -0.1, "fbig": 1e300, "fzero": 0.0}),
    44: lambda: put(S + ("str",), {"s": "hello", "su": "héllo wörld ✓ 日本", "empty": ""}),
    # 3.0.0 pickles bytes and None: a bytearray and aerospike.null() send what 19.3.0 sent for them.
    46: lambda: put(S + ("bytes",), {"b": bytearray(b"\x00\x01\xff"), "ba": bytearray(b"abc")}),
    54: lambda: put(S + ("geo",), {"g": GeoJSON({"type": "Point", "coordinates": [-122.0, 37.5]})}),
    58: lambda: put(S + ("null",), {"a": 1, "n": aerospike.null()}),
    60: lambda: put(S + ("null2",), {"a": 1, "n": aerospike.null()}),
    66: lambda: rc.encode_select(parse_key(S + ("all",)), ["i", "s"], DEFAULTS["read"]),
    68: lambda: rc.encode_exists(parse_key(S + ("all",)), DEFAULTS["read"]),
    71: lambda: rc.encode_touch(parse_key(S + ("all",)), 300, None, DEFAULTS["operate"]),
    74: lambda: put(S + ("ttl",), {"a": 1}, {"ttl": 100}),
    76: lambda: put(S + ("ttlnever",), {"a": 1}, {"ttl": -1}),
    78: lambda: put(S + ("sendkey",), {"a": 1}, key=aerospike.POLICY_KEY_SEND),
    80: lambda: put(S + (42,), {"a": 42}, key=aerospike.POLICY_KEY_SEND),
    82: lambda: put(S + (bytearray(b"kb"),), {"a": "b"}, key=aerospike.POLICY_KEY_SEND),
    86: lambda: put(S + ("sendkey",), {"a": 2}, exists=aerospike.POLICY_EXISTS_CREATE),
    87: lambda: put(S + ("missing2",), {"a": 2}, exists=aerospike.POLICY_EXISTS_UPDATE),
    88: lambda: put(S + ("missing2",), {"a": 2}, exists=aerospike.POLICY_EXISTS_REPLACE),
    91: lambda: put(S + ("sendkey",), {"a": 3}, {"gen": 99}, gen=aerospike.POLICY_GEN_EQ),
    93: lambda: put(S + ("sendkey",), {"a": 4}, {"gen": 9}, gen=aerospike.POLICY_GEN_GT),
    96: lambda: put(S + ("ops",), {"x": aerospike.null()}),
    97: lambda: rc.encode_single_op(parse_key(S + ("ops",)), 9, "s", "c", None, DEFAULTS["operate"], CODEC),
    98: lambda: rc.encode_single_op(parse_key(S + ("ops",)), 10, "s", "a", None, DEFAULTS["operate"], CODEC),
    99: lambda: rc.encode_single_op(parse_key(S + ("ops",)), 5, "n", 41, None, DEFAULTS["operate"], CODEC),
    100: lambda: rc.encode_single_op(parse_key(S + ("ops",)), 5, "f", 0.5, None, DEFAULTS["operate"], CODEC),
    101: lambda: rc.encode_single_op(parse_key(S + ("ops",)), 5, "n", -2, None, DEFAULTS["operate"], CODEC),
    105: lambda: rc.encode_single_op(
        parse_key(S + ("bytes",)), 9, "b", bytearray(b"\x02"), None, DEFAULTS["operate"], CODEC
    ),
    109: lambda: rc.encode_remove(parse_key(S + ("ops",)), None, DEFAULTS["remove"]),
    111: lambda: rc.encode_remove(parse_key(S + ("null",)), None, policy("remove", durable_delete=True)),
    112: lambda: rc.encode_remove(parse_key(S + ("sendkey",)), {"gen": 5}, policy("remove", gen=aerospike.POLICY_GEN_EQ)),
    119: lambda: put(("bar", "s03", "inbar"), {"a": "bar"}),
    121: lambda: put(("test", None, "noset"), {"a": 1}),
    122: lambda: get(("test", None, "noset")),
    124: lambda: put(S + ("big",), {"big": "x" * 2000}),
}

REQUESTS_04: dict[int, Callable[[], bytes]] = {
    126: lambda: put(("test", "s04", "o"), {"n": 1, "s": "mid"}),
    127: lambda: operate(OKEY, [w("w", "new"), r("w"), incr("n", 5),
                             {"op": aerospike.OPERATOR_APPEND, "bin": "s", "val": "-end"},
                             {"op": aerospike.OPERATOR_PREPEND, "bin": "s", "val": "start-"}, r("n"), r("s"),
                             {"op": aerospike.OPERATOR_TOUCH, "val": 500}]),
    128: lambda: operate(OKEY, [incr("n", 1), r("n"), r("s")]),
    129: lambda: operate(OKEY, [incr("n", 1), incr("n", 1), r("n")]),
    130: lambda: operate(OKEY, [r("n"), r("nosuchbin")]),
    131: lambda: operate(OKEY, [w("f", 1.5), incr("f", 1.25), r("f")]),
    132: lambda: operate(OKEY, [{"op": aerospike.OPERATOR_TOUCH, "val": 100}, r("n")]),
    134: lambda: operate(("test", "s04", "missing"), [r("n")]),
    136: lambda: operate(OKEY, [incr("s", 1)]),
    137: lambda: operate(OKEY, [w("g", 1)], {"gen": 1}, gen=aerospike.POLICY_GEN_EQ),
    142: lambda: operate(OKEY, [w("a", 1), r("a")], key=aerospike.POLICY_KEY_SEND),
}


def _by_call(step: str) -> dict[int, Any]:
    return {exchange.call: exchange for exchange in load(step)}


@pytest.mark.parametrize("call", sorted(REQUESTS_03))
def test_single_record_requests_match_official(call: int) -> None:
    assert REQUESTS_03[call]().hex() == _by_call("03-single-record")[call].request.hex()


@pytest.mark.parametrize("call", sorted(REQUESTS_04))
def test_operate_requests_match_official(call: int) -> None:
    assert REQUESTS_04[call]().hex() == _by_call("04-operate")[call].request.hex()


def test_bool_is_pickled_unlike_the_official_19() -> None:
    # 19.3.0 sends particle 17; 3.0.0 (our target) sent bools through the serializer: pickled Python blobs.
    recorded = _by_call("03-single-record")[56].request
    ours = put(S + ("bool",), {"t": True, "f": False})
    assert ours != recorded
    ops = messages(ours)[0].ops
    assert [(op.particle_type, op.value) for op in ops] == [(9, pickle.dumps(True)), (9, pickle.dumps(False))]


def test_requests_3_0_0_cannot_send() -> None:
    # Recorded 106 (a 15-byte bin name) is refused before sending.
    with pytest.raises(exception.BinNameError):
        put(S + ("binname",), {"a" * 15: 1})


# ----------------------------------------------------------------------------------------------- replies


def _normalize(value: Any) -> Any:
    # 3.0.0 returns blobs as bytearray and GeoJSON as GeoJSON; 19.3.0 printed bytes and str.
    if isinstance(value, bytearray):
        return bytes(value)
    if isinstance(value, GeoJSON):
        return value.dumps()
    if isinstance(value, list):
        return [_normalize(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_normalize(item) for item in value)
    if isinstance(value, dict):
        return {key: _normalize(item) for key, item in value.items()}
    return value


def _expected(note: str) -> Any:
    result = split_note(note)[1]
    return eval(result, {"bytearray": bytearray, "__builtins__": {}})  # noqa: S307 - recorded reprs


def _check_record(ours: tuple, expected: tuple) -> None:
    assert ours[0] == expected[0]
    assert ours[1]["gen"] == expected[1]["gen"]
    if expected[1]["ttl"] == rc.NEVER_EXPIRES:
        assert ours[1]["ttl"] == rc.NEVER_EXPIRES
    assert _normalize(ours[2]) == _normalize(expected[2])


GET_CALLS = [41, 43, 45, 47, 49, 51, 53, 55, 57, 59, 61, 65, 77, 79, 81, 83, 85, 90, 102, 108, 120, 122]


@pytest.mark.parametrize("call", GET_CALLS)
def test_get_replies_decode_to_official_shape(call: int) -> None:
    exchange = _by_call("03-single-record")[call]
    request = messages(exchange.request)[0]
    source = split_note(exchange.note)[0]
    key_tuple = eval(source.split("client.get(", 1)[1].rsplit(")", 1)[0], {"bytearray": bytearray})
    key = parse_key(key_tuple)
    assert request.field(4) == key.digest
    ours = rc.get_parser(key, CODEC)(messages(exchange.replies[0])[0])
    _check_record(ours, _expected(exchange.note))


def test_select_exists_replies() -> None:
    calls = _by_call("03-single-record")
    key = parse_key(S + ("all",))
    select = rc.select_parser(key, CODEC)(messages(calls[66].replies[0])[0])
    _check_record(select, _expected(calls[66].note))
    empty = rc.select_parser(key, CODEC)(messages(calls[67].replies[0])[0])
    assert empty[2] == {}
    present = rc.exists_parser(key)(messages(calls[68].replies[0])[0])
    assert present == _expected(calls[68].note)
    missing_key = parse_key(S + ("missing",))
    assert rc.exists_parser(missing_key)(messages(calls[69].replies[0])[0]) == _expected(calls[69].note)


@pytest.mark.parametrize(
    ("call", "error"),
    [(63, exception.RecordNotFound), (86, exception.RecordExistsError), (91, exception.RecordGenerationError),
     (103, exception.BinIncompatibleType), (111, exception.AerospikeError)],
)
def test_error_replies_raise_the_spec_class(call: int, error: type) -> None:
    reply = messages(_by_call("03-single-record")[call].replies[0])[0]
    with pytest.raises(error) as raised:
        rc.status_parser()(reply)
    assert raised.value.code == reply.result_code
    assert not raised.value.in_doubt


def test_operate_replies() -> None:
    calls = _by_call("04-operate")
    key = parse_key(OKEY)
    for call in (128,):
        ours = rc.operate_ordered_parser(key, CODEC, True)(messages(calls[call].replies[0])[0])
        _check_record(ours, _expected(calls[call].note))
    for call in (129, 130, 131, 140, 142):
        ours = rc.operate_parser(key, CODEC, True)(messages(calls[call].replies[0])[0])
        _check_record(ours, _expected(calls[call].note))
    with pytest.raises(exception.FilteredOut):
        rc.operate_parser(key, CODEC, False)(messages(calls[139].replies[0])[0])
    with pytest.raises(exception.RecordNotFound):
        rc.operate_parser(parse_key(("test", "s04", "missing")), CODEC, False)(messages(calls[134].replies[0])[0])


def test_void_time_becomes_remaining_ttl() -> None:
    epoch = 1262304000
    assert rc.ttl_from_void_time(0) == 0xFFFFFFFF
    assert rc.ttl_from_void_time(1000, now=epoch + 500) == 500
    assert rc.ttl_from_void_time(1000, now=epoch + 2000) == 1


class _RecordingNode:
    """Stands in for a cluster node: records info commands and answers like the recorded server."""

    name = "A1"
    host = "127.0.0.1"
    port = 3000
    address = "127.0.0.1:3000"

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.commands: list[str] = []

    def info(self, commands: list[str], timeout: Any = None) -> dict[str, str]:
        self.commands.extend(commands)
        return {command: self.answer for command in commands}


class _OneNodeCluster:
    def __init__(self, node: _RecordingNode) -> None:
        self.node = node

    def random_node(self) -> _RecordingNode:
        return self.node

    def nodes(self) -> list[_RecordingNode]:
        return [self.node]


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (("test", "s11", 0), "truncate:namespace=test;set=s11"),
        (("test", "s11", 1795708409944331999), "truncate:namespace=test;set=s11;lut=1795708409944331999"),
        (("nosuchns", None, 0), "truncate-namespace:namespace=nosuchns"),
    ],
)
def test_truncate_commands_match_official(args: tuple, command: str) -> None:
    recorded = [e for e in load("11-truncate") if e.request[1] == 1]
    assert any(e.request[8:].decode() == command + "\n" for e in recorded)
    node = _RecordingNode("ok")
    client = aerospike.client({"hosts": [("127.0.0.1", 3000)]})
    client._cluster = _OneNodeCluster(node)
    assert client.truncate(*args) == 0
    assert node.commands == [command]


def test_truncate_error_reply_is_the_3_0_0_client_error() -> None:
    # 3.0.0 turns any refusal of a truncate into ClientError 'Truncate operation failed'.
    client = aerospike.client({"hosts": [("127.0.0.1", 3000)]})
    client._cluster = _OneNodeCluster(_RecordingNode("ERROR:4:would truncate in the future"))
    with pytest.raises(exception.ClientError) as raised:
        client.truncate("test", "s11", 1)
    assert (type(raised.value), raised.value.code, raised.value.msg) == (
        exception.ClientError, -1, "Truncate operation failed"
    )


def test_info_shapes_from_recorded_reply() -> None:
    client = aerospike.client({"hosts": [("127.0.0.1", 3000)]})
    client._cluster = _OneNodeCluster(_RecordingNode("test;bar"))
    assert client.info_all("namespaces") == {"A1": (None, "test;bar\n")}  # as recorded for info_all
    assert client.info_node("namespaces", ("127.0.0.1", 3000)) == "namespaces\ttest;bar\n"
