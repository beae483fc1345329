"""Registers the fixture plugins of tests/fixtures (one module per concern)."""

pytest_plugins = ["tests.fixtures.cluster", "tests.fixtures.backend", "tests.fixtures.tls", "tests.fixtures.secured"]
