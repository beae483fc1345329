"""One node of the local cluster: its listening socket, its client connections, framing and dispatch.

Owns: accepting connections on 127.0.0.1, reading whole proto frames, answering info frames (through the cluster's
info handlers), message frames (single-record commands through the cluster, multi-record kinds through its
dispatch table), compressed frames (refused by community edition with result 25, inflated by enterprise), admin
frames (51 "security not supported" from community edition, 52 "security not enabled" from enterprise, or the
cluster's `SecurityState` when security is on), counting what each
connection asked, and applying the node's faults (delay, forced result code). With security on, every
connection has a `Session`: until it logs in or authenticates, only admin frames are answered (info values and
message commands get 80, not authenticated); after that, each info command and message command is checked
against the user's privileges (81, role violation). With TLS on, the listener's connections are wrapped in the
cluster's server-side `ssl.SSLContext`; the handshake runs on the connection's own thread, so a client that
never finishes it holds up nobody else. A connection that sends bytes which do not form a valid frame or message, or stops halfway
through a frame for longer than the cluster's `partial_frame_timeout`, is closed; no other connection notices.

Threading model: one accept thread per node and one thread per client connection, each blocking in `recv_into`.
Chosen over a selector loop because (1) every command already runs under the cluster's one data lock, so an
event loop would buy no parallelism, only callbacks; (2) a delayed reply (the `delay` fault) is then a plain sleep
that holds up only that connection, as a slow server does; (3) blocking socket calls release the GIL, so dozens of
client connections cost dozens of mostly-idle threads and nothing else. Clients use a connection for one request
at a time, so a thread per connection matches how load arrives.
"""

from __future__ import annotations

import logging
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Optional

from aerospike.protocol.constants import (
    FIELD_BATCH_INDEX,
    FIELD_DIGEST,
    FIELD_INDEX_NAME,
    FIELD_INDEX_RANGE,
    FIELD_NAMESPACE,
    FIELD_SET,
    FIELD_UDF_PACKAGE_NAME,
    INFO1_BATCH,
    INFO1_COMPRESS_RESPONSE,
    INFO2_DELETE,
    INFO2_WRITE,
    MAX_FRAME_SIZE,
    OP_READ,
    OP_WRITE,
    PROTO_TYPE_ADMIN,
    PROTO_TYPE_COMPRESSED,
    PROTO_TYPE_INFO,
    PROTO_TYPE_MESSAGE,
    RESULT_ENTERPRISE_ONLY,
    RESULT_SECURITY_NOT_ENABLED,
    RESULT_SECURITY_NOT_SUPPORTED,
)
from aerospike.protocol.errors import ProtocolError
from aerospike.protocol.frame import FrameReader, pack_header, unpack_header
from aerospike.protocol.info import encode_info_reply, parse_info_request
from aerospike.protocol.message import Message, decode_message

from .info import command_name, parse_params
from .security import (
    ACTION_INFO,
    ACTION_READ,
    ACTION_SINDEX_ADMIN,
    ACTION_SYS_ADMIN,
    ACTION_TRUNCATE,
    ACTION_UDF,
    ACTION_UDF_ADMIN,
    ACTION_WRITE,
    Session,
)

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import LocalCluster
    from .store import NamespaceStore

log = logging.getLogger(__name__)

_LINGER_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST
_ADMIN_HEADER_SIZE = 16
_RECV_SIZE = 256 * 1024


def default_node_id(port: int) -> str:
    """A 15-hex-digit node id derived from the port, shaped like a real server's (which derives it from a MAC)."""
    return f"BB9{port:012X}"


@dataclass
class ConnectionCounts:
    """Requests one client connection sent to one node: info command names and message kinds."""

    info: dict[str, int] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)


@dataclass
class NodeCounts:
    """Requests one node received, in total and per client connection ((client_host, client_port) key)."""

    node_id: str
    info: dict[str, int] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)
    connections: dict[tuple[str, int], ConnectionCounts] = field(default_factory=dict)


def classify(message: Message) -> str:
    """The kind of a message command, as request counts name it and the dispatch table keys it."""
    if message.info1 & INFO1_BATCH or message.field(FIELD_BATCH_INDEX) is not None:
        return "batch"
    if message.field(FIELD_DIGEST) is None:
        if (
            message.field(FIELD_INDEX_RANGE) is not None
            or message.field(FIELD_INDEX_NAME) is not None
            or message.field(FIELD_UDF_PACKAGE_NAME) is not None
        ):
            return "query"
        return "scan"
    if message.field(FIELD_UDF_PACKAGE_NAME) is not None:
        return "udf"
    if message.info2 & INFO2_DELETE and not message.ops:
        return "delete"
    if message.info2 & INFO2_WRITE:
        return "write" if all(op.op_type == OP_WRITE for op in message.ops) else "operate"
    if all(op.op_type == OP_READ for op in message.ops):
        return "read"
    return "operate"


# Info commands that change the cluster, and the privilege each needs; any other command needs only a login.
_INFO_ACTIONS = {
    "sindex-create": ACTION_SINDEX_ADMIN,
    "sindex-delete": ACTION_SINDEX_ADMIN,
    "udf-put": ACTION_UDF_ADMIN,
    "udf-remove": ACTION_UDF_ADMIN,
    "truncate": ACTION_TRUNCATE,
    "truncate-namespace": ACTION_TRUNCATE,
    "truncate-undo": ACTION_TRUNCATE,
    "set-config": ACTION_SYS_ADMIN,
    "config-set": ACTION_SYS_ADMIN,
    "jobs": ACTION_SYS_ADMIN,
    "query-kill": ACTION_SYS_ADMIN,
    "scan-abort": ACTION_SYS_ADMIN,
    "recluster": ACTION_SYS_ADMIN,
}
_SECURITY_MESSAGES = {80: "not authenticated", 81: "role violation"}


def message_action(kind: str, message: Message) -> str:
    """The security action a message command of `kind` asks for."""
    if kind in ("write", "delete") or message.info2 & INFO2_WRITE:
        return ACTION_WRITE
    if kind == "udf" or message.field(FIELD_UDF_PACKAGE_NAME) is not None:
        return ACTION_UDF
    return ACTION_READ


def _field_text(message: Message, field_id: int) -> str:
    data = message.field(field_id)
    return data.decode("utf-8", "replace") if data is not None else ""


def _admin_reply(result_code: int) -> bytes:
    header = bytearray(_ADMIN_HEADER_SIZE)
    header[1] = result_code
    return pack_header(PROTO_TYPE_ADMIN, _ADMIN_HEADER_SIZE) + bytes(header)


def _decode_one(body: bytes) -> Message:
    message, end = decode_message(body, 0)
    if end != len(body):
        raise ProtocolError(f"{len(body) - end} bytes after the message")
    return message


class _Counts:
    __slots__ = ("info", "messages")

    def __init__(self) -> None:
        self.info: dict[str, int] = {}
        self.messages: dict[str, int] = {}


class NodeServer:
    """A node: one listening socket, a thread per client connection, counters and fault switches."""

    def __init__(self, cluster: LocalCluster, index: int, host: str, port: int, node_id: Optional[str]) -> None:
        self.cluster = cluster
        self.index = index
        self.host = host
        self.port = port
        self._fixed_node_id = node_id
        self.node_id = node_id or ""
        self.running = False
        self.stores: dict[str, NamespaceStore] = {}
        self.partition_generation = 0
        self.peers_generation = 0
        self.cluster_generation = 0
        self.reply_delay = 0.0
        self.delay_info = False
        self.fail_code = 0
        self.connections_opened = 0
        self._listener: Optional[socket.socket] = None
        self._aborted = False
        self._connections: set[socket.socket] = set()
        self._state_lock = threading.Lock()
        self._total = _Counts()
        self._per_connection: dict[tuple[str, int], _Counts] = {}

    def __repr__(self) -> str:
        return f"NodeServer({self.index}, {self.node_id}, {self.host}:{self.port}, running={self.running})"

    @property
    def open_connections(self) -> int:
        return len(self._connections)

    # ----- lifecycle -------------------------------------------------------------------------------------------

    def listen(self) -> None:
        """Bind (the same port again after a restart) and start accepting."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(256)
        except OSError as error:
            listener.close()
            raise OSError(error.errno, f"node {self.index} cannot listen on {self.host}:{self.port}: {error}") from None
        self.port = listener.getsockname()[1]
        if not self._fixed_node_id:
            self.node_id = default_node_id(self.port)
        self._listener = listener
        self._aborted = False
        self.running = True
        thread = threading.Thread(
            target=self._accept_loop, args=(listener,), name=f"aerospike-local-{self.node_id}-accept", daemon=True
        )
        thread.start()

    def close(self, abort: bool) -> None:
        """Close the listener and every client socket: RST when `abort`, else an orderly FIN."""
        self._aborted = abort  # before `running` drops: a reader that sees it stopping must know how to close
        self.running = False
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accept thread
            except OSError:
                pass
            listener.close()
        with self._state_lock:
            connections = list(self._connections)
            self._connections.clear()
        for sock in connections:
            try:
                # socket.socket's own shutdown: on a TLS socket it cuts TCP under the reader without
                # tearing down the SSL object the reader thread is using.
                if abort:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
                    socket.socket.shutdown(sock, socket.SHUT_RD)  # wakes the reader without sending FIN
                else:
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                sock, address = listener.accept()
            except OSError:
                return
            if not self.running or self._listener is not listener:
                if self._aborted:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
                sock.close()
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            peer = (str(address[0]), int(address[1]))
            with self._state_lock:
                self._connections.add(sock)
                self.connections_opened += 1
                self._per_connection.setdefault(peer, _Counts())
            thread = threading.Thread(
                target=self._serve, args=(sock, peer), name=f"aerospike-local-{self.node_id}-{peer[1]}", daemon=True
            )
            thread.start()

    # ----- one connection ------------------------------------------------------------------------------------

    def _handshake(self, sock: socket.socket, context: ssl.SSLContext) -> socket.socket:
        """The TLS-wrapped socket, registered in place of the plain one; raises OSError on a failed handshake."""
        sock.settimeout(self.cluster.partial_frame_timeout)
        wrapped = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        with self._state_lock:
            self._connections.discard(sock)
            self._connections.add(wrapped)
        try:
            wrapped.do_handshake()
            wrapped.settimeout(None)
        except BaseException:
            with self._state_lock:
                self._connections.discard(wrapped)
            wrapped.close()
            raise
        return wrapped

    def _serve(self, sock: socket.socket, peer: tuple[str, int]) -> None:
        reader = FrameReader(MAX_FRAME_SIZE)
        buffer = bytearray(_RECV_SIZE)
        view = memoryview(buffer)
        waiting_for_rest = False
        session = Session() if self.cluster.security is not None else None
        try:
            context = self.cluster.tls_context
            if context is not None:
                sock = self._handshake(sock, context)
            while self.running:
                try:
                    received = sock.recv_into(buffer)
                except socket.timeout:
                    return  # half a frame, then silence
                if received == 0:
                    return
                reader.feed(view[:received])
                while True:
                    frame = reader.next_frame()
                    if frame is None:
                        break
                    for reply in self._handle_frame(peer, frame.proto_type, frame.body, session):
                        sock.sendall(reply)
                pending = reader.pending > 0
                if pending != waiting_for_rest:
                    sock.settimeout(self.cluster.partial_frame_timeout if pending else None)
                    waiting_for_rest = pending
        except (ProtocolError, OSError):
            return
        except Exception:  # a bug in a handler must cost one connection, not the node
            log.exception("local cluster node %s: closing connection from %s:%s", self.node_id, *peer)
        finally:
            with self._state_lock:
                self._connections.discard(sock)
            if self._aborted and not self.running:
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
                except OSError:
                    pass
            sock.close()

    def _handle_frame(
        self, peer: tuple[str, int], proto_type: int, body: bytes, session: Optional[Session] = None
    ) -> Iterable[bytes]:
        if proto_type == PROTO_TYPE_INFO:
            commands = parse_info_request(body)
            self._count_info(peer, commands)
            if self.delay_info and self.reply_delay:
                time.sleep(self.reply_delay)
            if session is not None:
                return [encode_info_reply(self._answer_info_secured(commands, session))]
            return [encode_info_reply(self.cluster.answer_info(self, commands))]
        if proto_type == PROTO_TYPE_MESSAGE:
            return self._handle_message(peer, _decode_one(body), compress=False, session=session)
        if proto_type == PROTO_TYPE_COMPRESSED:
            if self.cluster.edition != "enterprise":
                self._count_message(peer, "compressed")
                return [Message(result_code=RESULT_ENTERPRISE_ONLY).encode()]
            from aerospike.protocol.compression import decompress_body

            inner = decompress_body(body, MAX_FRAME_SIZE)
            inner_type, inner_length = unpack_header(inner)
            if inner_type != PROTO_TYPE_MESSAGE or inner_length != len(inner) - 8:
                raise ProtocolError("a compressed frame must hold one whole message frame")
            message = _decode_one(inner[8:])
            return self._handle_message(
                peer, message, compress=bool(message.info1 & INFO1_COMPRESS_RESPONSE), session=session
            )
        if proto_type == PROTO_TYPE_ADMIN:
            self._count_message(peer, "admin")
            if self.delay_info and self.reply_delay:
                time.sleep(self.reply_delay)
            security = self.cluster.security
            if security is None or session is None:
                # Community edition has no security at all (51, as CE 8.1 answers); enterprise has it switched off.
                if self.cluster.edition == "enterprise":
                    return [_admin_reply(RESULT_SECURITY_NOT_ENABLED)]
                return [_admin_reply(RESULT_SECURITY_NOT_SUPPORTED)]
            return [security.handle_admin(body, session)]
        raise ProtocolError(f"unexpected proto type {proto_type}")

    def _answer_info_secured(self, commands: list[str], session: Session) -> list[tuple[str, str]]:
        """Info answers for a secured connection: refused commands answer `ERROR:<code>:<reason>`."""
        security = self.cluster.security
        assert security is not None
        allowed: list[str] = []
        refusals: dict[str, str] = {}
        for command in commands:
            name, _, args = command.partition(":")
            action = _INFO_ACTIONS.get(name, ACTION_INFO)
            namespace = ""
            if action == ACTION_TRUNCATE:
                namespace = parse_params(args).get("namespace", "")
            code = security.check_permission(session.user, action, namespace)
            if code:
                refusals[command] = f"ERROR:{code}:{_SECURITY_MESSAGES.get(code, 'refused')}"
            else:
                allowed.append(command)
        if not commands:  # the default list: any logged-in user may read it
            code = security.check_permission(session.user, ACTION_INFO)
            if code:
                return [("", f"ERROR:{code}:{_SECURITY_MESSAGES.get(code, 'refused')}")]
        answers = dict(self.cluster.answer_info(self, allowed)) if allowed or not commands else {}
        if not commands:
            return list(answers.items())
        return [(command, refusals[command] if command in refusals else answers[command]) for command in commands]

    def _handle_message(
        self, peer: tuple[str, int], message: Message, compress: bool, session: Optional[Session] = None
    ) -> Iterable[bytes]:
        kind = classify(message)
        self._count_message(peer, kind)
        if self.reply_delay:
            time.sleep(self.reply_delay)
        refused = 0
        if session is not None and self.cluster.security is not None:
            refused = self.cluster.security.check_permission(
                session.user,
                message_action(kind, message),
                _field_text(message, FIELD_NAMESPACE),
                _field_text(message, FIELD_SET),
            )
        if refused:
            frames: Iterable[bytes] = [Message(result_code=refused).encode()]
        elif self.fail_code:
            frames = [Message(result_code=self.fail_code).encode()]
        else:
            handler = self.cluster.message_handlers.get(kind)
            if handler is not None:
                frames = handler(self.cluster, self, message)
            else:
                reply, proxied = self.cluster.execute_single(self, message)
                if proxied:
                    self._count_message(peer, "proxy")
                frames = [reply.encode()]
        if compress:
            from aerospike.protocol.compression import compress_frame

            return (compress_frame(frame) for frame in frames)
        return frames

    # ----- counts --------------------------------------------------------------------------------------------

    def _count_info(self, peer: tuple[str, int], commands: list[str]) -> None:
        names = [command_name(command) for command in commands] or [""]
        with self._state_lock:
            per_connection = self._per_connection.setdefault(peer, _Counts())
            for name in names:
                self._total.info[name] = self._total.info.get(name, 0) + 1
                per_connection.info[name] = per_connection.info.get(name, 0) + 1

    def _count_message(self, peer: tuple[str, int], kind: str) -> None:
        with self._state_lock:
            per_connection = self._per_connection.setdefault(peer, _Counts())
            self._total.messages[kind] = self._total.messages.get(kind, 0) + 1
            per_connection.messages[kind] = per_connection.messages.get(kind, 0) + 1

    def counts_snapshot(self) -> NodeCounts:
        with self._state_lock:
            return NodeCounts(
                node_id=self.node_id,
                info=dict(self._total.info),
                messages=dict(self._total.messages),
                connections={
                    peer: ConnectionCounts(dict(counts.info), dict(counts.messages))
                    for peer, counts in self._per_connection.items()
                    if counts.info or counts.messages
                },
            )

    def reset_counts(self) -> None:
        with self._state_lock:
            self._total = _Counts()
            self._per_connection = {}
