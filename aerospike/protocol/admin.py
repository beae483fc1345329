"""Admin (security) messages: proto type 2, for login, session authentication and user/role administration.

Owns: the 16-byte admin header, admin fields, the command and field numbers, the value encodings found inside
fields (role lists, privilege lists, u32 values, whitelists) and the client-side password hash. Both directions
live here: the client encodes requests and decodes replies, the local cluster does the opposite. Must not know
sockets, clocks, users or what a result code means to the application.

Layout (server `as_sec_msg`, C client `as_admin.c`): after the 8-byte proto header each message is
  u8 scheme (0) | u8 result code | u8 command | u8 field count | 12 reserved zero bytes
followed by `field count` fields, each
  u32 big-endian size (the id byte plus the data) | u8 field id | data.
A reply to a simple command is one bare header whose result code says how it went. A query reply is a stream of
frames, each holding one or more messages (one per user or role); the stream ends with a message whose result is
QUERY_END (50) or an error.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Optional

from .constants import PROTO_HEADER_SIZE, PROTO_TYPE_ADMIN
from .errors import ProtocolError
from .frame import pack_header_into

ADMIN_HEADER_SIZE = 16  # scheme, result, command, field count, 12 reserved bytes
FIELD_HEADER_SIZE = 5  # u32 size + u8 id
ADMIN_SCHEME = 0  # the only security message version servers speak

# Commands (third header byte).
AUTHENTICATE = 0  # authenticate a new connection: user + session token (old servers: user + credential)
CREATE_USER = 1  # user, password hash, roles
DROP_USER = 2  # user
SET_PASSWORD = 3  # user, password hash (by a user administrator)
CHANGE_PASSWORD = 4  # user, old password hash, new password hash (by the user)
GRANT_ROLES = 5  # user, roles
REVOKE_ROLES = 6  # user, roles
QUERY_USERS = 9  # optional user; replies one message per user
CREATE_ROLE = 10  # role, privileges, optional whitelist and quotas
DROP_ROLE = 11  # role
GRANT_PRIVILEGES = 12  # role, privileges
REVOKE_PRIVILEGES = 13  # role, privileges
SET_WHITELIST = 14  # role, optional whitelist (none clears it)
SET_QUOTAS = 15  # role, read quota, write quota
QUERY_ROLES = 16  # optional role; replies one message per role
LOGIN = 20  # user + credential; the reply carries a session token and its TTL

COMMAND_NAMES = {
    AUTHENTICATE: "authenticate",
    CREATE_USER: "create-user",
    DROP_USER: "drop-user",
    SET_PASSWORD: "set-password",
    CHANGE_PASSWORD: "change-password",
    GRANT_ROLES: "grant-roles",
    REVOKE_ROLES: "revoke-roles",
    QUERY_USERS: "query-users",
    CREATE_ROLE: "create-role",
    DROP_ROLE: "drop-role",
    GRANT_PRIVILEGES: "grant-privileges",
    REVOKE_PRIVILEGES: "revoke-privileges",
    SET_WHITELIST: "set-whitelist",
    SET_QUOTAS: "set-quotas",
    QUERY_ROLES: "query-roles",
    LOGIN: "login",
}

# Field ids.
FIELD_USER = 0  # user name, UTF-8, no terminator
FIELD_PASSWORD = 1  # bcrypt hash of the new password
FIELD_OLD_PASSWORD = 2  # bcrypt hash of the current password
FIELD_CREDENTIAL = 3  # bcrypt hash of the password, to log in
FIELD_CLEAR_PASSWORD = 4  # clear-text password (external/LDAP authentication only)
FIELD_SESSION_TOKEN = 5  # opaque session token from a login reply
FIELD_SESSION_TTL = 6  # u32 seconds the session token lives
FIELD_ROLES = 10  # u8 count, then (u8 length, name) per role
FIELD_ROLE = 11  # role name
FIELD_PRIVILEGES = 12  # u8 count, then u8 code per privilege, plus ns and set for data privileges
FIELD_WHITELIST = 13  # comma-separated allowed client addresses
FIELD_READ_QUOTA = 14  # u32 reads per second
FIELD_WRITE_QUOTA = 15  # u32 writes per second
FIELD_READ_INFO = 16  # u8 count, then u32 per value (quota, tps, rps, rps limited)
FIELD_WRITE_INFO = 17  # same shape as READ_INFO
FIELD_CONNECTIONS = 18  # u32 connections in use

# Privilege codes (C client as_privilege_code; the 3.0.0 Python client exports the first six).
PRIVILEGE_USER_ADMIN = 0  # manage users and roles; global only
PRIVILEGE_SYS_ADMIN = 1  # configuration, jobs, sindexes and UDFs; global only
PRIVILEGE_DATA_ADMIN = 2  # sindexes, UDFs, truncate; global only
PRIVILEGE_UDF_ADMIN = 3  # register and remove UDF modules; global only
PRIVILEGE_SINDEX_ADMIN = 4  # create and drop secondary indexes; global only
PRIVILEGE_READ = 10  # read records; first code that may be scoped to a namespace and set
PRIVILEGE_READ_WRITE = 11  # read and write records
PRIVILEGE_READ_WRITE_UDF = 12  # read, write and apply UDFs
PRIVILEGE_WRITE = 13  # write records (no reads)
PRIVILEGE_TRUNCATE = 14  # truncate sets and namespaces

PRIVILEGE_NAMES = {
    PRIVILEGE_USER_ADMIN: "user-admin",
    PRIVILEGE_SYS_ADMIN: "sys-admin",
    PRIVILEGE_DATA_ADMIN: "data-admin",
    PRIVILEGE_UDF_ADMIN: "udf-admin",
    PRIVILEGE_SINDEX_ADMIN: "sindex-admin",
    PRIVILEGE_READ: "read",
    PRIVILEGE_READ_WRITE: "read-write",
    PRIVILEGE_READ_WRITE_UDF: "read-write-udf",
    PRIVILEGE_WRITE: "write",
    PRIVILEGE_TRUNCATE: "truncate",
}

# Every client hashes passwords with bcrypt and this one fixed salt (cost 10), so the hash is a stable credential
# that servers can compare; C client as_password_get_constant_hash, Java AdminCommand.hashPassword.
PASSWORD_SALT = b"$2a$10$7EqJtq98hPqEX7fNZaFWoO"
PASSWORD_HASH_SIZE = 60  # length of a bcrypt hash string

MAX_NAME_SIZE = 255  # names inside role and privilege lists carry a u8 length
MAX_LIST_SIZE = 255  # role and privilege lists carry a u8 count

_U32 = struct.Struct(">I")
_FIELD_HEADER = struct.Struct(">IB")
_HEADER = struct.Struct(">BBBB12x")


BCRYPT_MAX_PASSWORD = 72  # bcrypt keys on at most this many bytes of a password


def hash_password(password: str) -> bytes:
    """The credential every Aerospike client sends for `password`: bcrypt with the fixed salt, 60 ASCII bytes.

    C clients hand bcrypt a C string, so the password ends at its first NUL, and bcrypt reads at most 72 bytes
    of it (the Python bcrypt package refuses longer ones instead of ignoring the rest).
    """
    raw = password.encode("utf-8").split(b"\0", 1)[0]
    import bcrypt  # loaded by the first login or password change, not by every import of this module

    return bcrypt.hashpw(raw[:BCRYPT_MAX_PASSWORD], PASSWORD_SALT)


def is_data_privilege(code: int) -> bool:
    """True for the privileges that may be scoped to a namespace and set (and carry ns/set on the wire)."""
    return code >= PRIVILEGE_READ


@dataclass(frozen=True)
class Privilege:
    """One privilege of a role: a code and, for data privileges, an optional namespace and set ('' = all).

    A set without a namespace can be encoded (clients send what they are given); servers refuse it.
    """

    code: int
    namespace: str = ""
    set_name: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.code <= 255:
            raise ValueError(f"privilege code {self.code} does not fit in a byte")
        if not is_data_privilege(self.code) and (self.namespace or self.set_name):
            raise ValueError(f"privilege {self.code} is global only and cannot be scoped")


@dataclass(frozen=True)
class AdminMessage:
    """One admin message: command, result code and fields as (field id, data) pairs in wire order."""

    command: int = 0
    result_code: int = 0
    fields: tuple[tuple[int, bytes], ...] = ()

    def field(self, field_id: int) -> Optional[bytes]:
        """Data of the first field with `field_id`, or None."""
        for fid, data in self.fields:
            if fid == field_id:
                return data
        return None

    def __repr__(self) -> str:
        # Credentials and tokens are secrets: show which fields are present, never their data.
        ids = ", ".join(str(fid) for fid, _ in self.fields)
        return f"AdminMessage(command={self.command}, result_code={self.result_code}, field_ids=[{ids}])"

    def encoded_size(self) -> int:
        return ADMIN_HEADER_SIZE + sum(FIELD_HEADER_SIZE + len(data) for _, data in self.fields)

    def encode_into(self, buffer: bytearray, offset: int) -> int:
        """Write this message at `offset`; returns the offset after it."""
        if len(self.fields) > 255:
            raise ValueError("an admin message holds at most 255 fields")
        _HEADER.pack_into(buffer, offset, ADMIN_SCHEME, self.result_code, self.command, len(self.fields))
        offset += ADMIN_HEADER_SIZE
        for field_id, data in self.fields:
            _FIELD_HEADER.pack_into(buffer, offset, len(data) + 1, field_id)
            offset += FIELD_HEADER_SIZE
            buffer[offset : offset + len(data)] = data
            offset += len(data)
        return offset

    def encode(self) -> bytes:
        """This message as a whole frame."""
        return encode_frame((self,))


def encode_frame(messages: Sequence[AdminMessage]) -> bytes:
    """One admin frame holding `messages` back to back (replies to queries batch several)."""
    size = sum(message.encoded_size() for message in messages)
    buffer = bytearray(PROTO_HEADER_SIZE + size)
    pack_header_into(buffer, 0, PROTO_TYPE_ADMIN, size)
    offset = PROTO_HEADER_SIZE
    for message in messages:
        offset = message.encode_into(buffer, offset)
    return bytes(buffer)


def encode_request(command: int, fields: Iterable[tuple[int, bytes]] = ()) -> bytes:
    """A request frame: one message with `command` and `fields`."""
    return AdminMessage(command, 0, tuple(fields)).encode()


def decode_message(body: bytes | bytearray | memoryview, offset: int = 0) -> tuple[AdminMessage, int]:
    """Decode the message at `offset` of a frame body; returns it and the offset after it."""
    end = len(body)
    if end - offset < ADMIN_HEADER_SIZE:
        raise ProtocolError("truncated admin header")
    _scheme, result_code, command, field_count = _HEADER.unpack_from(body, offset)
    offset += ADMIN_HEADER_SIZE
    fields = []
    for _ in range(field_count):
        if end - offset < FIELD_HEADER_SIZE:
            raise ProtocolError("truncated admin field header")
        size, field_id = _FIELD_HEADER.unpack_from(body, offset)
        if size < 1:
            raise ProtocolError("admin field size must count its id byte")
        offset += FIELD_HEADER_SIZE
        data_end = offset + size - 1
        if data_end > end:
            raise ProtocolError("admin field runs past the end of its frame")
        fields.append((field_id, bytes(body[offset:data_end])))
        offset = data_end
    return AdminMessage(command, result_code, tuple(fields)), offset


def decode_messages(body: bytes | bytearray | memoryview) -> list[AdminMessage]:
    """All messages of one frame body; the body must hold nothing else."""
    messages = []
    offset = 0
    while offset < len(body):
        message, offset = decode_message(body, offset)
        messages.append(message)
    return messages


def decode_request(body: bytes | bytearray | memoryview) -> AdminMessage:
    """The single message of a request body."""
    message, end = decode_message(body, 0)
    if end != len(body):
        raise ProtocolError(f"{len(body) - end} bytes after the admin request")
    return message


# ----- field values ----------------------------------------------------------------------------------------------


def encode_name(name: str) -> bytes:
    """A user or role name as field data."""
    return name.encode("utf-8")


def decode_name(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError("admin name is not UTF-8") from error


def encode_u32(value: int) -> bytes:
    return _U32.pack(value)


def decode_u32(data: bytes) -> int:
    if len(data) != 4:
        raise ProtocolError(f"expected a 4-byte integer field, got {len(data)} bytes")
    return int(_U32.unpack(data)[0])


def _short_string(value: str, what: str) -> bytes:
    raw = value.encode("utf-8")
    if len(raw) > MAX_NAME_SIZE:
        raise ValueError(f"{what} is longer than {MAX_NAME_SIZE} bytes")
    return bytes((len(raw),)) + raw


class _Cursor:
    """Bounded reads over one field's data."""

    __slots__ = ("data", "offset")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def byte(self) -> int:
        if self.offset >= len(self.data):
            raise ProtocolError("admin field value is truncated")
        value = self.data[self.offset]
        self.offset += 1
        return value

    def take(self, size: int) -> bytes:
        end = self.offset + size
        if end > len(self.data):
            raise ProtocolError("admin field value is truncated")
        value = self.data[self.offset : end]
        self.offset = end
        return value

    def short_string(self) -> str:
        return decode_name(self.take(self.byte()))

    def finish(self) -> None:
        if self.offset != len(self.data):
            raise ProtocolError(f"{len(self.data) - self.offset} bytes after an admin field value")


def encode_roles(roles: Sequence[str]) -> bytes:
    """A role list: u8 count, then u8 length and UTF-8 name per role."""
    if len(roles) > MAX_LIST_SIZE:
        raise ValueError(f"at most {MAX_LIST_SIZE} roles fit in one field")
    return bytes((len(roles),)) + b"".join(_short_string(role, "role name") for role in roles)


def decode_roles(data: bytes) -> list[str]:
    cursor = _Cursor(data)
    roles = [cursor.short_string() for _ in range(cursor.byte())]
    cursor.finish()
    return roles


def encode_privileges(privileges: Sequence[Privilege]) -> bytes:
    """A privilege list: u8 count, then u8 code per privilege, followed by ns and set for data privileges."""
    if len(privileges) > MAX_LIST_SIZE:
        raise ValueError(f"at most {MAX_LIST_SIZE} privileges fit in one field")
    parts = [bytes((len(privileges),))]
    for privilege in privileges:
        parts.append(bytes((privilege.code,)))
        if is_data_privilege(privilege.code):
            parts.append(_short_string(privilege.namespace, "namespace"))
            parts.append(_short_string(privilege.set_name, "set name"))
    return b"".join(parts)


def decode_privileges(data: bytes) -> list[Privilege]:
    """Decode a privilege list. Raises ProtocolError for malformed data or an impossible scope."""
    cursor = _Cursor(data)
    privileges = []
    for _ in range(cursor.byte()):
        code = cursor.byte()
        namespace = set_name = ""
        if is_data_privilege(code):
            namespace = cursor.short_string()
            set_name = cursor.short_string()
        try:
            privileges.append(Privilege(code, namespace, set_name))
        except ValueError as error:
            raise ProtocolError(str(error)) from error
    cursor.finish()
    return privileges


def encode_whitelist(addresses: Sequence[str]) -> bytes:
    return ",".join(addresses).encode("utf-8")


def decode_whitelist(data: bytes) -> list[str]:
    return [address for address in decode_name(data).split(",") if address]


def encode_info_values(values: Sequence[int]) -> bytes:
    """READ_INFO / WRITE_INFO: u8 count, then u32 per value."""
    if len(values) > MAX_LIST_SIZE:
        raise ValueError(f"at most {MAX_LIST_SIZE} values fit in one field")
    return bytes((len(values),)) + b"".join(_U32.pack(value) for value in values)


def decode_info_values(data: bytes) -> list[int]:
    cursor = _Cursor(data)
    values = [int(_U32.unpack(cursor.take(4))[0]) for _ in range(cursor.byte())]
    cursor.finish()
    return values
