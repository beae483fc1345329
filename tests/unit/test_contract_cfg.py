"""The 3.0.0 contract of the module functions, the client config, connect/close/get_key_digest arguments and the
exceptions, as the official client 3.0.0 (its C source) gives it: what is accepted, and the class, code and
message of what is refused. No sockets."""

from __future__ import annotations

import pickle
from typing import Any, Callable

import pytest

import aerospike
from aerospike import exception
from aerospike.config import parse_config

HOSTS = [("127.0.0.1", 3000)]
ParamError = exception.ParamError

# ----- module functions ----------------------------------------------------------------------------------------

# (call, exception class, code or None for a TypeError, message or None when the text is Python's own)
MODULE_REFUSALS: list[tuple[Callable[[], Any], type, Any, Any]] = [
    (lambda: aerospike.client(), ParamError, -2, "No config argument"),
    (lambda: aerospike.client({"hosts": HOSTS}, {}), ParamError, -2, "No config argument"),
    (lambda: aerospike.client(cfg={"hosts": HOSTS}), ParamError, -2, "No config argument"),
    (lambda: aerospike.client("127.0.0.1"), ParamError, -2, "Config must be a dict"),
    (lambda: aerospike.set_log_level("debug"), ParamError, -2, "Invalid log level"),
    (lambda: aerospike.set_log_level(1.0), ParamError, -2, "Invalid log level"),
    (lambda: aerospike.set_log_level(2**64), ParamError, -2, "integer value exceeds sys.maxsize"),
    (lambda: aerospike.set_log_handler(5), ParamError, -2, "Log handler must be callable"),
    (lambda: aerospike.set_log_handler(), TypeError, None, None),
    (lambda: aerospike.calc_digest(b"test", "demo", 1), TypeError, None, "Namespace should be a string"),
    (lambda: aerospike.calc_digest("test", None, 1), TypeError, None, "Set should be a string or unicode"),
    (lambda: aerospike.calc_digest("test", "demo", 1.5), TypeError, None, "Key is invalid"),
    (lambda: aerospike.calc_digest("test", "demo", b"k"), TypeError, None, "Key is invalid"),
    (lambda: aerospike.calc_digest("test", "demo", None), TypeError, None, "Key is invalid"),
    (lambda: aerospike.calc_digest("test", "demo"), TypeError, None, None),
    (lambda: aerospike.calc_digest("", "demo", 1), ParamError, -2, "key is invalid"),
    (lambda: aerospike.calc_digest("n" * 32, "demo", 1), ParamError, -2, "key is invalid"),
    (lambda: aerospike.calc_digest("test", "s" * 64, 1), ParamError, -2, "key is invalid"),
    (lambda: aerospike.calc_digest("test", "demo", bytearray()), ParamError, -2, "Byte array size cannot be 0"),
    (lambda: aerospike.calc_digest("test", "demo", 2**63), ParamError, -2,
     "integer value for KEY exceeds sys.maxsize"),
    (lambda: aerospike.geodata([1]), ParamError, -2, "The geospatial data should be a dictionary"),
    (lambda: aerospike.geojson(b"{}"), ParamError, -2, "The geospatial data should be a GeoJSON string"),
    (lambda: aerospike.geojson("{"), exception.ClientError, -1, "String is not GeoJSON serializable"),
]


@pytest.mark.parametrize(("call", "cls", "code", "message"), MODULE_REFUSALS)
def test_module_function_refusals(call: Callable[[], Any], cls: type, code: Any, message: Any) -> None:
    with pytest.raises(cls) as raised:
        call()
    assert type(raised.value) is cls
    if code is not None:
        assert (raised.value.code, raised.value.msg) == (code, message)
        assert raised.value.args == (code, message, None, None)
    elif message is not None:
        assert str(raised.value) == message


def test_module_functions_return_what_3_0_0_returns() -> None:
    try:
        assert aerospike.set_log_level(loglevel=aerospike.LOG_LEVEL_ERROR) == 0
        assert aerospike.set_log_level(-7) == 0  # any int: below OFF is OFF
        assert aerospike.set_log_handler(log_handler=lambda *args: None) == 0
    finally:
        aerospike.set_log_level(aerospike.LOG_LEVEL_WARN)
    digest = aerospike.calc_digest(ns="test", set="demo", key=1)
    assert isinstance(digest, bytearray) and len(digest) == 20
    assert aerospike.calc_digest("test", "demo", True) == digest  # a bool is an int key
    assert aerospike.calc_digest("test", "demo", "a\0b") == aerospike.calc_digest("test", "demo", "a")  # C string
    client = aerospike.client(config={"hosts": HOSTS})
    assert isinstance(client, aerospike.Client) and not client.is_connected()
    point = aerospike.geodata(geo_data={"type": "Point", "coordinates": [1, 2]})
    assert aerospike.geojson(geojson_str=point.dumps()) == point and point.geo_data["type"] == "Point"


def test_null_is_a_type_as_in_3_0_0() -> None:
    value = aerospike.null()
    assert isinstance(value, aerospike.null)
    assert isinstance(aerospike.null, type)
    assert not isinstance(None, aerospike.null)


# ----- client config -------------------------------------------------------------------------------------------

CONFIG_REFUSALS: list[tuple[Any, str]] = [
    (None, "Config must be a dict"),
    ({"hosts": HOSTS}.items(), "Config must be a dict"),
    ({"hosts": None}, "Hosts must be a list"),
    ({"hosts": ("127.0.0.1", 3000)}, "Hosts must be a list"),
    ({"hosts": []}, "Hosts must not be empty"),
    ({"hosts": [""]}, "Invalid host"),
    ({"hosts": [("127.0.0.1", 3000, "tls", "x")]}, "Invalid host"),
    ({"hosts": [None]}, "Invalid host"),
    # lua is read before hosts, so its error wins over a missing hosts list
    ({"lua": {"user_path": "x" * 256}}, "Lua user path too long"),
    ({"hosts": HOSTS, "serialization": ("not callable", None)}, "Serializer must be callable"),
    ({"hosts": HOSTS, "policies": {"write": {"durable_delete": 1}}}, "Invalid Policy setting value"),
    ({"hosts": HOSTS, "policies": {"write": {"total_timeout": -1}}}, "Invalid Policy setting value"),
    ({"hosts": HOSTS, "policies": {"scan": {"socket_timeout": 2**32}}}, "Invalid Policy setting value"),
    ({"hosts": HOSTS, "compression_threshold": 2**31}, "Compression value must not be negative"),
]


@pytest.mark.parametrize(("config", "message"), CONFIG_REFUSALS)
def test_config_refusals(config: Any, message: str) -> None:
    with pytest.raises(ParamError) as raised:
        aerospike.client(config)
    assert (type(raised.value), raised.value.code, raised.value.msg) == (ParamError, -2, message)


# (config keys besides hosts, attribute path, value 3.0.0 ends up with)
CONFIG_READS: list[tuple[dict, str, Any]] = [
    ({"tend_interval": True}, "tend_interval", 1),
    ({"tend_interval": 0}, "tend_interval", 250),
    ({"connect_timeout": 0}, "conn_timeout", 1000),
    ({"connect_timeout": 250}, "conn_timeout", 250),
    ({"conn_timeout": 250}, "conn_timeout", 1000),  # not a 3.0.0 key
    ({"max_socket_idle": 100000}, "max_socket_idle", 86400),
    ({"max_conns_per_node": -1}, "max_conns_per_node", 2**32 - 1),
    ({"max_threads": 7}, "max_conns_per_node", 7),
    ({"max_threads": 7, "max_conns_per_node": 9}, "max_conns_per_node", 9),
    ({"policies": {"max_threads": 5}}, "max_conns_per_node", 5),
    ({"policies": {"thread_pool_size": 3}}, "thread_pool_size", 3),
    ({"policies": {"thread_pool_size": 3}, "thread_pool_size": 6}, "thread_pool_size", 6),
    ({"use_shared_connection": 1}, "use_shared_connection", True),
    ({"use_shared_connection": ""}, "use_shared_connection", False),
    ({"strict_types": False}, "strict_types", False),
    ({"cluster_name": "alpha\0beta"}, "cluster_name", "alpha"),
    ({"lua": {"user_path": "u" * 255, "system_path": 7}}, "lua.user_path", "u" * 255),
    ({"lua": {"system_path": 7}}, "lua.system_path", "/usr/local/aerospike/lua"),
    ({"tls": {"enable": 1, "cafile": 5, "certfile": "c.pem", "unknown": 1}}, "tls.enable", True),
    ({"tls": {"cafile": 5, "certfile": "c.pem"}}, "tls.certfile", "c.pem"),
    ({"tls": {"cafile": 5}}, "tls.cafile", None),
    ({"shm": {"shm_max_nodes": 4}}, "shm.max_nodes", 4),
    ({"shm": {"shm_max_nodes": 4, "max_nodes": 6}}, "shm.max_nodes", 6),
    ({"shm": {"max_namespaces": "8", "takeover_threshold_sec": 5}}, "shm.takeover_threshold_sec", 5),
    ({"shm": []}, "shm", None),
    ({"serialization": (repr,)}, "serializer", repr),
    ({"batch_direct": True}, "batch_direct", True),
    ({"policies": {"use_batch_direct": True}}, "policies.batch.use_batch_direct", True),
    ({"policies": {"use_batch_direct": True, "batch": {"use_batch_direct": False}}},
     "policies.batch.use_batch_direct", False),
    ({"policies": {"batch": {"use_batch_direct": False}}, "batch_direct": True},
     "policies.batch.use_batch_direct", True),
    ({"compression_threshold": 100}, "policies.write.compression_threshold", 100),
    ({"compression_threshold": 100, "policies": {"write": {"compression_threshold": 5}}},
     "policies.write.compression_threshold", 100),
    ({"compression_threshold": "100"}, "policies.write.compression_threshold", 0),
    ({"policies": {"timeout": 50}}, "policies.read.total_timeout", 50),
    ({"policies": {"timeout": 50, "total_timeout": 70}}, "policies.read.total_timeout", 70),
    ({"policies": {"timeout": 50}}, "policies.info.timeout", 1000),
    ({"policies": {"key": aerospike.POLICY_KEY_SEND}}, "policies.write.key", aerospike.POLICY_KEY_SEND),
    ({"policies": {"read": {"timeout": 5}}}, "policies.read.total_timeout", 1000),  # not read in the config
    ({"policies": {"info": {"timeout": "x"}}}, "policies.info.timeout", 1000),  # no info dict in the config
    ({"policies": {"bogus": 1, "retry": 1}}, "policies.read.max_retries", 2),
    ({"policies": [1]}, "policies.read.total_timeout", 1000),
    ({"no_such_key": 1}, "hosts", (("127.0.0.1", 3000, None),)),
]


def _attribute(config: Any, path: str) -> Any:
    value = config
    for part in path.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


@pytest.mark.parametrize(("extra", "path", "expected"), CONFIG_READS)
def test_config_reads(extra: dict, path: str, expected: Any) -> None:
    assert _attribute(parse_config({"hosts": HOSTS, **extra}), path) == expected


HOST_READS: list[tuple[Any, tuple]] = [
    (("10.0.0.1", 3100), ("10.0.0.1", 3100, None)),
    (("10.0.0.1", 3100, "tls-a"), ("10.0.0.1", 3100, "tls-a")),
    (("10.0.0.1", 3100, 5), ("10.0.0.1", 3100, None)),  # a tls-name that is not a string is dropped
    (("10.0.0.1", "3100"), ("10.0.0.1", 0, None)),  # a port that is not an int is 0
    (("10.0.0.1", 65536 + 3000), ("10.0.0.1", 3000, None)),  # uint16_t
    (("10.0.0.1", True), ("10.0.0.1", 1, None)),
    ("10.0.0.1:3100", ("10.0.0.1", 3100, None)),
    ("10.0.0.1", ("10.0.0.1", 3000, None)),
    ("10.0.0.1:abc", ("10.0.0.1", 0, None)),
]


@pytest.mark.parametrize(("entry", "expected"), HOST_READS)
def test_host_entries(entry: Any, expected: tuple) -> None:
    assert parse_config({"hosts": [entry]}).hosts == (expected,)


def test_policies_dict_values_keep_3_0_0_casts() -> None:
    config = parse_config({"hosts": HOSTS, "policies": {"read": {"total_timeout": True, "deserialize": False}}})
    assert config.policies["read"].total_timeout == 1 and config.policies["read"].deserialize is False


# ----- Client: connect, close, is_connected, shm_key, get_key_digest (unconnected) --------------------------------


def test_unconnected_client_methods() -> None:
    client = aerospike.client({"hosts": HOSTS})
    assert client.is_connected() is False
    assert client.is_connected("ignored") is False  # 3.0.0 ignores arguments here
    assert client.close() is None and client.close() is None
    for call in (lambda: client.shm_key(), lambda: client.get_key_digest("test", "demo", 1),
                 lambda: client.get_key_digest("test", "demo", bytearray())):
        with pytest.raises(exception.ClusterError) as raised:
            call()
        assert (raised.value.code, raised.value.msg) == (11, "No connection to aerospike cluster")
    # The argument types are checked before the connection.
    with pytest.raises(TypeError):
        client.get_key_digest("test", 5, 1)
    with pytest.raises(TypeError):
        client.connect("user", "password", "extra")


# ----- exceptions --------------------------------------------------------------------------------------------

# 3.0.0's exception module: (name, parent, code); None where 3.0.0 sets code None.
TREE_300: list[tuple[str, str, Any]] = [
    ("AerospikeError", "Exception", None),
    ("ClientError", "AerospikeError", -1),
    ("ServerError", "AerospikeError", 1),
    ("TimeoutError", "AerospikeError", 9),
    ("ParamError", "ClientError", -2),
    ("InvalidHostError", "ClientError", -4),
    ("ConnectionError", "ClientError", -10),
    ("TLSError", "ClientError", -9),
    ("InvalidNodeError", "ClientError", -8),
    ("NoMoreConnectionsError", "ClientError", -7),
    ("AsyncConnectionError", "ClientError", -6),
    ("ClientAbortError", "ClientError", -5),
    ("InvalidRequest", "ServerError", 4),
    ("ServerFull", "ServerError", 8),
    ("AlwaysForbidden", None, 10),
    ("UnsupportedFeature", "ServerError", 16),
    ("DeviceOverload", "ServerError", 18),
    ("NamespaceNotFound", "ServerError", 20),
    ("ForbiddenError", "ServerError", 22),
    ("QueryError", "ServerError", 213),
    ("ClusterError", "ServerError", 11),
    ("InvalidGeoJSON", "ServerError", 160),
    ("ClusterChangeError", "ClusterError", 7),
    ("ScanAbortedError", "ServerError", 15),
    ("ElementNotFoundError", "ServerError", 23),
    ("ElementExistsError", "ServerError", 24),
    ("BatchDisabledError", "ServerError", 150),
    ("BatchMaxRequestError", "ServerError", 151),
    ("BatchQueueFullError", "ServerError", 152),
    ("QueryAbortedError", "ServerError", 210),
    ("RecordError", "ServerError", None),
    ("RecordKeyMismatch", "RecordError", 19),
    ("RecordNotFound", "RecordError", 2),
    ("RecordGenerationError", "RecordError", 3),
    ("RecordExistsError", "RecordError", 5),
    ("RecordTooBig", "RecordError", 13),
    ("RecordBusy", "RecordError", 14),
    ("BinNameError", "RecordError", 21),
    ("BinExistsError", "RecordError", 6),
    ("BinNotFound", "RecordError", 17),
    ("BinIncompatibleType", "RecordError", 12),
    ("IndexError", "ServerError", 204),
    ("IndexNotFound", "IndexError", 201),
    ("IndexFoundError", "IndexError", 200),
    ("IndexOOM", "IndexError", 202),
    ("IndexNotReadable", "IndexError", 203),
    ("IndexNameMaxLen", "IndexError", 205),
    ("IndexNameMaxCount", "IndexError", 206),
    ("UDFError", "ServerError", 100),
    ("UDFNotFound", "UDFError", 1301),
    ("LuaFileNotFound", "UDFError", 1302),
    ("AdminError", "ServerError", None),
    ("SecurityNotSupported", "AdminError", 51),
    ("SecurityNotEnabled", "AdminError", 52),
    ("SecuritySchemeNotSupported", "AdminError", 53),
    ("InvalidCommand", "AdminError", 54),
    ("InvalidField", "AdminError", 55),
    ("IllegalState", "AdminError", 56),
    ("InvalidUser", "AdminError", 60),
    ("UserExistsError", "AdminError", 61),
    ("InvalidPassword", "AdminError", 62),
    ("ExpiredPassword", "AdminError", 63),
    ("ForbiddenPassword", "AdminError", 64),
    ("InvalidCredential", "AdminError", 65),
    ("InvalidRole", "AdminError", 70),
    ("RoleExistsError", "AdminError", 71),
    ("RoleViolation", "AdminError", 81),
    ("InvalidPrivilege", "AdminError", 72),
    ("NotAuthenticated", "AdminError", 80),
    ("QueryQueueFull", "QueryError", 211),
    ("QueryTimeout", "QueryError", 212),
]


@pytest.mark.parametrize(("name", "parent", "code"), TREE_300)
def test_exception_module_has_3_0_0_classes(name: str, parent: Any, code: Any) -> None:
    cls = getattr(exception, name)
    assert cls.code == code
    if parent == "Exception":
        assert issubclass(cls, Exception)
    elif parent is not None:
        assert issubclass(cls, getattr(exception, parent))
    else:
        assert issubclass(cls, exception.ServerError)
    if code is not None:
        assert type(exception.error_for_code(code)) is cls


def test_exception_attributes_and_args_as_3_0_0() -> None:
    error = exception.error_for_code(2, in_doubt=True)
    assert error.args == (2, "AEROSPIKE_ERR_RECORD_NOT_FOUND", None, None)
    code, msg, file, line = error.args
    assert (error.code, error.msg, error.file, error.line) == (code, msg, file, line)
    assert error.key is None and error.bin is None and error.in_doubt is True
    assert str(error) == "(2, 'AEROSPIKE_ERR_RECORD_NOT_FOUND', None, None)"
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is exception.RecordNotFound and copy.args == error.args and copy.in_doubt is True
    assert exception.IndexNotFound().name is None
    assert exception.UDFError().module is None and exception.UDFError().func is None
    for cls in (exception.AerospikeError, exception.ServerError, exception.RecordError):
        assert cls.msg is None and cls.file is None and cls.line is None
