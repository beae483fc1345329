"""Expression operations: write an expression's value to a bin, or read it under a bin name."""

from __future__ import annotations

from typing import Any

import aerospike

__all__ = ["expression_read", "expression_write"]

# The operation dicts' keys, as 19.x names them.
OP_KEY = "op"
BIN_KEY = "bin"
EXPR_KEY = "expr"
EXPR_FLAGS_KEY = "expr_flags"


def expression_read(bin_name: str, expression: Any, expression_read_flags: int = 0) -> dict:
    """Evaluate the compiled `expression` and return its value under `bin_name` (EXP_READ_* flags)."""
    return {"op": aerospike.OP_EXPR_READ, "bin": bin_name, "expr": expression, "expr_flags": expression_read_flags}


def expression_write(bin_name: str, expression: Any, expression_write_flags: int = 0) -> dict:
    """Evaluate the compiled `expression` and write its value to `bin_name` (EXP_WRITE_* flags)."""
    return {"op": aerospike.OP_EXPR_WRITE, "bin": bin_name, "expr": expression, "expr_flags": expression_write_flags}
