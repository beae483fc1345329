"""Stream UDF aggregations (`Query.apply`) over a few hundred records on three nodes, checked against Python.

Each node aggregates its partitions and the client reduces the nodes' partial results with the same Lua
(client-side reduce), so count, sum and a group-by only come out right when both halves work. The group-by is a
user stream UDF (aggregate into a map, reduce by merging maps), as stream:groupby may not exist.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from aerospike import predicates as p
from tests.fixtures.backend import Backend

N_RECORDS = 360
COLOURS = ("red", "green", "blue", "amber", "violet")

STREAM_UDF = """
local function one(rec) return 1 end
local function add(a, b) return a + b end

function count(stream)
  return stream : map(one) : reduce(add)
end

function sum_bin(stream, bin)
  local function value(rec) return rec[bin] end
  return stream : map(value) : reduce(add)
end

function sum_where(stream, bin, low)
  local function keep(rec) return rec[bin] >= low end
  local function value(rec) return rec[bin] end
  return stream : filter(keep) : map(value) : reduce(add)
end

-- group by `key_bin`: for each group, the number of records and the sum of `value_bin`
function group_by(stream, key_bin, value_bin)
  local function into(groups, rec)
    local key = rec[key_bin]
    local group = groups[key] or map{count = 0, total = 0}
    group["count"] = group["count"] + 1
    group["total"] = group["total"] + rec[value_bin]
    groups[key] = group
    return groups
  end
  local function merge_group(a, b)
    return map{count = a["count"] + b["count"], total = a["total"] + b["total"]}
  end
  local function merge(a, b)
    return map.merge(a, b, merge_group)
  end
  return stream : aggregate(map(), into) : reduce(merge)
end
"""


def _value(i: int) -> int:
    return (i * 37) % 101 - 20  # negative values too


pytestmark = pytest.mark.backends("local3", "real")


@pytest.fixture
def loaded(backend: Backend, tmp_path: Path) -> Any:
    (tmp_path / "aggr.lua").write_text(STREAM_UDF)
    client = backend.client(lua={"user_path": str(tmp_path)})
    client.udf_put(str(tmp_path / "aggr.lua"))
    for i in range(N_RECORDS):
        client.put(("test", "agg", i), {"n": i, "v": _value(i), "colour": COLOURS[i * i % len(COLOURS)]})
    client.put(("test", "other_set", 1), {"n": 1, "v": 1000, "colour": "red"})  # outside the queried set
    client.index_integer_create("test", "agg", "n", "agg_n_idx")
    yield client
    client.close()


def _aggregate(client: Any, function: str, arguments: list, predicate: Any = None) -> list:
    query = client.query("test", "agg")
    if predicate is not None:
        query.where(predicate)
    query.apply("aggr", function, arguments)
    return query.results()  # type: ignore[no-any-return]


def test_count_and_sum(loaded: Any) -> None:
    client = loaded
    values = [_value(i) for i in range(N_RECORDS)]
    assert _aggregate(client, "count", []) == [N_RECORDS]
    assert _aggregate(client, "sum_bin", ["v"]) == [sum(values)]
    assert _aggregate(client, "sum_where", ["v", 50]) == [sum(v for v in values if v >= 50)]
    # With an index filter, only the selected records stream into the UDF.
    assert _aggregate(client, "count", [], p.between("n", 100, 199)) == [100]
    assert _aggregate(client, "sum_bin", ["v"], p.between("n", 100, 199)) == [sum(values[100:200])]


def test_group_by_as_a_user_stream_udf(loaded: Any) -> None:
    client = loaded
    expected_count: Counter = Counter()
    expected_total: defaultdict = defaultdict(int)
    for i in range(N_RECORDS):
        colour = COLOURS[i * i % len(COLOURS)]
        expected_count[colour] += 1
        expected_total[colour] += _value(i)
    results = _aggregate(client, "group_by", ["colour", "v"])
    assert len(results) == 1
    groups = results[0]
    assert groups == {
        colour: {"count": expected_count[colour], "total": expected_total[colour]} for colour in expected_count
    }
    assert sum(group["count"] for group in groups.values()) == N_RECORDS


def test_aggregation_results_equal_foreach(loaded: Any) -> None:
    """The same aggregation delivered one value at a time through foreach."""
    client = loaded
    query = client.query("test", "agg")
    query.where(p.between("n", 0, 59))
    query.apply("aggr", "sum_bin", ["n"])
    delivered: list = []
    query.foreach(delivered.append)
    assert delivered == [sum(range(60))]
