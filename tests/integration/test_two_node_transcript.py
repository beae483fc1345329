"""File 13 of the transcripts (a two-node cluster) checked for consistency, not for the exact partition split.

The recorded server split the partitions one way; the local cluster splits them another. What must hold: both
nodes answer the tend commands the way the recorded nodes did (identity, peers naming the other node), each node's
`replicas` bitmaps are disjoint and together cover all 4096 partitions, routing a recorded request by those
bitmaps reaches the owner (nothing proxied), and every recorded single-record reply is reproduced by meaning.
"""

from __future__ import annotations

import base64
import socket
from typing import Any

from aerospike.protocol.constants import INFO1_BATCH, PROTO_TYPE_INFO
from aerospike.protocol.info import parse_info_reply
from aerospike.protocol.message import decode_messages
from tests.fixtures.cluster import info_request, read_frame
from tests.support.transcripts import load, require_transcripts

RECORDED_PORTS = {3000: 0, 3010: 1}  # recorded server port -> local node index
N_PARTITIONS = 4096


def _owned(replicas: str, namespace: str) -> set[int]:
    for entry in replicas.split(";"):
        name, _, rest = entry.partition(":")
        if name == namespace:
            regime_count_bitmap = rest.split(",")
            bitmap = base64.b64decode(regime_count_bitmap[2])  # the master bitmap
            return {p for p in range(N_PARTITIONS) if bitmap[p >> 3] & (0x80 >> (p & 7))}
    raise AssertionError(f"no {namespace} in {replicas!r}")


def test_two_node_exchanges_are_consistent(local_cluster: Any) -> None:
    require_transcripts()
    cluster = local_cluster(nodes=2, node_ids=["A1", "A2"], cluster_name="peer-test", replication_factor=1)
    ids = cluster.node_ids
    owned = {
        namespace: [_owned(info_request(host, "replicas")["replicas"], namespace) for host in cluster.hosts]
        for namespace in ("test", "bar")
    }
    for first, second in owned.values():
        assert not first & second and len(first | second) == N_PARTITIONS

    connections: dict[int, socket.socket] = {}
    try:
        for exchange in load("13-two-node"):
            index = RECORDED_PORTS[exchange.server_port]
            where = f"call {exchange.call}: {exchange.note[:80]}"
            if exchange.request[1] == PROTO_TYPE_INFO:
                ours = info_request(cluster.hosts[index], *exchange.request[8:].decode().split("\n")[:-1])
                recorded = parse_info_reply(exchange.replies[0][8:])
                assert list(ours) == list(recorded), where
                if "node" in ours:
                    assert ours["node"] == recorded["node"] == ids[index], where
                if "peers-clear-std" in ours:
                    other = ids[1 - index]
                    assert f"[{other},," in ours["peers-clear-std"], where
                    assert f"[{ids[index]},," not in ours["peers-clear-std"], where
                continue
            request = decode_messages(exchange.request[8:])[0]
            if request.info1 & INFO1_BATCH or request.field(4) is None:
                continue  # batch and query: spread over both nodes by the client, checked by their own tests
            digest = request.field(4)
            assert digest is not None
            partition = (digest[0] | digest[1] << 8) & 0xFFF
            owner = 0 if partition in owned[request.field(0).decode()][0] else 1
            sock = connections.get(owner)
            if sock is None:
                sock = connections[owner] = socket.create_connection(cluster.hosts[owner], timeout=10)
            sock.sendall(exchange.request)
            _, body = read_frame(sock)
            (ours_reply,) = decode_messages(body)
            (recorded_reply,) = decode_messages(exchange.replies[0][8:])
            assert (ours_reply.result_code, ours_reply.generation, ours_reply.ops) == (
                recorded_reply.result_code,
                recorded_reply.generation,
                recorded_reply.ops,
            ), where
    finally:
        for sock in connections.values():
            sock.close()
    assert sum(node.messages.get("proxy", 0) for node in cluster.request_counts()) == 0
