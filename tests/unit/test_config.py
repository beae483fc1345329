"""The config dict of aerospike.client(): parsing, defaults, errors naming the key, warnings for unknown keys."""

from __future__ import annotations

import logging

import pytest

import aerospike
from aerospike.config import LuaConfig, TlsConfig, parse_config
from aerospike.exception import ParamError

HOSTS = [("127.0.0.1", 3000)]


def test_defaults() -> None:
    config = parse_config({"hosts": HOSTS})
    assert config.hosts == (("127.0.0.1", 3000, None),)
    assert config.tend_interval == 1000 and config.thread_pool_size == 16
    assert config.max_socket_idle == 0 and config.shm is None and config.shm_key() is None
    assert config.use_shared_connection is False
    assert config.lua.system_path == "/usr/local/aerospike/lua" and config.lua.user_path == "./"
    assert config.strict_types is True and config.conn_timeout == 1000
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
    assert parse_config({"hosts": HOSTS}).shm_key() is None
    with pytest.raises(aerospike.exception.ClusterError):  # 3.0.0: no key before connect
        aerospike.client({"hosts": HOSTS, "shm": {}}).shm_key()


# What 3.0.0's constructor refuses: (config, ParamError message).
REFUSED = [
    ({}, "Hosts must be a list"),
    ({"hosts": []}, "Hosts must not be empty"),
    ({"hosts": "127.0.0.1:3000"}, "Hosts must be a list"),
    ({"hosts": (("127.0.0.1", 3000),)}, "Hosts must be a list"),
    ({"hosts": [("127.0.0.1",)]}, "Invalid host"),
    ({"hosts": [["127.0.0.1", 3000]]}, "Invalid host"),
    ({"hosts": [(5, 3000)]}, "Invalid host"),
    ({"hosts": HOSTS, "serialization": (1, None)}, "Serializer must be callable"),
    ({"hosts": HOSTS, "serialization": (None, 2)}, "Deserializer must be callable"),
    ({"hosts": HOSTS, "lua": {"user_path": "u" * 256}}, "Lua user path too long"),
    ({"hosts": HOSTS, "lua": {"system_path": "s" * 256}}, "Lua system path too long"),
    ({"hosts": HOSTS, "policies": {"read": {"total_timeout": "x"}}}, "Invalid Policy setting value"),
    ({"hosts": HOSTS, "policies": {"read": 5}}, "Invalid Policy setting value"),
    ({"hosts": HOSTS, "compression_threshold": -1}, "Compression value must not be negative"),
]


@pytest.mark.parametrize(("config", "message"), REFUSED)
def test_refused_values_raise_3_0_0_param_errors(config: dict, message: str) -> None:
    with pytest.raises(ParamError) as raised:
        aerospike.client(config)
    assert (raised.value.code, raised.value.msg) == (-2, message)


# Values 3.0.0 reads past (the key keeps its default): (config, attribute, default).
IGNORED = [
    ({"hosts": HOSTS, "tend_interval": "1000"}, "tend_interval", 1000),
    ({"hosts": HOSTS, "max_socket_idle": -1}, "max_socket_idle", 0),
    ({"hosts": HOSTS, "max_conns_per_node": 1.5}, "max_conns_per_node", 300),
    ({"hosts": HOSTS, "cluster_name": 5}, "cluster_name", None),
    ({"hosts": HOSTS, "serialization": [repr, eval]}, "serializer", None),
    ({"hosts": HOSTS, "lua": {"user_path": 5}}, "lua", LuaConfig()),
    ({"hosts": HOSTS, "tls": "yes"}, "tls", TlsConfig()),
    ({"hosts": HOSTS, "shm": None}, "shm", None),
    ({"hosts": HOSTS, "batch_direct": 1}, "batch_direct", False),
    ({"hosts": HOSTS, "strict_types": 0}, "strict_types", True),
]


@pytest.mark.parametrize(("config", "attribute", "default"), IGNORED)
def test_ill_typed_values_are_ignored_as_3_0_0_did(config: dict, attribute: str, default: object) -> None:
    assert getattr(parse_config(config), attribute) == default


def test_not_a_dict() -> None:
    with pytest.raises(ParamError) as raised:
        aerospike.client([("127.0.0.1", 3000)])
    assert raised.value.msg == "Config must be a dict"


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
