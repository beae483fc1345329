"""The protocol layer's one error: bytes that do not form a valid Aerospike frame or message.

Owns nothing else. The client core turns a ProtocolError into a client exception and closes the connection
the bytes came on; the local cluster closes the offending socket.
"""


class ProtocolError(Exception):
    """Malformed, truncated or out-of-bounds protocol data."""
