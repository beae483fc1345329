"""19.3.0's ``Query.where_with_expr`` and ``Query.where_with_index_name`` without a socket: the request fields
19.3.0 sends (captured from it through a logging proxy against CE 8.1.2.0), and its argument checks (classes and
messages, in its order)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

import aerospike
from aerospike import exception
from aerospike import predicates as p
from aerospike.protocol.constants import (
    FIELD_INDEX_EXPRESSION,
    FIELD_INDEX_NAME,
    FIELD_INDEX_RANGE,
    FIELD_INDEX_TYPE,
    FIELD_NAMESPACE,
    FIELD_PID_ARRAY,
    FIELD_SET,
    FIELD_SOCKET_TIMEOUT,
    FIELD_TASK_ID,
)
from aerospike_helpers import expressions as exp
from tests.support.transcripts import messages
from tests.unit.test_current_query_qry import FakeCluster, Wire

ADD_100 = exp.Add(exp.IntBin("a"), 100).compile()
# Captured from 19.3.0: where_with_expr(Add(IntBin('a'), 100), between(None, 103, 105)).
EXPR_RANGE_FIELD = bytes.fromhex("010001" "00000008" "0000000000000067" "00000008" "0000000000000069")
EXPR_FIELD = bytes.fromhex("93149351" "02a16164")
# where_with_index_name('gap_l_idx', contains(None, INDEX_TYPE_LIST, 3)): 26, then 22 without a bin, then 21.
LIST_RANGE_FIELD = bytes.fromhex("010001" "00000008" "0000000000000003" "00000008" "0000000000000003")


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Wire:
    return Wire(monkeypatch, FakeCluster())


def _fields(request: bytes) -> list[tuple[int, bytes]]:
    return [(field, bytes(value)) for field, value in messages(request)[0].fields]


def test_where_with_expr_sends_an_empty_bin_and_the_expression_as_field_24(wire: Wire) -> None:
    query = wire.client.query("test", "gap")
    assert query.where_with_expr(ADD_100, p.between(None, 103, 105)) is query
    query.results()
    fields = _fields(wire.sent[0])
    assert [field for field, _ in fields] == [
        FIELD_NAMESPACE, FIELD_SET, FIELD_SOCKET_TIMEOUT, FIELD_TASK_ID, FIELD_INDEX_RANGE, FIELD_INDEX_EXPRESSION,
        FIELD_PID_ARRAY,
    ]
    assert dict(fields)[FIELD_INDEX_RANGE] == EXPR_RANGE_FIELD
    assert dict(fields)[FIELD_INDEX_EXPRESSION] == EXPR_FIELD


def test_where_with_expr_takes_the_base64_text_of_an_expression(wire: Wire) -> None:
    wire.client.query("test", "gap").where_with_expr("kxSTUQKhYWQ=", p.between(None, 103, 105)).results()
    assert dict(_fields(wire.sent[0]))[FIELD_INDEX_EXPRESSION] == base64.b64decode("kxSTUQKhYWQ=") == EXPR_FIELD


def test_where_with_index_name_sends_fields_26_22_21(wire: Wire) -> None:
    query = wire.client.query("test", "gap")
    assert query.where_with_index_name("gap_l_idx", p.contains(None, aerospike.INDEX_TYPE_LIST, 3)) is query
    query.results()
    fields = _fields(wire.sent[0])
    tail = [(field, value) for field, value in fields if field in (FIELD_INDEX_TYPE, FIELD_INDEX_RANGE, FIELD_INDEX_NAME)]
    assert tail == [(FIELD_INDEX_TYPE, b"\x01"), (FIELD_INDEX_RANGE, LIST_RANGE_FIELD), (FIELD_INDEX_NAME, b"gap_l_idx")]


@pytest.mark.parametrize(
    ("call", "sent_fields"),
    [
        # A string bin in the predicate is not sent.
        (lambda q: q.where_with_index_name("ix", p.equals("b", 1)), [FIELD_INDEX_RANGE, FIELD_INDEX_NAME]),
        # An empty index name sends no field 21 (the server then refuses the filter with 4).
        (lambda q: q.where_with_index_name("", p.equals(None, 1)), [FIELD_INDEX_RANGE]),
        (lambda q: q.where_with_expr(ADD_100, p.equals("a", "x")), [FIELD_INDEX_RANGE, FIELD_INDEX_EXPRESSION]),
    ],
)
def test_bin_less_filters(wire: Wire, call: Any, sent_fields: list[int]) -> None:
    call(wire.client.query("test", "gap")).results()
    fields = _fields(wire.sent[0])
    assert [field for field, _ in fields if field in (FIELD_INDEX_RANGE, FIELD_INDEX_NAME, FIELD_INDEX_EXPRESSION)] == (
        sent_fields
    )
    assert dict(fields)[FIELD_INDEX_RANGE][1] == 0  # bin name length 0


def _where(query: Any) -> Any:
    query.where(p.equals("a", 1))
    return query


# (call on a fresh query, expected class, expected msg or None): 19.3.0's answers.
REFUSALS = [
    (lambda q: q.where_with_expr(ADD_100, p.equals(None, 1), 5), TypeError,
     "where_with_expr() takes exactly 2 arguments (3 given)"),
    (lambda q: q.where_with_expr(ADD_100), TypeError, "where_with_expr() takes exactly 2 arguments (1 given)"),
    (lambda q: q.where_with_expr(expr=ADD_100, predicate=p.equals(None, 1)), TypeError,
     "Query.where_with_expr() takes no keyword arguments"),
    (lambda q: q.where_with_index_name(index_name="i", predicate=p.equals(None, 1)), TypeError,
     "Query.where_with_index_name() takes no keyword arguments"),
    (lambda q: q.where_with_index_name(123, p.equals(None, 1)), TypeError,
     "where_with_index_name() argument 1 must be str, not int"),
    (lambda q: q.where_with_index_name(b"abc", p.equals(None, 1)), TypeError,
     "where_with_index_name() argument 1 must be str, not bytes"),
    (lambda q: q.where_with_expr(ADD_100, None), exception.ParamError, "predicate is invalid."),
    (lambda q: q.where_with_index_name("i", "x"), exception.ParamError, "predicate is invalid."),
    (lambda q: q.where_with_expr(5, None), exception.ParamError, "predicate is invalid."),
    (lambda q: q.where_with_expr(123, p.equals(None, 1)), exception.ParamError, "Failed to add predicate"),
    (lambda q: q.where_with_expr([], p.equals(None, 1)), exception.ParamError, "Failed to add predicate"),
    (lambda q: q.where_with_expr(b"abc", p.equals(None, 1)), exception.ParamError, "Failed to add predicate"),
    (lambda q: q.where_with_expr(ADD_100, (0, 1, 5, 1)), exception.ParamError, "Failed to add predicate"),
    (lambda q: q.where_with_expr(ADD_100, (0, 1, b"ab", 1)), exception.ParamError, "Failed to add predicate"),
    # A query that has a predicate refuses another one; a bad predicate is reported first.
    (lambda q: _where(q).where_with_expr(ADD_100, p.equals(None, 1)), exception.ParamError,
     "Failed to add predicate"),
    (lambda q: _where(q).where_with_expr(ADD_100, None), exception.ParamError, "predicate is invalid."),
    (lambda q: _where(q).where_with_index_name("i", None), exception.ParamError, "predicate is invalid."),
    (lambda q: q.where_with_expr(ADD_100, p.equals(None, 1)).where_with_index_name("i", p.equals(None, 1)),
     exception.ParamError, "Failed to add predicate"),
]


@pytest.mark.parametrize(("call", "cls", "msg"), REFUSALS)
def test_refusals_are_19_3_0s(wire: Wire, call: Any, cls: type, msg: str) -> None:
    with pytest.raises(cls) as raised:
        call(wire.client.query("test", "gap"))
    if issubclass(cls, exception.AerospikeError):
        assert (raised.value.code, raised.value.msg) == (cls.code, msg)  # type: ignore[attr-defined]
    else:
        assert str(raised.value) == msg


def test_where_after_a_named_predicate_is_ignored_as_3_0_0_ignores_a_second_where(wire: Wire) -> None:
    # 19.3.0 raises 'Failed to add predicate' here; where() keeps 3.0.0's rule (the first predicate counts).
    query = wire.client.query("test", "gap").where_with_index_name("ix", p.equals(None, 1))
    assert query.where(p.equals("a", 2)) is query
    query.results()
    assert dict(_fields(wire.sent[0]))[FIELD_INDEX_NAME] == b"ix"


def test_unpack_gives_key_ordered_maps_the_requested_type_only() -> None:
    from aerospike.cdt_types import KeyOrderedDict
    from aerospike.protocol.cdt import MAP_KEY_ORDERED, MAP_KEY_VALUE_ORDERED, pack_map, unpack

    for order in (MAP_KEY_ORDERED, MAP_KEY_VALUE_ORDERED):
        data = pack_map({"b": 1, "a": [{"c": 2}]}, order)
        assert type(unpack(data)) is dict
        found = unpack(data, key_ordered_type=KeyOrderedDict)
        assert type(found) is KeyOrderedDict and found == {"a": [{"c": 2}], "b": 1}
        assert type(found["a"][0]) is dict  # an unordered map inside stays a dict
    assert type(unpack(pack_map({"a": 1}, 0), key_ordered_type=KeyOrderedDict)) is dict
