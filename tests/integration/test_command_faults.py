"""The retry loop against the local cluster with faults: delays, failures, node loss, unknown namespaces."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Iterator

import pytest

from aerospike import exception
from aerospike._constants import POLICY_REPLICA_MASTER, POLICY_REPLICA_SEQUENCE
from aerospike.cluster import Cluster, ClusterConfig
from aerospike.command import execute
from aerospike.key import calc_digest, partition_id
from aerospike.protocol.constants import (
    FIELD_DIGEST,
    FIELD_NAMESPACE,
    FIELD_SET,
    INFO1_GET_ALL,
    INFO1_READ,
    INFO2_WRITE,
    OP_WRITE,
    PARTICLE_INTEGER,
)
from aerospike.protocol.message import Message, Op, encode_message

NAMESPACE = "test"
SET = "faults"


def policy(total=1000, socket=0, retries=2, sleep=0, replica=POLICY_REPLICA_SEQUENCE):
    return SimpleNamespace(
        total_timeout=total,
        socket_timeout=socket,
        max_retries=retries,
        sleep_between_retries=sleep,
        replica=replica,
    )


def key(user_key: str, namespace: str = NAMESPACE) -> tuple[list[tuple[int, bytes]], int]:
    digest = bytes(calc_digest(namespace, SET, user_key))
    fields = [(FIELD_NAMESPACE, namespace.encode()), (FIELD_SET, SET.encode()), (FIELD_DIGEST, digest)]
    return fields, partition_id(digest)


def put_request(fields, value: int) -> bytes:
    op = Op(OP_WRITE, PARTICLE_INTEGER, "a", value.to_bytes(8, "big", signed=True))
    return encode_message(0, INFO2_WRITE, 0, 0, 0, 0, 0, 1000, fields, [op])


def get_request(fields) -> bytes:
    return encode_message(INFO1_READ | INFO1_GET_ALL, 0, 0, 0, 0, 0, 0, 1000, fields, [])


def check(message: Message) -> Message:
    if message.result_code:
        raise exception.error_for_code(message.result_code)
    return message


def bin_a(message: Message) -> int:
    check(message)
    (op,) = [op for op in message.ops if op.bin_name == "a"]
    return int.from_bytes(op.value, "big", signed=True)


@pytest.fixture
def client(cluster3) -> Iterator[Cluster]:
    host, port = cluster3.hosts[0]
    connected = Cluster(ClusterConfig(seeds=((host, port, None),), tend_interval=0.2))
    connected.connect()
    yield connected
    connected.close()


def node_index(local, name: str) -> int:
    return local.node_ids.index(name)


def messages_received(local) -> list[int]:
    return [sum(counts.messages.values()) for counts in local.request_counts()]


def test_put_and_get_go_to_the_master(client, cluster3):
    fields, pid = key("k1")
    master = client.node_for(NAMESPACE, pid, 0)
    cluster3.reset_counts()
    execute(client, policy(), put_request(fields, 41), NAMESPACE, pid, True, check)
    assert execute(client, policy(), get_request(fields), NAMESPACE, pid, False, bin_a) == 41
    received = messages_received(cluster3)
    assert received[node_index(cluster3, master.name)] == 2 and sum(received) == 2
    assert master.pool.idle >= 1


def test_delayed_node_times_out_within_the_deadline(client, cluster3):
    fields, pid = key("slow")
    execute(client, policy(), put_request(fields, 1), NAMESPACE, pid, True, check)
    master = client.node_for(NAMESPACE, pid, 0)
    cluster3.delay(node_index(cluster3, master.name), 2.0)
    started = time.monotonic()
    with pytest.raises(exception.TimeoutError) as caught:
        execute(
            client,
            policy(total=200, replica=POLICY_REPLICA_MASTER),
            get_request(fields),
            NAMESPACE,
            pid,
            False,
            bin_a,
        )
    assert time.monotonic() - started < 0.4
    assert caught.value.in_doubt is False
    with pytest.raises(exception.TimeoutError) as caught:
        execute(client, policy(total=200, retries=0), put_request(fields, 2), NAMESPACE, pid, True, check)
    assert caught.value.in_doubt is True


def test_socket_timeout_retries_on_the_replica(client, cluster3):
    fields, pid = key("slow-master")
    execute(client, policy(), put_request(fields, 7), NAMESPACE, pid, True, check)
    master = client.node_for(NAMESPACE, pid, 0)
    cluster3.delay(node_index(cluster3, master.name), 2.0)
    started = time.monotonic()
    value = execute(
        client, policy(total=1000, socket=100, retries=2), get_request(fields), NAMESPACE, pid, False, bin_a
    )
    assert value == 7 and time.monotonic() - started < 0.5


def test_server_result_codes_are_parse_business_and_not_retried(client, cluster3):
    fields, pid = key("busy")
    master = client.node_for(NAMESPACE, pid, 0)
    cluster3.fail(node_index(cluster3, master.name), 14)
    cluster3.reset_counts()
    with pytest.raises(exception.AerospikeError) as caught:
        execute(client, policy(retries=3), get_request(fields), NAMESPACE, pid, False, check)
    assert caught.value.code == 14
    assert sum(messages_received(cluster3)) == 1
    assert master.pool.idle >= 1  # the connection stays usable after a server error


def test_killed_master_read_succeeds_on_the_replica(client, cluster3):
    fields, pid = key("survivor")
    execute(client, policy(), put_request(fields, 99), NAMESPACE, pid, True, check)
    master = client.node_for(NAMESPACE, pid, 0)
    master.info(["node"])  # a pooled connection that the kill will reset
    cluster3.kill_node(node_index(cluster3, master.name))
    assert execute(client, policy(retries=2), get_request(fields), NAMESPACE, pid, False, bin_a) == 99


def test_unknown_namespace_sends_nothing(client, cluster3):
    fields, pid = key("nowhere", namespace="nosuchns")
    cluster3.reset_counts()
    with pytest.raises(exception.ClientError) as raised:
        execute(client, policy(), get_request(fields), "nosuchns", pid, False, check)
    assert raised.value.args == (-1, "Invalid namespace: nosuchns", None, None)
    assert sum(messages_received(cluster3)) == 0
