"""The official client (aerospike==19.3.0) runs the recorded calls against the local cluster and gets what it got
from the real server.

Every Python call of the transcripts' files 03 (single-record) and 04 (operate) is run again, as recorded, through
the official client against a local cluster, and its result is compared with the result the official client
recorded against Aerospike CE 8.1.2.0. A node address inside an error message and a TTL that counts down are the
only things normalised. Calls of later features (batch, queries, indexes) are run by those features' tests.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from aerospike.testing import LocalCluster
from tests.support.official import run_official
from tests.support.transcripts import load, require_transcripts, split_note

pytestmark = pytest.mark.official

LATER_FEATURES = ("_ = [(r.key, r.result, r.record) for r in client.batch_read", "_ = client.query_apply(",
                  "client.index_integer_create(")

STABLE_INFO = ("build", "version", "edition", "node", "namespaces", "partitions", "cluster-name", "features",
               "status", "no-such-command", "bins", "build\\nnode\\nedition")

RUNNER = """
import aerospike
from aerospike_helpers.operations import operations as op
from aerospike_helpers import expressions as exp
from aerospike_helpers import cdt_ctx as ctx
from aerospike_helpers.operations import list_operations as lo, map_operations as mo
names = {"aerospike": aerospike, "op": op, "exp": exp, "ctx": ctx, "lo": lo, "mo": mo}
client = aerospike.client({"hosts": [tuple(h) for h in hosts]}).connect()
outcomes = []
for source in calls:
    try:
        if source.startswith("_ = "):
            scope = dict(names, client=client)
            exec(source, scope)
            outcomes.append(repr(scope["_"]))
        else:
            outcomes.append(repr(eval(source, dict(names, client=client))))
    except Exception as error:
        outcomes.append(f"raised {type(error).__name__}(code={error.code}, msg={error.msg!r})")
client.close()
result = outcomes
"""

_ADDRESS = re.compile(r"127\.0\.0\.1:\d+")
_TTL = re.compile(r"'ttl': (\d+)")
_LONG_RUN = re.compile(r"'(.)\1{99,}'")  # the recording shows long one-letter strings as 'xxxx...(N chars)'


def _normalise(text: str) -> str:
    text = _ADDRESS.sub("ADDRESS", text)
    text = _LONG_RUN.sub(lambda m: f"'{m.group(1) * 20}...({len(m.group(0)) - 2} chars)'", text)

    def ttl(match: re.Match[str]) -> str:
        value = int(match.group(1))
        return match.group(0) if value == 4294967295 else f"'ttl': ~{round(value / 10)}"

    return _TTL.sub(ttl, text)


def _recorded_calls(steps: list[str]) -> list[tuple[str, str]]:
    calls = []
    seen = set()
    for step in steps:
        for exchange in load(step):
            if (step, exchange.call) in seen or exchange.note.startswith(LATER_FEATURES):
                continue
            seen.add((step, exchange.call))
            source, result = split_note(exchange.note)
            calls.append((source, result))
    return calls


def _run(cluster: LocalCluster, calls: list[tuple[str, str]]) -> list[str]:
    outcomes = run_official(RUNNER, hosts=cluster.hosts, calls=[source for source, _ in calls])
    problems = []
    for (source, recorded), outcome in zip(calls, outcomes):
        if "[exchange" in recorded:
            recorded = recorded.split(" [exchange")[0]
        if _normalise(outcome) != _normalise(recorded):
            problems.append(f"{source}\n    ours:     {outcome[:300]}\n    recorded: {recorded[:300]}")
    return problems


def test_single_record_and_operate_calls_give_the_recorded_results(local_cluster: Any) -> None:
    require_transcripts()
    cluster = local_cluster(nodes=1, node_ids=["A1"], cluster_name="peer-test")
    calls = _recorded_calls(["03-single-record", "04-operate"])
    assert len(calls) > 90
    assert _run(cluster, calls) == []


def test_the_same_calls_on_three_nodes(local_cluster: Any) -> None:
    """Routing over three nodes with replicas changes nothing a caller sees."""
    require_transcripts()
    cluster = local_cluster(nodes=3, node_ids=["A1", "A2", "A3"], cluster_name="peer-test", replication_factor=2)
    calls = [(s, r) for s, r in _recorded_calls(["03-single-record", "04-operate"]) if "info_single_node" not in s]
    assert _run(cluster, calls) == []
    counts = cluster.request_counts()
    assert sum(node.messages.get("proxy", 0) for node in counts) == 0


def test_stable_info_calls_give_the_recorded_results(local_cluster: Any) -> None:
    require_transcripts()
    cluster = local_cluster(nodes=1, node_ids=["A1"], cluster_name="peer-test")
    calls = [
        (source, result)
        for source, result in _recorded_calls(["02-info"])
        if any(source == f"_ = client.info_single_node('{name}', 'A1')" for name in STABLE_INFO)
        or source.startswith(("_ = client.info_all('namespaces')", "_ = client.info_random_node("))
    ]
    assert len(calls) >= 10
    assert _run(cluster, calls) == []


def test_list_and_map_calls_give_the_recorded_results(local_cluster: Any) -> None:
    require_transcripts()
    cluster = local_cluster(nodes=2, node_ids=["A1", "A2"], cluster_name="peer-test")
    calls = _recorded_calls(["05-list-ops", "06-map-ops"])
    assert len(calls) > 250
    assert _run(cluster, calls) == []
