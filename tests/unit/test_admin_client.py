"""Client-side admin calls: exact request bytes (as the official client sends them), argument checks, reply
parsing into the spec's shapes and exceptions, and round trips through the local cluster's security handler."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike
from aerospike import admin
from aerospike import exception as ex
from aerospike.protocol import admin as wire
from aerospike.protocol.admin import AdminMessage, Privilege
from aerospike.protocol.frame import FrameReader
from aerospike.testing.security import SecurityState, Session

# What the official client 19.3.0 sent (recorded on loopback through aerospike.testing.security) for:
# connect as admin/admin, a second connection authenticated with the session token bytes(range(32)), then
# admin_create_user("dev", "devpass", ["read-write"]), admin_grant_roles("dev", ["read", "truncate"]),
# admin_revoke_roles("dev", ["read"]), query of user "dev", query of all users, admin_set_password("dev",
# "newpass"), admin_create_role("dev_role", [{code: PRIV_READ, ns: "test", set: "demo"}, {code: PRIV_SYS_ADMIN}]),
# admin_grant_privileges("dev_role", [{code: PRIV_READ_WRITE_UDF, ns: "test"}]), admin_revoke_privileges(
# "dev_role", [{code: PRIV_SYS_ADMIN}]), admin_query_role("dev_role"), admin_query_roles(), admin_drop_role(
# "dev_role"), admin_drop_user("dev"), admin_change_password("admin", "admin2").
OFFICIAL = {
    name: bytes.fromhex("".join(parts))
    for name, parts in {
        "login": (
            "020200000000005b00001402000000000000000000000000000000060061646d696e0000003d03243261243130243745714a"
            "74713938685071455837664e5a6146576f4f316d564f2f344d4c70477a73716f6a7a364539476566366958446a58644461"
        ),
        "authenticate": (
            "020200000000003f00000002000000000000000000000000000000060061646d696e0000002105000102030405060708090a"
            "0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        ),
        "create_user": (
            "020200000000006a0000010300000000000000000000000000000004006465760000003d01243261243130243745714a7471"
            "3938685071455837664e5a6146576f4f433462543039654c77434d2e49346852766c326879596236576873526a4869000000"
            "0d0a010a726561642d7772697465"
        ),
        "grant_roles": (
            "020200000000002c000005020000000000000000000000000000000400646576000000100a020472656164087472756e6361"
            "7465"
        ),
        "revoke_roles": (
            "0202000000000023000006020000000000000000000000000000000400646576000000070a010472656164",
        ),
        "query_user": ("0202000000000018000009010000000000000000000000000000000400646576",),
        "query_users": ("020200000000001000000900000000000000000000000000",),
        "set_password": (
            "02020000000000590000030200000000000000000000000000000004006465760000003d01243261243130243745714a7471"
            "3938685071455837664e5a6146576f4f6a5a664b5a42734d61444c536d47716c4642716b4e71367474437169637747"
        ),
        "create_role": (
            "020200000000002f00000a02000000000000000000000000000000090b6465765f726f6c650000000e0c020a047465737404"
            "64656d6f01"
        ),
        "grant_privileges": (
            "020200000000002a00000c02000000000000000000000000000000090b6465765f726f6c65000000090c010c047465737400",
        ),
        "revoke_privileges": (
            "020200000000002400000d02000000000000000000000000000000090b6465765f726f6c65000000030c0101",
        ),
        "query_role": ("020200000000001d00001001000000000000000000000000000000090b6465765f726f6c65",),
        "query_roles": ("020200000000001000001000000000000000000000000000",),
        "drop_role": ("020200000000001d00000b01000000000000000000000000000000090b6465765f726f6c65",),
        "drop_user": ("0202000000000018000002010000000000000000000000000000000400646576",),
        "change_password": (
            "020200000000009c00000403000000000000000000000000000000060061646d696e0000003d02243261243130243745714a"
            "74713938685071455837664e5a6146576f4f316d564f2f344d4c70477a73716f6a7a364539476566366958446a5864446100"
            "00003d01243261243130243745714a74713938685071455837664e5a6146576f4f4551574f4e6d2e75506664467843783032"
            "3236364f7851374a5933584a7336"
        ),
    }.items()
}


def test_login_and_authenticate_match_the_official_client() -> None:
    credentials = admin.Credentials("admin", "admin")
    assert admin.login_request(credentials) == OFFICIAL["login"]
    session = admin.Session(bytes(range(32)), 86400)
    assert admin.authenticate_request("admin", session) == OFFICIAL["authenticate"]


@pytest.mark.parametrize(
    "name, call",
    [
        ("create_user", lambda: admin.admin_create_user("dev", "devpass", ["read-write"])),
        ("grant_roles", lambda: admin.admin_grant_roles("dev", ["read", "truncate"])),
        ("revoke_roles", lambda: admin.admin_revoke_roles("dev", ["read"])),
        ("query_user", lambda: admin.admin_query_user("dev")),
        ("query_users", lambda: admin.admin_query_users()),
        ("set_password", lambda: admin.admin_set_password("dev", "newpass")),
        (
            "create_role",
            lambda: admin.admin_create_role(
                "dev_role",
                [
                    {"code": aerospike.PRIV_READ, "ns": "test", "set": "demo"},
                    {"code": aerospike.PRIV_SYS_ADMIN},
                ],
            ),
        ),
        (
            "grant_privileges",
            lambda: admin.admin_grant_privileges(
                "dev_role", [{"code": aerospike.PRIV_READ_WRITE_UDF, "ns": "test"}]
            ),
        ),
        (
            "revoke_privileges",
            lambda: admin.admin_revoke_privileges("dev_role", [{"code": aerospike.PRIV_SYS_ADMIN}]),
        ),
        ("query_role", lambda: admin.admin_query_role("dev_role")),
        ("query_roles", lambda: admin.admin_query_roles()),
        ("drop_role", lambda: admin.admin_drop_role("dev_role")),
        ("drop_user", lambda: admin.admin_drop_user("dev")),
        (
            "change_password",
            lambda: admin.admin_change_password(
                "admin", "admin2", admin.Credentials("admin", "admin").credential
            ),
        ),
    ],
)
def test_requests_match_the_official_client(name: str, call: Any) -> None:
    assert call().request == OFFICIAL[name]


# ----- argument checks (the full 3.0.0 table is in test_contract_adm.py) -----------------------------------------


def test_param_error_never_shows_a_password() -> None:
    with pytest.raises(ex.ParamError) as info:
        admin.admin_set_password("u", b"secret-bytes")
    assert "secret" not in str(info.value)


def test_change_password_needs_the_current_credential() -> None:
    with pytest.raises(ex.ParamError) as info:
        admin.admin_change_password("u", "p", None)
    assert (info.value.code, info.value.msg) == (-2, "Current password is invalid")


def test_names_end_at_the_first_nul_as_c_strings_do() -> None:
    assert admin.admin_drop_user("dev\0tail").request == OFFICIAL["drop_user"]
    assert admin.admin_query_role("dev_role\0x").request == OFFICIAL["query_role"]
    call = admin.admin_create_user("dev", "devpass\0ignored", ["read-write\0x"])
    assert call.request == OFFICIAL["create_user"]


def test_policy_timeout() -> None:
    assert admin.admin_query_users().timeout_ms == 1000
    assert admin.admin_query_users(None, 250).timeout_ms == 250
    assert admin.admin_query_users({"timeout": 300}, 250).timeout_ms == 300
    assert admin.admin_query_users({"timeout": 0}).timeout_ms == 60000  # the C client's admin default
    assert admin.admin_query_users({"timeout": True, "unknown": "ignored"}).timeout_ms == 1


def test_reprs_hide_secrets() -> None:
    credentials = admin.Credentials("dev", "s3cret")
    call = admin.admin_create_user("dev", "s3cret", [])
    session = admin.Session(b"token-bytes", 100)
    text = repr(credentials) + repr(call) + repr(session)
    assert "s3cret" not in text and "$2a$" not in text and "token-bytes" not in text
    assert "dev" in repr(credentials)


# ----- reply parsing --------------------------------------------------------------------------------------------


def test_status_reply() -> None:
    call = admin.admin_drop_user("dev")
    assert call.parse_reply([AdminMessage(0, 0).encode()]) is None
    with pytest.raises(ex.InvalidUser) as info:
        call.parse_reply([AdminMessage(0, 60).encode()])
    assert info.value.code == 60


@pytest.mark.parametrize(
    "code, cls",
    [
        (51, ex.SecurityNotSupported),
        (52, ex.SecurityNotEnabled),
        (61, ex.UserExistsError),
        (62, ex.InvalidPassword),
        (65, ex.InvalidCredential),
        (70, ex.InvalidRole),
        (71, ex.RoleExistsError),
        (72, ex.InvalidPrivilege),
        (80, ex.NotAuthenticated),
        (81, ex.RoleViolation),
    ],
)
def test_result_codes_map_to_spec_exceptions(code: int, cls: type[ex.AdminError]) -> None:
    with pytest.raises(cls) as info:
        admin.admin_create_role("r", []).parse_reply([AdminMessage(0, code).encode()])
    assert info.value.code == code
    assert isinstance(info.value, ex.AdminError)


def _user_message(name: str, roles: list[str]) -> AdminMessage:
    return AdminMessage(
        0, 0, ((wire.FIELD_USER, name.encode()), (wire.FIELD_ROLES, wire.encode_roles(roles)))
    )


def test_query_users_over_several_frames() -> None:
    call = admin.admin_query_users()
    reader = call.reader()
    assert reader.feed(wire.encode_frame([_user_message("a", ["read"]), _user_message("b", [])])[8:]) is False
    # fields the 3.0.0 API does not show (read/write info, connections) are skipped
    extra = AdminMessage(
        0,
        0,
        (
            (wire.FIELD_USER, b"c"),
            (wire.FIELD_ROLES, wire.encode_roles(["write"])),
            (wire.FIELD_READ_INFO, wire.encode_info_values([1, 2, 3, 4])),
            (wire.FIELD_CONNECTIONS, wire.encode_u32(3)),
        ),
    )
    assert reader.feed(wire.encode_frame([extra])[8:]) is False
    assert reader.feed(AdminMessage(0, 50).encode()[8:]) is True
    assert reader.result() == {"a": ["read"], "b": [], "c": ["write"]}
    with pytest.raises(ex.ClientError):
        reader.feed(AdminMessage(0, 50).encode()[8:])


def test_query_end_in_the_same_frame() -> None:
    frame = wire.encode_frame([_user_message("dev", ["read"]), AdminMessage(0, 50)])
    assert admin.admin_query_user("dev").parse_reply([frame]) == ["read"]


def test_query_error_mid_stream() -> None:
    frame = wire.encode_frame([_user_message("dev", ["read"]), AdminMessage(0, 81)])
    with pytest.raises(ex.RoleViolation):
        admin.admin_query_users().parse_reply([frame])


def test_incomplete_and_malformed_replies() -> None:
    reader = admin.admin_query_users().reader()
    reader.feed(wire.encode_frame([_user_message("a", [])])[8:])
    with pytest.raises(ex.ClientError):
        reader.result()
    with pytest.raises(ex.ClientError):
        admin.admin_query_users().reader().feed(b"\x00" * 7)
    with pytest.raises(ex.ClientError):
        admin.admin_drop_user("u").reader().feed(b"")
    bad_roles = AdminMessage(0, 0, ((wire.FIELD_USER, b"a"), (wire.FIELD_ROLES, b"\x05")))
    with pytest.raises(ex.ClientError):
        admin.admin_query_users().parse_reply([wire.encode_frame([bad_roles, AdminMessage(0, 50)])])
    with pytest.raises(ex.ClientError):  # a simple command answered with two messages
        admin.admin_drop_user("u").parse_reply([wire.encode_frame([AdminMessage(), AdminMessage()])])


def test_query_role_shape() -> None:
    message = AdminMessage(
        0,
        0,
        (
            (wire.FIELD_ROLE, b"dev_role"),
            (
                wire.FIELD_PRIVILEGES,
                wire.encode_privileges([Privilege(10, "test", "demo"), Privilege(1), Privilege(12, "test")]),
            ),
        ),
    )
    frame = wire.encode_frame([message, AdminMessage(0, 50)])
    expected = [
        {"ns": "test", "set": "demo", "code": aerospike.PRIV_READ},
        {"ns": "", "set": "", "code": aerospike.PRIV_SYS_ADMIN},
        {"ns": "test", "set": "", "code": aerospike.PRIV_READ_WRITE_UDF},
    ]
    assert admin.admin_query_role("dev_role").parse_reply([frame]) == expected
    assert admin.admin_query_roles().parse_reply([frame]) == {"dev_role": expected}


def test_login_reply() -> None:
    token = bytes(range(32))
    reply = AdminMessage(
        0, 0, ((wire.FIELD_SESSION_TOKEN, token), (wire.FIELD_SESSION_TTL, wire.encode_u32(86400)))
    ).encode()
    session = admin.parse_login_reply(reply[8:])
    assert session == admin.Session(token, 86400)
    assert session is not None and session.refresh_after == 86340
    with pytest.raises(ex.SecurityNotEnabled):  # 3.0.0 cannot log in to a server without security either
        admin.parse_login_reply(AdminMessage(0, 52).encode()[8:])
    with pytest.raises(ex.SecurityNotSupported):  # community edition
        admin.parse_login_reply(AdminMessage(0, 51).encode()[8:])
    no_ttl = admin.parse_login_reply(AdminMessage(0, 0, ((wire.FIELD_SESSION_TOKEN, token),)).encode()[8:])
    assert no_ttl is not None and no_ttl.refresh_after is None
    assert admin.Session(token, 60).refresh_after is None
    with pytest.raises(ex.InvalidCredential):
        admin.parse_login_reply(AdminMessage(0, 65).encode()[8:])
    with pytest.raises(ex.ClientError):
        admin.parse_login_reply(AdminMessage(0, 0).encode()[8:])  # no token
    bad_ttl = AdminMessage(0, 0, ((wire.FIELD_SESSION_TOKEN, token), (wire.FIELD_SESSION_TTL, b"\x01")))
    with pytest.raises(ex.ClientError):
        admin.parse_login_reply(bad_ttl.encode()[8:])


def test_authenticate_reply() -> None:
    admin.parse_authenticate_reply(AdminMessage(0, 0).encode()[8:])
    with pytest.raises(ex.SecurityNotEnabled):
        admin.parse_authenticate_reply(AdminMessage(0, 52).encode()[8:])
    with pytest.raises(ex.ServerError) as info:
        admin.parse_authenticate_reply(AdminMessage(0, 66).encode()[8:])
    assert info.value.code == 66
    with pytest.raises(ex.InvalidCredential):
        admin.parse_authenticate_reply(AdminMessage(0, 65).encode()[8:])


# ----- round trips through the local cluster's security ---------------------------------------------------------


def _frames(data: bytes) -> list[bytes]:
    reader = FrameReader()
    reader.feed(data)
    frames = []
    while (frame := reader.next_frame()) is not None:
        frames.append(data[: 8 + len(frame.body)])
        data = data[8 + len(frame.body) :]
    return frames


class Driver:
    """What a connection does with an AdminCall, against the handler instead of a socket."""

    def __init__(self, state: SecurityState, user: str = "admin", password: str = "admin") -> None:
        self.state = state
        self.credentials = admin.Credentials(user, password)
        self.session = Session()
        self.login = admin.parse_login_reply(
            state.handle_admin(admin.login_request(self.credentials)[8:], self.session)[8:]
        )

    def __call__(self, call: admin.AdminCall) -> Any:
        reply = self.state.handle_admin(call.request[8:], self.session)
        return call.parse_reply(_frames(reply))


@pytest.fixture
def state() -> SecurityState:
    return SecurityState()


def test_round_trip_every_admin_method(state: SecurityState) -> None:
    run = Driver(state)
    assert run.login is not None and run.login.ttl == 86400
    assert run(admin.admin_query_users()) == {"admin": ["user-admin"]}
    privileges = [
        {"code": aerospike.PRIV_READ, "ns": "test", "set": "demo"},
        {"code": aerospike.PRIV_SYS_ADMIN},
    ]
    assert run(admin.admin_create_role("dev_role", privileges)) is None
    assert run(admin.admin_query_role("dev_role")) == [
        {"ns": "test", "set": "demo", "code": aerospike.PRIV_READ},
        {"ns": "", "set": "", "code": aerospike.PRIV_SYS_ADMIN},
    ]
    assert (
        run(admin.admin_grant_privileges("dev_role", [{"code": aerospike.PRIV_READ_WRITE_UDF, "ns": "test"}]))
        is None
    )
    assert run(admin.admin_revoke_privileges("dev_role", [{"code": aerospike.PRIV_SYS_ADMIN}])) is None
    assert run(admin.admin_query_role("dev_role")) == [
        {"ns": "test", "set": "demo", "code": aerospike.PRIV_READ},
        {"ns": "test", "set": "", "code": aerospike.PRIV_READ_WRITE_UDF},
    ]
    roles = run(admin.admin_query_roles())
    assert roles["dev_role"] == run(admin.admin_query_role("dev_role"))
    assert roles["read-write"] == [{"ns": "", "set": "", "code": aerospike.PRIV_READ_WRITE}]
    assert len(roles) == 11
    assert run(admin.admin_create_user("dev", "devpass", ["dev_role"])) is None
    assert run(admin.admin_grant_roles("dev", ["read", "truncate"])) is None
    assert run(admin.admin_revoke_roles("dev", ["read"])) is None
    assert run(admin.admin_query_user("dev")) == ["dev_role", "truncate"]
    assert run(admin.admin_query_users()) == {"admin": ["user-admin"], "dev": ["dev_role", "truncate"]}
    assert run(admin.admin_set_password("dev", "newpass")) is None
    dev = Driver(state, "dev", "newpass")
    assert dev.login is not None
    assert run(admin.admin_change_password("dev", "other", dev.credentials.credential)) is None
    with pytest.raises(ex.InvalidCredential):
        Driver(state, "dev", "newpass")
    assert Driver(state, "dev", "other").login is not None
    assert run(admin.admin_drop_role("dev_role")) is None
    assert run(admin.admin_query_user("dev")) == ["truncate"]
    assert run(admin.admin_drop_user("dev")) is None
    assert run(admin.admin_query_users()) == {"admin": ["user-admin"]}


def test_round_trip_errors(state: SecurityState) -> None:
    run = Driver(state)
    with pytest.raises(ex.InvalidUser):
        run(admin.admin_query_user("ghost"))
    with pytest.raises(ex.InvalidRole):
        run(admin.admin_query_role("ghost"))
    with pytest.raises(ex.InvalidRole):
        run(admin.admin_create_user("u1", "p", ["ghost"]))
    with pytest.raises(ex.UserExistsError):
        run(admin.admin_create_user("admin", "p", []))
    with pytest.raises(ex.RoleExistsError):
        run(admin.admin_create_role("read-write", []))
    with pytest.raises(ex.InvalidPrivilege):
        run(admin.admin_create_role("r9", [{"code": 9}]))
    with pytest.raises(ex.InvalidRole):
        run(admin.admin_drop_role("read"))
    with pytest.raises(ex.InvalidUser):
        Driver(state, "ghost", "x")
    with pytest.raises(ex.InvalidCredential):
        Driver(state, "admin", "wrong")


def test_round_trip_role_violation_and_self_service() -> None:
    state = SecurityState()
    state.add_user("dev", "devpass", ["read-write"])
    dev = Driver(state, "dev", "devpass")
    with pytest.raises(ex.RoleViolation):
        dev(admin.admin_create_user("x", "p", []))
    with pytest.raises(ex.RoleViolation):
        dev(admin.admin_query_users())
    assert dev(admin.admin_query_user("dev")) == ["read-write"]
    assert dev(admin.admin_query_role("read-write")) == [
        {"ns": "", "set": "", "code": aerospike.PRIV_READ_WRITE}
    ]
    assert dev(admin.admin_change_password("dev", "fresh", dev.credentials.credential)) is None
    assert Driver(state, "dev", "fresh").login is not None


def test_authenticate_round_trip_and_expiry() -> None:
    now = [0.0]
    state = SecurityState(session_ttl=600, clock=lambda: now[0])
    run = Driver(state)
    assert run.login is not None and run.login.refresh_after == 540
    request = admin.authenticate_request("admin", run.login)
    fresh = Session()
    admin.parse_authenticate_reply(state.handle_admin(request[8:], fresh)[8:])
    assert fresh.user == "admin"
    now[0] = 600.0
    with pytest.raises(ex.ServerError) as info:
        admin.parse_authenticate_reply(state.handle_admin(request[8:], Session())[8:])
    assert info.value.code == 66
