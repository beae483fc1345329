"""The official client 19.3.0 and this package make the same batch calls and get the same results, on the local
cluster and on a real server.

The calls are tests/support/batch_scenario.py's; the official client runs them in its own interpreter (see
tests/support/official.py), this package in the test process, each on a fresh backend. Both must equal the
results 19.3.0 recorded against CE 8.1.2.0 (tests/data/batch_records_19_3_0.json), so the local cluster answers
the batch write/apply/delete rows as the real server does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import aerospike
from aerospike_helpers import expressions as exp
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import operations as op
from tests.support import batch_scenario
from tests.support.official import run_official

pytestmark = pytest.mark.official

RUNNER = """
import aerospike
from aerospike_helpers.operations import operations as op
from aerospike_helpers.batch import records as br
from aerospike_helpers import expressions as exp
scenario = {"__name__": "batch_scenario", "__file__": "/nonexistent/tests/support/batch_scenario.py"}
exec(scenario_source, scenario)
client = aerospike.client({"hosts": [tuple(h) for h in hosts], "lua": {"user_path": user_path}}).connect()
result = scenario["run_calls"](client, {"aerospike": aerospike, "op": op, "br": br, "exp": exp}, udf_path)
client.close()
"""


def _module(tmp_path: Path) -> tuple[str, str]:
    source = tmp_path / "src" / batch_scenario.MODULE_NAME
    source.parent.mkdir(exist_ok=True)
    source.write_text(batch_scenario.MODULE)
    user_path = tmp_path / "user"
    user_path.mkdir(exist_ok=True)
    return str(source), str(user_path)


def _official(backend: Any, tmp_path: Path) -> list[str]:
    udf_path, user_path = _module(tmp_path)
    scenario_source = Path(batch_scenario.__file__).read_text(encoding="utf-8")
    outcome = run_official(RUNNER, hosts=[list(h) for h in backend.hosts], udf_path=udf_path,
                           user_path=user_path, scenario_source=scenario_source)
    return list(outcome)


def _mismatches(outcomes: list[str], expected: list[str]) -> str:
    lines = [f"{source}\n  got:  {got}\n  want: {want}"
             for source, got, want in zip(batch_scenario.CALLS, outcomes, expected) if got != want]
    return "\n\n".join(lines[:5])


@pytest.mark.backends("local", "real")
def test_official_client_gets_the_recorded_results(backend: Any, tmp_path: Path) -> None:
    outcomes = _official(backend, tmp_path)
    expected = batch_scenario.golden()
    assert len(outcomes) == len(expected)
    assert outcomes == expected, _mismatches(outcomes, expected)


@pytest.mark.backends("local", "real")
def test_official_client_and_ours_agree(backend: Any, tmp_path: Path) -> None:
    official = _official(backend, tmp_path)
    udf_path, user_path = _module(tmp_path)
    client = aerospike.client({"hosts": list(backend.hosts), "lua": {"user_path": user_path}}).connect()
    try:
        client.batch_remove([("test", batch_scenario.SET, f"k{i}") for i in range(10)])
        ours = batch_scenario.run_calls(client, {"aerospike": aerospike, "op": op, "br": br, "exp": exp}, udf_path)
    finally:
        client.close()
    assert ours == official, _mismatches(ours, official)
