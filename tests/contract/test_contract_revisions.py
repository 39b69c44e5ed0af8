"""store.revisions on both backends."""

from __future__ import annotations

import asyncio

import pytest

from confiance.domain.audit import chain_hash
from confiance.errors import NotFound, UsageError
from confiance.store import AuditDraft, Store

from .support import at, db_time, run_sql


async def test_first_revision_is_number_one_and_reads_back(store: Store) -> None:
    assert await store.revisions.latest() is None
    assert await store.revisions.latest_number() == 0
    document = {"routes": {"bot": {"primary": "openai/gpt", "fallbacks": ["a", "b"]}}, "n": 1.25}
    added = await store.revisions.add(document, "sha256:abc", "alice", "first", at(0))
    assert added.number == 1
    assert await store.revisions.get(1) == added
    assert await store.revisions.latest() == added
    assert await store.revisions.latest_number() == 1
    assert added.created_at == at(0)


async def test_numbers_increase_and_list_is_newest_first(store: Store) -> None:
    for i in range(5):
        await store.revisions.add({"i": i}, f"d{i}", "bob", f"m{i}", at(i))
    listed = await store.revisions.list(limit=3)
    assert [r.number for r in listed] == [5, 4, 3]
    assert [r.document for r in listed] == [{"i": 4}, {"i": 3}, {"i": 2}]
    assert (await store.revisions.latest()).number == 5  # type: ignore[union-attr]


async def test_get_unknown_number_is_not_found(store: Store) -> None:
    await store.revisions.add({}, "d", "a", "m", at(0))
    with pytest.raises(NotFound, match="revision 7"):
        await store.revisions.get(7)


async def test_list_rejects_bad_limit(store: Store) -> None:
    with pytest.raises(UsageError, match="limit"):
        await store.revisions.list(limit=0)


async def test_concurrent_adds_get_distinct_consecutive_numbers(store: Store) -> None:
    async def add(i: int) -> int:
        revision = await store.revisions.add({"i": i}, f"d{i}", "ci", "m", at(i))
        return revision.number

    numbers = await asyncio.gather(*(add(i) for i in range(20)))
    assert sorted(numbers) == list(range(1, 21))
    assert await store.revisions.latest_number() == 20
    stored = {r.number: r.document["i"] for r in await store.revisions.list(limit=100)}
    assert {stored[n] for n in numbers} == set(range(20))


async def test_audit_event_is_written_with_the_revision(store: Store) -> None:
    draft = AuditDraft("alice", "config.apply", "revision:1", {"digest": "d", "routes": 2})
    await store.revisions.add({"a": 1}, "d", "alice", "m", at(3), audit=draft)
    [event] = await store.audit.list()
    assert (event.seq, event.actor, event.action, event.subject) == (
        1,
        "alice",
        "config.apply",
        "revision:1",
    )
    assert event.data == {"digest": "d", "routes": 2}
    assert event.at == at(3)
    expected = chain_hash(
        event.prev_hash, 1, at(3), "alice", "config.apply", "revision:1", event.data
    )
    assert event.hash == expected


async def test_failed_audit_rolls_back_the_revision(store: Store) -> None:
    bad = AuditDraft("alice", "config.apply", "r", {"value": float("nan")})
    with pytest.raises(ValueError, match="JSON"):
        await store.revisions.add({"a": 1}, "d", "alice", "m", at(0), audit=bad)
    assert await store.revisions.latest_number() == 0
    assert await store.audit.list() == []


async def test_naive_timestamp_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="time zone"):
        await store.revisions.add({}, "d", "a", "m", at(0).replace(tzinfo=None))


async def test_number_is_previous_max_plus_one(store: Store) -> None:
    await store.revisions.add({}, "d", "a", "m", at(0))
    await run_sql(
        store,
        "INSERT INTO config_revisions (number, document, digest, author, message, created_at) "
        "VALUES (41, '{}', 'x', 'import', 'restored', :at)",
        at=db_time(store, at(1)),
    )
    added = await store.revisions.add({}, "d", "a", "m", at(2))
    assert added.number == 42
