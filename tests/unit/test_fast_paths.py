"""Each hot-path fast path against the general path it short-cuts: same results, same errors.

The fast paths: parse_key's (str namespace, str set, str|int key) tuple, bins_to_ops' inline ints and ASCII
strings, encode_operate's inline read / write / increment, _frame's pre-encoded namespace/set/digest fields,
encode_message's join, decode_message's slot-filled Message, ops_to_bins' inline blobs, operate_results'
inline integers; the raw-body reply parsers (get/select/exists/put/operate without Message or Op objects) and
ValueCodec.bins_at against decode_message and the Message parsers; parse_key's per-name cache and
parse_key_tuples against parse_key; the batch frame reader against the message stream.
"""

from __future__ import annotations

import functools
import struct
from typing import Any

import pytest

import aerospike
from aerospike import exception, values
from aerospike import record_commands as rc
from aerospike.key import make_key, parse_key
from aerospike.policy import build, build_defaults
from aerospike.protocol.constants import (
    FIELD_DIGEST,
    FIELD_KEY,
    FIELD_NAMESPACE,
    FIELD_SET,
    OP_WRITE,
    PARTICLE_BLOB,
)
from aerospike.protocol.errors import ProtocolError
from aerospike.protocol.message import (
    Message,
    Op,
    decode_message,
    encode_fields,
    encode_message,
    encode_message_with_fields,
)
from aerospike.values import ValueCodec
from tests.support.clusters import RowsFromNodeFor

CODEC = ValueCodec()
INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


def _outcome(function: Any, *args: Any) -> Any:
    """A call's result, or its exception's type and args (what a caller can observe)."""
    try:
        return ("ok", function(*args))
    except Exception as error:  # noqa: BLE001 - the error itself is the outcome compared
        return ("error", type(error), error.args)


def _key_state(key: Any) -> Any:
    if isinstance(key, tuple) and key[0] == "ok":
        k = key[1]
        return (
            "ok",
            k.namespace,
            k.set_name,
            k.user_key,
            k.digest,
            k.partition_id,
            k.key_field,
            k.namespace_bytes,
            k.set_bytes,
        )
    return key


class StrKey(str):
    pass


class IntKey(int):
    pass


KEY_TUPLES = [
    ("test", "demo", "k1"),
    ("test", "demo", ""),
    ("test", "", "k1"),
    ("test", "demo", 0),
    ("test", "demo", -1),
    ("test", "demo", INT64_MIN),
    ("test", "demo", INT64_MAX),
    ("test", "demo", INT64_MAX + 1),
    ("test", "demo", INT64_MIN - 1),
    ("test", "demo", "ключ"),
    ("test", "démo", "k"),
    ("tëst", "demo", "k"),
    ("test", "demo", True),
    ("test", "demo", 1.5),
    ("test", "demo", None),
    ("test", "demo", bytearray(b"blob")),
    ("test", "demo", StrKey("sub")),
    ("test", "demo", IntKey(7)),
    ("", "demo", "k"),
    ("n" * 31, "demo", "k"),
    ("n" * 32, "demo", "k"),
    ("test", "s" * 63, "k"),
    ("test", "s" * 64, "k"),
    ("n" * 32, "s" * 64, INT64_MAX + 1),
    ("test", None, "k"),
    (1, "demo", "k"),
    ("test", 2, "k"),
    ("test", "demo", "\ud800"),
    ("n" * 32, "demo", "\ud800"),
    ("\ud800", "demo", "k"),
    ("test", "\ud800", "k"),
]


@pytest.mark.parametrize("key", KEY_TUPLES, ids=repr)
def test_parse_key_fast_path_matches_make_key(key: tuple) -> None:
    assert _key_state(_outcome(parse_key, key)) == _key_state(_outcome(make_key, *key))


BIN_VALUES = [
    0,
    1,
    -1,
    INT64_MIN,
    INT64_MAX,
    INT64_MAX + 1,
    INT64_MIN - 1,
    True,
    False,
    "",
    "ascii",
    "ünïcode",
    "\ud800",
    1.5,
    b"bytes",
    bytearray(b"ba"),
    None,
    [1, "a"],
    {"k": 1},
    IntKey(3),
    StrKey("s"),
    aerospike.null(),
    ("a", "tuple"),
]


def _general_ops(bins: dict, serializer: int = aerospike.SERIALIZER_PYTHON) -> Any:
    # What bins_to_ops does without its inline cases: 3.0.0's name checks, then bin_value for every value.
    ops = []
    for name, value in bins.items():
        if not isinstance(name, str):
            raise exception.ClientError("A bin name must be a string or unicode string.")
        if len(name.encode("utf-8")) > values.MAX_BIN_NAME:
            raise exception.BinNameError(values.BIN_NAME_TOO_LONG)
        particle_type, data = CODEC.bin_value(value, serializer)
        ops.append(Op(OP_WRITE, particle_type, name, data))
    return ops


@pytest.mark.parametrize("value", BIN_VALUES, ids=repr)
@pytest.mark.parametrize("name", ["b", "b" * 14, "é" * 7, "é" * 8, "b" * 15])
def test_bins_to_ops_fast_path_matches_encode_value(name: str, value: Any) -> None:
    fast = _outcome(CODEC.bins_to_ops, {name: value})
    general = _outcome(_general_ops, {name: value})
    assert fast == general
    if fast[0] == "ok":
        assert all(type(op) is Op for op in fast[1])


OPERATIONS = [
    [{"op": aerospike.OPERATOR_READ, "bin": "a"}],
    [{"op": aerospike.OPERATOR_READ, "bin": "a", "val": 3}],
    [{"op": aerospike.OPERATOR_READ, "bin": "é"}],
    [{"op": aerospike.OPERATOR_READ, "bin": "b" * 16}],
    [{"op": aerospike.OPERATOR_READ}],
    [{"op": aerospike.OPERATOR_READ, "bin": 5}],
    [{"op": aerospike.OPERATOR_WRITE, "bin": "a", "val": 1}],
    [{"op": aerospike.OPERATOR_WRITE, "bin": "a", "val": "text"}],
    [{"op": aerospike.OPERATOR_WRITE, "bin": "a", "val": "tëxt"}],
    [{"op": aerospike.OPERATOR_WRITE, "bin": "a", "val": INT64_MAX + 1}],
    [{"op": aerospike.OPERATOR_WRITE, "bin": "a", "val": True}],
    [{"op": aerospike.OPERATOR_WRITE, "bin": "a", "val": 2.5}],
    [{"op": aerospike.OPERATOR_WRITE, "bin": "a", "val": b""}],
    [{"op": aerospike.OPERATOR_WRITE, "bin": "a"}],
    [{"op": aerospike.OPERATOR_INCR, "bin": "a", "val": 1}],
    [{"op": aerospike.OPERATOR_INCR, "bin": "a", "val": INT64_MIN}],
    [{"op": aerospike.OPERATOR_INCR, "bin": "a", "val": INT64_MIN - 1}],
    [{"op": aerospike.OPERATOR_INCR, "bin": "a", "val": "text"}],
    [{"op": aerospike.OPERATOR_INCR, "bin": "a", "val": False}],
    [{"op": aerospike.OPERATOR_INCR, "bin": "a", "val": 1.5}],
    [{"op": aerospike.OPERATOR_INCR, "bin": "a"}],
    [{"op": True, "bin": "a"}],
    [{"op": aerospike.OPERATOR_INCR, "bin": "a", "val": 1}, {"op": aerospike.OPERATOR_READ, "bin": "a"}],
    [
        {"op": aerospike.OPERATOR_WRITE, "bin": "a", "val": "x"},
        {"op": aerospike.OPERATOR_TOUCH, "val": 60},
        {"op": aerospike.OPERATOR_READ, "bin": "a"},
    ],
    [{"op": aerospike.OP_LIST_APPEND, "bin": "l", "val": 1}, {"op": aerospike.OPERATOR_READ, "bin": "l"}],
]


def _spec_state(outcome: Any) -> Any:
    if outcome[0] == "ok":
        spec = outcome[1]
        return ("ok", spec.request, spec.is_write, [(name, repr(slot)) for name, slot in spec.results],
                spec.respond_all_ops)
    return outcome


@pytest.mark.parametrize("operations", OPERATIONS, ids=repr)
@pytest.mark.parametrize("meta", [None, {"ttl": 30, "gen": 2}])
def test_encode_operate_fast_path_matches_operator_encoders(
    operations: list, meta: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = parse_key(("test", "demo", "k1"))
    policy = build("operate", {"gen": aerospike.POLICY_GEN_EQ, "key": aerospike.POLICY_KEY_SEND})
    fast = _spec_state(_outcome(rc.encode_operate, key, operations, meta, policy, CODEC))
    monkeypatch.setattr(rc, "_INLINE_OPERATORS", {})  # every op through its registered encoder
    general = _spec_state(_outcome(rc.encode_operate, key, operations, meta, policy, CODEC))
    assert fast == general


def test_encode_operate_uses_a_registered_operator_for_other_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def extension(op: dict, codec: ValueCodec) -> Any:
        calls.append(op)
        return Op(1, 0, op["bin"], b""), True, False, None

    monkeypatch.setitem(rc._OPERATORS, 99, extension)
    rc.encode_operate(parse_key(("test", "demo", 1)), [{"op": 99, "bin": "a"}], None, build("operate"), CODEC)
    assert calls == [{"op": 99, "bin": "a"}]


def _reference_frame(key: Any, policy: Any, ops: list) -> bytes:
    # _frame before the pre-encoded fields: encode_message over the field list.
    return encode_message(0, 1, 0, 0, 0, 3, 60, rc.server_timeout(policy), rc._fields(key, policy), ops)


@pytest.mark.parametrize("send_key", [aerospike.POLICY_KEY_DIGEST, aerospike.POLICY_KEY_SEND])
@pytest.mark.parametrize(
    "key_tuple",
    [("test", "demo", "k1"), ("test", None, 5), ("test", "", "k"), ("test", "demo", None, bytearray(20))],
    ids=repr,
)
@pytest.mark.parametrize("timeouts", [(0, 0), (1000, 0), (1000, 200), (0, 300), (100, 500)])
def test_frame_matches_encode_message_over_fields(send_key: int, key_tuple: tuple, timeouts: tuple) -> None:
    key = parse_key(key_tuple)
    policy = build("write", {"key": send_key, "total_timeout": timeouts[0], "socket_timeout": timeouts[1]})
    ops = CODEC.bins_to_ops({"a": 1, "b": "x"})
    assert rc._frame(key, policy, 0, 1, 0, 3, 60, ops) == _reference_frame(key, policy, ops)


def test_frame_still_compresses_and_refuses_long_names() -> None:
    key = parse_key(("test", "demo", "k1"))
    policy = build("write", {"compression_threshold": 1})
    ops = CODEC.bins_to_ops({"a": "x" * 200})
    frame = rc._frame(key, policy, 0, 1, 0, 0, 0, ops)
    assert frame[1] == 4  # a compressed (type 4) frame
    with pytest.raises(exception.ParamError, match="too long"):
        rc._frame(key, build("write"), 0, 1, 0, 0, 0, [Op(2, 1, "n" * 256, b"")])


def _reference_encode(fields: list, ops: list) -> bytes:
    # The single-buffer encoder encode_message replaced, kept here as the byte-exact reference.
    body = struct.pack(">BBBBBBIIIHH", 22, 1, 2, 3, 4, 5, 6, 7, 8, len(fields), len(ops))
    for field_type, data in fields:
        body += struct.pack(">IB", len(data) + 1, field_type) + bytes(data)
    for op_type, particle_type, name, value in ops:
        name_bytes = name.encode("utf-8") if isinstance(name, str) else name
        body += struct.pack(">IBBBB", 4 + len(name_bytes) + len(value), op_type, particle_type, 0, len(name_bytes))
        body += name_bytes + bytes(value)
    return struct.pack(">Q", (2 << 56) | (3 << 48) | len(body)) + body


@pytest.mark.parametrize(
    "fields,ops",
    [
        ([], []),
        ([(FIELD_NAMESPACE, b"test")], []),
        ([], [Op(1, 0, "a", b"")]),
        (
            [(FIELD_NAMESPACE, b"test"), (FIELD_SET, b""), (FIELD_DIGEST, bytes(range(20))), (FIELD_KEY, b"\x03k")],
            [Op(2, 1, "é", b"\x00" * 8), (2, 3, b"raw", bytearray(b"v")), Op(2, 4, "", memoryview(b"mv"))],
        ),
    ],
)
def test_encode_message_matches_reference(fields: list, ops: list) -> None:
    expected = _reference_encode(fields, ops)
    assert encode_message(1, 2, 3, 4, 5, 6, 7, 8, fields, ops) == expected
    assert encode_message_with_fields(1, 2, 3, 4, 5, 6, 7, 8, len(fields), encode_fields(fields), ops) == expected
    message, end = decode_message(expected[8:])
    assert end == len(expected) - 8
    assert message == Message(1, 2, 3, 4, 5, 6, 7, 8, [(t, bytes(d)) for t, d in fields],
                              [Op(o[0], o[1], o[2].decode() if isinstance(o[2], bytes) else o[2], bytes(o[3]))
                               for o in ops])


def test_decode_message_errors_unchanged() -> None:
    # 22-byte header, one field (5 + 4 bytes), one op (8 + 1 + 8 bytes).
    body = encode_message(0, 0, 0, 0, 0, 0, 0, 0, [(FIELD_NAMESPACE, b"test")], [Op(1, 1, "a", b"\x00" * 8)])[8:]
    expected = {
        10: "truncated message header",
        25: "truncated field header",
        29: "field size 5 out of bounds",
        35: "truncated op header",
        40: "op size 13 out of bounds",
    }
    for cut, text in expected.items():
        with pytest.raises(ProtocolError) as caught:
            decode_message(body[:cut])
        assert str(caught.value) == text
    for cut in range(len(body)):
        with pytest.raises(ProtocolError):
            decode_message(body[:cut])
    bad_name = bytearray(body)
    bad_name[-9] = 0xFF  # the bin name byte
    with pytest.raises(ProtocolError, match="bin name is not UTF-8"):
        decode_message(bytes(bad_name))
    short_op = bytearray(body)
    struct.pack_into(">I", short_op, 31, 3)  # an op size below 4 + name length
    with pytest.raises(ProtocolError, match="op size 3 out of bounds"):
        decode_message(bytes(short_op))


@pytest.mark.parametrize("deserializer", [None, lambda data: ("custom", bytes(data))])
def test_ops_to_bins_blob_fast_path_matches_decode(deserializer: Any) -> None:
    codec = ValueCodec(deserializer=deserializer)
    ops = [Op(1, PARTICLE_BLOB, "b", b"\x01\x02"), Op(1, PARTICLE_BLOB, "e", b"")]
    assert codec.ops_to_bins(ops) == {op.bin_name: codec.decode(op.particle_type, op.value) for op in ops}


def test_ops_to_bins_blob_fast_path_respects_class_deserializer() -> None:
    aerospike.set_deserializer(lambda data: ("class", data))
    try:
        assert ValueCodec().ops_to_bins([Op(1, PARTICLE_BLOB, "b", b"x")]) == {"b": ("class", "x")}
    finally:
        aerospike.unset_serializers()


def test_operate_results_inline_integers_match_decode() -> None:
    key = parse_key(("test", "demo", "k1"))
    spec = rc.encode_operate(key, [{"op": aerospike.OPERATOR_READ, "bin": "a"}, {"op": aerospike.OPERATOR_READ,
                             "bin": "b"}, {"op": aerospike.OPERATOR_READ, "bin": "c"}], None,
                             build_defaults(None)["operate"], CODEC)
    reply = Message(ops=[Op(1, 1, "a", struct.pack(">q", -5)), Op(1, 1, "b", b"\x00\x07"), Op(1, 3, "c", b"s")])
    assert rc.operate_results(spec, reply, CODEC) == [("a", -5), ("b", 7), ("c", "s")]


# ------------------------------------------------------------------------------------------------ raw replies

def _reply_bodies() -> list[bytes]:
    """Reply bodies of every kind the direct decoders meet: good ones, server errors, odd values, every cut."""
    from aerospike.protocol.constants import PARTICLE_FLOAT, PARTICLE_INTEGER, PARTICLE_STRING

    good_ops = [
        Op(1, PARTICLE_INTEGER, "i", struct.pack(">q", -3)),
        Op(1, PARTICLE_INTEGER, "short", b"\x07"),
        Op(1, PARTICLE_STRING, "s", "ünï".encode()),
        Op(1, PARTICLE_FLOAT, "f", struct.pack(">d", 2.5)),
        Op(1, PARTICLE_BLOB, "b", b"\x00\x01"),
        Op(1, 20, "l", b"\x92\x01\xa1a"),  # a list [1, 'a']
        Op(1, 0, "n", b""),
        Op(1, PARTICLE_INTEGER, "i", struct.pack(">q", 9)),  # a later op on a bin wins
    ]
    bodies = [
        encode_message(0, 0, 0, 0, 0, 3, 0, 0, [], good_ops)[8:],
        encode_message(0, 0, 0, 0, 0, 3, 1234, 0, [(FIELD_NAMESPACE, b"test"), (FIELD_DIGEST, b"d" * 20)],
                       good_ops[:2])[8:],
        encode_message(0, 0, 0, 0, 0, 1, 0, 0, [], [])[8:],
        encode_message(0, 0, 0, 0, 2, 0, 0, 0, [], [])[8:],  # not found
        encode_message(0, 0, 0, 0, 9, 0, 0, 0, [], [])[8:],  # server timeout
        encode_message(0, 0, 0, 0, 2, 0, 0, 0, [], good_ops[:1])[8:],
        encode_message(0, 0, 0, 0, 0, 1, 0, 0, [], [Op(1, PARTICLE_STRING, "s", b"\xff")])[8:],  # not UTF-8
        encode_message(0, 0, 0, 0, 0, 1, 0, 0, [], [Op(1, 99, "u", b"x")])[8:],  # unknown particle
        encode_message(0, 0, 0, 0, 0, 1, 0, 0, [], [Op(1, 99, "u", b"x"), Op(1, 1, "v", b"\0" * 8)])[8:],
    ]
    bad_name = bytearray(bodies[0])
    bad_name[22 + 8] = 0xFF  # the first bin name's byte
    bodies.append(bytes(bad_name))
    bad_header = bytearray(bodies[0])
    bad_header[0] = 21
    bodies.append(bytes(bad_header))
    short_op = bytearray(bodies[-3])
    struct.pack_into(">I", short_op, 22 + 13, 2)  # the second op's size below 4 + its name
    bodies.append(bytes(short_op))
    bodies += [bodies[0][:cut] for cut in range(len(bodies[0]))]
    bodies += [bodies[1][:cut] for cut in range(len(bodies[1]))]
    return bodies


REPLY_BODIES = _reply_bodies()


def _outcome_with_doubt(function: Any, *args: Any) -> Any:
    try:
        return ("ok", function(*args))
    except Exception as error:  # noqa: BLE001 - the error itself is the outcome compared
        return ("error", type(error), error.args, getattr(error, "in_doubt", None))


@pytest.mark.parametrize("deserializer", [None, lambda data: ("custom", data)])
def test_bins_at_matches_ops_to_bins(deserializer: Any) -> None:
    from aerospike.protocol.message import skip_fields

    codec = ValueCodec(deserializer=deserializer)
    for body in REPLY_BODIES:
        def general(body: bytes = body) -> Any:
            message, offset = decode_message(body)
            return codec.ops_to_bins(message.ops), offset

        def direct(body: bytes = body) -> Any:
            header = struct.unpack_from(">BBBBBBIIIHH", body) if len(body) >= 22 else None
            if header is None or header[0] != 22:
                return general(body)  # bins_at is only ever reached past a good header
            offset = skip_fields(body, 22, header[9], len(body))
            return codec.bins_at(body, offset, header[10], len(body))

        assert _outcome_with_doubt(direct) == _outcome_with_doubt(general), body


@pytest.mark.parametrize("send_key", [False, True])
def test_body_parsers_match_message_parsers(send_key: bool) -> None:
    key = parse_key(("test", "demo", "k1"))
    spec = rc.encode_operate(key, [{"op": aerospike.OPERATOR_READ, "bin": "i"}, {"op": aerospike.OPERATOR_INCR,
                             "bin": "i", "val": 1}, {"op": aerospike.OPERATOR_READ, "bin": "s"}], None,
                             build_defaults(None)["operate"], CODEC)
    pairs = [
        (rc.get_body_parser(key, CODEC, send_key), rc.get_parser(key, CODEC, send_key)),
        (rc.select_body_parser(key, CODEC), rc.select_parser(key, CODEC)),
        (rc.exists_body_parser(key), rc.exists_parser(key)),
        (rc.status_body_parse, rc.status_parser()),
        (rc.operate_body_parser(key, CODEC, spec), rc.operate_parser(key, CODEC, spec)),
        (rc.operate_body_parser(key, CODEC, spec, True), rc.operate_ordered_parser(key, CODEC, spec)),
    ]
    for body in REPLY_BODIES:
        for direct, general in pairs:

            def through_message(body: bytes = body, general: Any = general) -> Any:
                return general(decode_message(body)[0])

            assert _outcome_with_doubt(direct, body) == _outcome_with_doubt(through_message), (direct, body)


def test_read_fields_and_skip_fields_match_decode_message() -> None:
    from aerospike.protocol.message import read_fields, skip_fields

    fields = [(FIELD_NAMESPACE, b"test"), (FIELD_SET, b""), (FIELD_DIGEST, b"d" * 20), (FIELD_NAMESPACE, b"other")]
    body = encode_message(0, 0, 0, 0, 0, 0, 0, 0, fields, [])[8:]
    for cut in range(22, len(body) + 1):
        part = body[:cut]
        general = _outcome(lambda part=part: decode_message(part))
        assert _outcome(skip_fields, part, 22, 4, cut)[0] == general[0]
        found = _outcome(read_fields, part, 22, 4, cut)
        assert found[0] == general[0]
        if general[0] == "error":
            assert found[1:] == general[1:] == _outcome(skip_fields, part, 22, 4, cut)[1:]
        else:
            message, end = general[1]
            assert found[1] == ({FIELD_NAMESPACE: b"test", FIELD_SET: b"", FIELD_DIGEST: b"d" * 20}, end)
            assert {t: message.field(t) for t in (FIELD_NAMESPACE, FIELD_SET, FIELD_DIGEST)} == found[1][0]


def test_parse_key_fast_path_caches_names_and_keeps_refusing_bad_ones() -> None:
    for key in [("test", "demo", "k1"), ("test", "demo", 5), ("test", "s" * 64, "k"), ("test", "a\0b", "k"),
                ("test", "", "k"), ("", "demo", "k")]:
        first = _key_state(_outcome(parse_key, key))
        assert _key_state(_outcome(parse_key, key)) == first == _key_state(_outcome(make_key, *key))


# ------------------------------------------------------------------------------------------------ batch frames

class _OneNode:
    name = "A"


class _OneNodeCluster(RowsFromNodeFor):
    node = _OneNode()

    def node_for(self, namespace: str, partition_id: int, replica_index: int) -> Any:
        return self.node

    def has_namespace(self, namespace: str) -> bool:
        return True

    def replica_count(self, namespace: str) -> int:
        return 1


def _batch_outcome(frames: list[bytes], read: Any, use_frames: bool, keys: list) -> Any:
    """run_batch over the given reply frames, through execute_stream's message contract or the frame reader."""
    from aerospike.batch import run_batch
    from aerospike.command import FRAME_END, FRAME_MORE, FRAME_STOP

    handed: list[str] = []

    def stream(cluster: Any, policy: Any, node: Any, request: bytes, on_message: Any) -> None:
        for body in frames:
            offset = 0
            while offset < len(body):
                message, offset = decode_message(body, offset)
                if on_message(message) is False or message.info3 & 1:
                    handed.append("end" if offset == len(body) else "stop")
                    return
        handed.append("more")

    def stream_frames(cluster: Any, policy: Any, node: Any, request: bytes, on_frame: Any, *_: Any) -> None:
        for body in frames:
            status = on_frame(body)
            if status != FRAME_MORE:
                handed.append({FRAME_END: "end", FRAME_STOP: "stop"}[status])
                return
        handed.append("more")

    policy = build("batch", {"max_retries": 0})
    outcome = _outcome_with_doubt(
        run_batch, _OneNodeCluster(), None, stream, keys, read, policy, CODEC, 1,
        stream_frames if use_frames else None,
    )
    return outcome, handed


def _batch_frames(keys: list) -> list[list[bytes]]:
    def record(index: int, code: int = 0, ops: Any = None, void_time: int = 0) -> bytes:
        return encode_message(0, 0, 0, 0, code, 3, void_time, index, [], ops or [])[8:]

    last = encode_message(0, 0, 1, 0, 0, 0, 0, 0, [], [])[8:]
    ops = [Op(1, 1, "a", struct.pack(">q", 5)), Op(1, 3, "s", b"text")]
    found = [record(i, ops=ops, void_time=4_000_000_000 if i % 2 else 0) for i in range(len(keys))]
    return [
        [b"".join(found[:2]), b"".join(found[2:]) + last],
        [b"".join(found) + last],
        [b"".join(found[:1] + [record(1, 2), record(2, 27)]) + last],  # missing and filtered out
        [b"".join(found[:1] + [record(1, 4)]) + last],  # a record error
        [record(99) + last],  # an index the call did not ask for
        [record(99, 4) + last],
        [encode_message(0, 0, 1, 0, 9, 0, 0, 0, [], [])[8:]],  # the LAST message refuses the batch
        [b"".join(found) + last + found[0]],  # LAST before the frame's end
        [b"".join(found)[:-3]],  # a truncated record
        [record(0, ops=[Op(1, 3, "s", b"\xff")]) + last],  # a value that does not decode
        # Records laid out alike are read through a learned shape: a change of layout, value sizes, a value
        # that does not decode, errors and odd indexes after it, across frames and mid-frame.
        [b"".join(found[:4]), b"".join(found[4:]) + last],
        [b"".join(found[:3] + [record(3, ops=[Op(1, 1, "a", struct.pack(">q", 6)), Op(1, 3, "s", b"other")])]
                  + found[4:]) + last],
        [b"".join(found[:3] + [record(3, ops=[Op(1, 1, "a", struct.pack(">q", 7)), Op(1, 3, "s", b"\xff\xfe\xfd\xfc")])]
                  + found[4:]) + last],
        [b"".join(found[:3] + [record(3, 2), record(4, 27)] + found[5:]) + last],
        [b"".join(found[:3] + [record(3, 4)] + found[4:]) + last],
        [b"".join(found[:3] + [record(99, ops=ops)]) + last],
        [b"".join(found[:3] + [record(2, ops=ops)]) + last],  # an index seen twice
        [b"".join(found[:3] + [record(3, ops=[Op(1, 4, "b", b"\x00\x01"), Op(1, 2, "f", struct.pack(">d", 1.5))])]
                  + found[4:]) + last],
        [b"".join(found[:5]) + last + b"".join(found[5:])],
        [b"".join(found)[:-5]],
        [b"".join(found[:3]), found[3][:-4] + found[3][-4:] + b"".join(found[4:]) + last],
    ]


@pytest.mark.parametrize("read", ["get", "exists", "select"])
def test_batch_frame_reader_matches_message_stream(read: str) -> None:
    from aerospike.batch import BatchRead

    keys = [parse_key(("test", "demo", f"k{i}")) for i in range(8)]
    batch_read = {"get": BatchRead.get(), "exists": BatchRead.exists(), "select": BatchRead.select(["a"])}[read]
    for frames in _batch_frames(keys):
        assert _batch_outcome(frames, batch_read, True, keys) == _batch_outcome(frames, batch_read, False, keys), frames


def test_parse_key_tuples_matches_parse_key() -> None:
    from aerospike.key import parse_key_tuples

    def not_a_tuple() -> Exception:
        return exception.ParamError(exception.ParamError.code, "Key should be a tuple.")

    def one_by_one(keys: list) -> list:
        parsed = []
        for key in keys:
            if not isinstance(key, tuple):
                raise not_a_tuple()
            parsed.append(parse_key(key))
        return parsed

    def states(outcome: Any) -> Any:
        return [_key_state(("ok", k)) for k in outcome[1]] if outcome[0] == "ok" else outcome

    cases = [KEY_TUPLES[:3], [("test", "demo", "k"), ("test", "s" * 64, "k"), ("test", "demo", "j")]]
    cases += [[key, ("test", "demo", "k")] for key in KEY_TUPLES]
    cases += [[("test", "demo", "k"), ["test", "demo", "k"]], [("test", "demo", None, bytearray(20))], []]
    for keys in cases:
        expected = states(_outcome(one_by_one, keys))
        assert states(_outcome(parse_key_tuples, keys, not_a_tuple)) == expected, keys


# ------------------------------------------------------------------------------------------------ scan frames

class _ScanClient:
    _codec = CODEC

    class _config:  # noqa: N801 - stands for the client's config object
        thread_pool_size = 2


class _TwoNodeCluster(RowsFromNodeFor):
    """Node A owns partitions below 2048, node B the rest (two node streams, in threads when concurrent)."""

    a = type("Node", (), {"name": "A"})()
    b = type("Node", (), {"name": "B"})()

    def node_for(self, namespace: str, partition_id: int, replica_index: int) -> Any:
        return self.a if partition_id < 2048 else self.b

    def has_namespace(self, namespace: str) -> bool:
        return True


def _digest(partition_id: int, tail: int) -> bytes:
    return bytes((partition_id & 0xFF, partition_id >> 8)) + tail.to_bytes(18, "big")


def _scan_record(
    partition_id: int,
    tail: int = 0,
    *,
    code: int = 0,
    info3: int = 0,
    fields: Any = None,
    ops: Any = None,
    void_time: int = 0,
) -> bytes:
    if fields is None:
        fields = [(FIELD_NAMESPACE, b"test"), (FIELD_SET, b"demo"), (FIELD_DIGEST, _digest(partition_id, tail))]
    if ops is None:
        ops = [Op(1, 1, "n", struct.pack(">q", tail)), Op(1, 3, "s", b"text %d" % tail), Op(1, 4, "b", b"\x01\x02")]
    return encode_message(0, 0, info3, 0, code, tail + 1, void_time, 0, fields, ops)[8:]


_SCAN_LAST = encode_message(0, 0, 1, 0, 0, 0, 0, 0, [], [])[8:]


def _partition_done(partition_id: int, code: int = 0) -> bytes:
    return encode_message(0, 0, 4, 0, code, partition_id, 0, 0, [], [])[8:]


# Bin names a generated bins builder must hold as values, never as source text.
_ODD_BIN_NAMES = ("}", "'", '"', "\\", "\n", "a}]\nx", "values", "_text", "_name0", "__import__('os')")


def _scan_replies() -> list[dict[str, list[bytes]]]:
    """Reply frames per node name for one round (later rounds get a bare LAST)."""
    void_times = {1: 4_000_000_000, 7: 0, 300: 100}  # to expire, never, expired
    low = [_scan_record(pid, pid, void_time=void_times[pid]) for pid in (1, 7, 7, 300)]
    high = [_scan_record(pid, pid) for pid in (2048, 3000, 4095)]
    keyed = [
        _scan_record(5, 1, fields=[(FIELD_NAMESPACE, b"test"), (FIELD_DIGEST, _digest(5, 1)),
                                   (FIELD_KEY, b"\x01" + struct.pack(">q", 77))]),
        _scan_record(6, 2, fields=[(FIELD_NAMESPACE, b"test"), (FIELD_SET, b"demo"), (FIELD_KEY, b"\x03key"),
                                   (FIELD_DIGEST, _digest(6, 2))]),
        _scan_record(8, 3, fields=[(FIELD_KEY, b""), (FIELD_DIGEST, _digest(8, 3))]),  # an empty key field
        _scan_record(9, 4, fields=[(FIELD_DIGEST, _digest(9, 4)), (FIELD_DIGEST, _digest(10, 5)),  # repeats
                                   (FIELD_NAMESPACE, b"test"), (FIELD_NAMESPACE, b"bar"),
                                   (FIELD_KEY, b"\x03a"), (FIELD_KEY, b"")]),
        _scan_record(11, 6, fields=[(FIELD_DIGEST, _digest(11, 6)), (15, struct.pack("<Q", 12345)),
                                    (15, struct.pack("<Q", 9))]),  # index values (queries): the first counts
        _scan_record(12, 7, fields=[(FIELD_DIGEST, _digest(12, 7)), (15, b"\x01\x02")]),  # not a u64: ignored
        _scan_record(13, 8, fields=[(FIELD_NAMESPACE, b"test")]),  # no digest: not tracked, partition 0
    ]
    def alike(pid: int, text: bytes = b"abcd", **changes: Any) -> bytes:
        """Records laid out alike (the reader decodes them through one learned shape)."""
        fields = [(FIELD_NAMESPACE, b"test"), (FIELD_DIGEST, _digest(pid, pid)), (FIELD_SET, b"demo"),
                  (FIELD_KEY, b"\x01" + struct.pack(">q", -pid)), (15, struct.pack("<Q", pid * 3))]
        ops = [Op(1, 1, "n", struct.pack(">q", pid)), Op(1, 3, "s", text), Op(1, 2, "f", struct.pack(">d", pid / 3)),
               Op(1, 4, "b", b"xy")]
        options: dict[str, Any] = {"fields": fields, "ops": ops, "void_time": (0, 100, 4_000_000_000)[pid % 3]}
        options.update(changes)
        return _scan_record(pid, pid, **options)

    run = [alike(pid) for pid in range(20, 40)]
    plain = [_scan_record(pid, 1, ops=[Op(1, 1, "n", struct.pack(">q", pid))]) for pid in range(50, 60)]
    shaped = [
        {"A": [b"".join(run[:10]), b"".join(run[10:]) + _SCAN_LAST], "B": [b"".join(plain) + _SCAN_LAST]},
        {"A": [b"".join(run[:5] + [alike(90, b"abcde")] + run[5:] + [alike(91, b"\xff\xfe\xfd\xfc")]) + _SCAN_LAST],
         "B": [_SCAN_LAST]},  # another layout, then a string of the learned size that is not UTF-8
        {"A": [b"".join(run[:5] + [alike(92, fields=[(FIELD_DIGEST, _digest(92, 1))])] + run[5:]) + _SCAN_LAST],
         "B": [_SCAN_LAST]},
        {"A": [b"".join(run[:5]) + _partition_done(21, 11) + b"".join(run[5:]) + _SCAN_LAST], "B": [_SCAN_LAST]},
        {"A": [b"".join(run[:5]) + _scan_record(25, code=4) + b"".join(run[5:]) + _SCAN_LAST], "B": [_SCAN_LAST]},
        {"A": [b"".join(run[:5]) + run[5][:-1]], "B": [_SCAN_LAST]},  # a truncated record of the learned size
        {"A": [b"".join(run[:3]) + alike(93, ops=[Op(1, 1, "n", b"\0" * 8), Op(1, 3, "t", b"abcd"),
                                                  Op(1, 2, "f", b"\0" * 8), Op(1, 4, "b", b"xy")]) + _SCAN_LAST],
         "B": [_SCAN_LAST]},  # another bin name of the same length
        {"A": [b"".join([alike(pid, ops=[Op(1, 3, "s", b"x" * (pid % 2 + 1))]) for pid in range(20, 60)])
               + _SCAN_LAST], "B": [_SCAN_LAST]},  # layouts that keep changing
        {"A": [b"".join(alike(pid, ops=[Op(1, 1, name, struct.pack(">q", pid)) for name in _ODD_BIN_NAMES])
                        for pid in range(20, 30)) + _SCAN_LAST], "B": [_SCAN_LAST]},  # names that are not code
    ]
    return shaped + [
        {"A": [b"".join(low[:2]), b"".join(low[2:]) + _partition_done(1) + _SCAN_LAST],
         "B": [b"".join(high) + _SCAN_LAST]},
        {"A": [b"".join(keyed) + _SCAN_LAST], "B": [_SCAN_LAST]},
        {"A": [b"".join(low) + _partition_done(2, 11) + _partition_done(3, 11) + _SCAN_LAST],  # unavailable
         "B": [b"".join(high) + _SCAN_LAST]},
        {"A": [low[0] + _scan_record(2, code=4) + low[1] + _SCAN_LAST], "B": [_SCAN_LAST]},  # a record error
        {"A": [low[0] + _scan_record(2, code=2) + low[1] + _SCAN_LAST], "B": [_SCAN_LAST]},  # not found ends
        {"A": [_scan_record(2, code=2, ops=[], fields=[])], "B": [_SCAN_LAST]},  # a lone not-found
        {"A": [encode_message(0, 0, 0, 0, 4, 0, 0, 0, [], [])[8:]], "B": [_SCAN_LAST]},  # a refused scan
        {"A": [low[0] + encode_message(0, 0, 1, 0, 9, 0, 0, 0, [], [])[8:]], "B": [_SCAN_LAST]},  # LAST refuses
        {"A": [low[0] + _SCAN_LAST + low[1]], "B": [_SCAN_LAST]},  # LAST before the frame's end
        {"A": [low[0] + _partition_done(4, 11) + _partition_done(5) + _SCAN_LAST + low[1]], "B": [_SCAN_LAST]},
        {"A": [b"".join(low)[:-3]], "B": [_SCAN_LAST]},  # a truncated record
        {"A": [low[0][:10]], "B": [_SCAN_LAST]},  # a truncated header
        {"A": [low[0] + _scan_record(2, ops=[Op(1, 3, "s", b"\xff")]) + _SCAN_LAST], "B": [_SCAN_LAST]},
        {"A": [_scan_record(2, fields=[(FIELD_NAMESPACE, b"\xff"), (FIELD_DIGEST, _digest(2, 0))]) + _SCAN_LAST],
         "B": [_SCAN_LAST]},  # a namespace that is not UTF-8
        {"A": [_scan_record(2, fields=[(FIELD_KEY, b"\x63zz"), (FIELD_DIGEST, _digest(2, 0))]) + _SCAN_LAST],
         "B": [_SCAN_LAST]},  # a key that does not decode
        {"A": [_scan_record(2, fields=[(FIELD_NAMESPACE, b"\xff"), (FIELD_DIGEST, _digest(2, 0))],
                            ops=[Op(1, 3, "s", b"\xff")])[:-2] + _SCAN_LAST], "B": [_SCAN_LAST]},  # both odd
        {"A": [_scan_record(2, fields=[(FIELD_DIGEST, b"\x05")]) + _SCAN_LAST], "B": [_SCAN_LAST]},  # short digest
        {"A": [low[0] + struct.pack(">B", 21) + low[1][1:]], "B": [_SCAN_LAST]},  # a wrong header size
    ]


def _scan_outcome(
    monkeypatch: pytest.MonkeyPatch,
    replies: dict[str, list[bytes]],
    frames: bool,
    *,
    nobins: bool,
    with_partition: bool,
    consumer: str,
    concurrent: bool,
) -> Any:
    """run_records over the given replies through the frame reader or the message path (execute_stream's
    adapter over the same frames): the outcome, each record handed over, how each stream ended, the
    partition status after."""
    from aerospike import command, query
    from aerospike.partition_scan import PartitionsStatus

    handed: list[Any] = []
    ends: list[Any] = []
    rounds = {"A": [replies["A"]], "B": [replies["B"]]}

    def stream_frames(cluster: Any, policy: Any, node: Any, request: bytes, on_frame: Any, *_: Any) -> None:
        queue = rounds[node.name]
        for body in queue.pop(0) if queue else [_SCAN_LAST]:
            try:
                status = on_frame(body)
            except command._ConsumerError as wrapper:
                ends.append((node.name, "raise"))
                raise wrapper.error from None
            except BaseException:
                ends.append((node.name, "raise"))
                raise
            if status != command.FRAME_MORE:
                ends.append((node.name, status))
                return
        ends.append((node.name, "more"))

    monkeypatch.setattr(command, "execute_stream_frames", stream_frames)
    monkeypatch.setattr("aerospike.replies.time", lambda: 1_700_000_000.0)
    monkeypatch.setattr("time.time", lambda: 1_700_000_000.0)

    def callback(*item: Any) -> Any:
        handed.append(item)
        if consumer == "stop" and len(handed) == 2:
            return False
        if consumer == "raise" and len(handed) == 2:
            raise ValueError("callback failed")
        return None if consumer == "append" else True

    status = PartitionsStatus.range()
    request = query.StreamRequest("test", "demo", build("scan", {}), nobins=nobins)
    outcome = _outcome_with_doubt(
        query.run_records, _ScanClient(), _TwoNodeCluster(), build("scan", {"max_retries": 1}), request, callback,
        nobins, concurrent, None, status, 0, with_partition, "Callback failed" if consumer == "raise" else None,
        frames,
    )
    if concurrent:  # node threads interleave: compare what was handed over, not in which order
        handed.sort(key=repr)
        ends.sort(key=repr)
    return outcome, handed, ends, status.as_dict()


@pytest.mark.parametrize("consumer", ["append", "stop", "raise"])
@pytest.mark.parametrize(("nobins", "with_partition", "concurrent"),
                         [(False, False, False), (True, False, False), (False, True, False), (False, False, True)])
def test_scan_frame_reader_matches_message_stream(
    monkeypatch: pytest.MonkeyPatch, consumer: str, nobins: bool, with_partition: bool, concurrent: bool
) -> None:
    for replies in _scan_replies():
        options = {"nobins": nobins, "with_partition": with_partition, "consumer": consumer, "concurrent": concurrent}
        fast = _scan_outcome(monkeypatch, replies, True, **options)
        general = _scan_outcome(monkeypatch, replies, False, **options)
        # repr: bytes against bytearray, and the bins' order, count too (pytest's diff of two such reprs takes
        # minutes: the outcome parts are compared one by one instead).
        for part, fast_part, general_part in zip(("outcome", "records", "ends", "status"), fast, general):
            if repr(fast_part) != repr(general_part):
                pytest.fail(f"{part} differs for {replies!r}:\n{str(fast_part)[:2000]}\n{str(general_part)[:2000]}")


PUT_BINS = [
    {},
    {"a": 1, "b": "x"},
    {"b" * 14: INT64_MIN, "c": INT64_MAX, "d": "", "e": -1, "f": 0},
    {"a": INT64_MAX + 1},
    {"a": INT64_MIN - 1},
    {"a": "é"},
    {"é": 1},
    {"b" * 15: 1},
    {"a\0b": 1, "a": 2},
    {"a": 1.5},
    {"a": True},
    {"a": None},
    {"a": b"x"},
    {"a": [1]},
    {"a": aerospike.null()},
    {1: 1},
    {"a": 1, "b": IntKey(3)},
    {"a": StrKey("s")},
    {"n": "s" * 2000},
]
PUT_POLICIES = [
    {},
    {"key": aerospike.POLICY_KEY_SEND},
    {"exists": aerospike.POLICY_EXISTS_CREATE, "gen": aerospike.POLICY_GEN_EQ, "durable_delete": True},
    {"commit_level": aerospike.POLICY_COMMIT_LEVEL_MASTER, "total_timeout": 1000, "socket_timeout": 200},
    {"compression_threshold": 100},
]


# A user key, a key without a set, and a digest-only key (no KEY field even under POLICY_KEY_SEND).
ENCODER_KEYS = [("test", "demo", "k1"), ("test", None, 5), ("test", "demo", None, bytearray(20))]


def _fast_matches_general(fast: Any, general: Any, view: Any = lambda result: result) -> Any:
    """Call `fast` twice (the first call fills its caches, the second reads them); each result other than None
    must equal `general()`, both seen through `view`. Returns the last result (None: not taken)."""
    result = None
    for _ in range(2):
        result = fast()
        if result is not None:
            assert view(result) == view(general())
    return result


def _general_put(key: Any, bins: dict, policy: Any) -> bytes:
    return rc.encode_put(key, CODEC.bins_to_ops(bins), None, policy)


@pytest.mark.parametrize("policy_values", PUT_POLICIES, ids=repr)
@pytest.mark.parametrize("bins", PUT_BINS, ids=repr)
@pytest.mark.parametrize("key_tuple", ENCODER_KEYS, ids=repr)
def test_encode_put_plain_matches_encode_put(key_tuple: tuple, bins: dict, policy_values: dict) -> None:
    # None means "not plain": the caller then takes the general path, so only a request must equal it.
    key = parse_key(key_tuple)
    policy = build("write", policy_values)
    fast = _fast_matches_general(lambda: rc.encode_put_plain(key, bins, policy), lambda: _general_put(key, bins, policy))
    plain = all(
        type(name) is str and len(name) <= 14 and name.isascii() and "\0" not in name
        and ((type(value) is int and INT64_MIN <= value <= INT64_MAX) or (type(value) is str and value.isascii()))
        for name, value in bins.items()
    )
    eligible = not policy_values.get("compression_threshold") and policy_values.get("key") != aerospike.POLICY_KEY_SEND
    assert (fast is not None) == (plain and eligible)


def test_encode_put_plain_keeps_policies_and_keys_apart() -> None:
    # A KEY_SEND policy first seen with a digest-only key must not be cached as "no KEY field"; one namespace and
    # set's prefix must not serve another; a new policy object at a recycled id is rebuilt.
    digest_key = parse_key(("test", "demo", None, bytearray(20)))
    user_key = parse_key(("test", "demo", "k1"))
    send = build("write", {"key": aerospike.POLICY_KEY_SEND})
    assert rc.encode_put_plain(digest_key, {"a": 1}, send) is None
    assert rc.encode_put_plain(user_key, {"a": 1}, send) is None
    policy = build("write", {})
    for key in (user_key, parse_key(("bar", "other", "k1")), parse_key(("test", None, 1))):
        assert rc.encode_put_plain(key, {"a": 1}, policy) == _general_put(key, {"a": 1}, policy)
    for ttl_policy in ({"total_timeout": 10}, {"total_timeout": 20}, {"exists": aerospike.POLICY_EXISTS_REPLACE}):
        fresh = build("write", ttl_policy)
        assert rc.encode_put_plain(user_key, {"a": "v"}, fresh) == _general_put(user_key, {"a": "v"}, fresh)
        del fresh


@pytest.mark.parametrize("timeouts", [(0, 0), (1000, 0), (1000, 200), (0, 300), (100, 500), (1, 1)])
def test_policy_seconds_match_timeouts(timeouts: tuple) -> None:
    from aerospike import command

    policy = build("read", {"total_timeout": timeouts[0], "socket_timeout": timeouts[1]})
    deadline, socket_timeout = command._timeouts(policy)
    cached = command._policy_seconds(policy)
    assert cached[0] is policy and cached[2] == socket_timeout
    assert (cached[1] == 0.0) == (deadline == 0.0)
    if deadline:
        assert cached[1] == policy.total_timeout / 1000.0
    assert command._policy_seconds(policy)[1:] == cached[1:]


def test_connection_timeout_check_follows_every_change() -> None:
    # send and read_frame skip the milliseconds check only for the very timeout object last checked; any other
    # timeout (or one _fill set) still reaches the socket.
    from aerospike import connection as connection_module

    class FakeSocket:
        def __init__(self) -> None:
            self.set: list[bytes] = []
            self.sent: list[bytes] = []

        def setsockopt(self, level: int, option: int, value: bytes) -> None:
            if option == connection_module._socket.SO_RCVTIMEO:
                self.set.append(value)

        def sendall(self, data: bytes) -> None:
            self.sent.append(data)

        def close(self) -> None:
            pass

    sock = FakeSocket()
    conn = object.__new__(connection_module.Connection)
    conn._socket = sock
    conn._kernel_timeouts = True
    conn._timeout_ms = -1
    conn._timeout_checked = connection_module._UNCHECKED
    conn.host, conn.port, conn.closed, conn.hold_gil = "h", 1, False, False
    first = 0.25
    conn.send(b"a", first)
    conn.send(b"b", first)
    assert conn._timeout_ms == 250 and len(sock.set) == 1
    conn.send(b"c", 0.2501)  # another object, another millisecond figure
    assert conn._timeout_ms == 251 and len(sock.set) == 2
    conn.send(b"d", 0.251)  # another object, the same milliseconds: no syscall, but now the checked one
    assert len(sock.set) == 2 and conn._timeout_checked == 0.251
    conn._set_timeout(1.0)  # as _fill does mid-read
    conn.send(b"e", first)
    assert conn._timeout_ms == 250 and len(sock.set) == 4
    conn.send(b"f", None)
    conn.send(b"g", None)
    assert conn._timeout_ms == 0 and len(sock.set) == 5
    with pytest.raises(exception.TimeoutError):
        conn.send(b"h", 0.0)
    assert sock.sent == [b"a", b"b", b"c", b"d", b"e", b"f", b"g"]


def test_put_and_get_fast_paths_use_the_policy_resolve_gives_for_none() -> None:
    client = aerospike.client({"hosts": [("127.0.0.1", 3000)], "policies": {"write": {"total_timeout": 7}}})
    assert client._policies["write"] is client._resolve("write", None)
    assert client._policies["read"] is client._resolve("read", None)


def test_batch_frame_reader_reads_alike_records_through_one_learned_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    from aerospike import replies
    from aerospike.batch import BatchRead

    keys = [parse_key(("test", "demo", f"k{i}")) for i in range(8)]
    learned: list[Any] = []
    unpacked: list[int] = []
    real_learn = replies._learn_shape

    def learn(*args: Any) -> Any:
        shape = real_learn(*args)
        if shape is not None:
            real_unpack = shape.unpack

            def unpack(body: bytes, offset: int) -> tuple:
                unpacked.append(offset)
                return real_unpack(body, offset)

            shape.unpack = unpack
        learned.append(shape)
        return shape

    monkeypatch.setattr(replies, "_learn_shape", learn)
    frames = _batch_frames(keys)[10]  # every record found, across two frames
    (status, outcome), handed = _batch_outcome(frames, BatchRead.get(), True, keys)
    assert status == "ok" and handed == ["end"]
    assert len(learned) == 1 and learned[0] is not None
    assert len(unpacked) == 7  # the first record taught the shape; the 7 others were read through it
    assert [record[2] for record in outcome] == [{"a": 5, "s": "text"}] * 8
    assert [record[1]["gen"] for record in outcome] == [3] * 8


def test_operate_specs_are_plain_only_with_scalar_operations() -> None:
    key = parse_key(("test", "demo", "k1"))
    policy = build_defaults(None)["operate"]
    scalar = [{"op": aerospike.OPERATOR_INCR, "bin": "i", "val": 1}, {"op": aerospike.OPERATOR_READ, "bin": "i"},
              {"op": aerospike.OPERATOR_TOUCH, "val": 10}, {"op": aerospike.OPERATOR_APPEND, "bin": "s", "val": "x"}]
    assert rc.encode_operate(key, scalar, None, policy, CODEC).plain
    assert not rc.encode_operate(key, scalar + [{"op": aerospike.OP_LIST_SIZE, "bin": "l"}], None, policy, CODEC).plain
    plain = rc.encode_operate(key, scalar, None, policy, CODEC)
    assert rc.operate_body_parser(key, CODEC, plain).func is rc.operate_plain_body  # type: ignore[attr-defined]
    assert not isinstance(rc.operate_body_parser(key, CODEC, plain, True), functools.partial)


READ, WRITE, INCR = aerospike.OPERATOR_READ, aerospike.OPERATOR_WRITE, aerospike.OPERATOR_INCR
OPERATE_LISTS = [
    [{"op": INCR, "bin": "v", "val": 1}, {"op": READ, "bin": "v"}],
    [{"op": READ, "bin": "a"}],
    [{"op": READ, "bin": "a"}, {"op": READ, "bin": "a"}, {"op": READ, "bin": "b" * 14}],
    [{"op": WRITE, "bin": "s", "val": "text"}, {"op": WRITE, "bin": "i", "val": INT64_MIN}, {"op": INCR, "bin": "i",
                                                                                          "val": INT64_MAX}],
    [{"op": WRITE, "bin": "s", "val": ""}],
    [],
    [{"op": INCR, "bin": "v", "val": 1.5}],
    [{"op": INCR, "bin": "v", "val": "text"}],
    [{"op": WRITE, "bin": "v", "val": "é"}],
    [{"op": WRITE, "bin": "v", "val": INT64_MAX + 1}],
    [{"op": READ, "bin": "é"}],
    [{"op": READ, "bin": "b" * 15}],
    [{"op": READ, "bin": "a\0b"}],
    [{"op": READ, "bin": "a", "val": 1}],
    [{"op": READ}],
    [{"op": READ, "bin": 5}],
    [{"op": READ, "bin": "a", "val": 1, "extra": 2}],
    [{"op": aerospike.OPERATOR_APPEND, "bin": "s", "val": "x"}],
    [{"op": aerospike.OPERATOR_TOUCH, "val": 10}, {"op": READ, "bin": "a"}],
    [{"op": READ, "bin": "a"}, ("not", "a", "dict")],
    [{"op": READ, "bin": "a"}, {"op": aerospike.OP_LIST_SIZE, "bin": "l"}],
    [{"op": WRITE, "bin": "v", "val": True}],
    [{"op": WRITE, "bin": "v", "val": IntKey(3)}],
]
OPERATE_POLICIES = PUT_POLICIES + [{"read_mode_ap": aerospike.POLICY_READ_MODE_AP_ALL}, {"linearize_read": True}]


def _plain_operations(operations: list) -> bool:
    """What encode_operate_plain takes: every operation on its inline path."""
    for operation in operations:
        if type(operation) is not dict or len(operation) > 3 or operation.get("op") not in (READ, WRITE, INCR):
            return False
        name = operation.get("bin")
        if type(name) is not str or len(name) > 14 or not name.isascii() or "\0" in name:
            return False
        value = operation.get("val", b"")
        if operation["op"] == READ:
            if len(operation) != 2:
                return False
        elif not ((type(value) is int and INT64_MIN <= value <= INT64_MAX)
                  or (type(value) is str and operation["op"] == WRITE and value.isascii())):
            return False
    return bool(operations)


@pytest.mark.parametrize("policy_values", OPERATE_POLICIES, ids=repr)
@pytest.mark.parametrize("operations", OPERATE_LISTS, ids=repr)
@pytest.mark.parametrize("key_tuple", ENCODER_KEYS, ids=repr)
def test_encode_operate_plain_matches_encode_operate(key_tuple: tuple, operations: list, policy_values: dict) -> None:
    key = parse_key(key_tuple)
    policy = build("operate", policy_values)
    fast = _fast_matches_general(
        lambda: rc.encode_operate_plain(key, operations, policy),
        lambda: rc.encode_operate(key, operations, None, policy, CODEC),
        lambda spec: (spec.request, spec.is_write, spec.plain),
    )
    if fast is not None:
        assert fast.plain and not fast.respond_all_ops and not fast.reports_writes
    if not _plain_operations(operations):
        assert fast is None
    else:  # taken unless the policy may send a KEY field after the digest, or compresses
        sends_key = policy.key == aerospike.POLICY_KEY_SEND
        assert (fast is not None) == (not sends_key and not policy.compression_threshold)


def test_encode_operate_plain_never_serves_a_key_send_policy() -> None:
    # The prefix cache is per policy, not per key: a KEY_SEND policy first seen with a digest-only key (no KEY
    # field) must not serve a later user key the frame without its KEY field.
    send = build("operate", {"key": aerospike.POLICY_KEY_SEND})
    operations = [{"op": READ, "bin": "a"}]
    digest_key = parse_key(("test", "demo", None, bytearray(20)))
    user_key = parse_key(("test", "demo", "k1"))
    assert rc.encode_operate_plain(digest_key, operations, send) is None
    assert rc.encode_operate_plain(user_key, operations, send) is None
    assert user_key.key_field is not None
    assert user_key.key_field in rc.encode_operate(user_key, operations, None, send, CODEC).request


def test_encode_operate_plain_keeps_reads_writes_and_policies_apart() -> None:
    key = parse_key(("test", "demo", "k1"))
    policy = build("operate", {"gen": aerospike.POLICY_GEN_EQ, "commit_level": aerospike.POLICY_COMMIT_LEVEL_MASTER})
    for operations in ([{"op": READ, "bin": "a"}], [{"op": WRITE, "bin": "a", "val": 1}],
                       [{"op": WRITE, "bin": "a", "val": 1}, {"op": READ, "bin": "a"}], [{"op": READ, "bin": "a"}]):
        spec = rc.encode_operate_plain(key, operations, policy)
        assert spec is not None
        assert spec.request == rc.encode_operate(key, operations, None, policy, CODEC).request
    for policy_values in ({"total_timeout": 10}, {"total_timeout": 20}, {"linearize_read": True}):
        fresh = build("operate", policy_values)
        operations = [{"op": INCR, "bin": "v", "val": 2}, {"op": READ, "bin": "v"}]
        spec = rc.encode_operate_plain(parse_key(("bar", "other", 7)), operations, fresh)
        assert spec is not None
        assert spec.request == rc.encode_operate(parse_key(("bar", "other", 7)), operations, None, fresh, CODEC).request
        del fresh
