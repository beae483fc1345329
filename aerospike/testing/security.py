"""The local cluster's security (enterprise edition with security enabled): users, roles, sessions, permissions.

Owns: the user and role tables, password checks, session tokens and their expiry, the answer to every admin
(proto type 2) request, and the permission check for data and info commands. Pure: bytes in, bytes out, with an
injectable clock and token source; the node's network layer keeps one `Session` per client connection and calls
`handle_admin` for admin frames and `check_permission` before it runs anything else. Must not know sockets.

What a fresh secured server has: one user, `admin` with password `admin`, holding the predefined `user-admin`
role, and the predefined roles (one global privilege each). Passwords are kept only as a digest of the client's
bcrypt credential and are never logged, shown in a repr or put in an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

from aerospike.protocol import admin as wire
from aerospike.protocol.admin import AdminMessage, Privilege
from aerospike.protocol.constants import (
    RESULT_EXPIRED_SESSION,
    RESULT_INVALID_COMMAND,
    RESULT_INVALID_CREDENTIAL,
    RESULT_INVALID_FIELD,
    RESULT_INVALID_PASSWORD,
    RESULT_INVALID_PRIVILEGE,
    RESULT_INVALID_ROLE,
    RESULT_INVALID_USER,
    RESULT_NOT_AUTHENTICATED,
    RESULT_QUERY_END,
    RESULT_ROLE_ALREADY_EXISTS,
    RESULT_ROLE_VIOLATION,
    RESULT_USER_ALREADY_EXISTS,
)
from aerospike.protocol.errors import ProtocolError

RESULT_OK = 0
RESULT_QUOTAS_NOT_ENABLED = 74  # set-quotas or a role quota while quotas are off
RESULT_INVALID_QUOTA = 75  # a quota field that is not a u32

DEFAULT_SESSION_TTL = 24 * 60 * 60  # server session-ttl default, seconds
MAX_USER_NAME = 63  # server and C client AS_USER_SIZE - 1
MAX_ROLE_NAME = 63  # AS_ROLE_SIZE - 1
TOKEN_SIZE = 32

# Actions the network layer asks about, and the privileges that allow each. Data privileges may be scoped to a
# namespace (and set); the admin ones are global.
ACTION_READ = "read"  # get, exists, batch reads, scans, queries
ACTION_WRITE = "write"  # put, operate with writes, remove, touch
ACTION_UDF = "udf"  # apply a UDF to a record, background UDF scans and queries
ACTION_TRUNCATE = "truncate"  # truncate a set or namespace
ACTION_SINDEX_ADMIN = "sindex-admin"  # create or drop a secondary index
ACTION_UDF_ADMIN = "udf-admin"  # register or remove a UDF module
ACTION_SYS_ADMIN = "sys-admin"  # set-config and other operations info commands
ACTION_USER_ADMIN = "user-admin"  # user and role management
ACTION_INFO = "info"  # plain info commands: any authenticated user

_ALLOWED_BY: dict[str, frozenset[int]] = {
    ACTION_READ: frozenset((wire.PRIVILEGE_READ, wire.PRIVILEGE_READ_WRITE, wire.PRIVILEGE_READ_WRITE_UDF)),
    ACTION_WRITE: frozenset((wire.PRIVILEGE_READ_WRITE, wire.PRIVILEGE_READ_WRITE_UDF, wire.PRIVILEGE_WRITE)),
    ACTION_UDF: frozenset((wire.PRIVILEGE_READ_WRITE_UDF,)),
    ACTION_TRUNCATE: frozenset(
        (wire.PRIVILEGE_TRUNCATE, wire.PRIVILEGE_DATA_ADMIN, wire.PRIVILEGE_SYS_ADMIN)
    ),
    ACTION_SINDEX_ADMIN: frozenset(
        (wire.PRIVILEGE_SINDEX_ADMIN, wire.PRIVILEGE_DATA_ADMIN, wire.PRIVILEGE_SYS_ADMIN)
    ),
    ACTION_UDF_ADMIN: frozenset(
        (wire.PRIVILEGE_UDF_ADMIN, wire.PRIVILEGE_DATA_ADMIN, wire.PRIVILEGE_SYS_ADMIN)
    ),
    ACTION_SYS_ADMIN: frozenset((wire.PRIVILEGE_SYS_ADMIN,)),
    ACTION_USER_ADMIN: frozenset((wire.PRIVILEGE_USER_ADMIN,)),
    ACTION_INFO: frozenset(),
}
ACTIONS = frozenset(_ALLOWED_BY)

#: The predefined roles of a secured server: each holds its one global privilege and can be neither dropped
#: nor changed.
PREDEFINED_ROLES: dict[str, Privilege] = {
    name: Privilege(code) for code, name in wire.PRIVILEGE_NAMES.items()
}


class Session:
    """Security state of one client connection: which user it is authenticated as, if any."""

    __slots__ = ("user",)

    def __init__(self) -> None:
        self.user: Optional[str] = None

    @property
    def authenticated(self) -> bool:
        return self.user is not None

    def __repr__(self) -> str:
        return f"Session(user={self.user!r})"


@dataclass
class _User:
    digest: bytes  # sha256 of the client's bcrypt credential; compared in constant time
    roles: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"_User(roles={self.roles!r})"


@dataclass
class _Role:
    privileges: list[Privilege] = field(default_factory=list)
    whitelist: list[str] = field(default_factory=list)
    read_quota: int = 0
    write_quota: int = 0


def _digest(credential: bytes) -> bytes:
    return hashlib.sha256(credential).digest()


class _Refused(Exception):
    """A request the server answers with a non-zero result code."""

    def __init__(self, result_code: int) -> None:
        super().__init__(result_code)
        self.result_code = result_code


def _reply(result_code: int, fields: Sequence[tuple[int, bytes]] = ()) -> bytes:
    return AdminMessage(0, result_code, tuple(fields)).encode()


class SecurityState:
    """Users, roles and session tokens of one secured local cluster, shared by all of its nodes.

    `clock` returns seconds (monotonic is fine); tests pass a fake one to expire sessions. `session_ttl` is
    what a login reply announces and how long its token authenticates new connections.
    """

    def __init__(
        self,
        session_ttl: int = DEFAULT_SESSION_TTL,
        clock: Callable[[], float] = time.monotonic,
        token_factory: Callable[[], bytes] = lambda: secrets.token_bytes(TOKEN_SIZE),
        quotas_enabled: bool = False,
        admin_user: str = "admin",
        admin_password: str = "admin",
    ) -> None:
        if not isinstance(session_ttl, int) or session_ttl <= 0 or session_ttl > 0xFFFFFFFF:
            raise ValueError(f"session_ttl must be a positive number of seconds, not {session_ttl!r}")
        self.session_ttl = session_ttl
        self.quotas_enabled = quotas_enabled
        self._clock = clock
        self._token_factory = token_factory
        self._lock = threading.RLock()
        self._users: dict[str, _User] = {
            admin_user: _User(_digest(wire.hash_password(admin_password)), ["user-admin"])
        }
        self._roles: dict[str, _Role] = {}
        self._tokens: dict[bytes, tuple[str, float]] = {}
        self._handlers: dict[int, Callable[[AdminMessage, str], Optional[list[bytes]]]] = {
            wire.CREATE_USER: self._create_user,
            wire.DROP_USER: self._drop_user,
            wire.SET_PASSWORD: self._set_password,
            wire.CHANGE_PASSWORD: self._change_password,
            wire.GRANT_ROLES: self._grant_roles,
            wire.REVOKE_ROLES: self._revoke_roles,
            wire.QUERY_USERS: self._query_users,
            wire.CREATE_ROLE: self._create_role,
            wire.DROP_ROLE: self._drop_role,
            wire.GRANT_PRIVILEGES: self._grant_privileges,
            wire.REVOKE_PRIVILEGES: self._revoke_privileges,
            wire.SET_WHITELIST: self._set_whitelist,
            wire.SET_QUOTAS: self._set_quotas,
            wire.QUERY_ROLES: self._query_roles,
        }

    def __repr__(self) -> str:
        with self._lock:
            return f"SecurityState(users={sorted(self._users)!r}, roles={sorted(self._roles)!r})"

    # ----- what the network layer calls -----------------------------------------------------------------------

    def handle_admin(self, body: bytes, session: Session) -> bytes:
        """Answer one admin request body (proto header stripped); returns the reply frame(s) to send.

        Updates `session` on a successful login or authenticate. Raises ProtocolError when the body is not a
        well-formed admin message; the caller then closes the connection.
        """
        request = wire.decode_request(body)
        with self._lock:
            try:
                if request.command == wire.LOGIN:
                    return self._login(request, session)
                if request.command == wire.AUTHENTICATE:
                    self._authenticate(request, session)
                    return _reply(RESULT_OK)
                handler = self._handlers.get(request.command)
                if handler is None:
                    return _reply(RESULT_INVALID_COMMAND)
                user = self._current_user(session)
                frames = handler(request, user)
            except _Refused as refusal:
                return _reply(refusal.result_code)
        return b"".join(frames) if frames else _reply(RESULT_OK)

    def check_permission(
        self, user: Optional[str], action: str, namespace: str = "", set_name: str = ""
    ) -> int:
        """Result code for `user` (None: the connection never authenticated) doing `action` on ns/set.

        0 when allowed, 80 (not authenticated) without a valid user, 81 (role violation) without a privilege.
        """
        if action not in _ALLOWED_BY:
            raise ValueError(f"unknown action {action!r}")
        with self._lock:
            if user is None or user not in self._users:
                return RESULT_NOT_AUTHENTICATED
            if action == ACTION_INFO or self._allowed(user, action, namespace, set_name):
                return RESULT_OK
            return RESULT_ROLE_VIOLATION

    # ----- administration from Python (tests, fixtures) -----------------------------------------------------

    def add_user(self, name: str, password: str, roles: Iterable[str] = ()) -> None:
        """Create a user directly, as a server configured with it would have."""
        with self._lock:
            roles = list(roles)
            for role in roles:
                if not self._role_exists(role):
                    raise ValueError(f"unknown role {role!r}")
            self._users[name] = _User(_digest(wire.hash_password(password)), roles)

    def users(self) -> dict[str, list[str]]:
        """User names and their roles."""
        with self._lock:
            return {name: list(user.roles) for name, user in self._users.items()}

    def role_privileges(self, role: str) -> list[Privilege]:
        with self._lock:
            return self._privileges_of(role)

    def live_sessions(self) -> int:
        """Session tokens that have not expired."""
        with self._lock:
            now = self._clock()
            return sum(1 for _, expires in self._tokens.values() if expires > now)

    # ----- sessions ---------------------------------------------------------------------------------------

    def _current_user(self, session: Session) -> str:
        if session.user is None or session.user not in self._users:
            raise _Refused(RESULT_NOT_AUTHENTICATED)
        return session.user

    def _check_credential(self, name: str, credential: Optional[bytes]) -> None:
        user = self._users.get(name)
        if user is None:
            raise _Refused(RESULT_INVALID_USER)
        if credential is None or not hmac.compare_digest(user.digest, _digest(credential)):
            raise _Refused(RESULT_INVALID_CREDENTIAL)

    def _login(self, request: AdminMessage, session: Session) -> bytes:
        name = self._name_field(request, wire.FIELD_USER, RESULT_INVALID_USER)
        self._check_credential(name, request.field(wire.FIELD_CREDENTIAL))
        now = self._clock()
        self._tokens = {token: entry for token, entry in self._tokens.items() if entry[1] > now}
        token = self._token_factory()
        self._tokens[token] = (name, now + self.session_ttl)
        session.user = name  # the login connection itself is authenticated (clients go on to send info on it)
        return _reply(
            RESULT_OK,
            ((wire.FIELD_SESSION_TOKEN, token), (wire.FIELD_SESSION_TTL, wire.encode_u32(self.session_ttl))),
        )

    def _authenticate(self, request: AdminMessage, session: Session) -> None:
        name = self._name_field(request, wire.FIELD_USER, RESULT_INVALID_USER)
        if name not in self._users:
            raise _Refused(RESULT_INVALID_USER)
        token = request.field(wire.FIELD_SESSION_TOKEN)
        if token is None:
            # Clients before session tokens authenticated every connection with the credential itself.
            self._check_credential(name, request.field(wire.FIELD_CREDENTIAL))
        else:
            entry = self._tokens.get(token)
            if entry is None or entry[0] != name:
                raise _Refused(RESULT_INVALID_CREDENTIAL)
            if entry[1] <= self._clock():
                del self._tokens[token]
                raise _Refused(RESULT_EXPIRED_SESSION)
        session.user = name

    # ----- permissions ------------------------------------------------------------------------------------

    def _role_exists(self, role: str) -> bool:
        return role in PREDEFINED_ROLES or role in self._roles

    def _privileges_of(self, role: str) -> list[Privilege]:
        predefined = PREDEFINED_ROLES.get(role)
        if predefined is not None:
            return [predefined]
        custom = self._roles.get(role)
        return list(custom.privileges) if custom is not None else []

    def _allowed(self, user: str, action: str, namespace: str, set_name: str) -> bool:
        granting = _ALLOWED_BY[action]
        for role in self._users[user].roles:
            for privilege in self._privileges_of(role):
                if privilege.code not in granting:
                    continue
                if not privilege.namespace:
                    return True
                if privilege.namespace == namespace and privilege.set_name in ("", set_name):
                    return True
        return False

    def _require_user_admin(self, user: str) -> None:
        if not self._allowed(user, ACTION_USER_ADMIN, "", ""):
            raise _Refused(RESULT_ROLE_VIOLATION)

    # ----- field helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _name_field(request: AdminMessage, field_id: int, result_code: int) -> str:
        data = request.field(field_id)
        if data is None:
            raise _Refused(result_code)
        try:
            name = wire.decode_name(data)
        except ProtocolError:
            raise _Refused(result_code)
        limit = MAX_USER_NAME if field_id == wire.FIELD_USER else MAX_ROLE_NAME
        if not name or len(data) > limit:
            raise _Refused(result_code)
        return name

    @staticmethod
    def _password_field(request: AdminMessage, field_id: int) -> bytes:
        data = request.field(field_id)
        if data is None or len(data) != wire.PASSWORD_HASH_SIZE or not data.startswith(b"$2"):
            raise _Refused(RESULT_INVALID_PASSWORD)
        return data

    def _roles_field(self, request: AdminMessage) -> list[str]:
        data = request.field(wire.FIELD_ROLES)
        if data is None:
            raise _Refused(RESULT_INVALID_ROLE)
        try:
            roles = wire.decode_roles(data)
        except ProtocolError:
            raise _Refused(RESULT_INVALID_FIELD)
        for role in roles:
            if not self._role_exists(role):
                raise _Refused(RESULT_INVALID_ROLE)
        return roles

    @staticmethod
    def _privileges_field(request: AdminMessage, required: bool) -> list[Privilege]:
        data = request.field(wire.FIELD_PRIVILEGES)
        if data is None:
            if required:
                raise _Refused(RESULT_INVALID_PRIVILEGE)
            return []
        try:
            privileges = wire.decode_privileges(data)
        except ProtocolError:
            raise _Refused(RESULT_INVALID_PRIVILEGE)
        for privilege in privileges:
            if privilege.code not in wire.PRIVILEGE_NAMES:
                raise _Refused(RESULT_INVALID_PRIVILEGE)
            if privilege.set_name and not privilege.namespace:  # a set scope lives inside a namespace
                raise _Refused(RESULT_INVALID_PRIVILEGE)
        return privileges

    @staticmethod
    def _quota_field(request: AdminMessage, field_id: int) -> Optional[int]:
        data = request.field(field_id)
        if data is None:
            return None
        try:
            return wire.decode_u32(data)
        except ProtocolError:
            raise _Refused(RESULT_INVALID_QUOTA)

    def _existing_user(self, request: AdminMessage) -> tuple[str, _User]:
        name = self._name_field(request, wire.FIELD_USER, RESULT_INVALID_USER)
        user = self._users.get(name)
        if user is None:
            raise _Refused(RESULT_INVALID_USER)
        return name, user

    def _custom_role(self, request: AdminMessage) -> tuple[str, _Role]:
        name = self._name_field(request, wire.FIELD_ROLE, RESULT_INVALID_ROLE)
        role = self._roles.get(name)
        if role is None:  # unknown, or predefined (which cannot be changed)
            raise _Refused(RESULT_INVALID_ROLE)
        return name, role

    # ----- user commands ----------------------------------------------------------------------------------

    def _create_user(self, request: AdminMessage, current: str) -> None:
        self._require_user_admin(current)
        name = self._name_field(request, wire.FIELD_USER, RESULT_INVALID_USER)
        if name in self._users:
            raise _Refused(RESULT_USER_ALREADY_EXISTS)
        credential = self._password_field(request, wire.FIELD_PASSWORD)
        roles = self._roles_field(request) if request.field(wire.FIELD_ROLES) is not None else []
        self._users[name] = _User(_digest(credential), list(dict.fromkeys(roles)))

    def _drop_user(self, request: AdminMessage, current: str) -> None:
        self._require_user_admin(current)
        name, _ = self._existing_user(request)
        del self._users[name]
        self._tokens = {token: entry for token, entry in self._tokens.items() if entry[0] != name}

    def _set_password(self, request: AdminMessage, current: str) -> None:
        self._require_user_admin(current)
        _, user = self._existing_user(request)
        user.digest = _digest(self._password_field(request, wire.FIELD_PASSWORD))

    def _change_password(self, request: AdminMessage, current: str) -> None:
        name, user = self._existing_user(request)
        if name != current:
            self._require_user_admin(current)
        old = request.field(wire.FIELD_OLD_PASSWORD)
        if old is None or not hmac.compare_digest(user.digest, _digest(old)):
            raise _Refused(RESULT_INVALID_CREDENTIAL)
        user.digest = _digest(self._password_field(request, wire.FIELD_PASSWORD))

    def _grant_roles(self, request: AdminMessage, current: str) -> None:
        self._require_user_admin(current)
        _, user = self._existing_user(request)
        for role in self._roles_field(request):
            if role not in user.roles:
                user.roles.append(role)

    def _revoke_roles(self, request: AdminMessage, current: str) -> None:
        self._require_user_admin(current)
        _, user = self._existing_user(request)
        revoked = set(self._roles_field(request))
        user.roles = [role for role in user.roles if role not in revoked]

    def _query_users(self, request: AdminMessage, current: str) -> list[bytes]:
        if request.field(wire.FIELD_USER) is None:
            self._require_user_admin(current)
            names = sorted(self._users)
        else:
            name, _ = self._existing_user(request)
            if name != current:
                self._require_user_admin(current)
            names = [name]
        entries = [
            AdminMessage(
                0,
                RESULT_OK,
                (
                    (wire.FIELD_USER, wire.encode_name(name)),
                    (wire.FIELD_ROLES, wire.encode_roles(self._users[name].roles)),
                ),
            )
            for name in names
        ]
        return [wire.encode_frame(entries), _reply(RESULT_QUERY_END)]

    # ----- role commands ----------------------------------------------------------------------------------

    def _create_role(self, request: AdminMessage, current: str) -> None:
        self._require_user_admin(current)
        name = self._name_field(request, wire.FIELD_ROLE, RESULT_INVALID_ROLE)
        if self._role_exists(name):
            raise _Refused(RESULT_ROLE_ALREADY_EXISTS)
        privileges = self._privileges_field(request, required=False)
        whitelist_data = request.field(wire.FIELD_WHITELIST)
        read_quota = self._quota_field(request, wire.FIELD_READ_QUOTA)
        write_quota = self._quota_field(request, wire.FIELD_WRITE_QUOTA)
        if (read_quota or write_quota) and not self.quotas_enabled:
            raise _Refused(RESULT_QUOTAS_NOT_ENABLED)
        whitelist = self._whitelist(whitelist_data) if whitelist_data is not None else []
        self._roles[name] = _Role(
            list(dict.fromkeys(privileges)), whitelist, read_quota or 0, write_quota or 0
        )

    def _drop_role(self, request: AdminMessage, current: str) -> None:
        self._require_user_admin(current)
        name, _ = self._custom_role(request)
        del self._roles[name]
        for user in self._users.values():
            if name in user.roles:
                user.roles.remove(name)

    def _grant_privileges(self, request: AdminMessage, current: str) -> None:
        self._require_user_admin(current)
        _, role = self._custom_role(request)
        for privilege in self._privileges_field(request, required=True):
            if privilege not in role.privileges:
                role.privileges.append(privilege)

    def _revoke_privileges(self, request: AdminMessage, current: str) -> None:
        self._require_user_admin(current)
        _, role = self._custom_role(request)
        revoked = set(self._privileges_field(request, required=True))
        role.privileges = [privilege for privilege in role.privileges if privilege not in revoked]

    @staticmethod
    def _whitelist(data: bytes) -> list[str]:
        try:
            return wire.decode_whitelist(data)
        except ProtocolError:
            raise _Refused(RESULT_INVALID_FIELD)

    def _set_whitelist(self, request: AdminMessage, current: str) -> None:
        self._require_user_admin(current)
        _, role = self._custom_role(request)
        data = request.field(wire.FIELD_WHITELIST)
        role.whitelist = self._whitelist(data) if data is not None else []

    def _set_quotas(self, request: AdminMessage, current: str) -> None:
        self._require_user_admin(current)
        if not self.quotas_enabled:
            raise _Refused(RESULT_QUOTAS_NOT_ENABLED)
        _, role = self._custom_role(request)
        read_quota = self._quota_field(request, wire.FIELD_READ_QUOTA)
        write_quota = self._quota_field(request, wire.FIELD_WRITE_QUOTA)
        if read_quota is not None:
            role.read_quota = read_quota
        if write_quota is not None:
            role.write_quota = write_quota

    def _role_message(self, name: str) -> AdminMessage:
        fields = [
            (wire.FIELD_ROLE, wire.encode_name(name)),
            (wire.FIELD_PRIVILEGES, wire.encode_privileges(self._privileges_of(name))),
        ]
        custom = self._roles.get(name)
        if custom is not None:
            if custom.whitelist:
                fields.append((wire.FIELD_WHITELIST, wire.encode_whitelist(custom.whitelist)))
            if custom.read_quota:
                fields.append((wire.FIELD_READ_QUOTA, wire.encode_u32(custom.read_quota)))
            if custom.write_quota:
                fields.append((wire.FIELD_WRITE_QUOTA, wire.encode_u32(custom.write_quota)))
        return AdminMessage(0, RESULT_OK, tuple(fields))

    def _query_roles(self, request: AdminMessage, current: str) -> list[bytes]:
        held = self._users[current].roles
        if request.field(wire.FIELD_ROLE) is None:
            self._require_user_admin(current)
            names = sorted(set(PREDEFINED_ROLES) | set(self._roles))
        else:
            name = self._name_field(request, wire.FIELD_ROLE, RESULT_INVALID_ROLE)
            if not self._role_exists(name):
                raise _Refused(RESULT_INVALID_ROLE)
            if name not in held:
                self._require_user_admin(current)
            names = [name]
        return [wire.encode_frame([self._role_message(name) for name in names]), _reply(RESULT_QUERY_END)]
