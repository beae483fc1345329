"""Policies of the spec as frozen objects, built once from dicts and merged cheaply per call.

Owns: the policy kinds of client.rst/query.rst/scan.rst (read, write, operate, apply, remove, batch, query,
scan, info, admin), which keys each kind reads, defaults and value checks, the deprecated top-level defaults of
``config['policies']``, and :class:`Resolver`, which lays a per-call dict over a client default.
Must not know sockets or the protocol.

The parsing follows client 3.0.0 (its policy.c for per-call dicts, policy_config.c and the client constructor
for ``config['policies']``):

- per call: None means the client's default; anything but a dict raises ``ParamError('policy must be a dict')``;
  each key the kind reads must hold an ``int`` (``bool`` included) or raises ``ParamError('<key> is invalid')``,
  and its value is taken as the C client takes it (cast to 32 bits, enums and flags unchecked); keys a kind does
  not read (unknown ones, old names such as ``retry``, ``consistency``, ``commit``) are ignored. ``timeout`` is
  the pre-3.0 name of ``total_timeout`` (which wins when both are given); for info and admin it is the field.
- in the config: a kind's dict may hold only in-range unsigned 32-bit integers and ``bool`` flags, else
  ``ParamError('Invalid Policy setting value')``; the deprecated top-level keys apply only when they hold ints.

Every policy object carries every attribute (with the kind's defaults), so the command loop can read
``total_timeout``, ``socket_timeout``, ``sleep_between_retries`` (ms), ``max_retries`` and ``replica`` from any.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ._constants import (
    POLICY_COMMIT_LEVEL_ALL,
    POLICY_CONSISTENCY_ONE,
    POLICY_EXISTS_IGNORE,
    POLICY_GEN_IGNORE,
    POLICY_KEY_DIGEST,
    POLICY_REPLICA_MASTER,
)
from .exception import ParamError

__all__ = ["KINDS", "Policy", "Resolver", "build", "build_defaults", "resolve"]

_U32_MASK = 0xFFFFFFFF
_U16_MASK = 0xFFFF
_INT32_LIMIT = 1 << 31

# How a field's value is stored: "u32" (cast to unsigned 32 bits), "u16", "enum" (a C enum: 32-bit signed),
# "flag" (C bool: any non-zero int is true).
_FIELDS: dict[str, tuple[str, Any]] = {
    "total_timeout": ("u32", 1000),
    "socket_timeout": ("u32", 0),
    "max_retries": ("u32", 0),
    "sleep_between_retries": ("u32", 0),
    "key": ("enum", POLICY_KEY_DIGEST),
    "exists": ("enum", POLICY_EXISTS_IGNORE),
    "gen": ("enum", POLICY_GEN_IGNORE),
    "generation": ("u16", 0),
    "commit_level": ("enum", POLICY_COMMIT_LEVEL_ALL),
    "consistency_level": ("enum", POLICY_CONSISTENCY_ONE),
    "replica": ("enum", POLICY_REPLICA_MASTER),
    "durable_delete": ("flag", False),
    "linearize_read": ("flag", False),
    "deserialize": ("flag", True),
    "compression_threshold": ("u32", 0),
    "concurrent": ("flag", False),
    "allow_inline": ("flag", True),
    "send_set_name": ("flag", False),
    "use_batch_direct": ("flag", False),
    "fail_on_cluster_change": ("flag", False),
    "send_as_is": ("flag", True),
    "check_bounds": ("flag", True),
    "timeout": ("u32", 1000),
    # The current API's filter expression (19.x 'expressions' of every command policy): the encoded bytes.
    "expressions": ("exp", None),
}

_BASE = ("total_timeout", "socket_timeout", "max_retries", "sleep_between_retries")

# Per kind: the keys a per-call dict is read for, in the order 3.0.0 reads them (the first bad one is reported),
# and the kind's defaults where they differ from _FIELDS. "timeout" is read first by every kind but info/admin.
KINDS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "read": (_BASE + ("key", "consistency_level", "replica", "deserialize", "linearize_read"), {"max_retries": 2}),
    "write": (
        _BASE + ("key", "gen", "exists", "commit_level", "durable_delete", "replica", "compression_threshold"),
        {},
    ),
    "apply": (_BASE + ("key", "replica", "gen", "commit_level", "durable_delete", "linearize_read"), {}),
    "remove": (_BASE + ("generation", "key", "gen", "commit_level", "replica", "durable_delete"), {}),
    "operate": (
        _BASE
        + ("key", "gen", "commit_level", "consistency_level", "replica", "durable_delete", "deserialize",
           "linearize_read"),
        {},
    ),
    "batch": (
        _BASE
        + ("consistency_level", "concurrent", "use_batch_direct", "allow_inline", "send_set_name", "deserialize",
           "linearize_read"),
        {"max_retries": 2},
    ),
    "query": (_BASE + ("deserialize",), {"socket_timeout": 10000, "total_timeout": 0}),
    "scan": (
        _BASE + ("fail_on_cluster_change", "durable_delete"),
        {"socket_timeout": 10000, "total_timeout": 0},
    ),
    "info": (("timeout", "send_as_is", "check_bounds"), {}),
    "admin": (("timeout",), {}),
}

# The keys config['policies'][kind] is read for (3.0.0's policy_config.c): no 'timeout', no 'generation', and
# no info or admin dicts at all.
_CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "read": _BASE + ("key", "replica", "consistency_level", "deserialize", "linearize_read"),
    "write": _BASE + ("key", "replica", "commit_level", "gen", "exists", "compression_threshold", "durable_delete"),
    "apply": _BASE + ("key", "replica", "gen", "commit_level", "durable_delete", "linearize_read"),
    "remove": _BASE + ("key", "replica", "commit_level", "gen", "durable_delete"),
    "query": _BASE + ("deserialize",),
    "scan": _BASE + ("durable_delete", "fail_on_cluster_change"),
    "operate": _BASE
    + ("key", "replica", "commit_level", "gen", "consistency_level", "durable_delete", "deserialize",
       "linearize_read"),
    "batch": _BASE
    + ("consistency_level", "concurrent", "use_batch_direct", "allow_inline", "send_set_name", "deserialize",
       "linearize_read"),
}

_COMMAND_KINDS = ("read", "write", "apply", "operate", "query", "scan", "remove", "batch")

# Deprecated top-level keys of config['policies'] and the kinds each one is a default for (3.0.0's constructor).
# 'timeout' is total_timeout. A value that is not an int is ignored, as 3.0.0 ignored it.
DEPRECATED_DEFAULTS: dict[str, tuple[str, ...]] = {
    "key": ("read", "write", "apply", "operate", "remove"),
    "timeout": _COMMAND_KINDS,
    "socket_timeout": _COMMAND_KINDS,
    "total_timeout": _COMMAND_KINDS,
    "max_retries": _COMMAND_KINDS,
    "exists": ("write",),
    "replica": ("read", "write", "apply", "operate", "remove"),
    "consistency_level": ("read", "operate", "batch"),
    "commit_level": ("write", "apply", "operate", "remove"),
}


def _cast(name: str, value: int) -> Any:
    """The value a C client field of `name` holds after 3.0.0's cast of the Python int `value`."""
    storage = _FIELDS[name][0]
    if storage == "flag":
        return value != 0
    if storage == "u32":
        return value & _U32_MASK
    if storage == "u16":
        return value & _U16_MASK
    value &= _U32_MASK  # an enum: a 32-bit signed int
    return value - (1 << 32) if value >= _INT32_LIMIT else value


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
    generation: int
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
    send_as_is: bool
    check_bounds: bool
    timeout: int
    expressions: Optional[bytes]

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

    def replace(self, **changes: Any) -> Policy:
        """A copy with some attributes changed (values taken as given)."""
        values = {name: getattr(self, name) for name in _FIELDS}
        values.update(changes)
        return Policy(self.kind, values)

    def as_dict(self) -> dict[str, Any]:
        """The keys this kind reads with their values."""
        return {name: getattr(self, name) for name in sorted(KINDS[self.kind][0])}

    def __repr__(self) -> str:
        return f"Policy({self.kind!r}, {self.as_dict()!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self.kind == other.kind and all(getattr(self, n) == getattr(other, n) for n in _FIELDS)

    def __hash__(self) -> int:
        return hash((self.kind,) + tuple(getattr(self, n) for n in _FIELDS))


def _apply(kind: str, values: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """Lay a per-call dict over `values` as 3.0.0's pyobject_to_policy_<kind> does."""
    keys = KINDS[kind][0]
    if kind not in ("info", "admin"):
        if "timeout" in overrides:
            legacy = overrides["timeout"]
            if not isinstance(legacy, int):
                raise ParamError("timeout is invalid")
            values["total_timeout"] = legacy & _U32_MASK
    for name in keys:
        value = overrides.get(name)
        if value is None:
            if name in overrides:
                raise ParamError(f"{name} is invalid")
            continue
        if not isinstance(value, int):
            raise ParamError(f"{name} is invalid")
        values[name] = _cast(name, value)


def _defaults(kind: str) -> dict[str, Any]:
    values = {name: default for name, (_, default) in _FIELDS.items()}
    values.update(KINDS[kind][1])
    return values


def _batch_replica(values: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    # The current API's batch policy routes by 'replica' (19.x); 3.0.0's had no such key and ignored it, so a
    # value that is not an int is still ignored rather than refused.
    replica = overrides.get("replica")
    if isinstance(replica, int) and not isinstance(replica, bool):
        values["replica"] = _cast("replica", replica)


def build(kind: str, overrides: Optional[Mapping[str, Any]] = None, base: Optional[Policy] = None) -> Policy:
    """A policy of `kind`: `base` (or the kind's defaults) with the per-call dict `overrides` laid over it."""
    if kind not in KINDS:
        raise ParamError(f"unknown policy kind {kind!r}")
    if base is not None:
        values = {name: getattr(base, name) for name in _FIELDS}
    else:
        values = _defaults(kind)
    if overrides is not None:
        if not isinstance(overrides, dict):
            raise ParamError("policy must be a dict")
        _apply(kind, values, overrides)
        if kind == "batch":
            _batch_replica(values, overrides)
        if overrides.get("expressions") is not None and kind in _COMMAND_KINDS:
            from .ops.exp_ops import encode_filter  # the current API's filter expressions

            values["expressions"] = encode_filter(overrides["expressions"])
    return Policy(kind, values)


def _config_value(name: str, value: Any) -> Any:
    # policy_config.c: unsigned 32-bit fields take an int in range, flags take a bool; anything else fails.
    if _FIELDS[name][0] == "flag":
        if not isinstance(value, bool):
            raise ParamError("Invalid Policy setting value")
        return value
    if not isinstance(value, int) or not 0 <= value <= _U32_MASK:
        raise ParamError("Invalid Policy setting value")
    return _cast(name, value)


class _DefaultPolicies(dict):
    """A client's default policy of each kind. A kind the config does not touch is built on first use (most
    programs use a few of the ten kinds) and shared by every client of the process: policies are frozen."""

    __slots__ = ()

    def __missing__(self, kind: str) -> Policy:
        if kind not in KINDS:
            raise KeyError(kind)
        policy = _PLAIN_DEFAULTS.get(kind)
        if policy is None:
            policy = _PLAIN_DEFAULTS[kind] = Policy(kind, _defaults(kind))
        self[kind] = policy
        return policy


_PLAIN_DEFAULTS: dict[str, Policy] = {}


def build_defaults(
    policies: Optional[Mapping[str, Any]], compression_threshold: int = 0
) -> dict[str, Policy]:
    """The client's default policy of every kind from ``config['policies']`` (deprecated keys included).

    `compression_threshold` is the deprecated top-level config key: the default of every policy kind that has
    the field (the write policy), under what the kind's own dict says. A `policies` value that is not a dict is
    ignored, as 3.0.0 ignored it.
    """
    if not isinstance(policies, dict):
        policies = {}
    values: dict[str, dict[str, Any]] = {}  # the kinds the config changes

    def kind_values(kind: str) -> dict[str, Any]:
        found = values.get(kind)
        if found is None:
            found = values[kind] = _defaults(kind)
        return found

    if compression_threshold:
        kind_values("write")["compression_threshold"] = compression_threshold & _U32_MASK
    for name, targets in DEPRECATED_DEFAULTS.items():
        value = policies.get(name)
        if value is None or not isinstance(value, int):
            continue
        target = "total_timeout" if name == "timeout" else name
        for kind in targets:
            kind_values(kind)[target] = _cast(target, value)
    for kind, keys in _CONFIG_KEYS.items():
        if kind not in policies:
            continue
        specific = policies[kind]
        if not isinstance(specific, dict):
            raise ParamError("Invalid Policy setting value")
        for name in keys:
            if name in specific:
                kind_values(kind)[name] = _config_value(name, specific[name])
        if kind == "batch":
            _batch_replica(kind_values(kind), specific)
    defaults = _DefaultPolicies()
    for kind, kind_dict in values.items():
        defaults[kind] = Policy(kind, kind_dict)
    return defaults


_CACHE_LIMIT = 512


class Resolver:
    """Per-call policy resolution for one client: None -> the default object; a dict -> a cached merge."""

    __slots__ = ("defaults", "_cache")

    def __init__(self, defaults: dict[str, Policy]) -> None:
        self.defaults = defaults
        self._cache: dict[tuple, Policy] = {}

    def resolve(self, kind: str, policy: Any) -> Policy:
        """The policy of `kind` for one call; ParamError when `policy` is not a dict or a key it reads is bad."""
        if policy is None:
            return self.defaults[kind]
        if type(policy) is not dict:
            if isinstance(policy, Policy):
                return policy
            if not isinstance(policy, dict):
                raise ParamError("policy must be a dict")
        if not policy:
            return self.defaults[kind]
        try:
            # The value's type is part of the key: 1 and 1.0 (or True) hash alike but do not parse alike.
            cache_key = (kind,) + tuple((name, type(value), value) for name, value in policy.items())
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
    if isinstance(policy, Policy):
        return policy
    return build(kind, policy, defaults[kind])
