"""The exception tree of ``aerospike.exception`` and the one registry from result code to class.

Owns: every class of spec/exception.rst with the parent the official client 3.0.0 gives it, the classes the
current official client adds for codes servers 6.x-8.x send (FilteredOut, OpNotApplicable, ...), the
result-code names the C client prints in messages, and :func:`error_for_code`.
Must not know: sockets, policies or the protocol; callers hand in a code and a message.

Each class states its code in its class statement (``class RecordNotFound(RecordError, code=2)``) and
``__init_subclass__`` records it. A class without a code (RecordError, AdminError, LDTError) is a grouping
only; its ``code`` is None, as in the official client. Codes come from the C client's ``as_status``
(4.3.1 for 3.0.0's classes, current for the later ones).

Like the official client, some names (TimeoutError, IndexError, ConnectionError) shadow builtins inside this
module and wherever ``from aerospike.exception import *`` is used.
"""

from __future__ import annotations

import builtins
from types import MappingProxyType
from typing import Any, Mapping, Optional

_REGISTRY: dict[int, type[AerospikeError]] = {}

#: Read-only view of the registry: result code -> the exception class raised for it.
REGISTRY: Mapping[int, type[AerospikeError]] = MappingProxyType(_REGISTRY)

_FIELDS = ("code", "msg", "file", "line", "in_doubt")


class AerospikeError(Exception):
    """Parent of every exception the client raises.

    ``args`` is ``(code, msg, file, line)``, the tuple 3.0.0 raises its exceptions with, so code that unpacks
    it keeps working; ``in_doubt`` (later clients' flag: a write may have been applied) is an attribute only.
    The positional constructor ``AerospikeError(code, msg, file, line[, in_doubt])`` is accepted, and so are
    ``AerospikeError("message")`` and keyword arguments; ``code`` defaults to the class's code.
    """

    code: Optional[int] = None
    msg: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None
    in_doubt: bool = False

    def __init_subclass__(cls, code: Optional[int] = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = code
        if code is None:
            return
        previous = _REGISTRY.get(code)
        # A subclass may take over its parent's code (AlwaysForbidden under NoXDR, both 10); two unrelated
        # classes claiming one code is a bug in this module.
        if previous is not None and not issubclass(cls, previous):
            raise TypeError(f"result code {code} already belongs to {previous.__name__}")
        _REGISTRY[code] = cls

    def __init__(
        self,
        *args: Any,
        msg: Optional[str] = None,
        code: Optional[int] = None,
        file: Optional[str] = None,
        line: Optional[int] = None,
        in_doubt: bool = False,
    ) -> None:
        values: dict[str, Any] = {}
        if args:
            if len(args) > 5:
                raise builtins.TypeError(f"{type(self).__name__} takes at most 5 positional arguments")
            # The official shape starts with the integer code; otherwise the first argument is the message.
            first_is_code = isinstance(args[0], int) and not isinstance(args[0], bool)
            order = _FIELDS if first_is_code else ("msg", "code", "file", "line", "in_doubt")
            values.update(zip(order, args))
        given = {"msg": msg, "code": code, "file": file, "line": line}
        for name, value in given.items():
            if value is not None:
                if name in values:
                    raise builtins.TypeError(f"{type(self).__name__} got {name!r} twice")
                values[name] = value
        if in_doubt:
            values["in_doubt"] = True
        self.code = values.get("code", type(self).code)
        self.msg = values.get("msg")
        self.file = values.get("file")
        self.line = values.get("line")
        self.in_doubt = bool(values.get("in_doubt", False))
        super().__init__(self.code, self.msg, self.file, self.line)

    def __reduce__(self) -> tuple[Any, ...]:
        # args rebuilds the four core fields; the instance dict carries them plus in_doubt, key/bin/module/func/name.
        return (type(self), (self.code, self.msg, self.file, self.line), dict(self.__dict__))


# Top level (official 3.0.0 parents: TimeoutError, ClientError and ServerError directly under AerospikeError).
class TimeoutError(AerospikeError, code=9):  # AEROSPIKE_ERR_TIMEOUT, client- or server-side
    """The command's deadline passed (client) or the server timed it out."""


class ClientError(AerospikeError, code=-1):  # AEROSPIKE_ERR_CLIENT
    """Client-side error, often due to mis-configuration or misuse of the API."""


class ServerError(AerospikeError, code=1):  # AEROSPIKE_ERR_SERVER
    """Parent of all errors returned from the cluster."""


# Client-side errors (negative codes).
class ParamError(ClientError, code=-2):  # AEROSPIKE_ERR_PARAM
    """An argument is invalid; raised before anything is sent."""


class InvalidHostError(ClientError, code=-4):  # AEROSPIKE_ERR_INVALID_HOST
    """No valid host could be reached or a host is malformed."""


class ClientAbortError(ClientError, code=-5):  # AEROSPIKE_ERR_CLIENT_ABORT
    """The client aborted the command (for example a scan callback asked to stop)."""


class AsyncConnectionError(ClientError, code=-6):  # AEROSPIKE_ERR_ASYNC_CONNECTION
    """Asynchronous connection error."""


class NoMoreConnectionsError(ClientError, code=-7):  # AEROSPIKE_ERR_NO_MORE_CONNECTIONS
    """The node's connection pool is exhausted."""


class InvalidNodeError(ClientError, code=-8):  # AEROSPIKE_ERR_INVALID_NODE
    """No node is available for the partition or the named node is unknown."""


class TLSError(ClientError, code=-9):  # AEROSPIKE_ERR_TLS_ERROR
    """TLS handshake or configuration error."""


class ConnectionError(ClientError, code=-10):  # AEROSPIKE_ERR_CONNECTION
    """A socket could not be opened, or it failed during the command."""


class MaxRetriesExceeded(ClientError, code=-12):  # AEROSPIKE_ERR_MAX_RETRIES_EXCEEDED (later clients)
    """The command failed on every allowed attempt."""


class MaxErrorRateExceeded(ClientError, code=-14):  # AEROSPIKE_MAX_ERROR_RATE (later clients)
    """The node's error rate is over the configured limit; the command was not sent."""


class NoResponse(ClientError, code=-15):  # AEROSPIKE_NO_RESPONSE (later clients)
    """No response was received from the server."""


class BatchFailed(ClientError, code=-16):  # AEROSPIKE_BATCH_FAILED (later clients)
    """One or more keys of a batch failed."""


# Server-side errors directly under ServerError.
class InvalidRequest(ServerError, code=4):  # AEROSPIKE_ERR_REQUEST_INVALID
    """Protocol-level error: the server rejected the request."""


class ServerFull(ServerError, code=8):  # AEROSPIKE_ERR_SERVER_FULL
    """The node is out of memory or device space for the namespace."""


class NoXDR(ServerError, code=10):  # AEROSPIKE_ERR_ALWAYS_FORBIDDEN (formerly FAIL_NOXDR)
    """XDR is not available for the cluster (the spec's name for result code 10)."""


class AlwaysForbidden(NoXDR, code=10):  # AEROSPIKE_ERR_ALWAYS_FORBIDDEN
    """The operation is never allowed in the current configuration (3.0.0's class for code 10)."""


class UnsupportedFeature(ServerError, code=16):  # AEROSPIKE_ERR_UNSUPPORTED_FEATURE
    """Encountered an unimplemented server feature."""


class DeviceOverload(ServerError, code=18):  # AEROSPIKE_ERR_DEVICE_OVERLOAD
    """The node's storage devices can't keep up with the write load."""


class NamespaceNotFound(ServerError, code=20):  # AEROSPIKE_ERR_NAMESPACE_NOT_FOUND
    """Namespace in request not found on server."""


class ForbiddenError(ServerError, code=22):  # AEROSPIKE_ERR_FAIL_FORBIDDEN
    """Operation not allowed at this time."""


class ScanAbortedError(ServerError, code=15):  # AEROSPIKE_ERR_SCAN_ABORTED
    """The scan was aborted by the user or the server."""


class ElementNotFoundError(ServerError, code=23):  # AEROSPIKE_ERR_FAIL_ELEMENT_NOT_FOUND
    """A collection element was not found."""


class ElementExistsError(ServerError, code=24):  # AEROSPIKE_ERR_FAIL_ELEMENT_EXISTS
    """A collection element already exists."""


class OpNotApplicable(ServerError, code=26):  # AEROSPIKE_ERR_OP_NOT_APPLICABLE (later clients)
    """The operation cannot be applied to the current bin value."""


class FilteredOut(ServerError, code=27):  # AEROSPIKE_FILTERED_OUT (later clients)
    """The command was not performed because the filter expression was false."""


class LostConflict(ServerError, code=28):  # AEROSPIKE_LOST_CONFLICT (later clients)
    """A write lost a conflict with an XDR write."""


class BatchDisabledError(ServerError, code=150):  # AEROSPIKE_ERR_BATCH_DISABLED
    """Batch functionality has been disabled on the server."""


class BatchMaxRequestError(ServerError, code=151):  # AEROSPIKE_ERR_BATCH_MAX_REQUESTS_EXCEEDED
    """The batch has more keys than the server allows."""


class BatchQueueFullError(ServerError, code=152):  # AEROSPIKE_ERR_BATCH_QUEUES_FULL
    """All batch queues are full."""


class InvalidGeoJSON(ServerError, code=160):  # AEROSPIKE_ERR_GEO_INVALID_GEOJSON
    """The GeoJSON value is invalid."""


class QueryAbortedError(ServerError, code=210):  # AEROSPIKE_ERR_QUERY_ABORTED
    """The query was aborted."""


# Record and bin errors.
class RecordError(ServerError):
    """Parent of record and bin errors of read and write operations."""

    key: Any = None
    bin: Any = None


class RecordKeyMismatch(RecordError, code=19):  # AEROSPIKE_ERR_RECORD_KEY_MISMATCH
    """The key sent does not match the key stored on the server."""


class RecordNotFound(RecordError, code=2):  # AEROSPIKE_ERR_RECORD_NOT_FOUND
    """Record does not exist in database."""


class RecordGenerationError(RecordError, code=3):  # AEROSPIKE_ERR_RECORD_GENERATION
    """Generation of record in database does not satisfy write policy."""


class RecordExistsError(RecordError, code=5):  # AEROSPIKE_ERR_RECORD_EXISTS
    """Record already exists (write with POLICY_EXISTS_CREATE)."""


class RecordTooBig(RecordError, code=13):  # AEROSPIKE_ERR_RECORD_TOO_BIG
    """Record being (re-)written can't fit in a storage write block."""


class RecordBusy(RecordError, code=14):  # AEROSPIKE_ERR_RECORD_BUSY
    """Too many concurrent requests for one record (a hot key)."""


class BinNameError(RecordError, code=21):  # AEROSPIKE_ERR_BIN_NAME
    """Length of bin name exceeds the limit."""


class BinExistsError(RecordError, code=6):  # AEROSPIKE_ERR_BIN_EXISTS
    """Bin already exists."""


class BinNotFound(RecordError, code=17):  # AEROSPIKE_ERR_BIN_NOT_FOUND
    """Bin-level replace-only supported on server but not on client."""


class BinIncompatibleType(RecordError, code=12):  # AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE
    """Bin modification can't be done on an existing bin due to its value type."""


# Secondary index errors.
class IndexError(ServerError, code=204):  # AEROSPIKE_ERR_INDEX
    """Parent of secondary index errors."""

    name: Optional[str] = None

    @property
    def index_name(self) -> Optional[str]:
        """The name of the index associated with the error (the spec's name for ``name``)."""
        return self.name

    @index_name.setter
    def index_name(self, value: Optional[str]) -> None:
        self.name = value


class IndexNotFound(IndexError, code=201):  # AEROSPIKE_ERR_INDEX_NOT_FOUND
    """The index does not exist."""


class IndexFoundError(IndexError, code=200):  # AEROSPIKE_ERR_INDEX_FOUND
    """The index already exists."""


class IndexOOM(IndexError, code=202):  # AEROSPIKE_ERR_INDEX_OOM
    """The index is out of memory."""


class IndexNotReadable(IndexError, code=203):  # AEROSPIKE_ERR_INDEX_NOT_READABLE
    """The index is not readable (still being built)."""


class IndexNameMaxLen(IndexError, code=205):  # AEROSPIKE_ERR_INDEX_NAME_MAXLEN
    """The index name is too long."""


class IndexNameMaxCount(IndexError, code=206):  # AEROSPIKE_ERR_INDEX_MAXCOUNT
    """Reached the maximum allowed number of indexes."""


# Query errors.
class QueryError(ServerError, code=213):  # AEROSPIKE_ERR_QUERY
    """Generic query error."""


class QueryQueueFull(QueryError, code=211):  # AEROSPIKE_ERR_QUERY_QUEUE_FULL
    """The server's query queue is full."""


class QueryTimeout(QueryError, code=212):  # AEROSPIKE_ERR_QUERY_TIMEOUT
    """The query timed out on the server."""


# Cluster errors.
class ClusterError(ServerError, code=11):  # AEROSPIKE_ERR_CLUSTER (partition unavailable)
    """Cluster discovery and connection errors."""


class ClusterChangeError(ClusterError, code=7):  # AEROSPIKE_ERR_CLUSTER_CHANGE
    """A cluster state change occurred during the request."""


# Security (admin) errors.
class AdminError(ServerError):
    """Parent of the security API's errors."""


class SecurityNotSupported(AdminError, code=51):  # AEROSPIKE_SECURITY_NOT_SUPPORTED
    """Security is not supported by the server."""


class SecurityNotEnabled(AdminError, code=52):  # AEROSPIKE_SECURITY_NOT_ENABLED
    """Security is not enabled on the server."""


class SecuritySchemeNotSupported(AdminError, code=53):  # AEROSPIKE_SECURITY_SCHEME_NOT_SUPPORTED
    """The security scheme is not supported."""


class InvalidCommand(AdminError, code=54):  # AEROSPIKE_INVALID_COMMAND
    """The administration command is invalid."""


class InvalidField(AdminError, code=55):  # AEROSPIKE_INVALID_FIELD
    """A field of the administration command is invalid."""


class IllegalState(AdminError, code=56):  # AEROSPIKE_ILLEGAL_STATE
    """The security state is illegal for the command."""


class InvalidUser(AdminError, code=60):  # AEROSPIKE_INVALID_USER
    """The user name is invalid."""


class UserExistsError(AdminError, code=61):  # AEROSPIKE_USER_ALREADY_EXISTS
    """The user already exists."""


class InvalidPassword(AdminError, code=62):  # AEROSPIKE_INVALID_PASSWORD
    """The password is invalid."""


class ExpiredPassword(AdminError, code=63):  # AEROSPIKE_EXPIRED_PASSWORD
    """The password has expired."""


class ForbiddenPassword(AdminError, code=64):  # AEROSPIKE_FORBIDDEN_PASSWORD
    """The password is forbidden."""


class InvalidCredential(AdminError, code=65):  # AEROSPIKE_INVALID_CREDENTIAL
    """The credential is invalid."""


class InvalidRole(AdminError, code=70):  # AEROSPIKE_INVALID_ROLE
    """The role is invalid."""


class RoleExistsError(AdminError, code=71):  # AEROSPIKE_ROLE_ALREADY_EXISTS
    """The role already exists."""


class InvalidPrivilege(AdminError, code=72):  # AEROSPIKE_INVALID_PRIVILEGE
    """The privilege is invalid."""


class InvalidWhitelist(AdminError, code=73):  # AEROSPIKE_INVALID_WHITELIST (later clients)
    """The whitelist is invalid."""


class QuotasNotEnabled(AdminError, code=74):  # AEROSPIKE_QUOTAS_NOT_ENABLED (later clients)
    """Quotas are not enabled on the server."""


class InvalidQuota(AdminError, code=75):  # AEROSPIKE_INVALID_QUOTA (later clients)
    """The quota is invalid."""


class NotAuthenticated(AdminError, code=80):  # AEROSPIKE_NOT_AUTHENTICATED
    """The user is not authenticated."""


class RoleViolation(AdminError, code=81):  # AEROSPIKE_ROLE_VIOLATION
    """The user's roles do not permit the command."""


class NotWhitelisted(AdminError, code=82):  # AEROSPIKE_NOT_WHITELISTED (later clients)
    """The client's address is not on the whitelist."""


class QuotaExceeded(AdminError, code=83):  # AEROSPIKE_QUOTA_EXCEEDED (later clients)
    """The user's quota was exceeded."""


# UDF errors.
class UDFError(ServerError, code=100):  # AEROSPIKE_ERR_UDF
    """Parent of UDF errors."""

    module: Optional[str] = None
    func: Optional[str] = None


class UDFNotFound(UDFError, code=1301):  # AEROSPIKE_ERR_UDF_NOT_FOUND
    """The UDF does not exist."""


class LuaFileNotFound(UDFError, code=1302):  # AEROSPIKE_ERR_LUA_FILE_NOT_FOUND
    """The Lua file does not exist."""


# Large Data Type errors (servers before 3.15; kept because the 3.0.0 spec names them).
class LDTError(ServerError):
    """Parent of Large Data Type errors."""

    key: Any = None
    bin: Any = None


class LargeItemNotFound(LDTError, code=125):  # AEROSPIKE_ERR_LARGE_ITEM_NOT_FOUND (C client 4.3.1)
    """The large item was not found."""


class LDTInternalError(LDTError, code=1400):  # AEROSPIKE_ERR_LDT_INTERNAL
    """LDT internal error."""


class LDTNotFound(LDTError, code=1401):  # AEROSPIKE_ERR_LDT_NOT_FOUND
    """LDT item not found."""


class LDTUniqueKeyError(LDTError, code=1402):  # AEROSPIKE_ERR_LDT_UNIQUE_KEY
    """LDT unique key violation."""


class LDTInsertError(LDTError, code=1403):  # AEROSPIKE_ERR_LDT_INSERT
    """LDT insert failed."""


class LDTSearchError(LDTError, code=1404):  # AEROSPIKE_ERR_LDT_SEARCH
    """LDT search failed."""


class LDTDeleteError(LDTError, code=1405):  # AEROSPIKE_ERR_LDT_DELETE
    """LDT delete failed."""


class LDTInputParamError(LDTError, code=1409):  # AEROSPIKE_ERR_LDT_INPUT_PARM
    """LDT input parameter error."""


class LDTTypeMismatch(LDTError, code=1410):  # AEROSPIKE_ERR_LDT_TYPE_MISMATCH
    """LDT type mismatch."""


class LDTBinNameNull(LDTError, code=1411):  # AEROSPIKE_ERR_LDT_NULL_BIN_NAME
    """LDT bin name is null."""


class LDTBinNameNotString(LDTError, code=1412):  # AEROSPIKE_ERR_LDT_BIN_NAME_NOT_STRING
    """LDT bin name is not a string."""


class LDTBinNameTooLong(LDTError, code=1413):  # AEROSPIKE_ERR_LDT_BIN_NAME_TOO_LONG
    """LDT bin name is too long."""


class LDTTooManyOpenSubrecs(LDTError, code=1414):  # AEROSPIKE_ERR_LDT_TOO_MANY_OPEN_SUBRECS
    """Too many open LDT sub-records."""


class LDTTopRecNotFound(LDTError, code=1415):  # AEROSPIKE_ERR_LDT_TOP_REC_NOT_FOUND
    """LDT top record not found."""


class LDTSubRecNotFound(LDTError, code=1416):  # AEROSPIKE_ERR_LDT_SUB_REC_NOT_FOUND
    """LDT sub-record not found."""


class LDTBinNotFound(LDTError, code=1417):  # AEROSPIKE_ERR_LDT_BIN_DOES_NOT_EXIST
    """LDT bin does not exist."""


class LDTBinExistsError(LDTError, code=1418):  # AEROSPIKE_ERR_LDT_BIN_ALREADY_EXISTS
    """LDT bin already exists."""


class LDTBinDamaged(LDTError, code=1419):  # AEROSPIKE_ERR_LDT_BIN_DAMAGED
    """LDT bin is damaged."""


class LDTSubrecPoolDamaged(LDTError, code=1420):  # AEROSPIKE_ERR_LDT_SUBREC_POOL_DAMAGED
    """LDT sub-record pool is damaged."""


class LDTSubrecDamaged(LDTError, code=1421):  # AEROSPIKE_ERR_LDT_SUBREC_DAMAGED
    """LDT sub-record is damaged."""


class LDTSubrecOpenError(LDTError, code=1422):  # AEROSPIKE_ERR_LDT_SUBREC_OPEN
    """LDT sub-record open failed."""


class LDTSubrecUpdateError(LDTError, code=1423):  # AEROSPIKE_ERR_LDT_SUBREC_UPDATE
    """LDT sub-record update failed."""


class LDTSubrecCreateError(LDTError, code=1424):  # AEROSPIKE_ERR_LDT_SUBREC_CREATE
    """LDT sub-record create failed."""


class LDTSubrecDeleteError(LDTError, code=1425):  # AEROSPIKE_ERR_LDT_SUBREC_DELETE
    """LDT sub-record delete failed."""


class LDTSubrecCloseError(LDTError, code=1426):  # AEROSPIKE_ERR_LDT_SUBREC_CLOSE
    """LDT sub-record close failed."""


class LDTToprecUpdateError(LDTError, code=1427):  # AEROSPIKE_ERR_LDT_TOPREC_UPDATE
    """LDT top record update failed."""


class LDTToprecCreateError(LDTError, code=1428):  # AEROSPIKE_ERR_LDT_TOPREC_CREATE
    """LDT top record create failed."""


class LDTFilterFunctionBad(LDTError, code=1430):  # AEROSPIKE_ERR_LDT_FILTER_FUNCTION_BAD
    """LDT filter function is bad."""


class LDTFilterFunctionNotFound(LDTError, code=1431):  # AEROSPIKE_ERR_LDT_FILTER_FUNCTION_NOT_FOUND
    """LDT filter function not found."""


class LDTKeyFunctionBad(LDTError, code=1432):  # AEROSPIKE_ERR_LDT_KEY_FUNCTION_BAD
    """LDT key function is bad."""


class LDTKeyFunctionNotFound(LDTError, code=1433):  # AEROSPIKE_ERR_LDT_KEY_FUNCTION_NOT_FOUND
    """LDT key function not found."""


class LDTTransFunctionBad(LDTError, code=1434):  # AEROSPIKE_ERR_LDT_TRANS_FUNCTION_BAD
    """LDT transform function is bad."""


class LDTTransFunctionNotFound(LDTError, code=1435):  # AEROSPIKE_ERR_LDT_TRANS_FUNCTION_NOT_FOUND
    """LDT transform function not found."""


class LDTUntransFunctionBad(LDTError, code=1436):  # AEROSPIKE_ERR_LDT_UNTRANS_FUNCTION_BAD
    """LDT untransform function is bad."""


class LDTUntransFunctionNotFound(LDTError, code=1437):  # AEROSPIKE_ERR_LDT_UNTRANS_FUNCTION_NOT_FOUND
    """LDT untransform function not found."""


class LDTUserModuleBad(LDTError, code=1438):  # AEROSPIKE_ERR_LDT_USER_MODULE_BAD
    """LDT user module is bad."""


class LDTUserModuleNotFound(LDTError, code=1439):  # AEROSPIKE_ERR_LDT_USER_MODULE_NOT_FOUND
    """LDT user module not found."""


# The names the C client's as_error_string() gives each status; the official client puts them in messages
# ('127.0.0.1:3000 AEROSPIKE_ERR_RECORD_NOT_FOUND'). Current C client names, plus 3.0.0's LDT names.
_RESULT_NAMES: dict[int, str] = {
    -20: "AEROSPIKE_METRICS_CONFLICT",
    -19: "AEROSPIKE_TXN_ALREADY_ABORTED",
    -18: "AEROSPIKE_TXN_ALREADY_COMMITTED",
    -17: "AEROSPIKE_TXN_FAILED",
    -16: "AEROSPIKE_BATCH_FAILED",
    -15: "AEROSPIKE_NO_RESPONSE",
    -14: "AEROSPIKE_MAX_ERROR_RATE",
    -13: "AEROSPIKE_USE_NORMAL_RETRY",
    -12: "AEROSPIKE_ERR_MAX_RETRIES_EXCEEDED",
    -11: "AEROSPIKE_ERR_ASYNC_QUEUE_FULL",
    -10: "AEROSPIKE_ERR_CONNECTION",
    -9: "AEROSPIKE_ERR_TLS_ERROR",
    -8: "AEROSPIKE_ERR_INVALID_NODE",
    -7: "AEROSPIKE_ERR_NO_MORE_CONNECTIONS",
    -6: "AEROSPIKE_ERR_ASYNC_CONNECTION",
    -5: "AEROSPIKE_ERR_CLIENT_ABORT",
    -4: "AEROSPIKE_ERR_INVALID_HOST",
    -3: "AEROSPIKE_NO_MORE_RECORDS",
    -2: "AEROSPIKE_ERR_PARAM",
    -1: "AEROSPIKE_ERR_CLIENT",
    0: "AEROSPIKE_OK",
    1: "AEROSPIKE_ERR_SERVER",
    2: "AEROSPIKE_ERR_RECORD_NOT_FOUND",
    3: "AEROSPIKE_ERR_RECORD_GENERATION",
    4: "AEROSPIKE_ERR_REQUEST_INVALID",
    5: "AEROSPIKE_ERR_RECORD_EXISTS",
    6: "AEROSPIKE_ERR_BIN_EXISTS",
    7: "AEROSPIKE_ERR_CLUSTER_CHANGE",
    8: "AEROSPIKE_ERR_SERVER_FULL",
    9: "AEROSPIKE_ERR_TIMEOUT",
    10: "AEROSPIKE_ERR_ALWAYS_FORBIDDEN",
    11: "AEROSPIKE_ERR_CLUSTER",
    12: "AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE",
    13: "AEROSPIKE_ERR_RECORD_TOO_BIG",
    14: "AEROSPIKE_ERR_RECORD_BUSY",
    15: "AEROSPIKE_ERR_SCAN_ABORTED",
    16: "AEROSPIKE_ERR_UNSUPPORTED_FEATURE",
    17: "AEROSPIKE_ERR_BIN_NOT_FOUND",
    18: "AEROSPIKE_ERR_DEVICE_OVERLOAD",
    19: "AEROSPIKE_ERR_RECORD_KEY_MISMATCH",
    20: "AEROSPIKE_ERR_NAMESPACE_NOT_FOUND",
    21: "AEROSPIKE_ERR_BIN_NAME",
    22: "AEROSPIKE_ERR_FAIL_FORBIDDEN",
    23: "AEROSPIKE_ERR_FAIL_ELEMENT_NOT_FOUND",
    24: "AEROSPIKE_ERR_FAIL_ELEMENT_EXISTS",
    25: "AEROSPIKE_ERR_ENTERPRISE_ONLY",
    26: "AEROSPIKE_ERR_OP_NOT_APPLICABLE",
    27: "AEROSPIKE_FILTERED_OUT",
    28: "AEROSPIKE_LOST_CONFLICT",
    29: "AEROSPIKE_INVALID_ENCODING",
    32: "AEROSPIKE_XDR_KEY_BUSY",
    50: "AEROSPIKE_QUERY_END",
    51: "AEROSPIKE_SECURITY_NOT_SUPPORTED",
    52: "AEROSPIKE_SECURITY_NOT_ENABLED",
    53: "AEROSPIKE_SECURITY_SCHEME_NOT_SUPPORTED",
    54: "AEROSPIKE_INVALID_COMMAND",
    55: "AEROSPIKE_INVALID_FIELD",
    56: "AEROSPIKE_ILLEGAL_STATE",
    60: "AEROSPIKE_INVALID_USER",
    61: "AEROSPIKE_USER_ALREADY_EXISTS",
    62: "AEROSPIKE_INVALID_PASSWORD",
    63: "AEROSPIKE_EXPIRED_PASSWORD",
    64: "AEROSPIKE_FORBIDDEN_PASSWORD",
    65: "AEROSPIKE_INVALID_CREDENTIAL",
    66: "AEROSPIKE_EXPIRED_SESSION",
    70: "AEROSPIKE_INVALID_ROLE",
    71: "AEROSPIKE_ROLE_ALREADY_EXISTS",
    72: "AEROSPIKE_INVALID_PRIVILEGE",
    73: "AEROSPIKE_INVALID_WHITELIST",
    74: "AEROSPIKE_QUOTAS_NOT_ENABLED",
    75: "AEROSPIKE_INVALID_QUOTA",
    80: "AEROSPIKE_NOT_AUTHENTICATED",
    81: "AEROSPIKE_ROLE_VIOLATION",
    82: "AEROSPIKE_NOT_WHITELISTED",
    83: "AEROSPIKE_QUOTA_EXCEEDED",
    100: "AEROSPIKE_ERR_UDF",
    120: "AEROSPIKE_MRT_BLOCKED",
    121: "AEROSPIKE_MRT_VERSION_MISMATCH",
    122: "AEROSPIKE_MRT_EXPIRED",
    123: "AEROSPIKE_MRT_TOO_MANY_WRITES",
    124: "AEROSPIKE_MRT_COMMITTED",
    # Servers 8.x send 125 for an aborted transaction; 3.0.0's C client called it LARGE_ITEM_NOT_FOUND.
    125: "AEROSPIKE_MRT_ABORTED",
    126: "AEROSPIKE_MRT_ALREADY_LOCKED",
    127: "AEROSPIKE_MRT_MONITOR_EXISTS",
    150: "AEROSPIKE_ERR_BATCH_DISABLED",
    151: "AEROSPIKE_ERR_BATCH_MAX_REQUESTS_EXCEEDED",
    152: "AEROSPIKE_ERR_BATCH_QUEUES_FULL",
    160: "AEROSPIKE_ERR_GEO_INVALID_GEOJSON",
    200: "AEROSPIKE_ERR_INDEX_FOUND",
    201: "AEROSPIKE_ERR_INDEX_NOT_FOUND",
    202: "AEROSPIKE_ERR_INDEX_OOM",
    203: "AEROSPIKE_ERR_INDEX_NOT_READABLE",
    204: "AEROSPIKE_ERR_INDEX",
    205: "AEROSPIKE_ERR_INDEX_NAME_MAXLEN",
    206: "AEROSPIKE_ERR_INDEX_MAXCOUNT",
    210: "AEROSPIKE_ERR_QUERY_ABORTED",
    211: "AEROSPIKE_ERR_QUERY_QUEUE_FULL",
    212: "AEROSPIKE_ERR_QUERY_TIMEOUT",
    213: "AEROSPIKE_ERR_QUERY",
    1301: "AEROSPIKE_ERR_UDF_NOT_FOUND",
    1302: "AEROSPIKE_ERR_LUA_FILE_NOT_FOUND",
    1400: "AEROSPIKE_ERR_LDT_INTERNAL",
    1401: "AEROSPIKE_ERR_LDT_NOT_FOUND",
    1402: "AEROSPIKE_ERR_LDT_UNIQUE_KEY",
    1403: "AEROSPIKE_ERR_LDT_INSERT",
    1404: "AEROSPIKE_ERR_LDT_SEARCH",
    1405: "AEROSPIKE_ERR_LDT_DELETE",
    1409: "AEROSPIKE_ERR_LDT_INPUT_PARM",
    1410: "AEROSPIKE_ERR_LDT_TYPE_MISMATCH",
    1411: "AEROSPIKE_ERR_LDT_NULL_BIN_NAME",
    1412: "AEROSPIKE_ERR_LDT_BIN_NAME_NOT_STRING",
    1413: "AEROSPIKE_ERR_LDT_BIN_NAME_TOO_LONG",
    1414: "AEROSPIKE_ERR_LDT_TOO_MANY_OPEN_SUBRECS",
    1415: "AEROSPIKE_ERR_LDT_TOP_REC_NOT_FOUND",
    1416: "AEROSPIKE_ERR_LDT_SUB_REC_NOT_FOUND",
    1417: "AEROSPIKE_ERR_LDT_BIN_DOES_NOT_EXIST",
    1418: "AEROSPIKE_ERR_LDT_BIN_ALREADY_EXISTS",
    1419: "AEROSPIKE_ERR_LDT_BIN_DAMAGED",
    1420: "AEROSPIKE_ERR_LDT_SUBREC_POOL_DAMAGED",
    1421: "AEROSPIKE_ERR_LDT_SUBREC_DAMAGED",
    1422: "AEROSPIKE_ERR_LDT_SUBREC_OPEN",
    1423: "AEROSPIKE_ERR_LDT_SUBREC_UPDATE",
    1424: "AEROSPIKE_ERR_LDT_SUBREC_CREATE",
    1425: "AEROSPIKE_ERR_LDT_SUBREC_DELETE",
    1426: "AEROSPIKE_ERR_LDT_SUBREC_CLOSE",
    1427: "AEROSPIKE_ERR_LDT_TOPREC_UPDATE",
    1428: "AEROSPIKE_ERR_LDT_TOPREC_CREATE",
    1430: "AEROSPIKE_ERR_LDT_FILTER_FUNCTION_BAD",
    1431: "AEROSPIKE_ERR_LDT_FILTER_FUNCTION_NOT_FOUND",
    1432: "AEROSPIKE_ERR_LDT_KEY_FUNCTION_BAD",
    1433: "AEROSPIKE_ERR_LDT_KEY_FUNCTION_NOT_FOUND",
    1434: "AEROSPIKE_ERR_LDT_TRANS_FUNCTION_BAD",
    1435: "AEROSPIKE_ERR_LDT_TRANS_FUNCTION_NOT_FOUND",
    1436: "AEROSPIKE_ERR_LDT_UNTRANS_FUNCTION_BAD",
    1437: "AEROSPIKE_ERR_LDT_UNTRANS_FUNCTION_NOT_FOUND",
    1438: "AEROSPIKE_ERR_LDT_USER_MODULE_BAD",
    1439: "AEROSPIKE_ERR_LDT_USER_MODULE_NOT_FOUND",
}


def result_code_message(code: int) -> str:
    """The C client's name for a result code, e.g. ``'AEROSPIKE_ERR_RECORD_NOT_FOUND'`` for 2.

    An unknown code is named like the C client does: AEROSPIKE_ERR_CLIENT below zero, else AEROSPIKE_ERR_SERVER.
    """
    name = _RESULT_NAMES.get(code)
    if name is not None:
        return name
    return "AEROSPIKE_ERR_CLIENT" if code < 0 else "AEROSPIKE_ERR_SERVER"


def class_for_code(code: int) -> type[AerospikeError]:
    """The class raised for a result code: the registered one, else ServerError (> 0) or ClientError (< 0)."""
    if code == 0:
        raise ValueError("result code 0 (AEROSPIKE_OK) is not an error")
    cls = _REGISTRY.get(code)
    if cls is not None:
        return cls
    return ClientError if code < 0 else ServerError


def error_for_code(
    code: int,
    msg: Optional[str] = None,
    *,
    in_doubt: bool = False,
    file: Optional[str] = None,
    line: Optional[int] = None,
) -> AerospikeError:
    """An instance of the class registered for ``code``, carrying ``code`` itself even when it fell back.

    Without ``msg`` the message is the code's C client name (see :func:`result_code_message`).
    """
    cls = class_for_code(code)
    if msg is None:
        msg = result_code_message(code)
    return cls(code, msg, file, line, in_doubt)


__all__ = [
    name
    for name, value in list(globals().items())
    if isinstance(value, type) and issubclass(value, AerospikeError)
]
