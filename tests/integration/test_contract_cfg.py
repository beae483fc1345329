"""The 3.0.0 contract of connect, close, is_connected, shm_key, get_key_digest and of server errors, against a
node: what 3.0.0 (C client 4.3.1) returns and raises."""

from __future__ import annotations

import socket

import pytest

import aerospike
from aerospike import exception

SET = "cfg_contract"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connect_to_nothing_raises_failed_to_connect() -> None:
    client = aerospike.client({"hosts": [("127.0.0.1", _closed_port())], "connect_timeout": 500})
    with pytest.raises(exception.ConnectionError) as raised:
        client.connect()
    assert raised.value.args == (-10, "Failed to connect", None, None)
    assert client.is_connected() is False
    with pytest.raises(exception.ClusterError):
        client.get(("test", SET, 1))


def test_connect_close_and_reconnect(backend) -> None:
    client = aerospike.client({"hosts": backend.hosts})
    assert client.connect() is client
    assert client.connect() is client and client.is_connected() is True  # connecting twice does nothing
    assert client.shm_key() is None
    assert client.close() is None and client.is_connected() is False
    assert client.close() is None
    assert client.connect().is_connected() is True
    client.close()


@pytest.mark.parametrize("credentials", [("user", None), (5, 6), (None, "pw")])
def test_credentials_are_used_only_when_both_are_strings(backend, credentials) -> None:
    client = aerospike.client({"hosts": backend.hosts}).connect(*credentials)
    try:
        assert client.is_connected()
    finally:
        client.close()


def test_get_key_digest_connected(backend) -> None:
    client = aerospike.client({"hosts": backend.hosts}).connect()
    try:
        assert client.get_key_digest("test", SET, 1) == aerospike.calc_digest("test", SET, 1)
        assert client.get_key_digest(ns="test", set=SET, key="k") == aerospike.calc_digest("test", SET, "k")
        with pytest.raises(exception.ParamError) as raised:
            client.get_key_digest("test", SET, bytearray())
        assert raised.value.msg == "Byte array size cannot be 0"
        with pytest.raises(TypeError):
            client.get_key_digest("test", SET, 1.5)
    finally:
        client.close()


def test_server_errors_carry_the_c_client_name_only(backend) -> None:
    client = aerospike.client({"hosts": backend.hosts}).connect()
    try:
        with pytest.raises(exception.RecordNotFound) as raised:
            client.get(("test", SET, "cfg-missing"))
        assert raised.value.args == (2, "AEROSPIKE_ERR_RECORD_NOT_FOUND", None, None)
        code, msg, file, line = raised.value.args
        assert (code, msg) == (raised.value.code, raised.value.msg)
        client.put(("test", SET, "cfg-exists"), {"a": 1})
        with pytest.raises(exception.RecordExistsError) as exists:
            client.put(("test", SET, "cfg-exists"), {"a": 2}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
        assert (exists.value.code, exists.value.msg) == (5, "AEROSPIKE_ERR_RECORD_EXISTS")
        client.remove(("test", SET, "cfg-exists"))
    finally:
        client.close()
