"""THE retry loop every command goes through: deadline, attempts, node choice, replica sequence, in_doubt.

Owns: picking a node per attempt (cluster.node_for, or a given node), checking a connection out of its pool,
sending the request, reading the reply frame(s), decoding messages, returning the connection, and deciding what
a failure means (retry on another replica, raise, mark in_doubt). Must not know what a request encodes or what
a reply means: the caller's `parse` (or `on_message`) turns messages into results or raises the server's error.
"""

from __future__ import annotations

import struct
from time import monotonic, sleep
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar

from . import exception
from ._constants import POLICY_REPLICA_MASTER
from .connection import NETWORK_ERROR_CODE, Connection
from .policy import Policy
from .protocol.constants import INFO3_LAST, MSG_HEADER_SIZE, PROTO_TYPE_MESSAGE
from .protocol.errors import ProtocolError
from .protocol.message import Message, decode_message, read_ops, skip_fields, unpack_message_header

if TYPE_CHECKING:
    from .cluster import Cluster
    from .node import Node

T = TypeVar("T")

_TIMEOUT_CODE = exception.TimeoutError.code
_NO_MORE_CONNECTIONS_CODE = exception.NoMoreConnectionsError.code
# Failures of one attempt that another attempt (maybe on another replica) may cure.
_RETRYABLE = frozenset((NETWORK_ERROR_CODE, _TIMEOUT_CODE, _NO_MORE_CONNECTIONS_CODE))


class _ConsumerError(Exception):
    """Carries an exception raised by a stream's on_message past the loop's own handlers."""

    def __init__(self, error: BaseException, ends_reply: bool = False) -> None:
        super().__init__(error)
        self.error = error
        self.ends_reply = ends_reply  # the frame it was raised on ended the reply: the connection is in step


def _timeouts(policy: Any) -> tuple[float, Optional[float]]:
    """(deadline or 0.0, per-attempt socket timeout in seconds or None) from the policy's milliseconds."""
    total = policy.total_timeout
    socket_ms = policy.socket_timeout
    if total:
        if not socket_ms or socket_ms > total:
            socket_ms = total
        return monotonic() + total / 1000.0, socket_ms / 1000.0
    return 0.0, (socket_ms / 1000.0 if socket_ms else None)


# id of a frozen Policy -> (the policy, total_timeout in seconds or 0.0, per-attempt socket timeout in seconds or
# None). The entry keeps the policy itself, so a recycled id is never mistaken for it.
_POLICY_SECONDS: dict[int, tuple[Any, float, Optional[float]]] = {}
_POLICY_SECONDS_MAX = 512


def _policy_seconds(policy: Any) -> tuple[Any, float, Optional[float]]:
    total = policy.total_timeout
    socket_ms = policy.socket_timeout
    if total:
        if not socket_ms or socket_ms > total:
            socket_ms = total
        seconds = (policy, total / 1000.0, socket_ms / 1000.0)
    else:
        seconds = (policy, 0.0, socket_ms / 1000.0 if socket_ms else None)
    if type(policy) is Policy:  # frozen: its timeouts cannot change under the cached figures
        if len(_POLICY_SECONDS) >= _POLICY_SECONDS_MAX:
            _POLICY_SECONDS.clear()
        _POLICY_SECONDS[id(policy)] = seconds
    return seconds


def _final(error: exception.AerospikeError, in_doubt: bool) -> exception.AerospikeError:
    if in_doubt and not error.in_doubt:
        error.in_doubt = True
    return error


def _malformed(node: Node, error: ProtocolError | str) -> exception.AerospikeError:
    return exception.ClientError(
        exception.ClientError.code, f"malformed reply from node {node.name}: {error}"
    )


def _from_node(error: exception.AerospikeError, node: Node) -> exception.AerospikeError:
    """A server's answer as 3.0.0 gives it: the C client 4.3.1 (as_command_parse_result) sets the message to the
    result code's name alone ('AEROSPIKE_ERR_RECORD_NOT_FOUND'), without the node; later clients prefix it."""
    if error.msg is None and error.code is not None:
        error.msg = exception.result_code_message(error.code)
        error.args = (error.code, error.msg, error.file, error.line)
    elif error.code == -1 and error.msg and not error.msg.startswith(node.address):
        # A reply this client could not decode: 3.0.0 had no such error, so ours says which node sent it.
        error.msg = f"{node.address} {error.msg}"
        error.args = (error.code, error.msg, error.file, error.line)
    return error


def execute(
    cluster: Cluster,
    policy: Any,
    request: bytes,
    namespace: str,
    partition_id: int,
    is_write: bool,
    parse: Callable[[Any], T],
    fixed_node: Optional[Node] = None,
    raw: bool = False,
) -> T:
    """Send `request` to the node owning the partition (retrying per policy) and return parse(reply message).

    `policy` supplies total_timeout, socket_timeout, sleep_between_retries (ms), max_retries and replica.
    A write whose request was sent before the final failure raises with in_doubt=True. `fixed_node` sends every
    attempt to that node instead (see execute_on_node). With `raw`, parse receives the reply's frame body
    (bytes) and decodes it itself (record_commands' direct decoders): its ProtocolError means a malformed
    message, as decode_message's does.
    """
    # _timeouts(policy), in seconds once per frozen policy: this is every single-record command's path, and the
    # same socket timeout object each time lets Connection skip its milliseconds check.
    seconds = _POLICY_SECONDS.get(id(policy))
    if seconds is None or seconds[0] is not policy:
        seconds = _policy_seconds(policy)
    total_seconds = seconds[1]
    socket_timeout: Optional[float] = seconds[2]
    deadline = monotonic() + total_seconds if total_seconds else 0.0
    replica_index = 0
    attempt = 0
    sent = False
    error: Optional[exception.AerospikeError] = None
    while True:
        node = fixed_node
        if node is None:
            node = cluster.node_for(namespace, partition_id, replica_index)
            if node is None and replica_index:
                node = cluster.node_for(namespace, partition_id, 0)
            if node is None:
                if not cluster.has_namespace(namespace):
                    # 3.0.0 (C client 4.3.1 as_cluster_get_node): a client-side error, nothing is sent.
                    raise exception.ClientError(exception.ClientError.code, f"Invalid namespace: {namespace}")
                error = exception.InvalidNodeError(
                    exception.InvalidNodeError.code,
                    f"No node for partition {partition_id} of namespace {namespace} (replica {replica_index})",
                )
        if node is not None:
            timeout = socket_timeout
            if deadline and attempt:  # the first attempt's socket timeout is already within total_timeout
                remaining = deadline - monotonic()
                if remaining <= 0:
                    break
                if timeout is None or remaining < timeout:
                    timeout = remaining
            pool = node.pool
            try:
                connection = pool.checkout(timeout)
            except exception.AerospikeError as failure:
                if failure.code not in _RETRYABLE:
                    raise
                if failure.code != _NO_MORE_CONNECTIONS_CODE:
                    node.failures += 1
                error = failure
            else:
                try:
                    connection.send(request, timeout)
                    sent = True
                    proto_type, body = connection.read_frame(timeout)
                    if proto_type != PROTO_TYPE_MESSAGE:
                        raise ProtocolError(f"proto type {proto_type} where a message was expected")
                    if not raw:
                        message = decode_message(body, 0)[0]
                except exception.AerospikeError as failure:
                    pool.discard(connection)
                    if failure.code not in _RETRYABLE:
                        raise _final(failure, is_write and sent)
                    node.failures += 1
                    error = failure
                except ProtocolError as failure:
                    pool.discard(connection)
                    raise _final(_malformed(node, failure), is_write) from None
                else:
                    if raw:
                        try:
                            result = parse(body)
                        except ProtocolError as failure:
                            pool.discard(connection)
                            raise _final(_malformed(node, failure), is_write) from None
                        except BaseException as failure:
                            pool.checkin(connection)
                            if node.failures:
                                node.failures = 0
                            if isinstance(failure, exception.AerospikeError):
                                raise _from_node(failure, node) from None
                            raise
                        pool.checkin(connection)
                        if node.failures:
                            node.failures = 0
                        return result
                    pool.checkin(connection)
                    if node.failures:
                        node.failures = 0
                    try:
                        return parse(message)
                    except exception.AerospikeError as failure:
                        raise _from_node(failure, node) from None
        attempt += 1
        if attempt > policy.max_retries:
            break
        sleep_ms = policy.sleep_between_retries
        if deadline:
            remaining = deadline - monotonic()
            if remaining <= 0:
                break
            if sleep_ms:
                sleep(min(sleep_ms / 1000.0, remaining))
        elif sleep_ms:
            sleep(sleep_ms / 1000.0)
        if fixed_node is None and getattr(policy, "replica", POLICY_REPLICA_MASTER) != POLICY_REPLICA_MASTER:
            replicas = cluster.replica_count(namespace)
            replica_index = attempt % replicas if replicas > 1 else 0
    in_doubt = is_write and sent
    if deadline and monotonic() >= deadline and (error is None or error.code == _TIMEOUT_CODE):
        raise exception.TimeoutError(
            _TIMEOUT_CODE,
            f"Timeout after {attempt + (error is None)} attempt(s): total_timeout {policy.total_timeout} ms",
            in_doubt=in_doubt,
        )
    if error is None:
        error = exception.TimeoutError(_TIMEOUT_CODE, "Timeout", in_doubt=in_doubt)
    raise _final(error, in_doubt)


def execute_on_node(
    cluster: Cluster, node: Node, policy: Any, request: bytes, parse: Callable[[Message], T]
) -> T:
    """Like execute, on a given node (info-like or node-wide commands); never in doubt."""
    return execute(cluster, policy, request, "", 0, False, parse, node)


#: What an on_frame callback of execute_stream_frames returns.
FRAME_MORE = 0  # the reply goes on: read the next frame
FRAME_END = 1  # the reply is over and this frame was its end: the connection is in step and goes back
FRAME_STOP = 2  # stop now (mid-reply, or a LAST message before the frame's end): the connection is closed


def _frame_ends_reply(body: bytes, first: bool) -> bool:
    """Whether the last message of a frame ends the reply: it has INFO3_LAST, or it is the first and only
    message of the reply's first frame and an error (a refused query or scan sends no LAST)."""
    offset = 0
    end = len(body)
    count = 0
    info3 = code = 0
    try:
        while offset < end:
            header = unpack_message_header(body, offset)
            info3, code = header[3], header[5]
            offset = skip_fields(body, offset + MSG_HEADER_SIZE, header[9], end)
            offset = read_ops(body, offset, header[10], end)[1] if header[10] else offset
            count += 1
    except (ProtocolError, struct.error):
        return False
    return bool(count and (info3 & INFO3_LAST or (first and count == 1 and code)))


def execute_stream(
    cluster: Cluster,
    policy: Any,
    node: Node,
    request: bytes,
    on_message: Callable[[Message], bool],
    is_write: bool = False,
) -> None:
    """Send `request` to `node` and feed each reply message to on_message until one has INFO3_LAST.

    on_message returns False to stop early (the connection is then closed unless the reply was complete);
    its exceptions propagate. Attempts are retried per policy only while no message has been delivered.
    `socket_timeout` bounds the wait for each frame, `total_timeout` the whole stream.
    """
    delivered = False

    def on_frame(body: bytes) -> int:
        nonlocal delivered
        offset = 0
        end = len(body)
        while offset < end:
            first = not delivered
            message, offset = decode_message(body, offset)
            delivered = True
            # The reply is over at its LAST message, or when its first and only message is an error
            # (a refused query or scan: no LAST). A per-record error inside a batch is neither: the
            # rest of the reply is still on the socket, so that connection can never be reused.
            ends_reply = offset == end and bool(message.info3 & INFO3_LAST or (first and message.result_code))
            try:
                go_on = on_message(message)
            except BaseException as failure:
                raise _ConsumerError(failure, ends_reply) from failure
            if message.info3 & INFO3_LAST or (go_on is False):
                return FRAME_END if ends_reply else FRAME_STOP
        return FRAME_MORE

    execute_stream_frames(cluster, policy, node, request, on_frame, is_write)


def send_ahead(policy: Any, node: Node, request: bytes) -> Any:
    """The first attempt of execute_stream_frames(policy, node, request) up to its send, made ahead of reading
    (a batch sends every request before it reads the first reply, so the server works while the client decodes):
    the Connection the request went out on, or the attempt's AerospikeError. Either is execute_stream_frames'
    `ahead`; a connection not handed to it must be discarded (its reply is on the way). None when the pool has
    no connection to spare: the request then goes out when its reply is to be read, as without sending ahead."""
    deadline, timeout = _timeouts(policy)
    if deadline:
        remaining = deadline - monotonic()
        if timeout is None or remaining < timeout:
            timeout = max(remaining, 0.001)
    pool = node.pool
    try:
        connection = pool.checkout(timeout)
    except exception.NoMoreConnectionsError:
        return None
    except exception.AerospikeError as failure:
        return failure
    try:
        connection.send(request, timeout)
    except exception.AerospikeError as failure:
        pool.discard(connection)
        node.failures += 1
        return failure
    return connection


def execute_stream_frames(
    cluster: Cluster,
    policy: Any,
    node: Node,
    request: bytes,
    on_frame: Callable[[bytes], int],
    is_write: bool = False,
    ahead: Any = None,
) -> None:
    """Send `request` to `node` and hand each whole reply frame body (bytes) to on_frame, which decodes its
    messages and returns FRAME_MORE, FRAME_END or FRAME_STOP; execute_stream's rules otherwise.

    on_frame's ProtocolError means a malformed reply (the connection is closed); its other exceptions propagate
    (the connection goes back to the pool when the frame ended the reply). Attempts are retried per policy only
    while no frame has been handed over. `ahead` is send_ahead's outcome for this request: the first attempt's
    connection, already sent on, or its error.
    """
    deadline, socket_timeout = _timeouts(policy)
    max_retries = policy.max_retries
    attempt = 0
    sent = False
    error: Optional[exception.AerospikeError] = None
    while True:
        timeout = socket_timeout
        delivered = False
        if deadline:
            remaining = deadline - monotonic()
            if remaining <= 0:
                if isinstance(ahead, Connection):
                    node.pool.discard(ahead)
                break
            if timeout is None or remaining < timeout:
                timeout = remaining
        pool = node.pool
        connection: Optional[Connection] = None
        sent_ahead = False
        if ahead is not None:
            if isinstance(ahead, Connection):
                connection = ahead
                sent = sent_ahead = True
            else:
                if ahead.code not in _RETRYABLE:
                    raise ahead
                error = ahead
            ahead = None
        else:
            try:
                connection = pool.checkout(timeout)
            except exception.AerospikeError as failure:
                if failure.code not in _RETRYABLE:
                    raise
                error = failure
        if connection is not None:
            try:
                if not sent_ahead:
                    connection.send(request, timeout)
                    sent = True
                while True:
                    if deadline:
                        remaining = deadline - monotonic()
                        if remaining <= 0:
                            raise exception.TimeoutError(
                                _TIMEOUT_CODE, "Timeout: total_timeout passed mid-stream"
                            )
                        timeout = (
                            remaining
                            if socket_timeout is None or remaining < socket_timeout
                            else socket_timeout
                        )
                    proto_type, body = connection.read_frame(timeout)
                    if proto_type != PROTO_TYPE_MESSAGE:
                        raise ProtocolError(f"proto type {proto_type} where a message was expected")
                    if not body:
                        continue
                    first = not delivered
                    delivered = True
                    try:
                        status = on_frame(body)
                    except (ProtocolError, _ConsumerError):
                        raise
                    except BaseException as failure:
                        raise _ConsumerError(failure, _frame_ends_reply(body, first)) from failure
                    if status != FRAME_MORE:
                        if status == FRAME_END:
                            pool.checkin(connection)
                        else:
                            pool.discard(connection)
                        return
            except exception.AerospikeError as failure:
                pool.discard(connection)
                if delivered or failure.code not in _RETRYABLE:
                    raise _final(failure, is_write and sent)
                node.failures += 1
                error = failure
            except ProtocolError as failure:
                pool.discard(connection)
                raise _final(_malformed(node, failure), is_write) from None
            except _ConsumerError as wrapper:
                if wrapper.ends_reply:
                    pool.checkin(connection)
                else:
                    pool.discard(connection)
                raise wrapper.error from None
        attempt += 1
        if attempt > max_retries:
            break
        sleep_ms = policy.sleep_between_retries
        if deadline:
            remaining = deadline - monotonic()
            if remaining <= 0:
                break
            if sleep_ms:
                sleep(min(sleep_ms / 1000.0, remaining))
        elif sleep_ms:
            sleep(sleep_ms / 1000.0)
    in_doubt = is_write and sent
    if error is None or (deadline and monotonic() >= deadline and error.code == _TIMEOUT_CODE):
        raise exception.TimeoutError(_TIMEOUT_CODE, "Timeout: total_timeout passed", in_doubt=in_doubt)
    raise _final(error, in_doubt)
