"""The Client's list_* and map_* methods of client.rst: one list or map operation on one record.

Owns: the 3.0.0 signatures of these methods (its kwlists), the order in which 3.0.0 checked their arguments
(operate_list.c / operate_map.c) and what each returns (0 for the writes without a result, the count for
list_size / map_size, the operation's result for pops, gets and removes by key/value/index/rank). Each method
turns its arguments into the spec's operation dict and runs it through the same encoder and reply parser as
``operate``, so there is one code path for list and map operations. Must not know sockets or wire layouts.

3.0.0's check order: the list methods parse their arguments (TypeError for an index, count or return type
that is not an int) before they look at the connection; the map methods look at the connection first. Then
both check the policy, the key, the meta, the bin, the map policy and last the values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from . import record_commands as rc
from .exception import ParamError
from .key import parse_key
from .values import ValueCodec

if TYPE_CHECKING:
    from .ops import builders, list_ops
else:  # the list/map builders are loaded by the first list_*/map_* call, not by `import aerospike`
    from ._lazy import LazyModule

    builders = LazyModule("aerospike.ops.builders", globals(), "builders")
    list_ops = LazyModule("aerospike.ops.list_ops", globals(), "list_ops")

__all__ = ["CdtMethods"]

_C_LONG_MIN = -(1 << 63)
_C_LONG_LIMIT = 1 << 63


def _c_long(method: str, name: str, value: Any) -> int:
    """An argument 3.0.0 parsed with PyArg's "l" format: TypeError for a non-int, OverflowError past 64 bits."""
    if not isinstance(value, int):
        raise TypeError(f"{method}() argument '{name}' must be int, not {type(value).__name__}")
    if not _C_LONG_MIN <= value < _C_LONG_LIMIT:
        raise OverflowError("Python int too large to convert to C long")
    return int(value)


class CdtMethods:
    """Mixin of :class:`aerospike.Client`: the list and map convenience methods."""

    # Provided by Client.
    _codec: ValueCodec
    _resolve: Callable[..., Any]
    _execute: Callable[..., Any]
    _connected_cluster: Callable[[], Any]

    def _cdt_call(
        self,
        name: str,
        key: Any,
        bin: Any,
        args: tuple,
        meta: Any,
        policy: Any,
        *,
        ints: tuple[str, ...] = (),
        map_policy_at: Optional[int] = None,
        list_at: Optional[int] = None,
        list_message: str = "",
        with_policy: bool = True,
    ) -> Any:
        """Run method `name` (`args` after the bin, as METHODS names them) on `key`, checking its arguments in
        3.0.0's order; return what 3.0.0 returned.

        `ints` names the arguments parsed as C longs; `map_policy_at` / `list_at` are the positions in `args`
        of a map policy / of a value that must be a list (refused with `list_message`)."""
        spec = builders.METHODS[name]
        fields = spec.fields[1:]
        is_map = name.startswith("map_")
        cluster = self._connected_cluster() if is_map else None
        checked = list(args)
        for position, field_name in enumerate(ints):
            if field_name:
                checked[position] = _c_long(name, field_name, args[position])
        if cluster is None:
            cluster = self._connected_cluster()
            if list_at is not None and not isinstance(args[list_at], list):
                raise ParamError(list_message)
        if with_policy:
            operate_policy = self._resolve("operate", policy)
            record_key = parse_key(key)
            if meta is not None:
                rc.parse_meta(meta, "operate")
            bin_name = list_ops.bin_name_of(bin)
        else:  # map_set_policy: the bin, then the key; the default operate policy
            bin_name = list_ops.bin_name_of(bin)
            record_key = parse_key(key)
            operate_policy = self._resolve("operate", None)
        if map_policy_at is not None:
            builders.read_map_policy(checked[map_policy_at])
        if is_map and list_at is not None and not isinstance(args[list_at], list):
            raise ParamError(list_message)
        operation: dict = {"op": spec.op_code, "bin": bin_name}
        for field, value in zip(fields, checked):
            if field == "map_policy" and value is None and name != "map_set_policy":
                continue
            operation[field] = value
        spec_request = rc.encode_operate(record_key, [operation], meta, operate_policy, self._codec)
        spec_request.key_value_pairs = True
        _, _, results = self._execute(
            cluster,
            operate_policy,
            spec_request.request,
            record_key.namespace,
            record_key.partition_id,
            spec_request.is_write,
            rc.operate_ordered_parser(record_key, self._codec, spec_request),
        )
        returns = spec.returns
        if returns == "zero":
            return 0
        value = results[-1][1] if results else None
        if returns == "count":
            # A missing bin holds no elements (3.0.0 read a nil or absent result as 0).
            return 0 if value is None else value
        if returns == "list" and not results:
            # 3.0.0 turned "no result" (a missing bin) into an empty list for list_get_range only.
            return []
        return value

    # -- lists -----------------------------------------------------------------------------------------------

    def list_append(self, key: Any, bin: Any, val: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """Append one element to the list in `bin`; returns 0."""
        return self._cdt_call("list_append", key, bin, (val,), meta, policy)  # type: ignore[no-any-return]

    def list_extend(
        self, key: Any, bin: Any, items: Any, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Extend the list in `bin` with `items`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "list_extend", key, bin, (items,), meta, policy, list_at=0, list_message="Items should be of type list"
        )

    def list_insert(
        self, key: Any, bin: Any, index: int, val: Any, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Insert `val` at `index` of the list in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "list_insert", key, bin, (index, val), meta, policy, ints=("index",)
        )

    def list_insert_items(
        self, key: Any, bin: Any, index: int, items: Any, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Insert `items` at `index` of the list in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "list_insert_items", key, bin, (index, items), meta, policy, ints=("index",), list_at=1,
            list_message="Items should be of type list",
        )

    def list_pop(self, key: Any, bin: Any, index: int, meta: Optional[dict] = None, policy: Optional[dict] = None) -> Any:
        """Remove and return the element at `index` of the list in `bin` (None when the bin is missing)."""
        return self._cdt_call("list_pop", key, bin, (index,), meta, policy, ints=("index",))

    def list_pop_range(
        self, key: Any, bin: Any, index: int, count: int, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> Any:
        """Remove and return `count` elements from `index` of the list in `bin`, as a list."""
        return self._cdt_call("list_pop_range", key, bin, (index, count), meta, policy, ints=("index", "count"))

    def list_remove(
        self, key: Any, bin: Any, index: int, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Remove the element at `index` of the list in `bin`; returns 0."""
        return self._cdt_call("list_remove", key, bin, (index,), meta, policy, ints=("index",))  # type: ignore[no-any-return]

    def list_remove_range(
        self, key: Any, bin: Any, index: int, count: int, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Remove `count` elements from `index` of the list in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "list_remove_range", key, bin, (index, count), meta, policy, ints=("index", "count")
        )

    def list_clear(self, key: Any, bin: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """Remove every element of the list in `bin`; returns 0."""
        return self._cdt_call("list_clear", key, bin, (), meta, policy)  # type: ignore[no-any-return]

    def list_set(
        self, key: Any, bin: Any, index: int, val: Any, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Set the element at `index` of the list in `bin` to `val`; returns 0."""
        return self._cdt_call("list_set", key, bin, (index, val), meta, policy, ints=("index",))  # type: ignore[no-any-return]

    def list_get(self, key: Any, bin: Any, index: int, meta: Optional[dict] = None, policy: Optional[dict] = None) -> Any:
        """The element at `index` of the list in `bin` (None when the bin is missing)."""
        return self._cdt_call("list_get", key, bin, (index,), meta, policy, ints=("index",))

    def list_get_range(
        self, key: Any, bin: Any, index: int, count: int, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> Any:
        """`count` elements from `index` of the list in `bin`, as a list ([] when the bin is missing)."""
        return self._cdt_call("list_get_range", key, bin, (index, count), meta, policy, ints=("index", "count"))

    def list_trim(
        self, key: Any, bin: Any, index: int, count: int, meta: Optional[dict] = None, policy: Optional[dict] = None
    ) -> int:
        """Keep only `count` elements from `index` of the list in `bin`; returns 0, as 3.0.0 did."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "list_trim", key, bin, (index, count), meta, policy, ints=("index", "count")
        )

    def list_size(self, key: Any, bin: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """The number of elements of the list in `bin` (0 when the bin is missing)."""
        return self._cdt_call("list_size", key, bin, (), meta, policy)  # type: ignore[no-any-return]

    # -- maps: writes ----------------------------------------------------------------------------------------

    def map_set_policy(self, key: Any, bin: Any, map_policy: Any) -> int:
        """Set the map policy (order) of the map in `bin`; returns 0. 3.0.0 took no meta and no policy here."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "map_set_policy", key, bin, (map_policy,), None, None, map_policy_at=0, with_policy=False
        )

    def map_put(
        self,
        key: Any,
        bin: Any,
        map_key: Any,
        val: Any,
        map_policy: Optional[dict] = None,
        meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> int:
        """Put `map_key`: `val` into the map in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "map_put", key, bin, (map_key, val, map_policy), meta, policy, map_policy_at=2
        )

    def map_put_items(
        self,
        key: Any,
        bin: Any,
        items: Any,
        map_policy: Optional[dict] = None,
        meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> int:
        """Put every entry of the dict `items` into the map in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "map_put_items", key, bin, (items, map_policy), meta, policy, map_policy_at=1
        )

    def map_increment(
        self,
        key: Any,
        bin: Any,
        map_key: Any,
        incr: Any,
        map_policy: Optional[dict] = None,
        meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> int:
        """Add `incr` to the value of `map_key` in the map in `bin`; returns 0."""
        return self._cdt_call(  # type: ignore[no-any-return]
            "map_increment", key, bin, (map_key, incr, map_policy), meta, policy, map_policy_at=2
        )

    def map_decrement(
        self,
        key: Any,
        bin: Any,
        map_key: Any,
        decr: Any,
        map_policy: Optional[dict] = None,
        meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> int:
        """Subtract `decr` from the value of `map_key` in the map in `bin`; returns 0.

        As in 3.0.0 (whose argument parsing was one slot off here), `map_policy` is read as the meta and
        `meta` as the policy, and the map takes the default map policy; `policy` (which 3.0.0 could not take)
        is the policy when `meta` is not given.
        """
        return self._cdt_call(  # type: ignore[no-any-return]
            "map_decrement", key, bin, (map_key, decr, None), map_policy, policy if meta is None else meta
        )

    def map_size(self, key: Any, bin: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """The number of entries of the map in `bin` (0 when the bin is missing)."""
        return self._cdt_call("map_size", key, bin, (), meta, policy)  # type: ignore[no-any-return]

    def map_clear(self, key: Any, bin: Any, meta: Optional[dict] = None, policy: Optional[dict] = None) -> int:
        """Remove every entry of the map in `bin`; returns 0."""
        return self._cdt_call("map_clear", key, bin, (), meta, policy)  # type: ignore[no-any-return]

    # -- maps: removes (the result depends on return_type, a MAP_RETURN_* constant) ---------------------------

    def map_remove_by_key(
        self, key: Any, bin: Any, map_key: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entry of `map_key`; returns what `return_type` selects."""
        return self._cdt_call(
            "map_remove_by_key", key, bin, (map_key, return_type), meta, policy, ints=("", "return_type")
        )

    def map_remove_by_key_list(
        self, key: Any, bin: Any, list: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entries whose keys are in `list`; returns what `return_type` selects."""
        return self._cdt_call(
            "map_remove_by_key_list", key, bin, (list, return_type), meta, policy, ints=("", "return_type"),
            list_at=0, list_message="List parameter should be of type list",
        )

    def map_remove_by_key_range(
        self, key: Any, bin: Any, map_key: Any, range: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entries with keys from `map_key` (inclusive) to `range` (exclusive)."""
        return self._cdt_call(
            "map_remove_by_key_range", key, bin, (map_key, range, return_type), meta, policy,
            ints=("", "", "return_type"),
        )

    def map_remove_by_value(
        self, key: Any, bin: Any, val: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entries whose value is `val`; returns what `return_type` selects."""
        return self._cdt_call(
            "map_remove_by_value", key, bin, (val, return_type), meta, policy, ints=("", "return_type")
        )

    def map_remove_by_value_list(
        self, key: Any, bin: Any, list: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entries whose value is in `list`; returns what `return_type` selects."""
        return self._cdt_call(
            "map_remove_by_value_list", key, bin, (list, return_type), meta, policy, ints=("", "return_type"),
            list_at=0, list_message="List parameter should be of type list",
        )

    def map_remove_by_value_range(
        self, key: Any, bin: Any, val: Any, range: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entries with values from `val` (inclusive) to `range` (exclusive)."""
        return self._cdt_call(
            "map_remove_by_value_range", key, bin, (val, range, return_type), meta, policy,
            ints=("", "", "return_type"),
        )

    def map_remove_by_index(
        self, key: Any, bin: Any, index: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entry at key order `index`; returns what `return_type` selects."""
        return self._cdt_call(
            "map_remove_by_index", key, bin, (index, return_type), meta, policy, ints=("index", "return_type")
        )

    def map_remove_by_index_range(
        self, key: Any, bin: Any, index: int, range: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove `range` entries from key order `index`; returns what `return_type` selects."""
        return self._cdt_call(
            "map_remove_by_index_range", key, bin, (index, range, return_type), meta, policy,
            ints=("index", "range", "return_type"),
        )

    def map_remove_by_rank(
        self, key: Any, bin: Any, rank: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove the entry whose value has rank `rank`; returns what `return_type` selects."""
        return self._cdt_call(
            "map_remove_by_rank", key, bin, (rank, return_type), meta, policy, ints=("rank", "return_type")
        )

    def map_remove_by_rank_range(
        self, key: Any, bin: Any, rank: int, range: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """Remove `range` entries from value rank `rank`; returns what `return_type` selects."""
        return self._cdt_call(
            "map_remove_by_rank_range", key, bin, (rank, range, return_type), meta, policy,
            ints=("rank", "range", "return_type"),
        )

    # -- maps: reads -----------------------------------------------------------------------------------------

    def map_get_by_key(
        self, key: Any, bin: Any, map_key: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entry of `map_key`, as `return_type` selects."""
        return self._cdt_call(
            "map_get_by_key", key, bin, (map_key, return_type), meta, policy, ints=("", "return_type")
        )

    def map_get_by_key_range(
        self, key: Any, bin: Any, map_key: Any, range: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entries with keys from `map_key` (inclusive) to `range` (exclusive)."""
        return self._cdt_call(
            "map_get_by_key_range", key, bin, (map_key, range, return_type), meta, policy,
            ints=("", "", "return_type"),
        )

    def map_get_by_value(
        self, key: Any, bin: Any, val: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entries whose value is `val`, as `return_type` selects."""
        return self._cdt_call(
            "map_get_by_value", key, bin, (val, return_type), meta, policy, ints=("", "return_type")
        )

    def map_get_by_value_range(
        self, key: Any, bin: Any, val: Any, range: Any, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entries with values from `val` (inclusive) to `range` (exclusive)."""
        return self._cdt_call(
            "map_get_by_value_range", key, bin, (val, range, return_type), meta, policy,
            ints=("", "", "return_type"),
        )

    def map_get_by_index(
        self, key: Any, bin: Any, index: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entry at key order `index`, as `return_type` selects."""
        return self._cdt_call(
            "map_get_by_index", key, bin, (index, return_type), meta, policy, ints=("index", "return_type")
        )

    def map_get_by_index_range(
        self, key: Any, bin: Any, index: int, range: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """`range` entries from key order `index`, as `return_type` selects."""
        return self._cdt_call(
            "map_get_by_index_range", key, bin, (index, range, return_type), meta, policy,
            ints=("index", "range", "return_type"),
        )

    def map_get_by_rank(
        self, key: Any, bin: Any, rank: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """The entry whose value has rank `rank`, as `return_type` selects."""
        return self._cdt_call(
            "map_get_by_rank", key, bin, (rank, return_type), meta, policy, ints=("rank", "return_type")
        )

    def map_get_by_rank_range(
        self, key: Any, bin: Any, rank: int, range: int, return_type: int, meta: Optional[dict] = None,
        policy: Optional[dict] = None,
    ) -> Any:
        """`range` entries from value rank `rank`, as `return_type` selects."""
        return self._cdt_call(
            "map_get_by_rank_range", key, bin, (rank, range, return_type), meta, policy,
            ints=("rank", "range", "return_type"),
        )
