"""Loads the recorded wire exchanges (official client 19.3.0 requests, server 8.1.2.0 replies).

The recorded files are kept in the repository (`tests/data/transcripts`, copied from the shared corpus with its
README), so a fresh clone runs every test. AEROSPIKE_TRANSCRIPTS points the tests at another copy.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Iterator, NamedTuple, Optional

import pytest

from aerospike.protocol.message import Message, decode_message

REPO = Path(__file__).resolve().parents[2]


class Exchange(NamedTuple):
    """One client frame and the server frames that answered it."""

    step: str
    note: str
    call: int
    conn: int
    server_port: int
    role: str
    request: bytes
    replies: list[bytes]


def transcripts_dir() -> Optional[Path]:
    """The transcripts folder, or None when it cannot be found."""
    override = os.environ.get("AEROSPIKE_TRANSCRIPTS")
    candidates = [Path(override)] if override else []
    candidates += [REPO / "tests" / "data" / "transcripts", REPO.parent / "shared" / "transcripts"]
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("*.jsonl")):
            return candidate
    return None


def require_transcripts() -> Path:
    """The transcripts folder; skips the calling test when it is missing."""
    folder = transcripts_dir()
    if folder is None:
        pytest.skip("wire transcripts not found (set AEROSPIKE_TRANSCRIPTS)")
    return folder


def load(step: str) -> list[Exchange]:
    """Every exchange of one scenario step, e.g. load("03-single-record")."""
    path = require_transcripts() / f"{step}.jsonl"
    exchanges = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                exchanges.append(
                    Exchange(
                        step=record["step"],
                        note=record["note"],
                        call=record["call"],
                        conn=record["conn"],
                        server_port=record["server_port"],
                        role=record["role"],
                        request=bytes.fromhex(record["request"]),
                        replies=[bytes.fromhex(reply) for reply in record["replies"]],
                    )
                )
    return exchanges


def iter_all() -> Iterator[Exchange]:
    """Every exchange of every step, in file order."""
    for path in sorted(require_transcripts().glob("*.jsonl")):
        yield from load(path.stem)


_EXCHANGE_SUFFIX = re.compile(r" \[(?:exchange \d+ of \d+ for this call|the client closed[^\]]*|the server closed[^\]]*)\]")


def split_note(note: str) -> tuple[str, str]:
    """(source, result_repr) of a note: the Python that ran and the repr of what it returned."""
    source, separator, result = note.partition(" -> ")
    if not separator:
        return note, ""
    return source, _EXCHANGE_SUFFIX.sub("", result).strip()


def find(step: str, source_fragment: str) -> Exchange:
    """The first exchange of `step` whose note's source contains `source_fragment`."""
    for exchange in load(step):
        if source_fragment in split_note(exchange.note)[0]:
            return exchange
    raise LookupError(f"no exchange in {step} runs {source_fragment!r}")


def messages(frame: bytes) -> list[Message]:
    """The messages of a whole type-3 frame (header included)."""
    if len(frame) < 8 or frame[1] != 3:
        raise ValueError("not a message frame")
    body = frame[8:]
    found = []
    offset = 0
    while offset < len(body):
        message, offset = decode_message(body, offset)
        found.append(message)
    return found
