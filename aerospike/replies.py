"""Multi-record replies decoded straight from their frame bodies: batch reads, for now.

Owns: walking the messages of one reply frame with every length bounded (as decode_message bounds it) and
turning each record into its result without a Message or Op object per record: bins come from
ValueCodec.bins_at, the remaining ttl from one clock read per frame. Must not know sockets or the retry loop:
command.execute_stream_frames hands the frames over, and what a callback returns is its FRAME_* answer.
"""

from __future__ import annotations

from time import time
from typing import Any, Callable, Optional, Sequence

from . import exception
from .protocol.constants import (
    CITRUSLEAF_EPOCH,
    INFO3_LAST,
    MSG_HEADER_SIZE,
    RESULT_FILTERED_OUT,
    RESULT_KEY_NOT_FOUND,
    RESULT_OK,
)
from .protocol.errors import ProtocolError
from .protocol.message import read_ops, skip_fields, unpack_message_header
from .values import ValueCodec

__all__ = ["batch_frame_reader"]

NEVER_EXPIRES = 0xFFFFFFFF  # the ttl the official client reports for a record that never expires
_MORE, _END, _STOP = 0, 1, 2  # command.FRAME_MORE / FRAME_END / FRAME_STOP


def batch_frame_reader(
    keys: Sequence[Any],
    results: list,
    wanted: Any,
    codec: ValueCodec,
    with_bins: bool,
    node_name: str,
) -> Callable[[bytes], int]:
    """The on_frame callback of one node's batch-index read (get_many, exists_many, select_many).

    Each record message names its key by its index in the call (transaction_ttl); its result lands in
    ``results[index]`` as batch.py's record shape: ``(key, meta, bins)``, or ``(key, meta)`` without bins; a
    missing (or filtered-out) record has None meta (and bins). `keys` holds the Key of each index and `wanted`
    the indexes this node was sent. A record error raises the server's error; the LAST message ends the reply,
    and raises when its code is other than OK or not-found.
    """

    def on_frame(body: bytes) -> int:
        end = len(body)
        offset = 0
        now = int(time() - CITRUSLEAF_EPOCH)  # one clock read per frame, not per record
        while offset < end:
            if offset + MSG_HEADER_SIZE > end:
                raise ProtocolError("truncated message header")
            header_size, _, _, info3, _, code, generation, void_time, index, n_fields, n_ops = unpack_message_header(
                body, offset
            )
            if header_size != MSG_HEADER_SIZE:
                raise ProtocolError(f"message header size {header_size}, expected {MSG_HEADER_SIZE}")
            offset += MSG_HEADER_SIZE
            if n_fields:
                offset = skip_fields(body, offset, n_fields, end)
            if info3 & INFO3_LAST or code or not with_bins:
                bins: Optional[dict] = None
                if n_ops:
                    offset = read_ops(body, offset, n_ops, end)[1]  # bounded; no values to give
                if info3 & INFO3_LAST:
                    if code not in (RESULT_OK, RESULT_KEY_NOT_FOUND):
                        raise exception.error_for_code(code)
                    return _END if offset == end else _STOP
            else:
                bins, offset = codec.bins_at(body, offset, n_ops, end)
            if index not in wanted:
                if code:
                    raise exception.error_for_code(code)
                raise exception.ClientError(f"batch reply for unknown key index {index} from {node_name}")
            key = keys[index]
            key_tuple = (key.namespace, key.set_name, key.user_key, bytearray(key.digest))
            if code == RESULT_OK:
                meta = {
                    "ttl": NEVER_EXPIRES if void_time == 0 else (void_time - now if void_time > now else 1),
                    "gen": generation,
                }
                results[index] = (key_tuple, meta, bins) if with_bins else (key_tuple, meta)
            elif code == RESULT_KEY_NOT_FOUND or code == RESULT_FILTERED_OUT:
                results[index] = (key_tuple, None, None) if with_bins else (key_tuple, None)
            else:
                raise exception.error_for_code(code)
        return _MORE

    return on_frame
