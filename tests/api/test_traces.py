"""Traces through the management API: filters, cursor paging, one trace in full.

This module also runs on PostgreSQL: paging and time filters depend on the backend's ordering
and timestamp handling.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from confiance.domain.trace import TraceStatus
from confiance.store.testing import postgres_schema

from .conftest import T0, Api
from .support import trace


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'api.db'}"
        return
    async with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture
async def stored(api: Api) -> None:
    """Ten traces one minute apart: odd ones used a fallback; 3 and 7 failed; 8-9 on 'other';
    and two more at the same instant as trace 5 (ties are ordered by id)."""
    traces = [
        trace(n, status=TraceStatus.ERROR if n in (3, 7) else TraceStatus.OK) for n in range(8)
    ]
    traces += [trace(n, route="other") for n in (8, 9)]
    traces += [trace(n, at=T0 + timedelta(minutes=5)) for n in (50, 51)]
    await api.services.store.traces.add_many(traces)


async def _ids(admin: httpx.AsyncClient, **params: object) -> list[str]:
    response = await admin.get("/traces", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["traces"]]


@pytest.mark.usefixtures("stored")
async def test_newest_first_with_filters(admin: httpx.AsyncClient) -> None:
    everything = await _ids(admin)
    assert everything[:3] == ["tr_0009", "tr_0008", "tr_0007"]
    assert len(everything) == 12
    assert await _ids(admin, route="other") == ["tr_0009", "tr_0008"]
    assert await _ids(admin, status="error") == ["tr_0007", "tr_0003"]
    since = (T0 + timedelta(minutes=6)).isoformat()
    until = (T0 + timedelta(minutes=8)).isoformat()
    assert await _ids(admin, since=since, until=until) == ["tr_0007", "tr_0006"]
    assert await _ids(admin, route="support-bot", status="ok", limit=2) == ["tr_0006", "tr_0051"]
    assert await _ids(admin, route="nobody") == []


@pytest.mark.usefixtures("stored")
async def test_paging_with_the_next_cursor_visits_each_trace_once(
    admin: httpx.AsyncClient,
) -> None:
    seen: list[str] = []
    params: dict[str, object] = {"limit": 5}
    pages = 0
    while True:
        body = (await admin.get("/traces", params=params)).json()
        seen += [item["id"] for item in body["traces"]]
        pages += 1
        if body["next"] is None:
            break
        params["before"] = body["next"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 12
    # Same started_at: the id breaks the tie, in the same descending order.
    assert seen.index("tr_0051") < seen.index("tr_0050") < seen.index("tr_0005")


@pytest.mark.usefixtures("stored")
async def test_a_trace_in_full(admin: httpx.AsyncClient) -> None:
    summary = (await admin.get("/traces", params={"limit": 1, "route": "other"})).json()
    assert "request_body" not in summary["traces"][0]
    full = (await admin.get("/traces/tr_0007")).json()
    assert full["status"] == "error"
    assert full["error"] == "every target failed"
    assert full["fallback_used"] is True
    assert [a["status"] for a in full["attempts"]] == [503, 200]
    assert full["attempts"][0]["error_class"] == "upstream_http"
    assert full["request_body"]["messages"][0]["content"] == "question 7"
    assert full["metadata"] == {"client": "test"}
    assert full["prompt_tokens"] == 17
    assert full["cost_usd"] == pytest.approx(0.0007)
    missing = await admin.get("/traces/tr_nope")
    assert missing.status_code == 404
    assert "tr_nope" in missing.json()["error"]["message"]


@pytest.mark.usefixtures("stored")
async def test_bad_trace_queries_are_refused_precisely(admin: httpx.AsyncClient) -> None:
    cases = [
        ({"status": "great"}, 422, "query.status"),
        ({"limit": 0}, 422, "query.limit"),
        ({"limit": 5000}, 422, "query.limit"),
        ({"since": "yesterday"}, 422, "query.since"),
        ({"since": "2026-01-01T12:00:00"}, 422, "query.since"),
        ({"before": "tr_missing"}, 400, "tr_missing"),
        ({"since": T0.isoformat(), "until": T0.isoformat()}, 400, "must be before until"),
    ]
    for params, status, text in cases:
        response = await admin.get("/traces", params=params)
        assert response.status_code == status, (params, response.text)
        assert text in response.json()["error"]["message"], response.text
