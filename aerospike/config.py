"""The config dict of ``aerospike.client(config)`` (aerospike.rst), parsed and checked once into frozen values.

Owns: the config keys of the spec, their defaults and checks (a known key with an ill-typed value raises
``ParamError`` naming the key; an unknown key logs a warning on the ``aerospike`` logger), and the conversion
to the engine room's ``ClusterConfig``. Must not know sockets or the protocol.

Besides the spec's keys, ``unpickle_python_blobs`` (bool, default True) turns off unpickling of Python blobs
read from the server (see values.py for the risk it guards against).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Mapping, Optional

from .exception import ParamError
from .policy import Policy, build_defaults
from .shm.config import ShmConfig

_IDENTITY_KEY = os.urandom(32)  # keys the password hash in shared-connection identities (see identity)

__all__ = ["ClientConfig", "LuaConfig", "TlsConfig", "parse_config"]

logger = logging.getLogger("aerospike")

DEFAULT_MAX_CONNS_PER_NODE = 300  # C client default behind 3.0.0
DEFAULT_TEND_INTERVAL_MS = 1000
DEFAULT_THREAD_POOL_SIZE = 16
DEFAULT_CONN_TIMEOUT_MS = 1000
MAX_SOCKET_IDLE_LIMIT = 86400
DEFAULT_TLS_SOCKET_IDLE = 55


@dataclass(frozen=True)
class TlsConfig:
    """The ``tls`` dict of the spec; stored for the connection layer."""

    enable: bool = False
    cafile: Optional[str] = None
    capath: Optional[str] = None
    protocols: Optional[str] = None
    cipher_suite: Optional[str] = None
    keyfile: Optional[str] = None
    cert_blacklist: Optional[str] = None
    certfile: Optional[str] = None
    crl_check: bool = False
    crl_check_all: bool = False
    log_session_info: bool = False


@dataclass(frozen=True)
class LuaConfig:
    """The ``lua`` dict of the spec."""

    system_path: str = "/usr/local/aerospike/lua"
    user_path: str = "./"


@dataclass(frozen=True)
class ClientConfig:
    """Everything the client needs from its config dict, checked."""

    hosts: tuple[tuple[str, int, Optional[str]], ...]
    policies: dict[str, Policy] = field(hash=False, compare=False)
    lua: LuaConfig = LuaConfig()
    tls: TlsConfig = TlsConfig()
    shm: Optional[ShmConfig] = None
    use_shared_connection: bool = False
    serializer: Optional[Callable[[Any], Any]] = None
    deserializer: Optional[Callable[[Any], Any]] = None
    thread_pool_size: int = DEFAULT_THREAD_POOL_SIZE
    max_socket_idle: int = 0
    max_conns_per_node: int = DEFAULT_MAX_CONNS_PER_NODE
    batch_direct: bool = False
    tend_interval: int = DEFAULT_TEND_INTERVAL_MS
    compression_threshold: int = 0
    cluster_name: Optional[str] = None
    unpickle_python_blobs: bool = True
    conn_timeout: int = DEFAULT_CONN_TIMEOUT_MS

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
            tls=asdict(self.tls) if self.tls.enable else None,
            shm=self.shm,
            shm_key=self.shm_key(),
            fail_if_not_connected=True,
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_key(name: str, value: Any, low: int, high: int = 2**31 - 1) -> int:
    if not _is_int(value) or not low <= value <= high:
        raise ParamError(f"config key {name!r} must be an integer from {low} to {high}")
    return int(value)


def _bool_key(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if _is_int(value) and value in (0, 1):
        return bool(value)
    raise ParamError(f"config key {name!r} must be a bool")


def _str_key(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ParamError(f"config key {name!r} must be a string")
    return value


def _parse_host(entry: Any) -> tuple[str, int, Optional[str]]:
    if isinstance(entry, (tuple, list)):
        if not 2 <= len(entry) <= 3:
            raise ParamError("config key 'hosts': each host must be (address, port[, tls_name])")
        address, port = entry[0], entry[1]
        tls_name = entry[2] if len(entry) == 3 else None
    else:
        raise ParamError("config key 'hosts': each host must be a tuple (address, port[, tls_name])")
    if not isinstance(address, str) or not address:
        raise ParamError("config key 'hosts': the address must be a non-empty string")
    if not _is_int(port) or not 0 < port < 65536:
        raise ParamError("config key 'hosts': the port must be an integer from 1 to 65535")
    if tls_name is not None and not isinstance(tls_name, str):
        raise ParamError("config key 'hosts': the tls-name must be a string")
    return address, int(port), tls_name


def _parse_hosts(value: Any) -> tuple[tuple[str, int, Optional[str]], ...]:
    if not isinstance(value, (list, tuple)) or isinstance(value, str):
        raise ParamError("config key 'hosts' must be a list of (address, port[, tls_name]) tuples")
    if not value:
        raise ParamError("config key 'hosts' must not be empty")
    # A 2- or 3-tuple of (str, int...) given directly is a single host, not a list of hosts.
    if isinstance(value, tuple) and value and isinstance(value[0], str):
        return (_parse_host(value),)
    return tuple(_parse_host(entry) for entry in value)


_TLS_STRINGS = ("cafile", "capath", "protocols", "cipher_suite", "keyfile", "cert_blacklist", "certfile")
_TLS_BOOLS = ("enable", "crl_check", "crl_check_all", "log_session_info")


def _parse_tls(value: Any) -> TlsConfig:
    if not isinstance(value, Mapping):
        raise ParamError("config key 'tls' must be a dict")
    values: dict[str, Any] = {}
    for name, item in value.items():
        if name in _TLS_STRINGS:
            if item is not None:
                values[name] = _str_key(f"tls.{name}", item)
        elif name in _TLS_BOOLS:
            values[name] = _bool_key(f"tls.{name}", item)
        else:
            logger.warning("unknown config key 'tls.%s' ignored", name)
    return TlsConfig(**values)


def _parse_lua(value: Any) -> LuaConfig:
    if not isinstance(value, Mapping):
        raise ParamError("config key 'lua' must be a dict")
    values: dict[str, Any] = {}
    for name, item in value.items():
        if name in ("system_path", "user_path"):
            values[name] = _str_key(f"lua.{name}", item)
        else:
            logger.warning("unknown config key 'lua.%s' ignored", name)
    return LuaConfig(**values)


def _parse_serialization(value: Any) -> tuple[Optional[Callable[[Any], Any]], Optional[Callable[[Any], Any]]]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ParamError("config key 'serialization' must be a (serializer, deserializer) tuple")
    serializer, deserializer = value
    for item in (serializer, deserializer):
        if item is not None and not callable(item):
            raise ParamError("config key 'serialization' must hold callables")
    return serializer, deserializer


def parse_config(config: Any) -> ClientConfig:
    """Check the config dict of the spec and return its frozen form."""
    if not isinstance(config, Mapping):
        raise ParamError("config must be a dict")
    if "hosts" not in config:
        raise ParamError("config key 'hosts' is required")
    values: dict[str, Any] = {"hosts": _parse_hosts(config["hosts"])}
    policies: Any = None
    tls_given = False
    socket_idle_given = False
    for name, value in config.items():
        if name == "hosts":
            continue
        if name == "policies":
            policies = value
        elif name == "lua":
            values["lua"] = _parse_lua(value)
        elif name == "tls":
            values["tls"] = _parse_tls(value)
            tls_given = True
        elif name == "shm":
            if value is None:
                continue
            try:
                values["shm"] = ShmConfig.from_dict(value)
            except ValueError as error:
                raise ParamError(f"config key 'shm': {error}") from None
        elif name == "use_shared_connection":
            values[name] = _bool_key(name, value)
        elif name == "serialization":
            values["serializer"], values["deserializer"] = _parse_serialization(value)
        elif name == "thread_pool_size":
            values[name] = _int_key(name, value, 1, 1024)
        elif name == "max_socket_idle":
            values[name] = _int_key(name, value, 0, MAX_SOCKET_IDLE_LIMIT)
            socket_idle_given = True
        elif name == "max_conns_per_node":
            values[name] = _int_key(name, value, 1)
        elif name == "batch_direct":
            values[name] = _bool_key(name, value)
        elif name == "tend_interval":
            values[name] = _int_key(name, value, 1)
        elif name == "compression_threshold":
            values[name] = _int_key(name, value, 0)
        elif name == "cluster_name":
            if value is not None:
                values[name] = _str_key(name, value)
        elif name == "unpickle_python_blobs":
            values[name] = _bool_key(name, value)
        elif name in ("connect_timeout", "conn_timeout"):
            values["conn_timeout"] = _int_key(name, value, 1)
        else:
            logger.warning("unknown config key %r ignored", name)
    values["policies"] = build_defaults(policies, values.get("compression_threshold", 0))
    if tls_given and values["tls"].enable and not socket_idle_given:
        values["max_socket_idle"] = DEFAULT_TLS_SOCKET_IDLE
    return ClientConfig(**values)
