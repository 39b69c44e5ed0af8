"""Every endpoint of the management API needs an active admin key; errors say what is wrong."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from confiance.domain.keys import Role

from .conftest import Api

ENDPOINTS = [
    ("GET", "/routes"),
    ("GET", "/routes/support-bot"),
    ("GET", "/routes/support-bot/history"),
    ("POST", "/routes/support-bot/rollback"),
    ("GET", "/revisions"),
    ("GET", "/revisions/1"),
    ("POST", "/config"),
    ("GET", "/keys"),
    ("POST", "/keys"),
    ("DELETE", "/keys/key_x"),
    ("GET", "/traces"),
    ("GET", "/traces/tr_1"),
    ("GET", "/audit"),
    ("GET", "/audit/verify"),
]


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["type"]
    message: str = error["message"]
    return message


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_every_endpoint_refuses_a_request_without_a_key(
    api: Api, method: str, path: str
) -> None:
    response = await api.client(None).request(method, path, json={})
    message = _error(response, 401, "invalid_api_key")
    assert "Authorization: Bearer" in message
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", [Role.APP, Role.REVIEWER])
async def test_a_valid_key_without_the_admin_role_is_forbidden(api: Api, role: Role) -> None:
    created = await api.services.keys.create("someone", role, author="test")
    client = api.client(created.secret)
    for method, path in ENDPOINTS:
        response = await client.request(method, path, json={})
        message = _error(response, 403, "permission_denied")
        assert repr(role.value) in message
        assert created.key.prefix in message


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Basic dXNlcjpwYXNz", "scheme 'Basic'"),
        ("Bearer", "scheme 'Bearer'"),
        ("Bearer not-a-key", "does not have the shape"),
        ("Bearer cf-00000000-" + "A" * 43, "invalid API key"),
    ],
)
async def test_malformed_or_unknown_keys_get_401_naming_the_problem(
    api: Api, header: str, expected: str
) -> None:
    client = api.make_client(base_url=api.base_url, headers={"Authorization": header})
    response = await client.get("/routes")
    assert expected in _error(response, 401, "invalid_api_key")


async def test_a_wrong_secret_with_a_known_prefix_is_refused(api: Api) -> None:
    forged = api.admin_secret[:12] + ("B" if api.admin_secret[12] != "B" else "C")
    forged += api.admin_secret[13:]
    response = await api.client(forged).get("/keys")
    assert _error(response, 401, "invalid_api_key") == "invalid API key"


async def test_a_revoked_admin_key_stops_working_at_the_next_request(api: Api) -> None:
    other = await api.services.keys.create("second-admin", Role.ADMIN, author="test")
    client = api.client(other.secret)
    assert (await client.get("/keys")).status_code == 200
    await api.services.keys.revoke(other.key.id, author="test")
    response = await client.get("/keys")
    assert "was revoked" in _error(response, 401, "invalid_api_key")


async def test_an_expired_admin_key_is_refused(api: Api) -> None:
    expires = api.clock.now + timedelta(seconds=30)
    created = await api.services.keys.create("short", Role.ADMIN, expires_at=expires, author="t")
    client = api.client(created.secret)
    assert (await client.get("/keys")).status_code == 200
    api.clock.now += timedelta(minutes=1)
    response = await client.get("/keys")
    assert "has expired" in _error(response, 401, "invalid_api_key")


async def test_openapi_and_docs_need_no_key(api: Api) -> None:
    client = api.client(None)
    assert (await client.get("/openapi.json")).status_code == 200
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "/api/openapi.json" in docs.text


async def test_unknown_paths_and_methods_answer_json_errors(admin: httpx.AsyncClient) -> None:
    missing = await admin.get("/nope")
    assert "/api/nope" in _error(missing, 404, "not_found")
    wrong_method = await admin.put("/routes")
    assert "PUT" in _error(wrong_method, 405, "method_not_allowed")
