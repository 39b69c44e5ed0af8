"""verify() on in-memory chains: each kind of tampering, and the recorded chain head."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import replace

from confiance.audit import Tamper, verify
from confiance.domain.audit import GENESIS_HASH, AuditEvent, ChainHead, chain_hash
from contract.support import at


def chain(count: int) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    previous = GENESIS_HASH
    for seq in range(1, count + 1):
        data = {"n": seq}
        digest = chain_hash(previous, seq, at(seq), "svc", "act", f"s{seq}", data)
        events.append(AuditEvent(seq, at(seq), "svc", "act", f"s{seq}", data, previous, digest))
        previous = digest
    return events


async def stream(events: Iterable[AuditEvent]) -> AsyncIterator[AuditEvent]:
    for event in events:
        yield event


def heads(*values: ChainHead) -> Callable[[], Awaitable[ChainHead]]:
    remaining = list(values)

    async def read_head() -> ChainHead:
        return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return read_head


async def test_empty_log_is_ok() -> None:
    report = await verify(stream([]), read_head=heads(ChainHead(0, GENESIS_HASH)))
    assert report.ok
    assert (report.checked, report.last_seq, report.last_hash) == (0, 0, GENESIS_HASH)


async def test_intact_chain_is_ok_and_reports_its_end() -> None:
    events = chain(5)
    report = await verify(stream(events))
    assert report.ok
    assert (report.checked, report.last_seq, report.last_hash) == (5, 5, events[-1].hash)
    assert report.to_json()["reason"] is None


async def test_edited_subject() -> None:
    events = chain(5)
    events[2] = replace(events[2], subject="other")
    report = await verify(stream(events))
    assert (report.ok, report.first_bad_seq, report.reason) == (False, 3, Tamper.EDITED)
    assert report.to_json()["reason"] == "edited"


async def test_edited_timestamp_by_one_microsecond() -> None:
    events = chain(3)
    events[1] = replace(events[1], at=events[1].at.replace(microsecond=1))
    report = await verify(stream(events))
    assert (report.first_bad_seq, report.reason) == (2, Tamper.EDITED)


async def test_events_out_of_seq_order() -> None:
    events = chain(4)
    report = await verify(stream([events[0], events[1], events[3], events[2]]))
    assert report.reason is Tamper.DELETED  # 3 is missing where 4 appears
    report = await verify(stream([events[0], events[1], events[1], events[2]]))
    assert (report.first_bad_seq, report.reason) == (2, Tamper.REORDERED)


async def test_first_event_missing() -> None:
    report = await verify(stream(chain(4)[1:]))
    assert (report.first_bad_seq, report.reason) == (1, Tamper.DELETED)
    assert report.detail == "event 1 is missing before event 2"


async def test_several_missing_are_named_as_a_range() -> None:
    events = chain(8)
    report = await verify(stream(events[:2] + events[5:]))
    assert report.detail == "events 3-5 are missing before event 6"


async def test_truncated_tail_is_caught_by_the_recorded_head() -> None:
    events = chain(6)
    head = ChainHead(6, events[-1].hash)
    report = await verify(stream(events[:4]), read_head=heads(head, head))
    assert (report.first_bad_seq, report.reason) == (5, Tamper.DELETED)
    assert (await verify(stream(events[:4]))).ok  # without a head, truncation is invisible


async def test_events_beyond_the_head_were_inserted() -> None:
    events = chain(6)
    head = ChainHead(4, events[3].hash)
    report = await verify(stream(events), read_head=heads(head, head))
    assert (report.first_bad_seq, report.reason) == (5, Tamper.INSERTED)


async def test_last_event_rewritten_with_a_recomputed_hash() -> None:
    events = chain(3)
    last = replace(events[2], actor="mallory")
    last = replace(last, hash=last.recomputed_hash())
    head = ChainHead(3, events[2].hash)
    report = await verify(stream([*events[:2], last]), read_head=heads(head, head))
    assert (report.first_bad_seq, report.reason) == (3, Tamper.EDITED)


async def test_appends_during_verification_are_not_tampering() -> None:
    events = chain(7)
    before = ChainHead(5, events[4].hash)
    after = ChainHead(7, events[6].hash)
    read_head = heads(before, after)
    report = await verify(stream(events[:6]), read_head=read_head)
    assert report.ok
    assert report.last_seq == 6


async def test_chain_not_starting_at_genesis_is_forged() -> None:
    events = chain(2)
    first = replace(events[0], prev_hash="1" * 64)
    first = replace(first, hash=first.recomputed_hash())
    report = await verify(stream([first]))
    assert (report.first_bad_seq, report.reason) == (1, Tamper.INSERTED)
