"""The package's layers, checked from the source: what each module imports, read from its syntax tree.

- `aerospike/protocol/` is sans-IO: it imports no socket, time, threading or os (nor their submodules), at the
  top of a module or inside a function, and calls no `__import__`/`importlib` to get round that.
- `aerospike/testing/` (the local cluster) imports the protocol layer, itself, the standard library and
  third-party packages, never the client core, so a bug in the client cannot hide a bug in the double.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "aerospike"
IO_MODULES = frozenset(("socket", "time", "threading", "os"))


def module_name(path: Path) -> str:
    """The dotted module name of a file of the package ("aerospike.protocol.frame", "aerospike.testing")."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, name: str, is_package: bool = False) -> set[str]:
    """Every module `source` (the module `name`) imports, relative imports resolved to absolute names.

    `from a import b` counts as both `a` and `a.b` (b may be a submodule). Dynamic imports through
    `__import__(...)` or `importlib.import_module(...)` with a constant name count too.
    """
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call):
            function = node.func
            dynamic = (isinstance(function, ast.Name) and function.id == "__import__") or (
                isinstance(function, ast.Attribute) and function.attr == "import_module"
            )
            if dynamic and node.args and isinstance(node.args[0], ast.Constant):
                found.add(str(node.args[0].value))
    return found


def modules_of(subpackage: str) -> list[Path]:
    paths = sorted((PACKAGE / subpackage).rglob("*.py"))
    assert paths, f"no modules under aerospike/{subpackage}"
    return paths


def imports_of(path: Path) -> set[str]:
    return imported_modules(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")


def top(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("path", modules_of("protocol"), ids=lambda path: path.name)
def test_protocol_modules_do_no_io(path: Path) -> None:
    io = sorted(module for module in imports_of(path) if top(module) in IO_MODULES)
    assert io == [], f"{module_name(path)} imports {io}"


def is_core(module: str) -> bool:
    """`aerospike` itself (its __init__ is the client) or a part of it other than the protocol or the double."""
    return top(module) == "aerospike" and not module.startswith(("aerospike.protocol", "aerospike.testing"))


@pytest.mark.parametrize("path", modules_of("testing"), ids=lambda path: path.name)
def test_local_cluster_never_imports_the_client_core(path: Path) -> None:
    core = sorted(module for module in imports_of(path) if is_core(module))
    assert core == [], f"{module_name(path)} imports the client core: {core}"


# --------------------------------------------------------------------------------------------------------------
# The checker itself: it must see what it is meant to forbid.


def test_checker_sees_io_imports_in_any_form() -> None:
    source = """
import os.path
from time import monotonic
import threading as t
def later():
    import socket
    __import__("select")
    return importlib.import_module("ssl")
"""
    found = imported_modules(source, "aerospike.protocol.frame")
    assert {"os.path", "time", "threading", "socket", "select", "ssl"} <= found
    assert {top(module) for module in found} & IO_MODULES == IO_MODULES


def test_checker_resolves_relative_imports_to_the_core() -> None:
    source = """
from . import store
from .server import NodeServer
from ..protocol import frame
from .. import connection
from ..command import execute
import aerospike
from aerospike import exception
"""
    found = imported_modules(source, "aerospike.testing.cluster")
    assert {"aerospike.testing.store", "aerospike.testing.server", "aerospike.protocol.frame"} <= found
    assert sorted(module for module in found if is_core(module)) == [
        "aerospike",
        "aerospike.command",
        "aerospike.command.execute",
        "aerospike.connection",
        "aerospike.exception",
    ]
    # In a package's __init__, "." is the package itself.
    assert "aerospike.testing.cluster" in imported_modules(
        "from .cluster import LocalCluster", "aerospike.testing", is_package=True
    )
