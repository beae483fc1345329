"""Base expressions: values, record keys and metadata, bins, comparisons, logic, and let/cond/var."""

from __future__ import annotations

from typing import Any

from aerospike.protocol import expressions as wire

from .resources import ResultType, _BaseExpr, _Keys

__all__ = [
    "And", "BinExists", "BinType", "BlobBin", "BoolBin", "CmpGeo", "CmpRegex", "Cond", "Def", "DeviceSize",
    "DigestMod", "Eq", "Exclusive", "FloatBin", "GE", "GT", "GeoBin", "HLLBin", "IntBin", "IsTombstone",
    "KeyBlob", "KeyExists", "KeyInt", "KeyStr", "LE", "LT", "LastUpdateTime", "Let", "ListBin", "LoopVar",
    "LoopVarBlob", "LoopVarBool", "LoopVarFloat", "LoopVarGeoJson", "LoopVarHLL", "LoopVarInt", "LoopVarList",
    "LoopVarMap", "LoopVarNil", "LoopVarStr", "MapBin", "MemorySize", "ModifyByPath", "NE", "Not", "Or",
    "RecordSize", "RemoveResult", "SelectByPath", "SetName", "SinceUpdateTime", "StrBin", "TTL", "Unknown",
    "Val", "Var", "VoidTime",
]  # fmt: skip

_E = wire.EXP


# ---------------------------------------------------------------------------------------------- values


class Val(_BaseExpr):
    """An expression that returns `value`."""

    _op = wire.AS_VAL

    def __init__(self, value: Any):
        self._fixed = {_Keys.VALUE_KEY: value}


class Unknown(_BaseExpr):
    """The 'unknown' value: an operation expression that returns it fails (OpNotApplicable) unless the
    operation's NO_FAIL flag is set."""

    _op = _E.UNKNOWN

    def __init__(self):
        pass


# ----------------------------------------------------------------------------------------- record keys


class _Key(_BaseExpr):
    _op = _E.KEY

    def __init__(self):
        pass


class KeyInt(_Key):
    """The record's stored key as an integer (unknown when the key is not an integer or not stored)."""

    _rt = ResultType.INTEGER


class KeyStr(_Key):
    """The record's stored key as a string."""

    _rt = ResultType.STRING


class KeyBlob(_Key):
    """The record's stored key as a blob."""

    _rt = ResultType.BLOB


class _Meta(_BaseExpr):
    def __init__(self):
        pass


class KeyExists(_Meta):
    """Whether the record stores its key (written with POLICY_KEY_SEND)."""

    _op = _E.KEY_EXISTS
    _rt = ResultType.BOOLEAN


# ------------------------------------------------------------------------------------------------ bins


class _Bin(_BaseExpr):
    _op = _E.BIN

    def __init__(self, bin: str):
        self._fixed = {_Keys.BIN_KEY: bin}


class BoolBin(_Bin):
    """The value of a boolean bin."""

    _rt = ResultType.BOOLEAN


class IntBin(_Bin):
    """The value of an integer bin."""

    _rt = ResultType.INTEGER


class StrBin(_Bin):
    """The value of a string bin."""

    _rt = ResultType.STRING


class FloatBin(_Bin):
    """The value of a float bin."""

    _rt = ResultType.FLOAT


class BlobBin(_Bin):
    """The value of a bytes bin."""

    _rt = ResultType.BLOB


class GeoBin(_Bin):
    """The value of a GeoJSON bin."""

    _rt = ResultType.GEOJSON


class ListBin(_Bin):
    """The value of a list bin."""

    _rt = ResultType.LIST


class MapBin(_Bin):
    """The value of a map bin."""

    _rt = ResultType.MAP


class HLLBin(_Bin):
    """The value of a HyperLogLog bin."""

    _rt = ResultType.HLL


class BinExists(_Bin):
    """Whether the bin exists."""

    _op = wire.BIN_EXISTS
    _rt = ResultType.BOOLEAN


class BinType(_Bin):
    """The bin's particle type (0 when the bin does not exist)."""

    _op = _E.BIN_TYPE
    _rt = ResultType.INTEGER


# ------------------------------------------------------------------------------------------- metadata


class SetName(_Meta):
    """The record's set name."""

    _op = _E.SET_NAME
    _rt = ResultType.STRING


class DeviceSize(_Meta):
    """The record's size on the storage device (0 for in-memory namespaces)."""

    _op = _E.DEVICE_SIZE
    _rt = ResultType.INTEGER


class MemorySize(_Meta):
    """The record's size in memory."""

    _op = _E.MEMORY_SIZE
    _rt = ResultType.INTEGER


class RecordSize(_Meta):
    """The record's size."""

    _op = _E.RECORD_SIZE
    _rt = ResultType.INTEGER


class LastUpdateTime(_Meta):
    """The record's last update time, in nanoseconds since the Unix epoch."""

    _op = _E.LAST_UPDATE
    _rt = ResultType.INTEGER


class SinceUpdateTime(_Meta):
    """Milliseconds since the record was last updated."""

    _op = _E.SINCE_UPDATE
    _rt = ResultType.INTEGER


class VoidTime(_Meta):
    """The record's expiration time in nanoseconds since the Unix epoch (-1: never)."""

    _op = _E.VOID_TIME
    _rt = ResultType.INTEGER


class TTL(_Meta):
    """The record's time to live in seconds (-1: never expires)."""

    _op = _E.TTL
    _rt = ResultType.INTEGER


class IsTombstone(_Meta):
    """Whether the record is a tombstone (only meaningful where tombstones are visible)."""

    _op = _E.IS_TOMBSTONE
    _rt = ResultType.BOOLEAN


class DigestMod(_BaseExpr):
    """The record digest modulo `mod`."""

    _op = _E.DIGEST_MODULO
    _rt = ResultType.INTEGER

    def __init__(self, mod: int):
        self._fixed = {_Keys.VALUE_KEY: mod}


# ----------------------------------------------------------------------------------------- comparison


class _Compare(_BaseExpr):
    _rt = ResultType.BOOLEAN

    def __init__(self, expr0: Any, expr1: Any):
        self._children = (expr0, expr1)


class Eq(_Compare):
    """expr0 == expr1."""

    _op = _E.EQ


class NE(_Compare):
    """expr0 != expr1."""

    _op = _E.NE


class GT(_Compare):
    """expr0 > expr1."""

    _op = _E.GT


class GE(_Compare):
    """expr0 >= expr1."""

    _op = _E.GE


class LT(_Compare):
    """expr0 < expr1."""

    _op = _E.LT


class LE(_Compare):
    """expr0 <= expr1."""

    _op = _E.LE


class CmpRegex(_BaseExpr):
    """Whether the string `cmp_str` matches `regex_str` (POSIX regex, REGEX_* option flags)."""

    _op = _E.CMP_REGEX
    _rt = ResultType.BOOLEAN

    def __init__(self, options: int, regex_str: str, cmp_str: Any):
        self._fixed = {_Keys.REGEX_OPTIONS_KEY: options, _Keys.VALUE_KEY: regex_str}
        self._children = (cmp_str,)


class CmpGeo(_Compare):
    """Whether the GeoJSON expr0 lies within or contains expr1."""

    _op = _E.CMP_GEO


# ---------------------------------------------------------------------------------------------- logic


class _VarArgs(_BaseExpr):
    def __init__(self, *exprs: Any):
        self._children = exprs


class Not(_BaseExpr):
    """Logical not."""

    _op = _E.NOT
    _rt = ResultType.BOOLEAN

    def __init__(self, *exprs: Any):
        self._children = exprs


class And(_VarArgs):
    """Logical and of all arguments."""

    _op = _E.AND
    _rt = ResultType.BOOLEAN


class Or(_VarArgs):
    """Logical or of all arguments."""

    _op = _E.OR
    _rt = ResultType.BOOLEAN


class Exclusive(_VarArgs):
    """True when exactly one argument is true."""

    _op = _E.EXCLUSIVE
    _rt = ResultType.BOOLEAN


# ------------------------------------------------------------------------------------- flow control


class Cond(_VarArgs):
    """``Cond(test1, value1, test2, value2, ..., default)``: the value of the first true test."""

    _op = _E.COND


class Let(_VarArgs):
    """``Let(Def(name, expr), ..., scope)``: variables for the scope expression."""

    _op = _E.LET


class Def(_BaseExpr):
    """A variable definition inside Let."""

    _op = wire.DEF

    def __init__(self, var_name: str, expr: Any):
        self._fixed = {_Keys.VALUE_KEY: var_name}
        self._children = (expr,)


class Var(_BaseExpr):
    """The value of a variable defined by Let."""

    _op = _E.VAR

    def __init__(self, var_name: str):
        self._fixed = {_Keys.VALUE_KEY: var_name}


# ------------------------------------------------------------------------ path expressions (server 8.1)


class LoopVar(_BaseExpr):
    """The element a path context (``cdt_ctx_all_children_with_filter``, ``ModifyByPath``) is visiting:
    `var_id` is ``aerospike.EXP_LOOPVAR_KEY``, ``EXP_LOOPVAR_VALUE`` or ``EXP_LOOPVAR_INDEX``. Use the typed
    subclasses; this base class, as in 19.x, compiles to the unknown value."""

    def __init__(self, var_id: int):
        self._fixed = {_Keys.VALUE_KEY: var_id}


class _TypedLoopVar(LoopVar):
    _op = _E.LOOP_VAR


class LoopVarMap(_TypedLoopVar):
    """A loop variable holding a map."""

    _rt = ResultType.MAP


class LoopVarList(_TypedLoopVar):
    """A loop variable holding a list."""

    _rt = ResultType.LIST


class LoopVarStr(_TypedLoopVar):
    """A loop variable holding a string."""

    _rt = ResultType.STRING


class LoopVarFloat(_TypedLoopVar):
    """A loop variable holding a float."""

    _rt = ResultType.FLOAT


class LoopVarInt(_TypedLoopVar):
    """A loop variable holding an integer."""

    _rt = ResultType.INTEGER


class LoopVarBlob(_TypedLoopVar):
    """A loop variable holding bytes."""

    _rt = ResultType.BLOB


class LoopVarBool(_TypedLoopVar):
    """A loop variable holding a boolean."""

    _rt = ResultType.BOOLEAN


class LoopVarNil(_TypedLoopVar):
    """A loop variable holding nil."""

    _rt = ResultType.NIL


class LoopVarGeoJson(_TypedLoopVar):
    """A loop variable holding GeoJSON."""

    _rt = ResultType.GEOJSON


class LoopVarHLL(_TypedLoopVar):
    """A loop variable holding a HyperLogLog."""

    _rt = ResultType.HLL


class RemoveResult(_BaseExpr):
    """As the modifying expression of ModifyByPath: remove the selected element."""

    _op = _E.REMOVE_RESULT

    def __init__(self):
        pass


class SelectByPath(_BaseExpr):
    """The elements of `bin` that the path `ctx` selects (``EXP_PATH_SELECT_*`` flags say whether as the
    matching tree, values, keys or key-value pairs; ``EXP_PATH_SELECT_NO_FAIL`` skips elements of the wrong
    type)."""

    _op = _E.CALL

    def __init__(self, ctx: list, value_type: int, flags: int, bin: _BaseExpr):
        self._rt = value_type
        self._fixed = {"module": wire.CALL_CDT, _Keys.CTX_KEY: ctx, "path_flags": flags}
        self._children = (bin,)


class ModifyByPath(_BaseExpr):
    """`bin` with every element the path `ctx` selects replaced by what the compiled expression `mod_exp`
    returns for it (``RemoveResult()`` removes it); ``EXP_PATH_MODIFY_NO_FAIL`` skips elements it cannot
    change."""

    _op = _E.CALL

    def __init__(self, ctx: list, value_type: int, mod_exp: Any, flags: int, bin: _BaseExpr):
        self._rt = value_type
        self._fixed = {
            "module": wire.CALL_CDT | wire.CALL_MODIFY,
            _Keys.CTX_KEY: ctx,
            "path_flags": flags | wire.PATH_MODIFY_FLAG,
            "modify": mod_exp,
        }
        self._children = (bin,)
