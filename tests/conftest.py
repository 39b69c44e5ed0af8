"""Shared fixtures: real service URLs (skipped with a reason on a machine without them, a failure
in CI where ``CONFIANCE_TEST_REQUIRE_SERVICES=1``) and free loopback ports."""

from __future__ import annotations

import os
import socket

import pytest


def _service_url(variable: str, what: str) -> str:
    url = os.environ.get(variable)
    if url:
        return url
    if os.environ.get("CONFIANCE_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{variable} is not set but CONFIANCE_TEST_REQUIRE_SERVICES=1: {what} required")
    pytest.skip(f"{variable} is not set: no {what} to test against")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A libpq-style URL (``postgresql://user@host:port/db``) of a real PostgreSQL."""
    return _service_url("CONFIANCE_TEST_POSTGRES_URL", "PostgreSQL server")


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _service_url("CONFIANCE_TEST_REDIS_URL", "Redis server")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unused_port() -> int:
    return free_port()
