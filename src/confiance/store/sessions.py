"""Signed-in web UI sessions, one row each, keyed by the SHA-256 of the session id.

The row is the session's authority: a browser's signed cookie only names a session, and a
session without its row (signed out, timed out, purged) is over on every worker and replica
that shares the store. The rules (timeouts, when to refresh ``last_seen_at``) are the web
layer's; this repository stores what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, or_, select, update

from confiance.store.checks import require_aware
from confiance.store.engine import Database
from confiance.store.tables import web_sessions

__all__ = ["WebSessionRecord", "WebSessionRepository"]


@dataclass(frozen=True, slots=True)
class WebSessionRecord:
    id_hash: str
    key_id: str
    started_at: datetime
    last_seen_at: datetime


class WebSessionRepository:
    """``store.web_sessions``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, record: WebSessionRecord) -> None:
        """Store a new session. Raises ``Conflict`` when its id is taken."""
        require_aware("started_at", record.started_at)
        require_aware("last_seen_at", record.last_seen_at)
        async with self._db.write(conflict="a web session with this id already exists") as conn:
            await conn.execute(
                insert(web_sessions).values(
                    id_hash=record.id_hash,
                    key_id=record.key_id,
                    started_at=record.started_at,
                    last_seen_at=record.last_seen_at,
                )
            )

    async def get(self, id_hash: str) -> WebSessionRecord | None:
        async with self._db.read() as conn:
            row = (
                await conn.execute(select(web_sessions).where(web_sessions.c.id_hash == id_hash))
            ).first()
        if row is None:
            return None
        return WebSessionRecord(row.id_hash, row.key_id, row.started_at, row.last_seen_at)

    async def touch(self, id_hash: str, when: datetime) -> None:
        """Record activity on a session at ``when``."""
        require_aware("when", when)
        async with self._db.write() as conn:
            await conn.execute(
                update(web_sessions)
                .where(web_sessions.c.id_hash == id_hash)
                .values(last_seen_at=when)
            )

    async def remove(self, id_hash: str) -> bool:
        """End a session; whether it existed."""
        async with self._db.write() as conn:
            result = await conn.execute(
                delete(web_sessions).where(web_sessions.c.id_hash == id_hash)
            )
        return bool(result.rowcount)

    async def remove_ended(self, idle_before: datetime, started_before: datetime) -> int:
        """Delete every session last seen before ``idle_before`` or started before
        ``started_before``; how many."""
        require_aware("idle_before", idle_before)
        require_aware("started_before", started_before)
        async with self._db.write() as conn:
            result = await conn.execute(
                delete(web_sessions).where(
                    or_(
                        web_sessions.c.last_seen_at < idle_before,
                        web_sessions.c.started_at < started_before,
                    )
                )
            )
        return int(result.rowcount or 0)
