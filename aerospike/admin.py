"""Client side of security: login and session authentication, and the spec's admin_* methods as wire calls.

Owns: argument checks for the admin methods (ParamError naming the argument, raised before anything is sent),
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

from .exception import ClientError, ParamError, error_for_code
from .protocol import admin as wire
from .protocol.admin import AdminMessage, Privilege
from .protocol.constants import PROTO_HEADER_SIZE, RESULT_QUERY_END, RESULT_SECURITY_NOT_ENABLED
from .protocol.errors import ProtocolError
from .protocol.frame import unpack_header

MAX_USER_SIZE = 63  # C client AS_USER_SIZE - 1
MAX_PASSWORD_SIZE = 63  # C client AS_PASSWORD_SIZE - 1
MAX_ROLE_SIZE = 63  # AS_ROLE_SIZE - 1
MAX_NAMESPACE_SIZE = 31  # AS_NAMESPACE_MAX_SIZE - 1
MAX_SET_SIZE = 63  # AS_SET_MAX_SIZE - 1

# A session token is refreshed this many seconds before the server's TTL runs out (C client as_cluster_login),
# so a connection never presents a token the server has just expired.
SESSION_REFRESH_MARGIN = 60

_PRIVILEGE_KEYS = frozenset(("code", "ns", "set"))


# ----- argument checks ------------------------------------------------------------------------------------------


def _check_string(value: Any, argument: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ParamError(f"{argument} must be a string, not {type(value).__name__}")
    if len(value.encode("utf-8")) > limit:
        raise ParamError(f"{argument} is longer than {limit} bytes")
    return value


def _check_password(value: Any, argument: str) -> bytes:
    """The credential for a password argument; the message never includes the password."""
    if not isinstance(value, str):
        raise ParamError(f"{argument} must be a string, not {type(value).__name__}")
    if len(value.encode("utf-8")) > MAX_PASSWORD_SIZE:
        raise ParamError(f"{argument} is longer than {MAX_PASSWORD_SIZE} bytes")
    return wire.hash_password(value)


def _check_roles(value: Any, argument: str = "roles") -> list[str]:
    if not isinstance(value, (list, tuple)):
        raise ParamError(f"{argument} must be a list of role names, not {type(value).__name__}")
    if len(value) > wire.MAX_LIST_SIZE:
        raise ParamError(f"{argument} holds more than {wire.MAX_LIST_SIZE} roles")
    return [_check_string(role, f"{argument}[{index}]", MAX_ROLE_SIZE) for index, role in enumerate(value)]


def _check_privilege(value: Any, argument: str) -> Privilege:
    if not isinstance(value, dict):
        raise ParamError(f"{argument} must be a privilege dict, not {type(value).__name__}")
    unknown = set(value) - _PRIVILEGE_KEYS
    if unknown:
        raise ParamError(f"{argument} has unknown keys {sorted(map(str, unknown))}")
    if "code" not in value:
        raise ParamError(f"{argument} needs a 'code' (one of the aerospike.PRIV_* values)")
    code = value["code"]
    if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255:
        raise ParamError(f"{argument}['code'] must be one of the aerospike.PRIV_* values, not {code!r}")
    namespace = value.get("ns") or ""
    set_name = value.get("set") or ""
    _check_string(namespace, f"{argument}['ns']", MAX_NAMESPACE_SIZE)
    _check_string(set_name, f"{argument}['set']", MAX_SET_SIZE)
    if not wire.is_data_privilege(code) and (namespace or set_name):
        raise ParamError(f"{argument}: privilege {code} is global only and cannot have a 'ns' or 'set' scope")
    if set_name and not namespace:
        raise ParamError(f"{argument}: a 'set' scope needs an 'ns'")
    return Privilege(code, namespace, set_name)


def _check_privileges(value: Any, argument: str = "privileges") -> list[Privilege]:
    if not isinstance(value, (list, tuple)):
        raise ParamError(f"{argument} must be a list of privilege dicts, not {type(value).__name__}")
    if len(value) > wire.MAX_LIST_SIZE:
        raise ParamError(f"{argument} holds more than {wire.MAX_LIST_SIZE} privileges")
    return [_check_privilege(item, f"{argument}[{index}]") for index, item in enumerate(value)]


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


def _status(name: str, command: int, fields: Sequence[tuple[int, bytes]]) -> AdminCall:
    return AdminCall(wire.encode_request(command, fields), False, _no_value, name)


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


def _one(
    parse: Callable[[list[AdminMessage]], dict[str, Any]], name: str
) -> Callable[[list[AdminMessage]], Any]:
    def parse_one(messages: list[AdminMessage]) -> Any:
        found = parse(messages)
        if name in found:
            return found[name]
        if found:
            return next(iter(found.values()))
        return []

    return parse_one


# ----- the admin_* methods ---------------------------------------------------------------------------------------


def admin_create_user(username: Any, password: Any, roles: Any) -> AdminCall:
    """Create a user with `username`, `password` and `roles`."""
    user = _check_string(username, "username", MAX_USER_SIZE)
    credential = _check_password(password, "password")
    role_names = _check_roles(roles)
    return _status(
        "admin_create_user",
        wire.CREATE_USER,
        (
            (wire.FIELD_USER, wire.encode_name(user)),
            (wire.FIELD_PASSWORD, credential),
            (wire.FIELD_ROLES, wire.encode_roles(role_names)),
        ),
    )


def admin_drop_user(username: Any) -> AdminCall:
    """Drop the user `username`."""
    user = _check_string(username, "username", MAX_USER_SIZE)
    return _status("admin_drop_user", wire.DROP_USER, ((wire.FIELD_USER, wire.encode_name(user)),))


def admin_set_password(username: Any, password: Any) -> AdminCall:
    """Set the password of `username` (by a user administrator)."""
    user = _check_string(username, "username", MAX_USER_SIZE)
    credential = _check_password(password, "password")
    return _status(
        "admin_set_password",
        wire.SET_PASSWORD,
        ((wire.FIELD_USER, wire.encode_name(user)), (wire.FIELD_PASSWORD, credential)),
    )


def admin_change_password(username: Any, password: Any, current_credential: Optional[bytes]) -> AdminCall:
    """Change the password of `username` (by that user); `current_credential` is the hash the client logged in
    with (see `Credentials`), which the server checks as the old password."""
    user = _check_string(username, "username", MAX_USER_SIZE)
    credential = _check_password(password, "password")
    if current_credential is None:
        raise ClientError("admin_change_password needs a client connected with a user and password")
    return _status(
        "admin_change_password",
        wire.CHANGE_PASSWORD,
        (
            (wire.FIELD_USER, wire.encode_name(user)),
            (wire.FIELD_OLD_PASSWORD, current_credential),
            (wire.FIELD_PASSWORD, credential),
        ),
    )


def _user_roles(name: str, command: int, username: Any, roles: Any) -> AdminCall:
    user = _check_string(username, "username", MAX_USER_SIZE)
    role_names = _check_roles(roles)
    return _status(
        name, command, ((wire.FIELD_USER, wire.encode_name(user)), (wire.FIELD_ROLES, wire.encode_roles(role_names)))
    )


def admin_grant_roles(username: Any, roles: Any) -> AdminCall:
    """Add `roles` to `username`."""
    return _user_roles("admin_grant_roles", wire.GRANT_ROLES, username, roles)


def admin_revoke_roles(username: Any, roles: Any) -> AdminCall:
    """Remove `roles` from `username`."""
    return _user_roles("admin_revoke_roles", wire.REVOKE_ROLES, username, roles)


def admin_query_user(username: Any) -> AdminCall:
    """The list of role names granted to `username`."""
    user = _check_string(username, "username", MAX_USER_SIZE)
    return AdminCall(
        wire.encode_request(wire.QUERY_USERS, ((wire.FIELD_USER, wire.encode_name(user)),)),
        True,
        _one(_users, user),
        "admin_query_user",
    )


def admin_query_users() -> AdminCall:
    """A dict of role-name lists keyed by user name."""
    return AdminCall(wire.encode_request(wire.QUERY_USERS), True, _users, "admin_query_users")


def admin_create_role(role: Any, privileges: Any) -> AdminCall:
    """Create the custom `role` holding `privileges`."""
    name = _check_string(role, "role", MAX_ROLE_SIZE)
    checked = _check_privileges(privileges)
    return _status(
        "admin_create_role",
        wire.CREATE_ROLE,
        ((wire.FIELD_ROLE, wire.encode_name(name)), (wire.FIELD_PRIVILEGES, wire.encode_privileges(checked))),
    )


def admin_drop_role(role: Any) -> AdminCall:
    """Drop the custom `role`."""
    name = _check_string(role, "role", MAX_ROLE_SIZE)
    return _status("admin_drop_role", wire.DROP_ROLE, ((wire.FIELD_ROLE, wire.encode_name(name)),))


def _role_privileges(name: str, command: int, role: Any, privileges: Any) -> AdminCall:
    role_name = _check_string(role, "role", MAX_ROLE_SIZE)
    checked = _check_privileges(privileges)
    return _status(
        name,
        command,
        ((wire.FIELD_ROLE, wire.encode_name(role_name)), (wire.FIELD_PRIVILEGES, wire.encode_privileges(checked))),
    )


def admin_grant_privileges(role: Any, privileges: Any) -> AdminCall:
    """Add `privileges` to `role`."""
    return _role_privileges("admin_grant_privileges", wire.GRANT_PRIVILEGES, role, privileges)


def admin_revoke_privileges(role: Any, privileges: Any) -> AdminCall:
    """Remove `privileges` from `role`."""
    return _role_privileges("admin_revoke_privileges", wire.REVOKE_PRIVILEGES, role, privileges)


def admin_query_role(role: Any) -> AdminCall:
    """The list of privilege dicts of `role`."""
    name = _check_string(role, "role", MAX_ROLE_SIZE)
    return AdminCall(
        wire.encode_request(wire.QUERY_ROLES, ((wire.FIELD_ROLE, wire.encode_name(name)),)),
        True,
        _one(_roles, name),
        "admin_query_role",
    )


def admin_query_roles() -> AdminCall:
    """A dict of privilege-dict lists keyed by role name."""
    return AdminCall(wire.encode_request(wire.QUERY_ROLES), True, _roles, "admin_query_roles")


# ----- login and session authentication --------------------------------------------------------------------------


class Credentials:
    """A user name and the bcrypt hash of its password, as `connect(username, password)` keeps them.

    The clear password is hashed at once and dropped; the repr shows the user only.
    """

    __slots__ = ("user", "credential")

    def __init__(self, user: Any, password: Any) -> None:
        self.user = _check_string(user, "username", MAX_USER_SIZE)
        self.credential = _check_password(password, "password")

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
    """The session from a LOGIN reply body; None when the server does not have security enabled.

    Raises the spec's exception for a refused login (InvalidUser 60, InvalidCredential 65, ...) and ClientError
    for a reply without a token.
    """
    messages = _check_frame(body)
    reply = messages[0]
    if reply.result_code == RESULT_SECURITY_NOT_ENABLED:
        return None
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
    code = messages[0].result_code
    if code not in (0, RESULT_SECURITY_NOT_ENABLED):
        raise error_for_code(code)
