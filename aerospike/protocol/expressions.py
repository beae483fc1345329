"""Aerospike expressions on the wire: compiled expressions to msgpack, and back to a tree for the server side.

Owns: the expression op codes, result types and call modules of the wire (the Go/Java/C clients' ``exp``
code: ``[op, args...]`` arrays, bins as ``[81, type, name]``, CDT/bit/HLL reads and writes as
``[127, type, module, [cdt_op, args...], bin]``, list values quoted as ``[126, list]``), the bit and HLL
operation codes shared by operations and expressions, and ``encode_expression(compiled)`` for the compiled
form the ``aerospike_helpers.expressions`` builder returns: a pre-order list of ``(op, result_type, fixed,
child_count)`` tuples. ``decode_expression(bytes)`` gives the server side (the local cluster) the tree back.
Must not know the builder's classes, policies, sockets or the reply parser.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional, Sequence

import msgpack

from . import cdt
from .errors import ProtocolError

__all__ = [
    "CALL_BIT",
    "CALL_CDT",
    "CALL_HLL",
    "CALL_MODIFY",
    "EXP",
    "LIST_OP",
    "MAP_OP",
    "ExpressionError",
    "Infinity",
    "decode_expression",
    "encode_expression",
    "pack_ctx",
]

# ------------------------------------------------------------------------------------------- op codes


class EXP:
    """Expression op codes on the wire (as_exp.h / Exp.java)."""

    UNKNOWN = 0  # [0]: the unknown value
    EQ = 1
    NE = 2
    GT = 3
    GE = 4
    LT = 5
    LE = 6
    CMP_REGEX = 7  # [7, flags, regex, string expr]
    CMP_GEO = 8
    IN_LIST = 9  # [9, value, list]
    AND = 16
    OR = 17
    NOT = 18
    EXCLUSIVE = 19
    ADD = 20
    SUB = 21
    MUL = 22
    DIV = 23
    POW = 24
    LOG = 25
    MOD = 26
    ABS = 27
    FLOOR = 28
    CEIL = 29
    TO_INT = 30
    TO_FLOAT = 31
    INT_AND = 32
    INT_OR = 33
    INT_XOR = 34
    INT_NOT = 35
    INT_LSHIFT = 36
    INT_RSHIFT = 37
    INT_ARSHIFT = 38
    INT_COUNT = 39
    INT_LSCAN = 40
    INT_RSCAN = 41
    MIN = 50
    MAX = 51
    DIGEST_MODULO = 64  # [64, modulus]
    DEVICE_SIZE = 65
    LAST_UPDATE = 66
    SINCE_UPDATE = 67
    VOID_TIME = 68
    TTL = 69
    SET_NAME = 70
    KEY_EXISTS = 71
    IS_TOMBSTONE = 72
    MEMORY_SIZE = 73
    RECORD_SIZE = 74
    KEY = 80  # [80, type]
    BIN = 81  # [81, type, name]
    BIN_TYPE = 82  # [82, name]
    TO_STRING = 99  # [99, expr]: any value as its string form
    REMOVE_RESULT = 100  # [100]: a path modification that removes the element
    MAP_KEYS = 101  # [101, map expr]: the keys, as a list
    MAP_VALUES = 102  # [102, map expr]: the values, as a list
    LOOP_VAR = 122  # [122, type, var id]: the element a path context is visiting
    COND = 123
    VAR = 124  # [124, name]
    LET = 125  # [125, name, expr, ..., scope]
    QUOTED = 126  # [126, list]: a list value, not a call
    CALL = 127  # [127, type, module, op array, bin expr]


# Compiled-form op codes that are not wire ops: a value, a DEF inside a LET, a bin-exists test.
VAL = 200
AS_VAL = 128
DEF = 126
BIN_EXISTS = 83

# Result types (as_exp_type).
TYPE_NIL = 0
TYPE_BOOL = 1
TYPE_INT = 2
TYPE_STRING = 3
TYPE_LIST = 4
TYPE_MAP = 5
TYPE_BLOB = 6
TYPE_FLOAT = 7
TYPE_GEO = 8
TYPE_HLL = 9

# Call modules; a write sets CALL_MODIFY.
CALL_CDT = 0
CALL_BIT = 1
CALL_HLL = 2
CALL_STRING = 3  # server 8.2 and later: 8.1 refuses the module (parameter error)
CALL_MODIFY = 0x40

CTX_MARKER = 0xFF  # [0xff, [ctx id, ctx value, ...], op array]
PATH_MARKER = 0xFE  # [0xfe, [ctx id, ctx value, ...], flags(, modify expr)]: select/modify by path
PATH_MODIFY_FLAG = 4  # set in the flags of every modify-by-path call

# Context ids that carry an expression (path expressions, server 8.1): every child, filtered when a filter
# expression is given; a filter AND-ed with the previous level; the map entries of a list of keys.
CTX_EXP = 0x04
CTX_AND = 0x200
CTX_MAP_KEYS_IN = 0x2A

# Loop-variable ids (which part of the element a path context is visiting).
LOOPVAR_KEY = 0
LOOPVAR_VALUE = 1
LOOPVAR_INDEX = 2

# Bit operation codes (as_bit_operations.c), shared by bit operations and bit expressions.
BIT_RESIZE = 0
BIT_INSERT = 1
BIT_REMOVE = 2
BIT_SET = 3
BIT_OR = 4
BIT_XOR = 5
BIT_AND = 6
BIT_NOT = 7
BIT_LSHIFT = 8
BIT_RSHIFT = 9
BIT_ADD = 10
BIT_SUBTRACT = 11
BIT_SET_INT = 12
BIT_GET = 50
BIT_COUNT = 51
BIT_LSCAN = 52
BIT_RSCAN = 53
BIT_GET_INT = 54

# HLL operation codes (as_hll_operations.c).
HLL_INIT = 0
HLL_ADD = 1
HLL_SET_UNION = 2
HLL_SET_COUNT = 3  # refresh count
HLL_FOLD = 4
HLL_COUNT = 50
HLL_UNION = 51
HLL_UNION_COUNT = 52
HLL_INTERSECT_COUNT = 53
HLL_SIMILARITY = 54
HLL_DESCRIBE = 55
HLL_MAY_CONTAIN = 56

# Bit read that 19.x's bit_b64_encode sends (base64 of a byte range).
BIT_B64_ENCODE = 55

# String call codes (server 8.2's string module; reads, then modifies).
class STRING_OP:
    """String operation codes, as string expressions call them."""

    STRLEN = 0
    SUBSTR = 1  # [1, start(, end)]
    CHAR_AT = 2
    FIND = 3
    CONTAINS = 4
    STARTS_WITH = 5
    ENDS_WITH = 6
    TO_INTEGER = 7
    TO_DOUBLE = 8
    BYTE_LENGTH = 9
    IS_NUMERIC = 10
    IS_UPPER = 11
    IS_LOWER = 12
    TO_BLOB = 13
    SPLIT = 14  # [14(, separator)]
    B64_DECODE = 15
    REGEX_COMPARE = 16
    INSERT = 50
    OVERWRITE = 51
    CONCAT = 52
    SNIP = 53
    REPLACE = 54
    REPLACE_ALL = 55
    UPPER = 56
    LOWER = 57
    CASE_FOLD = 58
    NORMALIZE_NFC = 59
    TRIM_START = 60
    TRIM_END = 61
    TRIM = 62
    PAD_START = 63
    PAD_END = 64
    REPEAT = 65
    REGEX_REPLACE = 66
    APPEND = 67
    PREPEND = 68


class LIST_OP:
    """CDT list operation codes (as_list_operations.c), as list expressions call them."""

    SET_TYPE = 0
    APPEND = 1
    APPEND_ITEMS = 2
    INSERT = 3
    INSERT_ITEMS = 4
    POP = 5
    POP_RANGE = 6
    REMOVE = 7
    REMOVE_RANGE = 8
    SET = 9
    TRIM = 10
    CLEAR = 11
    INCREMENT = 12
    SORT = 13
    SIZE = 16
    GET = 17
    GET_RANGE = 18
    GET_BY_INDEX = 19
    GET_BY_RANK = 21
    GET_ALL_BY_VALUE = 22
    GET_BY_VALUE_LIST = 23
    GET_BY_INDEX_RANGE = 24
    GET_BY_VALUE_INTERVAL = 25
    GET_BY_RANK_RANGE = 26
    GET_BY_VALUE_REL_RANK_RANGE = 27
    REMOVE_BY_INDEX = 32
    REMOVE_BY_RANK = 34
    REMOVE_ALL_BY_VALUE = 35
    REMOVE_BY_VALUE_LIST = 36
    REMOVE_BY_INDEX_RANGE = 37
    REMOVE_BY_VALUE_INTERVAL = 38
    REMOVE_BY_RANK_RANGE = 39
    REMOVE_BY_VALUE_REL_RANK_RANGE = 40
    JOIN = 28  # [28(, separator)]: the string items joined (a list expression 19.x has)


class MAP_OP:
    """CDT map operation codes (as_map_operations.c), as map expressions call them."""

    SET_TYPE = 64
    ADD = 65
    ADD_ITEMS = 66
    PUT = 67
    PUT_ITEMS = 68
    REPLACE = 69
    REPLACE_ITEMS = 70
    INCREMENT = 73
    DECREMENT = 74
    CLEAR = 75
    REMOVE_BY_KEY = 76
    REMOVE_BY_INDEX = 77
    REMOVE_BY_VALUE = 78
    REMOVE_BY_RANK = 79
    REMOVE_BY_KEY_LIST = 81
    REMOVE_ALL_BY_VALUE = 82
    REMOVE_BY_VALUE_LIST = 83
    REMOVE_BY_KEY_INTERVAL = 84
    REMOVE_BY_INDEX_RANGE = 85
    REMOVE_BY_VALUE_INTERVAL = 86
    REMOVE_BY_RANK_RANGE = 87
    REMOVE_BY_KEY_REL_INDEX_RANGE = 88
    REMOVE_BY_VALUE_REL_RANK_RANGE = 89
    SIZE = 96
    GET_BY_KEY = 97
    GET_BY_INDEX = 98
    GET_BY_RANK = 100
    GET_ALL_BY_VALUE = 102
    GET_BY_KEY_INTERVAL = 103
    GET_BY_INDEX_RANGE = 104
    GET_BY_VALUE_INTERVAL = 105
    GET_BY_RANK_RANGE = 106
    GET_BY_KEY_LIST = 107
    GET_BY_VALUE_LIST = 108
    GET_BY_KEY_REL_INDEX_RANGE = 109
    GET_BY_VALUE_REL_RANK_RANGE = 110


# Ops whose compiled node has no children and packs as [op].
_NO_ARGS = frozenset(
    (
        EXP.UNKNOWN,
        EXP.DEVICE_SIZE,
        EXP.LAST_UPDATE,
        EXP.VOID_TIME,
        EXP.TTL,
        EXP.SET_NAME,
        EXP.KEY_EXISTS,
        EXP.SINCE_UPDATE,
        EXP.IS_TOMBSTONE,
        EXP.MEMORY_SIZE,
        EXP.RECORD_SIZE,
        EXP.REMOVE_RESULT,
    )
)

# Ops that pack as [op, child, child, ...].
_WITH_CHILDREN = frozenset(
    (
        EXP.EQ, EXP.NE, EXP.GT, EXP.GE, EXP.LT, EXP.LE, EXP.CMP_GEO,
        EXP.AND, EXP.OR, EXP.NOT, EXP.EXCLUSIVE,
        EXP.ADD, EXP.SUB, EXP.MUL, EXP.DIV, EXP.POW, EXP.LOG, EXP.MOD, EXP.ABS, EXP.FLOOR, EXP.CEIL,
        EXP.TO_INT, EXP.TO_FLOAT,
        EXP.INT_AND, EXP.INT_OR, EXP.INT_XOR, EXP.INT_NOT, EXP.INT_LSHIFT, EXP.INT_RSHIFT, EXP.INT_ARSHIFT,
        EXP.INT_COUNT, EXP.INT_LSCAN, EXP.INT_RSCAN, EXP.MIN, EXP.MAX, EXP.COND,
        EXP.IN_LIST, EXP.TO_STRING, EXP.MAP_KEYS, EXP.MAP_VALUES,
    )
)  # fmt: skip

_MAX_DEPTH = 256  # deeper than any real expression; bounds recursion


class ExpressionError(ProtocolError):
    """A compiled expression this encoder cannot write (bad shape, unknown op, unencodable value)."""


# ------------------------------------------------------------------------------------------- encoding


class Infinity:
    """The open end of a value range (written as Aerospike's infinity sentinel)."""


# Range sentinels, recognised by class name so the client's CDTInfinite / CDTWildcard values work too.
_SENTINELS = {"Infinity": b"\xd4\xff\x01", "CDTInfinite": b"\xd4\xff\x01", "CDTWildcard": b"\xd4\xff\x00"}


# Ranks of the server's cross-type order (nil < bool < int < string < list < map < bytes < float < geo), by
# which plain dict values are written, as the official C client writes them.
_RANKS: tuple[tuple[Any, int], ...] = ((type(None), 1), (bool, 2), (int, 3), (str, 4), (list, 5), (tuple, 5), (dict, 6), (bytes, 7),
          (bytearray, 7), (float, 8))  # fmt: skip


def _order_key(value: Any) -> tuple:
    kind: Any
    for kind, rank in _RANKS:
        if isinstance(value, kind):
            if kind is str:
                return (rank, value.encode("utf-8", "surrogatepass"))
            if rank in (5, 6):
                return (rank, len(value), repr(value))
            return (rank, value if rank != 1 else 0)
    return (9, repr(value))


def _server_ordered(value: Any) -> Any:
    """`value` with plain dicts (at any depth) rebuilt in the server's key order."""
    kind = type(value)
    if kind is list:
        return [_server_ordered(item) for item in value]
    if kind is dict:
        items = [(_server_ordered(key), _server_ordered(item)) for key, item in value.items()]
        try:
            items.sort(key=lambda pair: _order_key(pair[0]))
        except TypeError:
            pass
        return dict(items)
    return value


class _Node:
    __slots__ = ("op", "rt", "fixed", "children")

    def __init__(self, op: int, rt: Any, fixed: Optional[dict], children: list) -> None:
        self.op = op
        self.rt = rt
        self.fixed = fixed or {}
        self.children = children


def _tree(compiled: Sequence[Any]) -> _Node:
    """The tree of a pre-order list of (op, result_type, fixed, child_count) tuples."""
    items: Iterator[Any] = iter(compiled)

    def build(depth: int) -> _Node:
        if depth > _MAX_DEPTH:
            raise ExpressionError("expression nested too deeply")
        try:
            entry = next(items)
        except StopIteration:
            raise ExpressionError("compiled expression ends early") from None
        if not isinstance(entry, (tuple, list)) or len(entry) != 4:
            raise ExpressionError("a compiled expression is a list of (op, type, fixed, children) tuples")
        op, rt, fixed, count = entry
        if not isinstance(op, int) or not isinstance(count, int) or count < 0:
            raise ExpressionError(f"bad compiled expression entry {entry!r}")
        if fixed is not None and not isinstance(fixed, dict):
            raise ExpressionError(f"bad compiled expression entry {entry!r}")
        return _Node(op, rt, fixed, [build(depth + 1) for _ in range(count)])

    root = build(0)
    if next(items, None) is not None:
        raise ExpressionError("compiled expression has entries after its end")
    return root


class _Writer:
    __slots__ = ("packer", "fallback")

    def __init__(self, fallback: Optional[cdt.Fallback]) -> None:
        self.packer = cdt.CdtPacker(fallback, bool_as_int=False)
        self.fallback = fallback

    def raw_str(self, text: Any) -> None:
        if not isinstance(text, str):
            raise ExpressionError(f"expected a name, got {type(text).__name__}")
        self.packer.raw(msgpack.packb(text, use_bin_type=True))

    def integer(self, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ExpressionError(f"expected an integer, got {type(value).__name__}")
        self.packer.integer(value)

    def value(self, value: Any) -> None:
        """A value inside an expression: lists are quoted, everything else is CDT-packed."""
        sentinel = _SENTINELS.get(type(value).__name__)
        if sentinel is not None:
            self.packer.raw(sentinel)
            return
        if isinstance(value, list) or (isinstance(value, tuple) and not hasattr(value, "_fields")):
            self.packer.array_header(2).integer(EXP.QUOTED)
            value = list(value)
        try:
            self.packer.value(_server_ordered(value))
        except ProtocolError as error:
            raise ExpressionError(str(error)) from error

    def node(self, node: _Node) -> None:
        op = node.op
        children = node.children
        packer = self.packer
        if op in (VAL, AS_VAL):
            self.value(node.fixed.get("val"))
        elif op in _WITH_CHILDREN:
            packer.array_header(1 + len(children)).integer(op)
            for child in children:
                self.node(child)
        elif op in _NO_ARGS:
            packer.array_header(1).integer(op)
        elif op == EXP.BIN:
            packer.array_header(3).integer(EXP.BIN)
            self.integer(node.rt)
            self.raw_str(node.fixed.get("bin"))
        elif op == EXP.KEY:
            packer.array_header(2).integer(EXP.KEY)
            self.integer(node.rt)
        elif op == EXP.BIN_TYPE:
            packer.array_header(2).integer(EXP.BIN_TYPE)
            self.raw_str(node.fixed.get("bin"))
        elif op == BIN_EXISTS:  # bin_type(name) != 0
            packer.array_header(3).integer(EXP.NE)
            packer.array_header(2).integer(EXP.BIN_TYPE)
            self.raw_str(node.fixed.get("bin"))
            packer.integer(0)
        elif op == EXP.DIGEST_MODULO:
            packer.array_header(2).integer(op)
            self.integer(node.fixed.get("val"))
        elif op == EXP.CMP_REGEX:
            if len(children) != 1:
                raise ExpressionError("a regex comparison takes one string expression")
            packer.array_header(4).integer(op)
            self.integer(node.fixed.get("regex_options", 0))
            self.raw_str(node.fixed.get("val"))
            self.node(children[0])
        elif op == EXP.VAR:
            packer.array_header(2).integer(op)
            self.raw_str(node.fixed.get("val"))
        elif op == EXP.LOOP_VAR:
            packer.array_header(3).integer(op)
            self.integer(node.rt)
            self.integer(node.fixed.get("val"))
        elif op == EXP.LET:
            self.let(node)
        elif op == EXP.CALL:
            self.call(node)
        else:
            raise ExpressionError(f"unknown expression op {op}")

    def let(self, node: _Node) -> None:
        *definitions, scope = node.children or [None]
        if scope is None:
            raise ExpressionError("a let needs a scope expression")
        self.packer.array_header(2 + 2 * len(definitions)).integer(EXP.LET)
        for definition in definitions:
            if definition.op != DEF or len(definition.children) != 1:
                raise ExpressionError("let takes def(name, expr) pairs and then one expression")
            self.raw_str(definition.fixed.get("val"))
            self.node(definition.children[0])
        self.node(scope)

    def call(self, node: _Node) -> None:
        fixed = node.fixed
        if not node.children:
            raise ExpressionError("a call needs a bin expression")
        *args, bin_expr = node.children
        packer = self.packer
        packer.array_header(5).integer(EXP.CALL)
        self.integer(node.rt)
        self.integer(fixed.get("module", 0))
        if "path_flags" in fixed:  # select or modify by path: the contexts take the place of the op array
            modify = fixed.get("modify")
            packer.array_header(3 if modify is None else 4).integer(PATH_MARKER)
            packer.raw(pack_ctx(fixed.get("ctx") or (), self.fallback))
            self.integer(fixed["path_flags"])
            if modify is not None:
                self.node(_tree(modify))
            self.node(bin_expr)
            return
        ctx = fixed.get("ctx")
        if ctx:
            packer.array_header(3).integer(CTX_MARKER)
            packer.raw(pack_ctx(ctx, self.fallback))
        packer.array_header(1 + len(args))
        self.integer(fixed.get("call"))
        for arg in args:
            self.node(arg)
        self.node(bin_expr)


def pack_ctx(ctx: Sequence[Any], fallback: Optional[cdt.Fallback] = None) -> bytes:
    """``[id, value, id, value, ...]`` of a CDT context: items are ``(id, value)`` pairs or objects with
    ``id`` and ``value`` attributes (the helpers' contexts; create contexts carry their flags in the id)."""
    packer = cdt.CdtPacker(fallback, bool_as_int=False)
    packer.array_header(2 * len(ctx))
    for item in ctx:
        if isinstance(item, tuple) and len(item) == 2:
            ctx_id, value = item
        else:
            ctx_id = getattr(item, "wire_id", None)
            if ctx_id is None:
                ctx_id = getattr(item, "id", None)
            value = getattr(item, "value", None)
            expression = getattr(item, "filter_expression", None)
            if expression is not None:  # a path context's filter: the expression itself is the value
                if isinstance(ctx_id, bool) or not isinstance(ctx_id, int):
                    raise ExpressionError("a context item needs an integer id")
                packer.integer(ctx_id).raw(encode_expression(expression, fallback))
                continue
            if ctx_id is not None and ctx_id & 0xFF == CTX_EXP and value is None:
                value = True  # every child, unfiltered
        if isinstance(ctx_id, bool) or not isinstance(ctx_id, int):
            raise ExpressionError("a context item needs an integer id")
        packer.integer(ctx_id)
        try:
            packer.value(value)
        except ProtocolError as error:
            raise ExpressionError(str(error)) from error
    return packer.getvalue()


def encode_expression(compiled: Sequence[Any], fallback: Optional[cdt.Fallback] = None) -> bytes:
    """The wire bytes of a compiled expression (the value of the filter-expression field, or of an
    expression operation). Values of types msgpack cannot carry go to `fallback` (e.g. GeoJSON)."""
    if not isinstance(compiled, (list, tuple)) or not compiled:
        raise ExpressionError("an expression is a non-empty list of compiled entries")
    writer = _Writer(fallback)
    writer.node(_tree(compiled))
    return writer.packer.getvalue()


# ------------------------------------------------------------------------------------------- decoding


def decode_expression(data: bytes) -> Any:
    """The msgpack tree of an expression, strings and blobs with their particle type (server side)."""
    try:
        return cdt.unpack(data)
    except ProtocolError:
        raise
    except Exception as error:  # noqa: BLE001 - any decoder failure is malformed input
        raise ProtocolError(f"malformed expression: {error}") from error
