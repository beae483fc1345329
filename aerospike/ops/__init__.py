"""The operations of ``operate``: which codes are list/map (CDT) or bit/HLL/expression operations, and their
builders, loaded on first use.

Owns: the sets of operation codes the dispatch of ``operate`` asks about (``is_cdt_op``, ``is_bin_op``) and the
entry points ``build_cdt_op`` (builders.py: every ``OP_LIST_*`` / ``OP_MAP_*`` dict of the spec and of the current
API) and ``build_bin_op`` (bit_ops.py: ``OP_BIT_*``, ``OP_HLL_*``, expression operations). Every client imports
this package; the builders, msgpack packers and expression encoders behind them are imported by the first
operation that needs them (docs/internals.md, "Startup"). The code sets are written out here so that asking
about a code loads nothing; tests/unit/test_startup.py checks them against the builders' tables. Every other
public name of builders.py (``METHODS``, ``method_operation``, ``read_map_policy``, ``MapPolicy``, ...) is
importable from here as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional

from .results import ResultShape, key_value_pairs

if TYPE_CHECKING:
    from ..protocol.message import Op
    from .builders import METHODS, MapPolicy, MethodSpec, method_operation, read_map_policy
    from .list_ops import Fallback

__all__ = [
    "METHODS",
    "MapPolicy",
    "MethodSpec",
    "ResultShape",
    "build_bin_op",
    "build_cdt_op",
    "is_bin_op",
    "is_cdt_op",
    "key_value_pairs",
    "method_operation",
    "read_map_policy",
]

# OP_LIST_* 1001-1015 and OP_MAP_* 1101-1125 (3.0.0), the current API's list codes 1016-1041 and map codes
# 1126-1144 (builders.py's _BUILDERS).
CDT_OP_CODES = frozenset((*range(1001, 1042), *range(1101, 1145)))
# OP_BIT_* 2000-2017, OP_HLL_* 2100-2110, expression read/write 2200/2201 (bit_ops.is_bin_op).
# Bit, HLL and expression operations; then string operations (1200-1239), bit_b64_encode (2018) and the path
# operations (2300, 2301) of string_ops.py.
BIN_OP_CODES = frozenset((*range(2000, 2019), *range(2100, 2111), 2200, 2201, *range(1200, 1240), 2300, 2301))


def is_cdt_op(op_code: Any) -> bool:
    """Whether `op_code` is one of the spec's OP_LIST_* / OP_MAP_* operation codes."""
    return type(op_code) is int and op_code in CDT_OP_CODES


def is_bin_op(code: Any) -> bool:
    """Whether `code` is an OP_BIT_*, OP_HLL_*, OP_EXPR_*, string or path operation code."""
    return type(code) is int and code in BIN_OP_CODES


def build_cdt_op(operation: Mapping, fallback: Optional[Fallback] = None) -> tuple[Op, ResultShape]:
    """The protocol op and result shape of one spec operation dict with an OP_LIST_* / OP_MAP_* code (see
    builders.build_cdt_op, which this loads on first use)."""
    from .builders import build_cdt_op as build

    return build(operation, fallback)


def build_bin_op(operation: Mapping) -> tuple[Op, ResultShape]:
    """The protocol op and result shape of a bit, HLL or expression operation dict (bit_ops.build_bin_op)."""
    from .bit_ops import build_bin_op as build

    return build(operation)


def __getattr__(name: str) -> Any:
    # builders.py's names (METHODS, read_map_policy, LIST_BUILDERS, ...), loaded with it on first access.
    if not name.startswith("__") and name != "builders":  # `from . import builders` asks for it first
        from importlib import import_module

        builders = import_module("aerospike.ops.builders")
        if hasattr(builders, name):
            value = getattr(builders, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module 'aerospike.ops' has no attribute {name!r}")
