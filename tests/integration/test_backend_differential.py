"""The local cluster (the test double) and a real server give the same outcomes for the same calls.

Each scenario is a list of calls through this package's client, one per group of the API (single-record,
operate, list, map, batch, scan, query, index, UDF, aggregation, truncate, info). A test runs one scenario
against a fresh one-node local cluster and against the real server, and compares the outcomes call by call: a
value, or ``raised <class> <code>`` for an error (messages carry addresses and node names, so they are not
compared). Values are normalized where they must vary: ttls compare within a few seconds, info answers are
reduced to what does not depend on the node.

The real server is the one `tests/fixtures/backend.py` provides (in the xdist group ``real-server``, cleaned
before use); without one these tests are not collected at all, as that module leaves out the ``real`` variant.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

import aerospike
from aerospike import exception, predicates
from aerospike.testing import LocalCluster
from tests.fixtures.backend import REAL_GROUP, Backend, _real_available

TTL_SLACK = 3  # seconds two ttls read a moment apart may differ by


class Ttl:
    """A ttl read back from a server: equal to another within TTL_SLACK seconds."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ttl) and abs(self.seconds - other.seconds) <= TTL_SLACK

    def __repr__(self) -> str:
        return f"ttl~{self.seconds}"


def normalize(value: Any) -> Any:
    """`value` with every meta ttl made a Ttl (tuples, lists and dicts walked through)."""
    if isinstance(value, dict):
        return {k: Ttl(v) if k == "ttl" and isinstance(v, int) else normalize(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(normalize(item) for item in value)
    if isinstance(value, list):
        return [normalize(item) for item in value]
    return value


class Run:
    """The outcomes of one scenario on one backend, in call order."""

    def __init__(self, client: Any, hosts: list[tuple[str, int]], tmp: Path) -> None:
        self.client = client
        self.host = hosts[0]
        self.tmp = tmp
        self.outcomes: list[tuple[str, Any]] = []

    def __call__(self, label: str, call: Callable[[], Any], shape: Callable[[Any], Any] = normalize) -> Any:
        """Run `call`, record its outcome under `label`, and return its value (None when it raised)."""
        try:
            value = call()
        except exception.AerospikeError as error:
            self.outcomes.append((label, f"raised {type(error).__name__} {error.code}"))
            return None
        self.outcomes.append((label, shape(value)))
        return value

    def info(self, command: str) -> str:
        """The answer of one info command on the first node (without the echoed command)."""
        reply = str(self.client.info_node(command, self.host))
        return reply.partition("\t")[2].rstrip("\n") if "\t" in reply else reply

    def lua(self, name: str, source: str) -> str:
        path = self.tmp / name
        path.write_text(source)
        return str(path)


def _by_key(records: list) -> list:
    """Scan and query results in a fixed order (by user key, then digest)."""
    return sorted(records, key=lambda record: (repr(record[0][2]), bytes(record[0][3] or b"")))


# -- single-record -------------------------------------------------------------------------------------------


def scenario_single_record(run: Run) -> None:
    c = run.client
    s = "dif_kv"
    k1, k2, k3 = ("test", s, "k1"), ("test", s, 2), ("test", s, "k3")
    run("get missing", lambda: c.get(k1))
    run("exists missing", lambda: c.exists(k1))
    run("select missing record", lambda: c.select(k1, ["a"]))
    run("touch missing", lambda: c.touch(k1, 10))
    run("remove missing", lambda: c.remove(k1))
    run("remove_bin missing record", lambda: c.remove_bin(k1, ["a"]))
    run("put", lambda: c.put(k1, {"a": 1, "b": "x", "c": 1.5, "d": [1, "2"], "e": {"k": 1}, "f": bytearray(b"\0\1")}))
    run("get", lambda: c.get(k1))
    run("exists", lambda: c.exists(k1))
    run("select some and missing bins", lambda: c.select(k1, ["a", "zz"]))
    run("select only missing bins", lambda: c.select(k1, ["zz"]))
    run("put again: gen 2", lambda: c.put(k1, {"a": 2}))
    run("get after second put keeps other bins", lambda: c.get(k1))
    run("gen EQ wrong", lambda: c.put(k1, {"a": 3}, meta={"gen": 1}, policy={"gen": aerospike.POLICY_GEN_EQ}))
    run("gen EQ right", lambda: c.put(k1, {"a": 3}, meta={"gen": 2}, policy={"gen": aerospike.POLICY_GEN_EQ}))
    run("gen GT equal", lambda: c.put(k1, {"a": 4}, meta={"gen": 3}, policy={"gen": aerospike.POLICY_GEN_GT}))
    run("gen GT greater", lambda: c.put(k1, {"a": 4}, meta={"gen": 9}, policy={"gen": aerospike.POLICY_GEN_GT}))
    run("gen after GT", lambda: c.exists(k1))
    run("remove gen EQ wrong", lambda: c.remove(k1, meta={"gen": 1}, policy={"gen": aerospike.POLICY_GEN_EQ}))
    run("touch gen EQ wrong", lambda: c.touch(k1, 0, meta={"gen": 1}, policy={"gen": aerospike.POLICY_GEN_EQ}))
    run("create on existing", lambda: c.put(k1, {"a": 5}, policy={"exists": aerospike.POLICY_EXISTS_CREATE}))
    run("update on missing", lambda: c.put(k2, {"a": 5}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE}))
    run("replace on missing", lambda: c.put(k2, {"a": 5}, policy={"exists": aerospike.POLICY_EXISTS_REPLACE}))
    run("replace on existing", lambda: c.put(k1, {"z": 5}, policy={"exists": aerospike.POLICY_EXISTS_REPLACE}))
    run("replace dropped the other bins", lambda: c.get(k1))
    run("create_or_replace", lambda: c.put(k1, {"y": 6}, policy={"exists": aerospike.POLICY_EXISTS_CREATE_OR_REPLACE}))
    run("after create_or_replace", lambda: c.get(k1))
    run("create on missing", lambda: c.put(k2, {"a": 1}, policy={"exists": aerospike.POLICY_EXISTS_CREATE}))
    run("update on existing", lambda: c.put(k2, {"b": 1}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE}))
    run("after update", lambda: c.get(k2))
    # ttl semantics: -1 never expires, -2 keeps the record's ttl, 0 the namespace default.
    run("put ttl 1000", lambda: c.put(k3, {"a": 1}, meta={"ttl": 1000}))
    run("ttl 1000", lambda: c.exists(k3))
    run("put ttl -2 keeps it", lambda: c.put(k3, {"a": 2}, meta={"ttl": aerospike.TTL_DONT_UPDATE}))
    run("ttl kept", lambda: c.exists(k3))
    run("put ttl -1", lambda: c.put(k3, {"a": 3}, meta={"ttl": aerospike.TTL_NEVER_EXPIRE}))
    run("ttl never", lambda: c.exists(k3))
    run("put ttl 0", lambda: c.put(k3, {"a": 4}, meta={"ttl": 0}))
    run("ttl namespace default", lambda: c.exists(k3))
    run("touch 500", lambda: c.touch(k3, 500))
    run("after touch", lambda: c.exists(k3))
    run("touch 0", lambda: c.touch(k3, 0))
    run("after touch 0", lambda: c.exists(k3))
    run("touch -1", lambda: c.touch(k3, -1))
    run("after touch -1", lambda: c.exists(k3))
    run("put -2 on a new record", lambda: c.put(("test", s, "k4"), {"a": 1}, meta={"ttl": -2}))
    run("ttl of new record put with -2", lambda: c.exists(("test", s, "k4")))
    run("put huge ttl", lambda: c.put(k3, {"a": 1}, meta={"ttl": 2**31}))
    # bins and records
    run("remove_bin of one bin", lambda: c.remove_bin(k2, ["a"]))
    run("after remove_bin", lambda: c.get(k2))
    run("remove_bin of a missing bin", lambda: c.remove_bin(k2, ["nope"]))
    run("gen after removing a missing bin", lambda: c.exists(k2))
    run("remove_bin of the last bin", lambda: c.remove_bin(k2, ["b"]))
    run("record gone with its last bin", lambda: c.get(k2))
    run("put with an empty dict", lambda: c.put(k2, {}))
    run("put only None bins on missing", lambda: c.put(k2, {"a": None}))
    run("after None-only put", lambda: c.exists(k2))
    run("put None removes a bin", lambda: c.put(k1, {"y": None, "w": 1}))
    run("after put None", lambda: c.get(k1))
    # key send vs digest
    ks = ("test", s, "sent")
    run("put key send", lambda: c.put(ks, {"a": 1}, policy={"key": aerospike.POLICY_KEY_SEND}))
    run("get of sent key", lambda: c.get(ks))
    digest = aerospike.calc_digest("test", s, "sent")
    run("get by digest of sent key", lambda: c.get(("test", s, None, digest)))
    kd = ("test", s, "digest-only")
    run("put key digest", lambda: c.put(kd, {"a": 1}, policy={"key": aerospike.POLICY_KEY_DIGEST}))
    run("get by digest of digest-only key", lambda: c.get(("test", s, None, aerospike.calc_digest("test", s, "digest-only"))))
    run("put int key sent", lambda: c.put(("test", s, 77), {"a": 1}, policy={"key": aerospike.POLICY_KEY_SEND}))
    run("get int key by digest", lambda: c.get(("test", s, None, aerospike.calc_digest("test", s, 77))))
    run("put bytes key sent", lambda: c.put(("test", s, bytearray(b"kb")), {"a": 1}, policy={"key": aerospike.POLICY_KEY_SEND}))
    run("get bytes key by digest", lambda: c.get(("test", s, None, aerospike.calc_digest("test", s, bytearray(b"kb")))))
    run("put key send, no set", lambda: c.put(("test", None, "noset"), {"a": 1}, policy={"key": aerospike.POLICY_KEY_SEND}))
    run("get, no set", lambda: c.get(("test", None, "noset")))
    # arithmetic and strings
    ki = ("test", s, "incr")
    run("increment missing record", lambda: c.increment(ki, "i", 5))
    run("increment int by float", lambda: c.increment(ki, "i", 1.5))
    run("put float bin", lambda: c.put(ki, {"f": 1.5, "t": "abc"}))
    run("increment float by int", lambda: c.increment(ki, "f", 2))
    run("increment float by float", lambda: c.increment(ki, "f", 2.25))
    run("increment string", lambda: c.increment(ki, "t", 1))
    run("increment missing bin by float", lambda: c.increment(ki, "g", 0.5))
    run("increment int by negative", lambda: c.increment(ki, "i", -7))
    run("increment overflow", lambda: c.increment(ki, "i", 2**63 - 1))
    run("after increments", lambda: c.get(ki))
    run("append to missing bin", lambda: c.append(ki, "s", "x"))
    run("append to string", lambda: c.append(ki, "s", "yz"))
    run("prepend to string", lambda: c.prepend(ki, "s", "w"))
    run("append to int", lambda: c.append(ki, "i", "x"))
    run("prepend to float", lambda: c.prepend(ki, "f", "x"))
    run("append bytes to string", lambda: c.append(ki, "s", bytearray(b"b")))
    run("append bytes to missing bin", lambda: c.append(ki, "blob", bytearray(b"b")))
    run("append str to blob", lambda: c.append(ki, "blob", "s"))
    run("append to missing record", lambda: c.append(("test", s, "app"), "s", "x"))
    run("prepend to missing record", lambda: c.prepend(("test", s, "pre"), "s", "x"))
    run("after appends", lambda: c.get(ki))
    run("after append to missing record", lambda: c.get(("test", s, "app")))
    run("remove", lambda: c.remove(ki))
    run("get removed", lambda: c.get(ki))
    run("remove again", lambda: c.remove(ki))
    run("bool and big values", lambda: c.put(ki, {"b": True, "n": -(2**63), "u": "\u00e9\u4e2d"}))
    run("read them", lambda: c.get(ki))
    run("namespace missing", lambda: c.get(("nope", s, "x")))


# -- operate ---------------------------------------------------------------------------------------------------


def _op(op: int, bin: Optional[str] = None, val: Any = None, **fields: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {"op": op}
    if bin is not None:
        operation["bin"] = bin
    if val is not None:
        operation["val"] = val
    operation.update(fields)
    return operation


def scenario_operate(run: Run) -> None:
    c = run.client
    s = "dif_op"
    k = ("test", s, "o1")
    W, R, INCR = aerospike.OPERATOR_WRITE, aerospike.OPERATOR_READ, aerospike.OPERATOR_INCR
    APP, PRE, TOUCH = aerospike.OPERATOR_APPEND, aerospike.OPERATOR_PREPEND, aerospike.OPERATOR_TOUCH
    run("read of missing record", lambda: c.operate(k, [_op(R, "a")]))
    run("touch of missing record", lambda: c.operate(k, [_op(TOUCH, val=100)]))
    run("incr+read creates", lambda: c.operate(k, [_op(INCR, "a", 1), _op(R, "a")]))
    run("write, incr, read one bin", lambda: c.operate(k, [_op(W, "a", 10), _op(INCR, "a", 5), _op(R, "a")]))
    run("read, write, read one bin (ordered)", lambda: c.operate_ordered(k, [_op(R, "a"), _op(W, "a", 1), _op(R, "a")]))
    run("two reads of one bin", lambda: c.operate(k, [_op(R, "a"), _op(R, "a")]))
    run("two reads of one bin (ordered)", lambda: c.operate_ordered(k, [_op(R, "a"), _op(R, "a")]))
    run("append, prepend, read", lambda: c.operate(k, [_op(W, "s", "b"), _op(APP, "s", "c"), _op(PRE, "s", "a"), _op(R, "s")]))
    run("read missing bin", lambda: c.operate(k, [_op(R, "zz")]))
    run("read missing bin (ordered)", lambda: c.operate_ordered(k, [_op(R, "zz"), _op(R, "a")]))
    run("incr string bin", lambda: c.operate(k, [_op(INCR, "s", 1)]))
    run("incr int by float", lambda: c.operate(k, [_op(INCR, "a", 1.0)]))
    run("append to int", lambda: c.operate(k, [_op(APP, "a", "x")]))
    run("a failing op writes nothing", lambda: c.get(k))
    run("touch with ttl", lambda: c.operate(k, [_op(TOUCH, val=200)]))
    run("ttl after touch op", lambda: c.exists(k))
    run("touch then read", lambda: c.operate(k, [_op(TOUCH, val=300), _op(R, "a")]))
    run("meta ttl in operate", lambda: c.operate(k, [_op(W, "m", 1)], meta={"ttl": 400}))
    run("ttl after meta", lambda: c.exists(k))
    run("gen EQ wrong", lambda: c.operate(k, [_op(W, "m", 2)], meta={"gen": 1}, policy={"gen": aerospike.POLICY_GEN_EQ}))
    run("write None removes bin", lambda: c.operate(k, [_op(W, "m", None)]))
    run("after write None", lambda: c.get(k))
    run("write float, incr int", lambda: c.operate(k, [_op(W, "f", 1.25), _op(INCR, "f", 1)]))
    run("incr float by float then read", lambda: c.operate(k, [_op(INCR, "f", 0.25), _op(R, "f")]))
    run("write only gives no bins", lambda: c.operate(k, [_op(W, "x", 1)]))
    run("write only (ordered)", lambda: c.operate_ordered(k, [_op(W, "x", 2)]))
    run("create policy on existing", lambda: c.operate(k, [_op(W, "x", 3)], policy={"exists": aerospike.POLICY_EXISTS_CREATE}))
    kn = ("test", s, "o2")
    run("update policy on missing", lambda: c.operate(kn, [_op(W, "x", 3)], policy={"exists": aerospike.POLICY_EXISTS_UPDATE}))
    run("write then delete all bins", lambda: c.operate(kn, [_op(W, "x", 1), _op(W, "x", None)]))
    run("record after writing then removing its only bin", lambda: c.exists(kn))
    run("read all is not an op: read with no bin", lambda: c.operate(k, [{"op": R}]))
    run("empty op list", lambda: c.operate(k, []))
    run("unknown op", lambda: c.operate(k, [{"op": 999, "bin": "a"}]))
    run("final", lambda: c.get(k))


# -- lists -----------------------------------------------------------------------------------------------------


def scenario_list(run: Run) -> None:
    c = run.client
    s = "dif_list"
    k = ("test", s, "l1")
    km = ("test", s, "missing")
    # On a missing record
    run("list_size missing record", lambda: c.list_size(km, "l"))
    run("list_get missing record", lambda: c.list_get(km, "l", 0))
    run("list_pop missing record", lambda: c.list_pop(km, "l", 0))
    run("list_remove missing record", lambda: c.list_remove(km, "l", 0))
    run("list_clear missing record", lambda: c.list_clear(km, "l"))
    run("list_trim missing record", lambda: c.list_trim(km, "l", 0, 1))
    run("missing record still missing", lambda: c.exists(km))
    run("put", lambda: c.put(k, {"l": [1, 2, 3, 4, 5], "x": 1}))
    # On a missing bin of an existing record
    run("list_size missing bin", lambda: c.list_size(k, "nope"))
    run("list_get missing bin", lambda: c.list_get(k, "nope", 0))
    run("list_get_range missing bin", lambda: c.list_get_range(k, "nope", 0, 2))
    run("list_pop missing bin", lambda: c.list_pop(k, "nope", 0))
    run("gen after list_pop on missing bin", lambda: c.exists(k))
    run("list_pop_range missing bin", lambda: c.list_pop_range(k, "nope", 0, 2))
    run("list_remove missing bin", lambda: c.list_remove(k, "nope", 0))
    run("list_remove_range missing bin", lambda: c.list_remove_range(k, "nope", 0, 2))
    run("list_clear missing bin", lambda: c.list_clear(k, "nope"))
    run("list_trim missing bin", lambda: c.list_trim(k, "nope", 0, 1))
    run("list_set missing bin", lambda: c.list_set(k, "new1", 2, "v"))
    run("list_insert missing bin", lambda: c.list_insert(k, "new2", 1, "v"))
    run("record after ops on missing bins", lambda: c.get(k))
    # Indexes
    run("list_get 0", lambda: c.list_get(k, "l", 0))
    run("list_get -1", lambda: c.list_get(k, "l", -1))
    run("list_get out of range", lambda: c.list_get(k, "l", 10))
    run("list_get negative out of range", lambda: c.list_get(k, "l", -10))
    run("list_get_range", lambda: c.list_get_range(k, "l", 1, 2))
    run("list_get_range past end", lambda: c.list_get_range(k, "l", 3, 10))
    run("list_get_range start out of range", lambda: c.list_get_range(k, "l", 10, 2))
    run("list_get_range negative", lambda: c.list_get_range(k, "l", -2, 5))
    run("list_get_range zero count", lambda: c.list_get_range(k, "l", 0, 0))
    run("list_pop -1", lambda: c.list_pop(k, "l", -1))
    run("list_pop out of range", lambda: c.list_pop(k, "l", 10))
    run("list_pop_range", lambda: c.list_pop_range(k, "l", 0, 2))
    run("list_pop_range past end", lambda: c.list_pop_range(k, "l", 1, 10))
    run("list now", lambda: c.get(k))
    run("list_insert past end", lambda: c.list_insert(k, "l", 5, "p"))
    run("list_insert negative", lambda: c.list_insert(k, "l", -1, "n"))
    run("list_insert negative out of range", lambda: c.list_insert(k, "l", -20, "n"))
    run("list_set past end", lambda: c.list_set(k, "l", 12, "s"))
    run("list_set negative out of range", lambda: c.list_set(k, "l", -30, "s"))
    run("list after set past end", lambda: c.get(k))
    run("list_remove out of range", lambda: c.list_remove(k, "l", 50))
    run("list_remove_range", lambda: c.list_remove_range(k, "l", 1, 3))
    run("list_remove_range out of range", lambda: c.list_remove_range(k, "l", 50, 3))
    run("list_trim", lambda: c.list_trim(k, "l", 1, 3))
    run("list_trim out of range", lambda: c.list_trim(k, "l", 30, 3))
    run("list after trims", lambda: c.get(k))
    run("list_append", lambda: c.list_append(k, "l", [1, 2]))
    run("list_extend", lambda: c.list_extend(k, "l", ["a", {"m": 1}]))
    run("list_insert_items", lambda: c.list_insert_items(k, "l", 1, [7, 8]))
    run("list_insert_items past end", lambda: c.list_insert_items(k, "l", 40, [7]))
    run("list_size", lambda: c.list_size(k, "l"))
    run("list_clear", lambda: c.list_clear(k, "l"))
    run("list after clear", lambda: c.get(k))
    # On a bin of another type
    run("list_append to int bin", lambda: c.list_append(k, "x", 1))
    run("list_get of int bin", lambda: c.list_get(k, "x", 0))
    run("list_size of int bin", lambda: c.list_size(k, "x"))
    run("list_pop of int bin", lambda: c.list_pop(k, "x", 0))
    # operate with list ops
    L = aerospike
    run("operate list ops", lambda: c.operate(k, [
        {"op": L.OP_LIST_APPEND, "bin": "ol", "val": 1},
        {"op": L.OP_LIST_APPEND_ITEMS, "bin": "ol", "val": [2, 3, 4]},
        {"op": L.OP_LIST_INSERT, "bin": "ol", "index": 0, "val": 0},
        {"op": L.OP_LIST_SIZE, "bin": "ol"},
    ]))
    run("operate list ops (ordered)", lambda: c.operate_ordered(k, [
        {"op": L.OP_LIST_GET, "bin": "ol", "index": 1},
        {"op": L.OP_LIST_GET_RANGE, "bin": "ol", "index": 1, "val": 2},
        {"op": L.OP_LIST_POP, "bin": "ol", "index": 0},
        {"op": L.OP_LIST_SIZE, "bin": "ol"},
    ]))
    run("operate list increment", lambda: c.operate(k, [
        {"op": L.OP_LIST_INCREMENT, "bin": "ol", "index": 0, "val": 10},
        {"op": L.OP_LIST_INCREMENT, "bin": "ol", "index": 1, "val": 1.5},
    ]))
    run("list increment out of range", lambda: c.operate(k, [{"op": L.OP_LIST_INCREMENT, "bin": "ol", "index": 10, "val": 1}]))
    run("list increment missing bin", lambda: c.operate(k, [{"op": L.OP_LIST_INCREMENT, "bin": "nl", "index": 0, "val": 3}]))
    run("list increment of string item", lambda: c.operate(k, [
        {"op": L.OP_LIST_APPEND, "bin": "sl", "val": "a"},
        {"op": L.OP_LIST_INCREMENT, "bin": "sl", "index": 0, "val": 1},
    ]))
    # A map op makes the client ask for a reply per op (RESPOND_ALL_OPS): list ops on a missing bin answer nil.
    for name, code in (("pop", L.OP_LIST_POP), ("remove", L.OP_LIST_REMOVE), ("get", L.OP_LIST_GET)):
        run(f"list {name} of a missing bin with a map op", lambda code=code: c.operate_ordered(k, [
            {"op": code, "bin": "nope", "index": 0},
            {"op": L.OP_MAP_SIZE, "bin": "nope2"},
        ]))
    run("list size and read of missing bins with a map op", lambda: c.operate_ordered(k, [
        {"op": L.OP_LIST_SIZE, "bin": "nope"},
        {"op": aerospike.OPERATOR_READ, "bin": "nope"},
        {"op": L.OP_MAP_SIZE, "bin": "nope2"},
    ]))
    run("list pop_range, trim, clear of a missing bin with a map op", lambda: c.operate_ordered(k, [
        {"op": L.OP_LIST_POP_RANGE, "bin": "nope", "index": 0, "val": 2},
        {"op": L.OP_LIST_TRIM, "bin": "nope", "index": 0, "val": 2},
        {"op": L.OP_LIST_CLEAR, "bin": "nope"},
        {"op": L.OP_LIST_REMOVE_RANGE, "bin": "nope", "index": 0, "val": 2},
        {"op": L.OP_MAP_SIZE, "bin": "nope2"},
    ]))
    run("list ops and read of one bin", lambda: c.operate_ordered(k, [
        {"op": L.OP_LIST_APPEND, "bin": "ol", "val": 9},
        {"op": aerospike.OPERATOR_READ, "bin": "ol"},
        {"op": L.OP_LIST_REMOVE, "bin": "ol", "index": 0},
        {"op": L.OP_LIST_REMOVE_RANGE, "bin": "ol", "index": 0, "val": 1},
        {"op": L.OP_LIST_SET, "bin": "ol", "index": 0, "val": "s"},
        {"op": L.OP_LIST_TRIM, "bin": "ol", "index": 0, "val": 2},
        {"op": L.OP_LIST_POP_RANGE, "bin": "ol", "index": 0, "val": 1},
        {"op": L.OP_LIST_CLEAR, "bin": "ol"},
        {"op": L.OP_LIST_SIZE, "bin": "ol"},
    ]))
    run("final", lambda: c.get(k))


# -- maps ------------------------------------------------------------------------------------------------------


def scenario_map(run: Run) -> None:
    c = run.client
    s = "dif_map"
    k = ("test", s, "m1")
    km = ("test", s, "missing")
    RK, RV, RKV, RC = aerospike.MAP_RETURN_KEY, aerospike.MAP_RETURN_VALUE, aerospike.MAP_RETURN_KEY_VALUE, aerospike.MAP_RETURN_COUNT
    RI, RR, RN = aerospike.MAP_RETURN_INDEX, aerospike.MAP_RETURN_RANK, aerospike.MAP_RETURN_NONE
    run("map_size missing record", lambda: c.map_size(km, "m"))
    run("map_get_by_key missing record", lambda: c.map_get_by_key(km, "m", "a", RV))
    run("map_remove_by_key missing record", lambda: c.map_remove_by_key(km, "m", "a", RV))
    run("map_clear missing record", lambda: c.map_clear(km, "m"))
    run("map_increment missing record", lambda: c.map_increment(km, "m", "a", 2))
    run("after map_increment on missing record", lambda: c.get(km))
    run("put", lambda: c.put(k, {"m": {"b": 2, "a": 1, "c": 3, 1: "one"}, "x": 1}))
    run("map_size missing bin", lambda: c.map_size(k, "nope"))
    run("map_get_by_key missing bin", lambda: c.map_get_by_key(k, "nope", "a", RV))
    run("map_get_by_index missing bin", lambda: c.map_get_by_index(k, "nope", 0, RV))
    run("map_remove_by_key missing bin", lambda: c.map_remove_by_key(k, "nope", "a", RV))
    run("gen after remove on missing bin", lambda: c.exists(k))
    run("map_remove_by_index missing bin", lambda: c.map_remove_by_index(k, "nope", 0, RKV))
    run("map_remove_by_rank_range missing bin", lambda: c.map_remove_by_rank_range(k, "nope", 0, 2, RK))
    run("map_clear missing bin", lambda: c.map_clear(k, "nope"))
    run("map_decrement missing bin", lambda: c.map_decrement(k, "md", "a", 2))
    run("record after ops on missing bins", lambda: c.get(k))
    run("map_size", lambda: c.map_size(k, "m"))
    run("map_get_by_key", lambda: c.map_get_by_key(k, "m", "a", RV))
    run("map_get_by_key kv", lambda: c.map_get_by_key(k, "m", "a", RKV))
    run("map_get_by_key missing key", lambda: c.map_get_by_key(k, "m", "zz", RV))
    run("map_get_by_key missing key kv", lambda: c.map_get_by_key(k, "m", "zz", RKV))
    run("map_get_by_key missing key count", lambda: c.map_get_by_key(k, "m", "zz", RC))
    run("map_get_by_key missing key index", lambda: c.map_get_by_key(k, "m", "zz", RI))
    run("map_get_by_index 0 key", lambda: c.map_get_by_index(k, "m", 0, RK))
    run("map_get_by_index -1 kv", lambda: c.map_get_by_index(k, "m", -1, RKV))
    run("map_get_by_index out of range", lambda: c.map_get_by_index(k, "m", 10, RV))
    run("map_get_by_index_range", lambda: c.map_get_by_index_range(k, "m", 1, 2, RKV))
    run("map_get_by_index_range out of range", lambda: c.map_get_by_index_range(k, "m", 10, 2, RKV))
    run("map_get_by_rank 0", lambda: c.map_get_by_rank(k, "m", 0, RKV))
    run("map_get_by_rank -1", lambda: c.map_get_by_rank(k, "m", -1, RV))
    run("map_get_by_rank out of range", lambda: c.map_get_by_rank(k, "m", 10, RV))
    run("map_get_by_rank_range", lambda: c.map_get_by_rank_range(k, "m", 0, 2, RK))
    run("map_get_by_value", lambda: c.map_get_by_value(k, "m", 2, RK))
    run("map_get_by_value missing", lambda: c.map_get_by_value(k, "m", 99, RK))
    run("map_get_by_value_range", lambda: c.map_get_by_value_range(k, "m", 1, 3, RK))
    run("map_get_by_key_range", lambda: c.map_get_by_key_range(k, "m", "a", "c", RKV))
    run("map_get_by_key index and rank", lambda: (c.map_get_by_key(k, "m", "c", RI), c.map_get_by_key(k, "m", "c", RR)))
    run("map_get_by_index reverse", lambda: c.map_get_by_index(k, "m", 0, aerospike.MAP_RETURN_REVERSE_INDEX))
    run("map_get_by_rank none", lambda: c.map_get_by_rank(k, "m", 0, RN))
    run("map_put", lambda: c.map_put(k, "m", "d", 4))
    run("map_put_items", lambda: c.map_put_items(k, "m", {"e": 5, "a": 10}))
    run("map_put update_only on missing key", lambda: c.map_put(k, "m", "new", 1, {"map_write_mode": aerospike.MAP_UPDATE_ONLY}))
    run("map_put create_only on existing key", lambda: c.map_put(k, "m", "a", 1, {"map_write_mode": aerospike.MAP_CREATE_ONLY}))
    run("map_put_items create_only partly existing", lambda: c.map_put_items(k, "m", {"a": 1, "q": 2}, {"map_write_mode": aerospike.MAP_CREATE_ONLY}))
    run("map_increment", lambda: c.map_increment(k, "m", "a", 5))
    run("map_increment float", lambda: c.map_increment(k, "m", "b", 0.5))
    run("map_increment missing key", lambda: c.map_increment(k, "m", "inc", 3))
    run("map_increment string value", lambda: c.map_increment(k, "m", 1, 3))
    run("map_decrement", lambda: c.map_decrement(k, "m", "c", 1))
    run("map now", lambda: c.get(k))
    run("map_remove_by_key", lambda: c.map_remove_by_key(k, "m", "d", RV))
    run("map_remove_by_key missing key", lambda: c.map_remove_by_key(k, "m", "zz", RV))
    run("map_remove_by_key_list", lambda: c.map_remove_by_key_list(k, "m", ["e", "zz"], RKV))
    run("map_remove_by_key_range", lambda: c.map_remove_by_key_range(k, "m", "q", "r", RK))
    run("map_remove_by_value", lambda: c.map_remove_by_value(k, "m", 3, RK))
    run("map_remove_by_value_list", lambda: c.map_remove_by_value_list(k, "m", ["one", 99], RK))
    run("map_remove_by_value_range", lambda: c.map_remove_by_value_range(k, "m", 100, 200, RC))
    run("map_remove_by_index", lambda: c.map_remove_by_index(k, "m", 0, RKV))
    run("map_remove_by_index out of range", lambda: c.map_remove_by_index(k, "m", 40, RKV))
    run("map_remove_by_rank", lambda: c.map_remove_by_rank(k, "m", 0, RKV))
    run("map now 2", lambda: c.get(k))
    run("map_clear", lambda: c.map_clear(k, "m"))
    run("map after clear", lambda: c.get(k))
    # map order: a key-ordered map returns its items in key order
    run("map_set_policy key ordered", lambda: c.map_set_policy(k, "om", {"map_order": aerospike.MAP_KEY_ORDERED}))
    run("map_put_items ordered", lambda: c.map_put_items(k, "om", {"z": 1, "b": 2, "m": 3}))
    run("ordered get_by_index_range", lambda: c.map_get_by_index_range(k, "om", 0, 3, RKV))
    run("ordered read", lambda: c.get(k))
    run("map_set_policy on a non-map bin", lambda: c.map_set_policy(k, "x", {"map_order": aerospike.MAP_KEY_ORDERED}))
    run("map_put on int bin", lambda: c.map_put(k, "x", "a", 1))
    run("map_size on int bin", lambda: c.map_size(k, "x"))
    A = aerospike
    run("operate map ops", lambda: c.operate(k, [
        {"op": A.OP_MAP_PUT, "bin": "opm", "key": "a", "val": 1},
        {"op": A.OP_MAP_PUT_ITEMS, "bin": "opm", "val": {"b": 2, "c": 3}},
        {"op": A.OP_MAP_INCREMENT, "bin": "opm", "key": "a", "val": 10},
        {"op": A.OP_MAP_SIZE, "bin": "opm"},
    ]))
    run("operate map reads (ordered)", lambda: c.operate_ordered(k, [
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "opm", "key": "a", "return_type": RV},
        {"op": A.OP_MAP_GET_BY_RANK_RANGE, "bin": "opm", "index": 0, "val": 2, "return_type": RKV},
        {"op": A.OP_MAP_REMOVE_BY_KEY, "bin": "opm", "key": "b", "return_type": RKV},
        {"op": A.OP_MAP_SIZE, "bin": "opm"},
    ]))
    run("operate two map ops on one bin", lambda: c.operate(k, [
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "opm", "key": "a", "return_type": RV},
        {"op": A.OP_MAP_GET_BY_KEY, "bin": "opm", "key": "c", "return_type": RV},
    ]))
    run("final", lambda: c.get(k))


# -- batch -----------------------------------------------------------------------------------------------------


def scenario_batch(run: Run) -> None:
    c = run.client
    s = "dif_batch"
    keys = [("test", s, i) for i in range(5)]
    for i in (0, 2, 4):
        run(f"put {i}", lambda i=i: c.put(keys[i], {"a": i, "b": str(i)}))
    batch = [keys[0], keys[1], keys[2], keys[0], ("test", "dif_other", 0), keys[4]]
    run("get_many", lambda: c.get_many(batch))
    run("exists_many", lambda: c.exists_many(batch))
    run("select_many", lambda: c.select_many(batch, ["a", "zz"]))
    run("select_many only missing bins", lambda: c.select_many(batch, ["zz"]))
    run("get_many all missing", lambda: c.get_many([keys[1], keys[3]]))
    run("get_many by digest", lambda: c.get_many([("test", s, None, aerospike.calc_digest("test", s, 2))]))
    run("get_many namespace missing", lambda: c.get_many([("nope", s, 1)]))
    run("get_many mixed namespaces", lambda: c.get_many([keys[0], ("bar", s, 0)]))
    run("get_many empty", lambda: c.get_many([]))
    run("exists_many empty", lambda: c.exists_many([]))
    run("select_many empty bins", lambda: c.select_many([keys[0]], []))


# -- scan ------------------------------------------------------------------------------------------------------


def scenario_scan(run: Run) -> None:
    c = run.client
    s = "dif_scan"
    run("scan of an empty set", lambda: c.scan("test", s).results())
    run("scan of an unknown namespace", lambda: c.scan("nope", s).results())
    for i in range(6):
        run(f"put {i}", lambda i=i: c.put(("test", s, i), {"a": i, "b": "v" * i}, policy={"key": aerospike.POLICY_KEY_SEND}))
    run("put in another set", lambda: c.put(("test", "dif_scan_other", 1), {"a": 1}))
    run("put without key", lambda: c.put(("test", s, "nokey"), {"a": 100}))
    run("scan", lambda: _by_key(c.scan("test", s).results()))

    def select(*bins: str) -> list:
        scan = c.scan("test", s)
        scan.select(*bins)
        return _by_key(scan.results())

    run("scan select", lambda: select("a"))
    run("scan select missing bin", lambda: select("zz"))
    def nobins() -> list:
        records: list = []
        c.scan("test", s).foreach(records.append, options={"nobins": True})
        return _by_key(records)

    run("scan nobins", nobins)
    seen: list = []
    run("foreach stopping early", lambda: c.scan("test", s).foreach(lambda record: seen.append(1) or False))
    run("records seen before stopping", lambda: len(seen))
    run("remove a bin", lambda: c.remove_bin(("test", s, 1), ["b"]))
    run("scan after bin removal", lambda: _by_key(c.scan("test", s).results()))


# -- query -----------------------------------------------------------------------------------------------------


def scenario_query(run: Run) -> None:
    c = run.client
    s = "dif_query"
    for i in range(8):
        run(f"put {i}", lambda i=i: c.put(("test", s, i), {"n": i, "t": f"s{i % 3}", "l": [i, i + 1]}, policy={"key": aerospike.POLICY_KEY_SEND}))
    run("put without the indexed bin", lambda: c.put(("test", s, "x"), {"other": 1}, policy={"key": aerospike.POLICY_KEY_SEND}))
    run("put with a string in the int bin", lambda: c.put(("test", s, "y"), {"n": "5"}, policy={"key": aerospike.POLICY_KEY_SEND}))

    def query(predicate: Any, *bins: str, set: Optional[str] = s, namespace: str = "test") -> list:
        q = c.query(namespace, set)
        if bins:
            q.select(*bins)
        if predicate is not None:
            q.where(predicate)
        return _by_key(q.results())

    run("query on a bin without index", lambda: query(predicates.equals("n", 3)))
    run("index n", lambda: c.index_integer_create("test", s, "n", "dif_q_n"))
    run("index t", lambda: c.index_string_create("test", s, "t", "dif_q_t"))
    run("index l", lambda: c.index_list_create("test", s, "l", aerospike.INDEX_NUMERIC, "dif_q_l"))
    run("equals int", lambda: query(predicates.equals("n", 3)))
    run("equals int no match", lambda: query(predicates.equals("n", 300)))
    run("between", lambda: query(predicates.between("n", 2, 5)))
    run("between select", lambda: query(predicates.between("n", 2, 5), "t"))
    run("between select missing bin", lambda: query(predicates.between("n", 2, 5), "zz"))
    run("equals string", lambda: query(predicates.equals("t", "s1")))
    run("equals string on int index", lambda: query(predicates.equals("n", "s1")))
    run("contains list", lambda: query(predicates.contains("l", aerospike.INDEX_TYPE_LIST, 4)))
    run("query of another set", lambda: query(predicates.equals("n", 3), set="dif_query_other"))
    run("query without predicate", lambda: query(None))
    run("query unknown namespace", lambda: query(predicates.equals("n", 3), namespace="nope"))
    run("update moves a record in the index", lambda: c.put(("test", s, 3), {"n": 30}))
    run("equals after update", lambda: query(predicates.equals("n", 30)))
    run("old value gone", lambda: query(predicates.equals("n", 3)))
    run("remove drops from the index", lambda: c.remove(("test", s, 4)))
    run("between after remove", lambda: query(predicates.between("n", 0, 100)))


# -- index -----------------------------------------------------------------------------------------------------


def scenario_index(run: Run) -> None:
    c = run.client
    s = "dif_index"
    run("put", lambda: c.put(("test", s, 1), {"n": 1, "t": "a"}))
    run("create", lambda: c.index_integer_create("test", s, "n", "dif_i_n"))
    run("create twice", lambda: c.index_integer_create("test", s, "n", "dif_i_n"))
    run("same name, other bin", lambda: c.index_integer_create("test", s, "t", "dif_i_n"))
    run("same bin and type, other name", lambda: c.index_integer_create("test", s, "n", "dif_i_n2"))
    run("same bin, other type", lambda: c.index_string_create("test", s, "n", "dif_i_ns"))
    run("string index", lambda: c.index_string_create("test", s, "t", "dif_i_t"))
    run("map keys index", lambda: c.index_map_keys_create("test", s, "m", aerospike.INDEX_STRING, "dif_i_mk"))
    run("map values index", lambda: c.index_map_values_create("test", s, "m", aerospike.INDEX_NUMERIC, "dif_i_mv"))
    run("geo index", lambda: c.index_geo2dsphere_create("test", s, "g", "dif_i_g"))
    run("index without set", lambda: c.index_integer_create("test", None, "n", "dif_i_noset"))
    run("index on unknown namespace", lambda: c.index_integer_create("nope", s, "n", "dif_i_x"))
    run("sindex-list names", lambda: sorted(_sindex_names(run.info("sindex-list:test"))))
    run("remove", lambda: c.index_remove("test", "dif_i_n"))
    run("remove again", lambda: c.index_remove("test", "dif_i_n"))
    run("remove never created", lambda: c.index_remove("test", "dif_i_never"))
    run("remove on unknown namespace", lambda: c.index_remove("nope", "dif_i_t"))
    run("create after remove", lambda: c.index_integer_create("test", s, "n", "dif_i_n"))
    run("sindex-list names after", lambda: sorted(_sindex_names(run.info("sindex-list:test"))))


def _sindex_names(listing: str) -> list[tuple[str, ...]]:
    """(ns, set, indexname, bin, type, indextype) of each index in a sindex-list answer."""
    entries = []
    for entry in filter(None, listing.strip().split(";")):
        fields = dict(part.split("=", 1) for part in entry.split(":") if "=" in part)
        entries.append(tuple(fields.get(name, "") for name in ("ns", "set", "indexname", "bin", "type", "indextype")))
    return entries


# -- UDF -------------------------------------------------------------------------------------------------------

RECORD_LUA = """
function get_a(rec)
  return rec['a']
end

function set_a(rec, value)
  rec['a'] = value
  if aerospike:exists(rec) then
    aerospike:update(rec)
  else
    aerospike:create(rec)
  end
  return value
end

function boom(rec)
  error('boom here')
end

function boom_table(rec)
  error({code = 1})
end

function values(rec, a, b)
  local l = list()
  list.append(l, a)
  list.append(l, b)
  local m = map()
  m['x'] = 1
  return {nil_value = nil, l = l, m = m}
end

function typed(rec, which)
  if which == 'int' then return 7 end
  if which == 'float' then return 1.5 end
  if which == 'str' then return 'text' end
  if which == 'list' then return list{1, 'two', 3.0} end
  if which == 'map' then return map{a = 1} end
  if which == 'bool' then return true end
  if which == 'holes' then return list{1, nil, 3} end
  if which == 'bytes' then local b = bytes(2); bytes.set_byte(b, 1, 65); bytes.set_byte(b, 2, 66); return b end
  return nil
end

function exists(rec)
  return aerospike:exists(rec)
end

function remove(rec)
  return aerospike:remove(rec)
end

function gen_ttl(rec)
  return {record.gen(rec), record.ttl(rec) > 0}
end

function bins(rec)
  local names = record.bin_names(rec)
  table.sort(names)
  local l = list()
  for _, name in ipairs(names) do list.append(l, name) end
  return l
end

function set_bin_too_long(rec)
  rec['this_bin_name_is_too_long'] = 1
  rec['b'] = 2
  return aerospike:update(rec)
end

function update(rec)
  rec['u'] = 1
  return aerospike:update(rec)
end

function create(rec)
  rec['c'] = 1
  return aerospike:create(rec)
end

function bytes_ops(rec)
  local b = bytes(3)
  local l = list()
  list.append(l, bytes.size(b))
  list.append(l, bytes.set_byte(b, 2, 65))
  list.append(l, bytes.size(b))
  bytes.append_string(b, 'hi')
  bytes.append_byte(b, 66)
  list.append(l, bytes.get_byte(b, 3))
  list.append(l, bytes.get_string(b, 3, 2))
  list.append(l, bytes.get_bytes(b, 1, 2))
  list.append(l, b)
  return l
end
"""


def scenario_udf(run: Run) -> None:
    c = run.client
    s = "dif_udf"
    k = ("test", s, "u1")
    run("udf_put bad lua", lambda: c.udf_put(run.lua("dif_bad.lua", "function broken(\n  return 1 +\n")))
    run("udf_put", lambda: c.udf_put(run.lua("dif_rec.lua", RECORD_LUA)))
    run("udf_put again", lambda: c.udf_put(run.lua("dif_rec.lua", RECORD_LUA)))
    run("udf_list has it", lambda: sorted(m["name"] for m in c.udf_list() if str(m["name"]).startswith("dif_")))
    run("udf_get", lambda: c.udf_get("dif_rec.lua") == RECORD_LUA)
    run("udf_get missing", lambda: c.udf_get("dif_missing.lua"))
    run("udf_remove missing", lambda: c.udf_remove("dif_missing.lua"))
    run("apply on missing record", lambda: c.apply(k, "dif_rec", "get_a", []))
    run("exists on missing record", lambda: c.apply(k, "dif_rec", "exists", []))
    run("remove on missing record", lambda: c.apply(k, "dif_rec", "remove", []))
    run("update on missing record", lambda: c.apply(k, "dif_rec", "update", []))
    run("still missing after update", lambda: c.exists(k))
    run("bytes", lambda: c.apply(k, "dif_rec", "bytes_ops", []))
    run("set_a creates", lambda: c.apply(k, "dif_rec", "set_a", [5]))
    run("record after set_a", lambda: c.get(k))
    run("get_a", lambda: c.apply(k, "dif_rec", "get_a", []))
    run("gen and ttl", lambda: c.apply(k, "dif_rec", "gen_ttl", []))
    run("bin names", lambda: c.apply(k, "dif_rec", "bins", []))
    for which in ("int", "float", "str", "list", "map", "bool", "bytes", "holes", "nil"):
        run(f"typed {which}", lambda which=which: c.apply(k, "dif_rec", "typed", [which]))
    run("values", lambda: c.apply(k, "dif_rec", "values", [1, "b"]))
    run("lua error", lambda: c.apply(k, "dif_rec", "boom", []))
    run("lua error with a table", lambda: c.apply(k, "dif_rec", "boom_table", []))
    run("missing function", lambda: c.apply(k, "dif_rec", "nope", []))
    run("missing module", lambda: c.apply(k, "dif_nomodule", "nope", []))
    run("bin name too long in lua", lambda: c.apply(k, "dif_rec", "set_bin_too_long", []))
    run("record after a too long bin name", lambda: c.get(k))
    run("update", lambda: c.apply(k, "dif_rec", "update", []))
    run("create on existing record", lambda: c.apply(k, "dif_rec", "create", []))
    run("record after update and create", lambda: c.get(k))
    run("remove", lambda: c.apply(k, "dif_rec", "remove", []))
    run("record after remove", lambda: c.exists(k))
    run("udf_remove", lambda: c.udf_remove("dif_rec.lua"))
    run("apply after removal", lambda: c.apply(k, "dif_rec", "get_a", []))
    run("udf_list after removal", lambda: sorted(m["name"] for m in c.udf_list() if str(m["name"]).startswith("dif_")))


# -- aggregation -----------------------------------------------------------------------------------------------

STREAM_LUA = """
local function add(a, b)
  return a + b
end

local function get_n(rec)
  return rec['n']
end

local function big(rec)
  return rec['n'] > 3
end

function sum(stream)
  return stream : map(get_n) : reduce(add)
end

function sum_big(stream)
  return stream : filter(big) : map(get_n) : reduce(add)
end

function count_by_t(stream)
  local function fold(m, rec)
    local t = rec['t']
    m[t] = (m[t] or 0) + 1
    return m
  end
  local function merge(a, b)
    return map.merge(a, b, add)
  end
  return stream : aggregate(map(), fold) : reduce(merge)
end

function scaled(stream, factor)
  local function scale(rec)
    return rec['n'] * factor
  end
  return stream : map(scale)
end

function fails(stream)
  local function bad(rec)
    error('agg boom')
  end
  return stream : map(bad)
end
"""


def scenario_aggregation(run: Run) -> None:
    c = run.client
    s = "dif_agg"
    run("udf_put", lambda: c.udf_put(run.lua("dif_agg.lua", STREAM_LUA)))
    run("index", lambda: c.index_integer_create("test", s, "n", "dif_agg_n"))
    for i in range(1, 7):
        run(f"put {i}", lambda i=i: c.put(("test", s, i), {"n": i, "t": "odd" if i % 2 else "even"}))

    def aggregate(function: str, args: Optional[list] = None, low: int = 0, high: int = 100) -> Any:
        query = c.query("test", s)
        query.where(predicates.between("n", low, high))
        query.apply("dif_agg", function, args)
        return query.results()

    run("sum", lambda: aggregate("sum"))
    run("sum of nothing", lambda: aggregate("sum", low=50, high=60))
    run("filter, map, reduce", lambda: aggregate("sum_big"))
    run("aggregate into a map", lambda: aggregate("count_by_t"))
    run("map with an argument", lambda: sorted(aggregate("scaled", [10])))
    run("lua error in the stream", lambda: aggregate("fails"))
    run("missing function", lambda: aggregate("nope"))


# -- truncate --------------------------------------------------------------------------------------------------


def scenario_truncate(run: Run) -> None:
    c = run.client
    s, other = "dif_trunc", "dif_trunc_other"
    for i in range(4):
        run(f"put {i}", lambda i=i: c.put(("test", s, i), {"a": i}))
    run("put other set", lambda: c.put(("test", other, 1), {"a": 1}))
    run("truncate a set with a lut in the past", lambda: c.truncate("test", s, 1_000_000_000 * 1_000_000_000))
    run("records kept", lambda: len(c.scan("test", s).results()))
    time.sleep(0.05)
    cut = time.time_ns()
    time.sleep(0.05)
    run("put after the cut", lambda: c.put(("test", s, 9), {"a": 9}))
    run("truncate before the cut", lambda: c.truncate("test", s, cut))
    _settle(lambda: len(c.scan("test", s).results()) == 1)
    run("only the later record is left", lambda: sorted(r[2]["a"] for r in c.scan("test", s).results()))
    run("get of a truncated record", lambda: c.get(("test", s, 0)))
    run("truncate with a lut in the future", lambda: c.truncate("test", s, time.time_ns() + 3600 * 10**9))
    run("truncate everything", lambda: c.truncate("test", s, 0))
    _settle(lambda: not c.scan("test", s).results())
    run("set is empty", lambda: c.scan("test", s).results())
    run("other set untouched", lambda: c.get(("test", other, 1))[2])
    run("put after truncate", lambda: c.put(("test", s, 0), {"a": 10}))
    run("get after truncate", lambda: c.get(("test", s, 0))[2])
    run("truncate a set never written", lambda: c.truncate("test", "dif_trunc_never", 0))
    run("truncate an unknown namespace", lambda: c.truncate("nope", s, 0))


def _settle(done: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)


# -- info ------------------------------------------------------------------------------------------------------

def _pairs(text: str, separator: str = ";") -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.strip().split(separator) if "=" in part)


def _set_stats(listing: str, names: tuple[str, ...]) -> list[tuple[str, str, str]]:
    stats = []
    for entry in filter(None, listing.strip().split(";")):
        fields = _pairs(entry, ":")
        if fields.get("set") in names:
            stats.append((fields.get("ns", ""), fields["set"], fields.get("objects", "")))
    return sorted(stats)


def scenario_info(run: Run) -> None:
    c = run.client
    s = "dif_info"
    for i in range(3):
        run(f"put {i}", lambda i=i: c.put(("test", s, i), {"alpha": i, "beta": "b"}))
    run("put bar", lambda: c.put(("bar", s, 1), {"gamma": 1}))
    run("put in a set then empty it", lambda: c.put(("test", "dif_info_gone", 1), {"a": 1}))
    run("remove its record", lambda: c.remove(("test", "dif_info_gone", 1)))
    run("sets/test keeps an emptied set", lambda: _set_stats(run.info("sets/test"), ("dif_info_gone",)))
    run("namespaces", lambda: sorted(run.info("namespaces").strip().split(";")))
    run("namespace/test has its name", lambda: "ns_cluster_size" in _pairs(run.info("namespace/test")))
    run("sets/test", lambda: _set_stats(run.info("sets/test"), (s,)))
    run("sets/test/<set>", lambda: _set_stats(run.info(f"sets/test/{s}"), (s,)))
    run("sets", lambda: _set_stats(run.info("sets"), (s,)))
    run("sets of an unknown namespace", lambda: run.info("sets/nope"))
    run("bins/test", lambda: run.info("bins/test"))
    run("sets/test/<set never written>", lambda: run.info("sets/test/dif_info_never"))
    run("namespace/nope", lambda: run.info("namespace/nope"))
    run("namespace/test keys", lambda: sorted(_pairs(run.info("namespace/test"))))
    run("index", lambda: c.index_integer_create("test", s, "alpha", "dif_info_alpha"))
    run("sindex-list:", lambda: _sindex_names(run.info("sindex-list:")))
    run("sindex-list:test", lambda: _sindex_names(run.info("sindex-list:test")))
    run("sindex-list:bar", lambda: _sindex_names(run.info("sindex-list:bar")))
    run("udf_put", lambda: c.udf_put(run.lua("dif_info.lua", "function f(rec)\n  return 1\nend\n")))
    run("udf-list", lambda: sorted(_pairs(e, ",").get("filename", "") for e in run.info("udf-list").strip().split(";") if e))
    run("udf-list fields", lambda: sorted(_pairs(run.info("udf-list").strip().split(";")[0], ",")))
    stats = run.info("statistics")
    run("statistics keys", lambda: sorted(_pairs(stats)))
    run("statistics cluster_size", lambda: _pairs(stats).get("cluster_size"))
    run("build", lambda: bool(run.info("build").strip()))
    run("edition", lambda: run.info("edition").strip())
    run("status", lambda: run.info("status").strip())
    run("unknown command", lambda: run.info("no-such-command"))
    run("node answers", lambda: bool(run.info("node").strip()))
    run("service", lambda: bool(run.info("service").strip()))
    run("get_nodes count", lambda: len(c.get_nodes()))
    run("info_all answers per node", lambda: len(c.info_all("status")))
    run("has_geo", lambda: c.has_geo())


SCENARIOS: dict[str, Callable[[Run], None]] = {
    "single-record": scenario_single_record,
    "operate": scenario_operate,
    "list": scenario_list,
    "map": scenario_map,
    "batch": scenario_batch,
    "scan": scenario_scan,
    "query": scenario_query,
    "index": scenario_index,
    "udf": scenario_udf,
    "aggregation": scenario_aggregation,
    "truncate": scenario_truncate,
    "info": scenario_info,
}


def run_scenario(scenario: Callable[[Run], None], hosts: list[tuple[str, int]], tmp: Path) -> list[tuple[str, Any]]:
    """The outcomes of `scenario` on the cluster at `hosts`."""
    user_path = tmp / "lua-user-path"  # udf_put copies each module here (3.0.0's default is the working directory)
    user_path.mkdir(exist_ok=True)
    client = aerospike.client({"hosts": list(hosts), "lua": {"user_path": str(user_path)}}).connect()
    try:
        run = Run(client, list(hosts), tmp)
        scenario(run)
        return run.outcomes
    finally:
        client.close()


def differences(local: list[tuple[str, Any]], real: list[tuple[str, Any]]) -> list[str]:
    """One readable line per call whose outcomes differ (or that only one side ran)."""
    lines = []
    for index in range(max(len(local), len(real))):
        ours = local[index] if index < len(local) else ("<not run>", None)
        theirs = real[index] if index < len(real) else ("<not run>", None)
        if ours != theirs:
            lines.append(f"{ours[0]}:\n    local: {ours[1]!r}\n    real:  {theirs[1]!r}")
    return lines


def compare(scenario: Callable[[Run], None], local_hosts: list, real_hosts: list, tmp: Path) -> list[str]:
    (tmp / "local").mkdir(exist_ok=True)
    (tmp / "real").mkdir(exist_ok=True)
    local = run_scenario(scenario, local_hosts, tmp / "local")
    real = run_scenario(scenario, real_hosts, tmp / "real")
    return differences(local, real)


if _real_available():

    @pytest.mark.backends("real")
    @pytest.mark.xdist_group(REAL_GROUP)
    @pytest.mark.parametrize("group", list(SCENARIOS))
    def test_local_cluster_answers_as_the_real_server(group: str, backend: Backend, tmp_path: Path) -> None:
        local = LocalCluster(nodes=1, replication_factor=1, port=0)
        local.start()
        try:
            lines = compare(SCENARIOS[group], list(local.hosts), backend.hosts, tmp_path)
        finally:
            local.stop()
        assert not lines, f"{len(lines)} outcomes differ in {group}:\n" + "\n".join(lines)
