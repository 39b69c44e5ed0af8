"""Verifying the audit chain, and saying precisely how it was tampered with.

Every event must have ``seq`` one more than its predecessor, ``prev_hash`` equal to the
predecessor's ``hash``, and a ``hash`` that :func:`~confiance.domain.audit.chain_hash` recomputes
from its own fields. The first event breaking a rule is classified by evidence, not guesswork:
because the hash covers ``seq``, an event whose stored hash recomputes under a *different* seq
proves where it was originally written, which separates moved events from edited ones.

| reason | evidence |
|---|---|
| ``edited`` | an event's fields no longer give its hash; or an event rewritten with a recomputed hash, so its successor no longer links to it |
| ``deleted`` | a gap in ``seq``; events renumbered down after a deletion; or the log ends before the recorded chain head |
| ``inserted`` | an event written at an earlier position now sits later (something was put before it); an event that links to nothing; events beyond the recorded head |
| ``reordered`` | an event written later now sits earlier while an earlier-written one follows it |
"""  # noqa: E501

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from confiance.domain.audit import GENESIS_HASH, AuditEvent, ChainHead
from confiance.domain.types import JSONObject

__all__ = ["Tamper", "VerifyReport", "verify"]

SEARCH_WINDOW = 256
"""How far (in seq) to look for the position a moved event was written at."""
LOOKAHEAD = 64
"""How many events after the first bad one are read to tell a reorder from a deletion."""


class Tamper(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome: ``ok``, or the first bad ``seq``, the kind of tampering and a sentence."""

    ok: bool
    checked: int
    last_seq: int
    last_hash: str
    first_bad_seq: int | None = None
    reason: Tamper | None = None
    detail: str = ""

    def to_json(self) -> JSONObject:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash,
            "first_bad_seq": self.first_bad_seq,
            "reason": None if self.reason is None else self.reason.value,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class _Finding:
    seq: int
    reason: Tamper
    detail: str


async def verify(
    events: AsyncIterable[AuditEvent],
    *,
    read_head: Callable[[], Awaitable[ChainHead]] | None = None,
) -> VerifyReport:
    """Check ``events`` (ascending ``seq``, as stored) and report the first tampering found.

    ``read_head`` reads the chain head the store recorded apart from the events; it is read
    before and after the events, so deleting events off the end or adding events behind the
    store's back is caught, while events appended during verification are not mistaken for
    either.
    """
    before = await read_head() if read_head is not None else None
    iterator = aiter(events)
    last_seq, last_hash, checked = 0, GENESIS_HASH, 0
    async for event in iterator:
        checked += 1
        if _links(event, last_seq, last_hash):
            last_seq, last_hash = event.seq, event.hash
            continue
        following = await _take(iterator, LOOKAHEAD)
        current = await read_head() if read_head is not None else None
        finding = _classify(event, last_seq, last_hash, following, current)
        return _failed(checked + len(following), last_seq, last_hash, finding)
    if before is not None and read_head is not None:
        at_end = _check_head(last_seq, last_hash, before, await read_head())
        if at_end is not None:
            return _failed(checked, last_seq, last_hash, at_end)
    return VerifyReport(ok=True, checked=checked, last_seq=last_seq, last_hash=last_hash)


def _failed(checked: int, last_seq: int, last_hash: str, finding: _Finding) -> VerifyReport:
    return VerifyReport(
        ok=False,
        checked=checked,
        last_seq=last_seq,
        last_hash=last_hash,
        first_bad_seq=finding.seq,
        reason=finding.reason,
        detail=finding.detail,
    )


def _links(event: AuditEvent, last_seq: int, last_hash: str) -> bool:
    return (
        event.seq == last_seq + 1
        and event.prev_hash == last_hash
        and event.recomputed_hash() == event.hash
    )


async def _take(iterator: AsyncIterator[AuditEvent], count: int) -> list[AuditEvent]:
    taken: list[AuditEvent] = []
    while len(taken) < count:
        try:
            taken.append(await anext(iterator))
        except StopAsyncIteration:
            break
    return taken


def _written_seq(event: AuditEvent) -> int | None:
    """The seq the event's hash was computed for, searched outward from its stored seq."""
    if event.recomputed_hash() == event.hash:
        return event.seq
    for distance in range(1, SEARCH_WINDOW + 1):
        for candidate in (event.seq - distance, event.seq + distance):
            if candidate >= 1 and event.recomputed_hash(candidate) == event.hash:
                return candidate
    return None


def _classify(
    event: AuditEvent,
    last_seq: int,
    last_hash: str,
    following: list[AuditEvent],
    head: ChainHead | None,
) -> _Finding:
    """Why ``event`` (the first that does not link) is bad; ``last_*`` is the verified prefix."""
    expected = last_seq + 1
    if event.seq < expected:
        return _Finding(
            event.seq, Tamper.REORDERED, f"event {event.seq} comes after event {last_seq}"
        )
    if head is not None and event.seq > head.seq:
        return _Finding(
            event.seq,
            Tamper.INSERTED,
            f"event {event.seq} lies beyond the chain head the store recorded (event "
            f"{head.seq}): it was added directly to the database",
        )
    written = _written_seq(event)
    if written is None:
        return _unplaceable(event, expected, last_hash, following)
    if written == event.seq:
        return _misplaced_intact(event, expected)
    if written < event.seq:
        return _moved_later(event, written, expected)
    return _moved_earlier(event, written, following)


def _missing(expected: int, seq: int) -> _Finding:
    span = f"event {expected} is" if seq == expected + 1 else f"events {expected}-{seq - 1} are"
    return _Finding(expected, Tamper.DELETED, f"{span} missing before event {seq}")


def _unplaceable(
    event: AuditEvent, expected: int, last_hash: str, following: list[AuditEvent]
) -> _Finding:
    if event.seq > expected:
        return _missing(expected, event.seq)
    if following and _written_seq(following[0]) == event.seq:
        return _Finding(
            event.seq,
            Tamper.INSERTED,
            f"event {event.seq} was inserted: the event after it was written as event "
            f"{event.seq} and renumbered {following[0].seq}",
        )
    if event.prev_hash == last_hash:
        return _Finding(
            event.seq,
            Tamper.EDITED,
            f"event {event.seq} was edited: its fields no longer match its hash",
        )
    return _Finding(
        event.seq,
        Tamper.INSERTED,
        f"event {event.seq} does not belong to the chain: it links to no earlier event and its "
        "hash is not its own (a forged row)",
    )


def _misplaced_intact(event: AuditEvent, expected: int) -> _Finding:
    if event.seq > expected:
        return _missing(expected, event.seq)
    if expected == 1:
        return _Finding(
            1, Tamper.INSERTED, "event 1 does not start from the genesis hash (a forged row)"
        )
    return _Finding(
        expected - 1,
        Tamper.EDITED,
        f"event {expected - 1} was rewritten with a recomputed hash: event {event.seq} no "
        "longer links to it",
    )


def _moved_later(event: AuditEvent, written: int, expected: int) -> _Finding:
    if written < expected:
        return _Finding(
            written,
            Tamper.INSERTED,
            f"event {event.seq} was written as event {written}: events {written}-{event.seq - 1}"
            " were inserted before it",
        )
    return _Finding(
        event.seq,
        Tamper.REORDERED,
        f"event {event.seq} was written as event {written} and renumbered",
    )


def _moved_earlier(event: AuditEvent, written: int, following: list[AuditEvent]) -> _Finding:
    for later in following:
        origin = _written_seq(later)
        if origin is not None and origin < written:
            return _Finding(
                event.seq,
                Tamper.REORDERED,
                f"event {event.seq} was written as event {written}, and event {later.seq} as "
                f"event {origin}: events were swapped or reordered",
            )
    return _Finding(
        event.seq,
        Tamper.DELETED,
        f"event {event.seq} was written as event {written}: events {event.seq}-{written - 1} "
        "were deleted and the later ones renumbered",
    )


def _check_head(
    last_seq: int, last_hash: str, before: ChainHead, after: ChainHead
) -> _Finding | None:
    """Compare the end of a linked chain with the heads recorded before and after reading it."""
    if last_seq < before.seq:
        return _Finding(
            last_seq + 1,
            Tamper.DELETED,
            f"the log ends at event {last_seq} but the store recorded {before.seq} events: the "
            "last events were deleted",
        )
    if last_seq > after.seq:
        return _Finding(
            after.seq + 1,
            Tamper.INSERTED,
            f"events after {after.seq} were added directly to the database, not through Confiance",
        )
    for head in (before, after):
        if last_seq == head.seq and last_hash != head.hash:
            return _Finding(
                last_seq,
                Tamper.EDITED,
                f"event {last_seq} does not match the chain head the store recorded: it was "
                "rewritten with a recomputed hash",
            )
    return None
