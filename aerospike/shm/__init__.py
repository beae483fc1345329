"""Shared-memory cluster tending: many processes, one tender, one segment per shm key.

`SharedTending` is the tend strategy a Cluster uses when the client config has `shm`: pass it as the cluster's
`strategy_factory`. `shm_key_for(cluster_config)` is the key it uses (what `Client.shm_key()` reports).
Modules: config (the spec's `shm` dict), layout (bytes), segment (shared memory and lock files), election (who
tends), tending (the strategy), __main__ (`python -m aerospike.shm status|remove`).
"""

from aerospike.shm.config import ShmConfig
from aerospike.shm.tending import SharedTending, derive_shm_key, shm_key_for

__all__ = ["ShmConfig", "SharedTending", "derive_shm_key", "shm_key_for"]
