"""Security against the secured local cluster: logins, sessions, privileges, every admin_* method, and the
official client doing the same admin calls (differential)."""

from __future__ import annotations

import socket
import time
from typing import Any, Callable

import pytest

import aerospike
from aerospike import exception
from aerospike.admin import Credentials, login_request
from aerospike.protocol.constants import PROTO_TYPE_ADMIN
from aerospike.protocol.info import encode_info_request, parse_info_reply
from aerospike.protocol.message import Message
from aerospike.testing import LocalCluster
from aerospike.testing.security import SecurityState
from tests.fixtures.cluster import read_frame
from tests.support.official import run_official

KEY = ("test", "people", "alice")


@pytest.fixture
def secured(local_cluster: Callable[..., LocalCluster]) -> LocalCluster:
    return local_cluster(nodes=2, replication_factor=2, security=True)


def _client(cluster: LocalCluster, **config: Any) -> Any:
    return aerospike.client({"hosts": cluster.hosts, "connect_timeout": 2000, **config})


@pytest.fixture
def admin_client(secured: LocalCluster) -> Any:
    client = _client(secured).connect("admin", "admin")
    yield client
    client.close()


# ----- the server side ------------------------------------------------------------------------------------------


def test_unauthenticated_connection_is_refused_everything_but_login(secured: LocalCluster) -> None:
    with socket.create_connection(secured.hosts[0], timeout=5) as sock:
        sock.sendall(encode_info_request(["node", "namespaces"]))
        _, body = read_frame(sock)
        assert parse_info_reply(body) == {
            "node": "ERROR:80:not authenticated",
            "namespaces": "ERROR:80:not authenticated",
        }
        from aerospike.key import calc_digest

        request = Message(
            info1=1, fields=[(0, b"test"), (4, bytes(calc_digest("test", "people", "alice")))]
        ).encode()
        sock.sendall(request)
        _, body = read_frame(sock)
        assert body[5] == 80  # result code of the message header
        sock.sendall(login_request(Credentials("admin", "admin")))
        proto_type, body = read_frame(sock)
        assert proto_type == PROTO_TYPE_ADMIN and body[1] == 0
        sock.sendall(encode_info_request(["namespaces"]))
        _, body = read_frame(sock)
        assert parse_info_reply(body) == {"namespaces": "test;bar"}


def test_community_cluster_answers_security_not_supported(cluster: LocalCluster) -> None:
    # As CE 8.1 answers and 3.0.0 reports: a login is refused, and so is every admin command.
    with pytest.raises(exception.SecurityNotSupported) as raised:
        _client(cluster).connect("admin", "admin")
    assert (raised.value.code, raised.value.msg) == (51, "Failed to connect")
    client = _client(cluster).connect()
    try:
        client.put(KEY, {"a": 1})
        with pytest.raises(exception.SecurityNotSupported):
            client.admin_query_users()
    finally:
        client.close()


def test_enterprise_cluster_without_security_answers_not_enabled(
    local_cluster: Callable[..., LocalCluster],
) -> None:
    plain = local_cluster(nodes=1, replication_factor=1, edition="enterprise")
    with pytest.raises(exception.SecurityNotEnabled):
        _client(plain).connect("admin", "admin")
    client = _client(plain).connect()
    try:
        with pytest.raises(exception.SecurityNotEnabled):
            client.admin_query_users()
    finally:
        client.close()


# ----- logins ----------------------------------------------------------------------------------------------------


def test_login_and_commands(admin_client: Any, secured: LocalCluster) -> None:
    assert admin_client.is_connected()
    assert admin_client.admin_query_user("admin") == ["user-admin"]
    counts = secured.request_counts()
    assert all(count.messages.get("admin", 0) >= 1 for count in counts)  # every node saw a login


def test_wrong_password_unknown_user_and_no_credentials(secured: LocalCluster) -> None:
    started = time.monotonic()
    with pytest.raises(exception.InvalidCredential) as raised:
        _client(secured).connect("admin", "not the password")
    assert "not the password" not in str(raised.value)
    with pytest.raises(exception.InvalidUser):
        _client(secured).connect("nobody", "admin")
    with pytest.raises(exception.NotAuthenticated):
        _client(secured).connect()
    assert time.monotonic() - started < 10  # refusals, never hangs


def test_password_never_in_reprs(secured: LocalCluster) -> None:
    client = _client(secured).connect("admin", "admin")
    try:
        cluster = client._cluster
        texts = [
            repr(cluster),
            repr(cluster.config),
            repr(cluster.authenticator),
            repr(cluster.authenticator.credentials),
        ]
        assert not any("'admin'" in text and "password" in text for text in texts)
        assert cluster.config.password is None
        assert all("$2a$" not in text for text in texts)
    finally:
        client.close()


def test_every_new_connection_authenticates_with_the_token(secured: LocalCluster) -> None:
    client = _client(secured).connect("admin", "admin")
    try:
        authenticator = client._cluster.authenticator
        logins = authenticator.logins
        assert logins == 2  # one per node, on the tend connections
        client.admin_create_user("writer", "pw", ["read-write"])
        writer = _client(secured).connect("writer", "pw")
        for index in range(30):
            writer.put(("test", "s", index), {"i": index})
        assert writer._cluster.authenticator.logins == 2  # pooled connections presented the token
        writer.close()
    finally:
        client.close()


def test_expired_token_forces_a_new_login(local_cluster: Callable[..., LocalCluster]) -> None:
    state = SecurityState(session_ttl=1)
    state.add_user("writer", "pw", ["read-write"])
    cluster = local_cluster(nodes=1, replication_factor=1, security=state)
    client = _client(cluster, max_socket_idle=1).connect("writer", "pw")
    try:
        client.put(KEY, {"a": 1})
        authenticator = client._cluster.authenticator
        before = authenticator.logins
        time.sleep(2.2)  # the token expired; the idle pooled connection aged out too
        assert client.get(KEY)[2] == {"a": 1}  # new connection: AUTHENTICATE -> 66 -> LOGIN on it
        assert authenticator.logins > before
    finally:
        client.close()


def test_token_is_refreshed_before_it_expires(local_cluster: Callable[..., LocalCluster]) -> None:
    # refresh_after = ttl - 60 s: with a 61 s TTL the tender logs in again after about a second.
    cluster = local_cluster(nodes=1, replication_factor=1, security=SecurityState(session_ttl=61))
    client = _client(cluster, tend_interval=100).connect("admin", "admin")
    try:
        authenticator = client._cluster.authenticator
        before = authenticator.logins
        deadline = time.monotonic() + 5
        while authenticator.logins == before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert authenticator.logins > before
        assert client.admin_query_user("admin") == ["user-admin"]
    finally:
        client.close()


# ----- privileges ------------------------------------------------------------------------------------------------


def test_privilege_denied(admin_client: Any, secured: LocalCluster) -> None:
    admin_client.admin_create_user("reader", "pw", ["read"])
    admin_client.admin_create_role("test-writer", [{"code": aerospike.PRIV_READ_WRITE, "ns": "test"}])
    admin_client.admin_create_user("tester", "pw", ["test-writer"])
    with pytest.raises(exception.RoleViolation):
        admin_client.put(KEY, {"a": 1})  # user-admin holds no data privilege
    tester = _client(secured).connect("tester", "pw")
    reader = _client(secured).connect("reader", "pw")
    try:
        tester.put(KEY, {"a": 1})
        with pytest.raises(exception.RoleViolation):
            tester.put(("bar", "people", "alice"), {"a": 1})
        assert reader.get(KEY)[2] == {"a": 1}
        with pytest.raises(exception.RoleViolation):
            reader.put(KEY, {"a": 2})
        with pytest.raises(exception.RoleViolation):
            reader.admin_query_users()
        assert reader.admin_query_user("reader") == ["read"]  # users may look at themselves
    finally:
        tester.close()
        reader.close()


# ----- admin methods ---------------------------------------------------------------------------------------------


def test_user_admin_methods(admin_client: Any, secured: LocalCluster) -> None:
    admin_client.admin_create_user("bob", "pw1", ["read"], {"timeout": 2000})
    assert admin_client.admin_query_user("bob") == ["read"]
    with pytest.raises(exception.UserExistsError):
        admin_client.admin_create_user("bob", "pw1", ["read"])
    admin_client.admin_grant_roles("bob", ["read-write", "sys-admin"])
    assert sorted(admin_client.admin_query_user("bob")) == ["read", "read-write", "sys-admin"]
    admin_client.admin_revoke_roles("bob", ["read"])
    assert sorted(admin_client.admin_query_user("bob")) == ["read-write", "sys-admin"]
    assert admin_client.admin_query_users() == {
        "admin": ["user-admin"],
        "bob": ["read-write", "sys-admin"],
    }
    admin_client.admin_set_password("bob", "pw2")
    with pytest.raises(exception.InvalidCredential):
        _client(secured).connect("bob", "pw1")
    bob = _client(secured).connect("bob", "pw2")
    try:
        bob.admin_change_password("bob", "pw3")
        bob.put(KEY, {"still": "logged in"})
    finally:
        bob.close()
    _client(secured).connect("bob", "pw3").close()
    admin_client.admin_drop_user("bob")
    with pytest.raises(exception.InvalidUser):
        admin_client.admin_query_user("bob")
    with pytest.raises(exception.InvalidRole):
        admin_client.admin_create_user("carol", "pw", ["no-such-role"])


def test_change_own_password_keeps_new_connections_working(secured: LocalCluster) -> None:
    client = _client(secured, max_socket_idle=1).connect("admin", "admin")
    try:
        client.admin_change_password("admin", "secret")
        client._cluster.authenticator.forget_sessions()  # the next connection must log in afresh
        time.sleep(1.2)
        assert client.admin_query_user("admin") == ["user-admin"]  # logged in with the new password
    finally:
        client.close()
    with pytest.raises(exception.InvalidCredential):
        _client(secured).connect("admin", "admin")


def test_role_admin_methods(admin_client: Any) -> None:
    read_test = {"code": aerospike.PRIV_READ, "ns": "test", "set": "people"}
    admin_client.admin_create_role("analyst", [read_test])
    assert admin_client.admin_query_role("analyst") == [
        {"ns": "test", "set": "people", "code": aerospike.PRIV_READ}
    ]
    with pytest.raises(exception.RoleExistsError):
        admin_client.admin_create_role("analyst", [read_test])
    admin_client.admin_grant_privileges("analyst", [{"code": aerospike.PRIV_SYS_ADMIN}])
    assert admin_client.admin_query_role("analyst") == [
        {"ns": "test", "set": "people", "code": aerospike.PRIV_READ},
        {"ns": "", "set": "", "code": aerospike.PRIV_SYS_ADMIN},
    ]
    admin_client.admin_revoke_privileges("analyst", [read_test])
    roles = admin_client.admin_query_roles()
    assert roles["analyst"] == [{"ns": "", "set": "", "code": aerospike.PRIV_SYS_ADMIN}]
    assert roles["read-write"] == [{"ns": "", "set": "", "code": aerospike.PRIV_READ_WRITE}]
    admin_client.admin_drop_role("analyst")
    with pytest.raises(exception.InvalidRole):
        admin_client.admin_query_role("analyst")
    with pytest.raises(exception.InvalidRole):
        admin_client.admin_drop_role("read")  # predefined roles cannot be dropped


def test_admin_argument_errors_and_not_connected(admin_client: Any, secured: LocalCluster) -> None:
    with pytest.raises(exception.ParamError):
        admin_client.admin_create_user("x", 5, [])
    with pytest.raises(exception.ParamError):
        admin_client.admin_query_users({"timeout": "soon"})
    assert admin_client.admin_query_users({"no_such_key": 1})["admin"] == ["user-admin"]  # ignored, as in 3.0.0
    with pytest.raises(exception.ClusterError):
        _client(secured).admin_query_users()


def test_admin_timeout(admin_client: Any, secured: LocalCluster) -> None:
    for index in range(len(secured.nodes)):
        secured.delay(index, 2.0, info=True)
    started = time.monotonic()
    with pytest.raises(exception.TimeoutError):
        admin_client.admin_query_users({"timeout": 300})
    assert time.monotonic() - started < 1.5
    secured.reset_faults()
    assert admin_client.admin_query_users()["admin"] == ["user-admin"]


# ----- the official client ---------------------------------------------------------------------------------------

_OFFICIAL_SCRIPT = """
import aerospike
from aerospike import exception

def step(call):
    try:
        return ["ok", call()]
    except exception.AerospikeError as error:
        return ["error", type(error).__name__]

client = aerospike.client({"hosts": [tuple(h) for h in hosts], "user": "admin", "password": "admin"}).connect()
steps = []
steps.append(step(lambda: client.admin_create_role("dev", [{"code": aerospike.PRIV_READ_WRITE, "ns": "test"}])))
steps.append(step(lambda: client.admin_grant_privileges("dev", [{"code": aerospike.PRIV_READ}])))
steps.append(step(lambda: client.admin_create_role("dev", [{"code": aerospike.PRIV_READ}])))
steps.append(step(lambda: client.admin_create_user("dev1", "pw", ["dev"])))
steps.append(step(lambda: client.admin_grant_roles("dev1", ["read", "sys-admin"])))
steps.append(step(lambda: client.admin_revoke_roles("dev1", ["sys-admin"])))
steps.append(step(lambda: sorted(client.admin_query_user_info("dev1")["roles"])))
steps.append(step(lambda: client.admin_query_role("dev")))
steps.append(step(lambda: client.admin_revoke_privileges("dev", [{"code": aerospike.PRIV_READ}])))
steps.append(step(lambda: client.admin_query_role("dev")))
steps.append(step(lambda: client.admin_set_password("dev1", "pw2")))
steps.append(step(lambda: client.admin_query_user_info("ghost")))
steps.append(step(lambda: client.admin_drop_user("dev1")))
steps.append(step(lambda: client.admin_drop_role("dev")))
steps.append(step(lambda: client.admin_drop_role("dev")))
client.close()
result = steps
"""


def _ours(hosts: list[tuple[str, int]]) -> list[list[Any]]:
    def step(call: Callable[[], Any]) -> list[Any]:
        try:
            return ["ok", call()]
        except exception.AerospikeError as error:
            return ["error", type(error).__name__]

    client = aerospike.client({"hosts": hosts}).connect("admin", "admin")
    steps = [
        step(lambda: client.admin_create_role("dev", [{"code": aerospike.PRIV_READ_WRITE, "ns": "test"}])),
        step(lambda: client.admin_grant_privileges("dev", [{"code": aerospike.PRIV_READ}])),
        step(lambda: client.admin_create_role("dev", [{"code": aerospike.PRIV_READ}])),
        step(lambda: client.admin_create_user("dev1", "pw", ["dev"])),
        step(lambda: client.admin_grant_roles("dev1", ["read", "sys-admin"])),
        step(lambda: client.admin_revoke_roles("dev1", ["sys-admin"])),
        step(lambda: sorted(client.admin_query_user("dev1"))),
        step(lambda: client.admin_query_role("dev")),
        step(lambda: client.admin_revoke_privileges("dev", [{"code": aerospike.PRIV_READ}])),
        step(lambda: client.admin_query_role("dev")),
        step(lambda: client.admin_set_password("dev1", "pw2")),
        step(lambda: client.admin_query_user("ghost")),
        step(lambda: client.admin_drop_user("dev1")),
        step(lambda: client.admin_drop_role("dev")),
        step(lambda: client.admin_drop_role("dev")),
    ]
    client.close()
    return steps


def _normalized(steps: list[list[Any]]) -> list[list[Any]]:
    # Both clients give privileges as dicts; compare them as sorted (code, ns, set) triples.
    result = []
    for outcome, value in steps:
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = sorted((item["code"], item.get("ns") or "", item.get("set") or "") for item in value)
            value = [list(item) for item in value]
        result.append([outcome, value])
    return result


@pytest.mark.official
def test_official_client_admin_calls_match(local_cluster: Callable[..., LocalCluster]) -> None:
    official_cluster = local_cluster(nodes=2, security=True)
    our_cluster = local_cluster(nodes=2, security=True)
    theirs = _normalized(run_official(_OFFICIAL_SCRIPT, hosts=official_cluster.hosts))
    ours = _normalized(_ours(our_cluster.hosts))
    assert theirs == ours
    assert ours[2] == ["error", "RoleExistsError"]
    assert ours[6] == ["ok", ["dev", "read"]]
    assert ours[11] == ["error", "InvalidUser"]


@pytest.mark.official
def test_official_client_refused_with_wrong_password(secured: LocalCluster) -> None:
    script = """
import aerospike
from aerospike import exception
try:
    aerospike.client({"hosts": [tuple(h) for h in hosts], "user": "admin", "password": "wrong"}).connect()
    result = "connected"
except exception.AerospikeError as error:
    result = type(error).__name__
"""
    theirs = run_official(script, hosts=secured.hosts)
    with pytest.raises(exception.AerospikeError) as raised:
        _client(secured).connect("admin", "wrong")
    assert theirs == type(raised.value).__name__
