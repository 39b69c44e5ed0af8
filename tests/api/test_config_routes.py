"""Applying configs, reading revisions and routes, history and rollback through the API."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Api
from .support import config_yaml


async def _apply(admin: httpx.AsyncClient, yaml: str, message: str = "", **extra: Any) -> Any:
    response = await admin.post("/config", json={"yaml": yaml, "message": message, **extra})
    assert response.status_code == 200, response.text
    return response.json()


async def test_before_any_config_there_are_no_routes_or_revisions(admin: httpx.AsyncClient) -> None:
    assert (await admin.get("/routes")).json() == {"revision": None, "routes": []}
    assert (await admin.get("/revisions")).json() == {"revisions": [], "next": None}
    missing = await admin.get("/routes/support-bot")
    assert missing.status_code == 404
    assert "run `confiance apply` first" in missing.json()["error"]["message"]


async def test_dry_run_diffs_without_storing(api: Api, admin: httpx.AsyncClient) -> None:
    result = await _apply(admin, config_yaml(), dry_run=True)
    assert result["dry_run"] is True
    assert result["applied"] is False
    assert result["revision"] == 1
    assert result["previous"] is None
    assert result["diff"]["summary"]["added"]["routes"] == ["backup", "support-bot"]
    assert await api.services.store.revisions.latest_number() == 0
    assert await api.services.store.audit.list(action="config.apply") == []


async def test_apply_stores_an_audited_revision_and_answers_the_diff(
    api: Api, admin: httpx.AsyncClient
) -> None:
    first = await _apply(admin, config_yaml(), "first")
    assert first["applied"] is True
    assert first["revision"] == 1
    warnings = first["warnings"]
    assert any("CF_TEST_UNSET_KEY_VARIABLE" in warning for warning in warnings)

    second = await _apply(admin, config_yaml(temperature=0.7), "warmer")
    assert (second["revision"], second["previous"]) == (2, 1)
    (change,) = second["diff"]["changes"]
    kind = (change["section"], change["name"], change["kind"])
    assert kind == ("routes", "support-bot", "changed")
    assert change["fields"] == [{"path": "params.temperature", "old": 0.2, "new": 0.7}]

    events = await api.services.store.audit.list(action="config.apply")
    assert [event.data["revision"] for event in events] == [1, 2]
    assert all(api.admin_secret not in str(event.data) for event in events)
    admin_key = (await api.services.keys.list())[0]
    assert events[-1].actor.endswith(f"{admin_key.id} ({admin_key.name})")


async def test_applying_the_same_config_again_is_a_no_op(
    api: Api, admin: httpx.AsyncClient
) -> None:
    await _apply(admin, config_yaml())
    again = await _apply(admin, config_yaml())
    assert again["applied"] is False
    assert again["revision"] == 1
    assert again["diff"]["changed"] is False
    dry = await _apply(admin, config_yaml(), dry_run=True)
    assert dry["revision"] == 1
    assert "no changes" in dry["message"]
    assert await api.services.store.revisions.latest_number() == 1


async def test_an_invalid_config_is_400_with_every_located_problem(
    api: Api, admin: httpx.AsyncClient
) -> None:
    bad = config_yaml().replace("kind: simulated", "kind: simulatd")
    bad = bad.replace("    fallbacks: [backup]\n", "    fallbacks: [backup]\n    colour: red\n")
    response = await admin.post("/config", json={"yaml": bad})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "config_error"
    problems = {problem["path"]: problem for problem in error["problems"]}
    assert problems["routes.support-bot.colour"]["line"] == 13
    assert "unknown key 'colour'" in problems["routes.support-bot.colour"]["message"]
    assert problems["providers.sim.kind"]["line"] == 3
    assert "request.yaml:13:" in error["message"]
    assert "request.yaml:3:" in error["message"]
    assert await api.services.store.revisions.latest_number() == 0


async def test_yaml_syntax_errors_are_located(admin: httpx.AsyncClient) -> None:
    response = await admin.post("/config", json={"yaml": "routes: [unclosed\n"})
    assert response.status_code == 400
    (problem,) = response.json()["error"]["problems"]
    assert problem["source"] == "request.yaml"
    assert problem["line"] is not None


async def test_routes_show_resolved_fallback_chains(admin: httpx.AsyncClient) -> None:
    await _apply(admin, config_yaml())
    listing = (await admin.get("/routes")).json()
    assert listing["revision"] == 1
    assert [route["name"] for route in listing["routes"]] == ["backup", "support-bot"]
    route = (await admin.get("/routes/support-bot")).json()
    assert route["chain"] == ["sim/fast", "other/slow", "sim/steady"]
    assert route["definition"]["params"] == {"temperature": 0.2}
    assert route["definition"]["retention"] == "metadata"
    missing = await admin.get("/routes/nope")
    assert missing.status_code == 404
    assert "backup, support-bot" in missing.json()["error"]["message"]


async def test_history_and_rollback_of_one_route(api: Api, admin: httpx.AsyncClient) -> None:
    await _apply(admin, config_yaml(0.2))
    await _apply(admin, config_yaml(0.7, extra_route=True))
    history = (await admin.get("/routes/support-bot/history")).json()
    assert [(v["revision"], v["change"]) for v in history["versions"]] == [
        (1, "added"),
        (2, "changed"),
    ]
    assert history["versions"][1]["fields"][0]["new"] == 0.7

    rolled = await admin.post("/routes/support-bot/rollback", json={"to": 1, "message": "undo"})
    assert rolled.status_code == 200, rolled.text
    assert (rolled.json()["applied"], rolled.json()["revision"]) == (True, 3)
    route = (await admin.get("/routes/support-bot")).json()
    assert route["definition"]["params"]["temperature"] == 0.2
    assert route["revision"] == 3
    # Only the rolled-back route changed: the route added in revision 2 is still there.
    assert (await admin.get("/routes/summarizer")).status_code == 200
    (event,) = await api.services.store.audit.list(action="route.rollback")
    assert event.subject == "route:support-bot"
    assert event.data["to_revision"] == 1

    again = await admin.post("/routes/support-bot/rollback", json={"to": 1})
    assert again.json()["applied"] is False


async def test_rollback_errors(admin: httpx.AsyncClient) -> None:
    await _apply(admin, config_yaml(0.2))
    await _apply(admin, config_yaml(0.7, extra_route=True))
    missing_revision = await admin.post("/routes/support-bot/rollback", json={"to": 9})
    assert missing_revision.status_code == 404
    assert "revision 9" in missing_revision.json()["error"]["message"]
    not_there = await admin.post("/routes/summarizer/rollback", json={"to": 1})
    assert not_there.status_code == 404
    assert "did not exist in revision 1" in not_there.json()["error"]["message"]
    no_history = await admin.get("/routes/ghost/history")
    assert no_history.status_code == 404


async def test_revisions_are_paged_newest_first(admin: httpx.AsyncClient) -> None:
    for step in range(5):
        await _apply(admin, config_yaml(temperature=step / 10), f"step {step}")
    first = (await admin.get("/revisions", params={"limit": 2})).json()
    assert [r["number"] for r in first["revisions"]] == [5, 4]
    assert first["next"] == 4
    second = (await admin.get("/revisions", params={"limit": 2, "before": 4})).json()
    assert [r["number"] for r in second["revisions"]] == [3, 2]
    last = (await admin.get("/revisions", params={"limit": 2, "before": second["next"]})).json()
    assert [r["number"] for r in last["revisions"]] == [1]
    assert last["next"] is None
    assert first["revisions"][0]["message"] == "step 4"
    assert "document" not in first["revisions"][0]


async def test_one_revision_has_its_document(api: Api, admin: httpx.AsyncClient) -> None:
    await _apply(admin, config_yaml(), "first")
    revision = (await admin.get("/revisions/1")).json()
    stored = await api.services.store.revisions.get(1)
    assert revision["document"] == stored.document
    assert revision["digest"] == stored.digest
    assert revision["message"] == "first"
    assert "ops-admin" in revision["author"]
    assert (await admin.get("/revisions/2")).status_code == 404
    assert (await admin.get("/revisions/0")).status_code == 422
