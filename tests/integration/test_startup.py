"""What a plain `connect()` loads (docs/internals.md, "Startup"): no TLS, no security, no shared memory.

Each check runs in a fresh interpreter against the `cluster` fixture's node; the `shm` case shows the check sees
what a config that asks for shared memory loads.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

# Never loaded by connect() + get of a config without tls, user or shm.
NOT_LOADED_BY_CONNECT = (
    "ssl",
    "bcrypt",
    "lupa",
    "logging",
    "dataclasses",
    "aerospike.tls",
    "aerospike.admin",
    "aerospike.protocol.admin",
    "aerospike.shm.tending",
    "aerospike.shm.segment",
    "aerospike.shm.election",
    "aerospike.testing",
)


def connect_in_fresh_interpreter(host: str, port: int, extra_config: dict[str, Any]) -> list[str]:
    code = f"""
        import json, sys
        import aerospike
        config = {{"hosts": [({host!r}, {port})], **{extra_config!r}}}
        client = aerospike.client(config).connect()
        try:
            client.get(("test", "imp_startup", "k0"))
        except aerospike.exception.RecordNotFound:
            pass
        client.close()
        print(json.dumps([name for name in {NOT_LOADED_BY_CONNECT!r} if name in sys.modules]))
    """
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd="/", timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_plain_connect_loads_no_tls_security_or_shared_memory(cluster: Any) -> None:
    host, port = cluster.hosts[0]
    assert connect_in_fresh_interpreter(host, port, {}) == []


def test_a_config_with_shm_loads_shared_memory(cluster: Any) -> None:
    host, port = cluster.hosts[0]
    loaded = connect_in_fresh_interpreter(host, port, {"shm": {"shm_key": 0xA7E00011}})
    assert {"aerospike.shm.tending", "aerospike.shm.segment", "aerospike.shm.election"} <= set(loaded)
