"""The retry loop with a fake cluster and scripted connections: retries, deadline, replica sequence, in_doubt."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Callable, Optional

import pytest

from aerospike import exception
from aerospike._constants import POLICY_REPLICA_MASTER, POLICY_REPLICA_SEQUENCE
from aerospike.command import execute, execute_on_node, execute_stream
from aerospike.pool import ConnectionPool
from aerospike.protocol.constants import INFO3_LAST, PROTO_TYPE_INFO, PROTO_TYPE_MESSAGE
from aerospike.protocol.message import Message

REQUEST = b"request-bytes"


def reply_body(result_code: int = 0, info3: int = 0, generation: int = 1) -> bytearray:
    frame = Message(info3=info3, result_code=result_code, generation=generation).encode()
    return bytearray(frame[8:])


# A script step is what one read_frame does: a (proto_type, body) reply, or an exception to raise,
# or a callable(timeout) that returns/raises.
Step = object


class ScriptedConnection:
    def __init__(self, node: FakeNode) -> None:
        self.node = node
        self.closed = False
        self.last_used = time.monotonic()
        self.sent: list[bytes] = []

    def send(self, data: bytes, timeout: Optional[float]) -> None:
        self.node.send_timeouts.append(timeout)
        if self.node.send_error is not None:
            self.closed = True
            raise self.node.send_error
        self.sent.append(data)
        self.node.requests.append(data)

    def read_frame(self, timeout: Optional[float]) -> tuple[int, bytearray]:
        self.node.read_timeouts.append(timeout)
        step = self.node.script.pop(0) if self.node.script else (PROTO_TYPE_MESSAGE, reply_body())
        if callable(step):
            step = step(timeout)
        if isinstance(step, BaseException):
            self.closed = True
            raise step
        return step

    def close(self) -> None:
        self.closed = True


class FakeNode:
    def __init__(
        self, name: str, script: Optional[list] = None, connect_error: Optional[BaseException] = None
    ):
        self.name = name
        self.address = f"{name}:3000"
        self.failures = 0
        self.script = list(script or [])
        self.connect_error = connect_error
        self.send_error: Optional[BaseException] = None
        self.requests: list[bytes] = []
        self.read_timeouts: list[Optional[float]] = []
        self.send_timeouts: list[Optional[float]] = []
        self.connections: list[ScriptedConnection] = []
        self.pool = ConnectionPool("127.0.0.1", 3000, 5, 0.0, 1.0, connection_factory=self._connect)

    def _connect(self, host, port, timeout, tls_context, tls_name):
        if self.connect_error is not None:
            raise self.connect_error
        connection = ScriptedConnection(self)
        self.connections.append(connection)
        return connection


class FakeCluster:
    def __init__(self, replicas: list[FakeNode], namespace: str = "test") -> None:
        self.replicas = replicas
        self.namespace = namespace
        self.routed: list[int] = []

    def node_for(self, namespace: str, partition_id: int, replica_index: int):
        self.routed.append(replica_index)
        if namespace != self.namespace or replica_index >= len(self.replicas):
            return None
        return self.replicas[replica_index]

    def has_namespace(self, namespace: str) -> bool:
        return namespace == self.namespace

    def replica_count(self, namespace: str) -> int:
        return len(self.replicas) if namespace == self.namespace else 0


def policy(total=1000, socket=0, retries=2, sleep=0, replica=POLICY_REPLICA_SEQUENCE):
    return SimpleNamespace(
        total_timeout=total,
        socket_timeout=socket,
        max_retries=retries,
        sleep_between_retries=sleep,
        replica=replica,
    )


def reset() -> exception.AerospikeError:
    return exception.ConnectionError(-10, "connection reset")


def timed_out(timeout: Optional[float]):
    """A read that waits out its timeout, like a silent server."""
    time.sleep(timeout or 0)
    return exception.TimeoutError(9, "read timed out")


def result_of(message: Message) -> int:
    return message.generation


def run(cluster: FakeCluster, pol, is_write=False, parse: Callable = result_of):
    return execute(cluster, pol, REQUEST, "test", 7, is_write, parse)


def test_success_returns_parse_and_returns_the_connection():
    master = FakeNode("A", [(PROTO_TYPE_MESSAGE, reply_body(generation=42))])
    assert run(FakeCluster([master]), policy()) == 42
    assert master.requests == [REQUEST]
    assert master.pool.idle == 1 and master.pool.total == 1


def test_network_error_moves_to_next_replica_in_sequence():
    master = FakeNode("A", [reset()])
    prole = FakeNode("B", [(PROTO_TYPE_MESSAGE, reply_body(generation=5))])
    cluster = FakeCluster([master, prole])
    assert run(cluster, policy()) == 5
    assert cluster.routed == [0, 1]
    assert master.failures == 1 and master.pool.total == 0 and master.connections[0].closed


def test_master_policy_stays_on_replica_zero():
    master = FakeNode("A", [reset(), (PROTO_TYPE_MESSAGE, reply_body(generation=3))])
    prole = FakeNode("B")
    cluster = FakeCluster([master, prole])
    assert run(cluster, policy(replica=POLICY_REPLICA_MASTER)) == 3
    assert cluster.routed == [0, 0] and not prole.requests


def test_retries_exhausted_raise_last_network_error_in_doubt_for_writes():
    master = FakeNode("A", [reset(), reset(), reset()])
    with pytest.raises(exception.ConnectionError) as caught:
        run(FakeCluster([master]), policy(retries=2), is_write=True)
    assert caught.value.in_doubt is True
    assert len(master.requests) == 3


def test_reads_are_never_in_doubt():
    master = FakeNode("A", [reset()])
    with pytest.raises(exception.ConnectionError) as caught:
        run(FakeCluster([master]), policy(retries=0))
    assert caught.value.in_doubt is False


def test_write_not_sent_is_not_in_doubt():
    master = FakeNode("A", connect_error=exception.ConnectionError(-10, "refused"))
    with pytest.raises(exception.ConnectionError) as caught:
        run(FakeCluster([master]), policy(retries=1), is_write=True)
    assert caught.value.in_doubt is False
    assert master.failures == 2 and master.pool.total == 0


def test_total_timeout_is_never_overrun():
    master = FakeNode("A", [timed_out] * 10)
    started = time.monotonic()
    with pytest.raises(exception.TimeoutError) as caught:
        run(FakeCluster([master]), policy(total=150, socket=0, retries=10), is_write=True)
    elapsed = time.monotonic() - started
    assert 0.14 <= elapsed < 0.4
    assert caught.value.in_doubt is True
    assert all(t is not None and t <= 0.15 for t in master.read_timeouts)


def test_socket_timeout_bounds_each_attempt_and_retries_within_total():
    master = FakeNode("A", [timed_out, timed_out, (PROTO_TYPE_MESSAGE, reply_body(generation=9))])
    cluster = FakeCluster([master])
    assert run(cluster, policy(total=2000, socket=50, retries=2, replica=POLICY_REPLICA_MASTER)) == 9
    assert master.read_timeouts[0] == pytest.approx(0.05)


def test_socket_timeout_above_total_is_capped():
    master = FakeNode("A")
    run(FakeCluster([master]), policy(total=100, socket=5000))
    assert master.read_timeouts[0] <= 0.1


def test_sleep_between_retries():
    master = FakeNode("A", [reset(), (PROTO_TYPE_MESSAGE, reply_body())])
    started = time.monotonic()
    run(FakeCluster([master]), policy(sleep=100, replica=POLICY_REPLICA_MASTER))
    assert time.monotonic() - started >= 0.09


def test_unknown_namespace_raises_client_error_without_sending():
    master = FakeNode("A")
    with pytest.raises(exception.ClientError) as raised:
        execute(FakeCluster([master]), policy(), REQUEST, "nosuchns", 7, False, result_of)
    assert (type(raised.value), raised.value.msg) == (exception.ClientError, "Invalid namespace: nosuchns")
    assert not master.requests and master.pool.total == 0


def test_unowned_partition_retries_then_invalid_node():
    cluster = FakeCluster([])
    cluster.namespace = "test"
    with pytest.raises(exception.InvalidNodeError):
        run(cluster, policy(retries=2))
    assert len(cluster.routed) == 3


def test_malformed_reply_closes_connection_and_is_not_retried():
    master = FakeNode("A", [(PROTO_TYPE_MESSAGE, bytearray(b"\x16\x00garbage"))])
    with pytest.raises(exception.ClientError) as caught:
        run(FakeCluster([master]), policy(retries=5), is_write=True)
    assert type(caught.value) is exception.ClientError and caught.value.in_doubt is True
    assert len(master.requests) == 1 and master.pool.total == 0 and master.connections[0].closed


def test_wrong_proto_type_is_malformed():
    master = FakeNode("A", [(PROTO_TYPE_INFO, bytearray(b"node\tA\n"))])
    with pytest.raises(exception.ClientError):
        run(FakeCluster([master]), policy())
    assert master.pool.total == 0


def test_parse_errors_propagate_and_the_connection_is_reused():
    master = FakeNode("A", [(PROTO_TYPE_MESSAGE, reply_body(result_code=2))])

    def parse(message: Message):
        raise exception.RecordNotFound(2, "not found")

    with pytest.raises(exception.RecordNotFound):
        run(FakeCluster([master]), policy(), parse=parse)
    assert len(master.requests) == 1 and master.pool.idle == 1


def test_execute_on_node_uses_that_node():
    node = FakeNode("B", [reset(), (PROTO_TYPE_MESSAGE, reply_body(generation=11))])
    assert execute_on_node(FakeCluster([]), node, policy(), REQUEST, result_of) == 11
    assert len(node.requests) == 2


def test_stream_reads_frames_until_last():
    body = reply_body(generation=1) + reply_body(generation=2)
    node = FakeNode(
        "A", [(PROTO_TYPE_MESSAGE, body), (PROTO_TYPE_MESSAGE, reply_body(generation=3, info3=INFO3_LAST))]
    )
    seen: list[int] = []
    execute_stream(FakeCluster([node]), policy(), node, REQUEST, lambda m: seen.append(m.generation) is None)
    assert seen == [1, 2, 3]
    assert node.pool.idle == 1


def test_stream_stopped_early_discards_the_connection():
    body = reply_body(generation=1) + reply_body(generation=2)
    node = FakeNode("A", [(PROTO_TYPE_MESSAGE, body)])
    execute_stream(FakeCluster([node]), policy(), node, REQUEST, lambda m: False)
    assert node.pool.total == 0 and node.connections[0].closed


def test_stream_consumer_error_on_final_error_message_keeps_connection():
    node = FakeNode("A", [(PROTO_TYPE_MESSAGE, reply_body(result_code=20))])

    def on_message(message: Message) -> bool:
        raise exception.NamespaceNotFound(20, "namespace not found")

    with pytest.raises(exception.NamespaceNotFound):
        execute_stream(FakeCluster([node]), policy(), node, REQUEST, on_message)
    assert node.pool.idle == 1 and node.pool.total == 1


def test_stream_not_retried_after_delivery():
    node = FakeNode("A", [(PROTO_TYPE_MESSAGE, reply_body(generation=1)), reset()])
    seen: list[int] = []
    with pytest.raises(exception.ConnectionError):
        execute_stream(
            FakeCluster([node]), policy(retries=3), node, REQUEST, lambda m: seen.append(1) is None
        )
    assert seen == [1] and len(node.requests) == 1 and node.pool.total == 0


def test_stream_retried_before_delivery():
    node = FakeNode("A", [reset(), (PROTO_TYPE_MESSAGE, reply_body(info3=INFO3_LAST))])
    seen: list[int] = []
    execute_stream(FakeCluster([node]), policy(retries=1), node, REQUEST, lambda m: seen.append(1) is None)
    assert seen == [1] and len(node.requests) == 2
