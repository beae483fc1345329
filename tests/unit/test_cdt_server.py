"""Server semantics of list/map operations in aerospike.testing.cdt_ops beyond what the transcripts show."""

from __future__ import annotations

import msgpack
import pytest

from aerospike.protocol import cdt
from aerospike.protocol import constants as c
from aerospike.testing.cdt_ops import (
    UNCHANGED,
    WILDCARD,
    CdtList,
    CdtMap,
    apply_cdt_op,
    compare,
    decode_bin,
    encode_bin,
    order_key,
)

READ, MODIFY = c.OP_CDT_READ, c.OP_CDT_MODIFY
S = cdt.pack  # Aerospike msgpack of Python values (strings get their 0x03 prefix)


def run(op_type, value, *op, ctx=None):
    """Apply [op...] (optionally inside ctx) to a Python list/dict bin; returns (code, new python value, reply)."""
    if value is None:
        particle_type, model = None, None
    else:
        particle_type, data = c.PARTICLE_LIST if isinstance(value, list) else c.PARTICLE_MAP, S(value)
        model = decode_bin(particle_type, data)
    payload = S(list(op)) if ctx is None else S([0xFF, ctx, list(op)])
    code, new_value, reply = apply_cdt_op(op_type, particle_type, model, payload)
    if new_value is not UNCHANGED:
        new_value = plain(new_value)
    if reply is not None and reply[0] in (c.PARTICLE_LIST, c.PARTICLE_MAP):
        reply = cdt.unpack(reply[1], preserved_map_as_list=True)
    elif reply is not None and reply[0] == c.PARTICLE_INTEGER:
        reply = int.from_bytes(reply[1], "big", signed=True)
    return code, new_value, reply


def plain(value):
    """The model as Python values (markers dropped), to compare with literals."""
    if isinstance(value, CdtList):
        return [plain(item) for item in value.items]
    if isinstance(value, CdtMap):
        return {plain(key): plain(item) for key, item in value.pairs()}
    if isinstance(value, bytes) and value[:1] == b"\x03":
        return value[1:].decode()
    return value


def test_value_order_across_types() -> None:
    values = [b"\x04blob", 1.5, None, False, True, -3, 7, b"\x03str", CdtList([1]), CdtMap([(1, 2)])]
    ordered = sorted(values, key=order_key)
    assert ordered == [None, False, True, -3, 7, b"\x03str", CdtList([1]), CdtMap([(1, 2)]), b"\x04blob", 1.5]
    assert compare(CdtList([1, 2]), CdtList([1, 2, 0])) == -1
    assert compare(CdtList([1, WILDCARD]), CdtList([1, 9, 9])) == 0
    assert compare(CdtMap([(9, 9)]), CdtMap([(1, 1), (2, 2)])) == -1  # maps compare by size first


def test_bin_round_trip_keeps_order_flags() -> None:
    data = cdt.pack_map({"b": 1, "a": 2}, cdt.MAP_KEY_ORDERED)
    model = decode_bin(c.PARTICLE_MAP, data)
    assert model.flags == 1 and [k for k, _ in model.pairs()] == [b"\x03a", b"\x03b"]
    assert encode_bin(model) == (c.PARTICLE_MAP, data)
    ordered_list = b"\x93\xc7\x00\x01\x01\x02"
    assert encode_bin(decode_bin(c.PARTICLE_LIST, ordered_list)) == (c.PARTICLE_LIST, ordered_list)
    with pytest.raises(ValueError):
        decode_bin(c.PARTICLE_LIST, S({"a": 1}))


def test_ordered_list_append_sorts_and_refuses_insert() -> None:
    code, value, reply = run(MODIFY, None, 2, [5, 1, 3], 1, 0)  # append_items creating an ordered list
    assert (code, value, reply) == (0, [1, 3, 5], 3)
    ordered = decode_bin(c.PARTICLE_LIST, b"\x94\xc7\x00\x01\x01\x03\x05")
    assert apply_cdt_op(MODIFY, c.PARTICLE_LIST, ordered, S([3, 0, 9]))[0] == c.RESULT_OP_NOT_APPLICABLE
    code, new_value, _ = apply_cdt_op(MODIFY, c.PARTICLE_LIST, ordered, S([1, 4]))
    assert code == 0 and new_value.items == [1, 3, 4, 5] and new_value.ordered


def test_list_add_unique_flags() -> None:
    assert run(MODIFY, [1, 2], 1, 2, 0, 1)[0] == c.RESULT_ELEMENT_EXISTS
    assert run(MODIFY, [1, 2], 2, [3, 2], 0, 1 | 4)[1:] == (
        [1, 2],
        2,
    )  # no-fail without partial: all or nothing
    assert run(MODIFY, [1, 2], 2, [3, 2], 0, 1 | 4 | 8)[1:] == ([1, 2, 3], 3)
    assert run(MODIFY, [1, 2], 2, [3, 3], 0, 1)[0] == c.RESULT_ELEMENT_EXISTS  # duplicates among the items


def test_list_negative_indexes_and_bounds() -> None:
    assert run(READ, [1, 2, 3], 17, -3)[2] == 1
    assert run(READ, [1, 2, 3], 17, -4)[0] == c.RESULT_OP_NOT_APPLICABLE
    assert run(READ, [1, 2, 3], 18, -2)[2] == [2, 3]
    assert run(READ, [1, 2, 3], 18, -9, 7)[2] == [1]  # the range is clipped at index 0
    assert run(MODIFY, [1, 2, 3], 3, -1, 9)[1] == [1, 2, 9, 3]
    assert run(MODIFY, [1, 2, 3], 9, 4, 9, 2 | 4)[0] == 0  # insert-bounded with no-fail: nothing happens


def test_list_value_ops_with_wildcard_and_inverted() -> None:
    pairs = [[1, "a"], [2, "b"], [1, "c"]]
    payload = b"\x93\x16\x07\x92\x01\xd4\xff\x00"  # get_all_by_value VALUE [1, *]
    model = decode_bin(c.PARTICLE_LIST, S(pairs))
    code, _, reply = apply_cdt_op(READ, c.PARTICLE_LIST, model, payload)
    assert code == 0 and cdt.unpack(reply[1]) == [[1, "a"], [1, "c"]]
    assert run(READ, [5, 1, 4], 22, 0x10005, 4)[2] == 2  # COUNT inverted
    assert run(READ, [5, 1, 4], 21, 0x10007, 0)[0] == c.RESULT_OP_NOT_APPLICABLE  # inverted single result


def test_list_increment_keeps_number_type() -> None:
    assert run(MODIFY, [1, 2.5], 12, 1, 2)[1:] == (
        [1, 4.5],
        (c.PARTICLE_FLOAT, b"\x40\x12\x00\x00\x00\x00\x00\x00"),
    )
    assert run(MODIFY, [1], 12, 0, 1.9)[1] == [2]
    assert run(MODIFY, ["x"], 12, 0, 1)[0] == c.RESULT_PARAMETER_ERROR


def test_map_index_is_key_order_even_when_unordered() -> None:
    unordered = {"c": 1, "a": 2, "b": 3}
    assert run(READ, unordered, 98, 6, 0)[2] == (c.PARTICLE_STRING, b"a")
    assert run(READ, unordered, 104, 8, 0, 2)[2] == ["a", 2, "b", 3]
    code, value, _ = run(MODIFY, unordered, 67, "a", 9, 0, 0)
    # Server 8.x keeps every map sorted by key, unordered ones too (they only lack the ordered flag).
    assert list(value.items()) == [("a", 9), ("b", 3), ("c", 1)]
    code, value, _ = run(MODIFY, unordered, 67, "0", 0, 0, 0)
    assert list(value) == ["0", "a", "b", "c"]


def test_map_write_flags() -> None:
    assert run(MODIFY, {"a": 1}, 68, {"a": 2, "b": 3}, 0, 1)[0] == c.RESULT_ELEMENT_EXISTS
    assert run(MODIFY, {"a": 1}, 68, {"a": 2, "b": 3}, 0, 1 | 4)[1:] == ({"a": 1}, 1)
    assert run(MODIFY, {"a": 1}, 68, {"a": 2, "b": 3}, 0, 2 | 4 | 8)[1:] == ({"a": 2}, 1)
    assert run(MODIFY, {"a": 1}, 73, "z", 1, 0, 2)[0] == c.RESULT_ELEMENT_NOT_FOUND


def test_map_missing_bin_and_type_errors() -> None:
    assert run(READ, None, 97, 7, "a") == (0, UNCHANGED, (c.PARTICLE_NULL, b""))
    assert run(READ, None, 16) == (0, UNCHANGED, None)
    assert run(READ, [1], 96)[0] == c.RESULT_BIN_TYPE_ERROR
    assert run(MODIFY, {"a": 1}, 1, 5)[0] == c.RESULT_BIN_TYPE_ERROR
    assert run(READ, {"a": 1}, 97, 0x99, "a")[0] == c.RESULT_OP_NOT_APPLICABLE  # unknown return type (8.1: 26)
    assert run(READ, {"a": 1}, 97, "7", "a")[0] == c.RESULT_PARAMETER_ERROR  # not an integer
    assert apply_cdt_op(READ, c.PARTICLE_MAP, CdtMap(), b"\xc1")[0] == c.RESULT_PARAMETER_ERROR


def test_nested_context_create_and_read() -> None:
    # map_key_create, then a list append inside the new element
    code, value, reply = run(MODIFY, {"a": 1}, 1, 7, ctx=[0x22 | 0x40, "l"])
    assert (code, value, reply) == (0, {"a": 1, "l": [7]}, 1)
    assert run(MODIFY, {"a": 1}, 1, 7, ctx=[0x22, "l"])[0] == c.RESULT_OP_NOT_APPLICABLE
    nested = [[3, 1], [9]]
    assert run(READ, nested, 19, 7, 0, ctx=[0x11, -1])[2] == 9  # list rank -1 is [9]
    assert run(MODIFY, nested, 1, 5, ctx=[0x10, 0x7F])[0] == c.RESULT_OP_NOT_APPLICABLE
    code, value, _ = run(MODIFY, [[1]], 1, 2, ctx=[0x10 | 0x40, 1])  # list index create at the end
    assert value == [[1], [2]]
    code, value, _ = run(MODIFY, {"m": {"x": {"y": 1}}}, 67, "z", 2, 0, 0, ctx=[0x22, "m", 0x22, "x"])
    assert value == {"m": {"x": {"y": 1, "z": 2}}}
    assert run(READ, {"m": 5}, 96, ctx=[0x22, "m"])[0] == c.RESULT_BIN_TYPE_ERROR


def test_payload_must_be_an_op_array() -> None:
    assert apply_cdt_op(READ, None, None, msgpack.packb({"x": 1}))[0] == c.RESULT_PARAMETER_ERROR
    assert apply_cdt_op(MODIFY, None, None, msgpack.packb([16]))[0] == c.RESULT_PARAMETER_ERROR  # read code
