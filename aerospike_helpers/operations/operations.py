"""Scalar operations: read, write, increment, append, prepend, touch, delete.

The dicts carry this package's ``aerospike.OPERATOR_*`` codes (3.0.0's numbering, see docs/differences.md).
"""

from __future__ import annotations

from typing import Any, Optional

import aerospike

__all__ = ["append", "delete", "increment", "prepend", "read", "touch", "write"]


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
