"""String expressions: reads and writes of string bins (or string expressions), as string calls on the wire.

Server 8.2 added the string module: CE 8.1 refuses these expressions with a parameter error (code 4). They
take no ``ctx``: reach a nested string with ``ListGetByIndex`` or ``MapGetByKey`` and pass that expression.
"""

from __future__ import annotations

from typing import Any, Optional, Union

from aerospike.protocol import expressions as wire

from ..string_helpers import NumericType, RegexFlags, StringPolicy, _write_flags
from .base import StrBin
from .resources import ResultType, _BaseExpr, _CallExpr

__all__ = [
    "Append", "Base64Decode", "ByteLength", "CaseFold", "CharAt", "Concat", "Contains", "EndsWith", "Find",
    "Insert", "IsLower", "IsNumeric", "IsUpper", "Lower", "NormalizeNFC", "NumericType", "Overwrite", "PadEnd",
    "PadStart", "Prepend", "RegexCompare", "RegexFlags", "RegexReplace", "Repeat", "Replace", "ReplaceAll",
    "Snip", "Split", "SplitSeparator", "StartsWith", "StrBin", "StrLen", "StringPolicy", "SubStr",
    "SubStrRange", "ToBlob", "ToDouble", "ToInteger", "ToString", "Trim", "TrimEnd", "TrimStart",
    "TypeBinName", "Upper",
]  # fmt: skip

TypeBinName = Union[_BaseExpr, str]

_S = wire.STRING_OP


def _bin(bin: Any) -> _BaseExpr:
    return bin if isinstance(bin, _BaseExpr) else StrBin(bin)


class _StringRead(_CallExpr):
    def _read(self, op: int, rt: int, args: tuple, bin: Any) -> None:
        self._call(wire.CALL_STRING, op, rt, args, _bin(bin))


class _StringWrite(_CallExpr):
    """A string modify: its arguments, then the policy's write flags, and the modified string back."""

    def _write(self, op: int, args: tuple, policy: Optional[StringPolicy], bin: Any) -> None:
        args = (*args, _write_flags(policy))
        self._call(wire.CALL_STRING | wire.CALL_MODIFY, op, ResultType.STRING, args, _bin(bin))


# ---------------------------------------------------------------------------------------------- reads


class StrLen(_StringRead):
    """The number of code points of the string."""

    def __init__(self, bin: TypeBinName):
        self._read(_S.STRLEN, ResultType.INTEGER, (), bin)


class SubStr(_StringRead):
    """The string from code point `start` to its end."""

    def __init__(self, start: int, bin: TypeBinName):
        self._read(_S.SUBSTR, ResultType.STRING, (start,), bin)


class SubStrRange(_StringRead):
    """The code points from `start` (inclusive) to `end` (exclusive)."""

    def __init__(self, start: int, end: int, bin: TypeBinName):
        self._read(_S.SUBSTR, ResultType.STRING, (start, end), bin)


class CharAt(_StringRead):
    """The code point at `index`, as a string."""

    def __init__(self, index: int, bin: TypeBinName):
        self._read(_S.CHAR_AT, ResultType.STRING, (index,), bin)


class Find(_StringRead):
    """The code point index of the `occurrence`-th `needle` (-1 when there is none)."""

    def __init__(self, needle: str, occurrence: int, bin: TypeBinName):
        self._read(_S.FIND, ResultType.INTEGER, (needle, occurrence), bin)


class Contains(_StringRead):
    """Whether the string contains `needle`."""

    def __init__(self, needle: str, bin: TypeBinName):
        self._read(_S.CONTAINS, ResultType.BOOLEAN, (needle,), bin)


class StartsWith(_StringRead):
    """Whether the string starts with `prefix`."""

    def __init__(self, prefix: str, bin: TypeBinName):
        self._read(_S.STARTS_WITH, ResultType.BOOLEAN, (prefix,), bin)


class EndsWith(_StringRead):
    """Whether the string ends with `suffix`."""

    def __init__(self, suffix: str, bin: TypeBinName):
        self._read(_S.ENDS_WITH, ResultType.BOOLEAN, (suffix,), bin)


class ToInteger(_StringRead):
    """The string parsed as an integer."""

    def __init__(self, bin: TypeBinName):
        self._read(_S.TO_INTEGER, ResultType.INTEGER, (), bin)


class ToDouble(_StringRead):
    """The string parsed as a float."""

    def __init__(self, bin: TypeBinName):
        self._read(_S.TO_DOUBLE, ResultType.FLOAT, (), bin)


class ByteLength(_StringRead):
    """The string's length in UTF-8 bytes."""

    def __init__(self, bin: TypeBinName):
        self._read(_S.BYTE_LENGTH, ResultType.INTEGER, (), bin)


class IsNumeric(_StringRead):
    """Whether the string is a number of `numeric_type`."""

    def __init__(self, numeric_type: NumericType, bin: TypeBinName):
        self._read(_S.IS_NUMERIC, ResultType.BOOLEAN, (int(numeric_type),), bin)


class IsUpper(_StringRead):
    """Whether the string has no lower-case letters."""

    def __init__(self, bin: TypeBinName):
        self._read(_S.IS_UPPER, ResultType.BOOLEAN, (), bin)


class IsLower(_StringRead):
    """Whether the string has no upper-case letters."""

    def __init__(self, bin: TypeBinName):
        self._read(_S.IS_LOWER, ResultType.BOOLEAN, (), bin)


class ToBlob(_StringRead):
    """The string's UTF-8 bytes."""

    def __init__(self, bin: TypeBinName):
        self._read(_S.TO_BLOB, ResultType.BLOB, (), bin)


class Split(_StringRead):
    """The string's code points, as a list of one-character strings."""

    def __init__(self, bin: TypeBinName):
        self._read(_S.SPLIT, ResultType.LIST, (), bin)


class SplitSeparator(_StringRead):
    """The parts of the string between `separator`s."""

    def __init__(self, separator: str, bin: TypeBinName):
        self._read(_S.SPLIT, ResultType.LIST, (separator,), bin)


class Base64Decode(_StringRead):
    """The bytes the base64 string encodes."""

    def __init__(self, bin: TypeBinName):
        self._read(_S.B64_DECODE, ResultType.BLOB, (), bin)


class RegexCompare(_StringRead):
    """Whether the string matches the regex `pattern`."""

    def __init__(self, pattern: str, bin: TypeBinName, regex_flags: RegexFlags = RegexFlags.DEFAULT):
        self._read(_S.REGEX_COMPARE, ResultType.BOOLEAN, (pattern, int(regex_flags)), bin)


class ToString(_BaseExpr):
    """Any value as its string form."""

    _op = wire.EXP.TO_STRING
    _rt = ResultType.STRING

    def __init__(self, bin: TypeBinName):
        self._children = (_bin(bin),)


# --------------------------------------------------------------------------------------------- writes


class Insert(_StringWrite):
    """Insert `value` at code point `index`."""

    def __init__(self, policy: StringPolicy, index: int, value: str, bin: TypeBinName):
        self._write(_S.INSERT, (index, value), policy, bin)


class Overwrite(_StringWrite):
    """Overwrite with `value` from code point `index`."""

    def __init__(self, policy: StringPolicy, index: int, value: str, bin: TypeBinName):
        self._write(_S.OVERWRITE, (index, value), policy, bin)


class Append(_StringWrite):
    """Append `value`."""

    def __init__(self, policy: StringPolicy, value: str, bin: TypeBinName):
        self._write(_S.APPEND, (value,), policy, bin)


class Prepend(_StringWrite):
    """Prepend `value`."""

    def __init__(self, policy: StringPolicy, value: str, bin: TypeBinName):
        self._write(_S.PREPEND, (value,), policy, bin)


class Concat(_StringWrite):
    """Append every string of `values`."""

    def __init__(self, policy: StringPolicy, values: list, bin: TypeBinName):
        self._write(_S.CONCAT, (list(values),), policy, bin)


class Snip(_StringWrite):
    """Remove the code points from `start` to `end` (to the end when `end` is None; then no policy is sent)."""

    def __init__(self, policy: StringPolicy, start: int, end: Optional[int], bin: TypeBinName):
        if end is None:
            self._call(wire.CALL_STRING | wire.CALL_MODIFY, _S.SNIP, ResultType.STRING, (start,), _bin(bin))
        else:
            self._write(_S.SNIP, (start, end), policy, bin)


class Replace(_StringWrite):
    """Replace the first `needle` with `replacement`."""

    def __init__(self, policy: StringPolicy, needle: str, replacement: str, bin: TypeBinName):
        self._write(_S.REPLACE, ([needle, replacement],), policy, bin)


class ReplaceAll(_StringWrite):
    """Replace every `needle` with `replacement`."""

    def __init__(self, policy: StringPolicy, needle: str, replacement: str, bin: TypeBinName):
        self._write(_S.REPLACE_ALL, ([needle, replacement],), policy, bin)


class Upper(_StringWrite):
    """Upper-case the string."""

    def __init__(self, policy: StringPolicy, bin: TypeBinName):
        self._write(_S.UPPER, (), policy, bin)


class Lower(_StringWrite):
    """Lower-case the string."""

    def __init__(self, policy: StringPolicy, bin: TypeBinName):
        self._write(_S.LOWER, (), policy, bin)


class CaseFold(_StringWrite):
    """Case-fold the string (for caseless comparison)."""

    def __init__(self, policy: StringPolicy, bin: TypeBinName):
        self._write(_S.CASE_FOLD, (), policy, bin)


class NormalizeNFC(_StringWrite):
    """Normalize the string to Unicode NFC."""

    def __init__(self, policy: StringPolicy, bin: TypeBinName):
        self._write(_S.NORMALIZE_NFC, (), policy, bin)


class TrimStart(_StringWrite):
    """Remove leading white space."""

    def __init__(self, policy: StringPolicy, bin: TypeBinName):
        self._write(_S.TRIM_START, (), policy, bin)


class TrimEnd(_StringWrite):
    """Remove trailing white space."""

    def __init__(self, policy: StringPolicy, bin: TypeBinName):
        self._write(_S.TRIM_END, (), policy, bin)


class Trim(_StringWrite):
    """Remove leading and trailing white space."""

    def __init__(self, policy: StringPolicy, bin: TypeBinName):
        self._write(_S.TRIM, (), policy, bin)


class PadStart(_StringWrite):
    """Pad the start with `pad_string` up to `target_length` code points."""

    def __init__(self, policy: StringPolicy, target_length: int, pad_string: str, bin: TypeBinName):
        self._write(_S.PAD_START, (target_length, pad_string), policy, bin)


class PadEnd(_StringWrite):
    """Pad the end with `pad_string` up to `target_length` code points."""

    def __init__(self, policy: StringPolicy, target_length: int, pad_string: str, bin: TypeBinName):
        self._write(_S.PAD_END, (target_length, pad_string), policy, bin)


class Repeat(_StringWrite):
    """The string repeated `count` times."""

    def __init__(self, policy: StringPolicy, count: int, bin: TypeBinName):
        self._write(_S.REPEAT, (count,), policy, bin)


class RegexReplace(_StringWrite):
    """Replace matches of the regex `pattern` with `replacement` (every match with ``RegexFlags.GLOBAL``)."""

    def __init__(
        self, policy: StringPolicy, pattern: str, replacement: str, regex_flags: RegexFlags, bin: TypeBinName
    ):
        self._write(_S.REGEX_REPLACE, ([pattern, replacement], int(regex_flags)), policy, bin)
