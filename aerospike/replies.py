"""Multi-record replies decoded straight from their frame bodies: batch reads, scans and queries.

Owns: walking the messages of one reply frame with every length bounded (as decode_message bounds it) and
turning each record into its result without a Message or Op object per record: bins come from
ValueCodec.bins_at, the remaining ttl from one clock read per frame. Must not know sockets or the retry loop:
command.execute_stream_frames hands the frames over, and what a callback returns is its FRAME_* answer. The
scan reader follows partition_scan.run_partition_stream's message rules (partition done, stop, tracking).
"""

from __future__ import annotations

from operator import itemgetter
from struct import Struct
from struct import error as struct_error
from time import time
from typing import Any, Callable, Optional, Sequence

from . import exception
from .protocol.constants import (
    CITRUSLEAF_EPOCH,
    FIELD_BVAL_ARRAY,
    FIELD_DIGEST,
    FIELD_KEY,
    FIELD_NAMESPACE,
    FIELD_SET,
    INFO3_LAST,
    INFO3_PARTITION_DONE,
    MSG_HEADER_SIZE,
    PARTICLE_BLOB,
    PARTICLE_FLOAT,
    PARTICLE_INTEGER,
    PARTICLE_STRING,
    RESULT_FILTERED_OUT,
    RESULT_KEY_NOT_FOUND,
    RESULT_OK,
)
from .protocol.errors import ProtocolError
from .protocol.message import (
    decode_message,
    read_ops,
    skip_fields,
    unpack_field_header,
    unpack_message_header,
    unpack_op_header,
)
from .protocol.particles import decode_value
from .values import ValueCodec

__all__ = ["batch_frame_reader", "scan_frame_reader"]

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

    Found records laid out as one before them (same bin names, types and sizes: _RecordShape, learned with the
    key's index as a value) are decoded with one ``unpack_from`` each; anything else field by field.
    """

    shape: Optional[_RecordShape] = None
    learns_left = _SHAPE_LEARNS if with_bins else 0
    shape_hits = 0
    plain_blobs = codec.plain_blobs()

    def on_frame(body: bytes) -> int:
        nonlocal shape, learns_left, shape_hits
        end = len(body)
        offset = 0
        now = int(time() - CITRUSLEAF_EPOCH)  # one clock read per frame, not per record
        (s_size, s_unpack, s_skeleton_of, s_skeleton, _, _, _, _, _, s_bins, _) = (
            shape.parts() if shape is not None else _NO_SHAPE
        )
        while offset < end:
            if s_size and offset + s_size <= end:
                values = s_unpack(body, offset)
                if s_skeleton_of(values) == s_skeleton:
                    # Laid out as the learned record (an OK record with these bins): one unpack for all of it.
                    shaped = s_bins(values)
                    if shaped is not None:
                        index = values[3]
                        if index not in wanted:
                            raise exception.ClientError(f"batch reply for unknown key index {index} from {node_name}")
                        key = keys[index]
                        void_time = values[2]
                        results[index] = (
                            (key.namespace, key.set_name, key.user_key, bytearray(key.digest)),
                            {
                                "ttl": NEVER_EXPIRES if void_time == 0 else (void_time - now if void_time > now else 1),
                                "gen": values[1],
                            },
                            shaped,
                        )
                        offset += s_size
                        shape_hits += 1
                        continue
                else:
                    if shape_hits < _SHAPE_PAYS_OFF:
                        learns_left -= 1
                    shape = None
                    s_size = 0
            if offset + MSG_HEADER_SIZE > end:
                raise ProtocolError("truncated message header")
            start = offset
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
                if shape is None and learns_left > 0:
                    shape = _learn_shape(body, start, offset, n_fields, n_ops, plain_blobs, True)
                    shape_hits = 0
                    if shape is None:
                        learns_left -= 1
                    else:
                        (s_size, s_unpack, s_skeleton_of, s_skeleton, _, _, _, _, _, s_bins, _) = shape.parts()
            elif code == RESULT_KEY_NOT_FOUND or code == RESULT_FILTERED_OUT:
                results[index] = (key_tuple, None, None) if with_bins else (key_tuple, None)
            else:
                raise exception.error_for_code(code)
        return _MORE

    return on_frame


_PARTITION_MASK = 0x0FFF  # a digest's partition id: its first two bytes, little-endian, masked
_CONTROL = INFO3_PARTITION_DONE | INFO3_LAST
_NAME_CACHE_SIZE = 256  # namespace/set names decoded per reader (a namespace scan meets one per set)


_SHAPE_LEARNS = 16  # record shapes a reader may learn that do not pay off (then it stops trying)
_SHAPE_PAYS_OFF = 64  # records decoded through one shape that make learning the next one free


class _RecordShape:
    """The byte layout of a record message, learned from one record, to decode the next alike ones with one
    ``unpack_from``: a scan's records usually share their namespace, set, bin names, particle types and sizes.

    ``unpack`` reads a whole message; ``skeleton_of`` picks, from what it read, the bytes that fixed the layout
    (header bytes other than generation and void time, each field's size and type, the namespace and set bytes,
    each op's header and bin name): a message whose skeleton equals ``skeleton`` has exactly this layout, so
    its values sit where ``unpack`` put them, bounded by the frame. Generation and void time are items 1 and 2;
    integers and doubles come out as Python values; strings, blobs, the digest and an index value as bytes.
    """

    __slots__ = ("size", "unpack", "skeleton_of", "skeleton", "namespace", "set_name", "digest_index",
                 "key_index", "bval_index", "names", "layout", "bins", "record")

    def __init__(self) -> None:
        self.size = 0
        self.unpack: Callable[[bytes, int], tuple] = _NO_UNPACK
        self.skeleton_of: Callable[[tuple], Any] = itemgetter(0)
        self.skeleton: Any = None
        self.namespace: Optional[str] = None
        self.set_name: Optional[str] = None
        self.digest_index = -1
        self.key_index = -1
        self.bval_index = -1
        self.names: list[str] = []  # every bin, in the record's order
        # (name, item, conversion) per bin in the record's order: _PLAIN (int, float), _TEXT, _BLOB.
        self.layout: list[tuple[str, int, int]] = []
        self.bins: Callable[[tuple], Optional[dict]] = _no_bins  # _bins_builder(layout), once learned
        self.record: Callable[[tuple, int], Optional[tuple]] = _no_record  # a scan shape's _record_builder

    def parts(self) -> tuple:
        """What the reader's loop keeps in locals: size, unpack, skeleton_of, skeleton, namespace, set name,
        digest/key/index-value item (-1: none), the bins builder and the record builder."""
        return (self.size, self.unpack, self.skeleton_of, self.skeleton, self.namespace, self.set_name,
                self.digest_index, self.key_index, self.bval_index, self.bins, self.record)


_PLAIN, _TEXT, _BLOB = 0, 1, 2  # how a shaped bin's unpacked value becomes its value: as is, decoded, bytearray


def _no_bins(values: tuple) -> Optional[dict]:
    return None


def _no_record(values: tuple, now: int) -> Optional[tuple]:
    return None


_NO_UNPACK = Struct("").unpack_from
_NO_SHAPE = _RecordShape().parts()  # size 0: no record is tried against it

# (what, layout, ...) -> its generated builder: a batch reader learns its shape anew at each call, and alike calls
# share one.
_BUILDERS: dict[tuple, Callable[..., Any]] = {}
_BUILDERS_MAX = 256


def _bins_display(layout: tuple[tuple[str, int, int], ...], namespace: dict[str, Any]) -> str:
    """A dict display of a shape's bins from its unpacked `values`, in the record's order as the general path
    gives them; the bin names become values of `namespace`, never source text."""
    items = []
    for position, (name, item, conversion) in enumerate(layout):
        namespace[f"_name{position}"] = name
        value = f"values[{int(item)}]"
        if conversion == _TEXT:
            value = f"_text({value})"  # strict UTF-8, as the general path
        elif conversion == _BLOB:
            value = f"_blob({value})"
        items.append(f"_name{position}: {value}")
    return "{" + ", ".join(items) + "}"


def _generate(cache_key: tuple, arguments: str, result: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """A function of `arguments` returning `result`, or None when a string in it is not UTF-8 (the caller's general
    path then decodes or refuses it as it always has); cached under `cache_key`.

    Generated per layout, it builds a record in one expression where a loop would store each bin. Only item
    indexes (ints) go into its source; the server's text (bin, namespace and set names) is in `namespace`."""
    namespace.update(_text=bytes.decode, _blob=bytearray, UnicodeDecodeError=UnicodeDecodeError)
    source = (
        f"def build({arguments}):\n"
        "    try:\n"
        f"        return {result}\n"
        "    except UnicodeDecodeError:\n"
        "        return None\n"
    )
    exec(compile(source, "<record shape>", "exec"), namespace)  # noqa: S102 - no server text in the source
    builder: Callable[..., Any] = namespace["build"]
    if len(_BUILDERS) >= _BUILDERS_MAX:
        _BUILDERS.clear()
    _BUILDERS[cache_key] = builder
    return builder


def _bins_builder(layout: tuple[tuple[str, int, int], ...]) -> Callable[[tuple], Optional[dict]]:
    """The bins of a record read through a shape, from its unpacked `values` (see _generate)."""
    cache_key = ("bins", layout)
    builder = _BUILDERS.get(cache_key)
    if builder is None:
        namespace: dict[str, Any] = {}
        builder = _generate(cache_key, "values", _bins_display(layout, namespace), namespace)
    return builder


def _record_builder(shape: _RecordShape) -> Callable[[tuple, int], Optional[tuple]]:
    """A scan record ``(key, meta, bins)`` read through `shape`, from its unpacked `values` and the frame's clock
    `now` (see _generate): what the scan reader's general path gives for it."""
    layout = tuple(shape.layout)
    cache_key = ("record", layout, shape.namespace, shape.set_name, shape.key_index, shape.digest_index)
    builder = _BUILDERS.get(cache_key)
    if builder is None:
        namespace: dict[str, Any] = {"_namespace": shape.namespace, "_set": shape.set_name, "_never": NEVER_EXPIRES}
        user_key = f"values[{int(shape.key_index)}]" if shape.key_index >= 0 else "None"
        digest = f"_blob(values[{int(shape.digest_index)}])" if shape.digest_index >= 0 else "_blob()"
        meta = '{"ttl": _never if values[2] == 0 else (values[2] - now if values[2] > now else 1), "gen": values[1]}'
        result = f"((_namespace, _set, {user_key}, {digest}), {meta}, {_bins_display(layout, namespace)})"
        builder = _generate(cache_key, "values, now", result, namespace)
    return builder


def _learn_shape(
    body: bytes, start: int, end: int, n_fields: int, n_ops: int, plain_blobs: bool, with_index: bool = False
) -> Optional[_RecordShape]:
    """The shape of the record message from `start` to `end` (decoded once already, so every length in it is
    in bounds; `with_index`: a batch record, whose transaction ttl is a value), or None when it is not worth
    one: a repeated field or bin, a user key other than an integer, a particle other than integer, double,
    string and (without deserializers) blob.

    The layout alternates runs of bytes that must repeat exactly (read as one ``s`` item each: the skeleton)
    with values (``q``, ``d``, ``s``)."""
    shape = _RecordShape()
    layout: list[str] = []
    constant_indexes: list[int] = []
    run_start = start  # the start of the pending run of constant bytes

    def value(offset: int, code: str) -> int:
        """Close the constant run before `offset`, add a value item; its index in the unpacked tuple."""
        if offset > run_start:
            constant_indexes.append(len(layout))
            layout.append(f"{offset - run_start}s")
        layout.append(code)
        return len(layout) - 1  # every item read is one entry of the tuple: the skipped bytes are not items

    value(start + 6, "I")  # generation (after header size, info1-4 and result code)
    run_start = start + 10
    value(start + 10, "I")  # void time
    run_start = start + 14  # transaction ttl: read with n_fields and n_ops as constant (0 in scan replies)
    if with_index:  # a batch record: its key's index in the call is the transaction ttl (item 3)
        value(start + 14, "I")
        run_start = start + 18
    offset = start + MSG_HEADER_SIZE
    seen_fields: set[int] = set()
    for _ in range(n_fields):
        size, field_type = unpack_field_header(body, offset)
        if field_type in seen_fields:
            return None
        seen_fields.add(field_type)
        data_start = offset + 5
        data_end = offset + 4 + size
        if field_type == FIELD_KEY:
            if size != 10 or body[data_start] != PARTICLE_INTEGER:
                return None
            shape.key_index = value(data_start + 1, "q")
            run_start = data_end
        elif field_type == FIELD_NAMESPACE or field_type == FIELD_SET:
            name = body[data_start:data_end].decode("utf-8")
            if field_type == FIELD_NAMESPACE:
                shape.namespace = name
            else:
                shape.set_name = name
        else:
            index = value(data_start, f"{size - 1}s")
            run_start = data_end
            if field_type == FIELD_DIGEST:
                shape.digest_index = index
            elif field_type == FIELD_BVAL_ARRAY:
                shape.bval_index = index
        offset = data_end
    for _ in range(n_ops):
        size, _op_type, particle_type, _version, name_length = unpack_op_header(body, offset)
        name = body[offset + 8 : offset + 8 + name_length].decode("utf-8")
        value_start = offset + 8 + name_length
        value_size = size - 4 - name_length
        if name in shape.names:
            return None
        shape.names.append(name)
        if particle_type == PARTICLE_INTEGER and value_size == 8:
            shape.layout.append((name, value(value_start, "q"), _PLAIN))
        elif particle_type == PARTICLE_FLOAT and value_size == 8:
            shape.layout.append((name, value(value_start, "d"), _PLAIN))
        elif particle_type == PARTICLE_STRING:
            shape.layout.append((name, value(value_start, f"{value_size}s"), _TEXT))
        elif particle_type == PARTICLE_BLOB and plain_blobs:
            shape.layout.append((name, value(value_start, f"{value_size}s"), _BLOB))
        else:
            return None
        offset += 4 + size
        run_start = offset
    if offset != end:
        return None
    if end > run_start:
        constant_indexes.append(len(layout))
        layout.append(f"{end - run_start}s")
    compiled = Struct(">" + "".join(layout))
    shape.size = compiled.size
    shape.unpack = compiled.unpack_from
    shape.skeleton_of = itemgetter(*constant_indexes)
    shape.skeleton = shape.skeleton_of(compiled.unpack_from(body, start))
    if with_index:
        shape.bins = _bins_builder(tuple(shape.layout))
    else:
        shape.record = _record_builder(shape)
    return shape


def scan_frame_reader(
    tracker: Any,
    assignment: Any,
    stop: Any,
    lock: Any,
    callback: Callable[..., Any],
    codec: ValueCodec,
    nobins: bool,
    with_partition: bool,
    callback_error: Optional[str],
) -> Callable[[bytes], int]:
    """The on_frame callback of one node's scan or query stream (partition_scan's frame_reader).

    Each record becomes the spec's ``(key, meta, bins)`` (bins ``{}`` with nobins) and goes to
    ``callback(record)``, or ``callback(partition_id, record)`` with `with_partition`; False stops every node's
    stream. An exception from the callback stops them too, and becomes ``ClientError(callback_error)`` when
    that message is given (foreach). An accepted record is counted on `assignment` and moves its partition's
    resume point in `tracker`. A partition-done message with an error marks the partition unavailable; the
    LAST message ends the reply (raising when its code is other than OK or not-found); any other record error
    raises (not-found ends the reply). Records of one frame are handed over under `lock`, so the callback is
    never called from two node threads at once. The rules, message for message, are run_partition_stream's
    on_message with query.record_tuple; tests/unit/test_fast_paths.py holds the two to the same results.

    A record laid out as the one before it (same names, types and sizes: see _RecordShape) is decoded with one
    ``unpack_from``; any other record field by field, with its bins from ValueCodec.bins_at.
    """
    from .query import record_tuple  # the general path, for a record whose key part is odd

    partitions = tracker.status.by_id()
    partition_unavailable = tracker.partition_unavailable
    bins_at = codec.bins_at
    names: dict[bytes, str] = {}
    delivered = False  # a message of this reply was seen: a lone first error no longer ends the reply
    client_error = exception.ClientError
    client_error_code = client_error.code
    shape: Optional[_RecordShape] = None
    learns_left = _SHAPE_LEARNS
    shape_hits = 0

    def callback_failed(error: BaseException) -> BaseException:
        """What a raising callback ends every node's stream with: ClientError(callback_error) caused by it when
        that message is given and it is an Exception, else the callback's own exception."""
        stop.stopped = True
        if callback_error is not None and isinstance(error, Exception):
            failure = client_error(client_error_code, callback_error)
            failure.__cause__ = error
            return failure
        return error

    def on_frame(body: bytes) -> int:
        nonlocal delivered, shape, learns_left, shape_hits
        end = len(body)
        offset = 0
        now = int(time() - CITRUSLEAF_EPOCH)  # one clock read per frame, not per record
        received = 0
        (s_size, s_unpack, s_skeleton_of, s_skeleton, _, _, s_digest, _, s_bval, _, s_record) = (
            shape.parts() if shape is not None else _NO_SHAPE
        )
        try:
            with lock:
                while offset < end:
                    if s_size and s_digest >= 0 and not with_partition:
                        # A run of records laid out as the learned one, each straight from one unpack; the
                        # first that is not (or a stop) leaves it to the loop below, which decides what it is.
                        last_partition = -1
                        part = None
                        while offset + s_size <= end and not stop.stopped:
                            values = s_unpack(body, offset)
                            if s_skeleton_of(values) != s_skeleton:
                                break
                            record = s_record(values, now)
                            if record is None:
                                break
                            offset += s_size
                            shape_hits += 1
                            try:
                                go_on = callback(record)
                            except BaseException as error:
                                raise callback_failed(error)
                            if go_on is False:
                                stop.stopped = True
                                return _STOP
                            track_digest = values[s_digest]
                            partition_id = (track_digest[0] | track_digest[1] << 8) & _PARTITION_MASK
                            if partition_id != last_partition:
                                part = partitions.get(partition_id)
                                last_partition = partition_id
                            if part is not None:
                                part.digest = track_digest
                                if s_bval >= 0:
                                    bval = values[s_bval]
                                    if bval and len(bval) == 8:
                                        part.bval = int.from_bytes(bval, "little")
                            received += 1
                        if offset >= end:
                            break
                    record = None
                    if s_size and offset + s_size <= end and not stop.stopped:
                        values = s_unpack(body, offset)
                        if s_skeleton_of(values) == s_skeleton:
                            # Laid out as the learned record: its values straight from the one unpack.
                            record = s_record(values, now)
                            if record is not None:
                                track_digest = values[s_digest] if s_digest >= 0 else None
                                bval = values[s_bval] if s_bval >= 0 else None
                                offset += s_size
                                shape_hits += 1
                        else:
                            if shape_hits < _SHAPE_PAYS_OFF:
                                learns_left -= 1
                            shape = None
                            s_size = 0
                    if record is None:
                        if offset + MSG_HEADER_SIZE > end:
                            raise ProtocolError("truncated message header")
                        start = offset
                        header_size, _, _, info3, _, code, generation, void_time, _, n_fields, n_ops = (
                            unpack_message_header(body, offset)
                        )
                        if header_size != MSG_HEADER_SIZE:
                            raise ProtocolError(f"message header size {header_size}, expected {MSG_HEADER_SIZE}")
                        offset += MSG_HEADER_SIZE
                        first = not delivered
                        delivered = True
                        if code or info3 & _CONTROL or stop.stopped:
                            if n_fields:
                                offset = skip_fields(body, offset, n_fields, end)
                            if n_ops:
                                offset = read_ops(body, offset, n_ops, end)[1]
                            ends_reply = offset == end and bool(info3 & INFO3_LAST or (first and code))
                            if stop.stopped:
                                return _END if ends_reply else _STOP
                            if info3 & INFO3_PARTITION_DONE:
                                if code:
                                    partition_unavailable(assignment, generation)
                                if info3 & INFO3_LAST:
                                    return _END if ends_reply else _STOP
                                continue
                            if info3 & INFO3_LAST:
                                if code not in (RESULT_OK, RESULT_KEY_NOT_FOUND):
                                    raise exception.error_for_code(code)  # 3.0.0: as_error_string(code)
                                return _END if ends_reply else _STOP
                            if code == RESULT_KEY_NOT_FOUND:
                                return _END if ends_reply else _STOP
                            raise exception.error_for_code(code)  # 3.0.0: as_error_string(code)
                        # A record: its fields (bounded), then its bins.
                        namespace: Any = None  # bytes, then the decoded name
                        set_name: Any = None
                        digest = track_digest = key_data = bval = None
                        try:
                            for _ in range(n_fields):
                                size, field_type = unpack_field_header(body, offset)
                                data_end = offset + 4 + size
                                if size < 1 or data_end > end:
                                    raise ProtocolError(f"field size {size} out of bounds")
                                if field_type == FIELD_DIGEST:
                                    digest = body[offset + 5 : data_end]
                                    if track_digest is None:
                                        track_digest = digest
                                elif field_type == FIELD_NAMESPACE:
                                    namespace = body[offset + 5 : data_end]
                                elif field_type == FIELD_SET:
                                    set_name = body[offset + 5 : data_end]
                                elif field_type == FIELD_KEY and size > 1:  # an empty key field is no key
                                    key_data = body[offset + 5 : data_end]
                                elif field_type == FIELD_BVAL_ARRAY and bval is None:
                                    bval = body[offset + 5 : data_end]
                                offset = data_end
                        except struct_error:
                            raise ProtocolError("truncated field header") from None
                        try:
                            if namespace is not None:
                                name = names.get(namespace)
                                if name is None:
                                    name = namespace.decode("utf-8")
                                    if len(names) < _NAME_CACHE_SIZE:
                                        names[namespace] = name
                                namespace = name
                            if set_name is not None:
                                name = names.get(set_name)
                                if name is None:
                                    name = set_name.decode("utf-8")
                                    if len(names) < _NAME_CACHE_SIZE:
                                        names[set_name] = name
                                set_name = name
                            user_key = decode_value(key_data[0], key_data[1:]) if key_data is not None else None
                        except Exception:  # noqa: BLE001 - the general path raises (or decodes) as it always has
                            # Something odd in the key part (a name that is not UTF-8, a key that does not
                            # decode): this message through decode_message and record_tuple, which bound the
                            # whole message first and raise what they always raised.
                            message, offset = decode_message(body, start)
                            record = record_tuple(message, codec, nobins)
                        else:
                            if nobins:
                                if n_ops:
                                    offset = read_ops(body, offset, n_ops, end)[1]
                                bins: dict[str, Any] = {}
                            else:
                                bins, offset = bins_at(body, offset, n_ops, end)
                            record = (
                                (namespace, set_name, user_key, bytearray(digest) if digest is not None else bytearray()),
                                {
                                    "ttl": NEVER_EXPIRES
                                    if void_time == 0
                                    else (void_time - now if void_time > now else 1),
                                    "gen": generation,
                                },
                                bins,
                            )
                            if shape is None and learns_left > 0 and not nobins:
                                shape = _learn_shape(body, start, offset, n_fields, n_ops, codec.plain_blobs())
                                shape_hits = 0
                                if shape is None:
                                    learns_left -= 1
                                else:
                                    (s_size, s_unpack, s_skeleton_of, s_skeleton, _, _, s_digest, _, s_bval, _,
                                     s_record) = shape.parts()
                    if with_partition:
                        pid_source = track_digest or b"\0\0"
                        partition_id = (pid_source[0] | pid_source[1] << 8) & _PARTITION_MASK
                    try:
                        if with_partition:
                            go_on = callback(partition_id, record)
                        else:
                            go_on = callback(record)
                    except BaseException as error:
                        raise callback_failed(error)
                    if go_on is False:
                        stop.stopped = True
                        return _STOP
                    if track_digest is not None:
                        part = partitions.get((track_digest[0] | track_digest[1] << 8) & _PARTITION_MASK)
                        if part is not None:
                            part.digest = track_digest
                            if bval and len(bval) == 8:
                                part.bval = int.from_bytes(bval, "little")
                    received += 1
        finally:
            assignment.records += received
        return _MORE

    return on_frame
