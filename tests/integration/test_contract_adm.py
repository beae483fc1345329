"""The admin (security) API against a secured cluster, as the official client 3.0.0 sees an enterprise server:
which exception class, code and message each refusal gets, the predefined roles, the shapes the queries return,
and connect() with bad credentials. Runs on a secured local cluster, or on AEROSPIKE_SECURED_HOSTS (see
tests/fixtures/secured.py). Users and roles made here start with ``adm_``."""

from __future__ import annotations

import itertools
import os
from typing import Any, Iterator

import pytest

import aerospike
from aerospike import exception as ex
from tests.fixtures.secured import SecuredCluster

_names = itertools.count()
PREDEFINED = {
    "read": aerospike.PRIV_READ,
    "read-write": aerospike.PRIV_READ_WRITE,
    "read-write-udf": aerospike.PRIV_READ_WRITE_UDF,
    "sys-admin": aerospike.PRIV_SYS_ADMIN,
    "user-admin": aerospike.PRIV_USER_ADMIN,
    "data-admin": aerospike.PRIV_DATA_ADMIN,
}


def _name(kind: str) -> str:
    return f"adm_{kind}_{os.getpid()}_{next(_names)}"


def _connect(secured: SecuredCluster, user: str, password: str) -> Any:
    return aerospike.client({"hosts": secured.hosts, "connect_timeout": 3000}).connect(user, password)


class Admin:
    """An admin client that remembers the users and roles a test made, and drops them at the end."""

    def __init__(self, secured: SecuredCluster) -> None:
        self.secured = secured
        self.client = _connect(secured, secured.user, secured.password)
        self.users: list[str] = []
        self.roles: list[str] = []

    def user(self, roles: list[str], password: str = "adm-pass") -> str:
        name = _name("user")
        assert self.client.admin_create_user(name, password, roles) == 0
        self.users.append(name)
        return name

    def role(self, privileges: list[dict]) -> str:
        name = _name("role")
        assert self.client.admin_create_role(name, privileges) == 0
        self.roles.append(name)
        return name

    def cleanup(self) -> None:
        for user in self.users:
            try:
                self.client.admin_drop_user(user)
            except ex.InvalidUser:
                pass
        for role in self.roles:
            try:
                self.client.admin_drop_role(role)
            except ex.InvalidRole:
                pass
        self.client.close()


@pytest.fixture
def adm(secured_cluster: SecuredCluster) -> Iterator[Admin]:
    admin = Admin(secured_cluster)
    yield admin
    admin.cleanup()


def _refused(call: Any, cls: type[ex.AerospikeError], code: int, msg: str) -> None:
    with pytest.raises(ex.AerospikeError) as raised:
        call()
    assert type(raised.value) is cls
    assert (raised.value.code, raised.value.msg) == (code, msg)


# ----- connect ---------------------------------------------------------------------------------------------------


def test_connect_refused(adm: Admin) -> None:
    secured = adm.secured
    _refused(
        lambda: _connect(secured, secured.user, "not the password"),
        ex.InvalidCredential,
        65,
        "Failed to connect",
    )
    _refused(lambda: _connect(secured, _name("nobody"), "pw"), ex.InvalidUser, 60, "Failed to connect")
    name = adm.user(["read"], password="first")
    adm.client.admin_drop_user(name)
    _refused(lambda: _connect(secured, name, "first"), ex.InvalidUser, 60, "Failed to connect")


# ----- users -----------------------------------------------------------------------------------------------------


def test_user_lifecycle_and_shapes(adm: Admin) -> None:
    client = adm.client
    name = adm.user(["read"])
    assert client.admin_query_user(name) == ["read"]
    assert client.admin_grant_roles(name, ["read-write", "sys-admin"]) == 0
    assert sorted(client.admin_query_user(name)) == ["read", "read-write", "sys-admin"]
    assert client.admin_grant_roles(name, ["read"]) == 0  # granting a held role changes nothing
    assert client.admin_revoke_roles(name, ["read", "sys-admin"]) == 0
    assert client.admin_query_user(name) == ["read-write"]
    users = client.admin_query_users()
    assert isinstance(users, dict) and users[name] == ["read-write"]
    assert "user-admin" in users[adm.secured.user]
    assert client.admin_set_password(name, "second") == 0
    _refused(lambda: _connect(adm.secured, name, "adm-pass"), ex.InvalidCredential, 65, "Failed to connect")
    user_client = _connect(adm.secured, name, "second")
    try:
        assert user_client.admin_change_password(name, "third") == 0
        assert user_client.admin_query_user(name) == ["read-write"]  # a user may look at itself
    finally:
        user_client.close()
    _connect(adm.secured, name, "third").close()
    assert client.admin_drop_user(name) == 0
    _refused(lambda: client.admin_query_user(name), ex.InvalidUser, 60, "AEROSPIKE_INVALID_USER")


def test_user_refusals(adm: Admin) -> None:
    client = adm.client
    name = adm.user([])
    assert client.admin_query_user(name) == []
    missing = _name("ghost")
    _refused(lambda: client.admin_query_user(missing), ex.InvalidUser, 60, "AEROSPIKE_INVALID_USER")
    _refused(lambda: client.admin_drop_user(missing), ex.InvalidUser, 60, "AEROSPIKE_INVALID_USER")
    _refused(lambda: client.admin_set_password(missing, "pw"), ex.InvalidUser, 60, "AEROSPIKE_INVALID_USER")
    _refused(
        lambda: client.admin_grant_roles(missing, ["read"]), ex.InvalidUser, 60, "AEROSPIKE_INVALID_USER"
    )
    _refused(
        lambda: client.admin_create_user(name, "pw", ["read"]),
        ex.UserExistsError,
        61,
        "AEROSPIKE_USER_ALREADY_EXISTS",
    )
    missing_role = _name("norole")
    _refused(
        lambda: client.admin_create_user(_name("user"), "pw", [missing_role]),
        ex.InvalidRole,
        70,
        "AEROSPIKE_INVALID_ROLE",
    )
    _refused(
        lambda: client.admin_grant_roles(name, [missing_role]), ex.InvalidRole, 70, "AEROSPIKE_INVALID_ROLE"
    )


def test_a_user_without_user_admin_is_refused(adm: Admin) -> None:
    name = adm.user(["read-write"])
    user_client = _connect(adm.secured, name, "adm-pass")
    try:
        _refused(user_client.admin_query_users, ex.RoleViolation, 81, "AEROSPIKE_ROLE_VIOLATION")
        _refused(
            lambda: user_client.admin_create_user(_name("user"), "pw", []),
            ex.RoleViolation,
            81,
            "AEROSPIKE_ROLE_VIOLATION",
        )
        _refused(
            lambda: user_client.admin_create_role(_name("role"), [{"code": aerospike.PRIV_READ}]),
            ex.RoleViolation,
            81,
            "AEROSPIKE_ROLE_VIOLATION",
        )
    finally:
        user_client.close()


# ----- roles -----------------------------------------------------------------------------------------------------


def test_predefined_roles(adm: Admin) -> None:
    roles = adm.client.admin_query_roles()
    for name, code in PREDEFINED.items():
        assert roles[name] == [{"ns": "", "set": "", "code": code}]
        assert adm.client.admin_query_role(name) == [{"ns": "", "set": "", "code": code}]
    _refused(lambda: adm.client.admin_drop_role("read"), ex.InvalidRole, 70, "AEROSPIKE_INVALID_ROLE")
    _refused(
        lambda: adm.client.admin_create_role("read", [{"code": aerospike.PRIV_READ}]),
        ex.RoleExistsError,
        71,
        "AEROSPIKE_ROLE_ALREADY_EXISTS",
    )


def test_role_lifecycle_and_shapes(adm: Admin) -> None:
    client = adm.client
    scoped = {"code": aerospike.PRIV_READ, "ns": "test", "set": "adm_set"}
    name = adm.role([scoped, {"code": aerospike.PRIV_SYS_ADMIN}])
    assert client.admin_query_role(name) == [
        {"ns": "test", "set": "adm_set", "code": aerospike.PRIV_READ},
        {"ns": "", "set": "", "code": aerospike.PRIV_SYS_ADMIN},
    ]
    assert client.admin_grant_privileges(name, [{"code": aerospike.PRIV_READ_WRITE, "ns": "test"}]) == 0
    assert client.admin_revoke_privileges(name, [scoped, {"code": aerospike.PRIV_SYS_ADMIN}]) == 0
    assert client.admin_query_role(name) == [{"ns": "test", "set": "", "code": aerospike.PRIV_READ_WRITE}]
    assert client.admin_query_roles()[name] == [{"ns": "test", "set": "", "code": aerospike.PRIV_READ_WRITE}]
    user = adm.user([name])
    assert client.admin_query_user(user) == [name]
    assert client.admin_drop_role(name) == 0
    assert client.admin_query_user(user) == []  # dropping a role takes it from its users
    _refused(lambda: client.admin_query_role(name), ex.InvalidRole, 70, "AEROSPIKE_INVALID_ROLE")
    _refused(lambda: client.admin_drop_role(name), ex.InvalidRole, 70, "AEROSPIKE_INVALID_ROLE")


def test_role_refusals(adm: Admin) -> None:
    client = adm.client
    name = adm.role([{"code": aerospike.PRIV_READ}])
    _refused(
        lambda: client.admin_create_role(name, [{"code": aerospike.PRIV_READ}]),
        ex.RoleExistsError,
        71,
        "AEROSPIKE_ROLE_ALREADY_EXISTS",
    )
    missing = _name("norole")
    _refused(
        lambda: client.admin_grant_privileges(missing, [{"code": aerospike.PRIV_READ}]),
        ex.InvalidRole,
        70,
        "AEROSPIKE_INVALID_ROLE",
    )
    _refused(
        lambda: client.admin_create_role(_name("role"), [{"code": 99}]),
        ex.InvalidPrivilege,
        72,
        "AEROSPIKE_INVALID_PRIVILEGE",
    )
    _refused(
        lambda: client.admin_grant_privileges(name, [{"code": aerospike.PRIV_READ, "set": "adm_set"}]),
        ex.InvalidPrivilege,
        72,
        "AEROSPIKE_INVALID_PRIVILEGE",
    )
    # The C client's own check, before anything is sent.
    _refused(
        lambda: client.admin_grant_privileges(name, [{"code": aerospike.PRIV_SYS_ADMIN, "ns": "test"}]),
        ex.ParamError,
        -2,
        "Admin privilege has namespace/set scope which is invalid.",
    )
