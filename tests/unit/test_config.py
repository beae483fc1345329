"""The config dict of aerospike.client(): parsing, defaults, errors naming the key, warnings for unknown keys."""

from __future__ import annotations

import logging

import pytest

import aerospike
from aerospike.config import parse_config
from aerospike.exception import ParamError

HOSTS = [("127.0.0.1", 3000)]


def test_defaults() -> None:
    config = parse_config({"hosts": HOSTS})
    assert config.hosts == (("127.0.0.1", 3000, None),)
    assert config.tend_interval == 1000 and config.thread_pool_size == 16
    assert config.max_socket_idle == 0 and config.shm is None and config.shm_key() is None
    assert config.use_shared_connection is False
    assert config.lua.system_path == "/usr/local/aerospike/lua" and config.lua.user_path == "./"
    assert config.policies["read"].total_timeout == 1000


def test_full_config() -> None:
    serializer, deserializer = repr, eval
    config = parse_config(
        {
            "hosts": [("10.0.0.1", 3000), ("10.0.0.2", 4333, "tls-name")],
            "lua": {"system_path": "/sys", "user_path": "/usr"},
            "policies": {"write": {"total_timeout": 2000}, "key": aerospike.POLICY_KEY_SEND},
            "shm": {"max_nodes": 4, "shm_key": 0x1234},
            "use_shared_connection": True,
            "tls": {"enable": True, "cafile": "/ca.pem"},
            "serialization": (serializer, deserializer),
            "thread_pool_size": 4,
            "max_conns_per_node": 50,
            "batch_direct": False,
            "tend_interval": 250,
            "compression_threshold": 100,
            "cluster_name": "peer-test",
        }
    )
    assert config.hosts[1] == ("10.0.0.2", 4333, "tls-name")
    assert config.shm is not None and config.shm.max_nodes == 4 and config.shm_key() == 0x1234
    assert config.tls.enable and config.tls.cafile == "/ca.pem"
    assert config.max_socket_idle == 55  # TLS default
    assert config.serializer is serializer and config.deserializer is deserializer
    assert config.policies["write"].total_timeout == 2000 and config.policies["read"].key == aerospike.POLICY_KEY_SEND
    cluster_config = config.cluster_config("user", "pw")
    assert cluster_config.tend_interval == 0.25
    assert cluster_config.seeds == config.hosts
    assert cluster_config.shm_key == 0x1234
    assert cluster_config.tls["cafile"] == "/ca.pem"
    assert cluster_config.cluster_name == "peer-test"


def test_shm_default_key() -> None:
    assert parse_config({"hosts": HOSTS, "shm": {}}).shm_key() == 0xA7000000
    assert aerospike.client({"hosts": HOSTS, "shm": {}}).shm_key() == 0xA7000000
    assert aerospike.client({"hosts": HOSTS}).shm_key() is None


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({}, "hosts"),
        ({"hosts": []}, "hosts"),
        ({"hosts": "127.0.0.1:3000"}, "hosts"),
        ({"hosts": [("127.0.0.1", "3000")]}, "hosts"),
        ({"hosts": [("127.0.0.1", 70000)]}, "hosts"),
        ({"hosts": [("127.0.0.1",)]}, "hosts"),
        ({"hosts": HOSTS, "tend_interval": "1000"}, "tend_interval"),
        ({"hosts": HOSTS, "thread_pool_size": 0}, "thread_pool_size"),
        ({"hosts": HOSTS, "max_socket_idle": 86401}, "max_socket_idle"),
        ({"hosts": HOSTS, "max_conns_per_node": 1.5}, "max_conns_per_node"),
        ({"hosts": HOSTS, "use_shared_connection": "yes"}, "use_shared_connection"),
        ({"hosts": HOSTS, "serialization": (1, 2)}, "serialization"),
        ({"hosts": HOSTS, "cluster_name": 5}, "cluster_name"),
        ({"hosts": HOSTS, "shm": {"max_nodes": 0}}, "shm"),
        ({"hosts": HOSTS, "tls": {"enable": "x"}}, "tls.enable"),
        ({"hosts": HOSTS, "lua": {"user_path": 5}}, "lua.user_path"),
        ({"hosts": HOSTS, "policies": {"read": {"total_timeout": "x"}}}, "total_timeout"),
    ],
)
def test_bad_values_raise_param_error_naming_the_key(config: dict, named: str) -> None:
    with pytest.raises(ParamError) as raised:
        aerospike.client(config)
    assert named in raised.value.msg


def test_not_a_dict() -> None:
    with pytest.raises(ParamError):
        aerospike.client([("127.0.0.1", 3000)])


def test_unknown_keys_warn_on_the_aerospike_logger(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="aerospike"):
        aerospike.client({"hosts": HOSTS, "no_such_option": 1})
    assert any("no_such_option" in record.getMessage() for record in caplog.records)
    assert all(record.name == "aerospike" for record in caplog.records)


def test_client_is_not_connected_until_connect() -> None:
    client = aerospike.client({"hosts": HOSTS})
    assert not client.is_connected()
    with pytest.raises(aerospike.exception.ClusterError):
        client.get(("test", "demo", 1))
    client.close()  # closing an unconnected client is harmless
