"""Value types of the current API (19.x) for list and map values: ``KeyOrderedDict``, ``CDTWildcard``, ``CDTInfinite``.

Owns: the three classes. ``KeyOrderedDict`` packs as a key-ordered map (the map marker with flag 1, entries sorted
by key, as the server keeps them); ``CDTWildcard`` and ``CDTInfinite`` pack as Aerospike's msgpack sentinels (ext
type -1 with 0 and 1), which only comparisons in operations and expressions accept. The packing itself is
``aerospike.protocol.cdt``'s.
"""

from __future__ import annotations

from .protocol.cdt import MAP_KEY_ORDERED, register_map_type

__all__ = ["CDTInfinite", "CDTWildcard", "KeyOrderedDict"]


class KeyOrderedDict(dict):
    """A dict stored on the server as a key-ordered map; otherwise a plain dict."""


class CDTWildcard:
    """A value that matches any value, for comparisons in list and map operations (never stored)."""

    def __repr__(self) -> str:
        return "aerospike.CDTWildcard()"


class CDTInfinite:
    """A value greater than every other, the open end of a range in list and map operations (never stored)."""

    def __repr__(self) -> str:
        return "aerospike.CDTInfinite()"


register_map_type(KeyOrderedDict, MAP_KEY_ORDERED)
