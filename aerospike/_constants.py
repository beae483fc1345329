"""Module-level constants of ``aerospike`` (spec/aerospike.rst), with the values the official client 3.0.0 gives.

Owns: names and numbers only; ``aerospike/__init__.py`` re-exports them with ``from ._constants import *``.
Must not know: how policies, operations or the protocol use them.

3.0.0 builds these from the C client 4.3.1 enums (as_policy.h, as_operations.h, as_map_operations.h,
as_scan.h, as_job.h, aerospike_index.h, as_admin.h, as_udf.h, as_record.h) and its own enums
(src/include/policy.h, src/include/log.h). Where later clients renumbered a constant, 3.0.0's value is kept.
"""

from __future__ import annotations

# Operators for Client.operate (C client as_operator; 3 and 4 are the wire's CDT read/modify, not exported).
OPERATOR_READ = 1
OPERATOR_WRITE = 2
OPERATOR_INCR = 5
OPERATOR_APPEND = 9
OPERATOR_PREPEND = 10
OPERATOR_TOUCH = 11

# List operations for Client.operate: the Python client's own codes (3.0.0 policy.h, enum from 1001).
OP_LIST_APPEND = 1001
OP_LIST_APPEND_ITEMS = 1002
OP_LIST_INSERT = 1003
OP_LIST_INSERT_ITEMS = 1004
OP_LIST_POP = 1005
OP_LIST_POP_RANGE = 1006
OP_LIST_REMOVE = 1007
OP_LIST_REMOVE_RANGE = 1008
OP_LIST_CLEAR = 1009
OP_LIST_SET = 1010
OP_LIST_GET = 1011
OP_LIST_GET_RANGE = 1012
OP_LIST_TRIM = 1013
OP_LIST_SIZE = 1014
OP_LIST_INCREMENT = 1015

# Map operations for Client.operate: the Python client's own codes (3.0.0 policy.h, enum from 1101).
OP_MAP_SET_POLICY = 1101
OP_MAP_PUT = 1102
OP_MAP_PUT_ITEMS = 1103
OP_MAP_INCREMENT = 1104
OP_MAP_DECREMENT = 1105
OP_MAP_SIZE = 1106
OP_MAP_CLEAR = 1107
OP_MAP_REMOVE_BY_KEY = 1108
OP_MAP_REMOVE_BY_KEY_LIST = 1109
OP_MAP_REMOVE_BY_KEY_RANGE = 1110
OP_MAP_REMOVE_BY_VALUE = 1111
OP_MAP_REMOVE_BY_VALUE_LIST = 1112
OP_MAP_REMOVE_BY_VALUE_RANGE = 1113
OP_MAP_REMOVE_BY_INDEX = 1114
OP_MAP_REMOVE_BY_INDEX_RANGE = 1115
OP_MAP_REMOVE_BY_RANK = 1116
OP_MAP_REMOVE_BY_RANK_RANGE = 1117
OP_MAP_GET_BY_KEY = 1118
OP_MAP_GET_BY_KEY_RANGE = 1119
OP_MAP_GET_BY_VALUE = 1120
OP_MAP_GET_BY_VALUE_RANGE = 1121
OP_MAP_GET_BY_INDEX = 1122
OP_MAP_GET_BY_INDEX_RANGE = 1123
OP_MAP_GET_BY_RANK = 1124
OP_MAP_GET_BY_RANK_RANGE = 1125

# Map order (C client as_map_order; also the flags byte the server stores on a map).
MAP_UNORDERED = 0
MAP_KEY_ORDERED = 1
MAP_KEY_VALUE_ORDERED = 3

# Map write modes (C client 4.3.1 as_map_write_mode).
MAP_UPDATE = 0
MAP_UPDATE_ONLY = 1
MAP_CREATE_ONLY = 2

# Map return types (C client as_map_return_type).
MAP_RETURN_NONE = 0
MAP_RETURN_INDEX = 1
MAP_RETURN_REVERSE_INDEX = 2
MAP_RETURN_RANK = 3
MAP_RETURN_REVERSE_RANK = 4
MAP_RETURN_COUNT = 5
MAP_RETURN_KEY = 6
MAP_RETURN_VALUE = 7
MAP_RETURN_KEY_VALUE = 8

# Retry policy (C client 4.3.1 as_policy_retry).
POLICY_RETRY_NONE = 0
POLICY_RETRY_ONCE = 1

# Existence policy (C client as_policy_exists).
POLICY_EXISTS_IGNORE = 0
POLICY_EXISTS_CREATE = 1
POLICY_EXISTS_UPDATE = 2
POLICY_EXISTS_REPLACE = 3
POLICY_EXISTS_CREATE_OR_REPLACE = 4

# Key policy (C client as_policy_key).
POLICY_KEY_DIGEST = 0
POLICY_KEY_SEND = 1

# Generation policy (C client as_policy_gen).
POLICY_GEN_IGNORE = 0
POLICY_GEN_EQ = 1
POLICY_GEN_GT = 2

# Replica policy (C client 4.3.1 as_policy_replica; SEQUENCE is 3.0.0's unlisted default).
POLICY_REPLICA_MASTER = 0
POLICY_REPLICA_ANY = 1
POLICY_REPLICA_SEQUENCE = 2

# Read consistency level (C client 4.3.1 as_policy_consistency_level).
POLICY_CONSISTENCY_ONE = 0
POLICY_CONSISTENCY_ALL = 1

# Write commit level (C client as_policy_commit_level).
POLICY_COMMIT_LEVEL_ALL = 0
POLICY_COMMIT_LEVEL_MASTER = 1

# Record TTLs (C client 4.3.1 as_record.h defines, exported by 3.0.0 as unsigned 32-bit values; the wire
# carries them as u32, where later clients' -1 and -2 encode identically).
TTL_NAMESPACE_DEFAULT = 0
TTL_NEVER_EXPIRE = 0xFFFFFFFF
TTL_DONT_UPDATE = 0xFFFFFFFE

# Scan priority (C client as_scan_priority).
SCAN_PRIORITY_AUTO = 0
SCAN_PRIORITY_LOW = 1
SCAN_PRIORITY_MEDIUM = 2
SCAN_PRIORITY_HIGH = 3

# Scan status (C client as_scan_status).
SCAN_STATUS_UNDEF = 0
SCAN_STATUS_INPROGRESS = 1
SCAN_STATUS_ABORTED = 2
SCAN_STATUS_COMPLETED = 3

# Job modules for Client.job_info: strings in 3.0.0 (PyModule_AddStringConstant in policy.c).
JOB_SCAN = "scan"
JOB_QUERY = "query"

# Job status (C client as_job_status).
JOB_STATUS_UNDEF = 0
JOB_STATUS_INPROGRESS = 1
JOB_STATUS_COMPLETED = 2

# Serializers (3.0.0 policy.h enum Aerospike_serializer_values).
SERIALIZER_NONE = 0
SERIALIZER_PYTHON = 1
SERIALIZER_JSON = 2
SERIALIZER_USER = 3

# Secondary index data types (C client 4.3.1 as_index_datatype).
INDEX_STRING = 0
INDEX_NUMERIC = 1
INDEX_GEO2DSPHERE = 2

# Secondary index collection types (C client as_index_type; DEFAULT, 0, is not exported).
INDEX_TYPE_LIST = 1
INDEX_TYPE_MAPKEYS = 2
INDEX_TYPE_MAPVALUES = 3

# Privilege codes (C client 4.3.1 as_privilege_code).
PRIV_USER_ADMIN = 0
PRIV_SYS_ADMIN = 1
PRIV_DATA_ADMIN = 2
PRIV_READ = 10
PRIV_READ_WRITE = 11
PRIV_READ_WRITE_UDF = 12

# UDF language (C client as_udf_type).
UDF_TYPE_LUA = 0

# Log levels (3.0.0 log.h enum Aerospike_log_level_e).
LOG_LEVEL_OFF = -1
LOG_LEVEL_ERROR = 0
LOG_LEVEL_WARN = 1
LOG_LEVEL_INFO = 2
LOG_LEVEL_DEBUG = 3
LOG_LEVEL_TRACE = 4

__all__ = [
    "OPERATOR_READ",
    "OPERATOR_WRITE",
    "OPERATOR_INCR",
    "OPERATOR_APPEND",
    "OPERATOR_PREPEND",
    "OPERATOR_TOUCH",
    "OP_LIST_APPEND",
    "OP_LIST_APPEND_ITEMS",
    "OP_LIST_INSERT",
    "OP_LIST_INSERT_ITEMS",
    "OP_LIST_POP",
    "OP_LIST_POP_RANGE",
    "OP_LIST_REMOVE",
    "OP_LIST_REMOVE_RANGE",
    "OP_LIST_CLEAR",
    "OP_LIST_SET",
    "OP_LIST_GET",
    "OP_LIST_GET_RANGE",
    "OP_LIST_TRIM",
    "OP_LIST_SIZE",
    "OP_LIST_INCREMENT",
    "OP_MAP_SET_POLICY",
    "OP_MAP_PUT",
    "OP_MAP_PUT_ITEMS",
    "OP_MAP_INCREMENT",
    "OP_MAP_DECREMENT",
    "OP_MAP_SIZE",
    "OP_MAP_CLEAR",
    "OP_MAP_REMOVE_BY_KEY",
    "OP_MAP_REMOVE_BY_KEY_LIST",
    "OP_MAP_REMOVE_BY_KEY_RANGE",
    "OP_MAP_REMOVE_BY_VALUE",
    "OP_MAP_REMOVE_BY_VALUE_LIST",
    "OP_MAP_REMOVE_BY_VALUE_RANGE",
    "OP_MAP_REMOVE_BY_INDEX",
    "OP_MAP_REMOVE_BY_INDEX_RANGE",
    "OP_MAP_REMOVE_BY_RANK",
    "OP_MAP_REMOVE_BY_RANK_RANGE",
    "OP_MAP_GET_BY_KEY",
    "OP_MAP_GET_BY_KEY_RANGE",
    "OP_MAP_GET_BY_VALUE",
    "OP_MAP_GET_BY_VALUE_RANGE",
    "OP_MAP_GET_BY_INDEX",
    "OP_MAP_GET_BY_INDEX_RANGE",
    "OP_MAP_GET_BY_RANK",
    "OP_MAP_GET_BY_RANK_RANGE",
    "MAP_UNORDERED",
    "MAP_KEY_ORDERED",
    "MAP_KEY_VALUE_ORDERED",
    "MAP_UPDATE",
    "MAP_UPDATE_ONLY",
    "MAP_CREATE_ONLY",
    "MAP_RETURN_NONE",
    "MAP_RETURN_INDEX",
    "MAP_RETURN_REVERSE_INDEX",
    "MAP_RETURN_RANK",
    "MAP_RETURN_REVERSE_RANK",
    "MAP_RETURN_COUNT",
    "MAP_RETURN_KEY",
    "MAP_RETURN_VALUE",
    "MAP_RETURN_KEY_VALUE",
    "POLICY_RETRY_NONE",
    "POLICY_RETRY_ONCE",
    "POLICY_EXISTS_IGNORE",
    "POLICY_EXISTS_CREATE",
    "POLICY_EXISTS_UPDATE",
    "POLICY_EXISTS_REPLACE",
    "POLICY_EXISTS_CREATE_OR_REPLACE",
    "POLICY_KEY_DIGEST",
    "POLICY_KEY_SEND",
    "POLICY_GEN_IGNORE",
    "POLICY_GEN_EQ",
    "POLICY_GEN_GT",
    "POLICY_REPLICA_MASTER",
    "POLICY_REPLICA_ANY",
    "POLICY_REPLICA_SEQUENCE",
    "POLICY_CONSISTENCY_ONE",
    "POLICY_CONSISTENCY_ALL",
    "POLICY_COMMIT_LEVEL_ALL",
    "POLICY_COMMIT_LEVEL_MASTER",
    "TTL_NAMESPACE_DEFAULT",
    "TTL_NEVER_EXPIRE",
    "TTL_DONT_UPDATE",
    "SCAN_PRIORITY_AUTO",
    "SCAN_PRIORITY_LOW",
    "SCAN_PRIORITY_MEDIUM",
    "SCAN_PRIORITY_HIGH",
    "SCAN_STATUS_UNDEF",
    "SCAN_STATUS_INPROGRESS",
    "SCAN_STATUS_ABORTED",
    "SCAN_STATUS_COMPLETED",
    "JOB_SCAN",
    "JOB_QUERY",
    "JOB_STATUS_UNDEF",
    "JOB_STATUS_INPROGRESS",
    "JOB_STATUS_COMPLETED",
    "SERIALIZER_NONE",
    "SERIALIZER_PYTHON",
    "SERIALIZER_JSON",
    "SERIALIZER_USER",
    "INDEX_STRING",
    "INDEX_NUMERIC",
    "INDEX_GEO2DSPHERE",
    "INDEX_TYPE_LIST",
    "INDEX_TYPE_MAPKEYS",
    "INDEX_TYPE_MAPVALUES",
    "PRIV_USER_ADMIN",
    "PRIV_SYS_ADMIN",
    "PRIV_DATA_ADMIN",
    "PRIV_READ",
    "PRIV_READ_WRITE",
    "PRIV_READ_WRITE_UDF",
    "UDF_TYPE_LUA",
    "LOG_LEVEL_OFF",
    "LOG_LEVEL_ERROR",
    "LOG_LEVEL_WARN",
    "LOG_LEVEL_INFO",
    "LOG_LEVEL_DEBUG",
    "LOG_LEVEL_TRACE",
]
