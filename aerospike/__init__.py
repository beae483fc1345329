"""Pure-Python Aerospike client."""
