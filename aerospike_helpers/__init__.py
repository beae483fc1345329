"""Helpers of the current official API (19.x): operation builders, CDT contexts and the expression builder.

Code written for the official client imports these as ``aerospike_helpers.operations.*``,
``aerospike_helpers.cdt_ctx`` and ``aerospike_helpers.expressions``; each returns the plain dicts and
compiled lists the client methods of the ``aerospike`` package take.
"""
