"""Admin (security) messages: header and field layout, value encodings, password hash, and malformed input."""

from __future__ import annotations

import ast
import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aerospike.protocol import admin as wire
from aerospike.protocol.admin import AdminMessage, Privilege
from aerospike.protocol.errors import ProtocolError
from aerospike.protocol.frame import unpack_header

# LOGIN as the official client 19.3.0 sends it for user "admin", password "admin" (captured on loopback).
LOGIN_ADMIN = bytes.fromhex(
    "020200000000005b00001402000000000000000000000000000000060061646d696e0000003d03243261243130243745714a"
    "74713938685071455837664e5a6146576f4f316d564f2f344d4c70477a73716f6a7a364539476566366958446a58644461"
)
ADMIN_CREDENTIAL = b"$2a$10$7EqJtq98hPqEX7fNZaFWoO1mVO/4MLpGzsqojz6E9Gef6iXDjXdDa"


def test_hash_password_is_bcrypt_with_the_fixed_salt() -> None:
    assert wire.hash_password("admin") == ADMIN_CREDENTIAL
    assert len(wire.hash_password("x" * 63)) == wire.PASSWORD_HASH_SIZE
    assert wire.hash_password("admin").startswith(wire.PASSWORD_SALT)
    assert wire.hash_password("admin") != wire.hash_password("admin2")


def test_login_frame_matches_the_official_client() -> None:
    frame = wire.encode_request(
        wire.LOGIN, ((wire.FIELD_USER, b"admin"), (wire.FIELD_CREDENTIAL, wire.hash_password("admin")))
    )
    assert frame == LOGIN_ADMIN


def test_header_layout() -> None:
    proto_type, length = unpack_header(LOGIN_ADMIN[:8])
    assert (proto_type, length) == (2, len(LOGIN_ADMIN) - 8)
    body = LOGIN_ADMIN[8:]
    assert body[0] == wire.ADMIN_SCHEME  # scheme
    assert body[1] == 0  # result code
    assert body[2] == wire.LOGIN  # command
    assert body[3] == 2  # field count
    assert body[4:16] == bytes(12)  # reserved
    assert body[16:21] == bytes((0, 0, 0, 6, wire.FIELD_USER))  # size counts the id byte
    assert body[21:26] == b"admin"


def test_decode_captured_login() -> None:
    message = wire.decode_request(LOGIN_ADMIN[8:])
    assert message.command == wire.LOGIN
    assert message.result_code == 0
    assert message.field(wire.FIELD_USER) == b"admin"
    assert message.field(wire.FIELD_CREDENTIAL) == ADMIN_CREDENTIAL
    assert message.field(wire.FIELD_SESSION_TOKEN) is None


def test_reply_header_carries_the_result_code() -> None:
    frame = AdminMessage(0, 65).encode()
    assert frame == bytes.fromhex("0202000000000010") + bytes((0, 65)) + bytes(14)
    assert wire.decode_messages(frame[8:]) == [AdminMessage(0, 65, ())]


def test_several_messages_in_one_frame() -> None:
    messages = [
        AdminMessage(0, 0, ((wire.FIELD_USER, b"a"), (wire.FIELD_ROLES, wire.encode_roles(["read"])))),
        AdminMessage(0, 0, ((wire.FIELD_USER, b"b"),)),
    ]
    frame = wire.encode_frame(messages)
    assert unpack_header(frame[:8])[1] == len(frame) - 8
    assert wire.decode_messages(frame[8:]) == messages
    with pytest.raises(ProtocolError):
        wire.decode_request(frame[8:])  # a request is exactly one message


def test_repr_hides_field_data() -> None:
    message = wire.decode_request(LOGIN_ADMIN[8:])
    text = repr(message)
    assert "admin" not in text and "$2a$" not in text
    assert "field_ids=[0, 3]" in text


def test_role_list_encoding() -> None:
    assert wire.encode_roles(["read", "truncate"]) == bytes.fromhex("020472656164087472756e63617465")
    assert wire.encode_roles([]) == b"\x00"
    assert wire.decode_roles(bytes.fromhex("020472656164087472756e63617465")) == ["read", "truncate"]
    with pytest.raises(ValueError):
        wire.encode_roles(["x" * 256])
    with pytest.raises(ValueError):
        wire.encode_roles(["r"] * 256)


def test_privilege_list_encoding() -> None:
    privileges = [Privilege(wire.PRIVILEGE_READ, "test", "demo"), Privilege(wire.PRIVILEGE_SYS_ADMIN)]
    data = wire.encode_privileges(privileges)
    # data privileges carry ns and set (u8 length each); global ones only their code
    assert data == bytes.fromhex("020a04746573740464656d6f01")
    assert wire.decode_privileges(data) == privileges
    assert wire.encode_privileges([Privilege(wire.PRIVILEGE_WRITE)]) == bytes((1, 13, 0, 0))


def test_privilege_scope_rules() -> None:
    with pytest.raises(ValueError):
        Privilege(wire.PRIVILEGE_USER_ADMIN, "test")
    with pytest.raises(ValueError):
        Privilege(256)
    # A set without a namespace is encoded as given (clients send it; servers refuse it) and decodes back.
    data = bytes((1, 10, 0, 1)) + b"s"
    assert wire.encode_privileges([Privilege(wire.PRIVILEGE_READ, "", "s")]) == data
    assert wire.decode_privileges(data) == [Privilege(wire.PRIVILEGE_READ, "", "s")]
    with pytest.raises(ProtocolError):  # a global privilege followed by stray scope bytes
        wire.decode_privileges(bytes((1, 1, 0, 0)))


def test_password_hash_reads_a_c_string_of_at_most_72_bytes() -> None:
    assert wire.hash_password("admin\0ignored") == wire.hash_password("admin")
    assert wire.hash_password("p" * 72 + "ignored") == wire.hash_password("p" * 72)
    assert wire.hash_password("p" * 71) != wire.hash_password("p" * 72)


def test_u32_whitelist_and_info_values() -> None:
    assert wire.encode_u32(86400) == bytes.fromhex("00015180")
    assert wire.decode_u32(bytes.fromhex("00015180")) == 86400
    with pytest.raises(ProtocolError):
        wire.decode_u32(b"\x00\x01")
    assert wire.encode_whitelist(["10.0.0.1", "10.0.0.0/24"]) == b"10.0.0.1,10.0.0.0/24"
    assert wire.decode_whitelist(b"10.0.0.1,,10.0.0.0/24") == ["10.0.0.1", "10.0.0.0/24"]
    assert wire.decode_info_values(wire.encode_info_values([1, 2, 3, 4])) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        bytes(15),  # short header
        bytes((0, 0, 20, 1)) + bytes(12),  # one field announced, none present
        bytes((0, 0, 20, 1)) + bytes(12) + bytes((0, 0, 0, 0, 0)),  # size 0 cannot hold the id byte
        bytes((0, 0, 20, 1)) + bytes(12) + bytes((0, 0, 0, 9, 0)) + b"adm",  # field past the end
    ],
)
def test_malformed_bodies_raise_protocol_error(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        wire.decode_request(body)


@pytest.mark.parametrize(
    "data",
    [b"", bytes((2, 4)) + b"read", bytes((1, 5)) + b"read", bytes((1, 1)) + b"\xff", bytes((0,)) + b"extra"],
)
def test_malformed_role_lists(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        wire.decode_roles(data)


_names = st.text(st.characters(exclude_categories=["Cs"]), max_size=20).filter(
    lambda s: len(s.encode("utf-8")) <= 255
)
_privileges = st.one_of(
    st.builds(Privilege, st.sampled_from([0, 1, 2, 3, 4])),
    st.builds(
        lambda code, ns, set_name: Privilege(code, ns, set_name if ns else ""),
        st.sampled_from([10, 11, 12, 13, 14]),
        _names,
        _names,
    ),
)


@given(st.lists(_names, max_size=20))
def test_roles_round_trip(roles: list[str]) -> None:
    assert wire.decode_roles(wire.encode_roles(roles)) == roles


@given(st.lists(_privileges, max_size=20))
def test_privileges_round_trip(privileges: list[Privilege]) -> None:
    assert wire.decode_privileges(wire.encode_privileges(privileges)) == privileges


@given(
    st.integers(0, 255),
    st.integers(0, 255),
    st.lists(st.tuples(st.integers(0, 255), st.binary(max_size=40)), max_size=8),
)
def test_message_round_trip(command: int, result_code: int, fields: list[tuple[int, bytes]]) -> None:
    message = AdminMessage(command, result_code, tuple(fields))
    frame = message.encode()
    assert unpack_header(frame[:8]) == (2, len(frame) - 8)
    assert wire.decode_request(frame[8:]) == message


@given(st.binary(max_size=80))
def test_random_bytes_only_raise_protocol_error(data: bytes) -> None:
    for decode in (wire.decode_messages, wire.decode_roles, wire.decode_privileges, wire.decode_info_values):
        try:
            decode(data)
        except ProtocolError:
            pass


def test_protocol_module_does_no_io() -> None:
    tree = ast.parse(inspect.getsource(wire))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"socket", "time", "threading", "os", "aerospike"}
