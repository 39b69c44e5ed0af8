"""The audit trail through the management API: listing, paging, filters and verification."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from .conftest import Api
from .support import config_yaml


async def _changes(admin: httpx.AsyncClient) -> None:
    """Five more events after the admin key's own ``key.create`` (seq 1)."""
    await admin.post("/config", json={"yaml": config_yaml(0.1), "message": "one"})
    await admin.post("/config", json={"yaml": config_yaml(0.2), "message": "two"})
    created = (await admin.post("/keys", json={"name": "app", "role": "app"})).json()
    await admin.delete(f"/keys/{created['key']['id']}")
    await admin.post("/routes/support-bot/rollback", json={"to": 1})


async def test_events_page_forward_in_chain_order(admin: httpx.AsyncClient) -> None:
    await _changes(admin)
    first = (await admin.get("/audit", params={"after_seq": 0, "limit": 4})).json()
    assert [event["seq"] for event in first["events"]] == [1, 2, 3, 4]
    assert first["next_after_seq"] == 4
    rest = (await admin.get("/audit", params={"after_seq": 4, "limit": 4})).json()
    assert [event["seq"] for event in rest["events"]] == [5, 6]
    assert rest["next_after_seq"] is None
    actions = [event["action"] for event in first["events"] + rest["events"]]
    assert actions == [
        "key.create",
        "config.apply",
        "config.apply",
        "key.create",
        "key.revoke",
        "route.rollback",
    ]
    assert first["events"][1]["prev_hash"] == first["events"][0]["hash"]


async def test_latest_events_and_filters(admin: httpx.AsyncClient) -> None:
    await _changes(admin)
    latest = (await admin.get("/audit", params={"limit": 2})).json()
    assert [event["seq"] for event in latest["events"]] == [5, 6]
    assert latest["next_after_seq"] is None
    applies = (await admin.get("/audit", params={"action": "config.apply"})).json()["events"]
    assert [event["data"]["revision"] for event in applies] == [1, 2]
    rollback = (await admin.get("/audit", params={"subject": "route:support-bot"})).json()
    assert [event["action"] for event in rollback["events"]] == ["route.rollback"]
    bad = await admin.get("/audit", params={"after_seq": -1})
    assert bad.status_code == 422


async def test_verify_reports_ok_then_the_first_edited_event(
    api: Api, admin: httpx.AsyncClient
) -> None:
    await _changes(admin)
    report = (await admin.get("/audit/verify")).json()
    assert report["ok"] is True
    assert report["checked"] == 6
    assert report["first_bad_seq"] is None

    async with api.services.store.database.engine.begin() as conn:
        await conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3"))
    tampered = (await admin.get("/audit/verify")).json()
    assert tampered["ok"] is False
    assert (tampered["first_bad_seq"], tampered["reason"]) == (3, "edited")
    assert "event 3" in tampered["detail"]
    assert tampered["last_seq"] == 2
