"""The audit log service: record events, verify the chain, show events.

Services that change things call :meth:`AuditLog.record`; changes that must be audited together
with their own write (config revisions, keys) pass an ``AuditDraft`` to the store instead, which
appends it in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from confiance.audit.verify import VerifyReport, verify
from confiance.domain.audit import AuditEvent
from confiance.domain.types import JSONObject
from confiance.store import AuditDraft, Store

__all__ = ["AuditLog"]


class AuditLog:
    """The audit trail over ``store``; ``clock`` returns the current aware UTC time."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    async def record(
        self, actor: str, action: str, subject: str, data: JSONObject | None = None
    ) -> AuditEvent:
        """Append one event, durably, before returning it.

        Raises ``ValueError`` when ``data`` is not plain JSON or the clock gives a naive time.
        """
        draft = AuditDraft(actor=actor, action=action, subject=subject, data=data or {})
        return await self._store.audit.append(draft, self._clock())

    async def verify(self) -> VerifyReport:
        """Check the whole stored chain, streaming it page by page."""
        return await verify(self._store.audit.iterate(), read_head=self._store.audit.head)

    async def show(
        self,
        *,
        limit: int = 50,
        action: str | None = None,
        subject: str | None = None,
        after_seq: int | None = None,
    ) -> list[AuditEvent]:
        """Matching events in ascending ``seq``: the latest ``limit`` of them, or the first
        ``limit`` after ``after_seq`` when it is given (to page forward)."""
        if after_seq is None:
            return await self._store.audit.list(
                limit=limit, action=action, subject=subject, newest=True
            )
        return await self._store.audit.list(
            limit=limit, after_seq=after_seq, action=action, subject=subject
        )
