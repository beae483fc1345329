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


@pytest.mark.parametrize(
    "bad",
    [
        ["test", "demo", 1],
        ("test", "demo"),
        ("test", "demo", 1, None, 5),
        (1, "demo", 1),
        ("", "demo", 1),
        ("test", 5, 1),
        ("test", "demo", 1.5),
        ("test", "demo", True),
        ("test", "demo", None),
        ("test", "demo", None, b"short"),
        ("test", "demo", None, "x" * 20),
        ("test", "demo", 2**63),
        ("test", "x" * 64, 1),
        None,
    ],
)
def test_invalid_keys_raise_param_error(bad: object) -> None:
    with pytest.raises(ParamError):
        parse_key(bad)


def test_int_key_edges() -> None:
    assert parse_key(("test", "s", 2**63 - 1)).user_key == 2**63 - 1
    assert parse_key(("test", "s", -(2**63))).user_key == -(2**63)


def test_calc_digest_rejects_bad_input() -> None:
    with pytest.raises(ParamError):
        aerospike.calc_digest("test", "demo", None)
    with pytest.raises(ParamError):
        aerospike.calc_digest("test", 3, 1)
    with pytest.raises(ParamError):
        aerospike.calc_digest(None, "demo", 1)
