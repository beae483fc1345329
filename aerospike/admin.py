"""Client side of security: login and session authentication, and the spec's admin_* methods as wire calls.

Owns: argument checks for the admin methods (the official client 3.0.0's classes, messages and order, raised
before anything is sent),
the request frame each method sends, and the parser that turns the reply frames into the spec's return shapes
or the spec's exception (`aerospike.exception.error_for_code`). Pure: no sockets, no clocks. The connection
layer sends `AdminCall.request` on one pooled connection to any node and feeds every admin frame body it reads
to `AdminCall.reader()` until `feed()` says the reply is complete; `result()` then returns the value or raises.

Passwords are hashed here (bcrypt, fixed salt) and never kept, logged or put in a repr or message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .exception import AerospikeError, ClientError, ParamError, error_for_code
from .protocol import admin as wire
from .protocol.admin import AdminMessage, Privilege
from .protocol.constants import PROTO_HEADER_SIZE, RESULT_QUERY_END
from .protocol.errors import ProtocolError
from .protocol.frame import unpack_header

# A session token is refreshed this many seconds before the server's TTL runs out (C client as_cluster_login),
# so a connection never presents a token the server has just expired.
SESSION_REFRESH_MARGIN = 60


# ----- argument checks ------------------------------------------------------------------------------------------
# The official client 3.0.0 checks each argument with its own fixed message and class (ParamError -2 for most,
# ClientError -1 for the items of a role list) and hands names to the C client as C strings, so a name ends at its
# first NUL. The admin_* functions below run the checks in 3.0.0's order, the admin policy's included.

ROLE_LIST_ENTRY_SIZE = 32  # C client 4.3.1 AS_ROLE_SIZE: a name in a role list holds at most 31 bytes
MAX_NAMESPACE_SIZE = 31  # AS_NAMESPACE_MAX_SIZE - 1
MAX_SET_SIZE = 63  # AS_SET_MAX_SIZE - 1
DEFAULT_TIMEOUT_MS = 1000  # as_policy_admin_init: the admin policy's default timeout
ZERO_TIMEOUT_MS = 60000  # as_admin.c DEFAULT_TIMEOUT: what a timeout of 0 means to an admin command


def _param_error(message: str) -> ParamError:
    return ParamError(ParamError.code, message)


def _client_error(message: str) -> ClientError:
    return ClientError(ClientError.code, message)


def _c_string(value: str, error: Callable[[], AerospikeError]) -> str:
    """`value` as the C client sees it: up to its first NUL; `error()` when it cannot be UTF-8 encoded."""
    name = value.split("\0", 1)[0]
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise error() from None
    return name


def check_user(value: Any) -> str:
    """A user name argument. No length limit here: 3.0.0 has none, the server judges the name."""
    if not isinstance(value, str):
        raise _param_error("Username should be a string")
    return _c_string(value, lambda: _param_error("Username should be a string"))


def check_password(value: Any) -> bytes:
    """The credential (bcrypt hash) for a password argument; no message ever includes the password."""
    if not isinstance(value, str):
        raise _param_error("Password should be a string")
    return wire.hash_password(_c_string(value, lambda: _param_error("Password should be a string")))


def check_role_name(value: Any) -> str:
    """The `role` argument of the role methods."""
    if not isinstance(value, str):
        raise _param_error("Role name should be a string")
    return _c_string(value, lambda: _param_error("Role name should be a string"))


def check_roles(value: Any, not_a_list: AerospikeError) -> list[str]:
    """A list of role names; `not_a_list` is raised for anything but a list (3.0.0: ParamError 'Roles should be
    a list' from admin_create_user, ClientError 'not a list' from grant and revoke)."""
    if not isinstance(value, list):
        raise not_a_list
    roles = []
    for item in value:
        if not isinstance(item, str):
            raise _client_error("Item is not a string")
        name = _c_string(item, lambda: _client_error("Unable to convert unicode string"))
        if len(name.encode("utf-8")) >= ROLE_LIST_ENTRY_SIZE:
            raise _client_error("String exceeds max length")
        roles.append(name)
    if len(roles) > wire.MAX_LIST_SIZE:  # the count is one byte on the wire; 3.0.0 overflowed its buffer
        raise _param_error(f"Roles should hold at most {wire.MAX_LIST_SIZE} names")
    return roles


def _scope(value: Any, key: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _param_error(f"Privilege {key} should be a string")
    name = _c_string(value, lambda: _param_error(f"Privilege {key} should be a string"))
    if len(name.encode("utf-8")) > limit:
        raise _param_error(f"Privilege {key} exceeds max length")
    return name


PrivilegeArgument = tuple[int, str, str]  # code, ns, set as given, before the C client's scope check


def _privilege(value: Any) -> PrivilegeArgument:
    if not isinstance(value, dict):
        raise _param_error("Privileges should be a list of dictionaries")
    if "code" not in value:
        raise _param_error("Code is a compulsory parameter in privileges dictionary")
    code = value["code"]
    # A bool is an int to 3.0.0 (PyInt_AsLong); keys other than code, ns and set are ignored, as 3.0.0 does.
    if not isinstance(code, int):
        raise _param_error("Privilege code should be an integer")
    if not 0 <= code <= 255:
        raise _param_error("Privilege code is invalid")
    return (
        int(code),
        _scope(value.get("ns"), "ns", MAX_NAMESPACE_SIZE),
        _scope(value.get("set"), "set", MAX_SET_SIZE),
    )


def check_privileges(value: Any) -> list[PrivilegeArgument]:
    """The `privileges` argument: a list of dicts with 'code' and optional 'ns' and 'set'.

    3.0.0 loses its own error for a malformed item and then crashes or sends garbage; each gets a ParamError here.
    """
    if not isinstance(value, list):
        raise _param_error("Privileges should be a list")
    if len(value) > wire.MAX_LIST_SIZE:
        raise _param_error(f"Privileges should hold at most {wire.MAX_LIST_SIZE} entries")
    return [_privilege(item) for item in value]


def scoped_privileges(privileges: Sequence[PrivilegeArgument]) -> list[Privilege]:
    """The privileges to send; the C client refuses a global privilege with a namespace or set while writing the
    request, so after every Python-level check."""
    checked = []
    for code, namespace, set_name in privileges:
        if not wire.is_data_privilege(code) and (namespace or set_name):
            raise _param_error("Admin privilege has namespace/set scope which is invalid.")
        checked.append(Privilege(code, namespace, set_name))
    return checked


def check_policy(policy: Any, default_ms: int = DEFAULT_TIMEOUT_MS) -> int:
    """The admin command's timeout in ms from its `policy`, read as 3.0.0 reads it: a dict whose only key that
    counts is 'timeout' (an int); anything else in it is ignored. 0 means 60 s, as in the C client."""
    timeout = default_ms
    if policy is not None:
        if not isinstance(policy, dict):
            raise _param_error("policy must be a dict")
        if "timeout" in policy:
            value = policy["timeout"]
            if not isinstance(value, int):
                raise _param_error("timeout is invalid")
            timeout = int(value) & 0xFFFFFFFF  # the C field is a uint32_t
    return timeout or ZERO_TIMEOUT_MS


# ----- replies ---------------------------------------------------------------------------------------------------


def _raise_for(result_code: int) -> None:
    if result_code != 0:
        raise error_for_code(result_code)


def _check_frame(body: bytes | bytearray | memoryview) -> list[AdminMessage]:
    try:
        messages = wire.decode_messages(body)
    except ProtocolError as error:
        raise ClientError(f"malformed admin reply: {error}")
    if not messages:
        raise ClientError("empty admin reply")
    return messages


class AdminReplyReader:
    """Consumes the frame bodies of one admin reply. `feed(body)` returns True once the reply is complete."""

    __slots__ = ("_call", "_messages", "_done", "_error")

    def __init__(self, call: AdminCall) -> None:
        self._call = call
        self._messages: list[AdminMessage] = []
        self._done = False
        self._error = 0

    def feed(self, body: bytes | bytearray | memoryview) -> bool:
        if self._done:
            raise ClientError("admin reply already complete")
        messages = _check_frame(body)
        if not self._call.multi:
            if len(messages) != 1:
                raise ClientError(f"expected one admin reply message, got {len(messages)}")
            self._error = messages[0].result_code
            self._messages = messages
            self._done = True
            return True
        for message in messages:
            if message.result_code == RESULT_QUERY_END:
                self._done = True
                break
            if message.result_code != 0:
                self._error = message.result_code
                self._done = True
                break
            self._messages.append(message)
        return self._done

    def result(self) -> Any:
        """The method's return value; raises the spec's exception for a non-zero result code."""
        if not self._done:
            raise ClientError("admin reply is incomplete")
        _raise_for(self._error)
        try:
            return self._call.parse(self._messages)
        except ProtocolError as error:
            raise ClientError(f"malformed admin reply: {error}")


@dataclass(frozen=True)
class AdminCall:
    """One admin method as the wire sees it: the request frame and how to read its reply."""

    request: bytes = field(repr=False)  # may hold a password hash
    multi: bool  # a query: the reply is a stream of frames ending with QUERY_END
    parse: Callable[[list[AdminMessage]], Any] = field(repr=False)
    name: str = ""
    timeout_ms: int = DEFAULT_TIMEOUT_MS  # the whole call's deadline, from the admin policy

    def reader(self) -> AdminReplyReader:
        return AdminReplyReader(self)

    def parse_reply(self, frames: Sequence[bytes]) -> Any:
        """Whole reply frames (with proto headers) to the result; for tests and simple drivers."""
        reader = self.reader()
        for frame in frames:
            _, length = unpack_header(frame)
            if length != len(frame) - PROTO_HEADER_SIZE:
                raise ClientError("admin reply frame length does not match its header")
            if reader.feed(frame[PROTO_HEADER_SIZE:]):
                break
        return reader.result()


def _no_value(messages: list[AdminMessage]) -> None:
    return None


def _users(messages: list[AdminMessage]) -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for message in messages:
        name = message.field(wire.FIELD_USER)
        if name is None:
            continue
        roles = message.field(wire.FIELD_ROLES)
        users[wire.decode_name(name)] = wire.decode_roles(roles) if roles is not None else []
    return users


def _privilege_dict(privilege: Privilege) -> dict[str, Any]:
    # The 3.0.0 client always gives 'ns' and 'set', empty for a global scope.
    return {"ns": privilege.namespace, "set": privilege.set_name, "code": privilege.code}


def _roles(messages: list[AdminMessage]) -> dict[str, list[dict[str, Any]]]:
    roles: dict[str, list[dict[str, Any]]] = {}
    for message in messages:
        name = message.field(wire.FIELD_ROLE)
        if name is None:
            continue
        data = message.field(wire.FIELD_PRIVILEGES)
        privileges = wire.decode_privileges(data) if data is not None else []
        roles[wire.decode_name(name)] = [_privilege_dict(privilege) for privilege in privileges]
    return roles


def _first(parse: Callable[[list[AdminMessage]], dict[str, Any]]) -> Callable[[list[AdminMessage]], Any]:
    """The value of the first entry of a query reply, as the C client returns it (an empty list for none,
    where 3.0.0 crashed)."""

    def parse_first(messages: list[AdminMessage]) -> Any:
        return next(iter(parse(messages).values()), [])

    return parse_first


# ----- the admin_* methods ---------------------------------------------------------------------------------------
# Each function takes the method's arguments as given, checks them in 3.0.0's order (its policy among them) and
# returns the call to send. `default_timeout_ms` is the client's admin policy timeout.


def _call(name: str, command: int, fields: Sequence[tuple[int, bytes]], timeout_ms: int) -> AdminCall:
    return AdminCall(wire.encode_request(command, fields), False, _no_value, name, timeout_ms)


def _query(
    name: str,
    command: int,
    fields: Sequence[tuple[int, bytes]],
    parse: Callable[[list[AdminMessage]], Any],
    timeout_ms: int,
) -> AdminCall:
    return AdminCall(wire.encode_request(command, fields), True, parse, name, timeout_ms)


def admin_create_user(
    user: Any, password: Any, roles: Any, policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> AdminCall:
    """Create `user` with `password` and `roles`."""
    role_names = check_roles(roles, _param_error("Roles should be a list"))
    name = check_user(user)
    credential = check_password(password)
    timeout_ms = check_policy(policy, default_timeout_ms)
    fields = (
        (wire.FIELD_USER, wire.encode_name(name)),
        (wire.FIELD_PASSWORD, credential),
        (wire.FIELD_ROLES, wire.encode_roles(role_names)),
    )
    return _call("admin_create_user", wire.CREATE_USER, fields, timeout_ms)


def admin_drop_user(user: Any, policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS) -> AdminCall:
    """Drop `user`."""
    timeout_ms = check_policy(policy, default_timeout_ms)
    name = check_user(user)
    return _call("admin_drop_user", wire.DROP_USER, ((wire.FIELD_USER, wire.encode_name(name)),), timeout_ms)


def admin_set_password(
    user: Any, password: Any, policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> AdminCall:
    """Set the password of `user` (by a user administrator)."""
    timeout_ms = check_policy(policy, default_timeout_ms)
    name = check_user(user)
    credential = check_password(password)
    fields = ((wire.FIELD_USER, wire.encode_name(name)), (wire.FIELD_PASSWORD, credential))
    return _call("admin_set_password", wire.SET_PASSWORD, fields, timeout_ms)


def admin_change_password(
    user: Any,
    password: Any,
    current_credential: Optional[bytes],
    policy: Any = None,
    default_timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> AdminCall:
    """Change the password of `user` (by that user). `current_credential` is the hash the client logged in with
    (see `Credentials`), which the server checks as the old password; None for a client without one."""
    timeout_ms = check_policy(policy, default_timeout_ms)
    name = check_user(user)
    credential = check_password(password)
    if current_credential is None:
        raise _param_error("Current password is invalid")
    fields = (
        (wire.FIELD_USER, wire.encode_name(name)),
        (wire.FIELD_OLD_PASSWORD, current_credential),
        (wire.FIELD_PASSWORD, credential),
    )
    return _call("admin_change_password", wire.CHANGE_PASSWORD, fields, timeout_ms)


def _user_roles(
    name: str, command: int, user: Any, roles: Any, policy: Any, default_timeout_ms: int
) -> AdminCall:
    role_names = check_roles(roles, _client_error("not a list"))
    user_name = check_user(user)
    timeout_ms = check_policy(policy, default_timeout_ms)
    fields = (
        (wire.FIELD_USER, wire.encode_name(user_name)),
        (wire.FIELD_ROLES, wire.encode_roles(role_names)),
    )
    return _call(name, command, fields, timeout_ms)


def admin_grant_roles(
    user: Any, roles: Any, policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> AdminCall:
    """Add `roles` to `user`."""
    return _user_roles("admin_grant_roles", wire.GRANT_ROLES, user, roles, policy, default_timeout_ms)


def admin_revoke_roles(
    user: Any, roles: Any, policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> AdminCall:
    """Remove `roles` from `user`."""
    return _user_roles("admin_revoke_roles", wire.REVOKE_ROLES, user, roles, policy, default_timeout_ms)


def admin_query_user(
    user: Any, policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> AdminCall:
    """The list of role names granted to `user`."""
    timeout_ms = check_policy(policy, default_timeout_ms)
    name = check_user(user)
    fields = ((wire.FIELD_USER, wire.encode_name(name)),)
    return _query("admin_query_user", wire.QUERY_USERS, fields, _first(_users), timeout_ms)


def admin_query_users(policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS) -> AdminCall:
    """A dict of role-name lists keyed by user name."""
    return _query("admin_query_users", wire.QUERY_USERS, (), _users, check_policy(policy, default_timeout_ms))


def _role_privileges(
    name: str, command: int, role: Any, privileges: Any, policy: Any, default_timeout_ms: int
) -> AdminCall:
    given = check_privileges(privileges)
    timeout_ms = check_policy(policy, default_timeout_ms)
    role_name = check_role_name(role)
    checked = scoped_privileges(given)
    fields = (
        (wire.FIELD_ROLE, wire.encode_name(role_name)),
        (wire.FIELD_PRIVILEGES, wire.encode_privileges(checked)),
    )
    return _call(name, command, fields, timeout_ms)


def admin_create_role(
    role: Any, privileges: Any, policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> AdminCall:
    """Create the custom `role` holding `privileges`."""
    return _role_privileges(
        "admin_create_role", wire.CREATE_ROLE, role, privileges, policy, default_timeout_ms
    )


def admin_drop_role(role: Any, policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS) -> AdminCall:
    """Drop the custom `role`."""
    timeout_ms = check_policy(policy, default_timeout_ms)
    name = check_role_name(role)
    return _call("admin_drop_role", wire.DROP_ROLE, ((wire.FIELD_ROLE, wire.encode_name(name)),), timeout_ms)


def admin_grant_privileges(
    role: Any, privileges: Any, policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> AdminCall:
    """Add `privileges` to `role`."""
    return _role_privileges(
        "admin_grant_privileges", wire.GRANT_PRIVILEGES, role, privileges, policy, default_timeout_ms
    )


def admin_revoke_privileges(
    role: Any, privileges: Any, policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> AdminCall:
    """Remove `privileges` from `role`."""
    return _role_privileges(
        "admin_revoke_privileges", wire.REVOKE_PRIVILEGES, role, privileges, policy, default_timeout_ms
    )


def admin_query_role(
    role: Any, policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> AdminCall:
    """The list of privilege dicts of `role`."""
    timeout_ms = check_policy(policy, default_timeout_ms)
    name = check_role_name(role)
    fields = ((wire.FIELD_ROLE, wire.encode_name(name)),)
    return _query("admin_query_role", wire.QUERY_ROLES, fields, _first(_roles), timeout_ms)


def admin_query_roles(policy: Any = None, default_timeout_ms: int = DEFAULT_TIMEOUT_MS) -> AdminCall:
    """A dict of privilege-dict lists keyed by role name."""
    return _query("admin_query_roles", wire.QUERY_ROLES, (), _roles, check_policy(policy, default_timeout_ms))


# ----- login and session authentication --------------------------------------------------------------------------


class Credentials:
    """A user name and the bcrypt hash of its password, as `connect(username, password)` keeps them.

    The clear password is hashed at once and dropped; the repr shows the user only.
    """

    __slots__ = ("user", "credential")

    def __init__(self, user: Any, password: Any) -> None:
        self.user = check_user(user)
        self.credential = check_password(password)

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r})"

    def changed(self, password: str) -> Credentials:
        """Same user, new password (after a successful admin_change_password / admin_set_password on self)."""
        return Credentials(self.user, password)


@dataclass(frozen=True)
class Session:
    """A login's session token and the seconds it is valid for (None: the server gave no usable TTL)."""

    token: bytes = field(repr=False)
    ttl: Optional[int]

    @property
    def refresh_after(self) -> Optional[int]:
        """Seconds after login when the client should log in again, or None for never."""
        if self.ttl is None or self.ttl <= SESSION_REFRESH_MARGIN:
            return None
        return self.ttl - SESSION_REFRESH_MARGIN


def login_request(credentials: Credentials) -> bytes:
    """The LOGIN frame a client sends first on a new tend/seed connection."""
    return wire.encode_request(
        wire.LOGIN,
        (
            (wire.FIELD_USER, wire.encode_name(credentials.user)),
            (wire.FIELD_CREDENTIAL, credentials.credential),
        ),
    )


def parse_login_reply(body: bytes | bytearray | memoryview) -> Optional[Session]:
    """The session from a LOGIN reply body.

    Raises the spec's exception for a refused login (InvalidUser 60, InvalidCredential 65, ...), and, as the
    official client 3.0.0 does, for a server without security (SecurityNotSupported 51 from community edition,
    SecurityNotEnabled 52); ClientError for a reply without a token.
    """
    messages = _check_frame(body)
    reply = messages[0]
    _raise_for(reply.result_code)
    token = reply.field(wire.FIELD_SESSION_TOKEN)
    if not token:
        raise ClientError("login reply carries no session token")
    ttl_data = reply.field(wire.FIELD_SESSION_TTL)
    ttl: Optional[int] = None
    if ttl_data is not None:
        try:
            ttl = wire.decode_u32(ttl_data)
        except ProtocolError as error:
            raise ClientError(f"malformed admin reply: {error}")
    return Session(token, ttl)


def authenticate_request(user: str, session: Session) -> bytes:
    """The AUTHENTICATE frame a client sends first on every other new connection, presenting its token."""
    return wire.encode_request(
        wire.AUTHENTICATE,
        ((wire.FIELD_USER, wire.encode_name(user)), (wire.FIELD_SESSION_TOKEN, session.token)),
    )


def parse_authenticate_reply(body: bytes | bytearray | memoryview) -> None:
    """Check an AUTHENTICATE reply body; ExpiredSession (66) / InvalidCredential (65) mean: log in again."""
    messages = _check_frame(body)
    _raise_for(messages[0].result_code)
