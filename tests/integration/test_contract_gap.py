"""Gaps of the current API (19.x) on each backend (the local cluster and a real server), checked against the
official client 19.3.0 where practical.

- Paginated secondary-index queries resume by index value: the server reads a partition in (index value,
  digest) order and resumes after the (bval, digest) pair the client sends back (fields 15 and 12); every
  record comes exactly once, and the local cluster gives the server's pages.
- ``Query.where_with_expr`` (an expression index, field 24) and ``Query.where_with_index_name`` (field 21): the
  requests 19.3.0 sends (captured through a logging proxy) and the records the server returns.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest

import aerospike
from aerospike import predicates as p
from aerospike.ops.exp_ops import encode_expression_bytes
from aerospike.protocol.constants import (
    FIELD_INDEX_EXPRESSION,
    FIELD_INDEX_NAME,
    FIELD_INDEX_RANGE,
    FIELD_TASK_ID,
)
from aerospike.protocol.message import decode_message
from aerospike_helpers import expressions as exp
from tests.support.official import run_official
from tests.support.wire_log import WireLog

PARTITION = 100


def _pid(digest: bytes) -> int:
    return (digest[0] | digest[1] << 8) & 0xFFF


def _keys_in_partition(set_name: str, count: int, partition: int = PARTITION) -> list[int]:
    found = []
    key = 0
    while len(found) < count:
        if _pid(bytes(aerospike.calc_digest("test", set_name, key))) == partition:
            found.append(key)
        key += 1
    return found


def _digest(set_name: str, key: Any) -> bytes:
    return bytes(aerospike.calc_digest("test", set_name, key))


def _wait_index(backend: Any, name: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = backend.info_all(f"sindex-stat:namespace=test;indexname={name}")
        if all("load_pct=100" in value for value in stats.values()):
            return
        time.sleep(0.05)
    raise AssertionError(f"index {name} not built: {stats}")


def _create_expression_index(backend: Any, set_name: str, name: str, compiled: Any, key_type: str) -> str:
    encoded = base64.b64encode(encode_expression_bytes(compiled)).decode()
    answers = backend.info_all(
        f"sindex-create:namespace=test;set={set_name};indexname={name};type={key_type};exp={encoded}"
    )
    assert all(answer.strip() == "ok" for answer in answers.values()), answers
    _wait_index(backend, name)
    return encoded


def _pages(query: Any, policy: Any = None, limit: int = 40) -> list[list[Any]]:
    pages = []
    while len(pages) < limit:
        pages.append([bins["a"] for _, _, bins in query.results(policy)])
        if query.is_done():
            return pages
    raise AssertionError(f"no end after {limit} pages: {pages}")


# ------------------------------------------------------------------------------- pagination by index value


def test_paginated_index_query_returns_each_record_once(backend: Any) -> None:
    """Index values repeat across pages; every page of 4 (over all partitions) holds new records only."""
    set_name = "gap_page_once"
    client = backend.client()
    crowded = _keys_in_partition(set_name, 12)
    for n, key in enumerate(crowded):
        client.put(("test", set_name, key), {"a": n, "v": n % 3})
    for n in range(12, 40):
        client.put(("test", set_name, f"spread{n}"), {"a": n, "v": n % 3})
    client.index_integer_create("test", set_name, "v", "gap_page_once_v")
    query = client.query("test", set_name)
    query.where(p.between("v", 0, 2))
    query.max_records = 4
    query.paginate()
    pages = _pages(query)
    seen = [a for page in pages for a in page]
    assert sorted(seen) == list(range(40))
    assert all(len(page) <= 4 for page in pages) and len(pages) >= 10
    client.close()


def test_index_query_pages_follow_index_value_then_digest(backend: Any) -> None:
    """In one partition the server reads entries by (bval, digest): pages of 3 are slices of that order."""
    set_name = "gap_page_order"
    client = backend.client()
    keys = _keys_in_partition(set_name, 12)
    for n, key in enumerate(keys):
        client.put(("test", set_name, key), {"a": n, "v": 5 - n % 3})
    client.index_integer_create("test", set_name, "v", "gap_page_order_v")
    order = [n for _, _, n in sorted((5 - n % 3, _digest(set_name, key), n) for n, key in enumerate(keys))]
    query = client.query("test", set_name)
    query.where(p.between("v", 0, 10))
    query.max_records = 3
    query.paginate()
    pages = _pages(query, {"partition_filter": {"begin": PARTITION, "count": 1}})
    assert [a for page in pages for a in page] == order
    assert [len(page) for page in pages[:4]] == [3, 3, 3, 3]
    # The saved state holds the last record's digest and its index value (field 15 of the reply).
    status = query.get_partitions_status()[PARTITION]
    last = keys[order[-1]]
    assert bytes(status[3]) == _digest(set_name, last) and status[4] == 5 - order[-1] % 3
    client.close()


def test_paginated_list_index_query_reads_entries_again_after_resume(backend: Any) -> None:
    """A list index holds two entries per record: a request sends each record once (at its first entry), and a
    resumed request continues after the (bval, digest) entry, so later entries bring records back, as on 8.1."""
    set_name = "gap_page_list"
    client = backend.client()
    keys = _keys_in_partition(set_name, 6)
    for n, key in enumerate(keys):
        client.put(("test", set_name, key), {"a": n, "l": [n % 2, n % 2 + 10]})
    client.index_list_create("test", set_name, "l", aerospike.INDEX_NUMERIC, "gap_page_list_l")
    entries = sorted(
        (bval, _digest(set_name, key), n) for n, key in enumerate(keys) for bval in (n % 2, n % 2 + 10)
    )
    expected: list[list[int]] = []
    position = 0
    while position < len(entries):  # the server's rule, one request per page of 4
        page: list[int] = []
        while position < len(entries) and len(page) < 4:
            n = entries[position][2]
            if n not in page:
                page.append(n)
            position += 1
        expected.append(page)
    query = client.query("test", set_name)
    query.where(p.range("l", aerospike.INDEX_TYPE_LIST, 0, 20))
    query.max_records = 4
    query.paginate()
    pages = [page for page in _pages(query, {"partition_filter": {"begin": PARTITION, "count": 1}}) if page]
    assert pages == expected
    # Without pages, one request: each record once.
    whole = client.query("test", set_name)
    whole.where(p.range("l", aerospike.INDEX_TYPE_LIST, 0, 20))
    assert sorted(bins["a"] for _, _, bins in whole.results()) == list(range(6))
    client.close()


# --------------------------------------------------------------------- where_with_expr, where_with_index_name


def _fill_plain(client: Any, set_name: str) -> None:
    for n in range(10):
        client.put(("test", set_name, n), {"a": n, "b": n % 3, "s": f"s{n % 2}", "l": [n, n + 1]})


def test_where_with_index_name_and_expr_find_records(backend: Any) -> None:
    set_name = "gap_where"
    client = backend.client()
    _fill_plain(client, set_name)
    client.index_integer_create("test", set_name, "b", "gap_where_b")
    client.index_list_create("test", set_name, "l", aerospike.INDEX_NUMERIC, "gap_where_l")
    client.index_string_create("test", set_name, "s", "gap_where_s")
    compiled = exp.Add(exp.IntBin("a"), 100).compile()
    encoded = _create_expression_index(backend, set_name, "gap_where_x", compiled, "numeric")

    def run(query: Any) -> list[int]:
        return sorted(bins["a"] for _, _, bins in query.results())

    query = client.query("test", set_name)
    assert query.where_with_index_name("gap_where_b", p.equals(None, 1)) is query
    assert run(query) == [1, 4, 7]
    # A string bin in the predicate is not sent (19.3.0 sends an empty bin name), so it does not matter.
    assert run(client.query("test", set_name).where_with_index_name("gap_where_b", p.equals("zz", 2))) == [2, 5, 8]
    assert run(
        client.query("test", set_name).where_with_index_name(
            "gap_where_l", p.contains(None, aerospike.INDEX_TYPE_LIST, 3)
        )
    ) == [2, 3]
    assert run(client.query("test", set_name).where_with_index_name("gap_where_s", p.equals(None, "s1"))) == [
        1, 3, 5, 7, 9
    ]
    assert run(client.query("test", set_name).where_with_expr(compiled, p.between(None, 103, 105))) == [3, 4, 5]
    assert run(client.query("test", set_name).where_with_expr(encoded, p.equals(None, 109))) == [9]
    # A filter expression still applies on top of the index.
    policy = {"expressions": exp.GT(exp.IntBin("a"), 3).compile()}
    assert sorted(
        bins["a"]
        for _, _, bins in client.query("test", set_name).where_with_expr(compiled, p.between(None, 100, 106)).results(
            policy
        )
    ) == [4, 5, 6]
    # No index of that name, or of that expression: 201 (3.0.0's default max_retries 0: asked once).
    with pytest.raises(aerospike.exception.IndexNotFound):
        client.query("test", set_name).where_with_index_name("gap_where_nosuch", p.equals(None, 1)).results()
    other = exp.Add(exp.IntBin("a"), 7).compile()
    with pytest.raises(aerospike.exception.IndexNotFound):
        client.query("test", set_name).where_with_expr(other, p.equals(None, 8)).results()
    # An empty index name sends no field 21: a filter on no bin, which the server refuses.
    with pytest.raises(aerospike.exception.InvalidRequest):
        client.query("test", set_name).where_with_index_name("", p.equals(None, 1)).results()
    client.close()


def test_expression_index_paginates_by_index_value(backend: Any) -> None:
    set_name = "gap_where_page"
    client = backend.client()
    keys = _keys_in_partition(set_name, 9)
    for n, key in enumerate(keys):
        client.put(("test", set_name, key), {"a": n})
    compiled = exp.Mod(exp.IntBin("a"), 3).compile()
    _create_expression_index(backend, set_name, "gap_where_page_x", compiled, "numeric")
    order = [n for _, _, n in sorted((n % 3, _digest(set_name, key), n) for n, key in enumerate(keys))]
    query = client.query("test", set_name)
    query.where_with_expr(compiled, p.between(None, 0, 2))
    query.max_records = 2
    query.paginate()
    pages = _pages(query, {"partition_filter": {"begin": PARTITION, "count": 1}})
    assert [a for page in pages for a in page] == order
    client.close()


_OFFICIAL_WHERE = """
import aerospike
from aerospike import predicates as p
from aerospike_helpers import expressions as exp
client = aerospike.client({"hosts": [tuple(host)]}).connect()
compiled = exp.Add(exp.IntBin("a"), 100).compile()
policy = {"total_timeout": 5000, "socket_timeout": 5000, "max_retries": 0}
out = []
for kind, first, (helper, args) in CALLS:
    query = client.query("test", SET)
    if helper == "contains":
        args = [args[0], aerospike.INDEX_TYPE_LIST] + args[1:]
    predicate = getattr(p, helper)(*args)
    if kind == "name":
        query.where_with_index_name(first, predicate)
    elif kind == "expr_b64":
        query.where_with_expr(first, predicate)
    else:
        query.where_with_expr(compiled, predicate)
    out.append(sorted(bins["a"] for _, _, bins in query.results(policy)))
client.close()
result = out
"""

# (how the index is named, the name or expression, (predicate helper, its arguments)); each client builds the
# predicate with its own helpers (19.x numbers the index data types differently from 3.0.0).
_CALLS = [
    ["name", "gap_wire_b", ["equals", [None, 1]]],
    ["name", "gap_wire_l", ["contains", [None, 3]]],
    ["name", "gap_wire_s", ["equals", [None, "s1"]]],
    ["expr", None, ["between", [None, 103, 106]]],
    ["expr_b64", "ENCODED", ["equals", [None, 107]]],
    ["expr", None, ["equals", ["a", 101]]],
]


def _query_requests(messages: list[bytes]) -> list[bytes]:
    """The index-query requests among the captured messages, with the random task id zeroed."""
    found = []
    for frame in messages:
        message, _ = decode_message(frame[8:])
        if message.field(FIELD_INDEX_RANGE) is None:
            continue
        fields = [(t, b"\0" * 8 if t == FIELD_TASK_ID else bytes(v)) for t, v in message.fields]
        found.append((message.info1, message.info2, message.info3, fields, len(message.ops)))
    return found  # type: ignore[return-value]


def test_where_with_index_name_and_expr_send_what_official_sends(backend: Any) -> None:
    set_name = "gap_wire"
    client = backend.client()
    _fill_plain(client, set_name)
    client.index_integer_create("test", set_name, "b", "gap_wire_b")
    client.index_list_create("test", set_name, "l", aerospike.INDEX_NUMERIC, "gap_wire_l")
    client.index_string_create("test", set_name, "s", "gap_wire_s")
    compiled = exp.Add(exp.IntBin("a"), 100).compile()
    encoded = _create_expression_index(backend, set_name, "gap_wire_x", compiled, "numeric")
    calls = [[kind, encoded if first == "ENCODED" else first, predicate] for kind, first, predicate in _CALLS]
    client.close()

    with WireLog(backend.hosts[0]) as wire:
        official = run_official(_OFFICIAL_WHERE, host=list(wire.address), CALLS=calls, SET=set_name)
        official_requests = _query_requests(wire.messages())
    with WireLog(backend.hosts[0]) as wire:
        ours_client = aerospike.client({"hosts": [wire.address]}).connect()
        policy = {"total_timeout": 5000, "socket_timeout": 5000, "max_retries": 0}
        ours = []
        for kind, first, (helper, args) in calls:
            query = ours_client.query("test", set_name)
            if helper == "contains":
                args = [args[0], aerospike.INDEX_TYPE_LIST] + args[1:]
            predicate = getattr(p, helper)(*args)
            if kind == "name":
                query.where_with_index_name(first, predicate)
            else:
                query.where_with_expr(first if kind == "expr_b64" else compiled, predicate)
            ours.append(sorted(bins["a"] for _, _, bins in query.results(policy)))
        ours_client.close()
        our_requests = _query_requests(wire.messages())
    assert ours == official == [[1, 4, 7], [2, 3], [1, 3, 5, 7, 9], [3, 4, 5, 6], [7], [1]]
    assert our_requests == official_requests
    kinds = [[t for t, _ in fields if t in (FIELD_INDEX_NAME, FIELD_INDEX_EXPRESSION)] for _, _, _, fields, _ in our_requests]
    assert kinds == [[21], [21], [21], [24], [24], [24]]


# --------------------------------------------------------------------------- batch defaults of config['policies']

_BATCH_DEFAULTS_SCRIPT = """
import aerospike
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import operations as op
A = aerospike
config_policies = {
    "batch_write": {"key": A.POLICY_KEY_SEND, "exists": A.POLICY_EXISTS_UPDATE, "ttl": 1000},
    "batch_remove": {"key": A.POLICY_KEY_SEND, "generation": 7, "gen": A.POLICY_GEN_EQ},
    "batch_apply": {"key": A.POLICY_KEY_SEND, "ttl": 2000},
    "batch_parent_write": {"total_timeout": 3333},
    "batch": {"total_timeout": 4444, "allow_inline": False},
}
client = aerospike.client({"hosts": [tuple(host)], "policies": config_policies}).connect()
keys = [("test", SET, i) for i in range(3)]
out = []
def call(name, run):
    try:
        answer = run()
        out.append([name, answer.result, [record.result for record in answer.batch_records]])
    except Exception as error:
        out.append([name, type(error).__name__])
call("rows", lambda: client.batch_write(br.BatchRecords(
    [br.Write(keys[0], [op.write("b", 2)]), br.Remove(keys[1]), br.Read(keys[2], [op.read("a")])])))
call("rows_apply", lambda: client.batch_write(br.BatchRecords(
    [br.Apply(keys[0], "gapnomod", "f", []), br.Write(keys[1], [op.write("b", 2)])])))
call("operate_write", lambda: client.batch_operate(keys, [op.write("c", 3)]))
call("operate_read", lambda: client.batch_operate(keys, [op.read("a")]))
call("apply", lambda: client.batch_apply(keys, "gapnomod", "f", []))
call("operate_write_own", lambda: client.batch_operate(keys, [op.write("c", 3)], {"allow_inline": True},
                                                        {"durable_delete": False}))
call("remove_own", lambda: client.batch_remove(keys, None, {"durable_delete": False}))
call("one_row_own", lambda: client.batch_write(br.BatchRecords(
    [br.Write(keys[0], [op.write("b", 2)], policy={"durable_delete": False})]), {"allow_inline": True}))
call("read", lambda: client.batch_read(keys))
client.close()
result = out
"""


def _requests(messages: list[bytes]) -> list[bytes]:
    """Batch and single-record requests (info frames and tending left out)."""
    return [frame for frame in messages if frame[1] == 3]


def test_batch_policy_defaults_of_the_config_are_read_as_19_3_0_reads_them(backend: Any) -> None:
    """config['policies'] batch_write / batch_apply / batch_remove are the rows' defaults (a call's dict lays
    its keys over them), batch_parent_write the parent policy of batches with writes, 'batch' that of reads."""
    set_name = "gap_bat_cfg"
    seeder = backend.client()

    def reset() -> None:
        for index in range(3):
            try:
                seeder.remove(("test", set_name, index))
            except aerospike.exception.RecordNotFound:
                pass
            seeder.put(("test", set_name, index), {"a": 1})

    reset()
    with WireLog(backend.hosts[0]) as wire:
        official = run_official(_BATCH_DEFAULTS_SCRIPT, host=list(wire.address), SET=set_name)
        official_requests = _requests(wire.messages())
    reset()
    with WireLog(backend.hosts[0]) as wire:
        variables: dict[str, Any] = {"host": list(wire.address), "SET": set_name}
        exec(_BATCH_DEFAULTS_SCRIPT, variables)  # noqa: S102 - the same script through this package
        ours = variables["result"]
        our_requests = _requests(wire.messages())
    seeder.close()
    assert ours == official
    assert our_requests == official_requests
    # What the defaults did: exists UPDATE_ONLY, ttl 1000 and the key on write rows; generation 7 (EQ) on removes.
    assert official[0] == ["rows", -16, [0, 3, 0]]
    assert len(our_requests) == 9


# ------------------------------------------------------------------------------------------ KeyOrderedDict read back

_KEY_ORDERED_SCRIPT = """
import aerospike
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import map_operations as mo, operations as op
client = aerospike.client({"hosts": [tuple(host)]}).connect()
key = ("test", SET, 1)
try:
    client.remove(key)
except aerospike.exception.RecordNotFound:
    pass
client.put(key, {"m": aerospike.KeyOrderedDict({"b": 2, "a": 1}), "u": {"y": 1, "x": 2},
                 "l": [aerospike.KeyOrderedDict({"z": 1}), {"w": 2}]})
client.operate(key, [mo.map_set_policy("u2", {"map_order": aerospike.MAP_KEY_ORDERED}),
                     mo.map_put("u2", "k", 1)])
def kinds(bins):
    return {name: [type(value).__name__] + ([type(item).__name__ for item in value] if isinstance(value, list)
                                             else [])
            for name, value in sorted(bins.items())}
out = {}
out["get"] = kinds(client.get(key)[2])
out["operate"] = kinds(client.operate(key, [op.read("m"), op.read("u")])[2])
out["query"] = kinds(client.query("test", SET).results()[0][2])
out["batch_read"] = kinds(client.batch_read([key, ("test", SET, 2), key]).batch_records[0].record[2])
out["batch_operate"] = kinds(client.batch_operate([key, key], [op.read("m"), op.read("l")]).batch_records[1].record[2])
rows = client.batch_write(br.BatchRecords([br.Read(key, [op.read("u2")]), br.Write(key, [op.write("x", 1), op.read("m")])]))
out["batch_write"] = [kinds(row.record[2]) for row in rows.batch_records]
out["equal"] = client.batch_read([key]).batch_records[0].record[2] == client.get(key)[2]
client.close()
result = out
"""

_KOD = ["KeyOrderedDict"]


def test_key_ordered_maps_read_back_as_19_3_0_in_the_current_api_and_as_3_0_0_in_its_own(backend: Any) -> None:
    set_name = "gap_kod"
    official = run_official(_KEY_ORDERED_SCRIPT, host=list(backend.hosts[0]), SET=set_name)
    variables: dict[str, Any] = {"host": list(backend.hosts[0]), "SET": set_name}
    exec(_KEY_ORDERED_SCRIPT, variables)  # noqa: S102 - the same script through this package
    ours = variables["result"]
    everything = {"l": ["list", "KeyOrderedDict", "dict"], "m": _KOD, "u": ["dict"], "u2": _KOD}
    # 19.3.0: KeyOrderedDict wherever the server marks the map key-ordered.
    assert official["get"] == official["query"] == official["batch_read"] == everything
    assert official["operate"] == {"m": _KOD, "u": ["dict"]}
    # The current API's batch methods (3.0.0 has none): the same here.
    for name in ("batch_read", "batch_operate", "batch_write", "equal"):
        assert ours[name] == official[name], name
    # 3.0.0's own calls (get, operate, query) keep 3.0.0's plain dicts.
    plain = {"l": ["list", "dict", "dict"], "m": ["dict"], "u": ["dict"], "u2": ["dict"]}
    assert ours["get"] == ours["query"] == plain
    assert ours["operate"] == {"m": ["dict"], "u": ["dict"]}
