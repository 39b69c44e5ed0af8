"""API keys: stored hashed, revoked but never deleted, with a version counter for caches.

Every add or revoke bumps the ``meta`` row ``keys_version`` in the same transaction, so a gateway
can poll :meth:`KeyRepository.version` (one primary-key read) and reload its key cache only when
it changed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from confiance.domain.keys import ApiKey, Role
from confiance.errors import Conflict, NotFound
from confiance.store.audit import AuditDraft, append_event
from confiance.store.checks import require_aware
from confiance.store.engine import Database
from confiance.store.tables import KEYS_VERSION, api_keys, meta

__all__ = ["KeyRepository"]


def _key(row: Row[Any]) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        secret_hash=row.secret_hash,
        role=Role(row.role),
        routes=tuple(row.routes),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


async def _bump_version(conn: AsyncConnection) -> None:
    await conn.execute(
        update(meta).where(meta.c.name == KEYS_VERSION).values(value=meta.c.value + 1)
    )


class KeyRepository:
    """``store.keys``: API keys (only their hashes) and their revocation."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, key: ApiKey, audit: AuditDraft | None = None) -> None:
        """Store ``key``; ``audit`` is appended (at ``key.created_at``) in the same transaction.

        Raises :class:`Conflict` when the id or prefix is taken, ``ValueError`` for naive times.
        """
        require_aware("created_at", key.created_at)
        for name, value in (("expires_at", key.expires_at), ("revoked_at", key.revoked_at)):
            if value is not None:
                require_aware(name, value)
        conflict = f"an API key with id {key.id!r} or prefix {key.prefix!r} already exists"
        async with self._db.write(conflict=conflict, change="keys") as conn:
            await conn.execute(
                insert(api_keys).values(
                    id=key.id,
                    name=key.name,
                    prefix=key.prefix,
                    secret_hash=key.secret_hash,
                    role=key.role.value,
                    routes=list(key.routes),
                    created_at=key.created_at,
                    expires_at=key.expires_at,
                    revoked_at=key.revoked_at,
                )
            )
            await _bump_version(conn)
            if audit is not None:
                await append_event(conn, audit, key.created_at)

    async def get(self, key_id: str) -> ApiKey:
        """The key with ``key_id``; raises :class:`NotFound`."""
        return await self._one(api_keys.c.id == key_id, f"API key {key_id!r} does not exist")

    async def by_prefix(self, prefix: str) -> ApiKey:
        """The key whose public prefix is ``prefix``; raises :class:`NotFound`."""
        message = f"no API key has prefix {prefix!r}"
        return await self._one(api_keys.c.prefix == prefix, message)

    async def _one(self, condition: Any, missing: str) -> ApiKey:
        async with self._db.read() as conn:
            row = (await conn.execute(select(api_keys).where(condition))).one_or_none()
        if row is None:
            raise NotFound(missing)
        return _key(row)

    async def list(self, include_revoked: bool = False) -> list[ApiKey]:
        """Keys in creation order; revoked ones only when ``include_revoked``."""
        query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)
        if not include_revoked:
            query = query.where(api_keys.c.revoked_at.is_(None))
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [_key(row) for row in rows]

    async def revoke(self, key_id: str, at: datetime, audit: AuditDraft | None = None) -> ApiKey:
        """Mark the key revoked at ``at`` and return it; ``audit`` joins the same transaction.

        Raises :class:`NotFound` for an unknown key, :class:`Conflict` when already revoked.
        """
        require_aware("at", at)
        async with self._db.write(change="keys") as conn:
            query = select(api_keys).where(api_keys.c.id == key_id).with_for_update()
            row = (await conn.execute(query)).one_or_none()
            if row is None:
                raise NotFound(f"API key {key_id!r} does not exist")
            if row.revoked_at is not None:
                raise Conflict(
                    f"API key {key_id!r} was already revoked at {row.revoked_at.isoformat()}"
                )
            revoked_at = at.astimezone(UTC)
            await conn.execute(
                update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=revoked_at)
            )
            await _bump_version(conn)
            if audit is not None:
                await append_event(conn, audit, at)
        return replace(_key(row), revoked_at=revoked_at)

    async def version(self) -> str:
        """An opaque token that changes whenever any key is added or revoked."""
        query = select(meta.c.value).where(meta.c.name == KEYS_VERSION)
        async with self._db.read() as conn:
            value = await conn.scalar(query)
        return str(value or 0)
