"""Test support that ships with the store: a throw-away PostgreSQL schema per test, and a way
to make file modes bind a child process that runs as root (for read-only store tests).

    async with postgres_schema("postgresql://postgres@127.0.0.1:5432/test") as url:
        store = await Store.open(url)   # tables live in a fresh, uniquely named schema

The schema is dropped (with everything in it) on exit, so parallel runs and reruns against one
database never see each other's rows.
"""

from __future__ import annotations

import ctypes
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from confiance.errors import ConfigError
from confiance.store.engine import Database
from confiance.store.urls import DatabaseURL, parse_database_url

__all__ = ["honour_file_modes", "postgres_schema"]

_PR_CAPBSET_DROP = 24
# CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: what lets root ignore (or change) modes.
_MODE_CAPABILITIES = (1, 2, 3)


def honour_file_modes() -> None:
    """For ``subprocess``'s ``preexec_fn``: when running as root on Linux, drop from the
    bounding set the capabilities that let root ignore file modes, so the program then
    exec'd (still uid 0, able to run the interpreter under a private home) finds a 0444 file
    read-only exactly as any user would. Does nothing for other users, whom modes bind anyway.

    Raises ``OSError`` when the capabilities cannot be dropped (no ``CAP_SETPCAP``)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in _MODE_CAPABILITIES:
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


@asynccontextmanager
async def postgres_schema(base_url: str, *, prefix: str = "confiance_test") -> AsyncIterator[str]:
    """Create a uniquely named schema in ``base_url``'s database and yield a URL using it.

    Raises :class:`ConfigError` when ``base_url`` is not a PostgreSQL URL.
    """
    parsed = parse_database_url(base_url)
    if parsed.dialect != "postgresql":
        raise ConfigError(f"postgres_schema needs a PostgreSQL URL, got {parsed.where}")
    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin = Database.create(DatabaseURL(parsed.url))
    try:
        async with admin.write() as conn:
            quoted = conn.dialect.identifier_preparer.quote_identifier(schema)
            await conn.execute(text(f"CREATE SCHEMA {quoted}"))
        query = {**parsed.url.query, "schema": schema}
        yield parsed.url.set(query=query).render_as_string(hide_password=False)
    finally:
        try:
            async with admin.write() as conn:
                quoted = conn.dialect.identifier_preparer.quote_identifier(schema)
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {quoted} CASCADE"))
        finally:
            await admin.dispose()
