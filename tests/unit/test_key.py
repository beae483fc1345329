"""Key tuples: shapes, validation, digests and partition ids."""

from __future__ import annotations

import pytest

import aerospike
from aerospike.exception import ParamError
from aerospike.key import parse_key, partition_id


@pytest.mark.parametrize(
    ("key", "digest_hex"),
    [
        (("test", "s03", "int"), "e35eb9103a33750d2b1ea0fb76889be8f49309b6"),
        (("test", "s03", 42), "fa3fc60893e8a4b29388815a215e35b3f7c73707"),
        (("test", "s03", bytearray(b"kb")), "8bf8552cb193dc2cc9ee5aeff7a60084b212359c"),
        (("test", None, "noset"), "f5b9da554addce3b9cdb65df8aebd26f86ec1ddb"),
        (("bar", "s03", "inbar"), "83ccefe2926db6c7633f7dd9d11f146913396912"),
    ],
)
def test_digest_matches_recorded(key: tuple, digest_hex: str) -> None:
    parsed = parse_key(key)
    assert parsed.digest.hex() == digest_hex
    if key[1] is not None:  # 3.0.0's calc_digest refuses a None set with TypeError
        assert aerospike.calc_digest(*key).hex() == digest_hex
        assert isinstance(aerospike.calc_digest(*key), bytearray)


def test_partition_id_is_little_endian_masked() -> None:
    digest = bytes.fromhex("e35eb9103a33750d2b1ea0fb76889be8f49309b6")
    assert partition_id(digest) == (0x5E << 8 | 0xE3) & 0xFFF
    assert parse_key(("test", "s03", "int")).partition_id == partition_id(digest)


def test_digest_only_key() -> None:
    digest = aerospike.calc_digest("test", "demo", 1)
    key = parse_key(("test", "demo", None, digest))
    assert key.digest == bytes(digest)
    assert key.key_field is None
    assert key.as_tuple() == ("test", "demo", None, digest)


def test_user_key_wins_over_digest() -> None:
    key = parse_key(("test", "demo", 1, bytearray(20)))
    assert key.digest == bytes(aerospike.calc_digest("test", "demo", 1))


def test_key_field_carries_type_and_value() -> None:
    assert parse_key(("test", "s", "sendkey")).key_field == b"\x03sendkey"
    assert parse_key(("test", "s", 42)).key_field == b"\x01" + (42).to_bytes(8, "big")
    assert parse_key(("test", "s", bytearray(b"kb"))).key_field == b"\x04kb"


_TUPLE_SHAPE = "key tuple must be (Namespace, Set, Key) or (Namespace, Set, None, Digest)"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (["test", "demo", 1], "key is invalid"),
        (("test", "demo"), _TUPLE_SHAPE),
        (("test", "demo", 1, None, 5), _TUPLE_SHAPE),
        ((1, "demo", 1), "namespace must be a string"),
        (("", "demo", 1), "key is invalid"),
        (("test", 5, 1), "set must be a string"),
        (("test", "demo", 1.5), "key is invalid"),
        (("test", "demo", None), "either key or digest is required"),
        (("test", "demo", None, b"x" * 20), "digest is invalid. expected a bytearray"),
        (("test", "demo", None, bytearray(b"short")), "digest size is invalid. should be 20 bytes, but received 5"),
        (("test", "demo", 2**63), "integer value for KEY exceeds sys.maxsize"),
        (("test", "demo", bytearray()), "Byte array size cannot be 0"),
        (("test", "x" * 64, 1), "key is invalid"),
        (("x" * 32, "demo", 1), "key is invalid"),
        ({"set": "demo", "key": 1}, "namespace is required"),
        (None, "key is invalid"),
    ],
)
def test_invalid_keys_raise_3_0_0_param_errors(bad: object, message: str) -> None:
    with pytest.raises(ParamError) as raised:
        parse_key(bad)
    assert (raised.value.code, raised.value.msg) == (-2, message)


def test_keys_3_0_0_accepts() -> None:
    # A bool is the integer key, bytes a string key, and names and string keys end at a NUL (C strings).
    assert parse_key(("test", "demo", True)).digest == parse_key(("test", "demo", 1)).digest
    assert parse_key(("test", "demo", b"ab")).digest == parse_key(("test", "demo", "ab")).digest
    assert parse_key(("test", "demo", "ab\0cd")).digest == parse_key(("test", "demo", "ab")).digest
    assert parse_key({"ns": "test", "set": "demo", "key": 1}).digest == parse_key(("test", "demo", 1)).digest
    # Results report an empty set as None and the key as 3.0.0 held it.
    assert parse_key(("test", "", True)).as_tuple()[:3] == ("test", None, 1)


def test_int_key_edges() -> None:
    assert parse_key(("test", "s", 2**63 - 1)).user_key == 2**63 - 1
    assert parse_key(("test", "s", -(2**63))).user_key == -(2**63)


def test_calc_digest_rejects_bad_input() -> None:
    # 3.0.0 checks the argument types with TypeError first, then the key as a key dict.
    for args, message in ((("test", "demo", None), "Key is invalid"), (("test", 3, 1), "Set should be a string or unicode"),
                          ((None, "demo", 1), "Namespace should be a string"), (("test", None, 1), "Set should be a string or unicode")):
        with pytest.raises(TypeError) as raised:
            aerospike.calc_digest(*args)
        assert str(raised.value) == message
    with pytest.raises(ParamError) as refused:
        aerospike.calc_digest("test", "demo", bytearray())
    assert refused.value.msg == "Byte array size cannot be 0"
