"""A candidate gateway: a config served before it is applied, so it can be tested first.

The candidate is a real gateway (same pipeline, providers, traces) on an ephemeral loopback port,
serving the candidate config instead of the store's newest revision, and accepting only a
transient admin key that exists in its memory alone (never stored, gone when it stops). Its
traces are written to the store with the revision number the candidate would receive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from confiance.app import Services
from confiance.config.schema import ConfianceConfig
from confiance.control.keys import generate_secret
from confiance.domain.keys import ApiKey, Role, hash_secret, parse_prefix
from confiance.gateway.server import Gateway
from confiance.providers.builtin import builtin_registry

__all__ = ["Candidate", "candidate_gateway"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """Where the candidate listens (``url`` ends in ``/v1``) and the key it accepts."""

    url: str
    api_key: str
    revision: int


@asynccontextmanager
async def candidate_gateway(
    services: Services, config: ConfianceConfig, revision: int
) -> AsyncIterator[Candidate]:
    gateway = Gateway(services.store, builtin_registry())
    gateway.follow_store = False
    gateway.snapshots.install(config, revision)
    secret = generate_secret()
    prefix = parse_prefix(secret)
    assert prefix is not None
    transient = ApiKey(
        id=f"candidate-{prefix}",
        name="candidate regression run",
        prefix=prefix,
        secret_hash=hash_secret(secret),
        role=Role.ADMIN,
        routes=(),
        created_at=services.clock(),
    )
    gateway.keys.replace([transient], version="candidate")
    runner = web.AppRunner(gateway.application(), handler_cancellation=True, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        yield Candidate(url=f"http://127.0.0.1:{port}/v1", api_key=secret, revision=revision)
    finally:
        await runner.cleanup()
