"""The same operations through the official client and ours, against twin local clusters, give equal results.

The operations are the Python calls the transcripts recorded (files 03 and 04): the official client runs them as
recorded (its 19.3.0 names); ours runs them through the 3.0.0 API (operation dicts instead of the
`aerospike_helpers` functions, `info_node` instead of `info_single_node`). Results are compared as values, so the
3.0.0 result types compare equal where they differ only in type: `bytearray` for blobs (19.3.0 returns `bytes`),
and a `GeoJSON` object for a GeoJSON bin (19.3.0's repr
is the JSON text). Errors compare by code and message; `EXCEPTION_CLASS_DIFFERENCES` lists where the class differs,
`API_DIFFERENCES` the calls whose outcome 3.0.0 defines otherwise (they must differ).
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest

import aerospike
from aerospike import exception
from tests.integration.test_official_fidelity import LATER_FEATURES, RUNNER
from tests.support.official import run_official
from tests.support.transcripts import load, require_transcripts, split_note

pytestmark = pytest.mark.official

# 19.3.0 raises a bare AerospikeError for result 25 (enterprise only); 3.0.0's tree has ServerError for it.
EXCEPTION_CLASS_DIFFERENCES = {("AerospikeError", "ServerError")}
# Features 3.0.0 does not have: filter expressions and KeyOrderedDict (and the record written with one).
NOT_IN_THE_SPEC = ("exp.", "KeyOrderedDict", "'kom'")

# Calls whose outcome 3.0.0 defines differently from 19.3.0 (3.0.0 wins, docs/differences.md): they must differ.
API_DIFFERENCES = {
    "_ = client.get(('test', 's03', 'null'))": "3.0.0 pickles a None bin value, so it reads back as None",
    "client.put(('test', 's03', 'onlynull'), {'n': None})": "3.0.0 pickles None: the record is written",
    "_ = client.get(('test', 's03', 'onlynull'))": "3.0.0 pickles None: the record exists",
    "client.append(('test', 's03', 'bytes'), 'b', b'\\x02')": "3.0.0 appends only str to a str append",
    "client.put(('test', 's03', 'binname'), {'a' * 15: 1})": "3.0.0 refuses bin names over 14 bytes",
    "_ = client.get(('test', 's03', 'binname'))": "3.0.0 refused the put, so there is no record",
}

_ADDRESS = re.compile(r"127\.0\.0\.1:\d+")
_LEADING_ADDRESS = re.compile(r"^127\.0\.0\.1:\d+ ")
_RAISED = re.compile(r"raised (\w+)\(code=(-?\d+), msg=(.*)\)$", re.S)


def _operation(code: int, bin: Any = None, val: Any = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"op": code}
    if bin is not None:
        operation["bin"] = bin
    if val is not None:
        operation["val"] = val
    return operation


OPERATIONS = SimpleNamespace(
    write=lambda bin, val: _operation(aerospike.OPERATOR_WRITE, bin, val),
    read=lambda bin: _operation(aerospike.OPERATOR_READ, bin),
    increment=lambda bin, val: _operation(aerospike.OPERATOR_INCR, bin, val),
    append=lambda bin, val: _operation(aerospike.OPERATOR_APPEND, bin, val),
    prepend=lambda bin, val: _operation(aerospike.OPERATOR_PREPEND, bin, val),
    touch=lambda val: _operation(aerospike.OPERATOR_TOUCH, val=val),
    delete=lambda: {"op": 14},  # the server's delete op; 3.0.0 names no constant for it
)


class _Ours:
    """Our client under the 19.3.0 names the recorded calls use."""

    def __init__(self, client: Any, hosts: list[tuple[str, int]]) -> None:
        self._client = client
        self._host = hosts[0]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def info_single_node(self, command: str, node_name: str) -> str:
        return self._client.info_node(command, self._host)


def _calls() -> list[str]:
    calls, seen = [], set()
    for step in ("03-single-record", "04-operate"):
        for exchange in load(step):
            source, _ = split_note(exchange.note)
            if (step, exchange.call) in seen or exchange.note.startswith(LATER_FEATURES):
                continue
            seen.add((step, exchange.call))
            if not any(marker in source for marker in NOT_IN_THE_SPEC):
                calls.append(source)
    return calls


def _run_ours(client: Any, source: str) -> Any:
    scope = {"client": client, "aerospike": aerospike, "op": OPERATIONS}
    try:
        if source.startswith("_ = "):
            exec(source, scope)
            return scope["_"]
        return eval(source, scope)
    except exception.AerospikeError as error:
        return error


def _plain(value: Any) -> Any:
    """Our value with GeoJSON objects as their decoded JSON."""
    if isinstance(value, aerospike.GeoJSON):
        return ("geojson", value.unwrap())
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    return value


def _official_plain(value: Any, ours: Any) -> Any:
    """The official value, with JSON text where ours holds a GeoJSON object."""
    if isinstance(ours, tuple) and len(ours) == 2 and ours[0] == "geojson" and isinstance(value, str):
        return ("geojson", json.loads(value))
    if isinstance(value, dict) and isinstance(ours, dict):
        return {key: _official_plain(item, ours.get(key)) for key, item in value.items()}
    if isinstance(value, (list, tuple)) and isinstance(ours, (list, tuple)) and len(value) == len(ours):
        return type(value)(_official_plain(a, b) for a, b in zip(value, ours))
    return value


def _difference(source: str, official: str, ours: Any) -> str | None:
    raised = _RAISED.match(official)
    if raised:
        if not isinstance(ours, exception.AerospikeError):
            return f"official raised {official}, ours returned {ours!r}"
        name, code, message = raised.group(1), int(raised.group(2)), eval(raised.group(3))
        # 19.3.0 names the node first ('127.0.0.1:3000 AEROSPIKE_ERR_...'); 3.0.0, and so ours, does not.
        message = _LEADING_ADDRESS.sub("", message)
        if (code, _ADDRESS.sub("ADDRESS", message)) != (ours.code, _ADDRESS.sub("ADDRESS", ours.msg or "")):
            return f"official {official}, ours {type(ours).__name__}({ours.code}, {ours.msg!r})"
        if name != type(ours).__name__ and (name, type(ours).__name__) not in EXCEPTION_CLASS_DIFFERENCES:
            return f"official raised {name}, ours {type(ours).__name__}"
        return None
    if isinstance(ours, exception.AerospikeError):
        return f"official returned {official[:200]}, ours raised {ours!r}"
    official_value = eval(official, {"bytearray": bytearray})
    ours_plain = _plain(ours)
    if _official_plain(official_value, ours_plain) != ours_plain:
        return f"official {official[:300]}\n    ours     {ours!r:.300}"
    return None


def test_recorded_operations_give_equal_results_through_both_clients(local_cluster: Any) -> None:
    require_transcripts()
    calls = _calls()
    assert len(calls) > 80
    official_cluster = local_cluster(nodes=3, node_ids=["A1", "A2", "A3"], cluster_name="peer-test")
    official = run_official(RUNNER, hosts=official_cluster.hosts, calls=calls)
    ours_cluster = local_cluster(nodes=3, node_ids=["A1", "A2", "A3"], cluster_name="peer-test")
    client = aerospike.client({"hosts": ours_cluster.hosts}).connect()
    try:
        ours = _Ours(client, ours_cluster.hosts)
        differences = []
        for source, official_outcome in zip(calls, official):
            found = _difference(source, official_outcome, _run_ours(ours, source))
            if found and source not in API_DIFFERENCES:
                differences.append(f"{source}\n    {found}")
            elif not found and source in API_DIFFERENCES:
                differences.append(f"{source}\n    expected to differ ({API_DIFFERENCES[source]}), but did not")
    finally:
        client.close()
    assert differences == [], "\n".join(differences)
