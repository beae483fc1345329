"""The list and map calls of the transcripts (files 05 and 06) through the official client and ours, against twin
local clusters, give equal results.

The official client runs each recorded call as written (19.3.0's `aerospike_helpers` functions); ours runs the
same call with each `lo.*` / `mo.*` helper replaced by the 3.0.0 operation dict it stands for. Calls using what
3.0.0 does not have (cdt contexts, list policies and write flags, map write flags other than create-only and
update-only, `inverted`, list ops by value or rank, sorting, list/map create) are skipped in both clients.
Results compare as in test_differential.py, except for the spec's one shape change: a MAP_RETURN_KEY_VALUE
result is a list of ``(key, value)`` tuples where 19.3.0 returns a flat ``[k1, v1, ...]`` list.
"""

from __future__ import annotations

import ast
from types import SimpleNamespace
from typing import Any, Optional

import pytest

import aerospike
from aerospike.ops.results import flat_key_values
from tests.integration.test_differential import OPERATIONS, _difference, _run_ours
from tests.integration.test_official_fidelity import RUNNER
from tests.support.official import run_official
from tests.support.transcripts import load, require_transcripts, split_note

pytestmark = pytest.mark.official

A = aerospike
# 19.3.0's map write flags; the two 3.0.0 can say (as map_write_mode) are translated, the others are not.
MAP_WRITE_FLAGS = {"MAP_WRITE_FLAGS_CREATE_ONLY": 1, "MAP_WRITE_FLAGS_UPDATE_ONLY": 2,
                   "MAP_WRITE_FLAGS_NO_FAIL": 4, "MAP_WRITE_FLAGS_PARTIAL": 8}


class Untranslatable(Exception):
    """The 19.3.0 helper call has no 3.0.0 operation dict."""


def _op(code: int, bin: str, **fields: Any) -> dict[str, Any]:
    # An absent map policy is left out; any other field is kept, None included (an open range end).
    return {"op": code, "bin": bin, **{name: value for name, value in fields.items() if name != "map_policy"
                                      or value is not None}}


def _plain(kwargs: dict[str, Any]) -> None:
    # ctx, list policies and inverted selections are later features.
    for name, value in kwargs.items():
        if value not in (None, False):
            raise Untranslatable(name)


def _map_policy(policy: Optional[dict]) -> Optional[dict]:
    if policy is None:
        return None
    translated = {}
    for name, value in policy.items():
        if name == "map_order":
            translated["map_order"] = value
        elif name == "map_write_flags" and value == MAP_WRITE_FLAGS["MAP_WRITE_FLAGS_CREATE_ONLY"]:
            translated["map_write_mode"] = A.MAP_CREATE_ONLY
        elif name == "map_write_flags" and value == MAP_WRITE_FLAGS["MAP_WRITE_FLAGS_UPDATE_ONLY"]:
            translated["map_write_mode"] = A.MAP_UPDATE_ONLY
        else:
            raise Untranslatable(f"map policy {name}={value}")
    return translated


def _list_helpers() -> SimpleNamespace:
    def simple(code: int, *fields: str) -> Any:
        def build(bin: str, *args: Any, **kwargs: Any) -> dict:
            _plain(kwargs)
            return _op(code, bin, **dict(zip(fields, args)))

        return build

    return SimpleNamespace(
        list_append=simple(A.OP_LIST_APPEND, "val"),
        list_append_items=simple(A.OP_LIST_APPEND_ITEMS, "val"),
        list_insert=simple(A.OP_LIST_INSERT, "index", "val"),
        list_insert_items=simple(A.OP_LIST_INSERT_ITEMS, "index", "val"),
        list_increment=simple(A.OP_LIST_INCREMENT, "index", "val"),
        list_pop=simple(A.OP_LIST_POP, "index"),
        list_pop_range=simple(A.OP_LIST_POP_RANGE, "index", "val"),
        list_remove=simple(A.OP_LIST_REMOVE, "index"),
        list_remove_range=simple(A.OP_LIST_REMOVE_RANGE, "index", "val"),
        list_clear=simple(A.OP_LIST_CLEAR),
        list_set=simple(A.OP_LIST_SET, "index", "val"),
        list_get=simple(A.OP_LIST_GET, "index"),
        list_get_range=simple(A.OP_LIST_GET_RANGE, "index", "val"),
        list_trim=simple(A.OP_LIST_TRIM, "index", "val"),
        list_size=simple(A.OP_LIST_SIZE),
    )


def _map_helpers() -> SimpleNamespace:
    def with_return(code: int, *fields: str) -> Any:
        # 19.3.0: (bin, *fields, return_type, [inverted=, ctx=]); 3.0.0 names its fields per operator.
        def build(bin: str, *args: Any, **kwargs: Any) -> dict:
            _plain(kwargs)
            *values, return_type = args
            return _op(code, bin, return_type=return_type, **dict(zip(fields, values)))

        return build

    def writes(code: int, *fields: str) -> Any:
        def build(bin: str, *args: Any, map_policy: Optional[dict] = None, **kwargs: Any) -> dict:
            _plain(kwargs)
            return _op(code, bin, map_policy=_map_policy(map_policy), **dict(zip(fields, args)))

        return build

    def set_policy(bin: str, policy: dict, **kwargs: Any) -> dict:
        _plain(kwargs)
        return _op(A.OP_MAP_SET_POLICY, bin, map_policy=_map_policy(policy))

    def size_or_clear(code: int) -> Any:
        def build(bin: str, **kwargs: Any) -> dict:
            _plain(kwargs)
            return _op(code, bin)

        return build

    return SimpleNamespace(
        map_set_policy=set_policy,
        map_put=writes(A.OP_MAP_PUT, "key", "val"),
        map_put_items=writes(A.OP_MAP_PUT_ITEMS, "val"),
        map_increment=writes(A.OP_MAP_INCREMENT, "key", "val"),
        map_decrement=writes(A.OP_MAP_DECREMENT, "key", "val"),
        map_size=size_or_clear(A.OP_MAP_SIZE),
        map_clear=size_or_clear(A.OP_MAP_CLEAR),
        map_remove_by_key=with_return(A.OP_MAP_REMOVE_BY_KEY, "key"),
        map_remove_by_key_list=with_return(A.OP_MAP_REMOVE_BY_KEY_LIST, "val"),
        map_remove_by_key_range=with_return(A.OP_MAP_REMOVE_BY_KEY_RANGE, "key", "val"),
        map_remove_by_value=with_return(A.OP_MAP_REMOVE_BY_VALUE, "val"),
        map_remove_by_value_list=with_return(A.OP_MAP_REMOVE_BY_VALUE_LIST, "val"),
        map_remove_by_value_range=with_return(A.OP_MAP_REMOVE_BY_VALUE_RANGE, "val", "range"),
        map_remove_by_index=with_return(A.OP_MAP_REMOVE_BY_INDEX, "index"),
        map_remove_by_index_range=with_return(A.OP_MAP_REMOVE_BY_INDEX_RANGE, "index", "val"),
        map_remove_by_rank=with_return(A.OP_MAP_REMOVE_BY_RANK, "index"),
        map_remove_by_rank_range=with_return(A.OP_MAP_REMOVE_BY_RANK_RANGE, "index", "val"),
        map_get_by_key=with_return(A.OP_MAP_GET_BY_KEY, "key"),
        map_get_by_key_range=with_return(A.OP_MAP_GET_BY_KEY_RANGE, "key", "range"),
        map_get_by_value=with_return(A.OP_MAP_GET_BY_VALUE, "val"),
        map_get_by_value_range=with_return(A.OP_MAP_GET_BY_VALUE_RANGE, "val", "range"),
        map_get_by_index=with_return(A.OP_MAP_GET_BY_INDEX, "index"),
        map_get_by_index_range=with_return(A.OP_MAP_GET_BY_INDEX_RANGE, "index", "val"),
        map_get_by_rank=with_return(A.OP_MAP_GET_BY_RANK, "index"),
        map_get_by_rank_range=with_return(A.OP_MAP_GET_BY_RANK_RANGE, "index", "val"),
    )


class _NoContexts:
    """`ctx.*`: cdt contexts are not in 3.0.0."""

    def __getattr__(self, name: str) -> Any:
        raise Untranslatable(f"ctx.{name}")


class _RecordedNames:
    """`aerospike.*` as the recorded calls use it: our constants, 19.3.0's map write flags, nothing else."""

    def __getattr__(self, name: str) -> Any:
        if name in MAP_WRITE_FLAGS:
            return MAP_WRITE_FLAGS[name]
        if hasattr(A, name):
            return getattr(A, name)
        raise Untranslatable(f"aerospike.{name}")


HELPERS = {"lo": _list_helpers(), "mo": _map_helpers(), "op": OPERATIONS, "aerospike": _RecordedNames(),
           "ctx": _NoContexts()}


def translate(source: str) -> Optional[tuple[str, list[list[dict]]]]:
    """`source` with every lo.* / mo.* call replaced by its 3.0.0 dict, and the dicts of each operation list;
    None when a helper it uses has no 3.0.0 equivalent."""
    tree = ast.parse(source)
    operation_lists: list[list[dict]] = []

    class Replace(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> Any:
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("lo", "mo"):
                if getattr(HELPERS[func.value.id], func.attr, None) is None:
                    raise Untranslatable(func.attr)
                operation = eval(ast.unparse(node), dict(HELPERS))
                return ast.parse(repr(operation), mode="eval").body
            return self.generic_visit(node)

    try:
        translated = ast.fix_missing_locations(Replace().visit(tree))
    except Untranslatable:
        return None
    for node in ast.walk(translated):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr.startswith("operate"):
            operations = eval(ast.unparse(node.args[1]), {"op": OPERATIONS, "aerospike": A})
            operation_lists.append(operations)
    return ast.unparse(translated), operation_lists


def _calls() -> list[tuple[str, str, list[list[dict]]]]:
    calls, seen = [], set()
    for step in ("05-list-ops", "06-map-ops"):
        for exchange in load(step):
            if (step, exchange.call) in seen:
                continue
            seen.add((step, exchange.call))
            source, _ = split_note(exchange.note)
            found = translate(source)
            if found is not None:
                calls.append((source, found[0], found[1]))
    return calls


def _as_spec_shapes(official: str, operation_lists: list[list[dict]]) -> str:
    """The official outcome with KEY_VALUE results as a flat [k1, v1, ...] list, the shape operate gives them in
    the spec (client.rst, since 2.1.3); 19.3.0 gives a dict where the server's reply is a plain map."""
    if official.startswith("raised") or not operation_lists:
        return official
    value = eval(official, {"bytearray": bytearray})
    (operations,) = operation_lists
    key_value = [operation.get("return_type") == A.MAP_RETURN_KEY_VALUE for operation in operations]
    if not any(key_value):
        return official
    key, meta, bins = value
    if isinstance(bins, dict):
        # operate: one entry per bin, the last operation on the bin wins.
        last = {operation["bin"]: is_kv for operation, is_kv in zip(operations, key_value)}
        bins = {name: flat_key_values(item) if last.get(name) else item for name, item in bins.items()}
    else:
        bins = [(name, flat_key_values(item) if is_kv else item) for (name, item), is_kv in zip(bins, key_value)]
    return repr((key, meta, bins))


def test_translation_skips_only_later_features() -> None:
    require_transcripts()
    calls = _calls()
    translated = {source for source, _, _ in calls}
    assert len([source for source in translated if "lo." in source]) >= 20
    assert len([source for source in translated if "mo." in source]) >= 70
    assert not any("ctx" in source or "inverted" in source or "list_sort" in source for source in translated)
    assert translate("client.operate(k, [lo.list_get('l', 1)])") == (
        "client.operate(k, [{'op': 1011, 'bin': 'l', 'index': 1}])",
        [[{"op": A.OP_LIST_GET, "bin": "l", "index": 1}]],
    )


def test_recorded_list_and_map_calls_give_equal_results_through_both_clients(local_cluster: Any) -> None:
    require_transcripts()
    calls = _calls()
    official_cluster = local_cluster(nodes=1, node_ids=["A1"], cluster_name="peer-test")
    official = run_official(RUNNER, hosts=official_cluster.hosts, calls=[source for source, _, _ in calls])
    ours_cluster = local_cluster(nodes=1, node_ids=["A1"], cluster_name="peer-test")
    client = aerospike.client({"hosts": ours_cluster.hosts}).connect()
    try:
        differences = []
        for (source, ours_source, operation_lists), official_outcome in zip(calls, official):
            expected = _as_spec_shapes(official_outcome, operation_lists)
            found = _difference(ours_source, expected, _run_ours(client, ours_source))
            if found:
                differences.append(f"{source}\n    ours: {ours_source}\n    {found}")
    finally:
        client.close()
    assert differences == []
