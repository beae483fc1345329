"""The local cluster's security: login, tokens and their expiry, every admin command's answers, permissions."""

from __future__ import annotations

import pytest

from aerospike.protocol import admin as wire
from aerospike.protocol.admin import AdminMessage, Privilege
from aerospike.protocol.errors import ProtocolError
from aerospike.protocol.frame import FrameReader
from aerospike.testing import security
from aerospike.testing.security import SecurityState, Session

TOKEN = bytes(range(32))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_state(**kwargs: object) -> tuple[SecurityState, FakeClock]:
    clock = FakeClock()
    tokens = iter(bytes((n,)) * 32 for n in range(1, 1000))
    state = SecurityState(clock=clock, token_factory=lambda: next(tokens), **kwargs)  # type: ignore[arg-type]
    return state, clock


def messages_of(reply: bytes) -> list[AdminMessage]:
    reader = FrameReader()
    reader.feed(reply)
    messages = []
    while (frame := reader.next_frame()) is not None:
        assert frame.proto_type == 2
        messages.extend(wire.decode_messages(frame.body))
    assert reader.pending == 0
    return messages


def send(
    state: SecurityState, session: Session, command: int, *fields: tuple[int, bytes]
) -> list[AdminMessage]:
    return messages_of(state.handle_admin(wire.encode_request(command, fields)[8:], session))


def result(state: SecurityState, session: Session, command: int, *fields: tuple[int, bytes]) -> int:
    messages = send(state, session, command, *fields)
    assert len(messages) == 1
    return messages[0].result_code


def user(name: str) -> tuple[int, bytes]:
    return (wire.FIELD_USER, name.encode())


def role(name: str) -> tuple[int, bytes]:
    return (wire.FIELD_ROLE, name.encode())


def password(text: str, field_id: int = wire.FIELD_PASSWORD) -> tuple[int, bytes]:
    return (field_id, wire.hash_password(text))


def roles(*names: str) -> tuple[int, bytes]:
    return (wire.FIELD_ROLES, wire.encode_roles(names))


def privileges(*items: Privilege) -> tuple[int, bytes]:
    return (wire.FIELD_PRIVILEGES, wire.encode_privileges(items))


def login(
    state: SecurityState, name: str = "admin", text: str = "admin"
) -> tuple[Session, list[AdminMessage]]:
    session = Session()
    return session, send(state, session, wire.LOGIN, user(name), password(text, wire.FIELD_CREDENTIAL))


def admin_session(state: SecurityState) -> Session:
    session, messages = login(state)
    assert messages[0].result_code == 0
    return session


# ----- login and sessions ---------------------------------------------------------------------------------------


def test_login_reply_golden() -> None:
    # The reply the official client 19.3.0 accepted when it connected as admin/admin through this handler.
    state = SecurityState(token_factory=lambda: TOKEN)
    session = Session()
    request = bytes.fromhex(
        "020200000000005b00001402000000000000000000000000000000060061646d696e0000003d03243261243130243745714a"
        "74713938685071455837664e5a6146576f4f316d564f2f344d4c70477a73716f6a7a364539476566366958446a58644461"
    )
    reply = state.handle_admin(request[8:], session)
    assert reply == bytes.fromhex(
        "020200000000003e00000002" + "00" * 12 + "0000002105" + TOKEN.hex() + "000000050600015180"
    )
    assert session.user == "admin"


def test_login_sets_session_and_returns_token_and_ttl() -> None:
    state, _ = make_state(session_ttl=300)
    session, messages = login(state)
    (reply,) = messages
    assert reply.result_code == 0
    assert reply.field(wire.FIELD_SESSION_TOKEN) == b"\x01" * 32
    assert wire.decode_u32(reply.field(wire.FIELD_SESSION_TTL) or b"") == 300
    assert session.authenticated and session.user == "admin"
    assert state.live_sessions() == 1


def test_login_wrong_password_and_unknown_user() -> None:
    state, _ = make_state()
    session, messages = login(state, "admin", "wrong")
    assert messages[0].result_code == 65  # invalid credential
    assert messages[0].fields == ()
    assert not session.authenticated
    session, messages = login(state, "nobody", "admin")
    assert messages[0].result_code == 60  # invalid user
    assert not session.authenticated
    assert result(state, Session(), wire.LOGIN, user("admin")) == 65  # no credential at all
    assert result(state, Session(), wire.LOGIN) == 60  # no user at all


def test_authenticate_with_token() -> None:
    state, _ = make_state()
    _, messages = login(state)
    token = messages[0].field(wire.FIELD_SESSION_TOKEN) or b""
    other = Session()
    assert result(state, other, wire.AUTHENTICATE, user("admin"), (wire.FIELD_SESSION_TOKEN, token)) == 0
    assert other.user == "admin"


def test_authenticate_refusals() -> None:
    state, _ = make_state()
    state.add_user("dev", "devpass", ["read"])
    _, messages = login(state)
    token = messages[0].field(wire.FIELD_SESSION_TOKEN) or b""
    session = Session()
    assert (
        result(state, session, wire.AUTHENTICATE, user("admin"), (wire.FIELD_SESSION_TOKEN, b"forged")) == 65
    )
    assert result(state, session, wire.AUTHENTICATE, user("dev"), (wire.FIELD_SESSION_TOKEN, token)) == 65
    assert result(state, session, wire.AUTHENTICATE, user("ghost"), (wire.FIELD_SESSION_TOKEN, token)) == 60
    assert not session.authenticated


def test_authenticate_with_credential_like_old_clients() -> None:
    state, _ = make_state()
    session = Session()
    assert (
        result(state, session, wire.AUTHENTICATE, user("admin"), password("bad", wire.FIELD_CREDENTIAL)) == 65
    )
    assert (
        result(state, session, wire.AUTHENTICATE, user("admin"), password("admin", wire.FIELD_CREDENTIAL))
        == 0
    )
    assert session.user == "admin"


def test_token_expires() -> None:
    state, clock = make_state(session_ttl=120)
    _, messages = login(state)
    token = messages[0].field(wire.FIELD_SESSION_TOKEN) or b""
    clock.now += 119
    assert result(state, Session(), wire.AUTHENTICATE, user("admin"), (wire.FIELD_SESSION_TOKEN, token)) == 0
    clock.now += 1
    session = Session()
    assert result(state, session, wire.AUTHENTICATE, user("admin"), (wire.FIELD_SESSION_TOKEN, token)) == 66
    assert not session.authenticated
    assert state.live_sessions() == 0
    # a fresh login gives a working token again
    _, messages = login(state)
    fresh = messages[0].field(wire.FIELD_SESSION_TOKEN) or b""
    assert fresh != token
    assert result(state, session, wire.AUTHENTICATE, user("admin"), (wire.FIELD_SESSION_TOKEN, fresh)) == 0


def test_session_ttl_must_be_positive() -> None:
    with pytest.raises(ValueError):
        SecurityState(session_ttl=0)


# ----- admin commands -------------------------------------------------------------------------------------------


def test_admin_commands_need_authentication() -> None:
    state, _ = make_state()
    session = Session()
    assert result(state, session, wire.CREATE_USER, user("x"), password("p"), roles()) == 80
    assert result(state, session, wire.QUERY_USERS) == 80
    assert "x" not in state.users()


def test_admin_commands_need_user_admin() -> None:
    state, _ = make_state()
    state.add_user("dev", "devpass", ["read-write", "sys-admin"])
    session, _ = login(state, "dev", "devpass")
    assert session.user == "dev"
    for command, fields in [
        (wire.CREATE_USER, (user("x"), password("p"), roles())),
        (wire.DROP_USER, (user("admin"),)),
        (wire.SET_PASSWORD, (user("admin"), password("p"))),
        (wire.CHANGE_PASSWORD, (user("admin"), password("admin", wire.FIELD_OLD_PASSWORD), password("p"))),
        (wire.GRANT_ROLES, (user("dev"), roles("user-admin"))),
        (wire.REVOKE_ROLES, (user("admin"), roles("user-admin"))),
        (wire.QUERY_USERS, ()),
        (wire.QUERY_USERS, (user("admin"),)),
        (wire.CREATE_ROLE, (role("r"), privileges())),
        (wire.QUERY_ROLES, ()),
        (wire.QUERY_ROLES, (role("user-admin"),)),
    ]:
        assert result(state, session, command, *fields) == 81, command
    assert state.users() == {"admin": ["user-admin"], "dev": ["read-write", "sys-admin"]}


def test_unknown_command() -> None:
    state, _ = make_state()
    assert result(state, admin_session(state), 99) == 54


def test_create_user_answers() -> None:
    state, _ = make_state()
    session = admin_session(state)
    assert result(state, session, wire.CREATE_USER, user("dev"), password("p"), roles("read-write")) == 0
    assert state.users()["dev"] == ["read-write"]
    assert result(state, session, wire.CREATE_USER, user("dev"), password("p"), roles()) == 61
    assert result(state, session, wire.CREATE_USER, user(""), password("p"), roles()) == 60
    assert result(state, session, wire.CREATE_USER, user("x" * 64), password("p"), roles()) == 60
    assert (
        result(state, session, wire.CREATE_USER, user("u2"), (wire.FIELD_PASSWORD, b"clear"), roles()) == 62
    )
    assert result(state, session, wire.CREATE_USER, user("u2"), roles()) == 62
    assert result(state, session, wire.CREATE_USER, user("u2"), password("p"), roles("nope")) == 70
    assert (
        result(state, session, wire.CREATE_USER, user("u2"), password("p"), (wire.FIELD_ROLES, b"\x03")) == 55
    )
    assert set(state.users()) == {"admin", "dev"}
    # the new user can log in with its password, and only with it
    assert login(state, "dev", "p")[1][0].result_code == 0
    assert login(state, "dev", "q")[1][0].result_code == 65


def test_drop_user_ends_its_sessions() -> None:
    state, _ = make_state()
    state.add_user("dev", "p", ["read"])
    dev_session, messages = login(state, "dev", "p")
    token = messages[0].field(wire.FIELD_SESSION_TOKEN) or b""
    session = admin_session(state)
    assert result(state, session, wire.DROP_USER, user("dev")) == 0
    assert result(state, session, wire.DROP_USER, user("dev")) == 60
    assert result(state, Session(), wire.AUTHENTICATE, user("dev"), (wire.FIELD_SESSION_TOKEN, token)) == 60
    assert state.live_sessions() == 1  # only the admin's
    assert state.check_permission(dev_session.user, security.ACTION_READ, "test") == 80


def test_set_and_change_password() -> None:
    state, _ = make_state()
    state.add_user("dev", "p1", ["read"])
    session = admin_session(state)
    assert result(state, session, wire.SET_PASSWORD, user("dev"), password("p2")) == 0
    assert result(state, session, wire.SET_PASSWORD, user("ghost"), password("p2")) == 60
    assert result(state, session, wire.SET_PASSWORD, user("dev"), (wire.FIELD_PASSWORD, b"short")) == 62
    assert login(state, "dev", "p1")[1][0].result_code == 65
    dev, messages = login(state, "dev", "p2")
    assert messages[0].result_code == 0
    # a user changes its own password with the old one, and needs the right old one
    wrong_old = password("p1", wire.FIELD_OLD_PASSWORD)
    right_old = password("p2", wire.FIELD_OLD_PASSWORD)
    assert result(state, dev, wire.CHANGE_PASSWORD, user("dev"), wrong_old, password("p3")) == 65
    assert result(state, dev, wire.CHANGE_PASSWORD, user("dev"), right_old, password("p3")) == 0
    assert login(state, "dev", "p3")[1][0].result_code == 0
    # but not another user's
    admin_old = password("admin", wire.FIELD_OLD_PASSWORD)
    assert result(state, dev, wire.CHANGE_PASSWORD, user("admin"), admin_old, password("x")) == 81


def test_grant_and_revoke_roles() -> None:
    state, _ = make_state()
    state.add_user("dev", "p", ["read"])
    session = admin_session(state)
    assert result(state, session, wire.GRANT_ROLES, user("dev"), roles("read-write", "read")) == 0
    assert state.users()["dev"] == ["read", "read-write"]
    assert result(state, session, wire.GRANT_ROLES, user("dev"), roles("nope")) == 70
    assert result(state, session, wire.GRANT_ROLES, user("ghost"), roles("read")) == 60
    assert result(state, session, wire.REVOKE_ROLES, user("dev"), roles("read", "truncate")) == 0
    assert state.users()["dev"] == ["read-write"]


def test_query_users() -> None:
    state, _ = make_state()
    state.add_user("dev", "p", ["read", "write"])
    session = admin_session(state)
    messages = send(state, session, wire.QUERY_USERS)
    assert [m.result_code for m in messages] == [0, 0, 50]
    found = {
        wire.decode_name(m.field(wire.FIELD_USER) or b""): wire.decode_roles(m.field(wire.FIELD_ROLES) or b"")
        for m in messages[:-1]
    }
    assert found == {"admin": ["user-admin"], "dev": ["read", "write"]}
    messages = send(state, session, wire.QUERY_USERS, user("dev"))
    assert len(messages) == 2 and messages[0].field(wire.FIELD_USER) == b"dev"
    assert [m.result_code for m in send(state, session, wire.QUERY_USERS, user("ghost"))] == [60]
    # any user may query itself
    dev, _ = login(state, "dev", "p")
    messages = send(state, dev, wire.QUERY_USERS, user("dev"))
    assert [m.result_code for m in messages] == [0, 50]


def test_create_role_answers() -> None:
    state, _ = make_state()
    session = admin_session(state)
    scoped = Privilege(wire.PRIVILEGE_READ, "test", "demo")
    assert result(state, session, wire.CREATE_ROLE, role("dev_role"), privileges(scoped)) == 0
    assert state.role_privileges("dev_role") == [scoped]
    assert result(state, session, wire.CREATE_ROLE, role("dev_role"), privileges()) == 71
    assert result(state, session, wire.CREATE_ROLE, role("read"), privileges()) == 71  # predefined
    assert result(state, session, wire.CREATE_ROLE, role(""), privileges()) == 70
    assert result(state, session, wire.CREATE_ROLE, role("r2"), privileges(Privilege(9))) == 72
    bad_scope = (wire.FIELD_PRIVILEGES, bytes((1, 10, 0, 1)) + b"s")  # set without namespace
    assert result(state, session, wire.CREATE_ROLE, role("r2"), bad_scope) == 72
    quota = (wire.FIELD_READ_QUOTA, wire.encode_u32(100))
    assert result(state, session, wire.CREATE_ROLE, role("r2"), privileges(), quota) == 74
    assert result(state, session, wire.CREATE_ROLE, role("r3")) == 0  # privileges are optional
    assert state.role_privileges("r3") == []


def test_grant_revoke_and_drop_role() -> None:
    state, _ = make_state()
    session = admin_session(state)
    state.add_user("dev", "p")
    assert (
        result(state, session, wire.CREATE_ROLE, role("r"), privileges(Privilege(wire.PRIVILEGE_READ))) == 0
    )
    assert result(state, session, wire.GRANT_ROLES, user("dev"), roles("r")) == 0
    rwu = Privilege(wire.PRIVILEGE_READ_WRITE_UDF, "test")
    assert result(state, session, wire.GRANT_PRIVILEGES, role("r"), privileges(rwu)) == 0
    assert state.role_privileges("r") == [Privilege(wire.PRIVILEGE_READ), rwu]
    assert result(state, session, wire.GRANT_PRIVILEGES, role("r"), privileges(Privilege(77))) == 72
    assert result(state, session, wire.GRANT_PRIVILEGES, role("r")) == 72  # nothing to grant
    assert result(state, session, wire.GRANT_PRIVILEGES, role("read"), privileges(rwu)) == 70  # predefined
    assert result(state, session, wire.GRANT_PRIVILEGES, role("nope"), privileges(rwu)) == 70
    assert (
        result(state, session, wire.REVOKE_PRIVILEGES, role("r"), privileges(Privilege(wire.PRIVILEGE_READ)))
        == 0
    )
    assert state.role_privileges("r") == [rwu]
    assert result(state, session, wire.DROP_ROLE, role("read")) == 70
    assert result(state, session, wire.DROP_ROLE, role("r")) == 0
    assert result(state, session, wire.DROP_ROLE, role("r")) == 70
    assert state.users()["dev"] == []


def test_query_roles() -> None:
    state, _ = make_state(quotas_enabled=True)
    session = admin_session(state)
    scoped = Privilege(wire.PRIVILEGE_WRITE, "test", "demo")
    quota = (wire.FIELD_READ_QUOTA, wire.encode_u32(100))
    whitelist = (wire.FIELD_WHITELIST, b"10.0.0.1")
    assert result(state, session, wire.CREATE_ROLE, role("w"), privileges(scoped), whitelist, quota) == 0
    messages = send(state, session, wire.QUERY_ROLES)
    assert messages[-1].result_code == 50
    found = {
        wire.decode_name(m.field(wire.FIELD_ROLE) or b""): wire.decode_privileges(
            m.field(wire.FIELD_PRIVILEGES) or b""
        )
        for m in messages[:-1]
    }
    assert set(found) == set(wire.PRIVILEGE_NAMES.values()) | {"w"}
    assert found["w"] == [scoped]
    assert found["read-write-udf"] == [Privilege(wire.PRIVILEGE_READ_WRITE_UDF)]
    (w,) = send(state, session, wire.QUERY_ROLES, role("w"))[:-1]
    assert w.field(wire.FIELD_WHITELIST) == b"10.0.0.1"
    assert w.field(wire.FIELD_READ_QUOTA) == wire.encode_u32(100)
    assert w.field(wire.FIELD_WRITE_QUOTA) is None
    assert [m.result_code for m in send(state, session, wire.QUERY_ROLES, role("nope"))] == [70]
    # a user may query the roles it holds
    state.add_user("dev", "p", ["w"])
    dev, _ = login(state, "dev", "p")
    assert [m.result_code for m in send(state, dev, wire.QUERY_ROLES, role("w"))] == [0, 50]


def test_whitelist_and_quotas() -> None:
    state, _ = make_state()
    session = admin_session(state)
    assert result(state, session, wire.CREATE_ROLE, role("r"), privileges()) == 0
    assert (
        result(state, session, wire.SET_WHITELIST, role("r"), (wire.FIELD_WHITELIST, b"1.2.3.4,5.6.7.8")) == 0
    )
    (message, _) = send(state, session, wire.QUERY_ROLES, role("r"))
    assert wire.decode_whitelist(message.field(wire.FIELD_WHITELIST) or b"") == ["1.2.3.4", "5.6.7.8"]
    assert result(state, session, wire.SET_WHITELIST, role("r")) == 0
    (message, _) = send(state, session, wire.QUERY_ROLES, role("r"))
    assert message.field(wire.FIELD_WHITELIST) is None
    quotas = ((wire.FIELD_READ_QUOTA, wire.encode_u32(5)), (wire.FIELD_WRITE_QUOTA, wire.encode_u32(6)))
    assert result(state, session, wire.SET_QUOTAS, role("r"), *quotas) == 74
    state.quotas_enabled = True
    assert result(state, session, wire.SET_QUOTAS, role("r"), *quotas) == 0
    assert result(state, session, wire.SET_QUOTAS, role("r"), (wire.FIELD_READ_QUOTA, b"\x01")) == 75
    (message, _) = send(state, session, wire.QUERY_ROLES, role("r"))
    assert message.field(wire.FIELD_WRITE_QUOTA) == wire.encode_u32(6)


def test_malformed_request_raises_protocol_error() -> None:
    state, _ = make_state()
    with pytest.raises(ProtocolError):
        state.handle_admin(bytes(10), Session())
    with pytest.raises(ProtocolError):
        state.handle_admin(wire.encode_request(wire.LOGIN)[8:] + b"x", Session())


# ----- permissions ----------------------------------------------------------------------------------------------


def test_permissions_by_role() -> None:
    state, _ = make_state()
    state.add_user("reader", "p", ["read"])
    state.add_user("writer", "p", ["write"])
    state.add_user("udf", "p", ["read-write-udf"])
    state.add_user("data", "p", ["data-admin"])
    check = state.check_permission
    assert check(None, security.ACTION_READ, "test") == 80
    assert check("ghost", security.ACTION_INFO) == 80
    assert check("reader", security.ACTION_INFO) == 0
    assert check("reader", security.ACTION_READ, "test", "demo") == 0
    assert check("reader", security.ACTION_WRITE, "test", "demo") == 81
    assert check("writer", security.ACTION_WRITE, "test") == 0
    assert check("writer", security.ACTION_READ, "test") == 81
    assert check("udf", security.ACTION_UDF, "test") == 0
    assert check("reader", security.ACTION_UDF, "test") == 81
    assert check("data", security.ACTION_TRUNCATE, "test") == 0
    assert check("data", security.ACTION_SINDEX_ADMIN) == 0
    assert check("data", security.ACTION_READ, "test") == 81
    assert check("admin", security.ACTION_READ, "test") == 81  # user-admin holds no data privileges
    assert check("admin", security.ACTION_USER_ADMIN) == 0
    assert check("data", security.ACTION_SYS_ADMIN) == 81
    with pytest.raises(ValueError):
        check("admin", "fly")


def test_permissions_scoped_to_namespace_and_set() -> None:
    state, _ = make_state()
    session = admin_session(state)
    scoped = privileges(
        Privilege(wire.PRIVILEGE_READ, "test", "demo"), Privilege(wire.PRIVILEGE_READ_WRITE, "bar")
    )
    assert result(state, session, wire.CREATE_ROLE, role("scoped"), scoped) == 0
    state.add_user("dev", "p", ["scoped"])
    check = state.check_permission
    assert check("dev", security.ACTION_READ, "test", "demo") == 0
    assert check("dev", security.ACTION_READ, "test", "other") == 81
    assert check("dev", security.ACTION_READ, "test", "") == 81  # whole-namespace scan needs namespace scope
    assert check("dev", security.ACTION_WRITE, "test", "demo") == 81
    assert check("dev", security.ACTION_WRITE, "bar", "anything") == 0
    assert check("dev", security.ACTION_READ, "other", "demo") == 81
    # revoking the role takes effect at once
    assert result(state, session, wire.REVOKE_ROLES, user("dev"), roles("scoped")) == 0
    assert check("dev", security.ACTION_READ, "test", "demo") == 81


def test_add_user_checks_roles() -> None:
    state, _ = make_state()
    with pytest.raises(ValueError):
        state.add_user("dev", "p", ["nope"])


def test_no_secret_in_reprs() -> None:
    state, _ = make_state()
    state.add_user("dev", "s3cret-pass", ["read"])
    session, messages = login(state, "dev", "s3cret-pass")
    text = repr(state) + repr(session) + repr(state._users["dev"]) + repr(messages)
    assert "s3cret" not in text
    assert "$2a$" not in text
    assert wire.hash_password("s3cret-pass").decode() not in text
    assert (b"\x01" * 32).hex() not in text
