"""Shared-memory cluster tending: many processes, one tender, one segment per shm key.

`SharedTending` is the tend strategy a Cluster uses when the client config has `shm`: pass it as the cluster's
`strategy_factory`. `shm_key_for(cluster_config)` is the key it uses (what `Client.shm_key()` reports).
Modules: config (the spec's `shm` dict), layout (bytes), segment (shared memory and lock files), election (who
tends), tending (the strategy), __main__ (`python -m aerospike.shm status|remove`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aerospike.shm.config import ShmConfig
    from aerospike.shm.tending import SharedTending, derive_shm_key, shm_key_for

# Loaded on first use: `aerospike.shm.config` (read by every client's config parser) must not pull in the
# segment, election and tending modules (posix_ipc, mmap, fcntl) that only a client with `shm` runs.
_SOURCES = {"ShmConfig": "config", "SharedTending": "tending", "derive_shm_key": "tending", "shm_key_for": "tending"}


def __getattr__(name: str) -> Any:
    if name in _SOURCES:
        from importlib import import_module

        value = getattr(import_module(f"aerospike.shm.{_SOURCES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'aerospike.shm' has no attribute {name!r}")


__all__ = ["ShmConfig", "SharedTending", "derive_shm_key", "shm_key_for"]
