"""A logging TCP proxy: sits between any client (e.g. the official one, in its own process) and a server node,
forwards every byte both ways, and keeps the proto frames each way, so a test can compare the requests two
clients send for the same call.

Use::

    with WireLog(("127.0.0.1", 3000)) as wire:
        ...  # point the client at wire.address
        requests = wire.messages()  # every type-3 request message sent through it, as bytes (header included)

Only one-node servers are proxied faithfully: a server with peers would tell the client their own addresses,
and traffic to them would go around the proxy.
"""

from __future__ import annotations

import socket
import threading
from typing import Optional

from aerospike.protocol.constants import PROTO_HEADER_SIZE, PROTO_TYPE_MESSAGE
from aerospike.protocol.frame import unpack_header


class _Direction:
    """The frames one side sent, reassembled from the byte stream."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.frames: list[bytes] = []

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= PROTO_HEADER_SIZE:
            _type, length = unpack_header(bytes(self.buffer[:PROTO_HEADER_SIZE]))
            end = PROTO_HEADER_SIZE + length
            if len(self.buffer) < end:
                return
            self.frames.append(bytes(self.buffer[:end]))
            del self.buffer[:end]


class WireLog:
    """A proxy on a free loopback port in front of `upstream`; records the frames of every connection."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.address: tuple[str, int] = self._listener.getsockname()
        self._lock = threading.Lock()
        self._requests: list[_Direction] = []
        self._sockets: list[socket.socket] = []
        self._closed = False
        self._thread: Optional[threading.Thread] = None

    def __enter__(self) -> WireLog:
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.close()
                except OSError:
                    pass

    def messages(self) -> list[bytes]:
        """Every type-3 (message) frame sent to the server so far, in the order each connection sent them."""
        with self._lock:
            return [
                frame
                for direction in self._requests
                for frame in direction.frames
                if frame[1] == PROTO_TYPE_MESSAGE
            ]

    def clear(self) -> None:
        with self._lock:
            for direction in self._requests:
                direction.frames.clear()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            requests = _Direction()
            with self._lock:
                self._requests.append(requests)
                self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, requests), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, None), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, record: Optional[_Direction]) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if record is not None:
                    with self._lock:
                        record.feed(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
