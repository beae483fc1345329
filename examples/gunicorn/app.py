"""A small WSGI app on the aerospike client: a counter and a profile store.

Routes (all JSON; every response carries the serving worker's pid in the `X-Worker-Pid` header):
  POST /counter/<name>        increments counter <name> by one and returns its new value (operate: incr + read)
  GET  /counter/<name>        returns the counter's value
  PUT  /profile/<user>        stores the JSON object of the body as the user's profile bins (put)
  GET  /profile/<user>        returns the profile (get), 404 when missing
  GET  /whoami                the worker's pid, the shm key, the segment's tender pid and whether this worker tends

Configuration comes from the environment: AEROSPIKE_HOSTS ("127.0.0.1:3000,127.0.0.1:3001"), AEROSPIKE_SHM_KEY
(hex or decimal; unset or "off" turns shared-memory tending off), AEROSPIKE_TAKEOVER_SEC (shm
takeover_threshold_sec, default 30), AEROSPIKE_TEND_INTERVAL (ms, default 1000), AEROSPIKE_NAMESPACE (default
"test").

The client is built (and its config validated) at import, but connected only in the worker: gunicorn.conf.py's
post_fork calls connect_client() (under uWSGI, uwsgi.post_fork_hook does). With preload_app = True the import runs in the master, and a master that
connected would tend the cluster from a process that keeps forking workers while its tend thread runs. Requests
also connect lazily, so the app works under servers without a post-fork hook.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any, Callable, Iterable, Optional

import aerospike
from aerospike import exception as ex
from aerospike.shm.layout import MAGIC, TENDER_PID_OFFSET, read_header, read_u64
from aerospike.shm.segment import open_read_only

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


client = aerospike.client(client_config())
_connect_lock = threading.Lock()


def connect_client() -> Any:
    """Connect this process's client (once); gunicorn's post_fork calls it in every new worker."""
    if not client.is_connected():
        with _connect_lock:
            if not client.is_connected():
                client.connect()
    return client


def segment_tender_pid(shm_key: Optional[int]) -> Optional[int]:
    """The pid the shared-memory segment of `shm_key` names as its tender; None without a segment."""
    if shm_key is None:
        return None
    memory = open_read_only(shm_key)
    if memory is None:
        return None
    with memory:
        buffer = memoryview(memory)
        try:
            if read_header(buffer).magic != MAGIC:
                return None
            return read_u64(buffer, TENDER_PID_OFFSET) or None
        finally:
            buffer.release()


def _register_uwsgi_hooks() -> None:
    """Under uWSGI (which imports the app in its master, as gunicorn's preload_app does): connect in each worker
    after the fork, close when the worker exits."""
    try:
        import uwsgi  # type: ignore[import-not-found]  # exists only inside a uWSGI process
    except ImportError:
        return
    uwsgi.post_fork_hook = connect_client
    uwsgi.atexit = client.close


_register_uwsgi_hooks()

Response = tuple[str, Any]


def _counter(method: str, name: str, body: bytes) -> Response:
    key = (NAMESPACE, "counters", name)
    if method == "POST":
        _, _, bins = connect_client().operate(
            key,
            [
                {"op": aerospike.OPERATOR_INCR, "bin": "count", "val": 1},
                {"op": aerospike.OPERATOR_READ, "bin": "count"},
            ],
        )
        return "200 OK", {"counter": name, "count": bins["count"]}
    if method != "GET":
        return "405 Method Not Allowed", {"error": f"{method} not allowed"}
    try:
        _, _, bins = connect_client().get(key)
    except ex.RecordNotFound:
        return "200 OK", {"counter": name, "count": 0}
    return "200 OK", {"counter": name, "count": bins["count"]}


def _profile(method: str, user: str, body: bytes) -> Response:
    key = (NAMESPACE, "profiles", user)
    if method == "PUT":
        try:
            profile = json.loads(body or b"{}")
        except ValueError:
            return "400 Bad Request", {"error": "the body is not JSON"}
        if not isinstance(profile, dict) or not profile:
            return "400 Bad Request", {"error": "profile must be a non-empty JSON object"}
        connect_client().put(key, profile)
        return "200 OK", {"stored": user}
    if method != "GET":
        return "405 Method Not Allowed", {"error": f"{method} not allowed"}
    try:
        _, meta, bins = connect_client().get(key)
    except ex.RecordNotFound:
        return "404 Not Found", {"error": f"no profile for {user}"}
    return "200 OK", {"user": user, "profile": bins, "generation": meta["gen"]}


def _whoami(method: str, _: str, body: bytes) -> Response:
    shm_key = connect_client().shm_key()
    tender = segment_tender_pid(shm_key)
    payload: dict[str, Any] = {
        "pid": os.getpid(),
        "shm_key": shm_key,
        "tender_pid": tender,
        "tending": tender == os.getpid(),
    }
    return "200 OK", payload


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
    payload: Any
    if handler is None:
        status, payload = "404 Not Found", {"error": "no such route"}
    else:
        try:
            status, payload = handler(method, parts[1] if len(parts) > 1 else "", body)
        except ex.AerospikeError as error:
            status, payload = "503 Service Unavailable", {"error": type(error).__name__, "code": error.code}
    data = json.dumps(payload).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("X-Worker-Pid", str(os.getpid())),
        ],
    )
    return [data]
