"""The `shm` config of the spec, as a validated frozen value.

Owns the defaults and the checks of the `shm` config dict; the client's config parser calls `ShmConfig.from_dict`.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from aerospike._frozen import Frozen

DEFAULT_SHM_KEY = 0xA7000000
DEFAULT_MAX_NODES = 16
DEFAULT_MAX_NAMESPACES = 8
DEFAULT_TAKEOVER_THRESHOLD_SEC = 30


class ShmConfig(Frozen):
    """`max_nodes`, `max_namespaces`, `takeover_threshold_sec` and `shm_key`.

    `shm_key` is None when the config does not name one: the client then uses DEFAULT_SHM_KEY, or, with
    `use_shared_connection`, a key derived from the cluster (the spec's implicit per-host key).
    """

    __slots__ = _fields = ("max_nodes", "max_namespaces", "takeover_threshold_sec", "shm_key")
    _defaults = {
        "max_nodes": DEFAULT_MAX_NODES,
        "max_namespaces": DEFAULT_MAX_NAMESPACES,
        "takeover_threshold_sec": DEFAULT_TAKEOVER_THRESHOLD_SEC,
        "shm_key": None,
    }
    max_nodes: int
    max_namespaces: int
    takeover_threshold_sec: float
    shm_key: Optional[int]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ShmConfig:
        """Validate the spec's `shm` dict; raises ValueError naming the bad key (the caller turns it into ParamError)."""
        if not isinstance(raw, Mapping):
            raise ValueError("shm must be a dict")
        values: dict[str, Any] = {}
        for name in ("max_nodes", "max_namespaces"):
            if name in raw:
                value = raw[name]
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1024:
                    raise ValueError(f"shm.{name} must be an integer from 1 to 1024")
                values[name] = value
        if "takeover_threshold_sec" in raw:
            value = raw["takeover_threshold_sec"]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError("shm.takeover_threshold_sec must be a positive number")
            values["takeover_threshold_sec"] = value
        if "shm_key" in raw:
            value = raw["shm_key"]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**32:
                raise ValueError("shm.shm_key must be an integer from 1 to 2**32 - 1")
            values["shm_key"] = value
        return cls(**values)
