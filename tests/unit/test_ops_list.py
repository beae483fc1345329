"""List operation dicts: argument checks, value encoding, and the spec's code examples (build only)."""

from __future__ import annotations

import re
from pathlib import Path

import msgpack
import pytest

import aerospike
from aerospike import _constants
from aerospike.exception import BinNameError, ClientError, ParamError
from aerospike.ops import build_cdt_op, is_cdt_op, method_operation
from aerospike.protocol import cdt
from aerospike.protocol.constants import OP_CDT_MODIFY, OP_CDT_READ, PARTICLE_BLOB, PARTICLE_PYTHON_BLOB

A = aerospike
SPEC = Path(__file__).resolve().parents[1] / "data" / "spec" / "aerospike.rst"


def payload(operation, fallback=None):
    return build_cdt_op(operation, fallback)[0].value


# ------------------------------------------------------------------------------------------ layouts


@pytest.mark.parametrize(
    ("operation", "op_type", "decoded"),
    [
        ({"op": A.OP_LIST_APPEND, "bin": "b", "val": 1}, OP_CDT_MODIFY, [1, 1]),
        ({"op": A.OP_LIST_APPEND_ITEMS, "bin": "b", "val": [1, "x"]}, OP_CDT_MODIFY, [2, [1, "x"]]),
        ({"op": A.OP_LIST_INSERT, "bin": "b", "index": -2, "val": 1.5}, OP_CDT_MODIFY, [3, -2, 1.5]),
        ({"op": A.OP_LIST_INSERT_ITEMS, "bin": "b", "index": 2, "val": []}, OP_CDT_MODIFY, [4, 2, []]),
        ({"op": A.OP_LIST_INCREMENT, "bin": "b", "index": 2, "val": 5}, OP_CDT_MODIFY, [12, 2, 5]),
        ({"op": A.OP_LIST_POP, "bin": "b", "index": 2}, OP_CDT_MODIFY, [5, 2]),
        ({"op": A.OP_LIST_POP_RANGE, "bin": "b", "index": 2, "val": 3}, OP_CDT_MODIFY, [6, 2, 3]),
        ({"op": A.OP_LIST_REMOVE, "bin": "b", "index": 2}, OP_CDT_MODIFY, [7, 2]),
        ({"op": A.OP_LIST_REMOVE_RANGE, "bin": "b", "index": 2, "val": 3}, OP_CDT_MODIFY, [8, 2, 3]),
        ({"op": A.OP_LIST_CLEAR, "bin": "b"}, OP_CDT_MODIFY, [11]),
        ({"op": A.OP_LIST_SET, "bin": "b", "index": 2, "val": "v"}, OP_CDT_MODIFY, [9, 2, "v"]),
        ({"op": A.OP_LIST_GET, "bin": "b", "index": 2}, OP_CDT_READ, [17, 2]),
        ({"op": A.OP_LIST_GET_RANGE, "bin": "b", "index": 2, "val": 3}, OP_CDT_READ, [18, 2, 3]),
        ({"op": A.OP_LIST_TRIM, "bin": "b", "index": 2, "val": 3}, OP_CDT_MODIFY, [10, 2, 3]),
        ({"op": A.OP_LIST_SIZE, "bin": "b"}, OP_CDT_READ, [16]),
    ],
)
def test_every_list_operator_layout(operation, op_type, decoded):
    op, shape = build_cdt_op(operation)
    assert (op.op_type, op.particle_type, op.bin_name) == (op_type, PARTICLE_BLOB, "b")
    assert cdt.unpack(op.value) == decoded
    assert shape.is_write == (op_type == OP_CDT_MODIFY)
    assert shape.respond_all_ops is False
    assert shape([1, 2]) == [1, 2]


def test_is_cdt_op():
    assert is_cdt_op(A.OP_LIST_APPEND) and is_cdt_op(A.OP_MAP_GET_BY_RANK_RANGE)
    assert not is_cdt_op(A.OPERATOR_READ)
    assert not is_cdt_op(True)
    assert not is_cdt_op("1001")


def test_negative_count_wraps_to_unsigned_as_the_c_core_wrote_it():
    assert payload({"op": A.OP_LIST_GET_RANGE, "bin": "b", "index": 0, "val": -1}) == bytes.fromhex(
        "931200cfffffffffffffffff"
    )


# ------------------------------------------------------------------------------------------ values


def test_values_of_every_supported_type():
    geo = A.GeoJSON({"type": "Point", "coordinates": [1, 2]})
    val = [1, -1, 2.5, "s", b"b", bytearray(b"ba"), [1, [2]], {"k": {"n": 1}}, None, A.null(), True, geo]
    decoded = cdt.unpack(payload({"op": A.OP_LIST_APPEND, "bin": "b", "val": val}), geo_factory=A.GeoJSON)
    assert decoded == [
        1,
        [1, -1, 2.5, "s", bytearray(b"b"), bytearray(b"ba"), [1, [2]], {"k": {"n": 1}}, None, None, 1, geo],
    ]


def test_null_is_written_as_nil():
    assert payload({"op": A.OP_LIST_APPEND, "bin": "b", "val": A.null()}) == b"\x92\x01\xc0"


def test_geojson_is_a_prefixed_string():
    raw = payload({"op": A.OP_LIST_APPEND, "bin": "b", "val": A.GeoJSON({"type": "Point"})})
    assert raw[2:] == msgpack.packb(b"\x17" + b'{"type": "Point"}', use_bin_type=False)


def test_plain_dicts_are_written_in_server_key_order():
    mixed = {"b": 1, 2.5: 0, "a": 2, b"x": 3, 1: 4, None: 5}
    raw = payload({"op": A.OP_LIST_APPEND, "bin": "b", "val": mixed})
    keys = list(msgpack.unpackb(raw[2:], raw=True, strict_map_key=False))
    assert keys == [None, 1, b"\x03a", b"\x03b", b"\x04x", 2.5]


def test_unsupported_type_goes_to_the_fallback():
    class Thing:
        pass

    raw = payload(
        {"op": A.OP_LIST_APPEND, "bin": "b", "val": [Thing()]}, lambda v: (PARTICLE_PYTHON_BLOB, b"P")
    )
    assert raw == b"\x92\x01\x91\xa2\x09P"


def test_unsupported_type_without_fallback_is_a_param_error():
    with pytest.raises(ParamError):
        build_cdt_op({"op": A.OP_LIST_APPEND, "bin": "b", "val": object()})


def test_integer_out_of_range_names_the_field():
    with pytest.raises(ParamError, match="'val'"):
        build_cdt_op({"op": A.OP_LIST_APPEND, "bin": "b", "val": [1 << 64]})


# ------------------------------------------------------------------------------------------ bad fields


NO_BIN = "Bin is not given"
BIN_TYPE = "Bin name should be of type string"
NO_VAL = "Value should be given"
NO_INDEX = "Operation needs an index value"
BAD_INDEX = "Index should be an integer"
BAD_COUNT = "Offset should be of int or long type"


# 3.0.0's add_op (src/main/client/operate.c): each check and its exact message, in its order.
@pytest.mark.parametrize(
    ("operation", "message"),
    [
        ({"op": A.OP_LIST_APPEND, "val": 1}, NO_BIN),
        ({"op": A.OP_LIST_APPEND, "bin": None, "val": 1}, BIN_TYPE),
        ({"op": A.OP_LIST_APPEND, "bin": 7, "val": 1}, BIN_TYPE),
        ({"op": A.OP_LIST_APPEND, "bin": b"b", "val": 1}, BIN_TYPE),
        ({"op": A.OP_LIST_APPEND, "bin": "b"}, NO_VAL),
        ({"op": A.OP_LIST_APPEND, "bin": "b", "val": 1, "index": 0}, "Operation does not need an index value"),
        ({"op": A.OP_LIST_APPEND_ITEMS, "bin": "b", "val": 1}, "Value of list_append_items should be of type list"),
        ({"op": A.OP_LIST_APPEND_ITEMS, "bin": "b", "val": (1, 2)}, "Value of list_append_items should be of type list"),
        ({"op": A.OP_LIST_INSERT, "bin": "b", "val": 1}, NO_INDEX),
        ({"op": A.OP_LIST_INSERT, "bin": "b", "index": "1", "val": 1}, BAD_INDEX),
        ({"op": A.OP_LIST_INSERT, "bin": "b", "index": 1.0, "val": 1}, BAD_INDEX),
        ({"op": A.OP_LIST_INSERT, "bin": "b", "index": None, "val": 1}, BAD_INDEX),
        ({"op": A.OP_LIST_INSERT, "bin": "b", "index": 1 << 63, "val": 1}, "integer value exceeds sys.maxsize"),
        ({"op": A.OP_LIST_INSERT, "bin": "b", "index": 1}, NO_VAL),
        ({"op": A.OP_LIST_INSERT_ITEMS, "bin": "b", "index": 1, "val": "ab"},
         "Value of list_insert_items should be of type list"),
        ({"op": A.OP_LIST_INCREMENT, "bin": "b", "val": 1}, NO_INDEX),
        ({"op": A.OP_LIST_POP, "bin": "b"}, NO_INDEX),
        ({"op": A.OP_LIST_POP_RANGE, "bin": "b", "index": 1}, NO_VAL),
        ({"op": A.OP_LIST_POP_RANGE, "bin": "b", "index": 1, "val": "3"}, BAD_COUNT),
        ({"op": A.OP_LIST_REMOVE_RANGE, "bin": "b", "index": 0, "val": 1.5}, BAD_COUNT),
        ({"op": A.OP_LIST_CLEAR, "bin": "b", "index": 0}, "Operation does not need an index value"),
        ({"op": A.OP_LIST_SET, "bin": "b", "index": 0}, NO_VAL),
        ({"op": A.OP_LIST_GET, "bin": "b"}, NO_INDEX),
        ({"op": A.OP_LIST_GET_RANGE, "bin": "b", "index": 0}, NO_VAL),
        ({"op": A.OP_LIST_TRIM, "bin": "b", "val": 2}, NO_INDEX),
        ({"op": A.OP_LIST_SIZE, "bin": ["b"]}, BIN_TYPE),
        # The bin is checked before the value, the value before the index.
        ({"op": A.OP_LIST_POP_RANGE, "index": "x"}, NO_BIN),
        ({"op": A.OP_LIST_POP_RANGE, "bin": "b", "index": "x"}, NO_VAL),
    ],
)
def test_bad_field_is_a_param_error_with_the_3_0_0_message(operation, message):
    with pytest.raises(ParamError) as caught:
        build_cdt_op(operation)
    assert (type(caught.value), caught.value.code, caught.value.msg) == (ParamError, -2, message)


@pytest.mark.parametrize(
    "operation",
    [
        {"op": A.OP_LIST_INSERT, "bin": "b", "index": True, "val": 1},  # bools are ints to 3.0.0
        {"op": A.OP_LIST_INCREMENT, "bin": "b", "index": 1, "val": "1"},  # the server answers
        {"op": A.OP_LIST_APPEND, "bin": bytearray(b"b\0junk"), "val": 1},  # up to the NUL, as a C string
    ],
)
def test_what_3_0_0_let_through(operation):
    op, _ = build_cdt_op(operation)
    assert op.bin_name == "b"


def test_a_key_that_is_not_a_string_is_a_client_error():
    with pytest.raises(ClientError) as caught:
        build_cdt_op({"op": A.OP_LIST_SIZE, "bin": "b", 1: 2})
    assert (type(caught.value), caught.value.msg) == (ClientError, "An operation key must be a string.")


@pytest.mark.parametrize("extra", [{"value": 2}, {"inverted": True}])
def test_unknown_key_in_operation(extra):
    with pytest.raises(ParamError) as caught:
        build_cdt_op({"op": A.OP_LIST_APPEND, "bin": "b", "val": 1, **extra})
    assert caught.value.msg == (
        "Operation can contain only op, bin, index, key, val, return_type and map_policy keys"
    )


@pytest.mark.parametrize(
    "operation", [None, [], {"bin": "b"}, {"op": "1001"}, {"op": 999}, {"op": A.OPERATOR_READ}]
)
def test_not_a_list_or_map_operation(operation):
    with pytest.raises(ParamError):
        build_cdt_op(operation)


def test_long_bin_name():
    # 3.0.0's C core allowed 14 bytes (AS_BIN_NAME_MAX_LEN).
    with pytest.raises(BinNameError) as caught:
        build_cdt_op({"op": A.OP_LIST_SIZE, "bin": "x" * 15})
    assert (caught.value.code, caught.value.msg) == (21, "A bin name should not exceed 14 characters limit")
    assert build_cdt_op({"op": A.OP_LIST_SIZE, "bin": "x" * 14})[0].bin_name == "x" * 14


# ------------------------------------------------------------------------------------------ methods


def test_list_methods_map_to_the_operator_dicts():
    assert method_operation("list_append", "events", 1234) == {
        "op": A.OP_LIST_APPEND,
        "bin": "events",
        "val": 1234,
    }
    assert method_operation("list_extend", "e", [1]) == {"op": A.OP_LIST_APPEND_ITEMS, "bin": "e", "val": [1]}
    assert method_operation("list_pop_range", "e", 2, 3) == {
        "op": A.OP_LIST_POP_RANGE,
        "bin": "e",
        "index": 2,
        "val": 3,
    }
    assert method_operation("list_size", "e") == {"op": A.OP_LIST_SIZE, "bin": "e"}
    with pytest.raises(ParamError):
        method_operation("list_insert", "e", 2)
    with pytest.raises(ValueError):
        method_operation("list_frobnicate", "e")


# ------------------------------------------------------------------------------------------ spec examples


def spec_examples() -> list[tuple[str, str]]:
    """(constant name, code block) of every OP_LIST_* / OP_MAP_* entry in spec/aerospike.rst."""
    if not SPEC.is_file():
        return []
    text = SPEC.read_text(encoding="utf-8")
    found = []
    pattern = r"\.\. data:: (OP_(?:LIST|MAP)_[A-Z_]+).*?\.\. code-block:: python\n\n(.*?)\n(?=\S|\Z)"
    for match in re.finditer(pattern, text, re.S):
        found.append((match.group(1), match.group(2)))
    return found


EXAMPLES = spec_examples()


def test_spec_has_an_example_for_every_operator():
    if not SPEC.is_file():
        pytest.skip("spec not found")
    names = {name for name, _code in EXAMPLES}
    # 3.0.0's operators (aerospike._constants); later clients' names live elsewhere.
    expected = {name for name in dir(_constants) if re.fullmatch(r"OP_(LIST|MAP)_[A-Z_]+", name)}
    assert names == expected


@pytest.mark.parametrize(("name", "code"), EXAMPLES, ids=[name for name, _code in EXAMPLES])
def test_spec_example_builds(name, code):
    # The spec's examples spell the module "Aeorspike" / "Aerospike" in places.
    operation = eval(code.strip(), {"aerospike": A, "Aerospike": A, "Aeorspike": A})
    op, shape = build_cdt_op(operation)
    assert operation["op"] == getattr(A, name)
    assert op.particle_type == PARTICLE_BLOB and op.bin_name == operation["bin"]
    assert cdt.unpack(op.value)[0] >= 0
    assert shape.op_code == operation["op"]


def test_strings_of_31_to_254_bytes_use_str8_like_the_official_client():
    raw = payload({"op": A.OP_LIST_APPEND, "bin": "b", "val": "y" * 40})
    assert raw[2:4] == b"\xd9\x29"
