"""Scalar operations: read, write, increment, append, prepend, touch, delete.

The dicts carry this package's ``aerospike.OPERATOR_*`` codes (3.0.0's numbering, see docs/differences.md).
"""

from __future__ import annotations

from typing import Any, Optional

import aerospike

__all__ = ["append", "delete", "increment", "modify_by_path", "prepend", "read", "select_by_path", "touch", "write"]

# Codes of the path operations. 19.x numbers them 2 and 3, but 2 is 3.0.0's OPERATOR_WRITE here, so this
# package gives them codes of their own: build them with these helpers, not by hand.
_OP_SELECT_BY_PATH = 2300
_OP_MODIFY_BY_PATH = 2301


def read(bin_name: str) -> dict:
    """Read the bin."""
    return {"op": aerospike.OPERATOR_READ, "bin": bin_name}


def write(bin_name: str, write_item: Any) -> dict:
    """Write `write_item` to the bin."""
    return {"op": aerospike.OPERATOR_WRITE, "bin": bin_name, "val": write_item}


def delete() -> dict:
    """Delete the record."""
    return {"op": aerospike.OPERATOR_DELETE}


def append(bin_name: str, append_item: Any) -> dict:
    """Append a string or bytes to the bin."""
    return {"op": aerospike.OPERATOR_APPEND, "bin": bin_name, "val": append_item}


def prepend(bin_name: str, prepend_item: Any) -> dict:
    """Prepend a string or bytes to the bin."""
    return {"op": aerospike.OPERATOR_PREPEND, "bin": bin_name, "val": prepend_item}


def increment(bin_name: str, amount: Any) -> dict:
    """Add `amount` (int or float) to the bin."""
    return {"op": aerospike.OPERATOR_INCR, "bin": bin_name, "val": amount}


def touch(ttl: Optional[int] = None) -> dict:
    """Reset the record's time to live (`ttl` seconds; without it, the policy's or namespace default)."""
    operation: dict = {"op": aerospike.OPERATOR_TOUCH}
    if ttl:
        operation["val"] = ttl
    return operation


def select_by_path(bin_name: str, ctx: list, flags: int) -> dict:
    """The elements of the bin that the path `ctx` selects (``aerospike.EXP_PATH_SELECT_*`` flags; server
    8.1 and later)."""
    return {"op": _OP_SELECT_BY_PATH, "bin": bin_name, "ctx": ctx, "cdt_flags": flags}


def modify_by_path(bin_name: str, ctx: list, expr: Any, flags: int) -> dict:
    """Replace every element the path `ctx` selects with what the compiled expression `expr` returns for it
    (``RemoveResult()`` removes it); ``aerospike.EXP_PATH_MODIFY_*`` flags. Server 8.1 and later."""
    return {"op": _OP_MODIFY_BY_PATH, "bin": bin_name, "ctx": ctx, "mod_exp": expr, "cdt_flags": flags}
