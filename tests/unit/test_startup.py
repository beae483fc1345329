"""What `import aerospike` loads (docs/internals.md, "Startup"), checked in a fresh interpreter.

`import aerospike` must load what a connected get/put needs and nothing that most programs never use: TLS, Lua,
security, the local cluster, shared memory, the list/map/bit builders, query/scan/batch/UDF, and the standard
library modules only those need. Public names stay reachable: the lazy ones load on first access.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

# Never loaded by `import aerospike` (the first eight are the list).
NOT_IMPORTED = (
    "ssl",
    "socket",
    "lupa",
    "bcrypt",
    "aerospike.admin",
    "aerospike.shm.tending",
    "aerospike.testing",
    "aerospike.ops.list_ops",
    "logging",
    "dataclasses",
    "msgpack",
    "pickle",
    "hashlib",
    "aerospike.protocol.admin",
    "aerospike.protocol.cdt",
    "aerospike.protocol.expressions",
    "aerospike.ops.builders",
    "aerospike.ops.bit_ops",
    "aerospike.ops.map_ops",
    "aerospike.shm.segment",
    "aerospike.tls",
    "aerospike.query",
    "aerospike.scan",
    "aerospike.batch",
    "aerospike.udf",
    "aerospike.cdt_types",
)


def run_fresh(code: str) -> dict:
    """Run `code` in a new interpreter (from /, so the installed package is imported); it prints one JSON line."""
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd="/", timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_import_aerospike_loads_nothing_most_programs_never_use() -> None:
    result = run_fresh(
        f"""
        import json, sys
        watched = {NOT_IMPORTED!r}
        before = [name for name in watched if name in sys.modules]
        import aerospike
        loaded = [name for name in watched if name in sys.modules]
        print(json.dumps({{"before": before, "loaded": loaded}}))
        """
    )
    assert result["before"] == [], "the interpreter loaded these before aerospike: the check would prove nothing"
    assert result["loaded"] == []


def test_lazy_public_names_load_on_first_access() -> None:
    result = run_fresh(
        """
        import json, sys
        import aerospike
        from aerospike import predicates
        from aerospike.exception import RecordNotFound
        names = {
            "Query": aerospike.Query.__module__,
            "Scan": aerospike.Scan.__module__,
            "logger": aerospike.logger.name,
            "predicates": predicates.__name__,
            "exception": aerospike.exception.RecordNotFound is RecordNotFound,
            "constant": aerospike.OP_LIST_APPEND,
            "cdt_types": [aerospike.KeyOrderedDict.__module__, aerospike.CDTWildcard.__name__],
            "star": sorted(name for name in ("Query", "Scan", "client", "exception") if name in aerospike.__all__),
        }
        from aerospike.ops import METHODS, build_cdt_op, read_map_policy
        names["ops"] = ("list_append" in METHODS, "aerospike.ops.list_ops" in sys.modules)
        from aerospike.shm import SharedTending
        names["shm"] = SharedTending.__module__
        print(json.dumps(names))
        """
    )
    assert result == {
        "Query": "aerospike.query",
        "Scan": "aerospike.scan",
        "logger": "aerospike",
        "predicates": "aerospike.predicates",
        "exception": True,
        "constant": 1001,
        "cdt_types": ["aerospike.cdt_types", "CDTWildcard"],
        "star": ["Query", "Scan", "client", "exception"],
        "ops": [True, True],
        "shm": "aerospike.shm.tending",
    }


def test_from_aerospike_import_star_gives_the_lazy_names() -> None:
    result = run_fresh(
        """
        import json
        from aerospike import *  # noqa: F403
        print(json.dumps([Query.__name__, Scan.__name__, OP_MAP_PUT]))  # noqa: F405
        """
    )
    assert result == ["Query", "Scan", 1102]


def test_the_logger_drops_records_until_logging_is_loaded_then_delivers_them() -> None:
    result = run_fresh(
        """
        import json, sys
        import aerospike
        aerospike.client({"hosts": [("127.0.0.1", 3000)], "no_such_key": 1})  # warns: dropped, nobody listens
        quiet = "logging" in sys.modules
        seen = []
        aerospike.set_log_handler(lambda level, func, path, line, msg: seen.append((level, func, path[-9:], msg)))
        aerospike.set_log_level(aerospike.LOG_LEVEL_WARN)
        aerospike.client({"hosts": [("127.0.0.1", 3000)], "no_such_key": 1})
        print(json.dumps({"quiet": quiet, "seen": seen, "warn": aerospike.LOG_LEVEL_WARN}))
        """
    )
    assert result["quiet"] is False
    assert result["warn"] == 1
    assert result["seen"] == [[1, "parse_config", "config.py", "unknown config key 'no_such_key' ignored"]]


def test_cdt_and_bin_op_code_sets_match_the_builders() -> None:
    from aerospike import ops
    from aerospike.ops import bit_ops, builders

    assert ops.CDT_OP_CODES == frozenset(builders._BUILDERS)
    assert ops.BIN_OP_CODES == frozenset(
        code for code in range(0, 3000) if bit_ops.is_bin_op(code)
    )
    for code in (1001, 1144, 2000, 2110, 2200, 2201, 3, 1000, 1145, True):
        assert ops.is_cdt_op(code) == builders.is_cdt_op(code)
        assert ops.is_bin_op(code) == bit_ops.is_bin_op(code)


@pytest.mark.parametrize(
    "value_class",
    ["aerospike.config.ClientConfig", "aerospike.config.TlsConfig", "aerospike.cluster.ClusterConfig",
     "aerospike.shm.config.ShmConfig"],
)
def test_frozen_config_values_refuse_assignment_and_compare_by_fields(value_class: str) -> None:
    import importlib
    import pickle

    module_name, _, class_name = value_class.rpartition(".")
    cls = getattr(importlib.import_module(module_name), class_name)
    required = {"hosts": (("h", 3000, None),), "policies": {}, "seeds": (("h", 3000, None),)}
    arguments = {name: required[name] for name in cls._fields if name in required}
    value = cls(**arguments)
    assert value == cls(**arguments) and hash(value) == hash(cls(**arguments))
    assert pickle.loads(pickle.dumps(value)) == value
    with pytest.raises(AttributeError):
        value.__setattr__(cls._fields[0], None)
    with pytest.raises(TypeError):
        cls(**arguments, no_such_field=1)
    changed = value.replace(**{cls._fields[-1]: "other"})
    assert changed != value and getattr(changed, cls._fields[-1]) == "other"


def test_cluster_config_repr_hides_the_password() -> None:
    from aerospike.cluster import ClusterConfig

    config = ClusterConfig(seeds=(("h", 3000, None),), user="u", password="secret")
    assert "secret" not in repr(config) and "user='u'" in repr(config)
