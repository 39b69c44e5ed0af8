"""Fixtures for adapter tests: the simulator (with an API key), and adapters built the way the
gateway builds them (registry + one pooled session per provider)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest

from confiance.config.schema import ProviderConfig
from confiance.domain.types import ProviderKind
from confiance.providers.base import Provider, ProviderContext
from confiance.providers.builtin import builtin_registry
from confiance.providers.http import create_session
from confiance.providers.simulated import RunningSimulator, serve_simulator

from .support import SIM_KEY, MakeAdapter, ScriptedVendor


@pytest.fixture
async def vendor_sim() -> AsyncIterator[RunningSimulator]:
    async with serve_simulator(api_key=SIM_KEY) as sim:
        yield sim


@pytest.fixture
async def make_adapter() -> AsyncIterator[MakeAdapter]:
    """``make_adapter(kind, base_url, api_key=..., **config)`` → a Provider; sessions are
    closed when the test ends."""
    registry = builtin_registry()
    async with AsyncExitStack() as stack:

        async def make(
            kind: str, base_url: str, api_key: str | None = SIM_KEY, **options: Any
        ) -> Provider:
            config = ProviderConfig(kind=ProviderKind(kind), base_url=base_url, **options)
            session = await stack.enter_async_context(create_session(config))
            return registry.create(ProviderContext(f"{kind}-test", config, session, api_key))

        yield make


def free_port_url() -> str:
    """An http:// URL on loopback where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    return f"http://127.0.0.1:{port}"


@pytest.fixture
async def scripted_vendor() -> AsyncIterator[ScriptedVendor]:
    vendor = ScriptedVendor()
    await vendor.start()
    try:
        yield vendor
    finally:
        await vendor.stop()
