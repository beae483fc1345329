"""Secondary indexes of the local cluster: definitions, their info commands, and query filters (field 22).

Owns: the cluster-wide index definitions (a server keeps them in system metadata, so every node knows every
index), the answers of `sindex-create`, `sindex-delete`, `sindex-list`, `sindex`, `sindex-exists` and
`sindex-stat` as server 8.1.2.0 words them, parsing a query's INDEX_RANGE (22) and INDEX_TYPE (26) fields, finding
the index a filter needs (none: 201), and deciding whether a record matches, with the index value (bval) the
server returns in field 15. There is no index structure: matching evaluates the record's bins at query time,
which gives the same answers. Must not know sockets; imports only the protocol layer.
"""

from __future__ import annotations

import base64
import json
import math
import struct
import threading
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Optional

from aerospike.protocol import cdt
from aerospike.protocol import constants as c
from aerospike.protocol.errors import ProtocolError

from .info import PARAM_NOT_FOUND, PARAM_TOO_LONG, NodeState, info_parameter
from .record_ops import (
    ExpressionError,
    RecordView,
    WireValue,
    expression_value,
    parse_expression,
    s2_leaf_cell,
)

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import LocalCluster
    from .store import NamespaceStore

KEY_TYPES = {"NUMERIC": "numeric", "STRING": "string", "GEO2DSPHERE": "geo2dsphere", "BLOB": "blob"}
INDEX_TYPES = {"DEFAULT": "default", "LIST": "list", "MAPKEYS": "mapkeys", "MAPVALUES": "mapvalues"}
# Field 26 byte -> collection type.
_INDEX_TYPE_CODES = {0: "default", 1: "list", 2: "mapkeys", 3: "mapvalues"}
# The particle type a filter carries for each key type.
_PARTICLE_KEY_TYPES = {
    c.PARTICLE_INTEGER: "numeric",
    c.PARTICLE_STRING: "string",
    c.PARTICLE_GEOJSON: "geo2dsphere",
    c.PARTICLE_BLOB: "blob",
}
EARTH_RADIUS_METERS = 6371000.0
_I64 = struct.Struct(">q")
_LE_I64 = struct.Struct("<q")


@dataclass(frozen=True)
class IndexDef:
    """One secondary index definition."""

    namespace: str
    name: str
    set_name: Optional[str]
    bin_name: str
    key_type: str  # numeric, string, geo2dsphere, blob
    index_type: str  # default, list, mapkeys, mapvalues
    context: Optional[str]  # base64 CDT context, as sent
    expression: Optional[str] = None  # base64 expression of an expression index (no bin), as sent

    def same_definition(self, other: IndexDef) -> bool:
        return (
            self.namespace,
            self.set_name,
            self.bin_name,
            self.key_type,
            self.index_type,
            self.context,
            self.expression,
        ) == (
            other.namespace,
            other.set_name,
            other.bin_name,
            other.key_type,
            other.index_type,
            other.context,
            other.expression,
        )

    def expression_bytes(self) -> Optional[bytes]:
        if self.expression is None:
            return None
        try:
            return base64.b64decode(self.expression)
        except ValueError:
            return None


class Registry:
    """The index definitions of one cluster, in creation order, behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._indexes: dict[tuple[str, str], IndexDef] = {}

    def create(self, definition: IndexDef) -> Optional[str]:
        """Add an index; None when done, else the error text the server answers."""
        with self.lock:
            existing = self._indexes.get((definition.namespace, definition.name))
            if existing is not None:
                if existing.same_definition(definition):
                    return None
                return "ERROR:200:'indexname' already exists with different definition"
            for key, other in list(self._indexes.items()):
                if other.same_definition(definition):
                    # Same definition under a new name: the server renames the index in place.
                    self._indexes = {
                        (k if k != key else (definition.namespace, definition.name)): (
                            v if k != key else definition
                        )
                        for k, v in self._indexes.items()
                    }
                    return None
            self._indexes[(definition.namespace, definition.name)] = definition
            return None

    def delete(self, namespace: str, name: str) -> None:
        with self.lock:
            self._indexes.pop((namespace, name), None)

    def get(self, namespace: str, name: str) -> Optional[IndexDef]:
        with self.lock:
            return self._indexes.get((namespace, name))

    def all(self, namespace: Optional[str] = None) -> list[IndexDef]:
        with self.lock:
            return [d for d in self._indexes.values() if namespace is None or d.namespace == namespace]

    def find(self, namespace: str, set_name: Optional[str], query: IndexFilter) -> Optional[IndexDef]:
        """The index a filter runs on: same key type and collection type, and the same bin, or the index named
        by the query (field 21), or the same expression (field 24); the query's set, else no set."""

        def names_it(d: IndexDef) -> bool:
            if query.index_name is not None:
                return d.name == query.index_name
            if query.expression is not None:
                return d.expression is not None and d.expression_bytes() == query.expression
            return d.expression is None and d.bin_name == query.bin_name

        candidates = [
            d
            for d in self.all(namespace)
            if d.key_type == query.key_type and d.index_type == query.index_type and names_it(d)
        ]
        for wanted in (set_name, None):
            for d in candidates:
                if d.set_name == wanted:
                    return d
        return None


_registries: weakref.WeakKeyDictionary[Any, Registry] = weakref.WeakKeyDictionary()
_registries_lock = threading.Lock()


def registry(cluster: Any) -> Registry:
    """The index registry of a cluster (made on first use)."""
    with _registries_lock:
        found = _registries.get(cluster)
        if found is None:
            found = _registries[cluster] = Registry()
        return found


# ---------------------------------------------------------------------------------------------------------------
# Info commands, checked and worded as server 8.1.2.0's sindex_manager.c and thr_info.c do


def _state_registry(state: NodeState) -> Registry:
    return registry(state.extras["cluster"])


class _Replied(Exception):
    """An argument was refused; the text is the error the server writes into the reply."""


# Buffer sizes of the server's parameters (a value must be shorter than its buffer).
_INAME_SIZE = 64
_NAMESPACE_SIZE = 32
_SET_SIZE = 64
_BIN_SIZE = 16
_INDEXTYPE_SIZE = 10
_KTYPE_SIZE = 12
_INDEXDATA_SIZE = _BIN_SIZE + _KTYPE_SIZE
_CONTEXT_SIZE = 2048
_EXP_SIZE = 16 * 1024
_MAPKEY_TYPES = ("numeric", "string", "blob")


def _namespaceinfo_parameter(args: str) -> tuple[int, str]:
    found = info_parameter(args, "namespace", _NAMESPACE_SIZE)
    return found if found[0] != PARAM_NOT_FOUND else info_parameter(args, "ns", _NAMESPACE_SIZE)


def _checked(name: str, found: tuple[int, str], required: bool) -> Optional[str]:
    status, value = found
    code = 20 if name == "namespace" else 4
    if status == PARAM_NOT_FOUND:
        if required:
            raise _Replied(f"ERROR:{code}:missing '{name}'")
        return None
    if status == PARAM_TOO_LONG:
        raise _Replied(f"ERROR:{code}:'{name}' value too long")
    if not value:
        raise _Replied(f"ERROR:{code}:missing '{name}' value")
    return value


def _optional(args: str, name: str, size: int) -> Optional[str]:
    return _checked(name, info_parameter(args, name, size), False)


def _index_name_leniently(args: str) -> tuple[str, str]:
    # sindex-delete, -exists and -stat write a refused index name into the reply and carry on (a server bug
    # kept as it answers): (the text written so far, the name).
    try:
        return "", _checked("indexname", info_parameter(args, "indexname", _INAME_SIZE), True) or ""
    except _Replied as refused:
        return str(refused), ""


def _local_namespace(state: NodeState, args: str, required: bool) -> Optional[str]:
    namespace = _checked("namespace", _namespaceinfo_parameter(args), required)
    if namespace is not None and namespace not in state.namespaces:
        raise _Replied("ERROR:20:namespace not found on node")
    return namespace


def _index_definition(args: str) -> tuple[str, str, IndexDef]:
    """(namespace, index name, definition) of a sindex-create request; _Replied when the server refuses it."""
    index_name = _checked("indexname", info_parameter(args, "indexname", _INAME_SIZE), True) or ""
    namespace = _checked("namespace", _namespaceinfo_parameter(args), True) or ""
    set_name = _optional(args, "set", _SET_SIZE)
    context = _optional(args, "context", _CONTEXT_SIZE)
    if context is not None:
        try:
            base64.b64decode(context, validate=True)
        except ValueError:
            raise _Replied("ERROR:4:'context' invalid base64") from None
    indextype = _optional(args, "indextype", _INDEXTYPE_SIZE)
    index_type = "default" if indextype is None else INDEX_TYPES.get(indextype.upper())
    if index_type is None:
        raise _Replied("ERROR:4:bad 'indextype' - must be one of 'default', 'list', 'mapkeys', 'mapvalues'")
    indexdata = _optional(args, "indexdata", _INDEXDATA_SIZE)
    type_text = _optional(args, "type", _KTYPE_SIZE)
    if indexdata is None and type_text is None:
        raise _Replied("ERROR:4:both 'indexdata' and 'type' are missing")
    if indexdata is not None and type_text is not None:
        raise _Replied("ERROR:4:both 'indexdata' and 'type' are specified")
    if type_text is not None:
        key_type = KEY_TYPES.get(type_text.upper())
        if key_type is None:
            raise _Replied("ERROR:4:bad 'type' - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'")
        bin_name = _optional(args, "bin", _BIN_SIZE)
        expression = _optional(args, "exp", _EXP_SIZE)
        if bin_name is not None and expression is not None:
            raise _Replied("ERROR:4:both 'bin' and 'exp' are specified")
        if bin_name is None and expression is None:
            raise _Replied("ERROR:4:both 'bin' and 'exp' are missing")
        if expression is not None and context is not None:
            raise _Replied("ERROR:4:both 'context' and 'exp' are specified")
    else:
        assert indexdata is not None
        bin_name, comma, data_type = indexdata.partition(",")
        if not comma:
            raise _Replied("ERROR:4:'indexdata' missing bin type")
        if not bin_name:
            raise _Replied("ERROR:4:'indexdata' missing bin name")
        if len(bin_name.encode("utf-8")) >= _BIN_SIZE:
            raise _Replied("ERROR:4:'indexdata' bin name too long")
        key_type = KEY_TYPES.get(data_type.upper())
        if key_type is None:
            raise _Replied(
                "ERROR:4:bad 'indexdata' bin type - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'"
            )
    if index_type == "mapkeys" and key_type not in _MAPKEY_TYPES:
        raise _Replied(
            "ERROR:4:bad 'indexdata' bin type for 'indextype' 'mapkeys' - must be one of 'numeric', 'string', 'blob'"
        )
    expression = _optional(args, "exp", _EXP_SIZE) if type_text is not None else None
    if expression is not None:
        try:
            base64.b64decode(expression, validate=True)
        except ValueError:
            raise _Replied("ERROR:4:'exp' invalid base64") from None
    definition = IndexDef(namespace, index_name, set_name, bin_name or "", key_type, index_type, context, expression)
    return namespace, index_name, definition


def _answer_create(state: NodeState, name: str, args: str) -> str:
    try:
        namespace, _, definition = _index_definition(args)
    except _Replied as refused:
        return str(refused)
    if namespace not in state.namespaces:
        return "ok"  # as the server: the definition is accepted; no node has the namespace to build it in
    return _state_registry(state).create(definition) or "ok"


def _answer_delete(state: NodeState, name: str, args: str) -> str:
    written, index_name = _index_name_leniently(args)
    try:
        namespace = _checked("namespace", _namespaceinfo_parameter(args), True) or ""
    except _Replied as refused:
        return written + str(refused)
    _state_registry(state).delete(namespace, index_name)
    return written + "ok"


def _list_entry(d: IndexDef) -> str:
    return (
        f"ns={d.namespace}:indexname={d.name}:set={d.set_name or 'null'}:bin={d.bin_name or 'null'}"
        f":type={d.key_type}:indextype={d.index_type}:context={d.context or 'null'}:exp={d.expression or 'null'}"
        ":state=RW"
    )


def _listing(state: NodeState, namespace: Optional[str]) -> str:
    definitions = _state_registry(state).all(namespace)
    return ";".join(
        _list_entry(d) for ns in state.namespaces for d in definitions if d.namespace == ns
    )


def _answer_list(state: NodeState, name: str, args: str) -> str:
    # sindex-list lists the secondary indexes, then (after a ';') the set indexes, of which this double has none;
    # each half checks the namespace and writes its own refusal.
    try:
        namespace = _local_namespace(state, args, required=False)
    except _Replied as refused:
        return f"{refused};{refused}"
    try:
        if _optional(args, "b64", 6) not in (None, "true", "false"):
            raise _Replied("ERROR:4:bad b64")
    except _Replied as refused:
        return str(refused)
    return _listing(state, namespace)


def _answer_exists(state: NodeState, name: str, args: str) -> str:
    written, index_name = _index_name_leniently(args)
    try:
        namespace = _local_namespace(state, args, required=True) or ""
    except _Replied as refused:
        return written + str(refused)
    return written + ("true" if _state_registry(state).get(namespace, index_name) else "false")


def _index_stats(state: NodeState, namespace: str, index_name: str) -> str:
    store = state.namespaces[namespace]
    definition = _state_registry(state).get(namespace, index_name)
    if definition is None:
        return "ERROR:201:no index"
    entries, records, bvals = _index_counts(definition, store)
    per_bval = entries // bvals if bvals else 0
    per_record = entries // records if records else 0
    return (
        f"entries={entries};used_bytes=16777216;entries_per_bval={per_bval};entries_per_rec={per_record};"
        "load_pct=100;load_time=0;stat_gc_recs=0"
    )


def _answer_stat(state: NodeState, name: str, args: str) -> str:
    written, index_name = _index_name_leniently(args)
    try:
        namespace = _local_namespace(state, args, required=True) or ""
    except _Replied as refused:
        return written + str(refused)
    return written + _index_stats(state, namespace, index_name)


def _answer_sindex(state: NodeState, name: str, args: str) -> str:
    # The deprecated `sindex[/<ns>[/<name>]]`: a list, or one index's statistics.
    path = name.partition("/")[2]
    if not path:
        return _listing(state, None)
    namespace, slash, index_name = path.partition("/")
    if namespace not in state.namespaces:
        return "ns_type=unknown"
    if not slash:
        return _listing(state, namespace)
    return _index_stats(state, namespace, index_name)


def _index_counts(definition: IndexDef, store: NamespaceStore) -> tuple[int, int, int]:
    entries = records = 0
    bvals: set[int] = set()
    for digest, record in store.records():
        if definition.set_name is not None and record.set_name != definition.set_name:
            continue
        keys = list(index_keys(definition, record.bins, _view(digest, record)))
        if keys:
            records += 1
            entries += len(keys)
            bvals.update(bval for _value, bval in keys)
    return entries, records, len(bvals)


HANDLERS = {
    "sindex-create": _answer_create,
    "sindex-delete": _answer_delete,
    "sindex-list": _answer_list,
    "sindex": _answer_sindex,
    "sindex/": _answer_sindex,
    "sindex-exists": _answer_exists,
    "sindex-stat": _answer_stat,
}


def install(cluster: LocalCluster) -> None:
    """Answer the secondary-index info commands on every node of `cluster`."""
    cluster.info_handlers.update(HANDLERS)


# ---------------------------------------------------------------------------------------------------------------
# Index values


def wyhash64(data: bytes) -> int:
    """The server's string/blob index hash (cf_wyhash64, wyhash final version 3 with Aerospike's seed)."""
    secret = (0xA0761D6478BD642F, 0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3, 0x589965CC75374CC3)
    mask = (1 << 64) - 1

    def mix(a: int, b: int) -> int:
        product = a * b
        return (product & mask) ^ (product >> 64)

    def r8(offset: int) -> int:
        return int.from_bytes(data[offset : offset + 8], "little")

    def r4(offset: int) -> int:
        return int.from_bytes(data[offset : offset + 4], "little")

    length = len(data)
    seed = 0x29FBB14CC886F ^ secret[0]
    if length <= 16:
        if length >= 4:
            step = (length >> 3) << 2
            a = (r4(0) << 32) | r4(step)
            b = (r4(length - 4) << 32) | r4(length - 4 - step)
        elif length > 0:
            a = (data[0] << 16) | (data[length >> 1] << 8) | data[length - 1]
            b = 0
        else:
            a = b = 0
    else:
        remaining, offset = length, 0
        if remaining > 48:
            see1 = see2 = seed
            while True:
                seed = mix(r8(offset) ^ secret[1], r8(offset + 8) ^ seed)
                see1 = mix(r8(offset + 16) ^ secret[2], r8(offset + 24) ^ see1)
                see2 = mix(r8(offset + 32) ^ secret[3], r8(offset + 40) ^ see2)
                offset += 48
                remaining -= 48
                if remaining <= 48:
                    break
            seed ^= see1 ^ see2
        while remaining > 16:
            seed = mix(r8(offset) ^ secret[1], r8(offset + 8) ^ seed)
            remaining -= 16
            offset += 16
        a = r8(offset + remaining - 16)
        b = r8(offset + remaining - 8)
    return mix(secret[1] ^ length, mix(a ^ secret[1], b ^ seed))


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def bval_bytes(bval: int) -> bytes:
    """Field 15 data: the index value as a little-endian 64-bit integer."""
    return _LE_I64.pack(bval)


def _scalar_key(key_type: str, value: Any) -> Optional[tuple[Any, int]]:
    """(value, bval) of one indexable value, or None when the index's key type does not take it."""
    if key_type == "numeric" and isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if key_type == "string" and isinstance(value, str):
        encoded = value.encode("utf-8")
        return encoded, _signed(wyhash64(encoded))
    if key_type == "blob" and isinstance(value, (bytes, bytearray)):
        return bytes(value), _signed(wyhash64(bytes(value)))
    return None


def _decode_bin(particle_type: int, data: bytes) -> Any:
    if particle_type == c.PARTICLE_INTEGER:
        return _I64.unpack(data)[0]
    if particle_type == c.PARTICLE_STRING:
        return data.decode("utf-8", "replace")
    if particle_type == c.PARTICLE_BLOB:
        return bytes(data)
    if particle_type in (c.PARTICLE_LIST, c.PARTICLE_MAP):
        try:
            return cdt.unpack(data)
        except ProtocolError:
            return None
    return None


def _geo_document(data: bytes) -> Optional[dict[str, Any]]:
    if len(data) < 3:
        return None
    ncells = int.from_bytes(data[1:3], "big")
    try:
        document = json.loads(data[3 + 8 * ncells :])
    except (ValueError, UnicodeDecodeError):
        return None
    return document if isinstance(document, dict) else None


def _view(digest: bytes, record: Any) -> RecordView:
    return RecordView(
        record.bins, digest, record.set_name, record.key, record.void_time, record.last_update_time, time.time()
    )


def _expression_bin(definition: IndexDef, view: Optional[RecordView]) -> Optional[tuple[int, bytes]]:
    """The value an expression index takes from a record, as a bin (particle type, data); None: no entry."""
    data = definition.expression_bytes()
    if data is None or view is None:
        return None
    try:
        value = expression_value(parse_expression(data), view)
    except ExpressionError:
        return None
    if isinstance(value, WireValue):
        return value.particle_type, value.data
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return (c.PARTICLE_INTEGER, _I64.pack(value)) if -(1 << 63) <= value < 1 << 63 else None
    if isinstance(value, str):
        return c.PARTICLE_STRING, value.encode("utf-8", "surrogateescape")
    if isinstance(value, (bytes, bytearray)):
        return c.PARTICLE_BLOB, bytes(value)
    return None


def index_keys(
    definition: IndexDef, bins: dict[str, tuple[int, bytes]], view: Optional[RecordView] = None
) -> Iterator[tuple[Any, int]]:
    """Every (value, bval) a record contributes to an index (`view`: the record, for an expression index)."""
    if definition.expression is not None:
        found = _expression_bin(definition, view)
    else:
        found = bins.get(definition.bin_name)
    if found is None:
        return
    particle_type, data = found
    if definition.key_type == "geo2dsphere":
        if definition.index_type == "default" and particle_type == c.PARTICLE_GEOJSON:
            document = _geo_document(data)
            if document is not None:
                yield document, _geo_bval(document)
        return
    if definition.index_type == "default":
        keyed = _scalar_key(definition.key_type, _decode_bin(particle_type, data))
        if keyed is not None:
            yield keyed
        return
    value = _decode_bin(particle_type, data)
    if definition.index_type == "list" and isinstance(value, list):
        items: list[Any] = value
    elif definition.index_type == "mapkeys" and isinstance(value, dict):
        items = list(value.keys())
    elif definition.index_type == "mapvalues" and isinstance(value, dict):
        items = list(value.values())
    else:
        return
    for item in items:
        keyed = _scalar_key(definition.key_type, item)
        if keyed is not None:
            yield keyed


def _geo_bval(document: dict[str, Any]) -> int:
    if document.get("type") == "Point":
        longitude, latitude = document["coordinates"][:2]
        return _signed(s2_leaf_cell(float(longitude), float(latitude)))
    return 0


# ---------------------------------------------------------------------------------------------------------------
# Query filters


@dataclass(frozen=True)
class IndexFilter:
    """A parsed INDEX_RANGE filter: which bin, what key and collection type, and the range or region."""

    bin_name: str
    key_type: str
    index_type: str
    begin: Any
    end: Any
    index_name: Optional[str] = None
    expression: Optional[bytes] = None  # field 24: the expression of the expression index to use


def parse_filter(
    range_field: bytes,
    index_type_field: Optional[bytes],
    index_name: Optional[bytes],
    index_expression: Optional[bytes] = None,
) -> IndexFilter:
    """Field 22 (with 26, and 21 or 24) as a filter; ProtocolError when malformed or of an unknown type, or
    when it names no index (no bin, no index name, no expression: the server refuses such a filter)."""
    try:
        count = range_field[0]
        if count != 1:
            raise ProtocolError(f"{count} filters in one query")
        offset = 1
        name_length = range_field[offset]
        offset += 1
        bin_name = range_field[offset : offset + name_length].decode("utf-8")
        offset += name_length
        particle_type = range_field[offset]
        offset += 1
        values = []
        for _ in range(2):
            size = int.from_bytes(range_field[offset : offset + 4], "big")
            offset += 4
            if offset + size > len(range_field):
                raise ProtocolError("filter value runs past the field")
            values.append(range_field[offset : offset + size])
            offset += size
    except (IndexError, UnicodeDecodeError) as error:
        raise ProtocolError("malformed index range") from error
    key_type = _PARTICLE_KEY_TYPES.get(particle_type)
    if key_type is None:
        raise ProtocolError(f"index filter of particle type {particle_type}")
    index_type = _INDEX_TYPE_CODES.get(index_type_field[0] if index_type_field else 0)
    if index_type is None:
        raise ProtocolError("unknown index collection type")
    begin: Any
    end: Any
    if key_type == "numeric":
        if len(values[0]) != 8 or len(values[1]) != 8:
            raise ProtocolError("integer filter values must be 8 bytes")
        begin, end = _I64.unpack(values[0])[0], _I64.unpack(values[1])[0]
        if begin > end:
            raise ProtocolError("range begins after its end")  # the server refuses it (4) before any lookup
    elif key_type == "geo2dsphere":
        try:
            begin = end = json.loads(values[0])
        except (ValueError, UnicodeDecodeError) as error:
            raise ProtocolError("filter region is not JSON") from error
        if not valid_geo_filter(begin):
            raise ProtocolError("filter region is not a GeoJSON point or region")
    else:
        begin, end = bytes(values[0]), bytes(values[1])
    name = index_name.decode("utf-8", "replace") if index_name else None
    expression = bytes(index_expression) if index_expression else None
    if not bin_name and name is None and expression is None:
        raise ProtocolError("index filter names no bin, index or expression")
    return IndexFilter(bin_name, key_type, index_type, begin, end, name, expression)


def record_entries(
    definition: IndexDef, query: IndexFilter, bins: dict[str, tuple[int, bytes]], view: Optional[RecordView] = None
) -> list[int]:
    """The bvals of every index entry of a record that the filter selects (a list or map index may hold
    several entries of one record), in index order."""
    selected = set()
    for value, bval in index_keys(definition, bins, view):
        if query.key_type == "numeric":
            if query.begin <= value <= query.end:
                selected.add(bval)
        elif query.key_type == "geo2dsphere":
            if _geo_matches(query.begin, value):
                selected.add(bval)
        elif value == query.begin:
            selected.add(bval)
    return sorted(selected)


def record_match(
    definition: IndexDef, query: IndexFilter, bins: dict[str, tuple[int, bytes]], view: Optional[RecordView] = None
) -> Optional[int]:
    """The bval of the first index entry of a record the filter selects, or None when it selects none."""
    entries = record_entries(definition, query, bins, view)
    return entries[0] if entries else None


# -- geometry: points in regions, on a sphere for circles and planar in degrees for polygons (the server uses S2
# coverings; for regions of a few hundred kilometres the answers agree).


def _point(document: dict[str, Any]) -> Optional[tuple[float, float]]:
    if document.get("type") != "Point":
        return None
    coordinates = document.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None
    return float(coordinates[0]), float(coordinates[1])


def _distance_meters(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(h)))


def _in_ring(point: tuple[float, float], ring: list[Any]) -> bool:
    x, y = point
    inside = False
    for i in range(len(ring)):
        x1, y1 = float(ring[i][0]), float(ring[i][1])
        x2, y2 = float(ring[i - 1][0]), float(ring[i - 1][1])
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def region_contains(region: dict[str, Any], point: tuple[float, float]) -> bool:
    """Whether a Polygon, MultiPolygon or AeroCircle region holds a point."""
    kind = region.get("type")
    coordinates = region.get("coordinates")
    try:
        if kind == "AeroCircle":
            center = (float(coordinates[0][0]), float(coordinates[0][1]))  # type: ignore[index]
            return _distance_meters(center, point) <= float(coordinates[1])  # type: ignore[index]
        if kind == "Polygon":
            rings = coordinates or []
            return bool(rings) and _in_ring(point, rings[0]) and not any(_in_ring(point, r) for r in rings[1:])
        if kind == "MultiPolygon":
            return any(region_contains({"type": "Polygon", "coordinates": p}, point) for p in coordinates or [])
    except (TypeError, ValueError, IndexError):
        return False
    return False


def _is_position(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    )


def _is_ring_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(ring, list) and len(ring) >= 4 and all(_is_position(p) for p in ring) and ring[0] == ring[-1]
            for ring in value
        )
    )


def valid_geo_filter(document: Any) -> bool:
    """Whether a query's GeoJSON is a Point, Polygon, MultiPolygon or AeroCircle the server would take."""
    if not isinstance(document, dict):
        return False
    kind = document.get("type")
    coordinates = document.get("coordinates")
    if kind == "Point":
        return _is_position(coordinates)
    if kind == "Polygon":
        return _is_ring_list(coordinates)
    if kind == "MultiPolygon":
        return isinstance(coordinates, list) and bool(coordinates) and all(_is_ring_list(p) for p in coordinates)
    if kind == "AeroCircle":
        return (
            isinstance(coordinates, list)
            and len(coordinates) == 2
            and _is_position(coordinates[0])
            and isinstance(coordinates[1], (int, float))
            and not isinstance(coordinates[1], bool)
        )
    return False


def _geo_matches(query_region: Any, bin_document: dict[str, Any]) -> bool:
    if not isinstance(query_region, dict):
        return False
    query_point = _point(query_region)
    if query_point is not None:  # "contains point": the bin is a region holding the query's point
        return region_contains(bin_document, query_point)
    bin_point = _point(bin_document)  # "within region": the bin is a point inside the query's region
    return bin_point is not None and region_contains(query_region, bin_point)
