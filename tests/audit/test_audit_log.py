"""The AuditLog service over a real store."""

from __future__ import annotations

from datetime import datetime

import pytest

from confiance.audit import AuditLog
from confiance.store import Store
from contract.support import at


async def test_record_stamps_events_with_the_clock(audit_log: AuditLog) -> None:
    first = await audit_log.record("alice", "config.apply", "revision:1", {"n": 1})
    second = await audit_log.record("bob", "key.revoke", "key:k1")
    assert (first.seq, first.at, second.seq, second.at) == (1, at(1), 2, at(2))
    assert second.data == {}
    assert second.prev_hash == first.hash


async def test_show_latest_or_page_forward(audit_log: AuditLog) -> None:
    for i in range(1, 8):
        action = "key.create" if i % 2 else "config.apply"
        await audit_log.record("alice", action, f"subject:{i % 3}", {"i": i})
    assert [e.seq for e in await audit_log.show(limit=3)] == [5, 6, 7]
    assert [e.seq for e in await audit_log.show(limit=3, after_seq=0)] == [1, 2, 3]
    assert [e.seq for e in await audit_log.show(action="config.apply")] == [2, 4, 6]
    assert [e.seq for e in await audit_log.show(subject="subject:1", limit=1)] == [7]


async def test_naive_clock_is_refused(store: Store) -> None:
    log = AuditLog(store, lambda: datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="time zone"):
        await log.record("a", "b", "c")
    assert (await log.verify()).checked == 0
