"""The exception tree against spec/exception.rst, the code registry, pickling and the fallbacks."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest

import aerospike.exception as exc

SPEC_DIR = Path("/work/shared/spec")
TRANSCRIPTS_DIR = Path("/work/shared/transcripts")

# The "Exception Hierarchy" literal of spec/exception.rst, copied here so the test runs without the spec;
# test_tree_copy_matches_spec checks the copy when the spec is present.
SPEC_TREE = """
AerospikeError (*)
 +-- TimeoutError (9)
 +-- ClientError (-1)
 |    +-- InvalidHost (-4)
 |    +-- ParamError (-2)
 +-- ServerError (1)
      +-- InvalidRequest (4)
      +-- ServerFull (8)
      +-- NoXDR (10)
      +-- UnsupportedFeature (16)
      +-- DeviceOverload (18)
      +-- NamespaceNotFound (20)
      +-- ForbiddenError (22)
      +-- RecordError (*)
      |    +-- RecordKeyMismatch (19)
      |    +-- RecordNotFound (2)
      |    +-- RecordGenerationError (3)
      |    +-- RecordExistsError (5)
      |    +-- RecordTooBig (13)
      |    +-- RecordBusy (14)
      |    +-- BinNameError (21)
      |    +-- BinExistsError (6)
      |    +-- BinNotFound (17)
      |    +-- BinIncompatibleType (12)
      +-- IndexError (204)
      |    +-- IndexNotFound (201)
      |    +-- IndexFoundError (200)
      |    +-- IndexOOM (202)
      |    +-- IndexNotReadable (203)
      |    +-- IndexNameMaxLen (205)
      |    +-- IndexNameMaxCount (206)
      +-- QueryError (213)
      |    +-- QueryQueueFull (211)
      |    +-- QueryTimeout (212)
      +-- ClusterError (11)
      |    +-- ClusterChangeError (7)
      +-- AdminError (*)
      |    +-- SecurityNotSupported (51)
      |    +-- SecurityNotEnabled (52)
      |    +-- SecuritySchemeNotSupported (53)
      |    +-- InvalidCommand (54)
      |    +-- InvalidField (55)
      |    +-- IllegalState (56)
      |    +-- InvalidUser (60)
      |    +-- UserExistsError (61)
      |    +-- InvalidPassword (62)
      |    +-- ExpiredPassword (63)
      |    +-- ForbiddenPassword (64)
      |    +-- InvalidCredential (65)
      |    +-- InvalidRole (70)
      |    +-- RoleExistsError (71)
      |    +-- RoleViolation (81)
      |    +-- InvalidPrivilege (72)
      |    +-- NotAuthenticated (80)
      +-- UDFError (*)
      |    +-- UDFNotFound (1301)
      |    +-- LuaFileNotFound (1302)
      +-- LDTError (*)
           +-- LargeItemNotFound (125)
           +-- LDTInternalError (1400)
           +-- LDTNotFound (1401)
           +-- LDTUniqueKeyError (1402)
           +-- LDTInsertError (1403)
           +-- LDTSearchError (1404)
           +-- LDTDeleteError (1405)
           +-- LDTInputParamError (1409)
           +-- LDTTypeMismatch (1410)
           +-- LDTBinNameNull (1411)
           +-- LDTBinNameNotString (1412)
           +-- LDTBinNameTooLong (1413)
           +-- LDTTooManyOpenSubrecs (1414)
           +-- LDTTopRecNotFound (1415)
           +-- LDTSubRecNotFound (1416)
           +-- LDTBinNotFound (1417)
           +-- LDTBinExistsError (1418)
           +-- LDTBinDamaged (1419)
           +-- LDTSubrecPoolDamaged (1420)
           +-- LDTSubrecDamaged (1421)
           +-- LDTSubrecOpenError (1422)
           +-- LDTSubrecUpdateError (1423)
           +-- LDTSubrecCreateError (1424)
           +-- LDTSubrecDeleteError (1425)
           +-- LDTSubrecCloseError (1426)
           +-- LDTToprecUpdateError (1427)
           +-- LDTToprecCreateError (1428)
           +-- LDTFilterFunctionBad (1430)
           +-- LDTFilterFunctionNotFound (1431)
           +-- LDTKeyFunctionBad (1432)
           +-- LDTKeyFunctionNotFound (1433)
           +-- LDTTransFunctionBad (1434)
           +-- LDTTransFunctionNotFound (1435)
           +-- LDTUntransFunctionBad (1436)
           +-- LDTUntransFunctionNotFound (1437)
           +-- LDTUserModuleBad (1438)
           +-- LDTUserModuleNotFound (1439)
"""

# The tree says "InvalidHost"; the spec's class entry and the official client say InvalidHostError.
TREE_ALIASES = {"InvalidHost": "InvalidHostError"}

_TREE_LINE = re.compile(r"(\w+) \((-?\d+|\*)\)$")


def parse_tree(text: str) -> list[tuple[str, str | None, int | None]]:
    """(name, parent name, code or None) for each line of the hierarchy literal."""
    entries: list[tuple[str, str | None, int | None]] = []
    stack: list[tuple[int, str]] = []
    for raw in text.strip("\n").splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        name_match = _TREE_LINE.search(line)
        assert name_match is not None, line
        # Depth is the column where the class name starts.
        depth = name_match.start(1)
        name = TREE_ALIASES.get(name_match.group(1), name_match.group(1))
        code = None if name_match.group(2) == "*" else int(name_match.group(2))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1] if stack else None
        entries.append((name, parent, code))
        stack.append((depth, name))
    return entries


TREE = parse_tree(SPEC_TREE)


def test_tree_parser_reads_every_line() -> None:
    assert len(TREE) == SPEC_TREE.count("(")
    assert TREE[0] == ("AerospikeError", None, None)
    assert ("ClusterChangeError", "ClusterError", 7) in TREE
    assert ("LDTUserModuleNotFound", "LDTError", 1439) in TREE


@pytest.mark.skipif(not (SPEC_DIR / "exception.rst").exists(), reason="spec not present")
def test_tree_copy_matches_spec() -> None:
    text = (SPEC_DIR / "exception.rst").read_text()
    literal = text.split(".. parsed-literal::", 1)[1]
    assert parse_tree(literal) == TREE


@pytest.mark.skipif(not (SPEC_DIR / "exception.rst").exists(), reason="spec not present")
def test_every_spec_exception_exists() -> None:
    names = re.findall(r"^\.\. py:exception:: (\w+)", (SPEC_DIR / "exception.rst").read_text(), re.M)
    assert len(names) > 90
    for name in names:
        cls = getattr(exc, name)
        assert issubclass(cls, exc.AerospikeError)
        assert name in exc.__all__


@pytest.mark.parametrize(("name", "parent", "code"), TREE, ids=[entry[0] for entry in TREE])
def test_class_parent_and_code_match_spec_tree(name: str, parent: str | None, code: int | None) -> None:
    cls = getattr(exc, name)
    if parent is None:
        assert cls.__bases__ == (Exception,)
    else:
        assert cls.__bases__ == (getattr(exc, parent),)
    if code is not None:
        assert cls.code == code
        # The registered class for the code is this class or (code 10: AlwaysForbidden) a subclass of it.
        assert issubclass(exc.REGISTRY[code], cls)


def test_grouping_classes_have_no_code() -> None:
    for cls in (exc.AerospikeError, exc.RecordError, exc.AdminError, exc.LDTError):
        assert cls.code is None
        assert cls not in exc.REGISTRY.values()


@pytest.mark.parametrize(
    ("name", "parent", "code"),
    [
        ("ConnectionError", "ClientError", -10),
        ("TLSError", "ClientError", -9),
        ("InvalidNodeError", "ClientError", -8),
        ("NoMoreConnectionsError", "ClientError", -7),
        ("AsyncConnectionError", "ClientError", -6),
        ("ClientAbortError", "ClientError", -5),
        ("MaxRetriesExceeded", "ClientError", -12),
        ("AlwaysForbidden", "NoXDR", 10),
        ("ScanAbortedError", "ServerError", 15),
        ("ElementNotFoundError", "ServerError", 23),
        ("ElementExistsError", "ServerError", 24),
        ("OpNotApplicable", "ServerError", 26),
        ("FilteredOut", "ServerError", 27),
        ("BatchDisabledError", "ServerError", 150),
        ("BatchMaxRequestError", "ServerError", 151),
        ("BatchQueueFullError", "ServerError", 152),
        ("InvalidGeoJSON", "ServerError", 160),
        ("QueryAbortedError", "ServerError", 210),
        ("QuotaExceeded", "AdminError", 83),
    ],
)
def test_classes_of_the_official_client_beyond_the_spec(name: str, parent: str, code: int) -> None:
    cls = getattr(exc, name)
    assert cls.__bases__ == (getattr(exc, parent),)
    assert cls.code == code
    assert exc.REGISTRY[code] is cls


def test_registry_round_trip_for_every_code() -> None:
    assert len(exc.REGISTRY) > 100
    for code, cls in exc.REGISTRY.items():
        assert cls.code == code
        err = exc.error_for_code(code)
        assert type(err) is cls
        assert err.code == code
        assert err.msg == exc.result_code_message(code)
        assert err.args == (code, err.msg, None, None)


def test_every_registered_code_has_a_c_client_name() -> None:
    for code in exc.REGISTRY:
        name = exc.result_code_message(code)
        assert name.startswith("AEROSPIKE_")
    assert exc.result_code_message(2) == "AEROSPIKE_ERR_RECORD_NOT_FOUND"
    assert exc.result_code_message(27) == "AEROSPIKE_FILTERED_OUT"
    assert exc.result_code_message(25) == "AEROSPIKE_ERR_ENTERPRISE_ONLY"
    assert exc.result_code_message(-1) == "AEROSPIKE_ERR_CLIENT"
    assert exc.result_code_message(0) == "AEROSPIKE_OK"
    assert exc.result_code_message(999) == "AEROSPIKE_ERR_SERVER"
    assert exc.result_code_message(-999) == "AEROSPIKE_ERR_CLIENT"


def test_unknown_codes_fall_back_to_server_or_client_error() -> None:
    server = exc.error_for_code(25, "127.0.0.1:3000 AEROSPIKE_ERR_ENTERPRISE_ONLY")
    assert type(server) is exc.ServerError
    assert server.code == 25
    assert server.msg == "127.0.0.1:3000 AEROSPIKE_ERR_ENTERPRISE_ONLY"
    assert type(exc.error_for_code(9999)) is exc.ServerError
    client = exc.error_for_code(-11)
    assert type(client) is exc.ClientError
    assert client.code == -11
    assert client.msg == "AEROSPIKE_ERR_ASYNC_QUEUE_FULL"
    assert type(exc.error_for_code(-3)) is exc.ClientError
    with pytest.raises(ValueError):
        exc.error_for_code(0)


def test_error_for_code_carries_in_doubt_file_and_line() -> None:
    err = exc.error_for_code(9, "timed out", in_doubt=True, file="command.py", line=12)
    assert type(err) is exc.TimeoutError
    assert err.args == (9, "timed out", "command.py", 12)  # 3.0.0's 4-tuple; in_doubt is an attribute
    assert (err.code, err.msg, err.file, err.line, err.in_doubt) == (9, "timed out", "command.py", 12, True)


def test_constructor_official_positional_shape() -> None:
    err = exc.RecordNotFound(2, "not found", "src/main/x.c", 42, True)
    assert (err.code, err.msg, err.file, err.line, err.in_doubt) == (2, "not found", "src/main/x.c", 42, True)
    assert err.args == (2, "not found", "src/main/x.c", 42)
    code, msg, file, line = err.args  # code written for 3.0.0 unpacks four fields
    assert (code, msg, file, line) == (2, "not found", "src/main/x.c", 42)
    short = exc.ServerError(1, "boom")
    assert short.args == (1, "boom", None, None)
    assert str(short) == "(1, 'boom', None, None)"


def test_constructor_message_first_and_keywords() -> None:
    err = exc.ParamError("key is invalid")
    assert err.code == -2
    assert err.msg == "key is invalid"
    assert err.args == (-2, "key is invalid", None, None)
    kw = exc.AerospikeError(msg="m", code=7, file="f", line=3, in_doubt=True)
    assert kw.args == (7, "m", "f", 3) and kw.in_doubt is True
    bare = exc.RecordError()
    assert bare.args == (None, None, None, None)
    assert exc.ClientError().code == -1
    with pytest.raises(TypeError):
        exc.ServerError(1, "a", code=2)
    with pytest.raises(TypeError):
        exc.ServerError(1, "a", None, None, False, "extra")


def test_attributes_default_and_catch_by_parent() -> None:
    err = exc.error_for_code(2)
    assert isinstance(err, exc.RecordError)
    assert err.key is None and err.bin is None
    idx = exc.error_for_code(201)
    assert isinstance(idx, exc.IndexError)
    assert idx.name is None
    idx.index_name = "idx_a"
    assert idx.name == "idx_a"
    udf = exc.error_for_code(100)
    assert isinstance(udf, exc.UDFError)
    assert udf.module is None and udf.func is None
    with pytest.raises(exc.RecordError):
        raise exc.error_for_code(5)
    with pytest.raises(exc.ServerError):
        raise exc.error_for_code(211)
    with pytest.raises(exc.AerospikeError):
        raise exc.error_for_code(-4)


def test_builtins_are_not_replaced_outside_the_module() -> None:
    assert exc.TimeoutError is not TimeoutError
    assert exc.IndexError is not IndexError
    assert exc.ConnectionError is not ConnectionError
    assert not issubclass(exc.TimeoutError, TimeoutError)


@pytest.mark.parametrize("code", sorted(exc.REGISTRY))
def test_pickle_keeps_class_and_attributes(code: int) -> None:
    err = exc.error_for_code(code, f"message {code}", in_doubt=True, file="f.py", line=7)
    # Any attribute set on the instance (RecordError.key and .bin here) survives the round trip.
    vars(err).update(key=("test", "demo", 1), bin="b")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert copy.args == err.args
    assert (copy.code, copy.msg, copy.file, copy.line, copy.in_doubt) == (
        code,
        f"message {code}",
        "f.py",
        7,
        True,
    )
    assert vars(copy)["key"] == ("test", "demo", 1)
    assert vars(copy)["bin"] == "b"


def test_pickle_of_fallback_and_index_name() -> None:
    err = exc.error_for_code(25)
    copy = pickle.loads(pickle.dumps(err, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(copy) is exc.ServerError and copy.args == err.args
    idx = exc.IndexNotFound(201, "no index")
    idx.index_name = "idx"
    idx_copy = pickle.loads(pickle.dumps(idx))
    assert isinstance(idx_copy, exc.IndexNotFound)
    assert idx_copy.name == "idx" and idx_copy.index_name == "idx"


def test_a_code_cannot_be_claimed_twice_by_unrelated_classes() -> None:
    with pytest.raises(TypeError):

        class Clash(exc.ServerError, code=2):  # 2 belongs to RecordNotFound
            pass

    assert exc.REGISTRY[2] is exc.RecordNotFound


def test_all_lists_every_exception_class() -> None:
    classes = {
        name
        for name, value in vars(exc).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }
    assert set(exc.__all__) == classes
    assert "error_for_code" not in exc.__all__


_RAISED = re.compile(r"raised (\w+)\(code=(-?\d+), msg=")


@pytest.mark.skipif(not TRANSCRIPTS_DIR.exists(), reason="transcripts not present")
def test_transcript_exceptions_map_to_the_same_classes() -> None:
    seen: set[tuple[str, int]] = set()
    for path in TRANSCRIPTS_DIR.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            note = json.loads(line)["note"]
            seen.update((m.group(1), int(m.group(2))) for m in _RAISED.finditer(note))
    assert ("RecordNotFound", 2) in seen
    for name, code in seen:
        err = exc.error_for_code(code)
        if name == "AerospikeError":
            # 19.3.0 raises the bare base class for unregistered codes (25); the fallback is a subclass of it.
            assert type(err) is exc.ServerError
        elif name == "ClientError" and code == -1:
            assert type(err) is exc.ClientError
        else:
            assert type(err).__name__ == name, (name, code)
