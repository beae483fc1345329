"""Real Aerospike server nodes (`asd`) started for tests and benchmarks, on loopback.

Owns: writing one configuration per node (two in-memory namespaces, `test` and `bar`, as the local cluster has),
starting the nodes, waiting until the cluster has formed, and stopping or killing them. The local cluster is a
test double; these are the ground truth it is checked against. Knows the protocol's info messages and nothing
else of the client.

The server binary is found from ``AEROSPIKE_ASD``, else ``shared/aerospike-server/asd`` beside the repository.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

from aerospike.protocol.frame import unpack_header
from aerospike.protocol.info import encode_info_request, parse_info_reply

NAMESPACES = ("test", "bar")
START_TIMEOUT = 30.0

_NAMESPACE = """namespace {name} {{
	replication-factor {replication}
	nsup-period 120
	storage-engine memory {{
		data-size 512M
	}}
}}
"""

_CONFIG = """service {{
	cluster-name {cluster_name}
	node-id {node_id}
	proto-fd-max 1024
	work-directory {folder}/work
}}
mod-lua {{
	user-path {folder}/work/usr/udf/lua
}}
logging {{
	file {folder}/log/aerospike.log {{
		context any info
	}}
}}
network {{
	service {{
		address 127.0.0.1
		access-address 127.0.0.1
		port {port}
	}}
	admin {{
		address 127.0.0.1
		port {admin_port}
	}}
	heartbeat {{
		mode mesh
		address 127.0.0.1
		port {heartbeat_port}
{seed}		interval 150
		timeout 10
	}}
	fabric {{
		address 127.0.0.1
		port {fabric_port}
	}}
}}
{namespaces}"""


def find_asd() -> Optional[str]:
    """The path of an `asd` binary, or None: ``AEROSPIKE_ASD``, else ``shared/aerospike-server/asd``."""
    override = os.environ.get("AEROSPIKE_ASD")
    if override:
        return override if os.access(override, os.X_OK) else None
    here = Path(__file__).resolve()
    for root in here.parents:
        candidate = root / "shared" / "aerospike-server" / "asd"
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def info(address: tuple[str, int], *commands: str, timeout: float = 5.0) -> dict[str, str]:
    """Ask one node info `commands` on a fresh connection."""
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(encode_info_request(commands))
        header = _recv_exact(sock, 8)
        _, length = unpack_header(header)
        return parse_info_reply(_recv_exact(sock, length))


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed by the server")
        data += chunk
    return bytes(data)


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(start: int, count: int, stride: int = 10, limit: int = 400) -> int:
    """The first base port from `start` (stepping by `stride`) whose `count` * 4 ports are all free."""
    for attempt in range(limit):
        base = start + attempt * stride * count
        if all(_port_free(base + offset) for offset in range(count * stride)):
            return base
    raise RuntimeError(f"no free block of ports found from {start}")


class AsdNode:
    """One `asd` process: its folder, ports and process handle."""

    def __init__(self, asd: str, folder: Path, node_id: str, port: int) -> None:
        self.asd = asd
        self.folder = folder
        self.node_id = node_id
        self.port = port
        self.process: Optional[subprocess.Popen[bytes]] = None

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def write_config(self, cluster_name: str, seed_heartbeat: Optional[int], replication: int) -> Path:
        for sub in ("work/smd", "work/usr/udf/lua", "log"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        seed = f"\t\tmesh-seed-address-port 127.0.0.1 {seed_heartbeat}\n" if seed_heartbeat else ""
        namespaces = "\n".join(_NAMESPACE.format(name=name, replication=replication) for name in NAMESPACES)
        text = _CONFIG.format(
            cluster_name=cluster_name, node_id=self.node_id, folder=self.folder, port=self.port,
            fabric_port=self.port + 1, heartbeat_port=self.port + 2, admin_port=self.port + 3,
            seed=seed, namespaces=namespaces,
        )
        path = self.folder / "aerospike.conf"
        path.write_text(text)
        return path

    def start(self) -> None:
        config = self.folder / "aerospike.conf"
        log = open(self.folder / "log" / "console.log", "ab")
        # Its own folder as the working directory: a .lua file there would shadow a registered UDF module.
        self.process = subprocess.Popen(
            [self.asd, "--foreground", "--config-file", str(config)],
            cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        try:
            return info(self.address, "status", timeout=1.0).get("status") == "ok"
        except OSError:
            return False

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


class AsdCluster:
    """`nodes` real server nodes on loopback forming one cluster, namespaces `test` and `bar`.

    >>> with AsdCluster(nodes=1) as server:      # doctest: +SKIP
    ...     client = aerospike.client({"hosts": server.hosts}).connect()
    """

    def __init__(
        self,
        nodes: int = 1,
        asd: Optional[str] = None,
        base_port: Optional[int] = None,
        folder: Optional[str] = None,
        replication_factor: int = 2,
        cluster_name: str = "local-test",
    ) -> None:
        found = asd or find_asd()
        if found is None:
            raise FileNotFoundError("no asd binary: set AEROSPIKE_ASD or place shared/aerospike-server/asd")
        self.asd = found
        self.node_count = nodes
        self.replication_factor = replication_factor
        self.cluster_name = cluster_name
        self._base_port = base_port
        self._own_folder = folder is None
        self.folder = Path(folder or tempfile.mkdtemp(prefix="asd-"))
        self.nodes: list[AsdNode] = []

    @property
    def hosts(self) -> list[tuple[str, int]]:
        return [node.address for node in self.nodes if node.alive()]

    def start(self, timeout: float = START_TIMEOUT) -> AsdCluster:
        base = self._base_port or free_port_block(3300 + (os.getpid() % 50) * 40, self.node_count)
        for index in range(self.node_count):
            node = AsdNode(self.asd, self.folder / f"node{index + 1}", f"A{index + 1}", base + index * 10)
            seed = self.nodes[0].port + 2 if self.nodes else None
            node.write_config(self.cluster_name, seed, self.replication_factor)
            self.nodes.append(node)
        for node in self.nodes:
            node.start()
        try:
            self.wait_stable(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_stable(self, timeout: float = START_TIMEOUT) -> None:
        """Until every live node answers `status` ok, sees the whole cluster and has finished migrating."""
        deadline = time.monotonic() + timeout
        live = [node for node in self.nodes if node.alive()]
        while True:
            problem = self._unstable_reason(live)
            if problem is None:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"asd cluster not ready after {timeout:.0f} s: {problem} (logs in {self.folder})")
            for node in live:
                if not node.alive():
                    raise RuntimeError(f"asd node {node.node_id} exited (log: {node.folder / 'log'})")
            time.sleep(0.1)

    def _unstable_reason(self, live: list[AsdNode]) -> Optional[str]:
        keys = set()
        for node in live:
            if not node.ready():
                return f"node {node.node_id} not answering"
            try:
                answer = info(node.address, f"cluster-stable:size={len(live)};ignore-migrations=false")
            except OSError as error:
                return f"node {node.node_id}: {error}"
            key = next(iter(answer.values()), "")
            if not key or key.startswith("ERROR"):
                return f"node {node.node_id}: cluster-stable says {key!r}"
            keys.add(key)
        if len(keys) > 1:
            return "nodes disagree on the cluster key"
        return None

    def kill_node(self, index: int) -> None:
        self.nodes[index].kill()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> AsdCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
