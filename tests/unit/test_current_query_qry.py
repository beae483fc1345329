"""Scans and queries of the current API (19.x) against the recorded 19.3.0 bytes (transcripts 08 and 09).

Each recorded call is made through the public Query/Scan objects of a client whose cluster is a fake: requests
are captured (the random transaction id is set to the recorded one) and the recorded replies are fed back, so
the request bytes and the results are both checked. No sockets.
"""

from __future__ import annotations

import struct
from typing import Any, Callable

import pytest

import aerospike
from aerospike import exception
from aerospike import predicates as p
from aerospike.command import FRAME_MORE
from aerospike.partition_scan import PartitionsStatus
from aerospike.protocol.constants import (
    FIELD_BVAL_ARRAY,
    FIELD_DIGEST,
    FIELD_DIGEST_ARRAY,
    FIELD_FILTER_EXP,
    FIELD_INDEX_CONTEXT,
    FIELD_MAX_RECORDS,
    FIELD_PID_ARRAY,
    FIELD_RECORDS_PER_SECOND,
    FIELD_TASK_ID,
    INFO1_SHORT_QUERY,
    INFO2_RELAX_AP_LONG_QUERY,
    INFO3_LAST,
)
from aerospike.protocol.message import Message
from aerospike_helpers import cdt_ctx
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import operations as op
from tests.support.transcripts import Exchange, find, load, messages, split_note

# 19.3.0's default scan/query/write socket timeout is 30 s (3.0.0's 10 s, the default here): set as a config
# default, the way a user who wants 19.x's bytes would.
CONFIG = {
    "hosts": [("127.0.0.1", 3000)],
    "policies": {"query": {"socket_timeout": 30000}, "scan": {"socket_timeout": 30000},
                 "write": {"socket_timeout": 30000}},
}


class FakeNode:
    def __init__(self, name: str) -> None:
        self.name = name
        self.address = f"127.0.0.1:{3000 if name == 'A1' else 3010}"


class FakeCluster:
    """One node (A1) owning every partition, or two (A1 below `split`, A2 from it)."""

    def __init__(self, split: int = 4096) -> None:
        self.a = FakeNode("A1")
        self.b = FakeNode("A2")
        self.split = split

    def node_for(self, namespace: str, partition_id: int, replica_index: int) -> FakeNode:
        return self.a if partition_id < self.split else self.b

    def has_namespace(self, namespace: str) -> bool:
        return True

    def nodes(self) -> list:
        return [self.a] if self.split >= 4096 else [self.a, self.b]

    def get_node(self, name: str) -> FakeNode:
        return {"A1": self.a, "A2": self.b}[name]


class Wire:
    """Captures requests and answers each with the next queued list of reply messages."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, cluster: FakeCluster) -> None:
        self.sent: list[bytes] = []
        self.replies: list[list[Message]] = []
        self.task_ids: list[int] = []
        self.by_node: dict[str, list[Message]] = {}  # replies per node name (parallel node streams)
        monkeypatch.setattr("aerospike.command.execute_stream", self.stream)
        monkeypatch.setattr("aerospike.command.execute_stream_frames", self.stream_frames)
        monkeypatch.setattr("aerospike.query.new_task_id", self.next_task_id)
        self.client = aerospike.client(CONFIG)
        monkeypatch.setattr(self.client, "_connected_cluster", lambda: cluster)

    def next_task_id(self) -> int:
        return self.task_ids.pop(0) if self.task_ids else 1

    def expect(self, exchange: Exchange) -> None:
        self.task_ids.append(struct.unpack(">Q", messages(exchange.request)[0].field(FIELD_TASK_ID) or b"")[0])
        found: list[Message] = []
        for frame in exchange.replies:
            found.extend(messages(frame))
        self.replies.append(found)

    def stream(self, cluster: Any, policy: Any, node: Any, request: bytes, on_message: Callable, *_: Any) -> None:
        self.sent.append(request)
        if node.name in self.by_node:
            replies = self.by_node[node.name]
        else:
            replies = self.replies.pop(0) if self.replies else [Message(info3=INFO3_LAST)]
        for message in replies:
            if on_message(message) is False:
                return

    def stream_frames(self, cluster: Any, policy: Any, node: Any, request: bytes, on_frame: Callable, *_: Any) -> None:
        """The same replies as frames of up to three messages each (scans decode whole frames)."""
        self.sent.append(request)
        if node.name in self.by_node:
            replies = self.by_node[node.name]
        else:
            replies = self.replies.pop(0) if self.replies else [Message(info3=INFO3_LAST)]
        bodies = [message.encode()[8:] for message in replies]
        for start in range(0, len(bodies), 3):
            if on_frame(b"".join(bodies[start : start + 3])) != FRAME_MORE:
                return


def recorded_result(exchange: Exchange) -> Any:
    return eval(split_note(exchange.note)[1], {"bytearray": bytearray})  # noqa: S307 (our own recorded data)


def by_digest(records: list) -> list:
    return sorted(records, key=lambda record: bytes(record[0][3]))


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Wire:
    return Wire(monkeypatch, FakeCluster())


CASES: list[tuple[str, Callable[[Any], list]]] = [
    ("client.query('test', 's08').results()", lambda c: c.query("test", "s08").results()),
    ("q.select('a'); _ = q.results()", lambda c: c.query("test", "s08").select("a").results()),
    ("client.scan('test', 's08').results()", lambda c: c.scan("test", "s08").results()),
    ("client.query('test', 's08_empty').results()", lambda c: c.query("test", "s08_empty").results()),
    (
        "exp.GE(exp.IntBin('a'), 25).compile()",
        lambda c: c.query("test", "s08").results(policy={"expressions": exp.GE(exp.IntBin("a"), 25).compile()}),
    ),
]


@pytest.mark.parametrize(("fragment", "call"), CASES, ids=[case[0] for case in CASES])
def test_recorded_queries_send_the_recorded_bytes_and_return_its_records(
    wire: Wire, fragment: str, call: Callable[[Any], list]
) -> None:
    exchange = find("08-scan", fragment)
    wire.expect(exchange)
    results = call(wire.client)
    assert wire.sent == [exchange.request]
    assert by_digest(results) == by_digest(recorded_result(exchange))


def test_max_records_is_field_13(wire: Wire) -> None:
    exchange = find("08-scan", "q.max_records = 5")
    wire.expect(exchange)
    query = wire.client.query("test", "s08")
    query.max_records = 5
    results = query.results()
    assert wire.sent == [exchange.request]
    assert messages(wire.sent[0])[0].field(FIELD_MAX_RECORDS) == struct.pack(">Q", 5)
    assert by_digest(results) == by_digest(recorded_result(exchange))


def test_foreach_hands_each_recorded_record(wire: Wire) -> None:
    exchange = find("08-scan", ".foreach(lambda rec")
    wire.expect(exchange)
    seen: list = []
    assert wire.client.query("test", "s08").foreach(lambda record: seen.append(record[2]["a"])) is None
    assert wire.sent == [exchange.request]
    assert sorted(seen) == sorted(recorded_result(exchange))


def test_paginated_query_resumes_each_page_with_the_recorded_digests(wire: Wire) -> None:
    pages = [exchange for exchange in load("08-scan") if "pages.append(len(r))" in exchange.note]
    assert len(pages) == 3
    query = wire.client.query("test", "s08")
    query.max_records = 12
    assert query.paginate() is True
    assert query.get_partitions_status() == {}  # paginate keeps a state from the first call on
    for exchange in pages:
        wire.expect(exchange)
        records = query.results()
        count, done, recorded = recorded_result(exchange)
        assert (len(records), query.is_done()) == (count, done)
        assert by_digest(records) == by_digest(recorded)
    assert wire.sent == [exchange.request for exchange in pages]
    second = messages(wire.sent[1])[0]
    assert len(second.field(FIELD_DIGEST_ARRAY) or b"") == 12 * 20
    assert len(second.field(FIELD_PID_ARRAY) or b"") == 2 * (4096 - 12)
    status = query.get_partitions_status()
    assert (status["done"], status["retry"]) == (True, False)
    assert len([key for key in status if isinstance(key, int)]) == 4096
    with pytest.raises(exception.InvalidNodeError) as raised:
        query.results()  # every partition is done: nothing is left to ask
    assert raised.value.msg == "No nodes were assigned"


def test_background_operate_query_is_the_recorded_request(wire: Wire) -> None:
    exchange = find("08-scan", "q.add_ops([op.write('bg', 1)])")
    wire.expect(exchange)
    query = wire.client.query("test", "s08")
    assert query.add_ops([op.write("bg", 1)]) is query
    job_id = query.execute_background()
    # Field 9: 19.3.0 sends its write socket timeout (30 s) beside a 1 s total timeout; here, as in 3.0.0's
    # policies, a socket timeout is capped to the total timeout (docs/differences.md).
    recorded = exchange.request.replace(struct.pack(">BI", 9, 30000), struct.pack(">BI", 9, 1000), 1)
    assert wire.sent == [recorded]
    assert job_id == recorded_result(exchange)


@pytest.mark.parametrize(
    ("fragment", "predicate"),
    [
        ("q.where(p.equals('n', 5)); _ = q.results()", p.equals("n", 5)),
        ("p.between('n', 3, 7)", p.between("n", 3, 7)),
        ("p.equals('s', 'odd')", p.equals("s", "odd")),
        ("p.contains('lst', aerospike.INDEX_TYPE_LIST, 4)", p.contains("lst", aerospike.INDEX_TYPE_LIST, 4)),
        ("p.range('lst', aerospike.INDEX_TYPE_LIST, 2, 3)", p.range("lst", aerospike.INDEX_TYPE_LIST, 2, 3)),
        ("p.contains('mp', aerospike.INDEX_TYPE_MAPKEYS, 'k3')", p.contains("mp", aerospike.INDEX_TYPE_MAPKEYS, "k3")),
        ("p.geo_within_radius('loc', -122.0, 37.0, 2500)", p.geo_within_radius("loc", -122.0, 37.0, 2500)),
        ("p.geo_contains_point('rgn', -121.98, 37.0)", p.geo_contains_point("rgn", -121.98, 37.0)),
    ],
)
def test_recorded_index_queries(wire: Wire, fragment: str, predicate: tuple) -> None:
    exchange = find("09-sindex", fragment)
    wire.expect(exchange)
    records = wire.client.query("test", "s09").select("n", "s").where(predicate).results()
    assert wire.sent == [exchange.request]
    # The recorded note shows (user key, bins) sorted by 'n'.
    assert sorted(((key[2], bins) for key, _, bins in records), key=lambda pair: pair[1]["n"]) == recorded_result(
        exchange
    )


def test_index_query_resumes_with_digest_and_index_value(monkeypatch: pytest.MonkeyPatch) -> None:
    exchange = find("09-sindex", "p.between('n', 3, 7)")
    wire = Wire(monkeypatch, FakeCluster())
    wire.task_ids = [1, 2]
    records = wire_records(exchange)
    wire.replies = [records[:2] + [Message(info3=INFO3_LAST)], records[2:3] + [Message(info3=INFO3_LAST)]]
    query = wire.client.query("test", "s09").select("n", "s").where(p.between("n", 3, 7))
    query.max_records = 2
    query.paginate()
    assert len(query.results()) == 2 and query.is_done() is False
    assert len(query.results()) == 1 and query.is_done() is True
    resumed = messages(wire.sent[1])[0]
    digests = resumed.field(FIELD_DIGEST_ARRAY) or b""
    values = resumed.field(FIELD_BVAL_ARRAY) or b""
    assert len(digests) == 2 * 20 and len(values) == 2 * 8
    by_digest_value = {m.field(FIELD_DIGEST): m.field(FIELD_BVAL_ARRAY) for m in records[:2]}
    assert [values[:8], values[8:]] == [by_digest_value[digests[:20]], by_digest_value[digests[20:]]]
    fields = [field for field, _ in resumed.fields]
    assert fields[-4:] == [FIELD_PID_ARRAY, FIELD_DIGEST_ARRAY, FIELD_BVAL_ARRAY, FIELD_MAX_RECORDS]


def wire_records(exchange: Exchange) -> list[Message]:
    found: list[Message] = []
    for frame in exchange.replies:
        found.extend(m for m in messages(frame) if m.field(FIELD_DIGEST))
    return found


def test_missing_index_raises_index_not_found(wire: Wire) -> None:
    exchange = find("09-sindex", "q.where(p.equals('noidx', 1))")
    wire.expect(exchange)
    with pytest.raises(exception.IndexNotFound):
        wire.client.query("test", "s09").where(p.equals("noidx", 1)).results()
    assert len(wire.sent) == 1  # 3.0.0's query policy: no retries (19.x retries 5 times)


# ------------------------------------------------------------------------------------------------ partition filter


def test_partition_filter_asks_only_its_partitions_and_foreach_gets_the_partition_id(wire: Wire) -> None:
    exchange = find("08-scan", "client.query('test', 's08').results()")
    wire.expect(exchange)
    seen: list = []
    query = wire.client.query("test", "s08")
    query.foreach(lambda pid, record: seen.append((pid, record)), {"partition_filter": {"begin": 1000, "count": 4}})
    pid_array = messages(wire.sent[0])[0].field(FIELD_PID_ARRAY)
    assert pid_array == struct.pack("<4H", 1000, 1001, 1002, 1003)
    for pid, record in seen:
        digest = bytes(record[0][3])
        assert pid == (digest[0] | digest[1] << 8) & 0xFFF
    status = query.get_partitions_status()
    assert sorted(key for key in status if isinstance(key, int)) == [1000, 1001, 1002, 1003]
    assert query.is_done() is True


def test_partition_status_resumes_a_stopped_scan(wire: Wire) -> None:
    exchange = find("08-scan", "client.scan('test', 's08').results()")
    wire.expect(exchange)
    scan = wire.client.scan("test", "s08")
    scan.paginate()
    first: list = []

    def two(record: Any) -> Any:
        if len(first) == 2:
            return False
        first.append(record)
        return True

    scan.foreach(two)
    status = scan.get_partitions_status()
    assert status["retry"] is True and status["done"] is False
    taken = [part for key, part in status.items() if isinstance(key, int) and part[1]]
    assert len(taken) == 2  # the two accepted records; the refused third one is not counted
    wire.expect(exchange)
    rest: list = []
    wire.client.scan("test", "s08").foreach(lambda pid, record: rest.append(record),
                                            {"partition_filter": {"partition_status": status}})
    resumed = messages(wire.sent[1])[0]
    assert len(resumed.field(FIELD_DIGEST_ARRAY) or b"") == 40
    assert len(resumed.field(FIELD_PID_ARRAY) or b"") == 2 * 4094


@pytest.mark.parametrize(
    ("partition_filter", "message"),
    [
        (5, "invalid partition_filter policy, partition_filter must be a dict"),
        ({"begin": 5000}, "invalid partition_filter policy begin, begin must \t\t\t\t\t\tbe an int between 0 and 4095 inclusive"),
        ({"begin": "x"}, "invalid partition_filter policy begin, begin must \t\t\t\t\t\tbe an int between 0 and 4095 inclusive"),
        ({"count": 0}, "invalid partition_filter policy count, count must \t\t\t\t\t\tbe an int between 1 and 4096 inclusive"),
        ({"begin": 4000, "count": 100},
         "invalid partition filter range,\t\t\t\t\t\tbegin: 4000 count: 100, valid range when begin + count <= 4096"),
        ({"partition_status": 5}, "invalid partition_filter policy, partition_status must be a dict"),
        ({"partition_status": {}}, "partition_status dict missing key 'done'"),
        ({"partition_status": {"done": False}}, "partition_status dict missing key 'retry'"),
        ({"partition_status": {"done": "no", "retry": True}}, "partition_status dict key 'done' must be an int"),
    ],
)
def test_bad_partition_filters_raise_19x_messages(wire: Wire, partition_filter: Any, message: str) -> None:
    with pytest.raises(exception.ParamError) as raised:
        wire.client.query("test", "s08").results({"partition_filter": partition_filter})
    assert (raised.value.code, raised.value.msg) == (-2, message)
    assert wire.sent == []


def test_partition_status_round_trips_through_a_filter() -> None:
    status = PartitionsStatus.range(10, 3)
    status.parts[1].digest = bytes(range(20))
    status.parts[1].bval = 7
    status.parts[2].retry = False
    from aerospike.query import partition_filter_status

    rebuilt = partition_filter_status({"partition_status": status.as_dict(), "begin": 10, "count": 3})
    assert rebuilt.as_dict() == status.as_dict()


# ------------------------------------------------------------------------------------------------ other keys


def test_scan_policy_max_records_rps_and_query_durations(wire: Wire) -> None:
    wire.client.scan("test", "s08").results({"max_records": 9, "records_per_second": 100})
    scan = messages(wire.sent[0])[0]
    assert scan.field(FIELD_MAX_RECORDS) == struct.pack(">Q", 9)
    assert scan.field(FIELD_RECORDS_PER_SECOND) == struct.pack(">I", 100)
    assert [field for field, _ in scan.fields][:4] == [0, 1, 10, 9]  # rps comes before the socket timeout
    wire.client.query("test", "s08").results({"short_query": True})
    wire.client.query("test", "s08").results({"expected_duration": aerospike.QUERY_DURATION_SHORT})
    wire.client.query("test", "s08").results({"expected_duration": aerospike.QUERY_DURATION_LONG_RELAX_AP})
    short, duration_short, relaxed = (messages(request)[0] for request in wire.sent[1:])
    assert short.info1 & INFO1_SHORT_QUERY and duration_short.info1 & INFO1_SHORT_QUERY
    assert relaxed.info2 & INFO2_RELAX_AP_LONG_QUERY and not relaxed.info1 & INFO1_SHORT_QUERY


def test_where_ctx_is_field_23(wire: Wire) -> None:
    query = wire.client.query("test", "s08")
    query.where(p.equals("m", 1), [cdt_ctx.cdt_ctx_map_key("inner")])
    query.results()
    sent = messages(wire.sent[0])[0]
    assert sent.field(FIELD_INDEX_CONTEXT) == bytes.fromhex("92 22 a6 03") + b"inner"
    fields = [field for field, _ in sent.fields]
    assert fields.index(22) < fields.index(23) < fields.index(11)


def test_expressions_go_before_the_partitions(wire: Wire) -> None:
    wire.client.scan("test", "s08").results({"expressions": exp.Eq(exp.IntBin("a"), 1).compile()})
    fields = [field for field, _ in messages(wire.sent[0])[0].fields]
    assert fields.index(FIELD_FILTER_EXP) == fields.index(FIELD_PID_ARRAY) - 1


def test_attributes_and_add_ops_rules(wire: Wire) -> None:
    query = wire.client.query("test", "s08")
    assert (query.max_records, query.records_per_second, query.ttl) == (0, 0, 0)
    with pytest.raises(TypeError):
        query.max_records = "a"
    with pytest.raises(exception.ClientError) as not_list:
        query.add_ops(5)
    assert not_list.value.msg == "Ops must be list."
    with pytest.raises(exception.ParamError) as not_dict:
        query.add_ops([5])
    assert not_dict.value.msg == "Failed to convert ops."
    with pytest.raises(exception.ParamError) as nothing:
        wire.client.query("test", "s08").execute_background()
    assert nothing.value.msg == "Background function or ops is required"
    writes = wire.client.query("test", "s08").add_ops([op.write("z", 1)])
    with pytest.raises(exception.ParamError) as foreground_write:
        writes.results()
    assert str(foreground_write.value.msg).startswith("Query operations must be read-only")
    assert wire.sent == []
    assert wire.client.query("test", "s08").get_partitions_status() == {}
    assert wire.client.query("test", "s08").is_done() is False


def test_background_scan_with_ttl_and_udf(wire: Wire) -> None:
    scan = wire.client.scan("test", "s08")
    scan.ttl = 100
    scan.add_ops([op.increment("n", 1)])
    scan.execute_background()
    sent = messages(wire.sent[0])[0]
    assert (sent.record_ttl, sent.info2 & 1, sent.field(FIELD_PID_ARRAY)) == (100, 1, None)
    udf_scan = wire.client.scan("test", "s08").apply("mod", "fn", [1])
    udf_scan.execute_background()
    udf_fields = dict(messages(wire.sent[1])[0].fields)
    assert (udf_fields[33], udf_fields[30], udf_fields[31]) == (b"\x02", b"mod", b"fn")


def test_select_and_where_twice_keep_the_first_as_in_3_0_0(wire: Wire) -> None:
    query = wire.client.query("test", "s08").select("a")
    query.select("b")  # 19.x raises ClientError here; 3.0.0 ignored the second call
    query.where(p.equals("a", 1))
    query.where(p.equals("a", 2))
    query.results()
    sent = messages(wire.sent[0])[0]
    assert [o.bin_name for o in sent.ops] == ["a"]
    assert sent.field(22) == bytes.fromhex("01 01 61 01 00000008 0000000000000001 00000008 0000000000000001")


def test_max_records_is_shared_out_over_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two nodes: max_records is shared out, and a node that returned its share is asked again."""
    cluster = FakeCluster(split=2048)
    wire = Wire(monkeypatch, cluster)
    exchange = find("08-scan", "client.query('test', 's08').results()")
    records = wire_records(exchange)
    low = [m for m in records if ((m.field(FIELD_DIGEST) or b"\0\0")[0] | (m.field(FIELD_DIGEST) or b"\0\0")[1] << 8) & 0xFFF < 2048]
    high = [m for m in records if m not in low]
    query = wire.client.query("test", "s08")
    query.max_records = 5
    query.paginate()
    wire.by_node = {"A1": low[:3] + [Message(info3=INFO3_LAST)], "A2": high[:2] + [Message(info3=INFO3_LAST)]}
    got = query.results()
    shares = sorted(struct.unpack(">Q", messages(r)[0].field(FIELD_MAX_RECORDS) or b"")[0] for r in wire.sent)
    assert shares == [2, 3] and len(got) == 5
    assert query.is_done() is False
    status = query.get_partitions_status()
    assert status["retry"] is False and all(part[2] for key, part in status.items() if isinstance(key, int))




# ------------------------------------------------------------------------------------------------ CDT value types


def test_key_ordered_dict_wildcard_and_infinite_pack_as_19x_does() -> None:
    from aerospike.protocol.cdt import pack

    assert issubclass(aerospike.KeyOrderedDict, dict)
    assert pack(aerospike.KeyOrderedDict({"b": 1, "a": 2})) == bytes.fromhex("83c70001c0a2036102a2036201")
    assert pack([1, aerospike.CDTWildcard()]) == bytes.fromhex("9201d4ff00")
    assert pack([1, aerospike.CDTInfinite(), "x"]) == bytes.fromhex("9301d4ff01a20378")
    # A user's bytes value never turns into a sentinel.
    assert pack([b"\xd4\xff\x00"]) == bytes.fromhex("91a404d4ff00")
