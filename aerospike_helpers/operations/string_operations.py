"""String operations on string bins (``client.operate``), optionally inside nested lists and maps (`ctx`).

Server 8.2 added them: CE 8.1 refuses every one with InvalidRequest (code 4). Reads return the value asked
for; writes (those taking a `policy`, a ``string_helpers.StringPolicy``) change the bin in place.
"""

from __future__ import annotations

from typing import Any, List, Optional

from ..string_helpers import NumericType, RegexFlags, StringPolicy

__all__ = [
    "NumericType", "RegexFlags", "StringPolicy", "TypeCTX", "append", "base64_decode", "byte_length",
    "casefold", "char_at", "concat", "contains", "ends_with", "find", "insert", "is_lower", "is_numeric",
    "is_upper", "lower", "normalize_nfc", "overwrite", "pad_end", "pad_start", "prepend", "regex_compare",
    "regex_replace", "repeat", "replace", "replace_all", "snip", "split", "split_separator", "starts_with",
    "strlen", "substr", "substr_range", "to_blob", "to_double", "to_integer", "to_string", "trim", "trim_end",
    "trim_start", "upper",
]  # fmt: skip

TypeCTX = Optional[List[Any]]

# Operation codes (19.x's private _OP_STRING_*), read by aerospike.ops.string_ops.
_STRLEN, _SUBSTR, _SUBSTR_RANGE, _CHAR_AT, _FIND, _CONTAINS, _STARTS_WITH, _ENDS_WITH = range(1200, 1208)
_TO_INTEGER, _TO_DOUBLE, _BYTE_LENGTH, _IS_NUMERIC, _IS_UPPER, _IS_LOWER, _TO_BLOB = range(1208, 1215)
_SPLIT, _SPLIT_SEPARATOR, _B64_DECODE, _REGEX_COMPARE, _INSERT, _OVERWRITE, _CONCAT = range(1215, 1222)
_SNIP, _SNIP_START, _REPLACE, _REPLACE_ALL, _UPPER, _LOWER, _CASE_FOLD, _NORMALIZE_NFC = range(1222, 1230)
_TRIM_START, _TRIM_END, _TRIM, _PAD_START, _PAD_END, _REPEAT, _REGEX_REPLACE = range(1230, 1237)
_APPEND, _PREPEND, _TO_STRING = range(1237, 1240)


def _read(code: int, bin_name: str, ctx: TypeCTX, **args: Any) -> dict:
    return {"op": code, "bin": bin_name, **args, "ctx": ctx}


def _write(code: int, bin_name: str, policy: Optional[StringPolicy], ctx: TypeCTX, **args: Any) -> dict:
    return {"op": code, "bin": bin_name, **args, "policy": policy, "ctx": ctx}


def strlen(bin_name: str, ctx: TypeCTX = None) -> dict:
    """The number of code points."""
    return _read(_STRLEN, bin_name, ctx)


def substr(bin_name: str, start: int, ctx: TypeCTX = None) -> dict:
    """The string from code point `start`."""
    return _read(_SUBSTR, bin_name, ctx, start=start)


def substr_range(bin_name: str, start: int, end: int, ctx: TypeCTX = None) -> dict:
    """The code points from `start` to `end` (exclusive)."""
    return _read(_SUBSTR_RANGE, bin_name, ctx, start=start, end=end)


def char_at(bin_name: str, index: int, ctx: TypeCTX = None) -> dict:
    """The code point at `index`."""
    return _read(_CHAR_AT, bin_name, ctx, index=index)


def find(bin_name: str, needle: str, occurrence: int = 1, ctx: TypeCTX = None) -> dict:
    """The index of the `occurrence`-th `needle` (-1 when none)."""
    return _read(_FIND, bin_name, ctx, needle=needle, occurrence=occurrence)


def contains(bin_name: str, needle: str, ctx: TypeCTX = None) -> dict:
    """Whether the string contains `needle`."""
    return _read(_CONTAINS, bin_name, ctx, needle=needle)


def starts_with(bin_name: str, prefix: str, ctx: TypeCTX = None) -> dict:
    """Whether the string starts with `prefix`."""
    return _read(_STARTS_WITH, bin_name, ctx, prefix=prefix)


def ends_with(bin_name: str, suffix: str, ctx: TypeCTX = None) -> dict:
    """Whether the string ends with `suffix`."""
    return _read(_ENDS_WITH, bin_name, ctx, suffix=suffix)


def to_integer(bin_name: str, ctx: TypeCTX = None) -> dict:
    """The string parsed as an integer."""
    return _read(_TO_INTEGER, bin_name, ctx)


def to_double(bin_name: str, ctx: TypeCTX = None) -> dict:
    """The string parsed as a float."""
    return _read(_TO_DOUBLE, bin_name, ctx)


def byte_length(bin_name: str, ctx: TypeCTX = None) -> dict:
    """The length in UTF-8 bytes."""
    return _read(_BYTE_LENGTH, bin_name, ctx)


def is_numeric(bin_name: str, numeric_type: NumericType = NumericType.ANY, ctx: TypeCTX = None) -> dict:
    """Whether the string is a number of `numeric_type`."""
    return {"op": _IS_NUMERIC, "numeric_type": numeric_type, "bin": bin_name, "ctx": ctx}


def is_upper(bin_name: str, ctx: TypeCTX = None) -> dict:
    """Whether the string has no lower-case letters."""
    return _read(_IS_UPPER, bin_name, ctx)


def is_lower(bin_name: str, ctx: TypeCTX = None) -> dict:
    """Whether the string has no upper-case letters."""
    return _read(_IS_LOWER, bin_name, ctx)


def to_blob(bin_name: str, ctx: TypeCTX = None) -> dict:
    """The UTF-8 bytes."""
    return _read(_TO_BLOB, bin_name, ctx)


def split(bin_name: str, ctx: TypeCTX = None) -> dict:
    """The code points as a list of strings."""
    return _read(_SPLIT, bin_name, ctx)


def split_separator(bin_name: str, separator: str, ctx: TypeCTX = None) -> dict:
    """The parts between `separator`s."""
    return _read(_SPLIT_SEPARATOR, bin_name, ctx, separator=separator)


def base64_decode(bin_name: str, ctx: TypeCTX = None) -> dict:
    """The bytes the base64 string encodes."""
    return _read(_B64_DECODE, bin_name, ctx)


def regex_compare(bin_name: str, pattern: str, regex_flags: RegexFlags = RegexFlags.DEFAULT,
                  ctx: TypeCTX = None) -> dict:
    """Whether the string matches `pattern`."""
    return _read(_REGEX_COMPARE, bin_name, ctx, pattern=pattern, regex_flags=regex_flags)


def to_string(bin_name: str) -> dict:
    """The bin's value, whatever its type, as a string."""
    return {"op": _TO_STRING, "bin": bin_name}


def insert(bin_name: str, index: int, value: str, policy: Optional[StringPolicy] = None,
           ctx: TypeCTX = None) -> dict:
    """Insert `value` at `index`."""
    return _write(_INSERT, bin_name, policy, ctx, index=index, value=value)


def overwrite(bin_name: str, index: int, value: str, policy: Optional[StringPolicy] = None,
              ctx: TypeCTX = None) -> dict:
    """Overwrite with `value` from `index`."""
    return _write(_OVERWRITE, bin_name, policy, ctx, index=index, value=value)


def concat(bin_name: str, value_list: List[str], policy: Optional[StringPolicy] = None,
           ctx: TypeCTX = None) -> dict:
    """Append every string of `value_list`."""
    return _write(_CONCAT, bin_name, policy, ctx, value_list=value_list)


def append(bin_name: str, value: str, policy: Optional[StringPolicy] = None, ctx: TypeCTX = None) -> dict:
    """Append `value`."""
    return _write(_APPEND, bin_name, policy, ctx, value=value)


def prepend(bin_name: str, value: str, policy: Optional[StringPolicy] = None, ctx: TypeCTX = None) -> dict:
    """Prepend `value`."""
    return _write(_PREPEND, bin_name, policy, ctx, value=value)


def snip(bin_name: str, start: int, end: Optional[int] = None, policy: Optional[StringPolicy] = None,
         ctx: TypeCTX = None) -> dict:
    """Remove the code points from `start` to `end` (to the end when None; then no policy is sent)."""
    return _write(_SNIP, bin_name, policy, ctx, start=start, end=end)


def replace(bin_name: str, needle: str, replacement: str, policy: Optional[StringPolicy] = None,
            ctx: TypeCTX = None) -> dict:
    """Replace the first `needle`."""
    return _write(_REPLACE, bin_name, policy, ctx, needle=needle, replacement=replacement)


def replace_all(bin_name: str, needle: str, replacement: str, policy: Optional[StringPolicy] = None,
                ctx: TypeCTX = None) -> dict:
    """Replace every `needle`."""
    return _write(_REPLACE_ALL, bin_name, policy, ctx, needle=needle, replacement=replacement)


def upper(bin_name: str, policy: Optional[StringPolicy] = None, ctx: TypeCTX = None) -> dict:
    """Upper-case the string."""
    return _write(_UPPER, bin_name, policy, ctx)


def lower(bin_name: str, policy: Optional[StringPolicy] = None, ctx: TypeCTX = None) -> dict:
    """Lower-case the string."""
    return _write(_LOWER, bin_name, policy, ctx)


def casefold(bin_name: str, policy: Optional[StringPolicy] = None, ctx: TypeCTX = None) -> dict:
    """Case-fold the string."""
    return _write(_CASE_FOLD, bin_name, policy, ctx)


def normalize_nfc(bin_name: str, policy: Optional[StringPolicy] = None, ctx: TypeCTX = None) -> dict:
    """Normalize the string to NFC."""
    return _write(_NORMALIZE_NFC, bin_name, policy, ctx)


def trim_start(bin_name: str, policy: Optional[StringPolicy] = None, ctx: TypeCTX = None) -> dict:
    """Remove leading white space."""
    return _write(_TRIM_START, bin_name, policy, ctx)


def trim_end(bin_name: str, policy: Optional[StringPolicy] = None, ctx: TypeCTX = None) -> dict:
    """Remove trailing white space."""
    return _write(_TRIM_END, bin_name, policy, ctx)


def trim(bin_name: str, policy: Optional[StringPolicy] = None, ctx: TypeCTX = None) -> dict:
    """Remove leading and trailing white space."""
    return _write(_TRIM, bin_name, policy, ctx)


def pad_start(bin_name: str, target_length: int, pad_string: str, policy: Optional[StringPolicy] = None,
              ctx: TypeCTX = None) -> dict:
    """Pad the start with `pad_string` to `target_length` code points."""
    return {"op": _PAD_START, "target_length": target_length, "pad_string": pad_string, "bin": bin_name,
            "policy": policy, "ctx": ctx}


def pad_end(bin_name: str, target_length: int, pad_string: str, policy: Optional[StringPolicy] = None,
            ctx: TypeCTX = None) -> dict:
    """Pad the end with `pad_string` to `target_length` code points."""
    return {"op": _PAD_END, "target_length": target_length, "pad_string": pad_string, "bin": bin_name,
            "policy": policy, "ctx": ctx}


def repeat(bin_name: str, count: int, policy: Optional[StringPolicy] = None, ctx: TypeCTX = None) -> dict:
    """The string repeated `count` times."""
    return _write(_REPEAT, bin_name, policy, ctx, count=count)


def regex_replace(bin_name: str, pattern: str, replacement: str, regex_flags: RegexFlags = RegexFlags.DEFAULT,
                  policy: Optional[StringPolicy] = None, ctx: TypeCTX = None) -> dict:
    """Replace matches of `pattern` (every match with ``RegexFlags.GLOBAL``)."""
    return _write(_REGEX_REPLACE, bin_name, policy, ctx, pattern=pattern, replacement=replacement,
                  regex_flags=regex_flags)
