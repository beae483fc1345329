"""Server semantics of single-record commands in the local cluster's store (aerospike.testing.store)."""

from __future__ import annotations

import struct
import threading

import msgpack
import pytest

from aerospike.protocol import constants as c
from aerospike.protocol.message import Message, Op
from aerospike.testing.record_ops import RESULT_GEO_INVALID_GEOJSON, s2_leaf_cell
from aerospike.testing.store import (
    MAX_RECORD_SIZE,
    NamespaceStore,
    Record,
    execute_single,
    partition_of,
    void_time_now,
)

NOW = 1_800_000_000.0
DIGEST = bytes(range(20))
OTHER_DIGEST = bytes(range(1, 21))


def i64(value: int) -> bytes:
    return struct.pack(">q", value)


def f64(value: float) -> bytes:
    return struct.pack(">d", value)


def fields(digest: bytes = DIGEST, set_name: bytes = b"s", extra: list[tuple[int, bytes]] | None = None):
    result = [(c.FIELD_NAMESPACE, b"test"), (c.FIELD_SET, set_name), (c.FIELD_DIGEST, digest)]
    return result + (extra or [])


def write(
    ops: list[Op],
    *,
    info1: int = 0,
    info2: int = 0,
    info3: int = 0,
    ttl: int = 0,
    generation: int = 0,
    digest: bytes = DIGEST,
    set_name: bytes = b"s",
    extra=None,
) -> Message:
    return Message(
        info1=info1,
        info2=c.INFO2_WRITE | info2,
        info3=info3,
        generation=generation,
        record_ttl=ttl,
        fields=fields(digest, set_name, extra),
        ops=ops,
    )


def put(**bins: object) -> Message:
    ops = []
    for name, value in bins.items():
        if value is None:
            ops.append(Op(c.OP_WRITE, c.PARTICLE_NULL, name, b""))
        elif isinstance(value, bool):
            ops.append(Op(c.OP_WRITE, c.PARTICLE_BOOL, name, b"\x01" if value else b"\x00"))
        elif isinstance(value, int):
            ops.append(Op(c.OP_WRITE, c.PARTICLE_INTEGER, name, i64(value)))
        elif isinstance(value, float):
            ops.append(Op(c.OP_WRITE, c.PARTICLE_FLOAT, name, f64(value)))
        elif isinstance(value, str):
            ops.append(Op(c.OP_WRITE, c.PARTICLE_STRING, name, value.encode()))
        else:
            assert isinstance(value, bytes)
            ops.append(Op(c.OP_WRITE, c.PARTICLE_BLOB, name, value))
    return write(ops)


def get(
    digest: bytes = DIGEST, *names: str, info1: int = c.INFO1_READ | c.INFO1_GET_ALL, extra=None
) -> Message:
    ops = [Op(c.OP_READ, c.PARTICLE_NULL, name, b"") for name in names]
    return Message(info1=info1, fields=fields(digest, extra=extra), ops=ops)


def read_op(name: str) -> Op:
    return Op(c.OP_READ, c.PARTICLE_NULL, name, b"")


def incr(name: str, value: int | float) -> Op:
    if isinstance(value, float):
        return Op(c.OP_INCR, c.PARTICLE_FLOAT, name, f64(value))
    return Op(c.OP_INCR, c.PARTICLE_INTEGER, name, i64(value))


def bins_of(reply: Message) -> dict[str, tuple[int, bytes]]:
    return {op.bin_name: (op.particle_type, op.value) for op in reply.ops}


@pytest.fixture
def store() -> NamespaceStore:
    return NamespaceStore("test")


def run(store: NamespaceStore, message: Message, now: float = NOW) -> Message:
    return execute_single(store, message, now)


# -- reads and writes -------------------------------------------------------------------------------------------


def test_put_then_get_returns_bins_in_write_order(store):
    reply = run(store, put(i=7, s="hé", f=2.5, b=b"\x00\x01", t=True))
    assert (reply.result_code, reply.generation, reply.record_ttl, reply.ops, reply.fields) == (
        0,
        1,
        0,
        [],
        [],
    )
    reply = run(store, get())
    assert reply.result_code == 0 and reply.generation == 1 and reply.record_ttl == 0
    assert [(op.op_type, op.particle_type, op.bin_name, op.value) for op in reply.ops] == [
        (c.OP_READ, c.PARTICLE_INTEGER, "i", i64(7)),
        (c.OP_READ, c.PARTICLE_STRING, "s", "hé".encode()),
        (c.OP_READ, c.PARTICLE_FLOAT, "f", f64(2.5)),
        (c.OP_READ, c.PARTICLE_BLOB, "b", b"\x00\x01"),
        (c.OP_READ, c.PARTICLE_BOOL, "t", b"\x01"),
    ]


def test_short_integers_are_stored_as_eight_bytes(store):
    run(store, write([Op(c.OP_WRITE, c.PARTICLE_INTEGER, "a", b"\xff")]))
    assert bins_of(run(store, get()))["a"] == (c.PARTICLE_INTEGER, i64(255))


def test_select_returns_only_present_named_bins(store):
    run(store, put(a=1, b=2))
    reply = run(store, get(DIGEST, "b", "nosuch", info1=c.INFO1_READ))
    assert bins_of(reply) == {"b": (c.PARTICLE_INTEGER, i64(2))}


def test_exists_returns_metadata_only(store):
    run(store, put(a=1))
    reply = run(store, get(info1=c.INFO1_READ | c.INFO1_NOBINDATA))
    assert (reply.result_code, reply.generation, reply.ops) == (0, 1, [])
    assert run(store, get(OTHER_DIGEST, info1=c.INFO1_READ | c.INFO1_NOBINDATA)).result_code == 2


def test_missing_record_is_not_found(store):
    reply = run(store, get())
    assert (reply.result_code, reply.generation) == (c.RESULT_KEY_NOT_FOUND, 0)


def test_missing_namespace_or_digest_is_parameter_error(store):
    no_digest = Message(info1=c.INFO1_READ | c.INFO1_GET_ALL, fields=[(c.FIELD_NAMESPACE, b"test")])
    assert run(store, no_digest).result_code == c.RESULT_PARAMETER_ERROR
    no_namespace = Message(info1=c.INFO1_READ | c.INFO1_GET_ALL, fields=[(c.FIELD_DIGEST, DIGEST)])
    assert run(store, no_namespace).result_code == c.RESULT_PARAMETER_ERROR
    short_digest = Message(info1=c.INFO1_READ, fields=[(c.FIELD_NAMESPACE, b"test"), (c.FIELD_DIGEST, b"x")])
    assert run(store, short_digest).result_code == c.RESULT_PARAMETER_ERROR


def test_update_merges_bins_and_bumps_generation(store):
    run(store, put(a=1, b=2))
    reply = run(store, put(b=3, c="x"))
    assert reply.generation == 2
    assert bins_of(run(store, get())) == {
        "a": (c.PARTICLE_INTEGER, i64(1)),
        "b": (c.PARTICLE_INTEGER, i64(3)),
        "c": (c.PARTICLE_STRING, b"x"),
    }


def test_null_bin_deletes_bin_and_last_bin_deletes_record(store):
    run(store, put(a=1, b=2))
    assert run(store, put(a=None)).result_code == 0
    assert bins_of(run(store, get())) == {"b": (c.PARTICLE_INTEGER, i64(2))}
    reply = run(store, put(b=None))
    assert (reply.result_code, reply.generation, reply.record_ttl) == (0, 0, 0)
    assert run(store, get()).result_code == c.RESULT_KEY_NOT_FOUND
    assert store.object_count() == 0


def test_only_null_bins_on_missing_record_is_not_found(store):
    assert run(store, put(n=None)).result_code == c.RESULT_KEY_NOT_FOUND
    assert store.object_count() == 0


def test_write_without_ops_is_parameter_error(store):
    assert run(store, write([])).result_code == c.RESULT_PARAMETER_ERROR


def test_bin_name_longer_than_15_bytes(store):
    assert run(store, put(**{"a" * 15: 1})).result_code == 0
    assert run(store, put(**{"a" * 16: 1})).result_code == c.RESULT_BIN_NAME_TOO_LONG


def test_record_too_big(store):
    reply = run(store, write([Op(c.OP_WRITE, c.PARTICLE_BLOB, "big", b"x" * MAX_RECORD_SIZE)]))
    assert reply.result_code == c.RESULT_RECORD_TOO_BIG
    assert store.object_count() == 0
    assert run(store, write([Op(c.OP_WRITE, c.PARTICLE_BLOB, "big", b"x" * 1000_000)])).result_code == 0


def test_unknown_particle_type_is_parameter_error(store):
    assert run(store, write([Op(c.OP_WRITE, 5, "a", b"x")])).result_code == c.RESULT_PARAMETER_ERROR


# -- existence and generation policies -------------------------------------------------------------------------


def test_create_only(store):
    assert run(store, write(put(a=1).ops, info2=c.INFO2_CREATE_ONLY)).result_code == 0
    reply = run(store, write(put(a=2).ops, info2=c.INFO2_CREATE_ONLY))
    assert (reply.result_code, reply.generation) == (c.RESULT_KEY_EXISTS, 1)


def test_update_only_and_replace_only_need_the_record(store):
    for info3 in (c.INFO3_UPDATE_ONLY, c.INFO3_REPLACE_ONLY):
        assert run(store, write(put(a=1).ops, info3=info3)).result_code == c.RESULT_KEY_NOT_FOUND
    run(store, put(a=1, b=2))
    assert run(store, write(put(c=3).ops, info3=c.INFO3_UPDATE_ONLY)).result_code == 0
    assert set(bins_of(run(store, get()))) == {"a", "b", "c"}
    assert run(store, write(put(d=4).ops, info3=c.INFO3_REPLACE_ONLY)).result_code == 0
    assert set(bins_of(run(store, get()))) == {"d"}


def test_create_or_replace(store):
    assert run(store, write(put(a=1).ops, info3=c.INFO3_CREATE_OR_REPLACE)).generation == 1
    reply = run(store, write(put(b=2).ops, info3=c.INFO3_CREATE_OR_REPLACE))
    assert reply.generation == 2
    assert set(bins_of(run(store, get()))) == {"b"}


def test_replace_refuses_bin_deletes_and_modify_ops(store):
    run(store, put(a=1))
    assert (
        run(store, write(put(a=None).ops, info3=c.INFO3_REPLACE_ONLY)).result_code == c.RESULT_PARAMETER_ERROR
    )
    assert run(store, write([incr("a", 1)], info3=c.INFO3_CREATE_OR_REPLACE)).result_code == 4


def test_generation_equal_and_greater(store):
    run(store, put(a=1))
    reply = run(store, write(put(a=2).ops, info2=c.INFO2_GENERATION, generation=9))
    assert (reply.result_code, reply.generation) == (c.RESULT_GENERATION_ERROR, 1)
    assert run(store, write(put(a=2).ops, info2=c.INFO2_GENERATION, generation=1)).generation == 2
    assert run(store, write(put(a=3).ops, info2=c.INFO2_GENERATION_GT, generation=2)).result_code == 3
    assert run(store, write(put(a=3).ops, info2=c.INFO2_GENERATION_GT, generation=3)).generation == 3


def test_generation_wraps_to_one(store):
    store.put(DIGEST, Record({"a": (c.PARTICLE_INTEGER, i64(1))}, 0xFFFF, 0, "s", None, 0))
    assert run(store, put(a=2)).generation == 1


# -- TTL and expiry ---------------------------------------------------------------------------------------------


def test_ttl_values(store):
    now_vt = void_time_now(NOW)
    assert run(store, write(put(a=1).ops, ttl=100)).record_ttl == now_vt + 100
    assert run(store, write(put(a=1).ops, ttl=c.TTL_DONT_UPDATE)).record_ttl == now_vt + 100
    assert run(store, write(put(a=1).ops, ttl=c.TTL_NEVER_EXPIRE)).record_ttl == 0
    assert run(store, write(put(a=1).ops, ttl=0)).record_ttl == 0
    assert run(store, write(put(a=1).ops, ttl=20 * 365 * 86400)).result_code == c.RESULT_PARAMETER_ERROR


def test_namespace_default_ttl():
    store = NamespaceStore("test", default_ttl=60)
    assert run(store, put(a=1)).record_ttl == void_time_now(NOW) + 60
    assert run(store, write(put(a=1).ops, ttl=c.TTL_NEVER_EXPIRE)).record_ttl == 0
    assert run(store, write(put(b=1).ops, ttl=c.TTL_DONT_UPDATE, digest=OTHER_DIGEST)).record_ttl == (
        void_time_now(NOW) + 60
    )


def test_expired_record_is_gone_and_removed_lazily(store):
    run(store, write(put(a=1).ops, ttl=10))
    assert run(store, get(), NOW + 5).result_code == 0
    assert store.object_count() == 1
    assert run(store, get(), NOW + 20).result_code == c.RESULT_KEY_NOT_FOUND
    assert store.object_count() == 0
    # A write on an expired record starts a fresh one.
    run(store, write(put(a=1).ops, ttl=10))
    assert run(store, put(b=2), NOW + 20).generation == 1
    assert set(bins_of(run(store, get(), NOW + 20))) == {"b"}


def test_expire_purges(store):
    run(store, write(put(a=1).ops, ttl=10))
    run(store, write(put(a=1).ops, digest=OTHER_DIGEST))
    assert store.expire(NOW + 100) == 1
    assert store.object_count() == 1


def test_touch(store):
    touch = write([Op(c.OP_TOUCH, c.PARTICLE_NULL, "", b"")], ttl=300)
    assert run(store, touch).result_code == c.RESULT_KEY_NOT_FOUND
    run(store, put(a=1))
    reply = run(store, touch)
    assert (reply.result_code, reply.generation, reply.record_ttl) == (0, 2, void_time_now(NOW) + 300)
    assert bins_of(run(store, get())) == {"a": (c.PARTICLE_INTEGER, i64(1))}


# -- modify operations ------------------------------------------------------------------------------------------


def test_increment_int_float_and_creation(store):
    run(store, write([incr("n", 5), incr("f", 0.5)]))
    run(store, write([incr("n", -7), incr("f", 1.25)]))
    assert bins_of(run(store, get())) == {
        "n": (c.PARTICLE_INTEGER, i64(-2)),
        "f": (c.PARTICLE_FLOAT, f64(1.75)),
    }


def test_increment_wraps_like_the_server(store):
    run(store, put(n=2**63 - 1))
    run(store, write([incr("n", 1)]))
    assert bins_of(run(store, get()))["n"] == (c.PARTICLE_INTEGER, i64(-(2**63)))


@pytest.mark.parametrize(
    "bins, op",
    [
        ({"s": "x"}, incr("s", 1)),
        ({"n": 1}, incr("n", 1.0)),
        ({"f": 1.0}, incr("f", 1)),
        ({"n": 1}, Op(c.OP_APPEND, c.PARTICLE_STRING, "n", b"x")),
        ({"s": "x"}, Op(c.OP_APPEND, c.PARTICLE_BLOB, "s", b"x")),
        ({"b": b"x"}, Op(c.OP_PREPEND, c.PARTICLE_STRING, "b", b"x")),
        ({"s": "x"}, Op(c.OP_APPEND, c.PARTICLE_INTEGER, "s", i64(1))),
    ],
)
def test_type_clashes_answer_12_and_change_nothing(store, bins, op):
    run(store, put(keep=1, **bins))
    reply = run(store, write([Op(c.OP_WRITE, c.PARTICLE_INTEGER, "keep", i64(2)), op]))
    assert (reply.result_code, reply.generation) == (c.RESULT_BIN_TYPE_ERROR, 1)
    assert bins_of(run(store, get()))["keep"] == (c.PARTICLE_INTEGER, i64(1))


@pytest.mark.parametrize(
    "op, stored",
    [
        (Op(c.OP_INCR, c.PARTICLE_STRING, "x", b"a"), (c.PARTICLE_STRING, b"a")),
        (Op(c.OP_APPEND, c.PARTICLE_INTEGER, "x", i64(1)), (c.PARTICLE_INTEGER, i64(1))),
        (Op(c.OP_PREPEND, c.PARTICLE_FLOAT, "x", f64(1.5)), (c.PARTICLE_FLOAT, f64(1.5))),
    ],
)
def test_a_missing_bin_takes_any_operand_like_the_server(store, op, stored):
    # Checked against a CE 8.1 server: increment/append/prepend on a missing bin write the operand as it is.
    run(store, put(keep=1))
    assert run(store, write([op])).result_code == c.RESULT_OK
    assert bins_of(run(store, get()))["x"] == stored


@pytest.mark.parametrize("op_type", [c.OP_INCR, c.OP_APPEND, c.OP_PREPEND])
@pytest.mark.parametrize("bins", [{"keep": 1}, {"x": "s"}])
def test_a_nil_operand_is_a_parameter_error(store, op_type, bins):
    run(store, put(**bins))
    reply = run(store, write([Op(op_type, c.PARTICLE_NULL, "x", b"")]))
    assert reply.result_code == c.RESULT_PARAMETER_ERROR


def test_a_read_naming_no_bins_is_a_parameter_error(store):
    run(store, put(keep=1))
    message = get()
    named = Message(info1=c.INFO1_READ, fields=message.fields, ops=[])
    assert run(store, named).result_code == c.RESULT_PARAMETER_ERROR


def test_append_and_prepend(store):
    run(store, put(s="mid", b=b"\x01"))
    run(
        store,
        write(
            [
                Op(c.OP_APPEND, c.PARTICLE_STRING, "s", b"-end"),
                Op(c.OP_PREPEND, c.PARTICLE_STRING, "s", b"x-"),
                Op(c.OP_APPEND, c.PARTICLE_BLOB, "b", b"\x02"),
                Op(c.OP_APPEND, c.PARTICLE_STRING, "new", b"n"),
            ]
        ),
    )
    assert bins_of(run(store, get())) == {
        "s": (c.PARTICLE_STRING, b"x-mid-end"),
        "b": (c.PARTICLE_BLOB, b"\x01\x02"),
        "new": (c.PARTICLE_STRING, b"n"),
    }


# -- operate ----------------------------------------------------------------------------------------------------


def test_operate_reads_see_earlier_writes(store):
    run(store, put(n=1))
    reply = run(
        store,
        write([incr("n", 1), read_op("n"), incr("n", 1), read_op("n"), read_op("none")], info1=c.INFO1_READ),
    )
    assert [(op.bin_name, op.value) for op in reply.ops] == [("n", i64(2)), ("n", i64(3))]
    assert reply.generation == 2


def test_operate_respond_all_ops_answers_every_op_in_order(store):
    run(store, put(n=1))
    ops = [
        Op(c.OP_WRITE, c.PARTICLE_STRING, "w", b"v"),
        incr("n", 1),
        read_op("n"),
        read_op("none"),
        Op(c.OP_TOUCH, c.PARTICLE_NULL, "", b""),
    ]
    reply = run(store, write(ops, info1=c.INFO1_READ, info2=c.INFO2_RESPOND_ALL_OPS))
    assert [(op.op_type, op.particle_type, op.bin_name, op.value) for op in reply.ops] == [
        # Each result carries the type of the op it answers (transcripts 06 call 445, 07 batch_operate).
        (c.OP_WRITE, c.PARTICLE_NULL, "w", b""),
        (c.OP_INCR, c.PARTICLE_NULL, "n", b""),
        (c.OP_READ, c.PARTICLE_INTEGER, "n", i64(2)),
        (c.OP_READ, c.PARTICLE_NULL, "none", b""),
    ]


def test_operate_read_all_bins(store):
    run(store, put(a=1, b="x"))
    ops = [Op(c.OP_WRITE, c.PARTICLE_INTEGER, "c", i64(3)), read_op("")]
    reply = run(store, write(ops, info1=c.INFO1_READ | c.INFO1_GET_ALL))
    assert list(bins_of(reply)) == ["a", "b", "c"]
    # read-all cannot mix with respond-all-ops, nor can GET_ALL come without a read-all op.
    assert (
        run(
            store, write(ops, info1=c.INFO1_READ | c.INFO1_GET_ALL, info2=c.INFO2_RESPOND_ALL_OPS)
        ).result_code
        == 4
    )
    assert run(store, write(ops[:1], info1=c.INFO1_READ | c.INFO1_GET_ALL)).result_code == 4


def test_operate_read_needs_read_flag(store):
    run(store, put(a=1))
    assert run(store, write([read_op("a")])).result_code == c.RESULT_PARAMETER_ERROR


def test_operate_delete_op(store):
    run(store, put(n=9))
    reply = run(store, write([read_op("n"), Op(c.OP_DELETE, c.PARTICLE_NULL, "", b"")], info1=c.INFO1_READ))
    assert (reply.result_code, reply.generation, reply.record_ttl) == (0, 0, 0)
    assert bins_of(reply) == {"n": (c.PARTICLE_INTEGER, i64(9))}
    assert run(store, get()).result_code == c.RESULT_KEY_NOT_FOUND
    # Delete followed by writes keeps the record with only the new bins.
    run(store, put(a=1, b=2))
    run(
        store,
        write([Op(c.OP_DELETE, c.PARTICLE_NULL, "", b""), Op(c.OP_WRITE, c.PARTICLE_INTEGER, "c", i64(3))]),
    )
    assert set(bins_of(run(store, get()))) == {"c"}


@pytest.mark.parametrize(
    ("op_type", "expected"), [(c.OP_BIT_MODIFY, c.RESULT_BIN_TYPE_ERROR), (c.OP_HLL_READ, c.RESULT_PARAMETER_ERROR)]
)
def test_bit_and_hll_ops_with_a_bad_payload_on_an_integer_bin(store, op_type, expected):
    # What CE 8.1.2.0 answers to these raw requests (checked over the wire): the engines are registered on
    # import of aerospike.testing, so a store outside a LocalCluster answers the same.
    run(store, put(l=1))
    op = Op(op_type, c.PARTICLE_NULL, "l", msgpack.packb([1]))
    assert run(store, write([op], info1=c.INFO1_READ)).result_code == expected
    if op_type == c.OP_HLL_READ:
        read = Message(info1=c.INFO1_READ, fields=fields(), ops=[op])
        assert run(store, read).result_code == expected


@pytest.mark.parametrize("op_type", [c.OP_CDT_READ, c.OP_CDT_MODIFY])
def test_list_and_map_ops_on_an_integer_bin_are_a_bin_type_error(store, op_type):
    run(store, put(l=1))
    payload = [16] if op_type == c.OP_CDT_READ else [1, 5]  # list size / list append 5
    op = Op(op_type, c.PARTICLE_BLOB, "l", msgpack.packb(payload))
    if op_type == c.OP_CDT_READ:
        command = Message(info1=c.INFO1_READ, fields=fields(), ops=[op])
    else:
        command = write([op], info1=c.INFO1_READ)
    assert run(store, command).result_code == c.RESULT_BIN_TYPE_ERROR


# -- delete ------------------------------------------------------------------------------------------------------


def remove(info2: int = 0, generation: int = 0, digest: bytes = DIGEST) -> Message:
    return Message(info2=c.INFO2_WRITE | c.INFO2_DELETE | info2, generation=generation, fields=fields(digest))


def test_remove(store):
    run(store, put(a=1))
    assert run(store, remove(c.INFO2_GENERATION, generation=5)).result_code == c.RESULT_GENERATION_ERROR
    reply = run(store, remove())
    assert (reply.result_code, reply.generation, reply.record_ttl) == (0, 0, 0)
    assert run(store, remove()).result_code == c.RESULT_KEY_NOT_FOUND


def test_durable_delete_is_enterprise_only_in_community():
    community = NamespaceStore("test")
    run(community, put(a=1))
    assert run(community, remove(c.INFO2_DURABLE_DELETE)).result_code == c.RESULT_ENTERPRISE_ONLY
    assert run(community, write(put(a=None).ops, info2=c.INFO2_DURABLE_DELETE)).result_code == 25
    assert community.object_count() == 1
    enterprise = NamespaceStore("test", edition="enterprise")
    run(enterprise, put(a=1))
    assert run(enterprise, remove(c.INFO2_DURABLE_DELETE)).result_code == 0


# -- keys and sets ----------------------------------------------------------------------------------------------


def test_send_key_is_stored_and_must_match(store):
    key_field = (c.FIELD_KEY, b"\x03k1")
    run(store, write(put(a=1).ops, extra=[key_field]))
    record = store.get(DIGEST, NOW)
    assert record is not None and record.key == (c.PARTICLE_STRING, b"k1") and record.set_name == "s"
    run(store, put(a=2))  # a later write without the key keeps it
    assert store.get(DIGEST, NOW).key == (c.PARTICLE_STRING, b"k1")
    assert (
        run(store, write(put(a=3).ops, extra=[(c.FIELD_KEY, b"\x03k2")])).result_code == c.RESULT_KEY_MISMATCH
    )


def test_set_name_of_existing_record_must_match(store):
    run(store, put(a=1))
    assert run(store, write(put(a=2).ops, set_name=b"other")).result_code == c.RESULT_PARAMETER_ERROR
    assert run(store, write(put(a=2).ops, set_name=b"")).result_code == 0
    assert store.get(DIGEST, NOW).set_name == "s"


def test_counts_and_set_names(store):
    run(store, put(a=1))
    run(store, write(put(a=1).ops, digest=OTHER_DIGEST, set_name=b""))
    assert store.object_count() == 2
    assert store.set_names() == ["s"]
    assert store.set_object_count("s") == 1
    assert store.set_object_count(None) == 1
    run(store, remove())
    # As the server's set table: a set stays listed, with 0 objects, after its last record is gone.
    assert store.set_names() == ["s"] and store.set_object_count("s") == 0 and store.object_count() == 1


def test_truncate_by_set_and_time(store):
    run(store, put(a=1), NOW)
    run(store, write(put(a=1).ops, digest=OTHER_DIGEST), NOW + 10)
    assert store.truncate("s", before_ns=int((NOW + 5) * 1e9)) == 1
    assert store.object_count() == 1
    assert store.truncate() == 1


# -- partitions and replication ---------------------------------------------------------------------------------


def test_partition_of():
    assert partition_of(bytes([0x34, 0x12]) + bytes(18)) == 0x234
    assert partition_of(bytes([0xFF, 0xFF]) + bytes(18)) == 0xFFF


def test_partition_records_and_copy_partition_from(store):
    run(store, put(a=1))
    partition_id = partition_of(DIGEST)
    assert list(store.partition_records(partition_id)) == [DIGEST]
    replica = NamespaceStore("test")
    replica.put(bytes([DIGEST[0], DIGEST[1]]) + bytes(18), Record({"z": (1, i64(0))}, 1, 0, None, None, 0))
    replica.copy_partition_from(store, partition_id)
    assert list(replica.partition_records(partition_id)) == [DIGEST]
    assert replica.object_count() == 1
    # The copy is independent of the source.
    run(store, put(a=2))
    assert bins_of(run(replica, get())) == {"a": (c.PARTICLE_INTEGER, i64(1))}


def test_concurrent_increments_are_not_lost(store):
    def worker() -> None:
        for _ in range(200):
            assert run(store, write([incr("n", 1)])).result_code == 0

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert bins_of(run(store, get()))["n"] == (c.PARTICLE_INTEGER, i64(1600))


# -- filter expressions -----------------------------------------------------------------------------------------


def exp(tree: object) -> list[tuple[int, bytes]]:
    return [(c.FIELD_FILTER_EXP, msgpack.packb(tree))]


def bin_int(name: str) -> list:
    return [81, 2, name]


def test_filter_expression_on_read(store):
    run(store, put(n=9, s="abc"))
    assert run(store, get(extra=exp([3, bin_int("n"), 5]))).result_code == 0
    reply = run(store, get(extra=exp([5, bin_int("n"), 5])))
    assert (reply.result_code, reply.generation) == (c.RESULT_FILTERED_OUT, 1)
    assert run(store, get(extra=exp([1, [81, 3, "s"], "abc"]))).result_code == 0
    assert run(store, get(extra=exp([3, bin_int("missing"), 5]))).result_code == 27
    assert run(store, get(extra=exp([17, [3, bin_int("missing"), 5], [1, bin_int("n"), 9]]))).result_code == 0
    assert run(store, get(extra=exp([16, [18, [1, bin_int("n"), 9]], True]))).result_code == 27
    assert run(store, get(extra=exp([1, [20, bin_int("n"), 1], 10]))).result_code == 0
    assert run(store, get(extra=exp([1, [70], "s"]))).result_code == 0
    assert run(store, get(extra=exp([1, [69], -1]))).result_code == 0
    assert run(store, get(extra=exp([125, "x", bin_int("n"), [1, [124, "x"], 9]]))).result_code == 0
    assert run(store, get(extra=exp([7, 0, "a.*", [81, 3, "s"]]))).result_code == c.RESULT_PARAMETER_ERROR


def test_filter_expression_on_write_and_delete(store):
    run(store, put(n=9))
    filtered = run(store, write(put(n=1).ops, extra=exp([5, bin_int("n"), 5])))
    assert filtered.result_code == c.RESULT_FILTERED_OUT
    assert run(store, write(put(n=1).ops, extra=exp([3, bin_int("n"), 5]))).result_code == 0
    delete = Message(info2=c.INFO2_WRITE | c.INFO2_DELETE, fields=fields(extra=exp([1, bin_int("n"), 2])))
    assert run(store, delete).result_code == c.RESULT_FILTERED_OUT
    # A filter does not apply to a record the write creates.
    assert run(store, write(put(a=1).ops, digest=OTHER_DIGEST, extra=exp([1, 1, 2]))).result_code == 0


# -- GeoJSON ------------------------------------------------------------------------------------------------------


def geo(text: str) -> bytes:
    return b"\x00\x00\x00" + text.encode()


@pytest.mark.parametrize(
    "longitude, latitude, cell",
    [(-122.0, 37.5, 0x808FB8A247954393), (1.5, 2.5, 0x101B4A5F93E10DD1)],  # from 03-single-record replies
)
def test_geojson_point_is_stored_with_its_s2_leaf_cell(store, longitude, latitude, cell):
    assert s2_leaf_cell(longitude, latitude) == cell
    text = f'{{"type": "Point", "coordinates": [{longitude}, {latitude}]}}'
    run(store, write([Op(c.OP_WRITE, c.PARTICLE_GEOJSON, "g", geo(text))]))
    assert bins_of(run(store, get()))["g"] == (
        c.PARTICLE_GEOJSON,
        b"\x00\x00\x01" + cell.to_bytes(8, "big") + text.encode(),
    )


def test_geojson_region_and_invalid_geojson(store):
    polygon = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}'
    assert run(store, write([Op(c.OP_WRITE, c.PARTICLE_GEOJSON, "g", geo(polygon))])).result_code == 0
    assert bins_of(run(store, get()))["g"] == (c.PARTICLE_GEOJSON, geo(polygon))
    for bad in ("not json", '{"coordinates": [1, 2]}', '{"type": "Point", "coordinates": ["a", 2]}'):
        reply = run(store, write([Op(c.OP_WRITE, c.PARTICLE_GEOJSON, "g", geo(bad))]))
        assert reply.result_code == RESULT_GEO_INVALID_GEOJSON
