"""A small WSGI app on the aerospike client: a counter and a profile store.

Routes (all JSON):
  POST /counter/<name>        increments counter <name> by one and returns its new value (operate: incr + read)
  GET  /counter/<name>        returns the counter's value
  PUT  /profile/<user>        stores the JSON object of the body as the user's profile bins (put)
  GET  /profile/<user>        returns the profile (get), 404 when missing
  GET  /whoami                the worker's pid and whether it tends the cluster (shared-memory mode)

Configuration comes from the environment: AEROSPIKE_HOSTS ("127.0.0.1:3000,127.0.0.1:3001"), AEROSPIKE_SHM_KEY
(hex or decimal; unset or "off" turns shared-memory tending off), AEROSPIKE_TEND_INTERVAL (ms),
AEROSPIKE_NAMESPACE (default "test").
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Iterable

import aerospike
from aerospike import exception as ex

NAMESPACE = os.environ.get("AEROSPIKE_NAMESPACE", "test")


def client_config() -> dict[str, Any]:
    hosts = []
    for item in os.environ.get("AEROSPIKE_HOSTS", "127.0.0.1:3000").split(","):
        host, _, port = item.strip().rpartition(":")
        hosts.append((host, int(port)))
    config: dict[str, Any] = {
        "hosts": hosts,
        "tend_interval": int(os.environ.get("AEROSPIKE_TEND_INTERVAL", "1000")),
        "policies": {"read": {"total_timeout": 2000}, "write": {"total_timeout": 2000}},
    }
    shm_key = os.environ.get("AEROSPIKE_SHM_KEY", "off")
    if shm_key != "off":
        config["shm"] = {
            "shm_key": int(shm_key, 0),
            "takeover_threshold_sec": float(os.environ.get("AEROSPIKE_TAKEOVER_SEC", "30")),
        }
    return config


# Created at import: with gunicorn's preload_app = True this runs once in the master, and every forked worker
# inherits the client. The client is fork-safe: a worker rebuilds its sockets and joins the tender election on
# first use, so nothing else is needed in post_fork.
client = aerospike.client(client_config()).connect()

Response = tuple[str, Any]


def _counter(method: str, name: str, body: bytes) -> Response:
    key = (NAMESPACE, "counters", name)
    if method == "POST":
        _, _, bins = client.operate(
            key,
            [
                {"op": aerospike.OPERATOR_INCR, "bin": "count", "val": 1},
                {"op": aerospike.OPERATOR_READ, "bin": "count"},
            ],
        )
        return "200 OK", {"counter": name, "count": bins["count"]}
    try:
        _, _, bins = client.get(key)
    except ex.RecordNotFound:
        return "200 OK", {"counter": name, "count": 0}
    return "200 OK", {"counter": name, "count": bins["count"]}


def _profile(method: str, user: str, body: bytes) -> Response:
    key = (NAMESPACE, "profiles", user)
    if method == "PUT":
        profile = json.loads(body or b"{}")
        if not isinstance(profile, dict):
            return "400 Bad Request", {"error": "profile must be a JSON object"}
        client.put(key, profile)
        return "200 OK", {"stored": user}
    try:
        _, meta, bins = client.get(key)
    except ex.RecordNotFound:
        return "404 Not Found", {"error": f"no profile for {user}"}
    return "200 OK", {"user": user, "profile": bins, "generation": meta["gen"]}


def _whoami(method: str, _: str, body: bytes) -> Response:
    return "200 OK", {"pid": os.getpid(), "tending": client.is_tending()}


ROUTES: dict[str, Callable[[str, str, bytes], Response]] = {
    "counter": _counter,
    "profile": _profile,
    "whoami": _whoami,
}


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    method = environ["REQUEST_METHOD"]
    parts = environ.get("PATH_INFO", "/").strip("/").split("/", 1)
    handler = ROUTES.get(parts[0])
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    if handler is None:
        status, payload = "404 Not Found", {"error": "no such route"}
    else:
        try:
            status, payload = handler(method, parts[1] if len(parts) > 1 else "", body)
        except ex.AerospikeError as error:
            status, payload = "503 Service Unavailable", {"error": type(error).__name__, "code": error.code}
    data = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
