"""Batch, scan, index, UDF and truncate calls: the official client against the local cluster gets what it got from
the real server, and our client gets what the official client gets.

Fidelity: every Python call of the transcripts' files 07 to 11 is run again, in order and as recorded, through the
official client (19.3.0) against a one-node local cluster (node A1, cluster peer-test), with the recorded UDF modules
(taken from the recorded `udf-put` requests) in its Lua user path. Results are compared with the recorded ones after
the normalisations the transcripts' README calls for (record order of scans, job ids, addresses); the few remaining
differences are listed in `ALLOWED_DIFFERENCES`, each with its reason.

Differential: the same batch reads, scans, queries, UDF applies and aggregations run through our client (3.0.0
names) and the official one (19.3.0 names) on twin three-node clusters, and give equal values.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any, Callable

import pytest

import aerospike
from aerospike import predicates
from tests.support.official import run_official
from tests.support.transcripts import load, require_transcripts, split_note

pytestmark = pytest.mark.official

STEPS = ("07-batch", "08-scan", "09-sindex", "10-udf", "11-truncate")

# Calls that sent nothing, so the transcripts do not hold them, but that later calls depend on.
UNRECORDED_SETUP = {498: "q = client.query('test', 's08'); q.max_records = 12; q.paginate(); pages = []"}

# Recorded calls whose result still differs after normalisation, with the reason.
ALLOWED_DIFFERENCES = {
    # job_info polled while the real server's background job was still running (status 1, partial progress);
    # the local cluster finishes a job on a handful of records before the next request arrives.
    507: "job still running on the real server",
    608: "job still running on the real server",
    # The README: for an aggregation whose function does not exist, 19.3.0 raises UDFError(100) or
    # ClientError(-1) depending on a race in the client; both carry the server's message.
    623: "exception class of the failed aggregation varies between runs",
}

_ADDRESS = re.compile(r"127\.0\.0\.1:\d+")
_PROSE = re.compile(r" \((?:server-side effect|no index of that name|filtered to)[^\n]*\)$")
_RECORD_LIST_RESULT = re.compile(r"\.(results|foreach)\(")

RUNNER = """
import os, time, aerospike
from aerospike import predicates as p
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import operations as op
from aerospike_helpers.batch import records as br
os.chdir(udf_dir)  # udf_put names its file relative to the working directory
config = {"hosts": [tuple(h) for h in hosts], "lua": {"user_path": udf_dir}}
client = aerospike.client(config).connect()
scope = {"aerospike": aerospike, "p": p, "exp": exp, "op": op, "br": br, "time": time, "client": client}
outcomes = []
for source in calls:
    try:
        try:
            code = compile(source, "<call>", "eval")
        except SyntaxError:
            scope.pop("_", None)
            exec(source, scope)
            outcomes.append(repr(scope.get("_")))
        else:
            outcomes.append(repr(eval(code, scope)))
    except Exception as error:
        outcomes.append(f"raised {type(error).__name__}(code={error.code}, msg={error.msg!r})")
client.close()
result = outcomes
"""


def write_recorded_udf_modules(folder: Path) -> list[str]:
    """The Lua modules the recorded `udf_put` calls sent, written into `folder`; returns their file names."""
    names = []
    for exchange in load("10-udf"):
        if exchange.request[1] != 1:  # info frames only
            continue
        found = re.search(r"udf-put:filename=([^;]+);content=([^;]+);", exchange.request[8:].decode())
        if found:
            (folder / found.group(1)).write_bytes(base64.b64decode(found.group(2)))
            names.append(found.group(1))
    return names


def _recorded_calls() -> list[tuple[int, str, str]]:
    """(call number, source, recorded result) of every command call of 07 to 11, unrecorded setup included."""
    calls, seen = [], set()
    for step in STEPS:
        for exchange in load(step):
            if exchange.role != "command" or exchange.call in seen:
                continue
            seen.add(exchange.call)
            if exchange.call in UNRECORDED_SETUP:
                calls.append((exchange.call - 1, UNRECORDED_SETUP[exchange.call], "None"))
            source, recorded = split_note(exchange.note)
            calls.append((exchange.call, source, recorded))
    return calls


def _value(text: str) -> Any:
    return eval(text, {"bytearray": bytearray})  # reprs of the official client's results, recorded or live


def _records_key(record: Any) -> str:
    return repr(record)


def _normalise(source: str, text: str) -> Any:
    """A recorded or live result with what varies from run to run taken out."""
    text = _PROSE.sub("", _ADDRESS.sub("ADDRESS", text))
    if text.startswith("raised "):
        return text
    if "job_info(" not in source and re.search(r"\bjob\d? = ", source):
        return "JOB_ID" if isinstance(_value(text), int) else text
    value = _value(text)
    if "udf_list(" in source:
        # The real server's module hash is not a plain digest of the content (no SHA-1/SHA-256/RIPEMD-160 of the
        # content or of its base64 matches it); the local cluster uses SHA-1 of the content. Compared without it.
        return sorted((module["name"], module["type"], module["content"]) for module in value)
    if "pages.append" in source:  # a page of a paginated scan: its size and done flag; records checked as a set
        return value[0], value[1], len(value[2])
    if "q.select('n', 's'); q.where(" in source:
        # The recorded note shows these as (user key, bins) pairs sorted by bin n; the server's records are the
        # same as the local cluster's (see the transcript replay tests).
        if value and isinstance(value[0], tuple) and len(value[0]) == 3:
            value = sorted(((key[2], bins) for key, _, bins in value), key=lambda pair: pair[1]["n"])
        return value
    if "max_records = 5" in source:  # which 5 records come back depends on partition scan order
        return len(value)
    if _RECORD_LIST_RESULT.search(source) and isinstance(value, list):
        return sorted(value, key=_records_key)
    return value


def test_recorded_batch_scan_index_udf_and_truncate_calls_give_the_recorded_results(
    local_cluster: Callable[..., Any], tmp_path: Path
) -> None:
    require_transcripts()
    modules = write_recorded_udf_modules(tmp_path)
    assert sorted(modules) == ["agg_udf.lua", "rec_udf.lua"]
    calls = _recorded_calls()
    assert len(calls) > 150
    cluster = local_cluster(nodes=1, node_ids=["A1"], cluster_name="peer-test", replication_factor=1)
    outcomes = run_official(RUNNER, hosts=cluster.hosts, calls=[source for _, source, _ in calls], udf_dir=str(tmp_path))
    problems, allowed_seen = [], set()
    for (call, source, recorded), outcome in zip(calls, outcomes):
        if _normalise(source, outcome) == _normalise(source, recorded):
            continue
        if call in ALLOWED_DIFFERENCES:
            allowed_seen.add(call)
            continue
        problems.append(f"{call} {source[:160]}\n    local:    {outcome[:300]}\n    recorded: {recorded[:300]}")
    assert problems == []
    # The paginated scan's pages together deliver every record once.
    pages = [_value(outcome)[2] for (_, source, _), outcome in zip(calls, outcomes) if "pages.append" in source]
    delivered = sorted(record[2]["a"] for page in pages for record in page)
    assert delivered == list(range(30))
    # The allow-list holds nothing that no longer differs (the aggregation race may go either way).
    assert allowed_seen >= {507, 608}


# ----- differential: our client (3.0.0 names) and the official one (19.3.0 names) ---------------------------------

SETUP = [
    "[client.put(('test', 'db', 'k%d' % i), {'a': i, 'b': 'v%d' % i, 'c': [i, {'x': i * 1.5}]}) for i in range(40)]",
    "client.put(('bar', 'db', 'k0'), {'a': 100})",
    "[client.put(('test', 'ds', i), {'n': i, 's': 'odd' if i % 2 else 'even', 'bl': bytearray(b'\\x00' * (i % 3))})"
    " for i in range(60)]",
    "client.index_integer_create('test', 'ds', 'n', 'ds_n_idx')",
    "client.index_string_create('test', 'ds', 's', 'ds_s_idx')",
    "client.udf_put('rec_udf.lua')",
    "client.udf_put('agg_udf.lua')",
]

KEYS = "[('test', 'db', 'k%d' % i) for i in range(0, 48, 3)] + [('bar', 'db', 'k0'), ('bar', 'db', 'k1')]"

# (name, our source, official source): each source assigns a plain, comparable value to `_`.
OPERATIONS = [
    ("get_many",
     f"_ = [(k[:3], m['gen'] if m else None, b) for k, m, b in client.get_many({KEYS})]",
     f"_ = [(r.key[:3], r.record[1]['gen'] if r.result == 0 else None, r.record[2] if r.result == 0 else None)"
     f" for r in client.batch_read({KEYS}).batch_records]"),
    ("exists_many",
     f"_ = [(k[:3], m['gen'] if m else None) for k, m in client.exists_many({KEYS})]",
     f"_ = [(r.key[:3], r.record[1]['gen'] if r.result == 0 else None)"
     f" for r in client.batch_read({KEYS}, bins=[]).batch_records]"),
    ("select_many",
     f"_ = [(k[:3], b) for k, m, b in client.select_many({KEYS}, ['a', 'c'])]",
     f"_ = [(r.key[:3], r.record[2] if r.result == 0 else None)"
     f" for r in client.batch_read({KEYS}, bins=['a', 'c']).batch_records]"),
    ("get_many of one key",
     "_ = [(k[:3], b) for k, m, b in client.get_many([('test', 'db', 'k7')])]",
     "_ = [(r.key[:3], r.record[2]) for r in client.batch_read([('test', 'db', 'k7')]).batch_records]"),
    ("scan",
     "_ = sorted((r[0][3], r[1]['gen'], r[2]) for r in client.scan('test', 'db').results())",
     "_ = sorted((bytearray(r[0][3]), r[1]['gen'], r[2]) for r in client.query('test', 'db').results())"),
    ("scan select",
     "s = client.scan('test', 'ds'); s.select('n', 'bl'); _ = sorted(r[2]['n'] * 10 + len(r[2].get('bl', b''))"
     " for r in s.results())",
     "q = client.query('test', 'ds'); q.select('n', 'bl'); _ = sorted(r[2]['n'] * 10 + len(r[2].get('bl', b''))"
     " for r in q.results())"),
    ("scan foreach",
     "_ = []; client.scan('test', 'ds').foreach(lambda r: _.append(r[2]['n'])); _.sort()",
     "_ = []; client.query('test', 'ds').foreach(lambda r: _.append(r[2]['n'])); _.sort()"),
    ("empty set",
     "_ = client.scan('test', 'nothing_here').results()",
     "_ = client.query('test', 'nothing_here').results()"),
    ("query equals int",
     "_ = [r[2] for r in client.query('test', 'ds').where(p.equals('n', 17)).results()]",
     "q = client.query('test', 'ds'); q.where(p.equals('n', 17)); _ = [r[2] for r in q.results()]"),
    ("query equals str",
     "q = client.query('test', 'ds'); q.select('n'); q.where(p.equals('s', 'odd'));"
     " _ = sorted(r[2]['n'] for r in q.results())",
     "q = client.query('test', 'ds'); q.select('n'); q.where(p.equals('s', 'odd'));"
     " _ = sorted(r[2]['n'] for r in q.results())"),
    ("query between",
     "_ = sorted(r[2]['n'] for r in client.query('test', 'ds').where(p.between('n', 10, 29)).results())",
     "q = client.query('test', 'ds'); q.where(p.between('n', 10, 29)); _ = sorted(r[2]['n'] for r in q.results())"),
    ("apply",
     "_ = [client.apply(('test', 'db', 'k5'), 'rec_udf', f, a) for f, a in"
     " [('ret_int', []), ('ret_float', []), ('ret_str', []), ('ret_list', []), ('ret_map', []), ('ret_bin', ['a'])]]",
     "_ = [client.apply(('test', 'db', 'k5'), 'rec_udf', f, a) for f, a in"
     " [('ret_int', []), ('ret_float', []), ('ret_str', []), ('ret_list', []), ('ret_map', []), ('ret_bin', ['a'])]]"),
    ("apply read-modify-write",
     "_ = (client.apply(('test', 'db', 'k6'), 'rec_udf', 'bump', ['a', 7]), client.get(('test', 'db', 'k6'))[2])",
     "_ = (client.apply(('test', 'db', 'k6'), 'rec_udf', 'bump', ['a', 7]), client.get(('test', 'db', 'k6'))[2])"),
    ("aggregation sum",
     "q = client.query('test', 'ds'); q.apply('agg_udf', 'sum_bin', ['n']); _ = q.results()",
     "q = client.query('test', 'ds'); q.apply('agg_udf', 'sum_bin', ['n']); _ = q.results()"),
    ("aggregation group",
     "q = client.query('test', 'ds'); q.apply('agg_udf', 'count_parity', []); _ = q.results()",
     "q = client.query('test', 'ds'); q.apply('agg_udf', 'count_parity', []); _ = q.results()"),
    ("aggregation with where",
     "q = client.query('test', 'ds'); q.where(p.between('n', 5, 14)); q.apply('agg_udf', 'sum_bin', ['n']);"
     " _ = q.results()",
     "q = client.query('test', 'ds'); q.where(p.between('n', 5, 14)); q.apply('agg_udf', 'sum_bin', ['n']);"
     " _ = q.results()"),
    ("aggregation filter",
     "q = client.query('test', 'ds'); q.apply('agg_udf', 'gt_values', [50]); _ = sorted(q.results())",
     "q = client.query('test', 'ds'); q.apply('agg_udf', 'gt_values', [50]); _ = sorted(q.results())"),
]

DIFFERENTIAL_RUNNER = """
import os, aerospike
from aerospike import predicates as p
os.chdir(udf_dir)
client = aerospike.client({"hosts": [tuple(h) for h in hosts], "lua": {"user_path": udf_dir}}).connect()
scope = {"aerospike": aerospike, "p": p, "client": client}
for source in setup:
    eval(source, scope)
outcomes = []
for source in calls:
    scope.pop("_", None)
    exec(source, scope)
    outcomes.append(repr(scope["_"]))
client.close()
result = outcomes
"""


def _plain(value: Any) -> Any:
    """`bytes` as `bytearray` (19.3.0 returns bytes where 3.0.0 returns bytearray), containers recursively."""
    if isinstance(value, bytes):
        return bytearray(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    return value


def test_batch_scan_query_udf_operations_give_equal_results_through_both_clients(
    local_cluster: Callable[..., Any], tmp_path: Path
) -> None:
    require_transcripts()
    write_recorded_udf_modules(tmp_path)
    official_cluster = local_cluster(nodes=3, replication_factor=2)
    official = run_official(DIFFERENTIAL_RUNNER, hosts=official_cluster.hosts, udf_dir=str(tmp_path),
                            setup=SETUP, calls=[source for _, _, source in OPERATIONS])
    ours_cluster = local_cluster(nodes=3, replication_factor=2)
    client = aerospike.client({"hosts": ours_cluster.hosts, "lua": {"user_path": str(tmp_path)}}).connect()
    try:
        scope: dict[str, Any] = {"aerospike": aerospike, "p": predicates, "client": client}
        for source in SETUP:
            eval(source.replace("client.udf_put('", f"client.udf_put('{tmp_path}/"), scope)
        differences = []
        for (name, ours_source, _), official_repr in zip(OPERATIONS, official):
            scope.pop("_", None)
            exec(ours_source, scope)
            ours, theirs = _plain(scope["_"]), _plain(_value(official_repr))
            if ours != theirs:
                differences.append(f"{name}:\n    ours:     {ours!r:.400}\n    official: {theirs!r:.400}")
    finally:
        client.close()
    assert differences == []
    # The workload is not vacuous: the batch saw present and missing keys, the scans saw every record.
    get_many = _value(official[0])
    assert sum(1 for _, gen, _ in get_many if gen is None) == 3 and len(get_many) == 18
    assert len(_value(official[6])) == 60 and _value(official[13]) == [sum(range(60))]

