"""Config revisions: each applied ``confiance.yaml`` as a numbered, immutable row.

Numbers are ``previous max + 1``, handed out under a lock (the ``meta`` row ``revision_head`` is
updated first, which PostgreSQL row-locks and SQLite covers with ``BEGIN IMMEDIATE``), so
concurrent ``apply`` calls get distinct consecutive numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update

from confiance.domain.revision import ConfigRevision
from confiance.domain.types import JSONObject
from confiance.errors import NotFound
from confiance.store.audit import AuditDraft, append_event
from confiance.store.checks import check_limit, require_aware
from confiance.store.engine import Database
from confiance.store.tables import REVISION_HEAD, config_revisions, meta

__all__ = ["RevisionRepository"]


def _revision(row: Row[Any]) -> ConfigRevision:
    return ConfigRevision(
        number=int(row.number),
        document=row.document,
        digest=row.digest,
        created_at=row.created_at,
        author=row.author,
        message=row.message,
    )


class RevisionRepository:
    """``store.revisions``: append-only history of the declarative configuration."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self,
        document: JSONObject,
        digest: str,
        author: str,
        message: str,
        at: datetime,
        audit: AuditDraft | None = None,
    ) -> ConfigRevision:
        """Store a new revision numbered ``latest + 1``; ``audit`` is appended in the same
        transaction. Raises ``ValueError`` for a naive ``at``."""
        require_aware("at", at)
        async with self._db.write(change="config") as conn:
            bump = meta.c.name == REVISION_HEAD
            await conn.execute(update(meta).where(bump).values(value=meta.c.value + 1))
            latest = await conn.scalar(select(func.max(config_revisions.c.number)))
            revision = ConfigRevision(
                number=int(latest or 0) + 1,
                document=document,
                digest=digest,
                created_at=at.astimezone(UTC),
                author=author,
                message=message,
            )
            await conn.execute(
                insert(config_revisions).values(
                    number=revision.number,
                    document=document,
                    digest=digest,
                    author=author,
                    message=message,
                    created_at=revision.created_at,
                )
            )
            if audit is not None:
                await append_event(conn, audit, at)
        return revision

    async def latest(self) -> ConfigRevision | None:
        """The newest revision, or ``None`` before the first ``apply``."""
        query = select(config_revisions).order_by(config_revisions.c.number.desc()).limit(1)
        async with self._db.read() as conn:
            row = (await conn.execute(query)).one_or_none()
        return None if row is None else _revision(row)

    async def latest_number(self) -> int:
        """The newest revision's number, 0 when there is none (one index lookup)."""
        async with self._db.read() as conn:
            number = await conn.scalar(select(func.max(config_revisions.c.number)))
        return int(number or 0)

    async def get(self, number: int) -> ConfigRevision:
        """Revision ``number``; raises :class:`NotFound`."""
        query = select(config_revisions).where(config_revisions.c.number == number)
        async with self._db.read() as conn:
            row = (await conn.execute(query)).one_or_none()
        if row is None:
            raise NotFound(f"config revision {number} does not exist")
        return _revision(row)

    async def list(self, limit: int = 100) -> list[ConfigRevision]:
        """Up to ``limit`` revisions, newest first."""
        check_limit(limit)
        query = select(config_revisions).order_by(config_revisions.c.number.desc()).limit(limit)
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [_revision(row) for row in rows]
