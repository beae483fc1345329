"""The local cluster over real loopback sockets: info answers, partition maps, membership changes, migration,
replication, proxying, faults, request counts, compression, the command line, and the official client."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Callable

import pytest

from aerospike.protocol import constants as c
from aerospike.protocol.compression import compress_frame, decompress_body
from aerospike.protocol.frame import pack_header
from aerospike.protocol.info import encode_info_request
from aerospike.protocol.message import Message, Op, decode_messages
from aerospike.testing import LocalCluster
from aerospike.testing.info import partitions_in
from aerospike.testing.store import partition_of
from tests.fixtures.cluster import info_request, read_frame

# ----- helpers ---------------------------------------------------------------------------------------------------


def digest_in(partition_id: int, salt: int = 0) -> bytes:
    """A digest whose partition is `partition_id` (the server trusts the digest it is sent)."""
    return bytes([partition_id & 0xFF, partition_id >> 8]) + salt.to_bytes(18, "big")


def put_message(digest: bytes, value: int, namespace: str = "test", info1: int = 0) -> bytes:
    return Message(
        info1=info1,
        info2=c.INFO2_WRITE,
        transaction_ttl=1000,
        fields=[(c.FIELD_NAMESPACE, namespace.encode()), (c.FIELD_SET, b"s"), (c.FIELD_DIGEST, digest)],
        ops=[Op(c.OP_WRITE, c.PARTICLE_INTEGER, "a", value.to_bytes(8, "big", signed=True))],
    ).encode()


def get_message(digest: bytes, namespace: str = "test") -> bytes:
    return Message(
        info1=c.INFO1_READ | c.INFO1_GET_ALL,
        transaction_ttl=1000,
        fields=[(c.FIELD_NAMESPACE, namespace.encode()), (c.FIELD_SET, b"s"), (c.FIELD_DIGEST, digest)],
    ).encode()


def roundtrip(sock: socket.socket, request: bytes) -> Message:
    sock.sendall(request)
    proto_type, body = read_frame(sock)
    assert proto_type == c.PROTO_TYPE_MESSAGE
    [message] = decode_messages(body)
    return message


def connect(cluster: LocalCluster, index: int) -> socket.socket:
    return socket.create_connection(cluster.hosts[index], timeout=5)


def bitmaps(address: tuple[str, int], namespace: str = "test") -> list[set[int]]:
    value = info_request(address, "replicas")["replicas"]
    for entry in value.split(";"):
        name, _, rest = entry.partition(":")
        if name == namespace:
            _regime, count, *maps = rest.split(",")
            assert len(maps) == int(count)
            return [set(partitions_in(base64.b64decode(bitmap))) for bitmap in maps]
    raise AssertionError(f"no {namespace} in {value[:80]}")


def check_partition_map(cluster: LocalCluster, replicas: int) -> list[list[set[int]]]:
    """Every partition has exactly one master and `replicas` distinct holders over the live nodes."""
    maps = [bitmaps(cluster.hosts[index]) for index in cluster.live_nodes()]
    for partition_id in range(c.N_PARTITIONS):
        masters = [node for node, node_maps in enumerate(maps) if partition_id in node_maps[0]]
        holders = [node for node, node_maps in enumerate(maps) for held in node_maps if partition_id in held]
        assert len(masters) == 1, partition_id
        assert len(holders) == len(set(holders)) == replicas, partition_id
    return maps


def generations(cluster: LocalCluster) -> dict[int, tuple[int, int]]:
    result = {}
    for index in cluster.live_nodes():
        answer = info_request(cluster.hosts[index], "partition-generation", "peers-generation")
        result[index] = (int(answer["partition-generation"]), int(answer["peers-generation"]))
    return result


# ----- info ------------------------------------------------------------------------------------------------------


def test_single_node_identity(cluster: LocalCluster) -> None:
    [address] = cluster.hosts
    answer = info_request(address, "node", "build", "edition", "cluster-name", "namespaces", "partitions", "status")
    assert answer == {
        "node": cluster.node_ids[0],
        "build": "8.1.2.0",
        "edition": "Aerospike Community Edition",
        "cluster-name": "null",
        "namespaces": "test;bar",
        "partitions": "4096",
        "status": "ok",
    }
    assert len(cluster.node_ids[0]) == 15 and int(cluster.node_ids[0], 16) >= 0
    assert info_request(address, "peers-clear-std")["peers-clear-std"].endswith(",3000,[]")
    assert info_request(address, "no-such")["no-such"] == "ERROR:4:unrecognized command"
    assert info_request(address, "namespace/nosuchns")["namespace/nosuchns"] == "type=unknown"


def test_named_cluster_with_node_ids(local_cluster: Callable[..., LocalCluster]) -> None:
    cluster = local_cluster(nodes=2, cluster_name="peer-test", node_ids=["A1", "A2"], namespaces=["test"])
    first, second = cluster.hosts
    assert info_request(first, "node", "cluster-name") == {"node": "A1", "cluster-name": "peer-test"}
    peers = info_request(first, "peers-clear-std")["peers-clear-std"]
    assert peers.endswith(f",3000,[[A2,,[127.0.0.1:{second[1]}]]]")
    assert info_request(second, "namespaces")["namespaces"] == "test"
    stats = info_request(first, "statistics")["statistics"]
    assert "cluster_size=2;" in stats and "cluster_principal=A2;" in stats


def test_live_object_counts(cluster3: LocalCluster) -> None:
    sockets = [connect(cluster3, index) for index in range(3)]
    for salt in range(30):
        reply = roundtrip(sockets[salt % 3], put_message(digest_in(salt * 131 % 4096, salt), salt))
        assert reply.result_code == 0
    total = 0
    masters = 0
    for address in cluster3.hosts:
        value = info_request(address, "namespace/test")["namespace/test"]
        stats = dict(item.split("=", 1) for item in value.split(";"))
        total += int(stats["objects"])
        masters += int(stats["master_objects"])
        assert stats["ns_cluster_size"] == "3" and stats["replication-factor"] == "2"
        assert f"ns=test:set=s:objects={stats['objects']}:" in info_request(address, "sets")["sets"]
    assert (total, masters) == (60, 30)
    for sock in sockets:
        sock.close()


# ----- partition maps and membership -----------------------------------------------------------------------------


def test_partition_map_has_one_master_per_partition(cluster3: LocalCluster) -> None:
    maps = check_partition_map(cluster3, replicas=2)
    master_counts = [len(node_maps[0]) for node_maps in maps]
    assert sum(master_counts) == 4096 and min(master_counts) > 1100  # roughly balanced
    assert info_request(cluster3.hosts[0], "replicas-all")["replicas-all"].startswith("test:2,")


def test_replication_factor_is_capped_by_node_count(local_cluster: Callable[..., LocalCluster]) -> None:
    cluster = local_cluster(nodes=2, replication_factor=3)
    check_partition_map(cluster, replicas=2)


def test_kill_start_stop_add_move_ownership_and_keep_data(cluster3: LocalCluster) -> None:
    digests = [digest_in(partition_id, 7) for partition_id in range(0, 4096, 41)]
    with connect(cluster3, 0) as sock:
        for value, digest in enumerate(digests):
            assert roundtrip(sock, put_message(digest, value)).result_code == 0
    before = generations(cluster3)
    old_owners = {partition_of(d): cluster3.owners(partition_of(d)) for d in digests}

    cluster3.kill_node(1)
    with pytest.raises(OSError):
        socket.create_connection(cluster3.hosts[1], timeout=1).close()
    after_kill = generations(cluster3)
    assert set(after_kill) == {0, 2}
    for index in after_kill:
        assert after_kill[index][0] > before[index][0] and after_kill[index][1] > before[index][1]
    check_partition_map(cluster3, replicas=2)
    moved = [pid for pid, owners in old_owners.items() if 1 in owners]
    assert moved and all(1 not in cluster3.owners(pid) for pid in moved)
    assert info_request(cluster3.hosts[0], "statistics")["statistics"].count("cluster_size=2;") == 1

    def read_all(index: int) -> list[int]:
        with connect(cluster3, index) as sock:
            replies = [roundtrip(sock, get_message(digest)) for digest in digests]
        assert all(reply.result_code == 0 for reply in replies)
        return [int.from_bytes(reply.ops[0].value, "big", signed=True) for reply in replies]

    assert read_all(0) == list(range(len(digests)))  # RF 2: nothing lost with one node gone

    cluster3.start_node(1)
    check_partition_map(cluster3, replicas=2)
    assert {pid: cluster3.owners(pid) for pid in old_owners} == old_owners  # deterministic ownership
    assert read_all(1) == list(range(len(digests)))  # migrated into the restarted node

    cluster3.stop_node(0)
    assert cluster3.live_nodes() == [1, 2]
    assert read_all(2) == list(range(len(digests)))

    index = cluster3.add_node()
    assert index == 3 and cluster3.live_nodes() == [1, 2, 3]
    check_partition_map(cluster3, replicas=2)
    peers = info_request(cluster3.hosts[3], "peers-clear-std")["peers-clear-std"]
    assert cluster3.node_ids[1] in peers and cluster3.node_ids[2] in peers and cluster3.node_ids[0] not in peers
    assert read_all(3) == list(range(len(digests)))
    objects = sum(
        int(dict(i.split("=", 1) for i in info_request(cluster3.hosts[n], "namespace/test")["namespace/test"].split(";"))["objects"])
        for n in cluster3.live_nodes()
    )
    assert objects == 2 * len(digests)  # no stale copies left on former owners


def test_killed_node_resets_open_connections(cluster3: LocalCluster) -> None:
    sock = connect(cluster3, 2)
    sock.sendall(encode_info_request(["node"]))
    read_frame(sock)
    cluster3.kill_node(2)
    # The node's sockets are closed with SO_LINGER 0 (RST). Linux now and then reports the end of such a
    # connection, whose reader was woken with shutdown(SHUT_RD), as an orderly EOF instead: either way the
    # client sees the connection gone, with no reply.
    try:
        assert sock.recv(10) == b""
    except ConnectionResetError:
        pass
    sock.close()
    with pytest.raises(RuntimeError):
        cluster3.kill_node(2)
    with pytest.raises(RuntimeError):
        cluster3.start_node(0)


def test_stopped_node_closes_cleanly(cluster: LocalCluster) -> None:
    sock = connect(cluster, 0)
    sock.sendall(encode_info_request(["node"]))
    read_frame(sock)
    cluster.stop_node(0)
    assert sock.recv(10) == b""  # FIN, no reset
    sock.close()
    cluster.start_node(0)
    assert info_request(cluster.hosts[0], "node")["node"] == cluster.node_ids[0]


# ----- proxy, faults, counts -------------------------------------------------------------------------------------


def test_writes_to_a_non_master_are_proxied_and_counted(cluster3: LocalCluster) -> None:
    digest = digest_in(1234, 1)
    master, replica = cluster3.owners(1234)
    [outsider] = {0, 1, 2} - {master, replica}
    cluster3.reset_counts()
    with connect(cluster3, outsider) as sock:
        assert roundtrip(sock, put_message(digest, 5)).result_code == 0
        local_port = sock.getsockname()[1]
        reply = roundtrip(sock, get_message(digest))
        assert reply.result_code == 0 and reply.generation == 1
    with connect(cluster3, replica) as sock:
        assert roundtrip(sock, get_message(digest)).result_code == 0  # a replica serves reads itself
        assert roundtrip(sock, put_message(digest, 6)).generation == 2  # but proxies writes
    counts = cluster3.request_counts()
    assert counts[outsider].messages == {"write": 1, "read": 1, "proxy": 2}
    assert counts[outsider].connections[("127.0.0.1", local_port)].messages["proxy"] == 2
    assert counts[replica].messages == {"read": 1, "write": 1, "proxy": 1}
    assert counts[master].messages == {}


def test_delay_and_fail_faults(cluster: LocalCluster) -> None:
    digest = digest_in(5)
    with connect(cluster, 0) as sock:
        cluster.delay(0, 0.3)
        started = time.monotonic()
        assert roundtrip(sock, put_message(digest, 1)).result_code == 0
        assert time.monotonic() - started >= 0.3
        started = time.monotonic()
        assert info_request(cluster.hosts[0], "node")  # info is not delayed unless asked
        assert time.monotonic() - started < 0.3
        cluster.fail(0, c.RESULT_KEY_BUSY)
        assert roundtrip(sock, get_message(digest)).result_code == c.RESULT_KEY_BUSY
        cluster.reset_faults()
        started = time.monotonic()
        assert roundtrip(sock, get_message(digest)).result_code == 0
        assert time.monotonic() - started < 0.3
    with pytest.raises(ValueError):
        cluster.fail(0, 0)
    with pytest.raises(IndexError):
        cluster.delay(5, 1)


def test_request_counts_per_connection(cluster: LocalCluster) -> None:
    first = connect(cluster, 0)
    second = connect(cluster, 0)
    first.sendall(encode_info_request(["node", "namespace/test", "get-config:context=namespace;id=test"]))
    read_frame(first)
    roundtrip(second, put_message(digest_in(9), 1))
    roundtrip(second, get_message(digest_in(9)))
    roundtrip(second, get_message(digest_in(10)))
    [counts] = cluster.request_counts()
    assert counts.info == {"node": 1, "namespace/test": 1, "get-config": 1}
    assert counts.messages == {"write": 1, "read": 2}
    one = counts.connections[("127.0.0.1", first.getsockname()[1])]
    two = counts.connections[("127.0.0.1", second.getsockname()[1])]
    assert one.messages == {} and one.info["node"] == 1
    assert two.messages == {"write": 1, "read": 2} and two.info == {}
    cluster.reset_counts()
    assert cluster.request_counts()[0].messages == {}
    first.close()
    second.close()


def test_multi_record_kinds_go_to_their_handlers(cluster: LocalCluster) -> None:
    batch = Message(info1=c.INFO1_READ | c.INFO1_BATCH, fields=[(c.FIELD_BATCH_INDEX, b"\x00" * 5)]).encode()
    scan = Message(info1=c.INFO1_READ, fields=[(c.FIELD_NAMESPACE, b"test")]).encode()
    with connect(cluster, 0) as sock:
        assert roundtrip(sock, batch).result_code == c.RESULT_PARAMETER_ERROR  # a malformed key list
        # A scan without a partition list is the old scan protocol, which current servers no longer take.
        assert roundtrip(sock, scan).result_code == c.RESULT_UNSUPPORTED_FEATURE
        assert roundtrip(sock, get_message(digest_in(3), "nosuchns")).result_code == c.RESULT_NAMESPACE_NOT_FOUND
    assert cluster.request_counts()[0].messages == {"batch": 1, "scan": 1, "read": 1}
    cluster.message_handlers["scan"] = lambda cl, node, msg: [Message(info3=c.INFO3_LAST).encode()]
    with connect(cluster, 0) as sock:
        assert roundtrip(sock, scan).info3 == c.INFO3_LAST


def test_admin_frames_answer_security_not_supported(cluster: LocalCluster) -> None:
    with connect(cluster, 0) as sock:
        sock.sendall(pack_header(c.PROTO_TYPE_ADMIN, 16) + bytes(16))
        proto_type, body = read_frame(sock)
    assert proto_type == c.PROTO_TYPE_ADMIN and body[1] == c.RESULT_SECURITY_NOT_SUPPORTED  # as CE 8.1 answers


# ----- compression -----------------------------------------------------------------------------------------------


def test_community_refuses_compressed_requests_and_keeps_the_connection(cluster: LocalCluster) -> None:
    with connect(cluster, 0) as sock:
        assert roundtrip(sock, compress_frame(put_message(digest_in(1), 1))).result_code == c.RESULT_ENTERPRISE_ONLY
        assert roundtrip(sock, put_message(digest_in(1), 1)).result_code == 0


def test_enterprise_inflates_requests_and_compresses_replies_on_request(
    local_cluster: Callable[..., LocalCluster],
) -> None:
    cluster = local_cluster(nodes=1, replication_factor=1, edition="enterprise")
    assert info_request(cluster.hosts[0], "edition")["edition"] == "Aerospike Enterprise Edition"
    with connect(cluster, 0) as sock:
        assert roundtrip(sock, compress_frame(put_message(digest_in(1), 42))).result_code == 0
        sock.sendall(compress_frame(put_message(digest_in(1), 43, info1=c.INFO1_COMPRESS_RESPONSE)))
        proto_type, body = read_frame(sock)
        assert proto_type == c.PROTO_TYPE_COMPRESSED
        inner = decompress_body(body)
        [reply] = decode_messages(inner[8:])
        assert reply.result_code == 0 and reply.generation == 2
        reply = roundtrip(sock, get_message(digest_in(1)))
        assert int.from_bytes(reply.ops[0].value, "big") == 43


# ----- command line ----------------------------------------------------------------------------------------------


def free_port_block(count: int) -> int:
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65535:
            continue
        try:
            holders = []
            for offset in range(count):
                holder = socket.socket()
                holders.append(holder)
                holder.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for holder in holders:
                holder.close()
    raise RuntimeError("no free port block")


def test_command_line_runs_until_sigterm() -> None:
    port = free_port_block(2)
    process = subprocess.Popen(
        [sys.executable, "-m", "aerospike.testing", "--nodes", "2", "--port", str(port), "--node-ids", "A1,A2",
         "--cluster-name", "cli", "--namespace", "only", "--replication-factor", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(3)]
        assert lines == [f"127.0.0.1:{port}", f"127.0.0.1:{port + 1}", "ready"]
        answer = info_request(("127.0.0.1", port + 1), "node", "cluster-name", "namespaces", "peers-clear-std")
        assert answer["node"] == "A2" and answer["cluster-name"] == "cli" and answer["namespaces"] == "only"
        assert answer["peers-clear-std"].endswith(f",3000,[[A1,,[127.0.0.1:{port}]]]")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_command_line_rejects_bad_arguments() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "aerospike.testing", "--nodes", "0", "--port", "0"],
        capture_output=True, text=True, timeout=30,
    )
    assert completed.returncode == 2 and "nodes" in completed.stderr


def test_stop_then_start_again(local_cluster: Callable[..., LocalCluster]) -> None:
    cluster = local_cluster(nodes=2)
    hosts = cluster.hosts
    cluster.stop()
    assert cluster.live_nodes() == []
    with pytest.raises(OSError):
        socket.create_connection(hosts[0], timeout=1).close()
    cluster.start()
    assert cluster.hosts == hosts and cluster.live_nodes() == [0, 1]
    check_partition_map(cluster, replicas=2)


def test_constructor_rejects_bad_arguments() -> None:
    for kwargs in (
        {"nodes": 0}, {"replication_factor": 0}, {"namespaces": []}, {"namespaces": ["a;b"]},
        {"edition": "pro"}, {"node_ids": ["A1"]}, {"host": "0.0.0.0"}, {"port": -1},
    ):
        with pytest.raises(ValueError):
            LocalCluster(**kwargs)  # type: ignore[arg-type]


# ----- the official client ---------------------------------------------------------------------------------------

OFFICIAL_SCRIPT = """
import aerospike
client = aerospike.client({"hosts": [tuple(h) for h in hosts]}).connect()
nodes = client.get_nodes()
builds = client.info_all("build")
for i in range(30):
    client.put(("test", "s", i), {"a": i})
values = [client.get(("test", "s", i))[2]["a"] for i in range(30)]
client.close()
result = {"nodes": sorted([list(n) for n in nodes]), "builds": {k: v[1] for k, v in builds.items()}, "values": values}
"""


@pytest.mark.official
def test_official_client_connects_to_three_nodes(cluster3: LocalCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.official import official_python, run_official

    if official_python() is None and os.access("/tmp/offvenv/bin/python", os.X_OK):
        monkeypatch.setenv("AEROSPIKE_OFFICIAL_PYTHON", "/tmp/offvenv/bin/python")
    result = run_official(OFFICIAL_SCRIPT, hosts=cluster3.hosts)
    assert result["nodes"] == sorted([list(host) for host in cluster3.hosts])
    assert result["builds"] == {node_id: "8.1.2.0\n" for node_id in cluster3.node_ids}
    assert result["values"] == list(range(30))
    counts = cluster3.request_counts()
    assert all(node.info.get("replicas", 0) >= 1 and node.info.get("peers-clear-std", 0) >= 1 for node in counts)
    assert sum(node.messages.get("write", 0) for node in counts) == 30
    assert sum(node.messages.get("proxy", 0) for node in counts) == 0  # the client routed by our map
