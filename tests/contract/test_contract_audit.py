"""store.audit on both backends: appends extend a valid chain, even from concurrent tasks."""

from __future__ import annotations

import asyncio

import pytest

from confiance.domain.audit import GENESIS_HASH, AuditEvent, ChainHead
from confiance.errors import UsageError
from confiance.store import AuditDraft, Store

from .support import at


def assert_valid_chain(events: list[AuditEvent]) -> None:
    previous = GENESIS_HASH
    for expected_seq, event in enumerate(events, start=1):
        assert event.seq == expected_seq
        assert event.prev_hash == previous
        assert event.recomputed_hash() == event.hash
        previous = event.hash


async def test_appends_form_a_chain_that_reads_back_identically(store: Store) -> None:
    assert await store.audit.head() == ChainHead(0, GENESIS_HASH)
    written = [
        await store.audit.append(
            AuditDraft(f"user{i}", "config.apply", f"revision:{i}", {"i": i, "f": 0.1 * i}), at(i)
        )
        for i in range(1, 6)
    ]
    read = await store.audit.list()
    assert read == written
    assert_valid_chain(read)
    assert await store.audit.head() == ChainHead(5, written[-1].hash)


async def test_data_is_normalised_to_plain_json(store: Store) -> None:
    event = await store.audit.append(
        AuditDraft("a", "x", "s", {"t": (1, 2), "nested": {"é": "✓", "z": None}}), at(0)
    )
    assert event.data == {"t": [1, 2], "nested": {"é": "✓", "z": None}}
    assert (await store.audit.list()) == [event]


async def test_bad_data_or_time_is_refused_and_nothing_is_written(store: Store) -> None:
    with pytest.raises(ValueError, match="JSON"):
        await store.audit.append(AuditDraft("a", "x", "s", {"n": float("inf")}), at(0))
    with pytest.raises(ValueError, match="time zone"):
        await store.audit.append(AuditDraft("a", "x", "s", {}), at(0).replace(tzinfo=None))
    assert await store.audit.list() == []
    assert (await store.audit.head()).seq == 0


async def test_list_filters_and_pages(store: Store) -> None:
    for i in range(1, 13):
        action = "key.create" if i % 3 == 0 else "config.apply"
        await store.audit.append(AuditDraft("a", action, f"s{i % 2}", {"i": i}), at(i))
    assert [e.seq for e in await store.audit.list(limit=4)] == [1, 2, 3, 4]
    assert [e.seq for e in await store.audit.list(limit=4, after_seq=10)] == [11, 12]
    assert [e.seq for e in await store.audit.list(action="key.create")] == [3, 6, 9, 12]
    assert [e.seq for e in await store.audit.list(subject="s1", after_seq=5)] == [7, 9, 11]
    both = await store.audit.list(action="key.create", subject="s0")
    assert [e.seq for e in both] == [6, 12]
    newest = await store.audit.list(limit=3, newest=True)
    assert [e.seq for e in newest] == [10, 11, 12]
    with pytest.raises(UsageError, match="limit"):
        await store.audit.list(limit=-1)


async def test_iterate_streams_everything_in_pages(store: Store) -> None:
    for i in range(1, 11):
        await store.audit.append(AuditDraft("a", "x", "s", {"i": i}), at(i))
    seqs = [event.seq async for event in store.audit.iterate(page_size=3)]
    assert seqs == list(range(1, 11))
    exact = [event.seq async for event in store.audit.iterate(page_size=5)]
    assert exact == list(range(1, 11))


async def test_concurrent_appenders_keep_a_valid_chain(store: Store) -> None:
    async def append(i: int) -> AuditEvent:
        return await store.audit.append(AuditDraft(f"task{i}", "x", "s", {"i": i}), at(i))

    written = await asyncio.gather(*(append(i) for i in range(40)))
    assert sorted(e.seq for e in written) == list(range(1, 41))
    events = [event async for event in store.audit.iterate()]
    assert_valid_chain(events)
    assert sorted(e.data["i"] for e in events) == list(range(40))


async def test_concurrent_audited_changes_share_one_chain(store: Store) -> None:
    async def revision(i: int) -> None:
        draft = AuditDraft("apply", "config.apply", f"revision:{i}", {"i": i})
        await store.revisions.add({"i": i}, "d", "apply", "m", at(i), audit=draft)

    async def plain(i: int) -> None:
        await store.audit.append(AuditDraft("svc", "review.decide", f"item:{i}", {}), at(i))

    await asyncio.gather(*(revision(i) for i in range(10)), *(plain(i) for i in range(10)))
    events = [event async for event in store.audit.iterate()]
    assert len(events) == 20
    assert_valid_chain(events)


async def test_appenders_on_separate_stores_share_one_chain(store: Store, store_url: str) -> None:
    async with await Store.open(store_url) as other:

        async def append(target: Store, i: int) -> None:
            await target.audit.append(AuditDraft("host", "x", f"s{i}", {"i": i}), at(i))

        await asyncio.gather(*(append(store if i % 2 else other, i) for i in range(30)))
    events = [event async for event in store.audit.iterate()]
    assert len(events) == 30
    assert_valid_chain(events)
