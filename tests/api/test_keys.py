"""API keys through the management API: the secret is answered once and works at once."""

from __future__ import annotations

from datetime import timedelta

import httpx

from confiance.domain.keys import hash_secret

from .conftest import Api
from .support import config_yaml


async def test_create_returns_the_secret_once_and_stores_only_its_hash(
    api: Api, admin: httpx.AsyncClient
) -> None:
    body = {"name": "reviewer-bot", "role": "reviewer", "routes": ["support-bot"]}
    response = await admin.post("/keys", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    secret = created["secret"]
    assert secret.startswith(created["key"]["prefix"] + "-")
    stored = await api.services.store.keys.get(created["key"]["id"])
    assert stored.secret_hash == hash_secret(secret)
    assert created["key"]["role"] == "reviewer"
    assert created["key"]["routes"] == ["support-bot"]
    assert created["key"]["active"] is True
    # No route is defined yet: the key is created with a warning.
    assert "'support-bot' is not defined" in created["warnings"][0]

    listing = await admin.get("/keys")
    assert secret not in listing.text
    assert stored.secret_hash not in listing.text
    names = [key["name"] for key in listing.json()["keys"]]
    assert names == ["ops-admin", "reviewer-bot"]
    (event,) = await api.services.store.audit.list(action="key.create", subject=f"key:{stored.id}")
    assert "ops-admin" in event.actor
    assert secret not in str(event.data)


async def test_a_created_admin_key_can_call_the_api(api: Api, admin: httpx.AsyncClient) -> None:
    await admin.post("/config", json={"yaml": config_yaml()})
    expires = (api.clock.now + timedelta(days=30)).isoformat()
    body = {"name": "second", "role": "admin", "routes": [], "expires_at": expires}
    created = (await admin.post("/keys", json=body)).json()
    assert created["warnings"] == []
    assert created["key"]["expires_at"] is not None
    response = await api.client(created["secret"]).get("/routes")
    assert response.status_code == 200


async def test_revoke_by_id_or_prefix_then_conflict(api: Api, admin: httpx.AsyncClient) -> None:
    first = (await admin.post("/keys", json={"name": "a", "role": "app"})).json()["key"]
    second = (await admin.post("/keys", json={"name": "b", "role": "app"})).json()["key"]
    revoked = await admin.delete(f"/keys/{first['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert revoked.json()["active"] is False
    by_prefix = await admin.delete(f"/keys/{second['prefix']}")
    assert by_prefix.json()["id"] == second["id"]

    again = await admin.delete(f"/keys/{first['id']}")
    assert again.status_code == 409
    assert "already revoked" in again.json()["error"]["message"]
    missing = await admin.delete("/keys/key_doesnotexist")
    assert missing.status_code == 404

    active = [key["id"] for key in (await admin.get("/keys")).json()["keys"]]
    assert first["id"] not in active
    everything = (await admin.get("/keys", params={"include_revoked": "true"})).json()["keys"]
    assert {first["id"], second["id"]} <= {key["id"] for key in everything}
    events = await api.services.store.audit.list(action="key.revoke")
    assert [event.subject for event in events] == [f"key:{first['id']}", f"key:{second['id']}"]


async def test_bad_key_bodies_name_the_field(api: Api, admin: httpx.AsyncClient) -> None:
    cases = [
        ({"role": "app"}, "body.name"),
        ({"name": "x", "role": "root"}, "body.role"),
        ({"name": "x", "role": "app", "routes": "all"}, "body.routes"),
        ({"name": "x", "role": "app", "expires_at": "2030-01-01T00:00:00"}, "body.expires_at"),
        ({"name": "x", "role": "app", "colour": "red"}, "body.colour"),
        ({"name": "", "role": "app"}, "body.name"),
    ]
    for body, field in cases:
        response = await admin.post("/keys", json=body)
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert field in [item["loc"] for item in error["errors"]], error
        assert field in error["message"]
    assert len(await api.services.keys.list()) == 1


async def test_service_rules_give_400(admin: httpx.AsyncClient) -> None:
    past = await admin.post(
        "/keys", json={"name": "x", "role": "app", "expires_at": "2020-01-01T00:00:00Z"}
    )
    assert past.status_code == 400
    assert "in the future" in past.json()["error"]["message"]
    bad_route = await admin.post("/keys", json={"name": "x", "role": "app", "routes": ["a b"]})
    assert bad_route.status_code == 400
    assert "'a b'" in bad_route.json()["error"]["message"]
