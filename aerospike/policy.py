"""Policies of the spec as frozen objects, built once from dicts and merged cheaply per call.

Owns: the policy kinds of client.rst/query.rst/scan.rst (read, write, operate, apply, remove, batch, query,
scan, info, admin), their keys, defaults and value checks, the deprecated top-level defaults of
``config['policies']``, and :func:`resolve`, which lays a per-call dict over a client default.
Must not know sockets or the protocol. A bad key or value raises ``exception.ParamError`` naming it.

Every policy object carries every attribute (with the kind's defaults), so the command loop can read
``total_timeout``, ``socket_timeout``, ``sleep_between_retries`` (ms), ``max_retries`` and ``replica`` from any.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from ._constants import (
    POLICY_COMMIT_LEVEL_ALL,
    POLICY_COMMIT_LEVEL_MASTER,
    POLICY_CONSISTENCY_ALL,
    POLICY_CONSISTENCY_ONE,
    POLICY_EXISTS_CREATE,
    POLICY_EXISTS_CREATE_OR_REPLACE,
    POLICY_EXISTS_IGNORE,
    POLICY_EXISTS_REPLACE,
    POLICY_EXISTS_UPDATE,
    POLICY_GEN_EQ,
    POLICY_GEN_GT,
    POLICY_GEN_IGNORE,
    POLICY_KEY_DIGEST,
    POLICY_KEY_SEND,
    POLICY_REPLICA_ANY,
    POLICY_REPLICA_MASTER,
    POLICY_REPLICA_SEQUENCE,
    POLICY_RETRY_NONE,
    POLICY_RETRY_ONCE,
)
from .exception import ParamError

__all__ = ["KINDS", "Policy", "build", "build_defaults", "resolve"]

_U32_MAX = 0xFFFFFFFF


def _uint(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"policy key {name!r} must be an integer, not {type(value).__name__}")
    if not 0 <= value <= _U32_MAX:
        raise ParamError(f"policy key {name!r} must be between 0 and {_U32_MAX}")
    return int(value)


def _flag(name: str, value: Any) -> bool:
    # 3.0.0 read these with PyObject_IsTrue-like rules on ints; accept bools and 0/1 integers only.
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ParamError(f"policy key {name!r} must be a bool, not {value!r}")


def _choice(*allowed: int) -> Callable[[str, Any], int]:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            raise ParamError(f"policy key {name!r} has invalid value {value!r}")
        return int(value)

    return check


_KEY = _choice(POLICY_KEY_DIGEST, POLICY_KEY_SEND)
_EXISTS = _choice(
    POLICY_EXISTS_IGNORE,
    POLICY_EXISTS_CREATE,
    POLICY_EXISTS_UPDATE,
    POLICY_EXISTS_REPLACE,
    POLICY_EXISTS_CREATE_OR_REPLACE,
)
_GEN = _choice(POLICY_GEN_IGNORE, POLICY_GEN_EQ, POLICY_GEN_GT)
_COMMIT = _choice(POLICY_COMMIT_LEVEL_ALL, POLICY_COMMIT_LEVEL_MASTER)
_CONSISTENCY = _choice(POLICY_CONSISTENCY_ONE, POLICY_CONSISTENCY_ALL)
_REPLICA = _choice(POLICY_REPLICA_MASTER, POLICY_REPLICA_ANY, POLICY_REPLICA_SEQUENCE)
_RETRY = _choice(POLICY_RETRY_NONE, POLICY_RETRY_ONCE)

# Every attribute a policy object has, with its checker and the value it has unless a kind says otherwise.
_FIELDS: dict[str, tuple[Callable[[str, Any], Any], Any]] = {
    "total_timeout": (_uint, 1000),
    "socket_timeout": (_uint, 0),
    "max_retries": (_uint, 0),
    "sleep_between_retries": (_uint, 0),
    "key": (_KEY, POLICY_KEY_DIGEST),
    "exists": (_EXISTS, POLICY_EXISTS_IGNORE),
    "gen": (_GEN, POLICY_GEN_IGNORE),
    "commit_level": (_COMMIT, POLICY_COMMIT_LEVEL_ALL),
    "consistency_level": (_CONSISTENCY, POLICY_CONSISTENCY_ONE),
    "replica": (_REPLICA, POLICY_REPLICA_MASTER),
    "durable_delete": (_flag, False),
    "linearize_read": (_flag, False),
    "deserialize": (_flag, True),
    "compression_threshold": (_uint, 0),
    "concurrent": (_flag, False),
    "allow_inline": (_flag, True),
    "send_set_name": (_flag, False),
    "use_batch_direct": (_flag, False),
    "fail_on_cluster_change": (_flag, False),
    "timeout": (_uint, 1000),
}

_TIMING = ("total_timeout", "socket_timeout", "max_retries", "sleep_between_retries")

# Keys each kind accepts (spec) and its defaults where they differ from _FIELDS.
KINDS: dict[str, tuple[frozenset[str], dict[str, Any]]] = {
    "read": (
        frozenset(_TIMING + ("deserialize", "linearize_read", "key", "consistency_level", "replica")),
        {"max_retries": 2},
    ),
    "write": (
        frozenset(
            _TIMING
            + ("key", "exists", "gen", "commit_level", "durable_delete", "compression_threshold", "replica")
        ),
        {},
    ),
    "operate": (
        frozenset(
            _TIMING
            + (
                "linearize_read",
                "key",
                "gen",
                "replica",
                "commit_level",
                "consistency_level",
                "durable_delete",
                "exists",
                "deserialize",
            )
        ),
        {},
    ),
    "apply": (
        frozenset(_TIMING + ("linearize_read", "key", "commit_level", "durable_delete", "replica", "gen")),
        {},
    ),
    "remove": (
        frozenset(_TIMING + ("key", "commit_level", "gen", "durable_delete", "replica")),
        {},
    ),
    "batch": (
        frozenset(
            _TIMING
            + (
                "linearize_read",
                "consistency_level",
                "concurrent",
                "allow_inline",
                "send_set_name",
                "deserialize",
                "use_batch_direct",
                "replica",
            )
        ),
        {"max_retries": 2},
    ),
    "query": (frozenset(_TIMING + ("deserialize",)), {"socket_timeout": 10000, "total_timeout": 0}),
    "scan": (
        frozenset(_TIMING + ("fail_on_cluster_change", "durable_delete")),
        {"socket_timeout": 10000, "total_timeout": 0},
    ),
    "info": (frozenset(("timeout",)), {}),
    "admin": (frozenset(("timeout",)), {}),
}

# Deprecated top-level keys of config['policies'] and the kinds each one is a default for (aerospike.rst).
DEPRECATED_DEFAULTS: dict[str, tuple[str, ...]] = {
    "total_timeout": ("read", "write", "operate", "apply", "remove", "batch", "query", "scan"),
    "timeout": ("read", "write", "operate", "apply", "remove", "batch", "query", "scan", "info", "admin"),
    "key": ("read", "write", "apply", "operate", "remove"),
    "exists": ("write",),
    "max_retries": ("read", "write", "operate", "apply", "remove", "batch", "query", "scan"),
    "consistency_level": ("read", "operate", "batch"),
    "replica": ("read", "write", "apply", "operate", "remove"),
    "commit_level": ("write", "apply", "operate", "remove"),
}


class Policy:
    """A frozen policy of one kind; every key of every kind is an attribute."""

    __slots__ = ("kind",) + tuple(_FIELDS) + ("_frozen",)

    kind: str
    total_timeout: int
    socket_timeout: int
    max_retries: int
    sleep_between_retries: int
    key: int
    exists: int
    gen: int
    commit_level: int
    consistency_level: int
    replica: int
    durable_delete: bool
    linearize_read: bool
    deserialize: bool
    compression_threshold: int
    concurrent: bool
    allow_inline: bool
    send_set_name: bool
    use_batch_direct: bool
    fail_on_cluster_change: bool
    timeout: int

    def __init__(self, kind: str, values: Mapping[str, Any]) -> None:
        setter = object.__setattr__
        setter(self, "kind", kind)
        for name, value in values.items():
            setter(self, name, value)
        # socket_timeout above total_timeout is capped to it (spec: both non-zero).
        if self.socket_timeout and self.total_timeout and self.socket_timeout > self.total_timeout:
            setter(self, "socket_timeout", self.total_timeout)
        setter(self, "_frozen", True)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("policies are frozen")

    def as_dict(self) -> dict[str, Any]:
        """The keys this kind accepts with their values."""
        return {name: getattr(self, name) for name in sorted(KINDS[self.kind][0])}

    def __repr__(self) -> str:
        return f"Policy({self.kind!r}, {self.as_dict()!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self.kind == other.kind and all(getattr(self, n) == getattr(other, n) for n in _FIELDS)

    def __hash__(self) -> int:
        return hash((self.kind,) + tuple(getattr(self, n) for n in _FIELDS))


def _apply(kind: str, values: dict[str, Any], overrides: Mapping[str, Any], strict: bool = True) -> None:
    allowed = KINDS[kind][0]
    for name, value in overrides.items():
        if name == "retry":
            # 3.0.0's legacy retry key (POLICY_RETRY_*): ONCE means one retry unless max_retries is given.
            if "max_retries" not in overrides:
                values["max_retries"] = 1 if _RETRY(name, value) == POLICY_RETRY_ONCE else 0
            continue
        if name == "timeout" and kind not in ("info", "admin"):
            # The pre-3.0 name of total_timeout.
            values["total_timeout"] = _uint(name, value)
            continue
        if name not in allowed:
            if not isinstance(name, str):
                raise ParamError(f"policy keys must be strings, not {name!r}")
            if strict:
                raise ParamError(f"invalid {kind} policy key {name!r}")
            continue
        values[name] = _FIELDS[name][0](name, value)


def _defaults(kind: str) -> dict[str, Any]:
    values = {name: default for name, (_, default) in _FIELDS.items()}
    values.update(KINDS[kind][1])
    return values


def build(kind: str, overrides: Optional[Mapping[str, Any]] = None, base: Optional[Policy] = None) -> Policy:
    """A policy of `kind`: `base` (or the kind's defaults) with `overrides` laid over it."""
    if kind not in KINDS:
        raise ParamError(f"unknown policy kind {kind!r}")
    if base is not None:
        values = {name: getattr(base, name) for name in _FIELDS}
    else:
        values = _defaults(kind)
    if overrides:
        if not isinstance(overrides, Mapping):
            raise ParamError(f"{kind} policy must be a dict")
        _apply(kind, values, overrides)
    return Policy(kind, values)


def build_defaults(
    policies: Optional[Mapping[str, Any]], compression_threshold: int = 0
) -> dict[str, Policy]:
    """The client's default policy of every kind from ``config['policies']`` (deprecated keys included).

    `compression_threshold` is the deprecated top-level config key: the default of every policy kind that has
    the field (the write policy), under what the kind's own dict says.
    """
    if policies is None:
        policies = {}
    if not isinstance(policies, Mapping):
        raise ParamError("config key 'policies' must be a dict")
    shared: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    for name, value in policies.items():
        if name in KINDS:
            if not isinstance(value, Mapping):
                raise ParamError(f"config key 'policies.{name}' must be a dict")
            continue
        targets = DEPRECATED_DEFAULTS.get(name)
        if targets is None:
            raise ParamError(f"invalid config key 'policies.{name}'")
        for kind in targets:
            # 'timeout' means total_timeout for command kinds and timeout for info/admin.
            target = name
            if name == "timeout":
                target = "timeout" if kind in ("info", "admin") else "total_timeout"
            shared[kind][target] = _FIELDS[target][0](f"policies.{name}", value)
    if compression_threshold:
        for kind in KINDS:
            if "compression_threshold" in KINDS[kind][0]:
                shared[kind].setdefault("compression_threshold", compression_threshold)
    result = {}
    for kind in KINDS:
        values = _defaults(kind)
        values.update(shared[kind])
        specific = policies.get(kind)
        if specific:
            _apply(kind, values, specific)
        result[kind] = Policy(kind, values)
    return result


_CACHE_LIMIT = 512


class Resolver:
    """Per-call policy resolution for one client: None -> the default object; a dict -> a cached merge."""

    __slots__ = ("defaults", "_cache")

    def __init__(self, defaults: dict[str, Policy]) -> None:
        self.defaults = defaults
        self._cache: dict[tuple, Policy] = {}

    def resolve(self, kind: str, policy: Any) -> Policy:
        """The policy of `kind` for one call; ParamError when `policy` is not a dict or has bad keys."""
        if policy is None:
            return self.defaults[kind]
        if type(policy) is not dict:
            if isinstance(policy, Policy):
                return policy
            if not isinstance(policy, Mapping):
                raise ParamError("policy must be a dict")
        if not policy:
            return self.defaults[kind]
        try:
            cache_key = (kind,) + tuple(policy.items())
            cached = self._cache.get(cache_key)
        except TypeError:  # an unhashable value; merge without caching
            return build(kind, policy, self.defaults[kind])
        if cached is not None:
            return cached
        built = build(kind, policy, self.defaults[kind])
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[cache_key] = built
        return built


def resolve(defaults: dict[str, Policy], kind: str, policy: Any) -> Policy:
    """One-off resolution without a cache (see :class:`Resolver` for the client's cached path)."""
    if policy is None:
        return defaults[kind]
    if not isinstance(policy, Mapping):
        raise ParamError("policy must be a dict")
    return build(kind, policy, defaults[kind])
