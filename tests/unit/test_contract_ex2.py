"""The rest of 19.3.0's ``aerospike_helpers``, without a server.

- every public name of the official 19.3.0 ``aerospike_helpers`` package (walked in the official client's own
  interpreter) exists here, in the same module, as the same kind of thing (class, function, constant);
- string operations, path operations (select/modify by path) and ``bit_b64_encode`` send the requests the
  official client sent (tests/data/string_path_ops_19_3_0.json, captured by a proxy in front of CE 8.1.2.0);
- the helper dicts carry 19.x's keys.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from pathlib import Path
from typing import Any

import pytest

import aerospike
import aerospike_helpers
from aerospike import record_commands as rc
from aerospike.key import parse_key
from aerospike.policy import build_defaults
from aerospike.values import ValueCodec
from aerospike_helpers import cdt_ctx as c
from aerospike_helpers import expressions as e
from aerospike_helpers import string_helpers as sh
from aerospike_helpers.operations import bitwise_operations as b
from aerospike_helpers.operations import operations as o
from aerospike_helpers.operations import string_operations as s
from tests.support.official import run_official

CALLS = json.loads((Path(__file__).parents[1] / "data" / "string_path_ops_19_3_0.json").read_text())["calls"]

# What a public name is: the same kind must be found here.
_WALK = """
import importlib, inspect, pkgutil
import aerospike_helpers

def kind(value):
    if inspect.isclass(value):
        return 'class'
    if inspect.isfunction(value) or inspect.isbuiltin(value):
        return 'function'
    return 'constant'

def public(module):
    names = {}
    for name in dir(module):
        value = getattr(module, name)
        if name.startswith('_') or inspect.ismodule(value) or type(value).__name__ == '_Feature':
            continue
        if getattr(value, '__module__', None) == 'typing' or type(value).__module__ in ('typing', 'types'):
            continue  # type aliases (Optional[...], X | Y)
        names[name] = kind(value)
    return names

result = {'aerospike_helpers': public(aerospike_helpers)}
for info in pkgutil.walk_packages(aerospike_helpers.__path__, 'aerospike_helpers.'):
    result[info.name] = public(importlib.import_module(info.name))
"""


def _ours() -> dict[str, dict[str, str]]:
    namespace: dict[str, Any] = {}
    exec(compile(_WALK, "<walk>", "exec"), namespace)  # noqa: S102
    return namespace["result"]


def test_every_public_name_of_the_official_helpers_exists_here() -> None:
    official = run_official(_WALK)
    ours = _ours()
    missing = [module for module in official if module not in ours]
    assert missing == []
    absent = {module: sorted(set(names) - set(ours[module])) for module, names in official.items()}
    assert {module: names for module, names in absent.items() if names} == {}
    wrong_kind = {
        f"{module}.{name}": (kind, ours[module][name])
        for module, names in official.items()
        for name, kind in names.items()
        if ours[module][name] != kind
    }
    assert wrong_kind == {}


def test_walk_sees_private_and_typing_names_as_not_public() -> None:
    ours = _ours()
    assert "_BaseExpr" not in ours["aerospike_helpers.expressions.resources"]
    assert "TypeExpression" not in ours["aerospike_helpers.expressions.resources"]
    assert ours["aerospike_helpers.expressions"]["StrLen"] == "class"
    assert ours["aerospike_helpers.operations.string_operations"]["strlen"] == "function"
    assert ours["aerospike_helpers.operations.bitwise_operations"]["BIN_KEY"] == "constant"


@pytest.mark.parametrize("call", CALLS, ids=[call["ops"][:90] for call in CALLS])
def test_request_bytes_equal_official(call: dict) -> None:
    namespace = {"s": s, "sh": sh, "b": b, "o": o, "c": c, "e": e, "aerospike": aerospike}
    operations = eval(call["ops"], namespace)  # noqa: S307 - sources are the checked-in table
    policy = build_defaults({"operate": {}})["operate"]
    key = parse_key(("test", "ex2_cap", "k1"))
    request = rc.encode_operate(key, operations, None, policy, ValueCodec()).request
    assert request.hex() == call["request"]


def test_string_helper_dicts_have_the_official_keys() -> None:
    assert s.pad_end("s", 8, "*") == {"op": 1234, "target_length": 8, "pad_string": "*", "bin": "s",
                                      "policy": None, "ctx": None}  # fmt: skip
    assert s.is_numeric("s") == {"op": 1211, "numeric_type": sh.NumericType.ANY, "bin": "s", "ctx": None}
    assert s.to_string("m") == {"op": 1239, "bin": "m"}
    assert b.bit_b64_encode("b", 1, 2, True) == {"op": 2018, "bin": "b", "byte_offset": 1, "byte_size": 2,
                                                  "invert_size": True, "ctx": None}  # fmt: skip


def test_path_operations_take_codes_of_their_own() -> None:
    # 19.x numbers them 2 and 3; 2 is 3.0.0's OPERATOR_WRITE, which this package keeps.
    assert aerospike.OPERATOR_WRITE == 2
    assert o.select_by_path("m", [c.cdt_ctx_all_children()], 0)["op"] not in (aerospike.OPERATOR_WRITE, 3)
    assert o.modify_by_path("m", [c.cdt_ctx_all_children()], e.RemoveResult().compile(), 0)["cdt_flags"] == 0


def test_path_operation_without_ctx_is_refused() -> None:
    policy = build_defaults({"operate": {}})["operate"]
    with pytest.raises(aerospike.exception.ParamError):
        rc.encode_operate(parse_key(("test", "s", "k")), [o.select_by_path("m", [], 0)], None, policy, ValueCodec())


def test_index_type_strings() -> None:
    assert [c.index_type_string(value) for value in (0, 1, 2, 3, 9)] == [
        "default", "list", "mapkeys", "mapvalues", "invalid"]  # fmt: skip
    assert c.index_datatype_string(aerospike.INDEX_NUMERIC) == "numeric"
    assert c.index_datatype_string(aerospike.INDEX_STRING) == "string"
    assert c.index_datatype_string(aerospike.INDEX_GEO2DSPHERE) == "geo2dsphere"
    assert c.index_datatype_string(99) == "invalid"


def test_package_walk_is_over_our_own_package() -> None:
    modules = {info.name for info in pkgutil.walk_packages(aerospike_helpers.__path__, "aerospike_helpers.")}
    assert "aerospike_helpers.expressions.string" in modules
    assert inspect.getfile(importlib.import_module("aerospike_helpers")).startswith(
        str(Path(__file__).parents[2])
    )
