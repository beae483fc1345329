"""TLS between the client and the local cluster: names, trust, blacklists, CRLs, mutual TLS, protocols."""

from __future__ import annotations

import logging
import socket
import ssl
import subprocess
import sys
import time
from typing import Any, Callable

import pytest

import aerospike
from aerospike import exception
from aerospike.testing import LocalCluster
from aerospike.tls import parse_protocols
from tests.fixtures.tls import TLS_NAME, TlsMaterial

KEY = ("test", "tls", "k1")


def _client(cluster: LocalCluster, tls: dict[str, Any], tls_name: str | None = TLS_NAME) -> Any:
    hosts = [(host, port, tls_name) if tls_name is not None else (host, port) for host, port in cluster.hosts]
    return aerospike.client({"hosts": hosts, "tls": {"enable": True, **tls}, "connect_timeout": 2000})


def _tls_cluster(local_cluster: Callable[..., LocalCluster], certfile: str, **tls: str) -> LocalCluster:
    return local_cluster(nodes=2, replication_factor=2, tls={"certfile": certfile, "name": TLS_NAME, **tls})


def test_good_certificate_connects_and_commands_run(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial
) -> None:
    cluster = _tls_cluster(local_cluster, tls_material.server_pem)
    client = _client(cluster, {"cafile": tls_material.ca}).connect()
    try:
        assert len(client.get_nodes()) == 2  # the second node was found through peers-tls-std
        client.put(KEY, {"a": 1})
        assert client.get(KEY)[2] == {"a": 1}
    finally:
        client.close()


def test_tls_default_socket_idle_is_55_seconds(tls_material: TlsMaterial) -> None:
    client = aerospike.client(
        {"hosts": [("127.0.0.1", 3000)], "tls": {"enable": True, "cafile": tls_material.ca}}
    )
    assert client._config.max_socket_idle == 55
    plain = aerospike.client({"hosts": [("127.0.0.1", 3000)]})
    assert plain._config.max_socket_idle == 0


def test_plain_client_cannot_talk_to_a_tls_node(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial
) -> None:
    cluster = _tls_cluster(local_cluster, tls_material.server_pem)
    client = aerospike.client({"hosts": cluster.hosts, "connect_timeout": 1000})
    with pytest.raises(exception.AerospikeError):
        client.connect()


def test_wrong_tls_name_is_refused(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial
) -> None:
    cluster = _tls_cluster(local_cluster, tls_material.server_pem)
    with pytest.raises(exception.TLSError) as raised:
        _client(cluster, {"cafile": tls_material.ca}, tls_name="other.test").connect()
    assert "other.test" in str(raised.value.msg)
    assert "certificate verify failed" in str(raised.value.msg)


def test_untrusted_ca_is_refused(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial
) -> None:
    cluster = _tls_cluster(local_cluster, tls_material.untrusted_pem)
    with pytest.raises(exception.TLSError) as raised:
        _client(cluster, {"cafile": tls_material.ca}).connect()
    assert "certificate verify failed" in str(raised.value.msg)


def test_blacklisted_serial_is_refused(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial
) -> None:
    cluster = _tls_cluster(local_cluster, tls_material.server_pem)
    with pytest.raises(exception.TLSError) as raised:
        _client(cluster, {"cafile": tls_material.ca, "cert_blacklist": tls_material.blacklist}).connect()
    assert "blacklisted" in str(raised.value.msg)
    assert tls_material.server_serial.lstrip("0") in str(raised.value.msg)
    # A blacklist naming other certificates (serial + issuer form) lets the good certificate through.
    client = _client(
        cluster, {"cafile": tls_material.ca, "cert_blacklist": tls_material.blacklist_other}
    ).connect()
    client.close()


def test_blacklist_by_serial_and_issuer(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial, tmp_path: Any
) -> None:
    cluster = _tls_cluster(local_cluster, tls_material.server_pem)
    matching = tmp_path / "issuer.txt"
    matching.write_text(f"{tls_material.server_serial} {tls_material.server_issuer}\n")
    with pytest.raises(exception.TLSError):
        _client(cluster, {"cafile": tls_material.ca, "cert_blacklist": str(matching)}).connect()
    other_issuer = tmp_path / "other_issuer.txt"
    other_issuer.write_text(f"{tls_material.server_serial} /O=Someone Else/CN=Another CA\n")
    _client(cluster, {"cafile": tls_material.ca, "cert_blacklist": str(other_issuer)}).connect().close()


def test_revoked_certificate_is_refused_with_crl_check(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial
) -> None:
    revoked = _tls_cluster(local_cluster, tls_material.revoked_pem)
    with pytest.raises(exception.TLSError) as raised:
        _client(revoked, {"cafile": tls_material.ca_with_crl, "crl_check": True}).connect()
    assert "revoked" in str(raised.value.msg)
    with pytest.raises(exception.TLSError):
        _client(revoked, {"cafile": tls_material.ca_with_crl, "crl_check_all": True}).connect()
    # Without CRL checking the revoked certificate is accepted; with it, a good certificate is.
    _client(revoked, {"cafile": tls_material.ca_with_crl}).connect().close()
    good = _tls_cluster(local_cluster, tls_material.server_pem)
    _client(good, {"cafile": tls_material.ca_with_crl, "crl_check": True}).connect().close()


def test_crl_check_without_a_crl_fails(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial
) -> None:
    cluster = _tls_cluster(local_cluster, tls_material.server_pem)
    with pytest.raises(exception.TLSError) as raised:
        _client(cluster, {"cafile": tls_material.ca, "crl_check": True}).connect()
    assert "CRL" in str(raised.value.msg)


def test_mutual_tls_with_and_without_a_client_certificate(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial
) -> None:
    cluster = _tls_cluster(local_cluster, tls_material.server_pem, cafile=tls_material.ca)
    client = _client(cluster, {"cafile": tls_material.ca, "certfile": tls_material.client_pem}).connect()
    try:
        client.put(KEY, {"m": 1})
        assert client.get(KEY)[2] == {"m": 1}
    finally:
        client.close()
    with pytest.raises(exception.AerospikeError):
        _client(cluster, {"cafile": tls_material.ca}).connect()
    with pytest.raises(exception.AerospikeError):
        _client(cluster, {"cafile": tls_material.ca, "certfile": tls_material.client_untrusted_pem}).connect()


def test_protocols_are_enforced(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial
) -> None:
    cluster = _tls_cluster(local_cluster, tls_material.server_pem)
    _client(cluster, {"cafile": tls_material.ca, "protocols": "-all +TLSv1.3"}).connect().close()
    with pytest.raises(exception.TLSError):
        # The server offers nothing older than TLS 1.2 (Python's default minimum).
        _client(cluster, {"cafile": tls_material.ca, "protocols": "TLSv1.1"}).connect()


def test_cipher_suite_and_session_logging(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial, caplog: pytest.LogCaptureFixture
) -> None:
    cluster = _tls_cluster(local_cluster, tls_material.server_pem)
    with caplog.at_level(logging.INFO, logger="aerospike.connection"):
        client = _client(
            cluster,
            {"cafile": tls_material.ca, "cipher_suite": "ECDHE+AESGCM", "log_session_info": True},
        ).connect()
        client.close()
    sessions = [record.getMessage() for record in caplog.records if "TLS session" in record.getMessage()]
    assert sessions and all("TLSv1.2" in line and "GCM" in line for line in sessions)
    with pytest.raises(exception.TLSError):
        _client(cluster, {"cafile": tls_material.ca, "cipher_suite": "NO-SUCH-CIPHER"}).connect()


def test_parse_protocols() -> None:
    assert parse_protocols(None) == (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2)
    assert parse_protocols("all -TLSv1 -TLSv1.1") == (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3)
    assert parse_protocols("+TLSv1.2 +TLSv1.3") == (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3)
    for bad in ("-all", "TLSv9", "TLSv1.1 TLSv1.3"):
        with pytest.raises(exception.TLSError):
            parse_protocols(bad)


def test_security_over_tls(local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial) -> None:
    cluster = local_cluster(
        nodes=2, security=True, tls={"certfile": tls_material.server_pem, "name": TLS_NAME}
    )
    client = _client(cluster, {"cafile": tls_material.ca}).connect("admin", "admin")
    try:
        assert client.admin_query_user("admin") == ["user-admin"]
    finally:
        client.close()


def test_a_stalled_handshake_holds_up_no_one(
    local_cluster: Callable[..., LocalCluster], tls_material: TlsMaterial
) -> None:
    cluster = _tls_cluster(local_cluster, tls_material.server_pem)
    silent = socket.create_connection(cluster.hosts[0])  # connects and never says hello
    try:
        started = time.monotonic()
        _client(cluster, {"cafile": tls_material.ca}).connect().close()
        assert time.monotonic() - started < 5
    finally:
        silent.close()


def test_command_line_tls_cluster(tls_material: TlsMaterial) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aerospike.testing",
            "--port",
            "0",
            "--security",
            "--tls-cert",
            tls_material.server_pem,
            "--tls-name",
            TLS_NAME,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        host, _, port = process.stdout.readline().strip().rpartition(":")
        assert process.stdout.readline().strip() == "ready"
        client = aerospike.client(
            {"hosts": [(host, int(port), TLS_NAME)], "tls": {"enable": True, "cafile": tls_material.ca}}
        ).connect("admin", "admin")
        assert "admin" in client.admin_query_users()
        client.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
