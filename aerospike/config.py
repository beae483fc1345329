"""The config dict of ``aerospike.client(config)`` (aerospike.rst), read once into frozen values.

Owns: the config keys 3.0.0 reads, how it reads them (its client constructor, tls_config.c and the
``policies`` handling), its ParamError messages for the few values it refuses, the defaults, and the conversion
to the engine room's ``ClusterConfig``. Keys 3.0.0 ignores (unknown keys, values of the wrong type) are ignored
here too, with a warning on the ``aerospike`` logger. Must not know sockets or the protocol.

Besides the spec's keys, ``unpickle_python_blobs`` (bool, default True) turns off unpickling of Python blobs
read from the server (see values.py for the risk it guards against).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from ._frozen import Frozen
from ._log import get_logger
from .exception import ParamError
from .policy import Policy, build_defaults

if TYPE_CHECKING:
    from .shm.config import ShmConfig

_IDENTITY_KEY = os.urandom(32)  # keys the password hash in shared-connection identities (see identity)

__all__ = ["ClientConfig", "LuaConfig", "TlsConfig", "parse_config"]

logger = get_logger("aerospike")

DEFAULT_MAX_CONNS_PER_NODE = 300  # C client default behind 3.0.0
DEFAULT_TEND_INTERVAL_MS = 1000
DEFAULT_THREAD_POOL_SIZE = 16
DEFAULT_CONN_TIMEOUT_MS = 1000
MAX_SOCKET_IDLE_LIMIT = 86400
DEFAULT_TLS_SOCKET_IDLE = 55

# The values below are Frozen (aerospike/_frozen.py), not dataclasses: `import aerospike` reads this module, and
# dataclasses would add about 6 ms to it (docs/internals.md, "Startup").


class TlsConfig(Frozen):
    """The ``tls`` dict of the spec; stored for the connection layer."""

    __slots__ = _fields = (
        "enable", "cafile", "capath", "protocols", "cipher_suite", "keyfile", "cert_blacklist", "certfile",
        "crl_check", "crl_check_all", "log_session_info",
    )
    _defaults = {
        "enable": False, "cafile": None, "capath": None, "protocols": None, "cipher_suite": None, "keyfile": None,
        "cert_blacklist": None, "certfile": None, "crl_check": False, "crl_check_all": False,
        "log_session_info": False,
    }
    enable: bool
    cafile: Optional[str]
    capath: Optional[str]
    protocols: Optional[str]
    cipher_suite: Optional[str]
    keyfile: Optional[str]
    cert_blacklist: Optional[str]
    certfile: Optional[str]
    crl_check: bool
    crl_check_all: bool
    log_session_info: bool


class LuaConfig(Frozen):
    """The ``lua`` dict of the spec."""

    __slots__ = _fields = ("system_path", "user_path")
    _defaults = {"system_path": "/usr/local/aerospike/lua", "user_path": "./"}
    system_path: str
    user_path: str


_NO_TLS = TlsConfig()


class ClientConfig(Frozen):
    """Everything the client needs from its config dict, checked."""

    __slots__ = _fields = (
        "hosts", "policies", "lua", "tls", "shm", "use_shared_connection", "serializer", "deserializer",
        "thread_pool_size", "max_socket_idle", "max_conns_per_node", "batch_direct", "tend_interval",
        "compression_threshold", "cluster_name", "unpickle_python_blobs", "conn_timeout", "strict_types",
    )
    _compared = tuple(name for name in _fields if name != "policies")
    _defaults = {
        "lua": LuaConfig(),
        "tls": _NO_TLS,
        "shm": None,
        "use_shared_connection": False,
        "serializer": None,
        "deserializer": None,
        "thread_pool_size": DEFAULT_THREAD_POOL_SIZE,
        "max_socket_idle": 0,
        "max_conns_per_node": DEFAULT_MAX_CONNS_PER_NODE,
        "batch_direct": False,
        "tend_interval": DEFAULT_TEND_INTERVAL_MS,
        "compression_threshold": 0,
        "cluster_name": None,
        "unpickle_python_blobs": True,
        "conn_timeout": DEFAULT_CONN_TIMEOUT_MS,
        # 3.0.0's strict_types (default True); False relaxes type checks of bin values and operations.
        "strict_types": True,
    }
    hosts: tuple[tuple[str, int, Optional[str]], ...]
    policies: dict[str, Policy]
    lua: LuaConfig
    tls: TlsConfig
    shm: Optional[ShmConfig]
    use_shared_connection: bool
    serializer: Optional[Callable[[Any], Any]]
    deserializer: Optional[Callable[[Any], Any]]
    thread_pool_size: int
    max_socket_idle: int
    max_conns_per_node: int
    batch_direct: bool
    tend_interval: int
    compression_threshold: int
    cluster_name: Optional[str]
    unpickle_python_blobs: bool
    conn_timeout: int
    strict_types: bool

    def shm_key(self) -> Optional[int]:
        """The shared-memory key when shared-memory tending is on, else None: the configured `shm_key`, else
        with `use_shared_connection` a key derived from the cluster's seeds and name, else 0xA7000000."""
        if self.shm is None:
            return None
        if self.shm.shm_key is not None:
            return self.shm.shm_key
        if self.use_shared_connection:
            from .shm import derive_shm_key

            return derive_shm_key(self.hosts, self.cluster_name)
        from .shm.config import DEFAULT_SHM_KEY

        return DEFAULT_SHM_KEY

    def identity(self, user: Optional[str] = None, password: Optional[str] = None) -> tuple:
        """What makes two configs share one cluster connection (use_shared_connection).

        The password is part of it, so that a wrong password never rides on another client's login; it enters
        only as a keyed hash whose key lives in this process.
        """
        secret = None
        if user is not None:
            import hashlib  # only shared connections with a user need it
            import hmac

            secret = hmac.new(_IDENTITY_KEY, (password or "").encode("utf-8"), hashlib.sha256).digest()
        return (self.hosts, self.cluster_name, self.tls, self.shm, user, secret, self.max_conns_per_node,
                self.tend_interval, self.max_socket_idle)

    def cluster_config(self, user: Optional[str] = None, password: Optional[str] = None) -> Any:
        """The engine room's ClusterConfig (seconds where this config has milliseconds)."""
        from .cluster import ClusterConfig

        return ClusterConfig(
            seeds=self.hosts,
            cluster_name=self.cluster_name,
            tend_interval=self.tend_interval / 1000.0,
            conn_timeout=self.conn_timeout / 1000.0,
            max_conns_per_node=self.max_conns_per_node,
            max_socket_idle=float(self.max_socket_idle),
            user=user,
            password=password,
            tls=self.tls.as_dict() if self.tls.enable else None,
            shm=self.shm,
            shm_key=self.shm_key(),
            fail_if_not_connected=True,
        )


_U16_MASK = 0xFFFF
_U32_MASK = 0xFFFFFFFF
_C_LONG_MIN, _C_LONG_MAX = -(1 << 63), (1 << 63) - 1
_LUA_PATH_MAX_LEN = 255  # AS_CONFIG_PATH_MAX_LEN of the C client 4.3.1
_MIN_TEND_INTERVAL_MS = 250  # the C client's floor, applied here only to 0 (see docs/differences.md)

# Every top-level key 3.0.0's constructor reads; any other key is ignored (with a warning here).
_KNOWN_KEYS = frozenset(
    (
        "hosts", "lua", "tls", "shm", "serialization", "policies", "thread_pool_size", "max_threads",
        "max_conns_per_node", "batch_direct", "connect_timeout", "use_shared_connection", "compression_threshold",
        "tend_interval", "cluster_name", "strict_types", "max_socket_idle", "unpickle_python_blobs",
    )
)


def _c_string(value: str) -> str:
    # The C client copies Python strings as C strings: they end at the first NUL.
    return value.split("\0", 1)[0]


def _c_long(value: int) -> int:
    # PyInt_AsLong of an int beyond a C long fails with -1 (3.0.0 does not check).
    return value if _C_LONG_MIN <= value <= _C_LONG_MAX else -1


def _ignored(name: str, value: Any, wanted: str) -> None:
    logger.warning("config key %r ignored: 3.0.0 reads it only as %s, not %r", name, wanted, value)


def _int_value(config: Mapping[str, Any], name: str) -> Optional[int]:
    """An int (bool included, as PyInt_Check) under `name`, else None (a value of another type is ignored)."""
    if name not in config:
        return None
    value = config[name]
    if not isinstance(value, int):
        _ignored(name, value, "an int")
        return None
    return _c_long(int(value))


def _bool_value(config: Mapping[str, Any], name: str) -> Optional[bool]:
    """A bool under `name` (PyBool_Check: an int is not one), else None."""
    if name not in config:
        return None
    value = config[name]
    if not isinstance(value, bool):
        _ignored(name, value, "a bool")
        return None
    return value


def _truth(value: Any) -> bool:
    # PyObject_IsTrue; a value whose truth cannot be told (-1 in C) counts as true where 3.0.0 tests != 0.
    try:
        return bool(value)
    except Exception:
        return True


def _atoi(text: str) -> int:
    digits = text.lstrip(" \t\n\r\v\f")
    sign = 1
    if digits[:1] in ("+", "-"):
        sign = -1 if digits[0] == "-" else 1
        digits = digits[1:]
    number = ""
    for char in digits:
        if not "0" <= char <= "9":
            break
        number += char
    return sign * int(number) if number else 0


def _parse_host(entry: Any) -> tuple[str, int, Optional[str]]:
    """One entry of `hosts` as 3.0.0 reads it: a 2- or 3-tuple (address, port[, tls_name]) or 'address[:port]'.

    A port that is not an int is 0 and every port is cast to 16 bits; a tls_name that is not a string is
    dropped; anything else, or a tuple whose address is not a string, is 'Invalid host'.
    """
    if isinstance(entry, tuple) and 2 <= len(entry) <= 3:
        address = entry[0]
        if not isinstance(address, str):
            raise ParamError("Invalid host")
        port_value = entry[1]
        port = (_c_long(int(port_value)) & _U16_MASK) if isinstance(port_value, int) else 0
        tls_name = None
        if len(entry) == 3 and isinstance(entry[2], str):
            tls_name = _c_string(entry[2])
        return _c_string(address), port, tls_name
    if isinstance(entry, str):
        # strtok(entry, ":"): empty pieces are skipped; the second piece, if any, is the port (atoi).
        pieces = [piece for piece in _c_string(entry).split(":") if piece]
        if not pieces:
            raise ParamError("Invalid host")
        port = _atoi(pieces[1]) & _U16_MASK if len(pieces) > 1 else 3000
        return pieces[0], port, None
    raise ParamError("Invalid host")


def _parse_hosts(config: Mapping[str, Any]) -> tuple[tuple[str, int, Optional[str]], ...]:
    hosts = config.get("hosts")
    if not isinstance(hosts, list):
        raise ParamError("Hosts must be a list")
    if not hosts:
        raise ParamError("Hosts must not be empty")
    return tuple(_parse_host(entry) for entry in hosts)


_TLS_STRINGS = ("cafile", "capath", "protocols", "cipher_suite", "cert_blacklist", "keyfile", "certfile")
_TLS_FLAGS = ("enable", "crl_check", "crl_check_all", "log_session_info")


def _parse_tls(value: Any) -> TlsConfig:
    """The `tls` dict as 3.0.0's setup_tls_config reads it: strings for the paths and lists (other types are
    ignored), the truth of any value for the flags; other keys and a `tls` that is not a dict are ignored."""
    if not isinstance(value, dict):
        _ignored("tls", value, "a dict")
        return TlsConfig()
    values: dict[str, Any] = {}
    for name in _TLS_STRINGS:
        if name in value:
            if isinstance(value[name], str):
                values[name] = _c_string(value[name])
            else:
                _ignored(f"tls.{name}", value[name], "a string")
    for name in _TLS_FLAGS:
        if name in value:
            try:
                values[name] = bool(value[name])
            except Exception:  # PyObject_IsTrue failed: 3.0.0 leaves the flag as it was
                _ignored(f"tls.{name}", value[name], "a value with a truth")
    for name in value:
        if name not in _TLS_STRINGS and name not in _TLS_FLAGS:
            logger.warning("unknown config key 'tls.%s' ignored", name)
    return TlsConfig(**values)


def _parse_lua(value: Any) -> LuaConfig:
    """The `lua` dict: string paths of at most 255 bytes (longer ones are refused as 3.0.0 refuses them);
    paths of other types, other keys and a `lua` that is not a dict are ignored."""
    if not isinstance(value, dict):
        _ignored("lua", value, "a dict")
        return LuaConfig()
    values: dict[str, Any] = {}
    for name, message in (("system_path", "Lua system path too long"), ("user_path", "Lua user path too long")):
        if name not in value:
            continue
        path = value[name]
        if not isinstance(path, str):
            _ignored(f"lua.{name}", path, "a string")
            continue
        path = _c_string(path)
        if len(path.encode("utf-8", "surrogatepass")) > _LUA_PATH_MAX_LEN:
            raise ParamError(message)
        values[name] = path
    return LuaConfig(**values)


# shm keys 3.0.0 reads (ints only); the 'shm_'-prefixed names are older spellings, the plain names win.
_SHM_KEYS = (
    ("shm_max_nodes", "max_nodes"),
    ("max_nodes", "max_nodes"),
    ("shm_max_namespaces", "max_namespaces"),
    ("max_namespaces", "max_namespaces"),
    ("shm_takeover_threshold_sec", "takeover_threshold_sec"),
    ("takeover_threshold_sec", "takeover_threshold_sec"),
    ("shm_key", "shm_key"),
)


def _parse_shm(value: Any) -> Optional[ShmConfig]:
    """A dict turns shared-memory tending on (any other value leaves it off); its int values are read."""
    if not isinstance(value, dict):
        if value is not None:
            _ignored("shm", value, "a dict")
        return None
    from .shm.config import ShmConfig  # only configs with `shm` load the shared-memory package

    values: dict[str, Any] = {}
    for name, field_name in _SHM_KEYS:
        number = _int_value(value, name)
        if number is not None:
            values[field_name] = int(number)
    try:
        return ShmConfig.from_dict(values)
    except ValueError as error:  # values 3.0.0 would have taken and the shared-memory layer cannot
        raise ParamError(f"config key 'shm': {error}") from None


def _parse_serialization(value: Any) -> tuple[Optional[Callable[[Any], Any]], Optional[Callable[[Any], Any]]]:
    """A (serializer, deserializer) tuple; None leaves a side unset; a value that is not a tuple is ignored."""
    if not isinstance(value, tuple):
        _ignored("serialization", value, "a tuple")
        return None, None
    serializer = value[0] if len(value) > 0 else None
    deserializer = value[1] if len(value) > 1 else None
    if serializer is not None and not callable(serializer):
        raise ParamError("Serializer must be callable")
    if deserializer is not None and not callable(deserializer):
        raise ParamError("Deserializer must be callable")
    return serializer, deserializer


def _uint32(value: int) -> int:
    return value & _U32_MASK


def _with(policy: Policy, **changes: Any) -> Policy:
    """A copy of a client default policy with some fields set (values as given)."""
    values = {name: getattr(policy, name) for name in Policy.__slots__ if name not in ("kind", "_frozen")}
    values.update(changes)
    return Policy(policy.kind, values)


def parse_config(config: Any) -> ClientConfig:
    """Read the config dict of ``aerospike.client()`` as 3.0.0 reads it (its client constructor).

    Refused, with 3.0.0's ParamError messages: a config that is not a dict ('Config must be a dict'), lua paths
    over 255 bytes, `hosts` that is not a non-empty list or holds an unusable entry ('Hosts must be a list',
    'Hosts must not be empty', 'Invalid host'), serializers that are not callable, a bad value in a policy
    kind's dict ('Invalid Policy setting value') and a negative `compression_threshold`. Everything else that
    3.0.0 ignores (unknown keys, values of the wrong type) is ignored with a warning on the ``aerospike`` logger.
    """
    if not isinstance(config, dict):
        raise ParamError("Config must be a dict")
    values: dict[str, Any] = {}
    if "lua" in config:
        values["lua"] = _parse_lua(config["lua"])
    tls = _parse_tls(config["tls"]) if "tls" in config else _NO_TLS
    values["tls"] = tls
    values["hosts"] = _parse_hosts(config)
    if "shm" in config:
        values["shm"] = _parse_shm(config["shm"])
    if "serialization" in config:
        values["serializer"], values["deserializer"] = _parse_serialization(config["serialization"])

    policies = config.get("policies")
    if policies is not None and not isinstance(policies, dict):
        _ignored("policies", policies, "a dict")
        policies = None
    max_conns: Optional[int] = None
    thread_pool_size: Optional[int] = None
    batch_direct = False
    if policies is not None:
        # Client-wide settings 3.0.0 also took from inside 'policies' (the top-level keys below win).
        max_conns = _int_value(policies, "max_threads")
        thread_pool_size = _int_value(policies, "thread_pool_size")
        legacy_batch_direct = _bool_value(policies, "use_batch_direct")
        if legacy_batch_direct is not None:
            batch_direct = legacy_batch_direct
        batch = policies.get("batch")
        if isinstance(batch, dict) and isinstance(batch.get("use_batch_direct"), bool):
            batch_direct = batch["use_batch_direct"]
    defaults = build_defaults(policies, 0)

    number = _int_value(config, "thread_pool_size")
    if number is not None:
        thread_pool_size = number
    for name in ("max_threads", "max_conns_per_node"):
        number = _int_value(config, name)
        if number is not None:
            max_conns = number
    flag = _bool_value(config, "batch_direct")
    if flag is not None:
        batch_direct = flag
    number = _int_value(config, "connect_timeout")
    if number is not None:
        values["conn_timeout"] = _uint32(number) or DEFAULT_CONN_TIMEOUT_MS
    if "use_shared_connection" in config:
        values["use_shared_connection"] = _truth(config["use_shared_connection"])
    number = _int_value(config, "compression_threshold")
    if number is not None:
        threshold = ((number + (1 << 31)) & _U32_MASK) - (1 << 31)  # the C int it is stored in
        if threshold < 0:
            raise ParamError("Compression value must not be negative")
        values["compression_threshold"] = threshold
        # Read after the policy dicts, so it wins over policies['write']['compression_threshold'].
        defaults["write"] = _with(defaults["write"], compression_threshold=threshold)
    number = _int_value(config, "tend_interval")
    if number is not None:
        values["tend_interval"] = _uint32(number) or _MIN_TEND_INTERVAL_MS
    if "cluster_name" in config:
        name_value = config["cluster_name"]
        if isinstance(name_value, str):
            values["cluster_name"] = _c_string(name_value)
        elif name_value is not None:
            _ignored("cluster_name", name_value, "a string")
    flag = _bool_value(config, "strict_types")
    if flag is not None:
        values["strict_types"] = flag
    number = _int_value(config, "max_socket_idle")
    socket_idle_given = False
    if number is not None and number >= 0:
        values["max_socket_idle"] = min(_uint32(number), MAX_SOCKET_IDLE_LIMIT)
        socket_idle_given = True
    if "unpickle_python_blobs" in config:
        values["unpickle_python_blobs"] = _truth(config["unpickle_python_blobs"])
    for name in config:
        if name not in _KNOWN_KEYS:
            logger.warning("unknown config key %r ignored", name)

    if thread_pool_size is not None:
        values["thread_pool_size"] = _uint32(thread_pool_size)
    if max_conns is not None:
        values["max_conns_per_node"] = _uint32(max_conns)
    if batch_direct != defaults["batch"].use_batch_direct:
        defaults["batch"] = _with(defaults["batch"], use_batch_direct=batch_direct)
    values["batch_direct"] = batch_direct
    values["policies"] = defaults
    if tls.enable and not socket_idle_given:
        values["max_socket_idle"] = DEFAULT_TLS_SOCKET_IDLE
    return ClientConfig(**values)
