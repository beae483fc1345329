"""The Client's list_* and map_* methods of client.rst: one list or map operation on one record.

Owns: the 3.0.0 signatures of these methods and what each returns (0 for the writes without a result, the
count for list_size / map_size, the operation's result for pops, gets and removes by key/value/index/rank).
Each method turns its arguments into the spec's operation dict (``aerospike.ops.method_operation``) and runs it
through the same encoder and reply parser as ``operate``, so there is one code path for list and map
operations. Must not know sockets or wire layouts; argument checks live with the operation builders.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import record_commands as rc
from .key import parse_key
from .ops import METHODS, method_operation
from .values import ValueCodec

__all__ = ["CdtMethods"]


class CdtMethods:
    """Mixin of :class:`aerospike.Client`: the list and map convenience methods."""

    # Provided by Client.
    _codec: ValueCodec
    _resolve: Callable[..., Any]
    _execute: Callable[..., Any]
    _connected_cluster: Callable[[], Any]

    def _cdt_call(self, name: str, key: Any, args: tuple, meta: Any, policy: Any) -> Any:
        """Run the method `name`'s operation (built from `args`) on `key`; return what 3.0.0 returned."""
        cluster = self._connected_cluster()
        record_key = parse_key(key)
        operation = method_operation(name, *args)
        operate_policy = self._resolve("operate", policy)
        spec = rc.encode_operate(record_key, [operation], meta, operate_policy, self._codec)
        spec.key_value_pairs = True
        _, _, results = self._execute(
            cluster,
            operate_policy,
            spec.request,
            record_key.namespace,
            record_key.partition_id,
            spec.is_write,
            rc.operate_ordered_parser(record_key, self._codec, spec),
        )
        returns = METHODS[name].returns
        if returns == "zero":
            return 0
        value = results[-1][1] if results else None
        if returns == "count":
            # A missing bin holds no elements.
            return 0 if value is None else value
        return value

    # -- lists -----------------------------------------------------------------------------------------------

    def list_append(self, key: Any, bin: str, val: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """Append one element to the list in `bin`; returns 0."""
        return self._cdt_call("list_append", key, (bin, val), meta, policy)  # type: ignore[no-any-return]

    def list_extend(
        self, key: Any, bin: str, items: Any, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Extend the list in `bin` with `items`; returns 0."""
        return self._cdt_call("list_extend", key, (bin, items), meta, policy)  # type: ignore[no-any-return]

    def list_insert(
        self, key: Any, bin: str, index: int, val: Any, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Insert `val` at `index` of the list in `bin`; returns 0."""
        return self._cdt_call("list_insert", key, (bin, index, val), meta, policy)  # type: ignore[no-any-return]

    def list_insert_items(
        self, key: Any, bin: str, index: int, items: Any, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Insert `items` at `index` of the list in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "list_insert_items", key, (bin, index, items), meta, policy
        )

    def list_pop(self, key: Any, bin: str, index: int, meta: Optional[dict] = None, policy: Optional[dict] = None) -> Any:
        """Remove and return the element at `index` of the list in `bin`."""
        return self._cdt_call("list_pop", key, (bin, index), meta, policy)

    def list_pop_range(
        self, key: Any, bin: str, index: int, count: int, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> Any:
        """Remove and return `count` elements from `index` of the list in `bin`, as a list."""
        return self._cdt_call("list_pop_range", key, (bin, index, count), meta, policy)

    def list_remove(
        self, key: Any, bin: str, index: int, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Remove the element at `index` of the list in `bin`; returns 0."""
        return self._cdt_call("list_remove", key, (bin, index), meta, policy)  # type: ignore[no-any-return]

    def list_remove_range(
        self, key: Any, bin: str, index: int, count: int, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Remove `count` elements from `index` of the list in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "list_remove_range", key, (bin, index, count), meta, policy
        )

    def list_clear(self, key: Any, bin: str, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """Remove every element of the list in `bin`; returns 0."""
        return self._cdt_call("list_clear", key, (bin,), meta, policy)  # type: ignore[no-any-return]

    def list_set(
        self, key: Any, bin: str, index: int, val: Any, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Set the element at `index` of the list in `bin` to `val`; returns 0."""
        return self._cdt_call("list_set", key, (bin, index, val), meta, policy)  # type: ignore[no-any-return]

    def list_get(self, key: Any, bin: str, index: int, meta: Optional[dict] = None, policy: Optional[dict] = None) -> Any:
        """The element at `index` of the list in `bin`."""
        return self._cdt_call("list_get", key, (bin, index), meta, policy)

    def list_get_range(
        self, key: Any, bin: str, index: int, count: int, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> Any:
        """`count` elements from `index` of the list in `bin`, as a list."""
        return self._cdt_call("list_get_range", key, (bin, index, count), meta, policy)

    def list_trim(
        self, key: Any, bin: str, index: int, count: int, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Keep only `count` elements from `index` of the list in `bin`; returns 0, as 3.0.0 did."""
        return self._cdt_call("list_trim", key, (bin, index, count), meta, policy)  # type: ignore[no-any-return]

    def list_size(self, key: Any, bin: str, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """The number of elements of the list in `bin` (0 when the bin is missing)."""
        return self._cdt_call("list_size", key, (bin,), meta, policy)  # type: ignore[no-any-return]

    # -- maps: writes ----------------------------------------------------------------------------------------

    def map_set_policy(
        self, key: Any, bin: str, map_policy: Any, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Set the map policy (order, write mode) of the map in `bin`; returns 0."""
        return self._cdt_call("map_set_policy", key, (bin, map_policy), meta, policy)  # type: ignore[no-any-return]

    def map_put(
        self,
        key: Any,
        bin: str,
        map_key: Any,
        val: Any,
        map_policy: Optional[dict] = None,
        meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> int:
        """Put `map_key`: `val` into the map in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "map_put", key, (bin, map_key, val, map_policy), meta, policy
        )

    def map_put_items(
        self,
        key: Any,
        bin: str,
        items: Any,
        map_policy: Optional[dict] = None,
        meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> int:
        """Put every entry of the dict `items` into the map in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "map_put_items", key, (bin, items, map_policy), meta, policy
        )

    def map_increment(
        self,
        key: Any,
        bin: str,
        map_key: Any,
        incr: Any,
        map_policy: Optional[dict] = None,
        meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> int:
        """Add `incr` to the value of `map_key` in the map in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "map_increment", key, (bin, map_key, incr, map_policy), meta, policy
        )

    def map_decrement(
        self,
        key: Any,
        bin: str,
        map_key: Any,
        decr: Any,
        map_policy: Optional[dict] = None,
        meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> int:
        """Subtract `decr` from the value of `map_key` in the map in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "map_decrement", key, (bin, map_key, decr, map_policy), meta, policy
        )

    def map_size(self, key: Any, bin: str, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """The number of entries of the map in `bin` (0 when the bin is missing)."""
        return self._cdt_call("map_size", key, (bin,), meta, policy)  # type: ignore[no-any-return]

    def map_clear(self, key: Any, bin: str, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """Remove every entry of the map in `bin`; returns 0."""
        return self._cdt_call("map_clear", key, (bin,), meta, policy)  # type: ignore[no-any-return]

    # -- maps: removes (the result depends on return_type, a MAP_RETURN_* constant) ---------------------------

    def map_remove_by_key(
        self, key: Any, bin: str, map_key: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entry of `map_key`; returns what `return_type` selects."""
        return self._cdt_call("map_remove_by_key", key, (bin, map_key, return_type), meta, policy)

    def map_remove_by_key_list(
        self, key: Any, bin: str, list: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entries whose keys are in `list`; returns what `return_type` selects."""
        return self._cdt_call("map_remove_by_key_list", key, (bin, list, return_type), meta, policy)

    def map_remove_by_key_range(
        self, key: Any, bin: str, map_key: Any, range: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entries with keys from `map_key` (inclusive) to `range` (exclusive)."""
        return self._cdt_call("map_remove_by_key_range", key, (bin, map_key, range, return_type), meta, policy)

    def map_remove_by_value(
        self, key: Any, bin: str, val: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entries whose value is `val`; returns what `return_type` selects."""
        return self._cdt_call("map_remove_by_value", key, (bin, val, return_type), meta, policy)

    def map_remove_by_value_list(
        self, key: Any, bin: str, list: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entries whose value is in `list`; returns what `return_type` selects."""
        return self._cdt_call("map_remove_by_value_list", key, (bin, list, return_type), meta, policy)

    def map_remove_by_value_range(
        self, key: Any, bin: str, val: Any, range: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entries with values from `val` (inclusive) to `range` (exclusive)."""
        return self._cdt_call("map_remove_by_value_range", key, (bin, val, range, return_type), meta, policy)

    def map_remove_by_index(
        self, key: Any, bin: str, index: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entry at key order `index`; returns what `return_type` selects."""
        return self._cdt_call("map_remove_by_index", key, (bin, index, return_type), meta, policy)

    def map_remove_by_index_range(
        self, key: Any, bin: str, index: int, range: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove `range` entries from key order `index`; returns what `return_type` selects."""
        return self._cdt_call("map_remove_by_index_range", key, (bin, index, range, return_type), meta, policy)

    def map_remove_by_rank(
        self, key: Any, bin: str, rank: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entry whose value has rank `rank`; returns what `return_type` selects."""
        return self._cdt_call("map_remove_by_rank", key, (bin, rank, return_type), meta, policy)

    def map_remove_by_rank_range(
        self, key: Any, bin: str, rank: int, range: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove `range` entries from value rank `rank`; returns what `return_type` selects."""
        return self._cdt_call("map_remove_by_rank_range", key, (bin, rank, range, return_type), meta, policy)

    # -- maps: reads -----------------------------------------------------------------------------------------

    def map_get_by_key(
        self, key: Any, bin: str, map_key: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entry of `map_key`, as `return_type` selects."""
        return self._cdt_call("map_get_by_key", key, (bin, map_key, return_type), meta, policy)

    def map_get_by_key_range(
        self, key: Any, bin: str, map_key: Any, range: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entries with keys from `map_key` (inclusive) to `range` (exclusive)."""
        return self._cdt_call("map_get_by_key_range", key, (bin, map_key, range, return_type), meta, policy)

    def map_get_by_value(
        self, key: Any, bin: str, val: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entries whose value is `val`, as `return_type` selects."""
        return self._cdt_call("map_get_by_value", key, (bin, val, return_type), meta, policy)

    def map_get_by_value_range(
        self, key: Any, bin: str, val: Any, range: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entries with values from `val` (inclusive) to `range` (exclusive)."""
        return self._cdt_call("map_get_by_value_range", key, (bin, val, range, return_type), meta, policy)

    def map_get_by_index(
        self, key: Any, bin: str, index: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entry at key order `index`, as `return_type` selects."""
        return self._cdt_call("map_get_by_index", key, (bin, index, return_type), meta, policy)

    def map_get_by_index_range(
        self, key: Any, bin: str, index: int, range: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """`range` entries from key order `index`, as `return_type` selects."""
        return self._cdt_call("map_get_by_index_range", key, (bin, index, range, return_type), meta, policy)

    def map_get_by_rank(
        self, key: Any, bin: str, rank: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entry whose value has rank `rank`, as `return_type` selects."""
        return self._cdt_call("map_get_by_rank", key, (bin, rank, return_type), meta, policy)

    def map_get_by_rank_range(
        self, key: Any, bin: str, rank: int, range: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """`range` entries from value rank `rank`, as `return_type` selects."""
        return self._cdt_call("map_get_by_rank_range", key, (bin, rank, range, return_type), meta, policy)
