"""Hostile bytes cost only the connection they arrive on: the node closes it (or answers, when the bytes happen
to form a valid request), never hangs, and keeps serving every other client."""

from __future__ import annotations

import socket
import struct
import time
from typing import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aerospike.protocol import constants as c
from aerospike.protocol.frame import pack_header
from aerospike.protocol.info import encode_info_request
from aerospike.protocol.message import Message, Op
from aerospike.testing import LocalCluster
from tests.fixtures.cluster import read_frame

PARTIAL_FRAME_TIMEOUT = 0.3
VERDICT_TIMEOUT = 5.0


def raw_header(version: int, proto_type: int, length: int) -> bytes:
    return struct.pack(">Q", (version << 56) | (proto_type << 48) | (length & ((1 << 48) - 1)))


def node_answers_or_closes(address: tuple[str, int], payload: bytes) -> str:
    """Send `payload`; 'answered' when bytes come back, 'closed' when the node closes the socket."""
    with socket.create_connection(address, timeout=VERDICT_TIMEOUT) as sock:
        try:
            sock.sendall(payload)
            data = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return "closed"
        except socket.timeout:
            return "hung"
        return "answered" if data else "closed"


def healthy(sock: socket.socket) -> bool:
    sock.sendall(encode_info_request(["node"]))
    proto_type, body = read_frame(sock)
    return proto_type == c.PROTO_TYPE_INFO and body.startswith(b"node\t")


def valid_put() -> bytes:
    return Message(
        info2=c.INFO2_WRITE,
        fields=[(c.FIELD_NAMESPACE, b"test"), (c.FIELD_DIGEST, bytes(20))],
        ops=[Op(c.OP_WRITE, c.PARTICLE_INTEGER, "a", bytes(8))],
    ).encode()


FIXED_CASES = {
    "wrong version": raw_header(3, c.PROTO_TYPE_INFO, 5) + b"node\n",
    "unknown type": raw_header(2, 9, 0),
    "absurd length": raw_header(2, c.PROTO_TYPE_MESSAGE, c.MAX_FRAME_SIZE + 1),
    "truncated then silence": valid_put()[:30],
    "undecodable message": pack_header(c.PROTO_TYPE_MESSAGE, 30) + bytes([22]) + b"\xff" * 29,
    "bad header size": pack_header(c.PROTO_TYPE_MESSAGE, 22) + bytes([21]) + bytes(21),
    "trailing bytes after message": pack_header(c.PROTO_TYPE_MESSAGE, 25) + valid_put()[8:30] + b"abc",
    "non utf-8 info": pack_header(c.PROTO_TYPE_INFO, 2) + b"\xff\n",
    "bad compressed body": pack_header(c.PROTO_TYPE_COMPRESSED, 12) + bytes(12),
}


def test_each_bad_input_closes_only_its_connection(local_cluster: Callable[..., LocalCluster]) -> None:
    cluster = local_cluster(nodes=1, replication_factor=1, partial_frame_timeout=PARTIAL_FRAME_TIMEOUT)
    address = cluster.hosts[0]
    with socket.create_connection(address, timeout=VERDICT_TIMEOUT) as bystander:
        for name, payload in FIXED_CASES.items():
            started = time.monotonic()
            verdict = node_answers_or_closes(address, payload)
            if name == "bad compressed body":
                assert verdict in ("answered", "closed"), name  # community answers 25 without inflating
            else:
                assert verdict == "closed", name
            assert time.monotonic() - started < VERDICT_TIMEOUT, name
            assert healthy(bystander), name


def test_enterprise_bad_compressed_body_closes(local_cluster: Callable[..., LocalCluster]) -> None:
    cluster = local_cluster(nodes=1, replication_factor=1, edition="enterprise")
    assert node_answers_or_closes(cluster.hosts[0], FIXED_CASES["bad compressed body"]) == "closed"


def test_partial_frame_completed_in_pieces_is_served(local_cluster: Callable[..., LocalCluster]) -> None:
    cluster = local_cluster(nodes=1, replication_factor=1, partial_frame_timeout=PARTIAL_FRAME_TIMEOUT)
    request = valid_put()
    with socket.create_connection(cluster.hosts[0], timeout=VERDICT_TIMEOUT) as sock:
        for byte in request:
            sock.sendall(bytes([byte]))
        proto_type, body = read_frame(sock)
    assert proto_type == c.PROTO_TYPE_MESSAGE and body[5] == 0


frames = st.one_of(
    st.binary(max_size=200),
    st.builds(
        lambda version, proto_type, body: raw_header(version, proto_type, len(body)) + body,
        st.integers(0, 255),
        st.sampled_from([1, 2, 3, 4, 5]),
        st.binary(max_size=200),
    ),
    st.builds(
        lambda body, cut: (pack_header(c.PROTO_TYPE_MESSAGE, len(body)) + body)[: cut + 8],
        st.binary(min_size=1, max_size=200),
        st.integers(0, 200),
    ),
    st.builds(
        lambda data, position, byte: data[:position] + bytes([byte]) + data[position + 1 :],
        st.just(valid_put()),
        st.integers(0, 60),
        st.integers(0, 255),
    ),
)


def test_fuzzed_frames_never_hang_or_hurt_other_clients(local_cluster: Callable[..., LocalCluster]) -> None:
    cluster = local_cluster(nodes=1, replication_factor=1, partial_frame_timeout=PARTIAL_FRAME_TIMEOUT)
    address = cluster.hosts[0]
    bystander = socket.create_connection(address, timeout=VERDICT_TIMEOUT)

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(payload=frames)
    def one(payload: bytes) -> None:
        verdict = node_answers_or_closes(address, payload or b"\x00")
        assert verdict in ("answered", "closed")
        assert healthy(bystander)

    try:
        one()
    finally:
        bystander.close()
    assert cluster.nodes[0].running
