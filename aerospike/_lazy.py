"""Modules bound to a global name but imported on first attribute access.

Owns :class:`LazyModule`. ``import aerospike`` loads only what a connected get/put needs (docs/internals.md,
"Startup"); a module that uses ``json``, ``pickle`` or the admin code in a few of its functions binds the name to
a LazyModule instead, and the first attribute read imports the module and puts it in the global's place, so
every later use is an ordinary global lookup. Must not know which modules are made lazy, or why.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any


class LazyModule:
    """Stands for ``namespace[alias]`` until the first attribute read, which imports ``name`` and rebinds it."""

    __slots__ = ("_name", "_namespace", "_alias")

    def __init__(self, name: str, namespace: dict[str, Any], alias: str) -> None:
        self._name = name
        self._namespace = namespace
        self._alias = alias

    def load(self) -> Any:
        """Import the module and bind it in place of this stand-in; returns it."""
        module = import_module(self._name)
        self._namespace[self._alias] = module
        return module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.load(), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"
