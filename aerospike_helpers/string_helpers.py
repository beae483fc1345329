"""What string operations and string expressions share: regex flags, write flags, numeric types, the policy.

String operations and expressions need server 8.2 or later; CE 8.1 refuses them (parameter error, code 4).
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["NumericType", "RegexFlags", "StringPolicy", "WriteFlags"]


class RegexFlags(IntEnum):
    """Flags of the regex string calls, combined with ``|``."""

    DEFAULT = 0
    CASE_INSENSITIVE = 1
    MULTILINE = 2  # ^ and $ match at every line
    DOTALL = 4  # . matches line terminators
    UNIX_LINES = 8  # only \n ends a line
    GLOBAL = 16  # regex_replace replaces every match


class WriteFlags(IntEnum):
    """Write flags of a string policy, combined with ``|``."""

    DEFAULT = 0
    CREATE_ONLY = 1  # only the additive calls, and only when the bin does not exist
    UPDATE_ONLY = 2  # only an existing bin; a missing bin is left alone
    NO_FAIL = 4  # a call that cannot apply leaves the bin as it was, without an error


class NumericType(IntEnum):
    """What ``is_numeric`` accepts."""

    ANY = 0
    INT = 1
    FLOAT = 2  # needs a '.' followed by a digit


class StringPolicy:
    """The policy of a string write: its write flags."""

    def __init__(self, write_flags: WriteFlags = WriteFlags.DEFAULT):
        self.write_flags = write_flags


def _write_flags(policy: object) -> int:
    """The flags a policy sends (an object with ``write_flags``, or a dict with that key, or None)."""
    if policy is None:
        return 0
    if isinstance(policy, dict):
        return int(policy.get("write_flags", 0))
    return int(getattr(policy, "write_flags", 0))
