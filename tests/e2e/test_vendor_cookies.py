"""A vendor's cookies never travel from one caller's request to another's.

The gateway shares one HTTP session per provider across every caller. A vendor (or whatever
sits in front of it: a load balancer, a WAF) that sets a cookie on one answer must not see it
come back on the next caller's request: the cookie could carry the first caller's session,
affinity or identity. The far end is a fake OpenAI-compatible vendor on loopback that sets a
cookie on every answer and records the Cookie header of every request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import openai
import pytest
from aiohttp import web

from confiance.config.load import parse_config

from .conftest import Stack

KEY_ENV = "COOKIE_TEST_VENDOR_KEY"
COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-4o",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


@pytest.fixture
async def vendor() -> AsyncIterator[tuple[str, list[str | None]]]:
    cookies: list[str | None] = []

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        cookies.append(request.headers.get("Cookie"))
        response = web.json_response(COMPLETION)
        response.set_cookie("vendor_session", f"caller-{len(cookies)}", path="/")
        return response

    app = web.Application()
    app.router.add_post("/v1/chat/completions", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", cookies
    finally:
        await runner.cleanup()


async def test_a_cookie_set_by_the_vendor_is_never_sent_back(
    stack: Stack,
    vendor: tuple[str, list[str | None]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, cookies = vendor
    # A host name, not an IP: aiohttp's default cookie jar ignores cookies from IP addresses,
    # so on 127.0.0.1 this test could not fail.
    url = url.replace("127.0.0.1", "localhost")
    monkeypatch.setenv(KEY_ENV, "sk-cookie-test-0123456789abcdef")
    text = (
        "version: 1\nproviders:\n"
        f"  oai: {{kind: openai, base_url: '{url}/v1', api_key_env: {KEY_ENV}}}\n"
        "routes:\n  chat: {target: oai/gpt-4o}\n"
    )
    await stack.services.revisions.apply(parse_config(text, "cookies.yaml"), "test", "test")
    await stack.gateway.refresh()
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        for n in range(3):
            reply = await c.chat.completions.create(
                model="chat", messages=[{"role": "user", "content": f"call {n}"}]
            )
            assert reply.choices[0].message.content == "hi"
    assert len(cookies) == 3, "the fake vendor saw every call"
    assert cookies == [None, None, None]
