"""Info requests as the official client 3.0.0 (C client 4.3.1) sends them and reads their answers.

Owns: the text of a reply as the server sent it, the rule that turns a reply into an error (``ERROR:`` at the start
or after a tab, ``FAIL:`` or a UDF ``error=`` after a tab, with the UDF message decoded from base64), the info
policy's ``send_as_is`` rewrite, and sending one command to one node, to the first node that answers it
(``aerospike_info_any``), or to a host outside the cluster. Must not know what a command means.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import socket
from typing import Any, Optional

from . import exception

__all__ = [
    "command_text",
    "host_address",
    "info_any",
    "info_host",
    "info_node",
    "raise_for_reply",
    "reply_error",
    "reply_text",
    "reply_value",
]

_SERVER_ERROR = 1  # AEROSPIKE_ERR_SERVER: an error reply without a usable code
_UDF_ERROR = 100  # AEROSPIKE_ERR_UDF: an `error=` reply
# aerospike_info_any stops at the first node answering one of these; any other failure tries the next node.
_FINAL_CODES = (0, exception.TimeoutError.code, exception.IndexFoundError.code, exception.IndexNotFound.code)
_LEADING_INT = re.compile(r"\s*([+-]?\d+)")


def command_text(command: str, policy: Any) -> str:
    """The command as sent: with ``send_as_is`` False the C client turns ``;``, ``:`` and ``,`` into newlines."""
    if not getattr(policy, "send_as_is", True):
        command = command.replace(";", "\n").replace(":", "\n").replace(",", "\n")
    # The C client adds the final newline only when the command lacks one; our encoder always adds one.
    return command[:-1] if command.endswith("\n") else command


def reply_text(reply: dict[str, str]) -> str:
    """The reply body as the server sent it (``name<TAB>value`` lines), rebuilt from the parsed lines."""
    return "".join(f"{name}\t{value}\n" for name, value in reply.items())


def reply_value(reply: dict[str, str]) -> str:
    """What 3.0.0's info/info_all report for a node: the reply text after its first tab."""
    raw = reply_text(reply)
    _, tab, rest = raw.partition("\t")
    return rest if tab else raw


def _atoi(text: str) -> int:
    match = _LEADING_INT.match(text)
    return int(match.group(1)) if match else 0


def _parse_error(text: str) -> tuple[int, str]:
    # [<code>][:<message>] ended by a tab, else by a newline.
    end = text.find("\t")
    if end < 0:
        end = text.find("\n")
    if end >= 0:
        text = text[:end]
    code_text, colon, message = text.partition(":")
    if not colon:
        return _SERVER_ERROR, text
    return _atoi(code_text) or _SERVER_ERROR, message


def _udf_error_message(text: str) -> str:
    # <error>;file=<file>;line=<line>;message=<base64>\n: the base64 message is decoded in place (its last
    # character, the newline, is left out); an invalid one leaves the text as it was.
    at = text.find("message=")
    if at < 0:
        return text
    start = at + len("message=")
    encoded = text[start:-1] if len(text) > start else ""
    try:
        decoded = base64.b64decode(encoded.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return text
    return text[:start] + decoded.decode("utf-8", "replace").split("\0", 1)[0]


def reply_error(raw: str) -> Optional[tuple[int, str]]:
    """(code, message) when a reply reports an error, the way the C client reads it; else None."""
    if raw.startswith("ERROR:"):
        return _parse_error(raw[6:])
    position = raw.find("\t")
    while position >= 0:
        rest = raw[position + 1 :]
        if rest.startswith("ERROR:"):
            return _parse_error(rest[6:])
        if rest.startswith("FAIL:"):
            return _parse_error(rest[5:])
        if rest.startswith("error="):
            return _UDF_ERROR, _udf_error_message(rest)
        position = raw.find("\t", position + 1)
    return None


def raise_for_reply(raw: str, suffix: str = "") -> None:
    """Raise the error a reply reports (its message followed by `suffix`), if any."""
    error = reply_error(raw)
    if error is not None:
        code, message = error
        raise exception.error_for_code(code, message + suffix)


def _timeout(policy: Any) -> Optional[float]:
    milliseconds = getattr(policy, "timeout", 0)
    return milliseconds / 1000.0 if milliseconds else None


def info_node(node: Any, command: str, policy: Any) -> str:
    """One command to one cluster node: the raw reply text; raises the error the reply reports."""
    text = command_text(command, policy)
    raw = reply_text(node.info([text] if text else [], _timeout(policy)))
    raise_for_reply(raw)
    return raw


def info_any(cluster: Any, command: str, policy: Any) -> str:
    """``aerospike_info_any``: ask the nodes in turn until one answers, or fails with a final error."""
    last: Optional[exception.AerospikeError] = None
    for node in cluster.nodes():
        try:
            return info_node(node, command, policy)
        except exception.AerospikeError as error:
            if error.code in _FINAL_CODES:
                raise
            last = error
    if last is not None:
        raise last
    raise exception.ClusterError(exception.ClusterError.code, "Cluster is empty")


def host_address(host: str, port: int) -> str:
    """The ``ip:port`` (``[ip]:port`` for IPv6) the C client names a host by once it has resolved it."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.ip_address(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4][0])
        except (OSError, IndexError, ValueError):
            return f"{host}:{port}"
    return f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"


def info_host(cluster: Any, host: str, port: int, tls_name: Optional[str], command: str, policy: Any) -> str:
    """``aerospike_info_host``: one command to any host, in the cluster or not, on a connection of its own.

    The raw reply text; an error the reply reports gets the host's address appended, as the C client does.
    """
    name = host_address(host, port)
    timeout = _timeout(policy)
    text = command_text(command, policy)
    node = _cluster_node(cluster, host, port, name)
    try:
        if node is not None:
            reply = node.info([text] if text else [], timeout)
        else:
            reply = _one_off(cluster, host, port, tls_name, text, timeout)
    except exception.ConnectionError as error:
        raise exception.ConnectionError(exception.ConnectionError.code, f"Socket write error: 111, {name}") from error
    raw = reply_text(reply)
    raise_for_reply(raw, f", {name}")
    return raw


def _cluster_node(cluster: Any, host: str, port: int, name: str) -> Any:
    for node in cluster.nodes():
        if node.port == port and (host in (node.host, node.address) or name == node.address):
            return node
    return None


def _one_off(
    cluster: Any, host: str, port: int, tls_name: Optional[str], text: str, timeout: Optional[float]
) -> dict[str, str]:
    connection = cluster.tender._open(host, port, tls_name)
    try:
        return connection.info([text] if text else [], timeout)
    finally:
        connection.close()
