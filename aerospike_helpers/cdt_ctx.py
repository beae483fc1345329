"""CDT contexts: where inside nested lists and maps an operation or expression applies.

Each function returns one context item; an operation's ``ctx`` is a list of them, outermost first. Create
contexts (``cdt_ctx_list_index_create``, ``cdt_ctx_map_key_create``) make the missing level with the given
order (and padding) instead of failing.
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "cdt_ctx_all_children",
    "cdt_ctx_all_children_with_filter",
    "cdt_ctx_and_filter",
    "cdt_ctx_map_keys_in",
    "index_datatype_string",
    "index_type_string",
    "cdt_ctx_list_index",
    "cdt_ctx_list_index_create",
    "cdt_ctx_list_rank",
    "cdt_ctx_list_value",
    "cdt_ctx_map_index",
    "cdt_ctx_map_key",
    "cdt_ctx_map_key_create",
    "cdt_ctx_map_rank",
    "cdt_ctx_map_value",
]

CDT_CTX_ORDER_KEY = "order_key"
CDT_CTX_PAD_KEY = "pad_key"

# Context ids of the API (aerospike.CDT_CTX_*) and of the wire.
_LIST_INDEX = 0x10
_LIST_RANK = 0x11
_LIST_VALUE = 0x13
_LIST_INDEX_CREATE = 0x14
_MAP_INDEX = 0x20
_MAP_RANK = 0x21
_MAP_KEY = 0x22
_MAP_VALUE = 0x23
_MAP_KEY_CREATE = 0x24
# Path-expression contexts (server 8.1): every child (with an optional filter), a filter AND-ed with the
# previous level, the entries of a list of map keys.
_EXP = 0x04
_AND = 0x200
_MAP_KEYS_IN = 0x2A
_FILTER_EXPR_KEY = "filter_expr"

_LIST_ORDERED = 1
_MAP_KEY_ORDERED = 1
_MAP_KEY_VALUE_ORDERED = 3


class _cdt_ctx:
    """One context item: its API id, its value and, for create contexts, the order (and pad) to create with."""

    def __init__(self, *, id: Optional[int] = None, value: Any = None, extra_args: Optional[dict] = None):
        self.id = id
        self.value = value
        self.extra_args = extra_args

    @property
    def wire_id(self) -> int:
        """The id as the server reads it: create contexts carry the new level's order in bits 6-7."""
        extra = self.extra_args or {}
        if self.id == _LIST_INDEX_CREATE:
            if extra.get(CDT_CTX_ORDER_KEY, 0) == _LIST_ORDERED:
                return _LIST_INDEX | 0xC0
            return _LIST_INDEX | (0x80 if extra.get(CDT_CTX_PAD_KEY) else 0x40)
        if self.id == _MAP_KEY_CREATE:
            order = extra.get(CDT_CTX_ORDER_KEY, 0)
            flag = 0xC0 if order == _MAP_KEY_VALUE_ORDERED else 0x80 if order == _MAP_KEY_ORDERED else 0x40
            return _MAP_KEY | flag
        return int(self.id or 0)

    @property
    def filter_expression(self) -> Any:
        """The compiled filter of a path context (written as the context's value), or None."""
        return (self.extra_args or {}).get(_FILTER_EXPR_KEY)

    def __repr__(self) -> str:
        return f"_cdt_ctx(id={self.id!r}, value={self.value!r}, extra_args={self.extra_args!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _cdt_ctx):
            return NotImplemented
        return (self.id, self.value, self.extra_args) == (other.id, other.value, other.extra_args)

    __hash__ = None  # type: ignore[assignment]


def cdt_ctx_list_index(index: int) -> _cdt_ctx:
    """The list element at `index` (negative: from the end)."""
    return _cdt_ctx(id=_LIST_INDEX, value=index)


def cdt_ctx_list_rank(rank: int) -> _cdt_ctx:
    """The list element of rank `rank` (value order)."""
    return _cdt_ctx(id=_LIST_RANK, value=rank)


def cdt_ctx_list_value(value: Any) -> _cdt_ctx:
    """The list element equal to `value`."""
    return _cdt_ctx(id=_LIST_VALUE, value=value)


def cdt_ctx_list_index_create(index: int, order: int = 0, pad: bool = False) -> _cdt_ctx:
    """The list element at `index`, created as a list of `order` (padded with nils when `pad`) if missing."""
    return _cdt_ctx(id=_LIST_INDEX_CREATE, value=index, extra_args={CDT_CTX_ORDER_KEY: order, CDT_CTX_PAD_KEY: pad})


def cdt_ctx_map_index(index: int) -> _cdt_ctx:
    """The map entry at `index` (key order)."""
    return _cdt_ctx(id=_MAP_INDEX, value=index)


def cdt_ctx_map_rank(rank: int) -> _cdt_ctx:
    """The map entry of rank `rank` (value order)."""
    return _cdt_ctx(id=_MAP_RANK, value=rank)


def cdt_ctx_map_key(key: Any) -> _cdt_ctx:
    """The map entry of `key`."""
    return _cdt_ctx(id=_MAP_KEY, value=key)


def cdt_ctx_map_value(value: Any) -> _cdt_ctx:
    """The map entry whose value equals `value`."""
    return _cdt_ctx(id=_MAP_VALUE, value=value)


def cdt_ctx_map_key_create(key: Any, order: int = 0) -> _cdt_ctx:
    """The map entry of `key`, created as a map of `order` if missing."""
    return _cdt_ctx(id=_MAP_KEY_CREATE, value=key, extra_args={CDT_CTX_ORDER_KEY: order})


def cdt_ctx_all_children() -> _cdt_ctx:
    """Every child of the current level (path expressions: select or modify by path)."""
    return _cdt_ctx(id=_EXP)


def cdt_ctx_all_children_with_filter(expression: Any) -> _cdt_ctx:
    """The children of the current level for which the compiled boolean `expression` is true (it reads the
    child through ``LoopVar*`` expressions)."""
    return _cdt_ctx(id=_EXP, extra_args={_FILTER_EXPR_KEY: expression})


def cdt_ctx_and_filter(expression: Any) -> _cdt_ctx:
    """A compiled boolean `expression` AND-ed with the previous context (``cdt_ctx_map_keys_in``) at the same
    level; never first, at most one per level."""
    return _cdt_ctx(id=_AND | _EXP, extra_args={_FILTER_EXPR_KEY: expression})


def cdt_ctx_map_keys_in(keys: list) -> _cdt_ctx:
    """The map entries whose keys are among `keys` (those that exist); path expressions only."""
    return _cdt_ctx(id=_MAP_KEYS_IN, value=keys)


def index_type_string(index_type: int) -> str:
    """The name of an ``INDEX_TYPE_*`` value: 'default', 'list', 'mapkeys', 'mapvalues' or 'invalid'."""
    return {0: "default", 1: "list", 2: "mapkeys", 3: "mapvalues"}.get(index_type, "invalid")


def index_datatype_string(index_datatype: int) -> str:
    """The name of an index data type of ``aerospike`` (this package's values): 'numeric', 'string',
    'geo2dsphere' or 'invalid'."""
    import aerospike

    names = {aerospike.INDEX_NUMERIC: "numeric", aerospike.INDEX_STRING: "string",
             aerospike.INDEX_GEO2DSPHERE: "geo2dsphere"}  # fmt: skip
    return names.get(index_datatype, "invalid")
