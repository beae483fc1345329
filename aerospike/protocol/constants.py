"""Numbers of the Aerospike wire protocol, each named once.

Owns: proto types, message header info bits, field types, operation types, particle types, the result codes
the protocol layer itself must recognise. Knows nothing of Python client policies or exceptions.
"""

PROTO_VERSION = 2
PROTO_HEADER_SIZE = 8
MSG_HEADER_SIZE = 22

# Proto types (second byte of the 8-byte proto header).
PROTO_TYPE_INFO = 1  # text info commands
PROTO_TYPE_ADMIN = 2  # security / user administration
PROTO_TYPE_MESSAGE = 3  # record messages
PROTO_TYPE_COMPRESSED = 4  # zlib-compressed message frame

# Largest frame either side accepts; a length beyond this is corruption or an attack, never data.
MAX_FRAME_SIZE = 128 * 1024 * 1024

# info1 bits
INFO1_READ = 1  # read the record
INFO1_GET_ALL = 2  # all bins
INFO1_SHORT_QUERY = 4  # short query
INFO1_BATCH = 8  # batch index request
INFO1_XDR = 16  # operation is performed by XDR
INFO1_NOBINDATA = 32  # metadata only, no bin data
INFO1_READ_MODE_AP_ALL = 64  # read from all replicas (AP)
INFO1_COMPRESS_RESPONSE = 128  # ask the server to compress the reply

# info2 bits
INFO2_WRITE = 1  # the command writes
INFO2_DELETE = 2  # delete the record
INFO2_GENERATION = 4  # write only if generation equals
INFO2_GENERATION_GT = 8  # write only if generation is greater
INFO2_DURABLE_DELETE = 16  # leave a tombstone (enterprise)
INFO2_CREATE_ONLY = 32  # fail if the record exists
INFO2_RELAX_AP_LONG_QUERY = 64  # relaxed long query
INFO2_RESPOND_ALL_OPS = 128  # one result per op, in request order

# info3 bits
INFO3_LAST = 1  # last message of a multi-message reply
INFO3_COMMIT_MASTER = 2  # commit on master only
INFO3_PARTITION_DONE = 4  # a partition of a scan/query is done
INFO3_UPDATE_ONLY = 8  # fail if the record does not exist
INFO3_CREATE_OR_REPLACE = 16  # replace all bins, create if missing
INFO3_REPLACE_ONLY = 32  # replace all bins, fail if missing
INFO3_SC_READ_TYPE = 64  # strong-consistency read mode bit 1
INFO3_SC_READ_RELAX = 128  # strong-consistency read mode bit 2

# Field types
FIELD_NAMESPACE = 0  # namespace name
FIELD_SET = 1  # set name
FIELD_KEY = 2  # user key: particle type byte + value
FIELD_DIGEST = 4  # 20-byte RIPEMD-160 digest
FIELD_TASK_ID = 7  # scan/query transaction id (u64)
FIELD_SOCKET_TIMEOUT = 9  # scan/query socket timeout (u32 ms)
FIELD_RECORDS_PER_SECOND = 10  # scan/query throttle (u32)
FIELD_PID_ARRAY = 11  # partition ids, little-endian u16 each
FIELD_DIGEST_ARRAY = 12  # resume digests for partitions
FIELD_MAX_RECORDS = 13  # scan/query record limit (u64)
FIELD_BVAL_ARRAY = 15  # per-record index value (replies)
FIELD_INDEX_NAME = 21  # secondary index name
FIELD_INDEX_RANGE = 22  # secondary index filter
FIELD_INDEX_CONTEXT = 23  # CDT context of the index
FIELD_INDEX_EXPRESSION = 24  # expression of an expression index (where_with_expr)
FIELD_INDEX_TYPE = 26  # secondary index collection type
FIELD_UDF_PACKAGE_NAME = 30  # UDF module
FIELD_UDF_FUNCTION = 31  # UDF function
FIELD_UDF_ARGLIST = 32  # UDF arguments (msgpack list)
FIELD_UDF_OP = 33  # UDF kind: 1 aggregate, 2 background
FIELD_QUERY_BINLIST = 40  # bins to return
FIELD_BATCH_INDEX = 41  # batch index keys
FIELD_FILTER_EXP = 43  # filter expression

# Operation types
OP_READ = 1
OP_WRITE = 2
OP_CDT_READ = 3
OP_CDT_MODIFY = 4
OP_INCR = 5
OP_EXP_READ = 7
OP_EXP_MODIFY = 8
OP_APPEND = 9
OP_PREPEND = 10
OP_TOUCH = 11
OP_BIT_READ = 12
OP_BIT_MODIFY = 13
OP_DELETE = 14
OP_HLL_READ = 15
OP_HLL_MODIFY = 16
OP_STRING_READ = 17  # server 8.2's string operations; 8.1 refuses 17-19 (code 4)
OP_STRING_MODIFY = 18
OP_TO_STRING = 19

# Particle types
PARTICLE_NULL = 0
PARTICLE_INTEGER = 1
PARTICLE_FLOAT = 2
PARTICLE_STRING = 3
PARTICLE_BLOB = 4
PARTICLE_JAVA_BLOB = 7
PARTICLE_CSHARP_BLOB = 8
PARTICLE_PYTHON_BLOB = 9
PARTICLE_RUBY_BLOB = 10
PARTICLE_PHP_BLOB = 11
PARTICLE_ERLANG_BLOB = 12
PARTICLE_BOOL = 17
PARTICLE_HLL = 18
PARTICLE_MAP = 19
PARTICLE_LIST = 20
PARTICLE_GEOJSON = 23

# Key types in digests and the KEY field (particle types of the user key)
KEY_TYPE_INTEGER = PARTICLE_INTEGER
KEY_TYPE_STRING = PARTICLE_STRING
KEY_TYPE_BLOB = PARTICLE_BLOB

# Server result codes the protocol and the local cluster name; the client's exception registry has them all.
RESULT_OK = 0
RESULT_SERVER_ERROR = 1
RESULT_KEY_NOT_FOUND = 2
RESULT_GENERATION_ERROR = 3
RESULT_PARAMETER_ERROR = 4
RESULT_KEY_EXISTS = 5
RESULT_BIN_EXISTS = 6
RESULT_CLUSTER_KEY_MISMATCH = 7
RESULT_SERVER_MEM_ERROR = 8
RESULT_TIMEOUT = 9
RESULT_ALWAYS_FORBIDDEN = 10
RESULT_PARTITION_UNAVAILABLE = 11
RESULT_BIN_TYPE_ERROR = 12
RESULT_RECORD_TOO_BIG = 13
RESULT_KEY_BUSY = 14
RESULT_SCAN_ABORT = 15
RESULT_UNSUPPORTED_FEATURE = 16
RESULT_BIN_NOT_FOUND = 17
RESULT_DEVICE_OVERLOAD = 18
RESULT_KEY_MISMATCH = 19
RESULT_NAMESPACE_NOT_FOUND = 20
RESULT_BIN_NAME_TOO_LONG = 21
RESULT_FAIL_FORBIDDEN = 22
RESULT_ELEMENT_NOT_FOUND = 23
RESULT_ELEMENT_EXISTS = 24
RESULT_ENTERPRISE_ONLY = 25
RESULT_OP_NOT_APPLICABLE = 26
RESULT_FILTERED_OUT = 27
RESULT_LOST_CONFLICT = 28
RESULT_QUERY_END = 50
RESULT_SECURITY_NOT_SUPPORTED = 51
RESULT_SECURITY_NOT_ENABLED = 52
RESULT_INVALID_COMMAND = 54
RESULT_INVALID_FIELD = 55
RESULT_INVALID_USER = 60
RESULT_USER_ALREADY_EXISTS = 61
RESULT_INVALID_PASSWORD = 62
RESULT_EXPIRED_PASSWORD = 63
RESULT_FORBIDDEN_PASSWORD = 64
RESULT_INVALID_CREDENTIAL = 65
RESULT_EXPIRED_SESSION = 66
RESULT_INVALID_ROLE = 70
RESULT_ROLE_ALREADY_EXISTS = 71
RESULT_INVALID_PRIVILEGE = 72
RESULT_NOT_AUTHENTICATED = 80
RESULT_ROLE_VIOLATION = 81
RESULT_UDF_ERROR = 100
RESULT_BATCH_DISABLED = 150
RESULT_INDEX_FOUND = 200
RESULT_INDEX_NOT_FOUND = 201
RESULT_QUERY_ABORTED = 210

# Record TTLs in requests: 0 is the namespace default; these are the special relative values.
TTL_NAMESPACE_DEFAULT = 0
TTL_NEVER_EXPIRE = 0xFFFFFFFF  # -1 as u32
TTL_DONT_UPDATE = 0xFFFFFFFE  # -2 as u32

# Citrusleaf epoch (2010-01-01T00:00:00Z) in Unix seconds: record void times count from it.
CITRUSLEAF_EPOCH = 1262304000

DIGEST_SIZE = 20
N_PARTITIONS = 4096
