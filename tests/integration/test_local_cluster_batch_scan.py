"""The local cluster answers the recorded batch, scan, index, UDF and truncate requests as server 8.1.2.0 did.

Requests of the official client are replayed in order on one connection to a one-node cluster; replies are
compared by meaning: the same messages (result, flags, generation, key index, fields, ops) in any order and any
framing. Values that vary between runs (live info counters, job timings, S2 coverings of regions, aggregation
partials) are left out of the comparison, as listed per step.
"""

from __future__ import annotations

import re
import socket
import time
from typing import Any, Iterator

import pytest

from aerospike.protocol import constants as c
from aerospike.protocol.frame import unpack_header
from aerospike.protocol.info import encode_info_request
from aerospike.protocol.message import Message, decode_messages
from aerospike.testing import LocalCluster
from tests.fixtures.cluster import recv_exact
from tests.support import transcripts

# Calls whose replies hold live or unmodelled values (see the module docstring).
LIVE_CALLS = {
    "08-scan": {507, 508},
    "09-sindex": {530, 531, 532, 533, 534, 535, 536, 537, 553, 554, 556, 559},
    "10-udf": {582, 583, 585, 608, 609, 610, 611, 614, 615, 617, 618, 619, 620, 624},
}


def _installed(**kwargs: Any) -> LocalCluster:
    return LocalCluster(port=0, **kwargs).start()


_CLOCK_LUT = re.compile(r"time\.time_ns\(\) ([+-]) ([0-9_]+)")


def _rebased(exchange: transcripts.Exchange) -> bytes:
    """The request, with a truncate `lut` the recorded call took from the clock moved to today's clock (a time
    an hour in the future when recorded must still be in the future when replayed)."""
    clock = _CLOCK_LUT.search(exchange.note)
    if exchange.request[1] != c.PROTO_TYPE_INFO or clock is None or b";lut=" not in exchange.request:
        return exchange.request
    offset = int(clock.group(2).replace("_", ""))
    lut = time.time_ns() + (offset if clock.group(1) == "+" else -offset)
    command = re.sub(r";lut=\d+", f";lut={lut}", exchange.request[8:].decode().strip())
    return encode_info_request([command])


@pytest.fixture
def one_node() -> Iterator[LocalCluster]:
    cluster = _installed(nodes=1, replication_factor=1)
    yield cluster
    cluster.stop()


def _is_multi(request: bytes) -> bool:
    message = decode_messages(request[8:])[0]
    return bool(message.info1 & c.INFO1_BATCH) or message.field(c.FIELD_DIGEST) is None


def _exchange(sock: socket.socket, request: bytes) -> list[tuple[int, bytes]]:
    sock.sendall(request)
    frames = []
    while True:
        proto_type, length = unpack_header(recv_exact(sock, 8))
        body = recv_exact(sock, length)
        frames.append((proto_type, body))
        if proto_type == c.PROTO_TYPE_INFO or not _is_multi(request):
            return frames
        messages = decode_messages(body)
        if any(m.info3 & c.INFO3_LAST for m in messages):
            return frames
        is_batch = decode_messages(request[8:])[0].info1 & c.INFO1_BATCH
        if len(messages) == 1 and messages[0].result_code and not messages[0].ops and not is_batch:
            return frames


def _meaning(message: Message) -> tuple[Any, ...]:
    return (
        message.result_code,
        message.info3,
        message.generation,
        message.transaction_ttl,
        sorted(message.fields),
        sorted(message.ops),
    )


@pytest.mark.parametrize("step", ["07-batch", "08-scan", "09-sindex", "10-udf", "11-truncate"])
def test_replays_recorded_exchanges(one_node: LocalCluster, step: str) -> None:
    skipped = LIVE_CALLS.get(step, set())
    compared = 0
    with socket.create_connection(one_node.hosts[0], timeout=10) as sock:
        for exchange in transcripts.load(step):
            if exchange.role != "command":
                continue
            got = _exchange(sock, _rebased(exchange))
            if exchange.call in skipped:
                continue
            if exchange.request[1] == c.PROTO_TYPE_INFO:
                # A rebased lut comes back in the reply's command echo; the answer after it must match.
                mine_info = re.sub(rb";lut=\d+", b";lut=", got[0][1])
                assert mine_info == re.sub(rb";lut=\d+", b";lut=", exchange.replies[0][8:]), exchange.note
            else:
                mine = sorted(map(_meaning, (m for _, body in got for m in decode_messages(body))))
                theirs = sorted(map(_meaning, (m for reply in exchange.replies for m in decode_messages(reply[8:]))))
                assert mine == theirs, exchange.note
            compared += 1
    assert compared > 10


def _query(address: tuple[str, int], message: Message) -> list[Message]:
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(message.encode())
        found: list[Message] = []
        while not found or not found[-1].info3 & c.INFO3_LAST:
            _, length = unpack_header(recv_exact(sock, 8))
            found.extend(decode_messages(recv_exact(sock, length)))
        return found


def _put(address: tuple[str, int], digest: bytes, value: int) -> None:
    from aerospike.protocol.message import Op

    write = Message(
        info2=c.INFO2_WRITE,
        fields=[(c.FIELD_NAMESPACE, b"test"), (c.FIELD_SET, b"s"), (c.FIELD_DIGEST, digest)],
        ops=[Op(c.OP_WRITE, c.PARTICLE_INTEGER, "n", value.to_bytes(8, "big"))],
    )
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(write.encode())
        _, length = unpack_header(recv_exact(sock, 8))
        assert decode_messages(recv_exact(sock, length))[0].result_code == 0


def test_two_nodes_partition_done_and_batch_proxy() -> None:
    import hashlib

    cluster = _installed(nodes=2, replication_factor=1)
    try:
        digests = [hashlib.new("ripemd160", f"k{i}".encode()).digest() for i in range(40)]
        for i, digest in enumerate(digests):
            _put(cluster.hosts[0], digest, i)
        all_pids = b"".join(p.to_bytes(2, "little") for p in range(c.N_PARTITIONS))
        query = Message(
            info1=c.INFO1_READ,
            info3=c.INFO3_PARTITION_DONE,
            fields=[(c.FIELD_NAMESPACE, b"test"), (c.FIELD_SET, b"s"), (c.FIELD_PID_ARRAY, all_pids)],
        )
        seen: set[bytes | None] = set()
        for index, address in enumerate(cluster.hosts):
            messages = _query(address, query)
            done = [m.generation for m in messages if m.info3 & c.INFO3_PARTITION_DONE]
            assert all(m.result_code == c.RESULT_PARTITION_UNAVAILABLE for m in messages if m.info3 & 4)
            assert all(cluster.owners(pid)[0] != index for pid in done)
            assert len(done) == sum(1 for pid in range(c.N_PARTITIONS) if cluster.owners(pid)[0] != index)
            seen.update(m.field(c.FIELD_DIGEST) for m in messages if m.field(c.FIELD_DIGEST))
        assert seen == set(digests)
        limited = Message(
            info1=c.INFO1_READ,
            info3=c.INFO3_PARTITION_DONE,
            fields=[*query.fields, (c.FIELD_MAX_RECORDS, (3).to_bytes(8, "big"))],
        )
        assert len([m for m in _query(cluster.hosts[0], limited) if m.field(c.FIELD_DIGEST)]) == 3
        # A batch sent to one node answers every key, whichever node holds it.
        rows = b"".join(
            i.to_bytes(4, "big") + d + (b"\x01" if i else b"\x0a\x03\x00\x00" + bytes(4) + b"\x00\x02\x00\x00"
            + b"\x00\x00\x00\x05\x00test" + b"\x00\x00\x00\x02\x01s")
            for i, d in enumerate(digests)
        )
        request = Message(info1=c.INFO1_BATCH, fields=[(c.FIELD_BATCH_INDEX, len(digests).to_bytes(4, "big") + b"\x0d" + rows)])
        replies = _query(cluster.hosts[1], request)
        values = {m.transaction_ttl: int.from_bytes(m.ops[0].value, "big") for m in replies if m.ops}
        assert values == {i: i for i in range(len(digests))}
    finally:
        cluster.stop()
