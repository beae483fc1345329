"""The module-level constants against the spec's names and the official client 3.0.0's values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aerospike import _constants as constants

SPEC_DIR = Path("/work/shared/spec")

# Not integer constants: the version string, the null() factory, and the two job-module strings.
NOT_INT = {"__version__", "null", "JOB_SCAN", "JOB_QUERY"}

_DATA = re.compile(r"^\.\. data:: +([A-Za-z_][A-Za-z0-9_]*)", re.M)
# "aerospike.POLICY_KEY_*" in prose names a group, not a constant; the lookahead skips it.
_REFERENCE = re.compile(r"\b[Aa]e(?:ro|or)spike\.([A-Z][A-Z0-9_]+)(?![A-Za-z0-9_*])")


def spec_constant_names() -> set[str]:
    names: set[str] = set()
    for path in SPEC_DIR.glob("*.rst"):
        text = path.read_text()
        names.update(_DATA.findall(text))
        names.update(_REFERENCE.findall(text))
    return {name for name in names if not name.endswith("_") and name not in {"__version__", "null"}}


@pytest.mark.skipif(not SPEC_DIR.exists(), reason="spec not present")
def test_every_spec_constant_exists_with_the_right_type() -> None:
    names = spec_constant_names()
    assert len(names) > 100
    assert "TTL_NEVER_EXPIRE" in names and "MAP_UPDATE" in names
    missing = sorted(name for name in names if not hasattr(constants, name))
    assert missing == []
    for name in names:
        value = getattr(constants, name)
        if name in NOT_INT:
            assert isinstance(value, str), name
        else:
            assert type(value) is int, name
        assert name in constants.__all__


def test_all_lists_every_public_constant_once() -> None:
    public = {name for name in vars(constants) if re.fullmatch(r"[A-Z][A-Z0-9_]+", name)}
    assert len(constants.__all__) == len(set(constants.__all__))
    assert set(constants.__all__) == public


# Values of the official client 3.0.0 (aerospike.c, policy.c, log.c over the C client 4.3.1 headers).
SPOT_VALUES = {
    "OPERATOR_READ": 1,
    "OPERATOR_WRITE": 2,
    "OPERATOR_INCR": 5,
    "OPERATOR_APPEND": 9,
    "OPERATOR_PREPEND": 10,
    "OPERATOR_TOUCH": 11,
    "OP_LIST_APPEND": 1001,
    "OP_LIST_INCREMENT": 1015,
    "OP_MAP_SET_POLICY": 1101,
    "OP_MAP_GET_BY_RANK_RANGE": 1125,
    "MAP_KEY_VALUE_ORDERED": 3,
    "MAP_CREATE_ONLY": 2,
    "MAP_RETURN_KEY_VALUE": 8,
    "POLICY_EXISTS_CREATE_OR_REPLACE": 4,
    "POLICY_EXISTS_REPLACE": 3,
    "POLICY_KEY_SEND": 1,
    "POLICY_GEN_GT": 2,
    "POLICY_REPLICA_ANY": 1,
    "POLICY_REPLICA_SEQUENCE": 2,
    "POLICY_COMMIT_LEVEL_MASTER": 1,
    "POLICY_CONSISTENCY_ALL": 1,
    "POLICY_RETRY_ONCE": 1,
    "TTL_NEVER_EXPIRE": 4294967295,
    "TTL_DONT_UPDATE": 4294967294,
    "TTL_NAMESPACE_DEFAULT": 0,
    "SCAN_PRIORITY_HIGH": 3,
    "SCAN_STATUS_COMPLETED": 3,
    "SCAN_STATUS_ABORTED": 2,
    "JOB_STATUS_COMPLETED": 2,
    "JOB_SCAN": "scan",
    "JOB_QUERY": "query",
    "SERIALIZER_NONE": 0,
    "SERIALIZER_PYTHON": 1,
    "SERIALIZER_JSON": 2,
    "SERIALIZER_USER": 3,
    "INDEX_STRING": 0,
    "INDEX_NUMERIC": 1,
    "INDEX_GEO2DSPHERE": 2,
    "INDEX_TYPE_MAPVALUES": 3,
    "PRIV_DATA_ADMIN": 2,
    "PRIV_READ": 10,
    "PRIV_READ_WRITE_UDF": 12,
    "UDF_TYPE_LUA": 0,
    "LOG_LEVEL_OFF": -1,
    "LOG_LEVEL_TRACE": 4,
}


@pytest.mark.parametrize(("name", "value"), sorted(SPOT_VALUES.items()))
def test_spot_values_match_the_official_client(name: str, value: object) -> None:
    assert getattr(constants, name) == value


@pytest.mark.parametrize(("prefix", "first", "count"), [("OP_LIST_", 1001, 15), ("OP_MAP_", 1101, 25)])
def test_operation_codes_are_contiguous_from_their_base(prefix: str, first: int, count: int) -> None:
    # In 3.0.0 they are C enums counting up from the base in declaration order.
    values = [getattr(constants, name) for name in constants.__all__ if name.startswith(prefix)]
    assert values == list(range(first, first + count))


@pytest.mark.parametrize(
    "prefix",
    [
        "OPERATOR_",
        "OP_LIST_",
        "OP_MAP_",
        "MAP_RETURN_",
        "POLICY_EXISTS_",
        "POLICY_GEN_",
        "POLICY_KEY_",
        "POLICY_REPLICA_",
        "SCAN_PRIORITY_",
        "SCAN_STATUS_",
        "JOB_STATUS_",
        "SERIALIZER_",
        "INDEX_TYPE_",
        "PRIV_",
        "LOG_LEVEL_",
        "TTL_",
    ],
)
def test_values_within_a_group_are_distinct(prefix: str) -> None:
    values = [getattr(constants, name) for name in constants.__all__ if name.startswith(prefix)]
    assert len(values) >= 2
    assert len(values) == len(set(values))
