"""Malformed, oversized and hostile requests get precise errors; the gateway keeps serving and
stores nothing corrupt."""

from __future__ import annotations

from typing import Any

import aiohttp
import openai
import pytest

from confiance.domain.keys import Role
from confiance.domain.trace import TraceStatus

from .conftest import Stack

USER = [{"role": "user", "content": "hello"}]


async def post(
    stack: Stack,
    data: bytes,
    key: str | None = None,
    path: str = "/v1/chat/completions",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if key is not None:
        all_headers["Authorization"] = f"Bearer {key}"
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{stack.url}{path}", data=data, headers=all_headers) as r:
            return r.status, await r.json()


@pytest.mark.parametrize(
    ("data", "status", "fragment"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b'\xff\xfe{"model": 1}', 400, "not valid UTF-8"),
        (b"[1, 2]", 400, "must be a JSON object"),
        (b"", 400, "empty"),
        (b'{"messages": []}', 400, "model: required"),
        (
            b'{"model": ["chat"], "messages": [{"role": "user", "content": "x"}]}',
            400,
            "model: must be a string, the name of a route; got an array ['chat']",
        ),
        (
            b'{"model": "vectors", "messages": [{"role": "user", "content": "x"}]}',
            404,
            "route 'vectors' is an embedding route, not a chat one",
        ),
        (b'{"model": "chat"}', 400, "messages: required"),
        (b'{"model": "chat", "messages": "hi"}', 400, "messages: required"),
        (
            b'{"model": "chat", "messages": [{"role": "wizard", "content": "x"}]}',
            400,
            "messages[0].role",
        ),
        (
            b'{"model": "chat", "messages": [{"role": "user", "content": 5}]}',
            400,
            "messages[0].content",
        ),
        (
            b'{"model": "chat", "messages": [{"role": "user", "content": "x"}], "stream": "yes"}',
            400,
            "stream: must be true or false",
        ),
        (
            b'{"model": "chat", "messages": [{"role": "user", "content": "x"}], "n": 0}',
            400,
            "n: must be a positive integer",
        ),
        (
            b'{"model": "limited", "messages": [{"role": "user", "content": "x"}], "n": 3}',
            400,
            "exceeds this route's limit of 2",
        ),
        (
            b'{"model": "limited", "messages": [{"role": "user", "content": "x"}],'
            b' "max_tokens": 101}',
            400,
            "max_tokens: 101 exceeds",
        ),
        (
            b'{"model": "nope", "messages": [{"role": "user", "content": "x"}]}',
            404,
            "does not exist",
        ),
    ],
)
async def test_malformed_chat_requests(
    stack: Stack, data: bytes, status: int, fragment: str
) -> None:
    got, body = await post(stack, data, stack.app_key)
    assert got == status
    assert fragment in body["error"]["message"]
    assert body["error"]["type"]


async def test_body_over_the_limit_is_413_and_chunked_bodies_are_bounded_too(stack: Stack) -> None:
    big = b'{"model": "chat", "messages": [{"role": "user", "content": "' + b"x" * 70_000 + b'"}]}'
    status, body = await post(stack, big, stack.app_key)
    assert status == 413
    assert "65536" in body["error"]["message"]

    async def chunks() -> Any:
        for _ in range(10):
            yield b"x" * 10_000

    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bearer {stack.app_key}"}
        async with session.post(
            f"{stack.v1}/chat/completions", data=chunks(), headers=headers
        ) as r:
            assert r.status == 413


async def test_authentication_and_permissions(stack: Stack) -> None:
    status, body = await post(stack, b"{}", None)
    assert status == 401
    assert "no API key" in body["error"]["message"]
    status, body = await post(stack, b"{}", "cf-00000000-" + "A" * 43)
    assert status == 401
    data = b'{"model": "chat", "messages": [{"role": "user", "content": "x"}]}'
    status, body = await post(stack, data, stack.narrow_key)
    assert status == 403
    assert body["error"]["type"] == "permission_error"
    status, body = await post(
        stack,
        b'{"model": "sim/gpt-4o", "messages": [{"role": "user", "content": "x"}]}',
        stack.app_key,
    )
    assert status == 403, "app keys may not call provider models directly"
    status, body = await post(
        stack,
        b'{"model": "sim/echo", "messages": [{"role": "user", "content": "x"}]}',
        stack.admin_key,
    )
    assert status == 200, "admin keys may"
    assert body["choices"][0]["message"]["content"] == "x"


async def test_revoked_key_stops_working_after_refresh(stack: Stack) -> None:
    created = await stack.services.keys.create("temp", Role.APP)
    await stack.gateway.refresh()
    data = b'{"model": "chat", "messages": [{"role": "user", "content": "x"}]}'
    assert (await post(stack, data, created.secret))[0] == 200
    await stack.services.keys.revoke(created.key.id)
    await stack.gateway.refresh()
    status, body = await post(stack, data, created.secret)
    assert status == 401
    assert "revoked" in body["error"]["message"]


async def test_anthropic_door_errors_are_in_anthropic_shape(stack: Stack) -> None:
    status, body = await post(stack, b"{oops", stack.app_key, "/v1/messages")
    assert status == 400
    assert body["type"] == "error"
    assert body["error"]["type"] == "invalid_request_error"
    status, body = await post(stack, b"{}", None, "/v1/messages", {"x-api-key": "wrong"})
    assert status == 401
    assert body["error"]["type"] == "authentication_error"
    data = b'{"model": "chat", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}'
    status, body = await post(stack, data, None, "/v1/messages", {"x-api-key": stack.app_key})
    assert status == 200, "the Anthropic SDK sends its key as x-api-key"
    assert body["type"] == "message"


async def test_gateway_keeps_serving_and_traces_stay_readable_after_abuse(stack: Stack) -> None:
    for data in (b"{", b"\xff", b"[]", b'{"model": 3}'):
        await post(stack, data, stack.app_key)
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        answer = await c.chat.completions.create(model="chat", messages=USER)
    assert answer.choices[0].message.content
    traces = await stack.traces()
    errors = [t for t in traces if t.status is TraceStatus.ERROR]
    assert len(errors) == 4
    assert all(t.http_status == 400 for t in errors)
    assert traces[-1].status is TraceStatus.OK


async def test_full_retention_redacts_personal_data_and_metadata_keeps_no_content(
    stack: Stack,
) -> None:
    secret = "Mail bob@example.com, card 4111 1111 1111 1111, key sk-proj-" + "a" * 30
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        await c.chat.completions.create(
            model="echo", messages=[{"role": "user", "content": secret}]
        )
        await c.chat.completions.create(
            model="chat", messages=[{"role": "user", "content": secret}]
        )
    echo, chat = (await stack.traces())[-2:]
    stored_request = str(echo.request_body)
    stored_response = str(echo.response_body)
    for leaked in ("bob@example.com", "4111 1111", "sk-proj-aaaa"):
        assert leaked not in stored_request
        assert leaked not in stored_response
    assert "[REDACTED:email]" in stored_request
    assert "[REDACTED:card]" in stored_response, "the echo answer is redacted too"
    assert chat.request_body is None, "metadata retention keeps no bodies"
    assert chat.response_body is None
    assert chat.metadata["messages_count"] == 1


async def test_metrics_need_an_admin_key_and_health_needs_none(stack: Stack) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{stack.url}/metrics") as r:
            assert r.status == 401
        headers = {"Authorization": f"Bearer {stack.app_key}"}
        async with session.get(f"{stack.url}/metrics", headers=headers) as r:
            assert r.status == 403
        headers = {"Authorization": f"Bearer {stack.admin_key}"}
        async with session.get(f"{stack.url}/metrics", headers=headers) as r:
            text = await r.text()
            assert "confiance_config_revision 1.0" in text
        async with session.get(f"{stack.url}/readyz") as r:
            assert r.status == 200
            assert (await r.json())["revision"] == 1
        async with session.get(f"{stack.url}/v1/models") as r:
            assert r.status == 401


async def test_unknown_paths_and_wrong_methods_get_json_errors(stack: Stack) -> None:
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        with pytest.raises(openai.NotFoundError) as missing:
            await c.completions.create(model="chat", prompt="legacy endpoint")
    assert "no such endpoint: POST /v1/completions" in missing.value.message
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{stack.v1}/chat/completions") as r:
            assert r.status == 405
            assert r.headers["Allow"] == "POST"
            assert (await r.json())["error"]["code"] == "method_not_allowed"
        async with session.get(f"{stack.v1}/messages") as r:
            assert r.status == 405
            assert (await r.json())["type"] == "error", "Anthropic shape on its door"
        async with session.get(f"{stack.url}/api/openapi.json") as r:
            assert r.status == 200, "mounted apps still resolve before the catch-all"
        async with session.get(f"{stack.url}/ui/login") as r:
            assert r.status == 200
