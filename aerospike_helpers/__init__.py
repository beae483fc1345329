"""Helpers of the current official API (19.x): operation builders, CDT contexts and the expression builder.

Code written for the official client imports these as ``aerospike_helpers.operations.*``,
``aerospike_helpers.cdt_ctx`` and ``aerospike_helpers.expressions``; each returns the plain dicts and
compiled lists the client methods of the ``aerospike`` package take.
"""


class HyperLogLog(bytes):
    """A HyperLogLog value (the bytes of an HLL bin), as 19.x names it. HLL operations take it wherever they
    take an HLL; this package returns HLL bins as plain ``bytes``, which compare equal to it."""

    def __new__(cls, o: bytes) -> "HyperLogLog":
        return super().__new__(cls, o)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({super().__repr__()})"

    def __str__(self) -> str:
        return self.__repr__()
