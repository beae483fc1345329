"""Single-record methods as client 3.0.0 takes them, without a socket: keyword names, what is accepted, and the
class, code and message of every refusal (checked in 3.0.0's order), plus the request each call would send."""

from __future__ import annotations

import pickle
from typing import Any, Iterator

import pytest

import aerospike
from aerospike import exception
from aerospike.protocol.constants import PARTICLE_BLOB, PARTICLE_NULL, PARTICLE_PYTHON_BLOB
from aerospike.protocol.message import Message, decode_message

KEY = ("test", "rec", "k")


class _Recorder:
    """Stands in for the command loop: records each request and answers with `reply` or raises `error`."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, Message]] = []
        self.error: Any = None

    def __call__(self, cluster: Any, policy: Any, request: bytes, *rest: Any) -> Any:
        self.calls.append((policy, decode_message(request[8:], 0)[0]))
        if self.error is not None:
            raise self.error
        reply = Message(result_code=0, generation=1)
        if len(rest) == 6 and rest[5] is True:  # execute(..., parse, fixed_node, raw=True): parse takes the body
            return rest[3](reply.encode()[8:])
        parse = rest[-1]
        return parse(reply)


@pytest.fixture
def client() -> Iterator[Any]:
    aerospike.unset_serializers()
    made = aerospike.client({"hosts": [("127.0.0.1", 3000)]})
    made._cluster = object()
    made._execute = _Recorder()
    yield made
    aerospike.unset_serializers()


def _sent(client: Any) -> Message:
    return client._execute.calls[-1][1]  # type: ignore[no-any-return]


PARAM, CLIENT, BIN_NAME = exception.ParamError, exception.ClientError, exception.BinNameError
OP_READ, OP_WRITE, OP_INCR = aerospike.OPERATOR_READ, aerospike.OPERATOR_WRITE, aerospike.OPERATOR_INCR

REFUSALS: list[tuple[str, tuple, dict, type, int, str]] = [
    ("get", (5,), {}, PARAM, -2, "key is invalid"),
    ("get", (KEY, []), {}, PARAM, -2, "policy must be a dict"),
    ("get", (KEY, {"total_timeout": "x"}), {}, PARAM, -2, "total_timeout is invalid"),
    ("get", (KEY, {"timeout": 1.5}), {}, PARAM, -2, "timeout is invalid"),
    ("exists", (("test",),), {}, PARAM, -2, "key tuple must be (Namespace, Set, Key) or (Namespace, Set, None, Digest)"),
    ("put", (KEY, [1]), {}, PARAM, -2, "Record should be passed as bin-value pair"),
    ("put", (KEY, {1: 1}), {}, CLIENT, -1, "A bin name must be a string or unicode string."),
    ("put", (KEY, {"a" * 15: 1}), {}, BIN_NAME, 21, "A bin name should not exceed 14 characters limit"),
    ("put", (KEY, {"a": 2**64}), {}, PARAM, -2, "integer value exceeds sys.maxsize"),
    ("put", (KEY, {"a": 1}, 5), {}, PARAM, -2, "meta must be a dictionary"),
    ("put", (KEY, {"a": 1}, {"ttl": "x"}), {}, PARAM, -2, "TTL should be an int or long"),
    ("put", (KEY, {"a": 1}, {"ttl": "x", "gen": "y"}), {}, PARAM, -2, "Generation should be an int or long"),
    ("put", (KEY, {"a": (1,)}), {"serializer": aerospike.SERIALIZER_NONE}, PARAM, -2,
     "Cannot serialize: SERIALIZER_NONE selected"),
    ("put", (KEY, {"a": None}), {"serializer": aerospike.SERIALIZER_NONE}, PARAM, -2,
     "Cannot serialize: SERIALIZER_NONE selected"),
    ("put", (KEY, {"a": (1,)}), {"serializer": aerospike.SERIALIZER_USER}, CLIENT, -1,
     "No serializer callback registered"),
    ("put", (KEY, {"a": (1,)}), {"serializer": 99}, CLIENT, -1, "Unsupported serializer"),
    # Bins are checked before the policy.
    ("put", (KEY, [1], None, []), {}, PARAM, -2, "Record should be passed as bin-value pair"),
    ("select", (KEY, "a"), {}, PARAM, -2, "not a list or tuple"),
    ("select", (KEY, [1]), {}, PARAM, -2, "Bin name must be a string"),
    ("select", (KEY, (1,)), {}, PARAM, -2, "not string type"),
    ("select", (KEY, [1], []), {}, PARAM, -2, "Bin name must be a string"),
    ("touch", (KEY, "x"), {}, PARAM, -2, "Unsupported operand type(s) for touch : only int or long allowed"),
    ("touch", (KEY, aerospike.null()), {}, PARAM, -2, "Offset should be of int or long type"),
    ("touch", (KEY, 1, 5), {}, PARAM, -2, "Metadata should be of type dictionary"),
    ("append", (KEY, 1, "x"), {}, PARAM, -2, "Bin name should be of type string"),
    ("append", (KEY, "a", 1), {}, PARAM, -2, "Cannot concatenate 'str' and 'non-str' objects"),
    ("prepend", (KEY, "a", b"x"), {}, PARAM, -2, "Cannot concatenate 'str' and 'non-str' objects"),
    ("append", (KEY, "a" * 15, "x"), {}, BIN_NAME, 21, "A bin name should not exceed 14 characters limit"),
    ("increment", (KEY, "a", "1"), {}, PARAM, -2, "Unsupported operand type(s) for +: only 'int' allowed"),
    ("increment", (KEY, "a", 2**64), {}, PARAM, -2, "integer value exceeds sys.maxsize"),
    ("increment", (KEY, "a", 1, {"ttl": "x"}), {}, PARAM, -2, "Ttl should be an int or long"),
    ("increment", (KEY, "a", 1, None, {"gen": "x"}), {}, PARAM, -2, "gen is invalid"),
    ("operate", (KEY, {}), {}, PARAM, -2, "Operations should be of type list"),
    ("operate", (KEY, []), {}, PARAM, -2, "No operations defined"),
    ("operate", (KEY, [5]), {}, PARAM, -2, "No operations defined"),  # operate skips what is not a dict
    ("operate", (KEY, [{"op": OP_READ}]), {}, PARAM, -2, "Bin is not given"),
    ("operate", (KEY, [{"op": OP_WRITE, "bin": "a"}]), {}, PARAM, -2, "Value should be given"),
    ("operate", (KEY, [{"op": OP_READ, "bin": "a", "foo": 1}]), {}, PARAM, -2,
     "Operation can contain only op, bin, index, key, val, return_type and map_policy keys"),
    ("operate", (KEY, [{"op": "x", "bin": "a"}]), {}, PARAM, -2,
     "Operation can contain only op, bin, index, key, val, return_type and map_policy keys"),
    ("operate", (KEY, [{1: 1}]), {}, CLIENT, -1, "An operation key must be a string."),
    ("operate", (KEY, [{"op": 9999, "bin": "a", "val": 1}]), {}, PARAM, -2, "Invalid operation given"),
    ("operate", (KEY, [{"op": OP_READ, "bin": "a", "index": 1}]), {}, PARAM, -2,
     "Operation does not need an index value"),
    ("operate", (KEY, [{"op": OP_READ, "bin": "a", "return_type": "x"}]), {}, PARAM, -2,
     "Return type should be an integer"),
    ("operate", (KEY, [{"op": OP_READ, "bin": "a"}], "x"), {}, PARAM, -2, "Metadata should be of type dictionary"),
    ("operate", (KEY, [{"op": OP_READ, "bin": "a"}], {"gen": "x"}), {}, PARAM, -2,
     "Generation should be an int or long"),
    ("operate_ordered", (KEY, [5]), {}, PARAM, -2, "Operation must be a dict"),
    ("remove_bin", (KEY, "a"), {}, PARAM, -2, "Bins should be a list"),
    ("remove_bin", (KEY, ("a",)), {}, PARAM, -2, "Bins should be a list"),
    ("remove_bin", (KEY, [1]), {}, CLIENT, -1, "Invalid bin name, bin name should be a string or unicode string"),
    ("remove_bin", (KEY, ["a"], None, {"total_timeout": "x"}), {}, CLIENT, -1, "Incorrect policy"),
    ("remove_bin", (KEY, ["a"], {"ttl": "x"}), {}, PARAM, -2, "Ttl should be an int or long"),
    ("remove", (KEY, None, {"key": "x"}), {}, PARAM, -2, "key is invalid"),
]


@pytest.mark.parametrize(("method", "args", "kwargs", "cls", "code", "msg"), REFUSALS)
def test_refusals_are_3_0_0s(client: Any, method: str, args: tuple, kwargs: dict, cls: type, code: int,
                             msg: str) -> None:
    with pytest.raises(exception.AerospikeError) as raised:
        getattr(client, method)(*args, **kwargs)
    assert (type(raised.value), raised.value.code, raised.value.msg) == (cls, code, msg)
    assert client._execute.calls == []


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("get", (KEY, {"bogus": 1, "retry": 1, "consistency": 1, "commit": 1})),
        ("get", (KEY, {"key": True, "total_timeout": -1, "exists": "ignored by read"})),
        ("put", (KEY, {"a": 1}, {"ttl": True, "gen": False})),
        ("put", (KEY, {"a": 1}, None, {"exists": 42, "use_batch_direct": "x"})),
        ("operate", (KEY, [{"op": OP_READ, "bin": bytearray(b"a\x00junk")}], {"ttl": True})),
        ("remove", (KEY, {"total_timeout": "x"})),  # a positional second argument is meta, read only with a policy
        ("remove", (KEY, "not a dict", {})),
        ("remove_bin", (KEY, ["a"], "not a dict")),
        ("operate", (KEY, [5, {"op": OP_READ, "bin": "a"}])),
    ],
)
def test_what_3_0_0_accepts(client: Any, method: str, args: tuple) -> None:
    getattr(client, method)(*args)
    assert len(client._execute.calls) == 1


def test_keyword_names_are_3_0_0s(client: Any) -> None:
    client.get(key=KEY, policy=None)
    client.select(key=KEY, bins=["a"], policy=None)
    client.exists(key=KEY, policy=None)
    client.put(key=KEY, bins={"a": 1}, meta=None, policy=None, serializer=aerospike.SERIALIZER_PYTHON)
    client.touch(key=KEY, val=1, meta=None, policy=None)
    client.remove(key=KEY, meta=None, policy=None)
    client.remove_bin(key=KEY, list=["a"], meta=None, policy=None)
    client.append(key=KEY, bin="a", val="x", meta=None, policy=None)
    client.prepend(key=KEY, bin="a", val="x", meta=None, policy=None)
    client.increment(key=KEY, bin="a", offset=1, meta=None, policy=None)
    client.operate(key=KEY, list=[{"op": OP_READ, "bin": "a"}], meta=None, policy=None)
    client.operate_ordered(key=KEY, list=[{"op": OP_READ, "bin": "a"}], meta=None, policy=None)
    assert aerospike.set_serializer(function=str) == 0
    assert aerospike.set_deserializer(function=str) == 0
    assert len(client._execute.calls) == 12
    with pytest.raises(TypeError):
        client.touch(KEY)  # 3.0.0's val is required ("OO|OO")
    with pytest.raises(TypeError):
        client.increment(KEY, "a", val=1)


def test_unconnected_client_refuses_before_checking_arguments() -> None:
    unconnected = aerospike.client({"hosts": [("127.0.0.1", 3000)]})
    for call in (lambda: unconnected.get(5), lambda: unconnected.put(5, 5), lambda: unconnected.operate(5, 5),
                 lambda: unconnected.remove_bin(5, 5), lambda: unconnected.touch(5, "x")):
        with pytest.raises(exception.ClusterError) as raised:
            call()
        assert (raised.value.code, raised.value.msg) == (11, "No connection to aerospike cluster")


def test_values_go_through_the_serializer_as_in_3_0_0(client: Any) -> None:
    client.put(KEY, {"t": True, "n": None, "b": b"x", "ba": bytearray(b"y"), "nul": aerospike.null()})
    sent = {op.bin_name: (op.particle_type, op.value) for op in _sent(client).ops}
    assert sent == {
        "t": (PARTICLE_PYTHON_BLOB, pickle.dumps(True)),
        "n": (PARTICLE_PYTHON_BLOB, pickle.dumps(None)),
        "b": (PARTICLE_PYTHON_BLOB, pickle.dumps(b"x")),
        "ba": (PARTICLE_BLOB, b"y"),
        "nul": (PARTICLE_NULL, b""),
    }
    # A bin name ends at its first NUL; two names equal up to it are one bin, the later value winning.
    client.put(KEY, {"ab\x00c": 1, "ab": 2})
    assert [(op.bin_name, op.value[-1]) for op in _sent(client).ops] == [("ab", 2)]


def test_serializer_choice_follows_3_0_0(client: Any) -> None:
    aerospike.set_serializer(lambda value: "class")
    instance = aerospike.client({"hosts": [("127.0.0.1", 3000)], "serialization": (lambda value: "inst", None)})
    instance._cluster = object()
    instance._execute = _Recorder()
    # Without a serializer argument, a client with an instance serializer uses it instead of pickling...
    instance.put(KEY, {"a": (1,)})
    assert _sent(instance).ops[0][1:] == (PARTICLE_BLOB, "a", b"inst")
    # ... naming SERIALIZER_PYTHON pickles, SERIALIZER_USER takes the instance one, then the class one.
    instance.put(KEY, {"a": (1,)}, serializer=aerospike.SERIALIZER_PYTHON)
    assert _sent(instance).ops[0].particle_type == PARTICLE_PYTHON_BLOB
    instance.put(KEY, {"a": (1,)}, serializer=aerospike.SERIALIZER_USER)
    assert _sent(instance).ops[0].value == b"inst"
    client.put(KEY, {"a": (1,)}, serializer=aerospike.SERIALIZER_USER)
    assert _sent(client).ops[0].value == b"class"
    with pytest.raises(exception.ParamError) as raised:
        aerospike.set_serializer(5)
    assert raised.value.msg == "Parameter must be a callable"


def test_meta_and_policy_reach_the_request(client: Any) -> None:
    client.put(KEY, {"a": 1}, {"ttl": -1, "gen": 70000}, {"gen": aerospike.POLICY_GEN_EQ})
    assert (_sent(client).record_ttl, _sent(client).generation) == (0xFFFFFFFF, 70000 & 0xFFFF)
    # remove: meta's gen with a policy, else the remove policy's 'generation'; without a policy meta is unread.
    client.remove(KEY, {"gen": 7}, {"gen": aerospike.POLICY_GEN_EQ})
    assert _sent(client).generation == 7
    client.remove(KEY, None, {"gen": aerospike.POLICY_GEN_EQ, "generation": 9})
    assert _sent(client).generation == 9
    client.remove(KEY, {"gen": 7})
    assert _sent(client).generation == 0
    # touch: its val is applied after meta, so it wins over meta's ttl.
    client.touch(KEY, 50, {"ttl": 10})
    assert _sent(client).record_ttl == 50
    # select copies at most 14 bytes of a name.
    client.select(KEY, ["a" * 20])
    assert _sent(client).ops[0].bin_name == "a" * 14
    # A read-only operate without a policy retries twice, as 3.0.0's C client did.
    client.operate(KEY, [{"op": OP_READ, "bin": "a"}])
    assert client._execute.calls[-1][0].max_retries == 2
    client.operate(KEY, [{"op": OP_READ, "bin": "a"}], None, {})
    assert client._execute.calls[-1][0].max_retries == 0


def test_results_report_the_key_as_3_0_0(client: Any) -> None:
    assert client.get(KEY)[0][:3] == ("test", "rec", None)
    assert client.get(KEY, {"key": aerospike.POLICY_KEY_SEND})[0][:3] == KEY
    assert client.exists(("test", "", True))[0][:3] == ("test", None, 1)


def test_record_errors_name_the_key_and_bin(client: Any) -> None:
    client._execute.error = exception.RecordNotFound(2, "AEROSPIKE_ERR_RECORD_NOT_FOUND")
    for call, bin_value in ((lambda: client.get(KEY), None), (lambda: client.append(KEY, "s", "x"), "s"),
                            (lambda: client.increment(KEY, "n", 1), "n"), (lambda: client.put(KEY, {"a": 1}),
                                                                            {"a": 1})):
        with pytest.raises(exception.RecordNotFound) as raised:
            call()
        assert (raised.value.key, raised.value.bin) == (KEY, bin_value)


def test_strict_types_off_relaxes_what_3_0_0_relaxed() -> None:
    loose = aerospike.client({"hosts": [("127.0.0.1", 3000)], "strict_types": False})
    loose._cluster = object()
    loose._execute = _Recorder()
    # An over-long bin name is dropped from put, an operand of another type is sent as it is, an unknown
    # operator is skipped.
    loose.put(KEY, {"a" * 15: 1, "b": 2})
    assert [op.bin_name for op in _sent(loose).ops] == ["b"]
    loose.increment(KEY, "a", "x")
    assert _sent(loose).ops[0][1:] == (3, "a", b"x")
    loose.operate(KEY, [{"op": 9999, "bin": "a", "val": 1}, {"op": OP_READ, "bin": "a"}])
    assert len(_sent(loose).ops) == 1
