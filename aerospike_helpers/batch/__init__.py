"""Batch records of the current (19.x) API: ``aerospike_helpers.batch.records``."""
