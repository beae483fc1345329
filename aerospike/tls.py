"""TLS for client connections: the SSL context built from the spec's `tls` config, and the checks OpenSSL does
not make for us (certificate blacklist, session logging).

Imported only when a config enables TLS: `ssl` costs several milliseconds to import, and most programs connect
without it.
"""

from __future__ import annotations

import ssl
from typing import Any, Mapping, Optional

from . import exception
from ._log import get_logger

log = get_logger("aerospike.connection")

DEFAULT_TLS_PROTOCOLS = "-all +TLSv1.2"  # the spec's default for the `protocols` key
_TLS_VERSIONS = {
    "SSLv3": ssl.TLSVersion.SSLv3,
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
_TLS_ORDER = ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
_TLS_ALL = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")  # Apache's "all" (SSLv3 must be named)
# getpeercert()'s attribute names to the short names OpenSSL's one-line issuer format (blacklist files) uses.
_SHORT_NAMES = {
    "countryName": "C",
    "stateOrProvinceName": "ST",
    "localityName": "L",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "commonName": "CN",
    "emailAddress": "emailAddress",
    "domainComponent": "DC",
    "serialNumber": "serialNumber",
}


def tls_error(message: str) -> exception.AerospikeError:
    return exception.TLSError(exception.TLSError.code, message)


def parse_protocols(spec: Optional[str]) -> tuple[ssl.TLSVersion, ssl.TLSVersion]:
    """(minimum, maximum) TLS version from an Apache SSLProtocol string such as "-all +TLSv1.2"."""
    text = DEFAULT_TLS_PROTOCOLS if spec is None or not spec.strip() else spec
    enabled: set[str] = set()
    for token in text.split():
        sign = token[0] if token[0] in "+-" else ""
        name = token[1:] if sign else token
        names = _TLS_ALL if name.lower() == "all" else (name,)
        for version in names:
            if version not in _TLS_VERSIONS:
                raise tls_error(f"TLS protocols {text!r}: unknown protocol {name!r}")
            if sign == "-":
                enabled.discard(version)
            else:
                enabled.add(version)
    if not enabled:
        raise tls_error(f"TLS protocols {text!r} enable no protocol")
    positions = sorted(_TLS_ORDER.index(version) for version in enabled)
    if positions != list(range(positions[0], positions[-1] + 1)):
        raise tls_error(f"TLS protocols {text!r}: enabled protocols must be a contiguous range")
    return _TLS_VERSIONS[_TLS_ORDER[positions[0]]], _TLS_VERSIONS[_TLS_ORDER[positions[-1]]]


def _normal_serial(text: str) -> str:
    return text.strip().upper().lstrip("0") or "0"


def read_blacklist(path: str) -> frozenset[tuple[str, Optional[str]]]:
    """(serial, issuer or None) entries of a certificate blacklist file: `SERIAL_HEX [/C=../CN=..]` per line."""
    entries = set()
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                serial, _, issuer = line.partition(" ")
                try:
                    int(serial, 16)
                except ValueError:
                    raise tls_error(f"cert_blacklist {path}: bad serial number {serial!r}") from None
                entries.add((_normal_serial(serial), issuer.strip() or None))
    except OSError as error:
        raise tls_error(f"cert_blacklist {path}: {error.strerror or error}") from None
    return frozenset(entries)


def _issuer_line(certificate: Mapping[str, Any]) -> str:
    parts = []
    for rdn in certificate.get("issuer", ()):
        for name, value in rdn:
            parts.append(f"/{_SHORT_NAMES.get(name, name)}={value}")
    return "".join(parts)


class TlsContext(ssl.SSLContext):
    """The client's SSLContext plus what OpenSSL does not check for us: the certificate blacklist, and whether
    to log each session's protocol and cipher."""

    blacklist: frozenset[tuple[str, Optional[str]]] = frozenset()
    log_session_info: bool = False

    def check_peer(self, sock: ssl.SSLSocket, address: str) -> None:
        """Refuse a server certificate on the blacklist (by serial, or by serial and issuer)."""
        if self.log_session_info:
            log.info("TLS session with %s: %s %s", address, sock.version(), (sock.cipher() or ("?",))[0])
        if not self.blacklist:
            return
        certificate = sock.getpeercert()
        if not certificate:
            raise tls_error(f"TLS with {address}: the server presented no certificate")
        serial = _normal_serial(str(certificate.get("serialNumber", "")))
        issuer = _issuer_line(certificate)
        if (serial, None) in self.blacklist or (serial, issuer) in self.blacklist:
            raise tls_error(f"TLS with {address}: server certificate serial {serial} is blacklisted")


def make_tls_context(tls: Optional[Mapping[str, Any]]) -> Optional[TlsContext]:
    """A client TlsContext from the spec's `tls` config dict, or None when TLS is not enabled."""
    if not tls or not tls.get("enable"):
        return None
    minimum, maximum = parse_protocols(tls.get("protocols"))
    context = TlsContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the certificate and the name (tls-name)
    try:
        context.minimum_version = minimum
        context.maximum_version = maximum
        if tls.get("cafile") or tls.get("capath"):
            context.load_verify_locations(cafile=tls.get("cafile"), capath=tls.get("capath"))
        else:
            context.load_default_certs()
        if tls.get("certfile"):
            context.load_cert_chain(tls["certfile"], tls.get("keyfile"), tls.get("keyfile_pw"))
        elif tls.get("keyfile"):
            raise tls_error("TLS configuration: 'keyfile' needs a 'certfile'")
        if tls.get("cipher_suite"):
            context.set_ciphers(tls["cipher_suite"])
    except (OSError, ssl.SSLError, ValueError) as error:
        raise tls_error(f"TLS configuration: {error}") from None
    if tls.get("crl_check_all"):
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_CHAIN
    elif tls.get("crl_check"):
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    if tls.get("cert_blacklist"):
        context.blacklist = read_blacklist(tls["cert_blacklist"])
    context.log_session_info = bool(tls.get("log_session_info"))
    return context


def _verify_message(error: ssl.SSLError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        return f"certificate verify failed: {error.verify_message}"
    return str(error)




def wrap(context: ssl.SSLContext, sock: Any, host: str, address: str, tls_name: Optional[str]) -> Any:
    """`sock` wrapped in TLS with `context`, the peer checked; a TLS failure raises TLSError naming the peer."""
    import socket

    # ssl wraps socket.socket objects: the plain one of the `_socket` module is converted first.
    timeout = sock.gettimeout()
    sock = socket.socket(sock.family, sock.type, sock.proto, fileno=sock.detach())
    sock.settimeout(timeout)
    try:
        wrapped = context.wrap_socket(sock, server_hostname=tls_name or host)
    except ssl.SSLError as error:
        sock.close()
        name = f" (tls-name {tls_name!r})" if tls_name else ""
        raise exception.TLSError(
            exception.TLSError.code, f"TLS with {address}{name} failed: {_verify_message(error)}"
        ) from None
    if isinstance(context, TlsContext):
        try:
            context.check_peer(wrapped, address)
        except BaseException:
            wrapped.close()
            raise
    return wrapped
