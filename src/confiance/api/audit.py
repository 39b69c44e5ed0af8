"""``/audit``: the hash-chained audit trail, and the check that it is intact."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from confiance.api.deps import State
from confiance.api.errors import error_responses
from confiance.audit import Tamper, VerifyReport
from confiance.domain.audit import AuditEvent

__all__ = ["router"]

router = APIRouter(prefix="/audit", tags=["audit"], responses=error_responses(401, 403))

MAX_PAGE = 1000


class AuditEventOut(BaseModel):
    seq: int = Field(description="Position in the chain, from 1.", examples=[42])
    at: datetime
    actor: str = Field(examples=["api:key_0f3a9c2e1b7d4a60 (ops-admin)"])
    action: str = Field(examples=["config.apply"])
    subject: str = Field(examples=["config"])
    data: dict[str, Any]
    prev_hash: str = Field(description="The previous event's hash (64 zeros for the first).")
    hash: str = Field(description="SHA-256 over this event's fields and prev_hash.")

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            seq=event.seq,
            at=event.at,
            actor=event.actor,
            action=event.action,
            subject=event.subject,
            data=event.data,
            prev_hash=event.prev_hash,
            hash=event.hash,
        )


class AuditPage(BaseModel):
    events: list[AuditEventOut] = Field(description="In chain order (ascending seq).")
    next_after_seq: int | None = Field(
        description="Pass as `after_seq` to get the next page; null on the last page (and "
        "when `after_seq` was not given: the page then holds the latest events)."
    )


class VerifyOut(BaseModel):
    """The whole chain checked: ``ok``, or the first bad event and how it was tampered with."""

    ok: bool
    checked: int = Field(description="Events read.")
    last_seq: int = Field(description="The last event of the intact prefix of the chain.")
    last_hash: str
    first_bad_seq: int | None = Field(examples=[17])
    reason: Tamper | None = Field(description="edited, deleted, inserted or reordered.")
    detail: str = Field(examples=["event 17 was edited: its fields no longer match its hash"])

    @classmethod
    def of(cls, report: VerifyReport) -> VerifyOut:
        return cls(
            ok=report.ok,
            checked=report.checked,
            last_seq=report.last_seq,
            last_hash=report.last_hash,
            first_bad_seq=report.first_bad_seq,
            reason=report.reason,
            detail=report.detail,
        )


@router.get("", summary="List audit events", responses=error_responses(422))
async def list_events(
    state: State,
    after_seq: Annotated[
        int | None,
        Query(ge=0, description="Only events after this seq; omitted: the latest events."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = 100,
    action: Annotated[str | None, Query(description="Only this action (key.create…).")] = None,
    subject: Annotated[str | None, Query(description="Only this subject (route:NAME…).")] = None,
) -> AuditPage:
    """Events in chain order: the first ``limit`` after ``after_seq`` (start at 0 to walk the
    whole log), or without ``after_seq`` the latest ``limit`` events."""
    events = await state.services.audit.show(
        limit=limit + 1, after_seq=after_seq, action=action, subject=subject
    )
    if after_seq is None:
        # The latest events: the extra one read is the oldest, and there is no later page.
        return AuditPage(events=[AuditEventOut.of(e) for e in events[-limit:]], next_after_seq=None)
    page = events[:limit]
    more = len(events) > limit
    return AuditPage(
        events=[AuditEventOut.of(event) for event in page],
        next_after_seq=page[-1].seq if more else None,
    )


@router.get("/verify", summary="Verify the audit chain")
async def verify_chain(state: State) -> VerifyOut:
    """Recompute the whole hash chain. Answers 200 either way: ``ok`` true, or the first bad
    event, the kind of tampering and a sentence saying what was found."""
    return VerifyOut.of(await state.services.audit.verify())
