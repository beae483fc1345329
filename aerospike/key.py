"""Key tuples of the spec: validation, digest and partition id.

Owns: the 3.0.0 key tuple shapes ``(namespace, set, primary_key)`` and ``(namespace, set, None, digest)``,
the RIPEMD-160 digest over set name + key type byte + key bytes, the partition id (first two digest bytes,
little-endian, masked to 4095), and the KEY field sent with ``POLICY_KEY_SEND``.
Must not know sockets, policies or the cluster; bad input raises ``exception.ParamError``.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Iterable, Optional

from .exception import ParamError
from .protocol.constants import DIGEST_SIZE, KEY_TYPE_BLOB, KEY_TYPE_INTEGER, KEY_TYPE_STRING

try:  # OpenSSL builds may lack RIPEMD-160; pycryptodome always has it.
    try:  # OpenSSL's own module: `hashlib` would also set up every other algorithm (about 1.5 ms at import)
        from _hashlib import new as _new_hash
    except ImportError:  # pragma: no cover - a build without OpenSSL
        from hashlib import new as _new_hash  # type: ignore[assignment]

    _RIPEMD160 = _new_hash("ripemd160")

    # A fresh hasher: half the cost of looking the algorithm up by name every time.
    _new_hasher: Any = _RIPEMD160.copy

    def _ripemd160(data: bytes) -> bytes:
        hasher = _new_hasher()
        hasher.update(data)
        return hasher.digest()  # type: ignore[no-any-return]

except ValueError:  # pragma: no cover - depends on the OpenSSL build
    from Crypto.Hash import RIPEMD160

    _new_hasher = RIPEMD160.new

    def _ripemd160(data: bytes) -> bytes:
        return RIPEMD160.new(data).digest()  # type: ignore[no-any-return]


__all__ = ["Key", "calc_digest", "partition_id", "parse_key"]

_INT64 = struct.Struct(">q")
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_PARTITION_MASK = 0x0FFF
_MAX_NAMESPACE = 31  # the server's namespace name limit (bytes)
_MAX_SET = 63  # the server's set name limit (bytes)
_STRING_TYPE = bytes((KEY_TYPE_STRING,))
_INTEGER_TYPE = bytes((KEY_TYPE_INTEGER,))
_BLOB_TYPE = bytes((KEY_TYPE_BLOB,))


class Key:
    """A validated key: namespace, set, user key (or None), 20-byte digest, partition id.

    ``key_field`` is the KEY field payload (particle type byte + key bytes), or None for a digest-only key.
    """

    __slots__ = ("namespace", "set_name", "user_key", "digest", "partition_id", "key_field", "namespace_bytes",
                 "set_bytes")

    def __init__(
        self,
        namespace: str,
        set_name: Optional[str],
        user_key: Any,
        digest: bytes,
        key_field: Optional[bytes],
        ns_bytes: bytes,
        set_bytes: bytes,
    ) -> None:
        self.namespace = namespace
        self.set_name = set_name
        self.user_key = user_key
        self.digest = digest
        self.partition_id = (digest[0] | (digest[1] << 8)) & _PARTITION_MASK
        self.key_field = key_field
        self.namespace_bytes = ns_bytes  # plain slots, not properties: the encoders read them per key
        self.set_bytes = set_bytes

    def as_tuple(self, with_user_key: bool = True) -> tuple:
        """The spec's key tuple ``(ns, set, key|None, bytearray(digest))``."""
        return (
            self.namespace,
            self.set_name,
            self.user_key if with_user_key else None,
            bytearray(self.digest),
        )

    def __repr__(self) -> str:
        return f"Key({self.namespace!r}, {self.set_name!r}, {self.user_key!r}, {self.digest.hex()})"


_new_key = object.__new__


def _c_string(text: str) -> bytes:
    # 3.0.0 hands names and string keys to the C client as C strings: they end at the first NUL.
    encoded = text.encode("utf-8")
    return encoded.split(b"\0", 1)[0] if b"\0" in encoded else encoded


def _encode_user_key(user_key: Any) -> tuple[bytes, bytes, Any]:
    """(type byte, key bytes, the key as results report it) of a primary key (3.0.0's pyobject_to_key)."""
    kind = type(user_key)
    if kind is str or (kind is not int and isinstance(user_key, str)):
        key_bytes = _c_string(user_key)
        return _STRING_TYPE, key_bytes, key_bytes.decode("utf-8")
    if isinstance(user_key, int):  # bool included: 3.0.0 took it as the integer key 0 or 1
        if not _INT64_MIN <= user_key <= _INT64_MAX:
            raise ParamError("integer value for KEY exceeds sys.maxsize")
        return _INTEGER_TYPE, _INT64.pack(user_key), int(user_key)
    if isinstance(user_key, bytearray):
        if not user_key:
            raise ParamError("Byte array size cannot be 0")
        return _BLOB_TYPE, bytes(user_key), bytearray(user_key)
    if isinstance(user_key, bytes):
        # A bytes key is a string key up to its first NUL, as 3.0.0 sent it.
        key_bytes = user_key.split(b"\0", 1)[0]
        try:
            reported: Any = key_bytes.decode("utf-8")
        except UnicodeDecodeError:
            reported = key_bytes
        return _STRING_TYPE, key_bytes, reported
    raise ParamError("key is invalid")


def _check_namespace(namespace: Any) -> bytes:
    if type(namespace) is not str and not isinstance(namespace, str):
        raise ParamError("namespace must be a string")
    return _c_string(namespace)


def _check_set(set_name: Any) -> bytes:
    if set_name is None:
        return b""
    if not isinstance(set_name, str):
        raise ParamError("set must be a string")
    return _c_string(set_name)


# (namespace, set) -> (namespace bytes, set bytes, a hasher fed the set bytes), for the names the fast path takes.
_TARGETS: dict[tuple[str, str], tuple[bytes, bytes, Any]] = {}
_TARGETS_MAX = 512


def _target(namespace: str, set_name: str) -> Optional[tuple[bytes, bytes, Any]]:
    """The _TARGETS entry of str names the fast path takes (non-empty, within the server's limits, no NUL),
    cached; None for any other names (make_key then checks them)."""
    ns_bytes = namespace.encode("utf-8")
    set_bytes = set_name.encode("utf-8")
    if not (
        0 < len(ns_bytes) <= _MAX_NAMESPACE and 0 < len(set_bytes) <= _MAX_SET and b"\0" not in ns_bytes + set_bytes
    ):
        return None
    hasher = _new_hasher()
    hasher.update(set_bytes)
    if len(_TARGETS) >= _TARGETS_MAX:
        _TARGETS.clear()
    target = _TARGETS[(namespace, set_name)] = (ns_bytes, set_bytes, hasher)
    return target


def parse_key(key: Any) -> Key:
    """Validate a spec key tuple (or key dict) and compute its digest and partition id.

    Errors are 3.0.0's ParamErrors: 'key is invalid', 'namespace must be a string', 'set must be a string',
    'either key or digest is required', ...
    """
    if type(key) is tuple and len(key) == 3:
        # Fast path for the common (str namespace, str set, str or int key) tuple; anything else, or anything
        # out of range, goes through make_key, which raises the proper error.
        namespace, set_name, user_key = key
        if type(namespace) is str and type(set_name) is str:
            target = _TARGETS.get((namespace, set_name)) or _target(namespace, set_name)
            if target is not None:
                ns_bytes, set_bytes, set_hasher = target
                kind = type(user_key)
                if kind is str and "\0" not in user_key:
                    key_field = _STRING_TYPE + user_key.encode("utf-8")
                elif kind is int and _INT64_MIN <= user_key <= _INT64_MAX:
                    key_field = _INTEGER_TYPE + _INT64.pack(user_key)
                else:
                    return make_key(namespace, set_name, user_key)
                hasher = set_hasher.copy()  # _ripemd160(set_bytes + key_field), the set's part hashed once
                hasher.update(key_field)
                computed = hasher.digest()
                # Key.__init__'s stores without its Python-level call (hot path).
                parsed = _new_key(Key)
                parsed.namespace = namespace
                parsed.set_name = set_name
                parsed.user_key = user_key
                parsed.digest = computed
                parsed.partition_id = (computed[0] | (computed[1] << 8)) & _PARTITION_MASK
                parsed.key_field = key_field
                parsed.namespace_bytes = ns_bytes
                parsed.set_bytes = set_bytes
                return parsed
        return make_key(namespace, set_name, user_key)
    if type(key) is not tuple and not isinstance(key, tuple):
        if isinstance(key, dict):
            return _parse_key_dict(key)
        raise ParamError("key is invalid")
    size = len(key)
    if size == 3:
        namespace, set_name, user_key = key
        digest = None
    elif size == 4:
        namespace, set_name, user_key, digest = key
    else:
        raise ParamError("key tuple must be (Namespace, Set, Key) or (Namespace, Set, None, Digest)")
    return make_key(namespace, set_name, user_key, digest)


def parse_key_tuples(keys: Iterable[Any], not_a_tuple: Callable[[], Exception]) -> list[Key]:
    """parse_key of every key of a batch call, in order; a key that is not a tuple raises not_a_tuple().

    The common (str namespace, str set, str or int key) tuples are parsed inline, as parse_key's fast path
    parses them (one call per batch instead of one per key); any other key goes through parse_key.
    """
    parsed: list[Key] = []
    append = parsed.append
    targets = _TARGETS
    new_key = _new_key
    last_namespace: Any = None
    last_set: Any = None
    target: Optional[tuple[bytes, bytes, Any]] = None
    for key in keys:
        if type(key) is tuple and len(key) == 3:
            namespace, set_name, user_key = key
            if type(namespace) is str and type(set_name) is str:
                if namespace is not last_namespace or set_name is not last_set:  # the same str objects: same target
                    target = targets.get((namespace, set_name)) or _target(namespace, set_name)
                    last_namespace = namespace
                    last_set = set_name
                if target is not None:
                    kind = type(user_key)
                    if kind is str and "\0" not in user_key:
                        key_field = _STRING_TYPE + user_key.encode("utf-8")
                    elif kind is int and _INT64_MIN <= user_key <= _INT64_MAX:
                        key_field = _INTEGER_TYPE + _INT64.pack(user_key)
                    else:
                        append(make_key(namespace, set_name, user_key))
                        continue
                    hasher = target[2].copy()
                    hasher.update(key_field)
                    computed = hasher.digest()
                    item = new_key(Key)
                    item.namespace = namespace
                    item.set_name = set_name
                    item.user_key = user_key
                    item.digest = computed
                    item.partition_id = (computed[0] | (computed[1] << 8)) & _PARTITION_MASK
                    item.key_field = key_field
                    item.namespace_bytes = target[0]
                    item.set_bytes = target[1]
                    append(item)
                    continue
        if not isinstance(key, tuple):
            raise not_a_tuple()
        append(parse_key(key))
    return parsed


def _parse_key_dict(key: dict) -> Key:
    # 3.0.0 also accepted {'ns': .., 'set': .., 'key': .., 'digest': ..} wherever a key tuple was allowed.
    if "ns" not in key:
        raise ParamError("namespace is required")
    return make_key(key["ns"], key.get("set"), key.get("key"), key.get("digest"))


def make_key(namespace: Any, set_name: Any, user_key: Any, digest: Any = None) -> Key:
    """Build a Key from its parts; the user key wins over a given digest, as in the official client."""
    ns_bytes = _check_namespace(namespace)
    set_bytes = _check_set(set_name)
    if user_key is not None:
        type_byte, key_bytes, reported = _encode_user_key(user_key)
        _check_sizes(ns_bytes, set_bytes)
        computed = _ripemd160(set_bytes + type_byte + key_bytes)
        return Key(_name(ns_bytes), _set_name(set_bytes), reported, computed, type_byte + key_bytes, ns_bytes,
                   set_bytes)
    if digest is None:
        raise ParamError("either key or digest is required")
    if not isinstance(digest, bytearray):
        raise ParamError("digest is invalid. expected a bytearray")
    if len(digest) != DIGEST_SIZE:
        raise ParamError(f"digest size is invalid. should be 20 bytes, but received {len(digest)}")
    _check_sizes(ns_bytes, set_bytes)
    return Key(_name(ns_bytes), _set_name(set_bytes), None, bytes(digest), None, ns_bytes, set_bytes)


def _check_sizes(ns_bytes: bytes, set_bytes: bytes) -> None:
    # The C client's as_key_init refuses an empty or over-long namespace and an over-long set.
    if not ns_bytes or len(ns_bytes) > _MAX_NAMESPACE or len(set_bytes) > _MAX_SET:
        raise ParamError("key is invalid")


def _name(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _set_name(raw: bytes) -> Optional[str]:
    # Results report an empty set name as None (3.0.0's key_to_pyobject).
    return raw.decode("utf-8", "surrogateescape") if raw else None


def calc_digest(namespace: Any, set_name: Any, user_key: Any, check_types: bool = True) -> bytearray:
    """RIPEMD-160 digest of a key as a bytearray (the namespace is checked but not hashed).

    With `check_types` (aerospike.calc_digest) the argument types are checked first, raising 3.0.0's
    TypeErrors; otherwise (Client.get_key_digest) the parts go through the key checks only.
    """
    if check_types:
        if not isinstance(namespace, str):
            raise TypeError("Namespace should be a string")
        if not isinstance(set_name, str):
            raise TypeError("Set should be a string or unicode")
        if not isinstance(user_key, (str, int, bytearray)):
            raise TypeError("Key is invalid")
    return bytearray(_parse_key_dict({"ns": namespace, "set": set_name, "key": user_key}).digest)


def partition_id(digest: bytes | bytearray) -> int:
    """The partition a digest belongs to: first two bytes, little-endian, masked to 0..4095."""
    return (digest[0] | (digest[1] << 8)) & _PARTITION_MASK
