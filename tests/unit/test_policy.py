"""Policies: defaults per kind, deprecated top-level defaults, validation, per-call merges."""

from __future__ import annotations

from typing import Any

import pytest

import aerospike
from aerospike.exception import ParamError
from aerospike.policy import Policy, Resolver, build, build_defaults


def test_spec_defaults() -> None:
    defaults = build_defaults(None)
    read = defaults["read"]
    assert (read.total_timeout, read.socket_timeout, read.max_retries, read.sleep_between_retries) == (1000, 0, 2, 0)
    assert read.key == aerospike.POLICY_KEY_DIGEST and read.replica == aerospike.POLICY_REPLICA_MASTER
    assert read.deserialize is True and read.linearize_read is False
    write = defaults["write"]
    assert (write.total_timeout, write.max_retries) == (1000, 0)
    assert write.exists == aerospike.POLICY_EXISTS_IGNORE and write.gen == aerospike.POLICY_GEN_IGNORE
    assert write.commit_level == aerospike.POLICY_COMMIT_LEVEL_ALL and write.durable_delete is False
    assert defaults["batch"].max_retries == 2 and defaults["batch"].allow_inline is True
    assert (defaults["scan"].socket_timeout, defaults["scan"].total_timeout) == (10000, 0)
    assert (defaults["query"].socket_timeout, defaults["query"].total_timeout) == (10000, 0)
    assert defaults["info"].timeout == 1000


def test_deprecated_top_level_defaults_apply_to_their_kinds() -> None:
    defaults = build_defaults(
        {"total_timeout": 3000, "key": aerospike.POLICY_KEY_SEND, "exists": aerospike.POLICY_EXISTS_CREATE,
         "commit_level": aerospike.POLICY_COMMIT_LEVEL_MASTER, "read": {"total_timeout": 50}}
    )
    assert defaults["read"].total_timeout == 50  # the kind's own dict wins
    assert defaults["write"].total_timeout == 3000
    assert defaults["write"].key == aerospike.POLICY_KEY_SEND
    assert defaults["write"].exists == aerospike.POLICY_EXISTS_CREATE
    assert defaults["operate"].exists == aerospike.POLICY_EXISTS_IGNORE
    assert defaults["remove"].commit_level == aerospike.POLICY_COMMIT_LEVEL_MASTER
    assert defaults["read"].commit_level == aerospike.POLICY_COMMIT_LEVEL_ALL


@pytest.mark.parametrize(
    ("kind", "overrides", "message"),
    [
        ("read", {"total_timeout": "1000"}, "total_timeout is invalid"),
        ("read", {"timeout": 1.5}, "timeout is invalid"),
        ("read", {"total_timeout": None}, "total_timeout is invalid"),
        ("write", {"durable_delete": "yes"}, "durable_delete is invalid"),
        ("write", {"exists": 1.0}, "exists is invalid"),
        ("remove", {"generation": "1"}, "generation is invalid"),
        ("info", {"timeout": "5"}, "timeout is invalid"),
        # The first bad key in 3.0.0's reading order is reported.
        ("write", {"key": "x", "total_timeout": "y"}, "total_timeout is invalid"),
    ],
)
def test_bad_policies_raise_3_0_0_messages(kind: str, overrides: dict, message: str) -> None:
    with pytest.raises(ParamError) as raised:
        build(kind, overrides)
    assert (raised.value.code, raised.value.msg) == (-2, message)


@pytest.mark.parametrize(
    ("kind", "overrides", "field", "value"),
    [
        ("read", {"total_timeout": -1}, "total_timeout", 0xFFFFFFFF),  # cast to 32 bits, as the C client
        ("read", {"max_retries": True}, "max_retries", 1),
        ("write", {"exists": 99}, "exists", 99),  # enums are not checked
        ("write", {"durable_delete": 2}, "durable_delete", True),
        ("read", {"exists": "ignored"}, "exists", aerospike.POLICY_EXISTS_IGNORE),  # not a read key
        ("read", {"no_such_key": object()}, "total_timeout", 1000),
        ("read", {"retry": aerospike.POLICY_RETRY_ONCE}, "max_retries", 2),  # 'retry' is ignored
        ("operate", {"exists": aerospike.POLICY_EXISTS_CREATE}, "exists", aerospike.POLICY_EXISTS_IGNORE),
        ("remove", {"generation": 70000}, "generation", 70000 & 0xFFFF),
        ("info", {"total_timeout": "x", "timeout": 5}, "timeout", 5),
        ("read", {"timeout": 5, "total_timeout": 7}, "total_timeout", 7),
    ],
)
def test_policies_take_what_3_0_0_takes(kind: str, overrides: dict, field: str, value: Any) -> None:
    assert getattr(build(kind, overrides), field) == value


def test_bad_config_policies() -> None:
    with pytest.raises(ParamError) as raised:
        build_defaults({"read": 5})
    assert raised.value.msg == "Invalid Policy setting value"
    for bad in ({"write": {"total_timeout": -1}}, {"read": {"deserialize": 1}}, {"batch": {"max_retries": "2"}}):
        with pytest.raises(ParamError):
            build_defaults(bad)
    # Unknown keys, non-dict policies and ill-typed deprecated top-level keys are ignored.
    assert build_defaults({"bogus": 1})["read"] == build_defaults(None)["read"]
    assert build_defaults([])["write"] == build_defaults(None)["write"]  # type: ignore[arg-type]
    assert build_defaults({"timeout": "5"})["read"].total_timeout == 1000


def test_socket_timeout_capped_by_total_timeout() -> None:
    policy = build("read", {"socket_timeout": 5000, "total_timeout": 100})
    assert policy.socket_timeout == 100
    assert build("read", {"socket_timeout": 5000, "total_timeout": 0}).socket_timeout == 5000


def test_legacy_keys() -> None:
    assert build("remove", {"retry": aerospike.POLICY_RETRY_ONCE}).max_retries == 0
    assert build("read", {"timeout": 250}).total_timeout == 250
    assert build("write", {"commit": 1, "consistency": 1}) == build("write")


def test_policies_are_frozen() -> None:
    policy = build("read")
    with pytest.raises(AttributeError):
        policy.total_timeout = 5  # type: ignore[misc]


def test_resolver_returns_defaults_and_caches_merges() -> None:
    defaults = build_defaults({"read": {"max_retries": 5}})
    resolver = Resolver(defaults)
    assert resolver.resolve("read", None) is defaults["read"]
    assert resolver.resolve("read", {}) is defaults["read"]
    merged = resolver.resolve("read", {"total_timeout": 20})
    assert merged.total_timeout == 20 and merged.max_retries == 5
    assert resolver.resolve("read", {"total_timeout": 20}) is merged
    assert isinstance(merged, Policy)
    with pytest.raises(ParamError) as raised:
        resolver.resolve("read", [("total_timeout", 1)])
    assert raised.value.msg == "policy must be a dict"
    with pytest.raises(ParamError):
        resolver.resolve("read", {"total_timeout": None})
    # 1 and 1.0 hash alike: the cache must not answer for the float.
    assert resolver.resolve("read", {"total_timeout": 1}).total_timeout == 1
    with pytest.raises(ParamError):
        resolver.resolve("read", {"total_timeout": 1.0})


def test_top_level_compression_threshold_is_the_write_policy_default() -> None:
    from aerospike.policy import build_defaults

    defaults = build_defaults({}, compression_threshold=500)
    assert defaults["write"].compression_threshold == 500
    assert build_defaults({"write": {"compression_threshold": 20}}, 500)["write"].compression_threshold == 20
    assert build_defaults({})["write"].compression_threshold == 0


def test_default_policies_are_built_on_first_use_and_shared_until_overridden():
    first, second = build_defaults(None), build_defaults({"read": {"total_timeout": 77}})
    assert "write" not in first  # nothing built before it is asked for
    assert first["write"] == build("write") and first["write"] is second["write"]
    assert second["read"].total_timeout == 77 and first["read"].total_timeout == build("read").total_timeout
    assert second["read"] is not first["read"]
    with pytest.raises(KeyError):
        first["nosuchkind"]
