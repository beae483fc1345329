"""The current API's batch methods against the recorded 19.3.0 bytes (transcripts 07 and 10), without sockets.

Every recorded batch_* call of the transcripts is run as recorded through this package; a fake transport checks
that each request equals the recorded one byte for byte and answers it with the recorded reply frames; the
result must have the recorded repr. Further tables check the row layouts 19.3.0 sends for policies, filters,
UDF rows and repeats (bytes captured from 19.3.0), and the argument errors 19.3.0 raises.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import pytest

import aerospike
from aerospike import batch_records as batch
from aerospike import command, exception
from aerospike.protocol.message import Message
from aerospike_helpers import expressions as exp
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import operations as op
from tests.support.clusters import RowsFromNodeFor
from tests.support.transcripts import load, messages, split_note


class FakeNode:
    name = "A1"
    address = "127.0.0.1:3000"


class FakeCluster(RowsFromNodeFor):
    def __init__(self, namespaces: tuple[str, ...] = ("test", "bar")) -> None:
        self.node = FakeNode()
        self.namespaces = namespaces

    def node_for(self, namespace: str, partition_id: int, replica_index: int) -> Optional[FakeNode]:
        return self.node if namespace in self.namespaces else None

    def has_namespace(self, namespace: str) -> bool:
        return namespace in self.namespaces

    def replica_count(self, namespace: str) -> int:
        return 1


class Transport:
    """Answers each expected request with its recorded replies; records what was sent."""

    def __init__(self, exchanges: list[tuple[bytes, list[bytes]]]) -> None:
        self.exchanges = list(exchanges)
        self.sent: list[bytes] = []

    def _next(self, request: bytes) -> list[Message]:
        self.sent.append(request)
        expected, replies = self.exchanges.pop(0)
        assert request.hex() == expected.hex()
        found: list[Message] = []
        for frame in replies:
            found.extend(messages(frame))
        return found

    def execute(self, cluster: Any, policy: Any, request: bytes, namespace: str, partition_id: int,
                is_write: bool, parse: Callable[[Message], Any]) -> Any:
        return parse(self._next(request)[0])

    def execute_stream(self, cluster: Any, policy: Any, node: Any, request: bytes,
                       on_message: Callable[[Message], bool], is_write: bool = False) -> None:
        for message in self._next(request):
            if on_message(message) is False:
                return


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    def make(exchanges: list[tuple[bytes, list[bytes]]], namespaces: tuple[str, ...] = ("test", "bar")) -> Any:
        client = aerospike.client({"hosts": [("127.0.0.1", 3000)]})
        transport = Transport(exchanges)
        cluster = FakeCluster(namespaces)
        monkeypatch.setattr(client, "_connected_cluster", lambda: cluster)
        monkeypatch.setattr(client, "_execute", transport.execute)
        monkeypatch.setattr(command, "execute_stream", transport.execute_stream)
        client.transport = transport
        return client

    return make


def _recorded_batch_calls() -> list[Any]:
    calls = []
    for step in ("07-batch", "10-udf"):
        for exchange in load(step):
            source, result = split_note(exchange.note)
            if ".batch_" in source:
                calls.append(pytest.param(exchange, id=f"{step}-{exchange.call}"))
    return calls


@pytest.mark.parametrize("exchange", _recorded_batch_calls())
def test_recorded_call_sends_the_recorded_bytes_and_returns_the_recorded_result(fake: Any, exchange: Any) -> None:
    source, result = split_note(exchange.note)
    client = fake([(exchange.request, exchange.replies)])
    scope = {"client": client, "op": op, "br": br, "aerospike": aerospike}
    exec(source, scope)
    assert client.transport.exchanges == []
    assert repr(scope["_"]) == result


def test_recorded_calls_cover_every_batch_method() -> None:
    sources = " ".join(split_note(call.values[0].note)[0] for call in _recorded_batch_calls())
    for method in ("batch_read", "batch_operate", "batch_write", "batch_remove", "batch_apply"):
        assert f"client.{method}(" in sources


# Requests and replies captured from 19.3.0 against CE 8.1.2.0 (set bat_y / bat_w / bat_z).
FILTER_A_EQ_1 = "000000092b9301935102a16101"
KEYS_Y = [("test", "bat_y", f"k{i}") for i in range(3)]
KEYS_W = [("test", "bat_w", f"k{i}") for i in range(3)]
A_EQ_1 = exp.Eq(exp.IntBin("a"), 1).compile()
LAST = "020300000000001616000001000000000000000000000000000000000000"

CAPTURED = [
    (
        "batch_read with a filter expression: field 43 in the parent message",
        lambda c: c.batch_read(KEYS_Y, policy={"expressions": A_EQ_1}),
        "02030000000000961608000000000000000000000000000003e800020000000000092b9301935102a161010000006f29000000030d"
        "000000007e2cd25579f06d0051fc319fd78cc1188b2bb7710a030000000000000002000000000005007465737400000006016261"
        "745f7900000001b603621997356a9fcc1944694882c03f1606a427010000000218e00657befc6a08706f349a4ff8da4a69c6359d01",
    ),
    (
        "batch_operate with a write policy: key sent (no repeat), update only, commit master, ttl",
        lambda c: c.batch_operate(KEYS_Y[:2], [op.write("b", 1)], policy_batch_write={
            "key": aerospike.POLICY_KEY_SEND, "exists": aerospike.POLICY_EXISTS_UPDATE,
            "commit_level": aerospike.POLICY_COMMIT_LEVEL_MASTER, "ttl": 100}),
        "02030000000000c41608000000000000000000000000000003e800010000000000aa29000000020d000000007e2cd25579f06d0051"
        "fc319fd78cc1188b2bb7710e00810a0000000000640003000100000005007465737400000006016261745f790000000402036b30"
        "0000000d0201000162000000000000000100000001b603621997356a9fcc1944694882c03f1606a4270e00810a00000000006400"
        "03000100000005007465737400000006016261745f790000000402036b310000000d02010001620000000000000001",
    ),
    (
        "batch_operate ttl argument",
        lambda c: c.batch_operate(KEYS_Y[:2], [op.write("b", 1)], ttl=200),
        "02030000000000831608000000000000000000000000000003e8000100000000006929000000020d000000007e2cd25579f06d0051"
        "fc319fd78cc1188b2bb7710e0081000000000000c80002000100000005007465737400000006016261745f790000000d02010001"
        "62000000000000000100000001b603621997356a9fcc1944694882c03f1606a42701",
    ),
    (
        "batch_operate with generation EQ",
        lambda c: c.batch_operate(KEYS_Y[:2], [op.write("b", 1)], policy_batch_write={"gen": aerospike.POLICY_GEN_EQ}),
        "02030000000000831608000000000000000000000000000003e8000100000000006929000000020d000000007e2cd25579f06d0051"
        "fc319fd78cc1188b2bb7710e0085000000000000000002000100000005007465737400000006016261745f790000000d02010001"
        "62000000000000000100000001b603621997356a9fcc1944694882c03f1606a42701",
    ),
    (
        "batch_operate with only reads: read rows",
        lambda c: c.batch_operate(KEYS_Y[:2], [op.read("a")]),
        "02030000000000791608000000000000000000000000000003e8000100000000005f29000000020d000000007e2cd25579f06d0051"
        "fc319fd78cc1188b2bb7710a010000000000000002000100000005007465737400000006016261745f7900000005010000016100"
        "000001b603621997356a9fcc1944694882c03f1606a42701",
    ),
    (
        "batch_operate's write-policy filter goes into the parent message",
        lambda c: c.batch_operate(KEYS_Y, [op.write("c", 1)], policy_batch_write={"expressions": A_EQ_1}),
        "02030000000000a91608000000000000000000000000000003e800020000000000092b9301935102a161010000008229000000030d"
        "000000007e2cd25579f06d0051fc319fd78cc1188b2bb7710e0081000000000000000002000100000005007465737400000006016"
        "261745f790000000d0201000163000000000000000100000001b603621997356a9fcc1944694882c03f1606a427010000000218e0"
        "0657befc6a08706f349a4ff8da4a69c6359d01",
    ),
    (
        "batch_remove with generation GT and the key sent",
        lambda c: c.batch_remove(KEYS_Y[:2], policy_batch_remove={
            "gen": aerospike.POLICY_GEN_GT, "generation": 1, "key": aerospike.POLICY_KEY_SEND}),
        "02030000000000a21608000000000000000000000000000003e8000100000000008829000000020d000000007e2cd25579f06d0051"
        "fc319fd78cc1188b2bb7710e008b000001000000000003000000000005007465737400000006016261745f790000000402036b30"
        "00000001b603621997356a9fcc1944694882c03f1606a4270e008b000001000000000003000000000005007465737400000006016"
        "261745f790000000402036b31",
    ),
    (
        "batch_remove's remove-policy filter goes into the parent message",
        lambda c: c.batch_remove(KEYS_W, policy_batch_remove={"expressions": A_EQ_1}),
        "02030000000000981608000000000000000000000000000003e800020000000000092b9301935102a161010000007129000000030d"
        "00000000ff9e476f98cd6de83472e00d9f133c674e30b6ad0e0083000000000000000002000000000005007465737400000006016"
        "261745f7700000001ffbb561b44258fe644a8ed74523598a833cc75390100000002ffbe7f01649d46d3a9c5252acad702b9bc6799"
        "d001",
    ),
    (
        "batch_apply's apply-policy filter goes into the parent message",
        lambda c: c.batch_apply(KEYS_W, "bat_udf", "setbin", ["z", 5], policy_batch_apply={"expressions": A_EQ_1}),
        "02030000000000b91608000000000000000000000000000003e800020000000000092b9301935102a161010000009229000000030d"
        "00000000ff9e476f98cd6de83472e00d9f133c674e30b6ad0e0001000000000000000005000000000005007465737400000006016"
        "261745f77000000081e6261745f756466000000071f73657462696e000000062092a2037a0500000001ffbb561b44258fe644a8ed"
        "74523598a833cc75390100000002ffbe7f01649d46d3a9c5252acad702b9bc6799d001",
    ),
    (
        "batch_read of named bins with read_mode_ap ALL, no respond_all_keys, no inline, inline ssd, timeout",
        lambda c: c.batch_read(KEYS_Y, ["a", "b"], policy={
            "read_mode_ap": 1, "respond_all_keys": False, "allow_inline": False,
            "allow_inline_ssd": True, "total_timeout": 500}),
        "020300000000009b1608000000000000000000000000000001f4000100000000008129000000030a000000007e2cd25579f06d0051"
        "fc319fd78cc1188b2bb7710a410000000000000002000200000005007465737400000006016261745f7900000005010000016100"
        "000005010000016200000001b603621997356a9fcc1944694882c03f1606a427010000000218e00657befc6a08706f349a4ff8da"
        "4a69c6359d01",
    ),
]


@pytest.mark.parametrize("description, call, request_hex", CAPTURED, ids=[c[0] for c in CAPTURED])
def test_captured_batch_requests(fake: Any, description: str, call: Any, request_hex: str) -> None:
    client = fake([(bytes.fromhex(request_hex), [bytes.fromhex(LAST)])])
    call(client)
    assert client.transport.exchanges == []


def test_batch_write_rows_and_repeats(fake: Any) -> None:
    """Write meta ttl, create-only, Read(None) headers only, a Read's own filter and read mode, removes with a
    generation and the repeat of identical Remove / read-all rows (19.3.0's bytes)."""
    request = (
        "02030000000002131608000000000000000000000000000003e800010000000001f929000000090d000000007e2cd25579f06d0051"
        "fc319fd78cc1188b2bb7710e0081000000000000320002000100000005007465737400000006016261745f790000000d02010001"
        "64000000000000000100000001b603621997356a9fcc1944694882c03f1606a4270e00a10000000000003c00020001000000050074"
        "65737400000006016261745f790000000d02010001640000000000000001000000027e2cd25579f06d0051fc319fd78cc1188b2bb7"
        "710a210000000000000002000000000005007465737400000006016261745f7900000003b603621997356a9fcc1944694882c03f16"
        "06a4270a410000000000000003000100000005007465737400000006016261745f79000000092b9301935102a161010000000501"
        "000001610000000418e00657befc6a08706f349a4ff8da4a69c6359d0e0087000009000000000002000000000005007465737400"
        "000006016261745f790000000518e00657befc6a08706f349a4ff8da4a69c6359d0e008300000000000000000200000000000500"
        "7465737400000006016261745f790000000618e00657befc6a08706f349a4ff8da4a69c6359d01000000077e2cd25579f06d0051"
        "fc319fd78cc1188b2bb7710a030000000000000002000000000005007465737400000006016261745f7900000008b60362199735"
        "6a9fcc1944694882c03f1606a42701"
    )
    client = fake([(bytes.fromhex(request), [bytes.fromhex(LAST)])])
    records = br.BatchRecords([
        br.Write(KEYS_Y[0], [op.write("d", 1)], meta={"gen": 3, "ttl": 50}),
        br.Write(KEYS_Y[1], [op.write("d", 1)], policy={"ttl": 60, "exists": aerospike.POLICY_EXISTS_CREATE}),
        br.Read(KEYS_Y[0], None),
        br.Read(KEYS_Y[1], [op.read("a")], policy={"read_mode_ap": 1, "expressions": A_EQ_1}),
        br.Remove(KEYS_Y[2], policy={"gen": aerospike.POLICY_GEN_EQ, "generation": 9, "durable_delete": False}),
        br.Remove(KEYS_Y[2]), br.Remove(KEYS_Y[2]),
        br.Read(KEYS_Y[0], None, read_all_bins=True), br.Read(KEYS_Y[1], None, read_all_bins=True),
    ])
    assert client.batch_write(records) is records


def test_batch_write_rows_never_repeat_with_own_policy_or_ops(fake: Any) -> None:
    request = (
        "02030000000001f61608000000000000000000000000000003e800010000000001dc29000000080d0000000026a71dccf1b0c843e6"
        "2f3afd0dd814b50845759b0e0083000000000000000002000000000005007465737400000006016261745f7a0000000126a71dcc"
        "f1b0c843e62f3afd0dd814b50845759b0e0083000000000000000002000000000005007465737400000006016261745f7a000000"
        "02c009487844b0015b0fdf5dfa06765d3b7d20aecc0a210000000000000002000000000005007465737400000006016261745f7a"
        "0000000345fc541e6a576eb7322a3ade7cdfdb655511f4b50100000004c009487844b0015b0fdf5dfa06765d3b7d20aecc0e0081"
        "000000000000000002000100000005007465737400000006016261745f7a0000000d020100016500000000000000020000000545"
        "fc541e6a576eb7322a3ade7cdfdb655511f4b50e0081000000000000000002000100000005007465737400000006016261745f7a"
        "0000000d0201000165000000000000000200000006c009487844b0015b0fdf5dfa06765d3b7d20aecc0a01000000000000000200"
        "0100000005007465737400000006016261745f7a0000000501000001610000000745fc541e6a576eb7322a3ade7cdfdb655511f4"
        "b50a010000000000000002000100000005007465737400000006016261745f7a000000050100000161"
    )
    client = fake([(bytes.fromhex(request), [bytes.fromhex(LAST)])])
    keys = [("test", "bat_z", f"k{i}") for i in range(3)]
    ops = [op.write("e", 2)]
    client.batch_write(br.BatchRecords([
        br.Remove(keys[2], policy={}), br.Remove(keys[2], policy={}), br.Read(keys[0], None), br.Read(keys[1], None),
        br.Write(keys[0], ops), br.Write(keys[1], ops), br.Read(keys[0], [op.read("a")]),
        br.Read(keys[1], [op.read("a")]),
    ]))


def test_batch_write_apply_and_remove_rows_with_key_and_filter(fake: Any) -> None:
    request = (
        "020300000000013c1608000000000000000000000000000003e8000100000000012229000000030d00000000ff9e476f98cd6de834"
        "72e00d9f133c674e30b6ad0e0081000000000000000004000100000005007465737400000006016261745f77000000092b930193"
        "5102a161010000000402036b300000000d0201000164000000000000000100000001ffbb561b44258fe644a8ed74523598a833cc"
        "75390e0001000000000000070007000000000005007465737400000006016261745f77000000092b9301935102a1610100000004"
        "02036b31000000081e6261745f756466000000081f7265745f62696e000000052091a2036100000002ffbe7f01649d46d3a9c525"
        "2acad702b9bc6799d00e0093000000000000000004000000000005007465737400000006016261745f77000000092b9301935102"
        "a161010000000402036b32"
    )
    client = fake([(bytes.fromhex(request), [bytes.fromhex(LAST)])])
    send = aerospike.POLICY_KEY_SEND
    client.batch_write(br.BatchRecords([
        br.Write(KEYS_W[0], [op.write("d", 1)], policy={"key": send, "expressions": A_EQ_1}),
        br.Apply(KEYS_W[1], "bat_udf", "ret_bin", ["a"], policy={"key": send, "expressions": A_EQ_1, "ttl": 7}),
        br.Remove(KEYS_W[2], policy={"key": send, "expressions": A_EQ_1, "durable_delete": True}),
    ]))


def test_batch_apply_rows_with_apply_policy(fake: Any) -> None:
    row = ("0e0001020000000000090006000000000005007465737400000006016261745f77" + "0000000402036b3{n}"
           "000000081e6261745f756466000000081f7265745f62696e000000052091a20361")
    digests = ["ff9e476f98cd6de83472e00d9f133c674e30b6ad", "ffbb561b44258fe644a8ed74523598a833cc7539",
               "ffbe7f01649d46d3a9c5252acad702b9bc6799d0"]
    request = "02030000000001461608000000000000000000000000000003e8000100000000012c29000000030d" + "".join(
        f"{n:08x}" + digests[n] + row.format(n=n) for n in range(3)
    )
    client = fake([(bytes.fromhex(request), [bytes.fromhex(LAST)])])
    client.batch_apply(KEYS_W, "bat_udf", "ret_bin", ["a"], policy_batch_apply={
        "key": aerospike.POLICY_KEY_SEND, "ttl": 9, "commit_level": 1})


def test_batch_apply_errors_and_filtered_rows(fake: Any) -> None:
    """A UDF error row: result 100, no record, the Lua error in `message`; the batch result is -16."""
    request = ("02030000000000a61608000000000000000000000000000003e8000100000000008c29000000030d00000000"
               "ff9e476f98cd6de83472e00d9f133c674e30b6ad0e0001000000000000000005000000000005007465737400000006"
               "016261745f77000000081e6261745f756466000000051f626f6f6d00000002209000000001ffbb561b44258fe644a8ed"
               "74523598a833cc75390100000002ffbe7f01649d46d3a9c5252acad702b9bc6799d001")
    reply = ("020300000000007b160000000064000000010000000000000000000000010000000f010300074641494c555245626f6f6d"
             "160000000064000000000000000000000001000000010000000f010300074641494c555245626f6f6d1600000000640000"
             "00010000000000000002000000010000000f010300074641494c555245626f6f6d")
    client = fake([(bytes.fromhex(request), [bytes.fromhex(reply), bytes.fromhex(LAST)])])
    result = client.batch_apply(KEYS_W, "bat_udf", "boom", [])
    assert result.result == -16
    assert [(r.result, r.record, r.message, r.in_doubt) for r in result.batch_records] == [
        (100, None, "127.0.0.1:3000 boom", False)
    ] * 3


def test_lone_sub_commands_go_as_plain_commands(fake: Any) -> None:
    """One key: a plain read / operate / remove / apply, as 19.3.0 sends it (remove without RESPOND_ALL_OPS)."""
    ns_set_z = "00000005007465737400000006016261745f7a"
    digest = "0000001504c009487844b0015b0fdf5dfa06765d3b7d20aecc"
    key = ("test", "bat_z", "k0")
    cases = [
        (lambda c: c.batch_read([key], ["a"]),
         "020300000000004b1601000000000000000000000000000003e800030001" + ns_set_z + digest + "000000050100000161",
         "0203000000000027160000000000000000010000000000000000000000010000000d01010001610000000000000000",
         [(0, ({"ttl": 4294967295, "gen": 1}, {"a": 0}), None)]),
        (lambda c: c.batch_read([key], []),
         "02030000000000421621000000000000000000000000000003e800030000" + ns_set_z + digest,
         "020300000000001616000000000000000001000000000000000000000000",
         [(0, ({"ttl": 4294967295, "gen": 1},), None)]),
        (lambda c: c.batch_read([key], policy={"expressions": A_EQ_1}),
         "020300000000004f1603000000000000000000000000000003e800040000" + ns_set_z + digest + FILTER_A_EQ_1,
         "020300000000001616000000001b00000001000000000000000000000000",
         [(27, None, "127.0.0.1:3000 AEROSPIKE_FILTERED_OUT")]),
        (lambda c: c.batch_operate([key], [op.write("b", 1), op.read("a")]),
         "020300000000005c1601810000000000000000000000000003e800030002" + ns_set_z + digest
         + "0000000d02010001620000000000000001000000050100000161",
         "0203000000000030160000000000000000020000000000000000000000020000000502000001620000000d010100016100000000"
         "00000000",
         [(0, ({"ttl": 4294967295, "gen": 2}, {"b": None, "a": 0}), None)]),
        (lambda c: c.batch_operate([key], [op.append("a", "x")]),
         "020300000000004c1600810000000000000000000000000003e800030001" + ns_set_z + digest + "00000006090300016178",
         "020300000000001616000000000c00000002000000000000000000000000",
         [(12, None, "127.0.0.1:3000 AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE")]),
        (lambda c: c.batch_remove([("test", "bat_z", "nope")]),
         "02030000000000421600030000000000000000000000000003e800030000" + ns_set_z
         + "0000001504792f0255b6fe8354ee4f4d5dc30f01a843133034",
         "020300000000001616000000000200000000000000000000000000000000",
         [(2, None, None)]),
        (lambda c: c.batch_apply([("test", "bat_w", "k0")], "bat_udf", "ret_bin", ["a"],
                                 policy_batch_apply={"key": aerospike.POLICY_KEY_SEND}),
         "020300000000006b1600010000000000000000000000000003e80007000000000005007465737400000006016261745f7700000015"
         "04ff9e476f98cd6de83472e00d9f133c674e30b6ad0000000402036b30000000081e6261745f756466000000081f7265745f6269"
         "6e000000052091a20361",
         "020300000000002d160000000000000000010000000000000000000000010000001301010007535543434553530000000000000000",
         [(0, ({"ttl": 0, "gen": 0}, {"SUCCESS": 0}), None)]),
    ]
    for call, request, reply, expected in cases:
        client = fake([(bytes.fromhex(request), [bytes.fromhex(reply)])])
        result = call(client)
        got = [(r.result, r.record[1:] if r.record else None, r.message) for r in result.batch_records]
        assert got == expected
        assert result.result == (-16 if expected[0][0] not in (0, 2, 27) else 0)


def test_unknown_namespace_is_answered_by_the_client(fake: Any) -> None:
    """19.3.0 answers a key of a namespace it has no map for with result 20 and sends only the others."""
    recorded = [e for e in load("07-batch") if "batch_read([('test', 's07', 'k1')])" in e.note][0]
    client = fake([(recorded.request, recorded.replies)])
    result = client.batch_read([("nosuchns", "s07", "k1"), ("test", "s07", "k1")])
    assert result.result == -16
    assert [(r.result, r.message) for r in result.batch_records] == [(20, None), (0, None)]
    assert result.batch_records[0].key[:3] == ("nosuchns", "s07", "k1")


def test_empty_batches_send_nothing(fake: Any) -> None:
    client = fake([])
    for result in (client.batch_read([]), client.batch_operate([], [op.read("a")]), client.batch_remove([]),
                   client.batch_apply([], "m", "f", []), client.batch_write(br.BatchRecords())):
        assert (result.result, result.batch_records) == (0, [])
    assert client.transport.sent == []


K = [("test", "bat_p", "a")]
ARGUMENT_ERRORS = [
    (lambda c: c.batch_read("x"), "keys should be a list of aerospike key tuples"),
    (lambda c: c.batch_read([1]), "key should be an aerospike key tuple"),
    (lambda c: c.batch_read([("test",)]), "failed to convert key at index: 0 -> "),
    (lambda c: c.batch_read(K, "a"), "Bins argument should be a list."),
    (lambda c: c.batch_read(K, [1]), "Bin name should be a string or unicode string."),
    (lambda c: c.batch_read(K, None, "x"), "policy must be a dict"),
    (lambda c: c.batch_read(K, None, {"total_timeout": "x"}), "total_timeout is invalid"),
    (lambda c: c.batch_write([]), "batch_records must be an aerospike_helpers.batch.records.BatchRecords instance"),
    (lambda c: c.batch_write(br.BatchRecords([1])), "batch_record must be a BatchRecord class instance"),
    (lambda c: c.batch_write(br.BatchRecords([br.Remove(1)])),
     "py_key is NULL or not a tuple, key must be a aerospike key tuple"),
    (lambda c: c.batch_write(br.BatchRecords([br.Write(K[0], None)])),
     "py_ops_list is NULL or not a list, ops must be a list of aerospike operation dicts"),
    (lambda c: c.batch_write(br.BatchRecords([br.Write(K[0], [])])),
     "py_ops_list is NULL or not a list, ops must be a list of aerospike operation dicts"),
    (lambda c: c.batch_write(br.BatchRecords([br.Write(K[0], [op.write("a", 1)], meta="x")])),
     "Metadata should be of type dictionary"),
    (lambda c: c.batch_operate("x", [op.read("a")]), "keys should be a list of aerospike key tuples"),
    (lambda c: c.batch_operate(K, "x"), "ops should be a list of op dictionaries"),
    (lambda c: c.batch_operate(K, []), "ops should be a list of op dictionaries"),
    (lambda c: c.batch_operate(K, [op.read("a")], ttl="x"), "ttl should be an integer"),
    (lambda c: c.batch_apply(K, 1, "f", []), "module must be a string"),
    (lambda c: c.batch_apply(K, "m", 1, []), "function must be a string"),
    (lambda c: c.batch_apply(K, "m", "f", "x"), "args must be a list of arguments for the UDF"),
    (lambda c: c.batch_remove("x"), "keys should be a list of aerospike key tuples"),
    (lambda c: c.batch_remove(K, "x"), "policy must be a dict"),
]


@pytest.mark.parametrize("call, message", ARGUMENT_ERRORS, ids=[m for _, m in ARGUMENT_ERRORS])
def test_argument_errors_are_19_3_0s(fake: Any, call: Any, message: str) -> None:
    client = fake([])
    with pytest.raises(exception.ParamError) as raised:
        call(client)
    assert raised.value.code == -2
    assert raised.value.msg.startswith(message)
    assert client.transport.sent == []


def test_record_classes_hold_19_3_0s_attributes() -> None:
    write = br.Write(("test", "s", 1), [op.read("a")], meta={"gen": 1}, policy={"ttl": 5})
    assert (write.key, write.record, write.result, write.in_doubt, write.message, write.subcode) == (
        ("test", "s", 1), None, 0, False, None, 0)
    assert (write.ops, write.meta, write.policy, write._type, write._has_write) == (
        [op.read("a")], {"gen": 1}, {"ttl": 5}, 1, True)
    read = br.Read(("test", "s", 1), None, read_all_bins=True)
    assert (read.ops, read.read_all_bins, read.meta, read.policy, read._type, read._has_write) == (
        None, True, None, None, 0, False)
    apply = br.Apply(("test", "s", 1), "m", "f", [1])
    assert (apply.module, apply.function, apply.args, apply.policy, apply._type) == ("m", "f", [1], None, 2)
    remove = br.Remove(("test", "s", 1), {"gen": 1})
    assert (remove.policy, remove._type, remove._has_write) == ({"gen": 1}, 3, True)
    records = br.BatchRecords()
    assert (records.batch_records, records.result) == ([], 0)
    assert batch.RESULT_BATCH_FAILED == -16
