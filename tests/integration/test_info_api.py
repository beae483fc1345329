"""info, info_node, info_all, get_nodes, has_geo and truncate against a local cluster and the real server."""

from __future__ import annotations

import time
from typing import Iterator

import pytest

import aerospike
from aerospike import exception
from tests.fixtures.backend import Backend

pytestmark = pytest.mark.backends("local3", "real")


@pytest.fixture
def client3(backend: Backend) -> Iterator[aerospike.Client]:
    connected = backend.client()
    yield connected
    connected.close()


def test_info_all_shape(client3: aerospike.Client, backend: Backend) -> None:
    result = client3.info_all("namespaces")
    assert len(result) == len(backend.hosts)
    for name, (error, value) in result.items():
        assert isinstance(name, str) and error is None
        assert value.rstrip("\n").split(";") == ["test", "bar"]


def test_info_filters_hosts(client3: aerospike.Client, backend: Backend) -> None:
    everything = client3.info("build")
    assert len(everything) == len(backend.hosts)
    host = tuple(client3.get_nodes()[0])
    filtered = client3.info("build", [host])
    assert len(filtered) == 1
    assert next(iter(filtered.values()))[0] is None
    with pytest.raises(exception.ParamError):
        client3.info("build", "not a list")


def test_info_node(client3: aerospike.Client) -> None:
    nodes = client3.get_nodes()
    reply = client3.info_node("node", nodes[-1])
    assert reply.startswith("node\t") and reply.endswith("\n")
    assert reply == client3.info_node("node", nodes[-1], {"timeout": 500})
    # 3.0.0: the host is required; a tuple of another length asks the first seed.
    with pytest.raises(TypeError):
        client3.info_node("build")  # type: ignore[call-arg]
    assert client3.info_node("build", ("ignored",)).startswith("build\t")
    with pytest.raises(exception.InvalidRequest):
        client3.info_node("no-such-command", nodes[0])
    with pytest.raises(exception.ParamError):
        client3.info_node(5, nodes[0])
    with pytest.raises(exception.ParamError):
        client3.info_node("build", ["127.0.0.1", 3000])


def test_get_nodes_and_has_geo(client3: aerospike.Client, backend: Backend) -> None:
    nodes = client3.get_nodes()
    assert sorted(nodes) == sorted((host, port) for host, port in backend.hosts)
    assert all(isinstance(port, int) for _, port in nodes)
    assert client3.has_geo() is True


@pytest.mark.backends("local", "real")
def test_truncate(backend: Backend) -> None:
    client = backend.client()
    try:
        client.put(("test", "trunc", 1), {"a": 1})
        client.put(("test", None, "keep"), {"a": 1})
        time.sleep(0.01)  # the server truncates records last updated before the current millisecond
        assert client.truncate("test", "trunc", 0) == 0
        with pytest.raises(exception.RecordNotFound):
            client.get(("test", "trunc", 1))
        assert client.get(("test", None, "keep"))[2] == {"a": 1}
        with pytest.raises(exception.ParamError):
            client.truncate("test", "trunc", "now")
        with pytest.raises(exception.ParamError):
            client.truncate("test", "trunc", -1)
    finally:
        client.close()


def test_info_needs_connection() -> None:
    client = aerospike.client({"hosts": [("127.0.0.1", 3000)]})
    with pytest.raises(exception.ClusterError):
        client.info_all("build")
