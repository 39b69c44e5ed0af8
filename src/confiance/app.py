"""Composition root: builds the services from settings. The only place concrete classes are wired.

Edges (gateway, api, cli) ask for :class:`Services` and never construct stores or services
themselves, so a test can build the same graph against a temporary database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from confiance.audit import AuditLog
from confiance.control.clock import system_clock
from confiance.control.keys import KeyService
from confiance.control.revisions import RevisionService
from confiance.settings import Settings
from confiance.store import Store
from confiance.store.notify import announce_on_redis

__all__ = ["Services", "open_services"]


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    store: Store
    revisions: RevisionService
    keys: KeyService
    audit: AuditLog
    clock: Callable[[], datetime]

    async def close(self) -> None:
        await self.store.close()


async def open_services(
    settings: Settings,
    *,
    actor: str = "cli",
    clock: Callable[[], datetime] = system_clock,
    migrate: bool = True,
) -> Services:
    """Open the store (applying migrations unless told not to) and build the services on it."""
    store = await Store.open(settings.database_url, migrate=migrate)
    if settings.redis_url:
        announce_on_redis(store.database, settings.redis_url)
    return Services(
        settings=settings,
        store=store,
        revisions=RevisionService(store, clock, audit_actor=actor),
        keys=KeyService(store, clock, audit_actor=actor),
        audit=AuditLog(store, clock),
        clock=clock,
    )
