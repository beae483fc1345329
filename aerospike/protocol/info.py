"""Info protocol messages: text commands and `name<TAB>value` reply lines.

Owns: encoding info requests and replies and parsing both. Must not know sockets or what a command means.
"""

from __future__ import annotations

from typing import Iterable

from .constants import PROTO_TYPE_INFO
from .errors import ProtocolError
from .frame import pack_header


def encode_info_request(commands: Iterable[str]) -> bytes:
    """A whole info frame asking `commands`, each ended by a newline (an empty list asks the defaults)."""
    body = "".join(command + "\n" for command in commands).encode("utf-8")
    return pack_header(PROTO_TYPE_INFO, len(body)) + body


def parse_info_request(body: bytes) -> list[str]:
    """The commands of an info request body, in order (empty lines dropped)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError("info request is not UTF-8") from error
    return [line for line in text.split("\n") if line]


def encode_info_reply(pairs: Iterable[tuple[str, str]]) -> bytes:
    """A whole info reply frame with one `name<TAB>value` line per pair."""
    body = "".join(f"{name}\t{value}\n" for name, value in pairs).encode("utf-8")
    return pack_header(PROTO_TYPE_INFO, len(body)) + body


def parse_info_reply(body: bytes) -> dict[str, str]:
    """Map each command of an info reply to its value, in reply order.

    A line without a tab (a server answers some commands that way) maps the whole line to ''.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    result: dict[str, str] = {}
    for line in text.split("\n"):
        if not line:
            continue
        name, _, value = line.partition("\t")
        result[name] = value
    return result


def parse_info_error(value: str) -> tuple[int, str] | None:
    """(code, message) when an info value is an `ERROR:<code>:<message>` answer, else None."""
    if not value.startswith(("ERROR:", "error:")):  # not "error=..." (udf-get's key=value answer)
        return None
    parts = value.split(":", 2)
    code = 1
    if len(parts) > 1:
        try:
            code = int(parts[1])
        except ValueError:
            code = 1
    message = parts[2] if len(parts) > 2 else value
    return code, message
