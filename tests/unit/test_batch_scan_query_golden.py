"""Batch, scan, query, UDF and index requests against the recorded official-client bytes, and the
client-side logic (ordering, retries, partition resume, Lua reduce) against recorded server replies.
No sockets: a fake stream replays reply frames.
"""

from __future__ import annotations

import base64
import struct
from typing import Any, Callable, Optional

import pytest

import aerospike
from aerospike import exception
from aerospike import predicates as p
from aerospike.batch import BatchRead, encode_batch_request, run_batch
from aerospike.index import sindex_create_command
from aerospike.key import parse_key
from aerospike.partition_scan import PartitionTracker, run_partition_stream
from aerospike.policy import build, build_defaults
from aerospike.protocol.cdt import pack
from aerospike.protocol.constants import FIELD_DIGEST, FIELD_DIGEST_ARRAY, FIELD_PID_ARRAY, FIELD_TASK_ID
from aerospike.protocol.message import Message
from aerospike.query import UDF_OP_AGGREGATE, UDF_OP_BACKGROUND, StreamRequest, record_tuple
from aerospike.udf import LuaAggregator, parse_job_reply
from aerospike.values import ValueCodec
from tests.support.clusters import RowsFromNodeFor
from tests.support.transcripts import Exchange, find, load, messages

BATCH_POLICY = build_defaults({})["batch"]
QUERY_POLICY = build("query", {"socket_timeout": 30000})  # 19.3.0's default socket timeout
SCAN_POLICY = build("scan", {"socket_timeout": 30000})
CODEC = ValueCodec()


class FakeNode:
    def __init__(self, name: str) -> None:
        self.name = name
        self.address = f"{name}:3000"

    def __repr__(self) -> str:
        return f"FakeNode({self.name})"


class FakeCluster(RowsFromNodeFor):
    """Routes partitions below `split` to node A, the rest to node B."""

    def __init__(self, split: int = 4096) -> None:
        self.a = FakeNode("A")
        self.b = FakeNode("B")
        self.split = split

    def node_for(self, namespace: str, partition_id: int, replica_index: int) -> Optional[FakeNode]:
        return self.a if partition_id < self.split else self.b

    def has_namespace(self, namespace: str) -> bool:
        return True

    def replica_count(self, namespace: str) -> int:
        return 1

    def nodes(self) -> list:
        return [self.a, self.b]


def replay(frames: list[bytes]) -> list[Message]:
    found = []
    for frame in frames:
        found.extend(messages(frame))
    return found


def _keep(found: list, item: Any) -> bool:
    found.append(item)
    return True


def task_id(exchange: Exchange) -> int:
    return struct.unpack(">Q", messages(exchange.request)[0].field(FIELD_TASK_ID) or b"")[0]


def all_partitions() -> tuple[bytes, bytes]:
    assignment = PartitionTracker("test").assign(FakeCluster())[0]
    return assignment.pid_array(), assignment.digest_array()


# ------------------------------------------------------------------------------------------------ batch

SEVEN = [("test", "s07", f"k{i}") for i in range(7)]


@pytest.mark.parametrize(
    ("fragment", "keys", "read"),
    [
        ("range(7)]).batch_records", SEVEN, BatchRead.get()),
        ("bins=['a']", SEVEN, BatchRead.select(["a"])),
        ("bins=[]", SEVEN, BatchRead.exists()),
        ("('bar', 's07', 'k9')", [("test", "s07", "k0"), ("bar", "s07", "k0"), ("bar", "s07", "k9")], BatchRead.get()),
    ],
)
def test_batch_request_is_byte_identical(fragment: str, keys: list, read: BatchRead) -> None:
    exchange = find("07-batch", fragment)
    parsed = [parse_key(key) for key in keys]
    assert encode_batch_request(list(enumerate(parsed)), read, BATCH_POLICY) == exchange.request


def _stream_from(replies: dict[str, list[Message]], sent: list) -> Callable[..., None]:
    def stream(cluster: Any, policy: Any, node: FakeNode, request: bytes, on_message: Callable) -> None:
        sent.append((node.name, request))
        for message in replies[node.name]:
            if on_message(message) is False:
                return

    return stream


def test_batch_results_in_input_order_with_missing_records() -> None:
    exchange = find("07-batch", "range(7)]).batch_records")
    keys = [parse_key(key) for key in SEVEN]
    sent: list = []
    stream = _stream_from({"A": replay(exchange.replies)}, sent)
    results = run_batch(FakeCluster(), None, stream, keys, BatchRead.get(), BATCH_POLICY, CODEC, 4)  # type: ignore[arg-type]
    assert [record[2] for record in results[:5]] == [{"a": i, "b": f"v{i}"} for i in range(5)]
    assert results[0][1] == {"ttl": 0xFFFFFFFF, "gen": 1}
    assert results[0][0] == ("test", "s07", "k0", bytearray(keys[0].digest))
    assert results[5] == (keys[5].as_tuple(), None, None)
    assert results[6] == (keys[6].as_tuple(), None, None)
    assert sent == [("A", exchange.request)]


def test_exists_many_shape() -> None:
    exchange = find("07-batch", "bins=[]")
    keys = [parse_key(key) for key in SEVEN]
    stream = _stream_from({"A": replay(exchange.replies)}, [])
    results = run_batch(FakeCluster(), None, stream, keys, BatchRead.exists(), BATCH_POLICY, CODEC, 1)  # type: ignore[arg-type]
    assert [len(result) for result in results] == [2] * 7
    assert results[4][1] == {"ttl": 0xFFFFFFFF, "gen": 1}
    assert results[5][1] is None


def batch_indexes(request: bytes) -> list[int]:
    """The key indexes a batch request asks for (decoding field 41)."""
    field = messages(request)[0].field(41) or b""
    count = struct.unpack_from(">I", field)[0]
    offset = 5
    indexes = []
    for _ in range(count):
        indexes.append(struct.unpack_from(">I", field, offset)[0])
        offset += 24
        if field[offset] == 1:
            offset += 1
            continue
        n_fields, n_ops = struct.unpack_from(">HH", field, offset + 8)
        offset += 12
        for _ in range(n_fields + n_ops):
            offset += 4 + struct.unpack_from(">I", field, offset)[0]
    return indexes


def test_batch_retries_only_the_failed_nodes_keys() -> None:
    keys = [parse_key(key) for key in SEVEN]
    cluster = FakeCluster(split=2048)
    on_b = [index for index, key in enumerate(keys) if key.partition_id >= 2048]
    on_a = [index for index in range(7) if index not in on_b]
    assert on_a and on_b

    def answer(indexes: list[int]) -> list[Message]:
        found = [Message(result_code=0, generation=1, transaction_ttl=index) for index in indexes]
        return found + [Message(info3=1)]

    calls: list[str] = []
    requested: list[list[int]] = []
    failures = {"B": 1}

    def stream(cluster: Any, policy: Any, node: FakeNode, request: bytes, on_message: Callable) -> None:
        calls.append(node.name)
        wanted = batch_indexes(request)
        requested.append(wanted)
        if failures.get(node.name):
            failures[node.name] -= 1
            on_message(answer(wanted)[0])  # one record arrives, then the connection breaks
            raise exception.ConnectionError(-10, "connection reset")
        for message in answer(wanted):
            if on_message(message) is False:
                return

    policy = build("batch", {"max_retries": 1})
    results = run_batch(cluster, None, stream, keys, BatchRead.exists(), policy, CODEC, 1)  # type: ignore[arg-type]
    assert calls == ["A", "B", "B"]
    assert requested == [on_a, on_b, on_b[1:]]  # the retry asks only for the keys still missing
    assert all(result[1] == {"ttl": 0xFFFFFFFF, "gen": 1} for result in results)

    failures["B"] = 5
    calls.clear()
    with pytest.raises(exception.ConnectionError):
        run_batch(cluster, None, stream, keys, BatchRead.exists(), policy, CODEC, 1)  # type: ignore[arg-type]
    assert calls == ["A", "B", "B"]


def test_batch_rejects_bad_arguments() -> None:
    with pytest.raises(exception.ParamError):
        BatchRead.select("a")
    with pytest.raises(exception.ParamError):
        BatchRead.select([1])


# ------------------------------------------------------------------------------------------------ scan/query


def test_scan_requests_are_byte_identical() -> None:
    pids, digests = all_partitions()
    exchange = find("08-scan", "client.scan('test', 's08').results()")
    request = StreamRequest("test", "s08", SCAN_POLICY, task_id=task_id(exchange))
    assert request.encode(pids, digests) == exchange.request
    exchange = find("08-scan", "q.select('a')")
    request = StreamRequest("test", "s08", QUERY_POLICY, task_id=task_id(exchange), bins=["a"])
    assert request.encode(pids, digests) == exchange.request


@pytest.mark.parametrize(
    ("fragment", "predicate"),
    [
        ("p.equals('n', 5))", p.equals("n", 5)),
        ("p.between('n', 3, 7)", p.between("n", 3, 7)),
        ("p.equals('s', 'odd')", p.equals("s", "odd")),
        ("p.contains('lst', aerospike.INDEX_TYPE_LIST, 4)", p.contains("lst", aerospike.INDEX_TYPE_LIST, 4)),
        ("p.range('lst', aerospike.INDEX_TYPE_LIST, 2, 3)", p.range("lst", aerospike.INDEX_TYPE_LIST, 2, 3)),
        ("INDEX_TYPE_MAPKEYS, 'k3'", p.contains("mp", aerospike.INDEX_TYPE_MAPKEYS, "k3")),
        ("INDEX_TYPE_MAPVALUES, 30", p.contains("mp", aerospike.INDEX_TYPE_MAPVALUES, 30)),
        ("p.geo_within_radius('loc', -122.0, 37.0, 2500)", p.geo_within_radius("loc", -122.0, 37.0, 2500)),
        ("p.geo_contains_point('rgn', -121.98, 37.0)", p.geo_contains_point("rgn", -121.98, 37.0)),
        (
            "p.geo_contains_geojson_point('rgn'",
            p.geo_contains_geojson_point("rgn", aerospike.GeoJSON({"type": "Point", "coordinates": [-121.99, 37.0]}).dumps()),
        ),
    ],
)
def test_index_query_requests_are_byte_identical(fragment: str, predicate: tuple) -> None:
    exchange = find("09-sindex", fragment)
    pids, digests = all_partitions()
    request = StreamRequest(
        "test", "s09", QUERY_POLICY, task_id=task_id(exchange), bins=["n", "s"], predicate=predicate
    )
    assert request.encode(pids, digests) == exchange.request


def test_udf_job_and_aggregation_requests_are_byte_identical() -> None:
    exchange = find("10-udf", "q.apply('agg_udf', 'sum_bin', ['n']); _ = q.results()")
    request = StreamRequest(
        "test", "s10", QUERY_POLICY, task_id=task_id(exchange), udf=(UDF_OP_AGGREGATE, "agg_udf", "sum_bin", pack(["n"]))
    )
    assert request.encode() == exchange.request
    exchange = find("10-udf", "client.scan_apply(")
    request = StreamRequest(
        "test",
        "s10",
        SCAN_POLICY,
        task_id=task_id(exchange),
        udf=(UDF_OP_BACKGROUND, "rec_udf", "set_bin", pack(["bg2", "s"])),
        background=True,
    )
    assert request.encode() == exchange.request
    exchange = find("10-udf", "client.query_apply(")
    request = StreamRequest(
        "test",
        "s10",
        QUERY_POLICY,
        task_id=task_id(exchange),
        predicate=p.between("n", 0, 4),
        udf=(UDF_OP_BACKGROUND, "rec_udf", "set_bin", pack(["bg3", 1])),
        background=True,
        write_timeout=1000,
    )
    assert request.encode() == exchange.request


def _run_recorded(exchange: Exchange, on_record: Callable[[Message], bool], policy: Any = SCAN_POLICY) -> list:
    sent: list = []
    stream = _stream_from({"A": replay(exchange.replies)}, sent)
    tracker = PartitionTracker("test")
    request = StreamRequest("test", "s08", policy, task_id=task_id(exchange))
    run_partition_stream(
        FakeCluster(), stream, policy, tracker, lambda a: request.encode(a.pid_array(), a.digest_array()), on_record, False, 1
    )
    assert tracker.is_complete() or sent
    return sent


def test_scan_records_from_recorded_reply() -> None:
    exchange = find("08-scan", "client.scan('test', 's08').results()")
    records: list = []
    sent = _run_recorded(exchange, lambda message: _keep(records, record_tuple(message, CODEC)))
    assert sent == [("A", exchange.request)]
    assert sorted(bins["a"] for _, _, bins in records) == list(range(30))
    key, meta, bins = records[0]
    assert key[:3] == ("test", "s08", None) and isinstance(key[3], bytearray) and len(key[3]) == 20
    assert meta == {"ttl": 0xFFFFFFFF, "gen": 1}


def test_foreach_false_stops_the_stream() -> None:
    exchange = find("08-scan", "client.scan('test', 's08').results()")
    seen: list = []

    def take_five(message: Message) -> bool:
        seen.append(message)
        return len(seen) < 5

    _run_recorded(exchange, take_five)
    assert len(seen) == 5


def test_failed_node_resumes_after_last_digest() -> None:
    exchange = find("08-scan", "client.scan('test', 's08').results()")
    recorded = replay(exchange.replies)
    first_record = recorded[0]
    digest = first_record.field(FIELD_DIGEST)
    assert digest is not None
    resumed_pid = (digest[0] | digest[1] << 8) & 0xFFF
    requests: list[bytes] = []
    attempts = {"count": 0}

    def stream(cluster: Any, policy: Any, node: FakeNode, request: bytes, on_message: Callable) -> None:
        requests.append(request)
        attempts["count"] += 1
        if attempts["count"] == 1:
            on_message(first_record)
            raise exception.TimeoutError(9, "socket timeout")
        for message in recorded[1:]:
            if on_message(message) is False:
                return

    tracker = PartitionTracker("test")
    request = StreamRequest("test", "s08", SCAN_POLICY, task_id=1)
    got: list = []
    policy = build("scan", {"max_retries": 1})
    run_partition_stream(
        FakeCluster(), stream, policy, tracker,
        lambda a: request.encode(a.pid_array(), a.digest_array()), lambda m: _keep(got, m), False, 1,
    )
    assert tracker.is_complete()
    assert len(got) == 30
    retry = messages(requests[1])[0]
    assert retry.field(FIELD_DIGEST_ARRAY) == digest
    pid_array = retry.field(FIELD_PID_ARRAY) or b""
    assert len(pid_array) == 2 * 4095
    assert struct.pack("<H", resumed_pid) not in [pid_array[i : i + 2] for i in range(0, len(pid_array), 2)]


def test_server_error_in_query_reply_raises_its_class() -> None:
    exchange = find("09-sindex", "q.where(p.equals('noidx', 1))")
    stream = _stream_from({"A": replay(exchange.replies)}, [])
    tracker = PartitionTracker("test")
    with pytest.raises(exception.IndexNotFound):
        run_partition_stream(
            FakeCluster(), stream, QUERY_POLICY, tracker, lambda a: b"", lambda m: True, False, 1
        )


# ------------------------------------------------------------------------------------------------ UDF, jobs, indexes


def _module_source(name: str) -> bytes:
    exchange = find("10-udf", f"client.udf_put('{name}')")
    text = exchange.request[8:].decode()
    return base64.b64decode(text.split("content=")[1].split(";")[0])


def test_aggregation_final_reduce_in_lua(tmp_path: Any) -> None:
    (tmp_path / "agg_udf.lua").write_bytes(_module_source("agg_udf.lua"))
    aggregator = LuaAggregator(str(tmp_path), "agg_udf")
    exchange = find("10-udf", "q.apply('agg_udf', 'sum_bin', ['n']); _ = q.results()")
    partials = [CODEC.decode(m.ops[0].particle_type, m.ops[0].value) for m in replay(exchange.replies) if m.ops]
    assert aggregator.run("sum_bin", ["n"], partials) == [53]
    exchange = find("10-udf", "count_parity")
    partials = [CODEC.decode(m.ops[0].particle_type, m.ops[0].value) for m in replay(exchange.replies) if m.ops]
    assert aggregator.run("count_parity", [], partials) == [{"even": 6, "odd": 5}]
    exchange = find("10-udf", "gt_values")
    partials = [CODEC.decode(m.ops[0].particle_type, m.ops[0].value) for m in replay(exchange.replies) if m.ops]
    assert sorted(aggregator.run("gt_values", [5], partials)) == [6, 7, 8, 8, 9]
    with pytest.raises(exception.UDFError):
        aggregator.run("nosuchfn", [], partials)


def test_aggregation_module_missing_from_user_path(tmp_path: Any) -> None:
    with pytest.raises(exception.LuaFileNotFound):
        LuaAggregator(str(tmp_path), "agg_udf")


def test_job_info_replies() -> None:
    running = find("08-scan", "client.job_info(job, aerospike.JOB_QUERY)")
    value = running.replies[0][8:].decode().split("\t", 1)[1].strip()
    assert parse_job_reply(value) == (aerospike.JOB_STATUS_INPROGRESS, 0, 1)
    done = [e for e in load("08-scan") if "job_info" in e.note][1]
    value = done.replies[0][8:].decode().split("\t", 1)[1].strip()
    assert parse_job_reply(value) == (aerospike.JOB_STATUS_COMPLETED, 30, 100)
    unknown = find("10-udf", "client.job_info(123456789")
    value = unknown.replies[0][8:].decode().split("\t", 1)[1].strip()
    assert parse_job_reply(value) is None  # unknown to the node: job_info counts it as done, progress 0


@pytest.mark.parametrize(
    ("fragment", "args"),
    [
        ("index_integer_create('test', 's09', 'n', 's09_n_idx')", ("test", "s09", "n", "s09_n_idx", "NUMERIC", None)),
        ("index_string_create('test', 's09', 's',", ("test", "s09", "s", "s09_s_idx", "STRING", None)),
        ("index_list_create(", ("test", "s09", "lst", "s09_lst_idx", "NUMERIC", "LIST")),
        ("index_map_keys_create(", ("test", "s09", "mp", "s09_mk_idx", "STRING", "MAPKEYS")),
        ("index_map_values_create(", ("test", "s09", "mp", "s09_mv_idx", "NUMERIC", "MAPVALUES")),
        ("index_geo2dsphere_create('test', 's09', 'loc'", ("test", "s09", "loc", "s09_loc_idx", "GEO2DSPHERE", None)),
    ],
)
def test_sindex_create_commands(fragment: str, args: tuple) -> None:
    # The transcripts hold 19.3.0's `bin=...;type=...` form; 3.0.0 (and this package) send the older
    # `indexdata=<bin>,<type>` form. Both must define the same index under the server's parameter rules.
    from aerospike.testing.sindex import _index_definition

    exchange = find("09-sindex", fragment)
    recorded = exchange.request[8:].decode().rstrip("\n").partition(":")[2]
    ours = sindex_create_command(*args)
    assert ours.startswith("sindex-create:ns=test;set=s09;") and ours.endswith(";priority=normal")
    assert f";indexdata={args[2]},{args[4]};" in ours
    assert _index_definition(ours.partition(":")[2]) == _index_definition(recorded)


def test_send_ahead_chunks_cover_the_indexes_in_order() -> None:
    from aerospike.batch import SEND_AHEAD_KEYS, SEND_AHEAD_MAX_CHUNKS, _chunks

    for count in (0, 1, SEND_AHEAD_KEYS, 2 * SEND_AHEAD_KEYS - 1, 2 * SEND_AHEAD_KEYS, 700, 1000, 5000):
        indexes = list(range(count))
        chunks = _chunks(indexes)
        assert [index for chunk in chunks for index in chunk] == indexes
        assert len(chunks) == max(1, min(count // SEND_AHEAD_KEYS, SEND_AHEAD_MAX_CHUNKS))
        assert len(chunks) == 1 or min(len(chunk) for chunk in chunks) >= SEND_AHEAD_KEYS
