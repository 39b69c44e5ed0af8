"""The audit log table: appends that extend the hash chain, and ordered reads.

Appending reads the chain head (``audit_head``, locked with ``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite write transactions already hold the database's write lock), writes the event
with the next ``seq`` and its :func:`~confiance.domain.audit.chain_hash`, and moves the head, all
in one transaction. Other repositories call :func:`append_event` inside their own transaction, so
a change and its audit event are committed together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from confiance.domain.audit import AuditEvent, ChainHead, canonical_json, chain_hash
from confiance.domain.types import JSONObject
from confiance.errors import IntegrityError
from confiance.store.checks import check_limit, require_aware
from confiance.store.engine import Database
from confiance.store.tables import AUDIT_HEAD_ROW, audit_events, audit_head

__all__ = ["AuditDraft", "AuditRepository", "append_event"]

PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class AuditDraft:
    """What a caller wants recorded; the store adds ``seq``, time and hashes."""

    actor: str
    action: str
    subject: str
    data: JSONObject


def _plain_json(data: JSONObject) -> JSONObject:
    """``data`` as it will read back from the database, so the hash recomputes identically."""
    if not isinstance(data, dict):
        raise ValueError(f"audit data must be a JSON object, got {type(data).__name__}")
    plain: JSONObject = json.loads(canonical_json(data))
    return plain


async def append_event(conn: AsyncConnection, draft: AuditDraft, at: datetime) -> AuditEvent:
    """Append ``draft`` at ``at`` within the caller's write transaction on ``conn``.

    Raises ``ValueError`` for a naive ``at`` or non-JSON ``data``, and :class:`IntegrityError`
    when the chain head row is gone (the log was tampered with).
    """
    require_aware("at", at)
    data = _plain_json(draft.data)
    query = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == AUDIT_HEAD_ROW)
    head = (await conn.execute(query.with_for_update())).one_or_none()
    if head is None:
        raise IntegrityError(
            "the audit chain head is missing: the audit tables were altered; "
            "run `confiance audit verify`"
        )
    seq = int(head.seq) + 1
    event = AuditEvent(
        seq=seq,
        at=at.astimezone(UTC),
        actor=draft.actor,
        action=draft.action,
        subject=draft.subject,
        data=data,
        prev_hash=str(head.hash),
        hash=chain_hash(str(head.hash), seq, at, draft.actor, draft.action, draft.subject, data),
    )
    await conn.execute(insert(audit_events).values(**_row(event)))
    await conn.execute(
        update(audit_head)
        .where(audit_head.c.id == AUDIT_HEAD_ROW)
        .values(seq=event.seq, hash=event.hash)
    )
    return event


def _row(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "action": event.action,
        "subject": event.subject,
        "data": event.data,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def _event(row: Row[Any]) -> AuditEvent:
    return AuditEvent(
        seq=int(row.seq),
        at=row.at,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        data=row.data,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class AuditRepository:
    """``store.audit``: the append-only, hash-chained event log."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def append(self, draft: AuditDraft, at: datetime) -> AuditEvent:
        """Append one event in its own transaction; safe with concurrent appenders."""
        async with self._db.write() as conn:
            return await append_event(conn, draft, at)

    async def head(self) -> ChainHead:
        """The recorded end of the chain (``seq`` 0 and the genesis hash when empty)."""
        query = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == AUDIT_HEAD_ROW)
        async with self._db.read() as conn:
            row = (await conn.execute(query)).one_or_none()
        if row is None:
            raise IntegrityError("the audit chain head is missing: the audit tables were altered")
        return ChainHead(seq=int(row.seq), hash=str(row.hash))

    async def list(
        self,
        *,
        limit: int = 100,
        after_seq: int = 0,
        action: str | None = None,
        subject: str | None = None,
        newest: bool = False,
    ) -> list[AuditEvent]:
        """Events with ``seq > after_seq`` matching the filters, in ascending ``seq``.

        ``newest=True`` returns the last ``limit`` matching events instead of the first ones
        (still ascending). Raises :class:`~confiance.errors.UsageError` for a bad ``limit``.
        """
        check_limit(limit)
        query = self._filtered(after_seq, action, subject)
        order = audit_events.c.seq.desc() if newest else audit_events.c.seq.asc()
        async with self._db.read() as conn:
            rows = (await conn.execute(query.order_by(order).limit(limit))).all()
        events = [_event(row) for row in rows]
        return events[::-1] if newest else events

    async def iterate(self, *, page_size: int = PAGE_SIZE) -> AsyncIterator[AuditEvent]:
        """Every event in ascending ``seq``, read ``page_size`` at a time."""
        after = 0
        while True:
            page = await self.list(limit=page_size, after_seq=after)
            for event in page:
                yield event
            if len(page) < page_size:
                return
            after = page[-1].seq

    @staticmethod
    def _filtered(after_seq: int, action: str | None, subject: str | None) -> Select[Any]:
        query = select(audit_events).where(audit_events.c.seq > after_seq)
        if action is not None:
            query = query.where(audit_events.c.action == action)
        if subject is not None:
            query = query.where(audit_events.c.subject == subject)
        return query
