"""The admin_* methods' contract with the official client 3.0.0, without a socket: keyword names, the "not
connected" check made before anything else, each bad argument's class, code and message in 3.0.0's order (the
policy's check included), what 3.0.0 accepts, and the value each method returns."""

from __future__ import annotations

from typing import Any, Optional

import pytest

import aerospike
from aerospike import admin
from aerospike import exception as ex
from aerospike.protocol import admin as wire

PARAM = (ex.ParamError, -2)
CLIENT = (ex.ClientError, -1)
POLICY = "policy must be a dict"
TIMEOUT = "timeout is invalid"
USER = "Username should be a string"
PASSWORD = "Password should be a string"
ROLE = "Role name should be a string"
ROLES_PARAM = "Roles should be a list"
PRIVILEGES = "Privileges should be a list"
SCOPE = "Admin privilege has namespace/set scope which is invalid."
READ = {"code": aerospike.PRIV_READ, "ns": "test"}
SCOPED_GLOBAL = {"code": aerospike.PRIV_SYS_ADMIN, "ns": "test"}


class _Authenticator:
    def __init__(self, user: str, password: str) -> None:
        self.credentials = admin.Credentials(user, password)
        self.user = user

    def set_credentials(self, credentials: admin.Credentials) -> None:
        self.credentials = credentials


class _FakeCluster:
    """Stands in for a connected cluster; `_admin` is replaced, so nothing is ever sent."""

    def __init__(self, authenticator: Optional[_Authenticator]) -> None:
        self.authenticator = authenticator


def _client(user: Optional[str] = "admin", password: str = "admin") -> tuple[Any, list[admin.AdminCall]]:
    client = aerospike.client({"hosts": [("127.0.0.1", 3000)]})
    sent: list[admin.AdminCall] = []
    client._cluster = _FakeCluster(_Authenticator(user, password) if user is not None else None)

    def record(cluster: Any, call: admin.AdminCall) -> Any:
        sent.append(call)
        if call.name in ("admin_query_user", "admin_query_role"):
            return []
        if call.name in ("admin_query_users", "admin_query_roles"):
            return {}
        return None

    client._admin = record
    return client, sent


# (method, args, kwargs, (class, code), msg): bad arguments, and which check 3.0.0 makes first.
BAD_ARGUMENTS = [
    # admin_create_user: roles, user, password, then policy
    ("admin_create_user", ("u", "p", "read"), {}, PARAM, ROLES_PARAM),
    ("admin_create_user", ("u", "p", ("read",)), {}, PARAM, ROLES_PARAM),
    ("admin_create_user", ("u", "p", ["read", 3]), {}, CLIENT, "Item is not a string"),
    ("admin_create_user", ("u", "p", [b"read"]), {}, CLIENT, "Item is not a string"),
    ("admin_create_user", ("u", "p", ["r" * 32]), {}, CLIENT, "String exceeds max length"),
    ("admin_create_user", (1, "p", ["read"]), {}, PARAM, USER),
    ("admin_create_user", (b"u", "p", []), {}, PARAM, USER),
    ("admin_create_user", ("u", None, []), {}, PARAM, PASSWORD),
    ("admin_create_user", ("u", "p", [], "policy"), {}, PARAM, POLICY),
    ("admin_create_user", ("u", "p", [], {"timeout": "1"}), {}, PARAM, TIMEOUT),
    ("admin_create_user", (1, None, "read", "policy"), {}, PARAM, ROLES_PARAM),
    ("admin_create_user", (1, None, [], "policy"), {}, PARAM, USER),
    ("admin_create_user", ("u", None, [], "policy"), {}, PARAM, PASSWORD),
    # admin_drop_user / admin_query_user: policy, then user
    ("admin_drop_user", (1,), {}, PARAM, USER),
    ("admin_drop_user", (1, "policy"), {}, PARAM, POLICY),
    ("admin_drop_user", ("u", {"timeout": None}), {}, PARAM, TIMEOUT),
    ("admin_query_user", (None,), {}, PARAM, USER),
    ("admin_query_user", (None, ["policy"]), {}, PARAM, POLICY),
    # admin_set_password / admin_change_password: policy, user, password
    ("admin_set_password", (1, 2, "policy"), {}, PARAM, POLICY),
    ("admin_set_password", (1, 2), {}, PARAM, USER),
    ("admin_set_password", ("u", 2), {}, PARAM, PASSWORD),
    ("admin_change_password", (1, 2, "policy"), {}, PARAM, POLICY),
    ("admin_change_password", (1, 2), {}, PARAM, USER),
    ("admin_change_password", ("u", b"p"), {}, PARAM, PASSWORD),
    # admin_grant_roles / admin_revoke_roles: roles (ClientError 'not a list'), user, then policy
    ("admin_grant_roles", ("u", "read"), {}, CLIENT, "not a list"),
    ("admin_grant_roles", (1, None, "policy"), {}, CLIENT, "not a list"),
    ("admin_grant_roles", ("u", [None]), {}, CLIENT, "Item is not a string"),
    ("admin_grant_roles", ("u", ["x" * 40]), {}, CLIENT, "String exceeds max length"),
    ("admin_grant_roles", (1, [], "policy"), {}, PARAM, USER),
    ("admin_grant_roles", ("u", [], "policy"), {}, PARAM, POLICY),
    ("admin_revoke_roles", ("u", ("read",)), {}, CLIENT, "not a list"),
    ("admin_revoke_roles", ("u", [1]), {}, CLIENT, "Item is not a string"),
    ("admin_revoke_roles", (None, []), {}, PARAM, USER),
    ("admin_revoke_roles", ("u", [], 5), {}, PARAM, POLICY),
    # admin_query_users / admin_query_roles: policy only
    ("admin_query_users", ("policy",), {}, PARAM, POLICY),
    ("admin_query_users", ({"timeout": 1.5},), {}, PARAM, TIMEOUT),
    ("admin_query_roles", ([],), {}, PARAM, POLICY),
    # admin_create_role / admin_grant_privileges / admin_revoke_privileges: privileges, policy, role, scopes
    ("admin_create_role", (1, "read"), {}, PARAM, PRIVILEGES),
    ("admin_create_role", (1, (READ,)), {}, PARAM, PRIVILEGES),
    ("admin_create_role", (1, [], "policy"), {}, PARAM, POLICY),
    ("admin_create_role", (1, []), {}, PARAM, ROLE),
    ("admin_create_role", ("r", [SCOPED_GLOBAL]), {}, PARAM, SCOPE),
    ("admin_create_role", ("r", [{"code": aerospike.PRIV_USER_ADMIN, "set": "s"}]), {}, PARAM, SCOPE),
    ("admin_create_role", (1, [SCOPED_GLOBAL]), {}, PARAM, ROLE),
    ("admin_create_role", ("r", [SCOPED_GLOBAL], "policy"), {}, PARAM, POLICY),
    ("admin_grant_privileges", ("r", {"code": 10}), {}, PARAM, PRIVILEGES),
    ("admin_grant_privileges", (b"r", [READ]), {}, PARAM, ROLE),
    ("admin_grant_privileges", ("r", [SCOPED_GLOBAL]), {}, PARAM, SCOPE),
    ("admin_revoke_privileges", ("r", None), {}, PARAM, PRIVILEGES),
    ("admin_revoke_privileges", (None, [READ], "policy"), {}, PARAM, POLICY),
    ("admin_revoke_privileges", ("r", [SCOPED_GLOBAL]), {}, PARAM, SCOPE),
    # 3.0.0 loses these errors and crashes or sends garbage; here each is a ParamError (docs/differences.md)
    (
        "admin_create_role",
        ("r", [{"ns": "test"}]),
        {},
        PARAM,
        "Code is a compulsory parameter in privileges dictionary",
    ),
    ("admin_create_role", ("r", ["read"]), {}, PARAM, "Privileges should be a list of dictionaries"),
    ("admin_create_role", ("r", [{"code": "10"}]), {}, PARAM, "Privilege code should be an integer"),
    ("admin_create_role", ("r", [{"code": 300}]), {}, PARAM, "Privilege code is invalid"),
    ("admin_create_role", ("r", [{"code": 10, "ns": 5}]), {}, PARAM, "Privilege ns should be a string"),
    (
        "admin_create_role",
        ("r", [{"code": 10, "ns": "n" * 32}]),
        {},
        PARAM,
        "Privilege ns exceeds max length",
    ),
    (
        "admin_create_role",
        ("r", [{"code": 10, "ns": "t", "set": 1}]),
        {},
        PARAM,
        "Privilege set should be a string",
    ),
    # admin_drop_role / admin_query_role: policy, then role
    ("admin_drop_role", (1,), {}, PARAM, ROLE),
    ("admin_drop_role", (1, "policy"), {}, PARAM, POLICY),
    ("admin_query_role", (["r"],), {}, PARAM, ROLE),
    ("admin_query_role", ("r", {"timeout": "x"}), {}, PARAM, TIMEOUT),
]


@pytest.mark.parametrize("method, args, kwargs, expected, msg", BAD_ARGUMENTS)
def test_bad_arguments(method: str, args: tuple, kwargs: dict, expected: tuple, msg: str) -> None:
    client, sent = _client()
    with pytest.raises(ex.AerospikeError) as raised:
        getattr(client, method)(*args, **kwargs)
    cls, code = expected
    assert type(raised.value) is cls
    assert (raised.value.code, raised.value.msg) == (code, msg)
    assert sent == []


EVERY_METHOD = [
    ("admin_create_user", (1, 2, 3)),
    ("admin_drop_user", (1,)),
    ("admin_set_password", (1, 2)),
    ("admin_change_password", (1, 2)),
    ("admin_grant_roles", (1, 2)),
    ("admin_revoke_roles", (1, 2)),
    ("admin_query_user", (1,)),
    ("admin_query_users", ("policy",)),
    ("admin_create_role", (1, 2)),
    ("admin_drop_role", (1,)),
    ("admin_grant_privileges", (1, 2)),
    ("admin_revoke_privileges", (1, 2)),
    ("admin_query_role", (1,)),
    ("admin_query_roles", ("policy",)),
]


@pytest.mark.parametrize("method, args", EVERY_METHOD)
def test_not_connected_comes_before_argument_checks(method: str, args: tuple) -> None:
    client = aerospike.client({"hosts": [("127.0.0.1", 3000)]})
    with pytest.raises(ex.ClusterError) as raised:
        getattr(client, method)(*args)
    assert (raised.value.code, raised.value.msg) == (11, "No connection to aerospike cluster")


def test_change_password_without_a_logged_in_user() -> None:
    client, sent = _client(user=None)
    with pytest.raises(ex.ParamError) as raised:
        client.admin_change_password("u", "p")
    assert (raised.value.code, raised.value.msg) == (-2, "Current password is invalid")
    assert sent == []


# (method, kwargs using 3.0.0's keyword names, return value)
KEYWORDS = [
    ("admin_create_user", {"user": "u", "password": "p", "roles": ["read"], "policy": {}}, 0),
    ("admin_drop_user", {"user": "u", "policy": None}, 0),
    ("admin_set_password", {"user": "u", "password": "p", "policy": {"timeout": 10}}, 0),
    ("admin_change_password", {"user": "admin", "password": "p", "policy": {}}, 0),
    ("admin_grant_roles", {"user": "u", "roles": ["read"], "policy": {}}, 0),
    ("admin_revoke_roles", {"user": "u", "roles": ["read"], "policy": {}}, 0),
    ("admin_query_user", {"user": "u", "policy": {}}, []),
    ("admin_query_users", {"policy": {}}, {}),
    ("admin_create_role", {"role": "r", "privileges": [READ], "policy": {}}, 0),
    ("admin_drop_role", {"role": "r", "policy": {}}, 0),
    ("admin_grant_privileges", {"role": "r", "privileges": [READ], "policy": {}}, 0),
    ("admin_revoke_privileges", {"role": "r", "privileges": [READ], "policy": {}}, 0),
    ("admin_query_role", {"role": "r", "policy": {}}, []),
    ("admin_query_roles", {"policy": {}}, {}),
]


@pytest.mark.parametrize("method, kwargs, returned", KEYWORDS)
def test_keyword_names_and_return_values(method: str, kwargs: dict, returned: Any) -> None:
    client, sent = _client()
    assert getattr(client, method)(**kwargs) == returned
    assert [call.name for call in sent] == [method]


@pytest.mark.parametrize(
    "method, kwargs",
    [
        ("admin_create_user", {"username": "u", "password": "p", "roles": []}),
        ("admin_drop_user", {"username": "u"}),
        ("admin_query_user", {"username": "u"}),
        ("admin_create_role", {"role": "r", "privileges": [], "policies": {}}),
    ],
)
def test_unknown_keywords_are_type_errors(method: str, kwargs: dict) -> None:
    client, _ = _client()
    with pytest.raises(TypeError):
        getattr(client, method)(**kwargs)


def test_what_3_0_0_accepts() -> None:
    client, sent = _client()
    # Keys other than code, ns and set are ignored; a bool is an int; None scopes are empty.
    client.admin_create_role("r", [{"code": True}, {"code": 10, "ns": None, "bin": "x"}])
    # A set without a namespace goes to the server, which judges it.
    client.admin_grant_privileges("r", [{"code": aerospike.PRIV_READ, "set": "demo"}])
    # Policy keys other than timeout are ignored; a bool timeout is an int.
    client.admin_query_users({"timeout": True, "max_retries": "x"})
    # No client-side length limit on user names and passwords (bcrypt reads 72 bytes of a password).
    client.admin_create_user("u" * 100, "p" * 100, [])
    client.admin_create_user("u", "", ["r" * 31])
    assert [call.name for call in sent] == [
        "admin_create_role",
        "admin_grant_privileges",
        "admin_query_users",
        "admin_create_user",
        "admin_create_user",
    ]
    privileges = wire.decode_request(sent[0].request[8:]).field(wire.FIELD_PRIVILEGES)
    assert privileges is not None
    assert wire.decode_privileges(privileges) == [
        wire.Privilege(aerospike.PRIV_SYS_ADMIN),
        wire.Privilege(aerospike.PRIV_READ),
    ]
    assert sent[2].timeout_ms == 1


def test_policy_timeout_reaches_the_call() -> None:
    client, sent = _client()
    client.admin_query_users()
    client.admin_query_users({"timeout": 250})
    client.admin_drop_user("u", {"timeout": 0})
    assert [call.timeout_ms for call in sent] == [1000, 250, 60000]


def test_setting_own_password_updates_the_client_credentials() -> None:
    client, _ = _client("admin", "admin")
    authenticator = client._cluster.authenticator
    client.admin_set_password("other", "x")
    assert authenticator.credentials.credential == admin.Credentials("admin", "admin").credential
    client.admin_set_password("admin", "new")
    assert authenticator.credentials.credential == admin.Credentials("admin", "new").credential
    client.admin_change_password("admin", "newer")
    assert authenticator.credentials.credential == admin.Credentials("admin", "newer").credential
