"""store.traces on both backends."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone

import pytest

from confiance.domain.trace import Attempt, Trace, TraceStatus
from confiance.errors import NotFound, UsageError
from confiance.store import Store

from .support import at


def make_trace(n: int, *, seconds: float | None = None, **changes: object) -> Trace:
    trace = Trace(
        id=f"tr_{n:06d}",
        started_at=at(n if seconds is None else seconds),
        endpoint="/v1/chat/completions",
        route="support-bot" if n % 2 else "summariser",
        key_id=f"key_{n % 3}",
    )
    return replace(trace, **changes)  # type: ignore[arg-type]


def full_trace() -> Trace:
    return Trace(
        id="tr_full",
        started_at=at(7).astimezone(timezone(timedelta(hours=-5))),
        endpoint="/v1/messages",
        route="support-bot",
        key_id="key_1",
        revision=12,
        provider="anthropic-main",
        model_requested="support-bot",
        model_answered="claude-3-5-haiku-20241022",
        stream=True,
        status=TraceStatus.ERROR,
        http_status=502,
        error_class="upstream_http",
        error="upstream answered 503 twice",
        prompt_tokens=1234,
        completion_tokens=56,
        cost_usd=0.000123456789,
        latency_ms=812.5,
        ttft_ms=None,
        fallback_used=True,
        attempts=[
            Attempt("openai-main", "gpt-4o-mini", 0.0, 400.25, 503, "upstream_http", "busy"),
            Attempt("anthropic-main", "claude-3-5-haiku", 401.0, 411.5, None, "upstream_timeout"),
        ],
        request_body={"messages": [{"role": "user", "content": "héllo ✓"}], "n": 1, "t": 0.7},
        response_body=None,
        metadata={"experiment": {"variant": "b"}, "tags": ["x", "y"], "null": None},
    )


async def test_trace_round_trips_losslessly(store: Store) -> None:
    trace = full_trace()
    await store.traces.add_many([trace])
    got = await store.traces.get("tr_full")
    assert got == replace(trace, started_at=at(7))
    assert got.started_at.utcoffset() == timedelta(0)
    assert isinstance(got.status, TraceStatus)
    assert all(isinstance(a, Attempt) for a in got.attempts)


async def test_unknown_trace_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="tr_nope"):
        await store.traces.get("tr_nope")


async def test_empty_batch_is_a_no_op(store: Store) -> None:
    await store.traces.add_many([])
    assert await store.traces.query() == []


async def test_two_thousand_traces_in_one_batch(store: Store) -> None:
    batch = [make_trace(n) for n in range(2000)]
    await store.traces.add_many(batch)
    seen: list[str] = []
    before: str | None = None
    while True:
        page = await store.traces.query(limit=700, before=before)
        if not page:
            break
        seen.extend(t.id for t in page)
        before = page[-1].id
    assert seen == [t.id for t in reversed(batch)]
    assert await store.traces.get("tr_001999") == batch[-1]


async def test_writing_a_stored_trace_again_keeps_the_stored_one_and_adds_the_rest(
    store: Store,
) -> None:
    # The spool is replayed after a crash and a batch is retried when its commit was not
    # acknowledged: each trace must end up stored once, as first written.
    first = make_trace(1)
    await store.traces.add_many([first])
    again = replace(make_trace(1), route="rewritten")
    await store.traces.add_many([make_trace(2), again, make_trace(3)])
    assert [t.id for t in await store.traces.query()] == ["tr_000003", "tr_000002", "tr_000001"]
    assert (await store.traces.get("tr_000001")).route == first.route


async def test_a_body_the_json_column_cannot_encode_is_a_value_error(store: Store) -> None:
    deep: object = "x"
    for _ in range(300):
        deep = {"a": deep}
    with pytest.raises(ValueError, match="Recursion limit"):
        await store.traces.add_many([make_trace(1), replace(make_trace(2), request_body=deep)])
    assert await store.traces.query() == []


async def test_query_filters_by_route_status_and_time(store: Store) -> None:
    batch = [
        make_trace(n, status=TraceStatus.ERROR if n % 5 == 0 else TraceStatus.OK)
        for n in range(1, 31)
    ]
    await store.traces.add_many(batch)

    def ids(traces: list[Trace]) -> list[int]:
        return [int(t.id[3:]) for t in traces]

    assert ids(await store.traces.query(route="support-bot", limit=3)) == [29, 27, 25]
    assert ids(await store.traces.query(status=TraceStatus.ERROR)) == [30, 25, 20, 15, 10, 5]
    window = await store.traces.query(since=at(10), until=at(14))
    assert ids(window) == [13, 12, 11, 10]
    both = await store.traces.query(route="summariser", status=TraceStatus.ERROR, until=at(20))
    assert ids(both) == [10]
    assert await store.traces.query(route="nobody") == []


async def test_paging_is_stable_when_timestamps_tie(store: Store) -> None:
    batch = [make_trace(n, seconds=n // 4) for n in range(20)]
    await store.traces.add_many(batch)
    pages: list[list[str]] = []
    before: str | None = None
    for _ in range(10):
        page = await store.traces.query(limit=3, before=before)
        if not page:
            break
        pages.append([t.id for t in page])
        before = page[-1].id
    flat = [trace_id for page in pages for trace_id in page]
    assert flat == sorted((t.id for t in batch), reverse=True)
    assert len(pages) == 7


async def test_paging_combines_with_filters(store: Store) -> None:
    await store.traces.add_many([make_trace(n) for n in range(1, 21)])
    first = await store.traces.query(route="support-bot", limit=4)
    second = await store.traces.query(route="support-bot", limit=4, before=first[-1].id)
    assert [t.id for t in first + second] == [f"tr_{n:06d}" for n in (19, 17, 15, 13, 11, 9, 7, 5)]


async def test_bad_query_arguments(store: Store) -> None:
    with pytest.raises(UsageError, match="limit"):
        await store.traces.query(limit=0)
    with pytest.raises(UsageError, match="limit"):
        await store.traces.query(limit=10_001)
    with pytest.raises(NotFound, match="cursor"):
        await store.traces.query(before="tr_missing")
    with pytest.raises(ValueError, match="since"):
        await store.traces.query(since=at(0).replace(tzinfo=None))
    with pytest.raises(ValueError, match="started_at"):
        await store.traces.add_many([make_trace(1, started_at=at(0).replace(tzinfo=None))])
