"""A vendor that echoes pieces of its own key: the pieces never reach the client, the stored
trace or the logs. The far end is a fake vendor on loopback; the client is the OpenAI SDK."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import openai
import pytest
from aiohttp import web

from confiance.config.load import parse_config

from .conftest import Stack

KEY = "sk-proj-Zt4kQ9mW2xV7nB3cR8yL1pF6hJ0dS5aGuE2wX9vT"
KEY_ENV = "ECHO_TEST_VENDOR_KEY"
USER = [{"role": "user", "content": "hello"}]
ECHOED = f"your key starts {KEY[:14]} and ends {KEY[-10:]}"


def _completion(text: str) -> dict[str, object]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


async def _vendor(request: web.Request) -> web.StreamResponse:
    body = await request.json()
    if body["model"] == "fails":
        message = f"Incorrect API key provided: {KEY[:12]}****{KEY[-4:]}. ({KEY[8:40]})"
        logging.getLogger("confiance.test.vendor").warning("vendor said: %s", message)
        return web.json_response({"error": {"message": message, "type": "auth"}}, status=401)
    if not body.get("stream"):
        return web.json_response(_completion(ECHOED))
    response = web.StreamResponse(headers={"content-type": "text/event-stream"})
    await response.prepare(request)
    for piece in ("your key ", f"is {KEY[8:30]} ", "ok"):
        chunk = {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-4o",
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
        }
        await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
    await response.write(b"data: [DONE]\n\n")
    return response


@pytest.fixture
async def vendor() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/v1/chat/completions", _vendor)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


CONFIG = """\
providers:
  echo: {{kind: openai, base_url: "{url}/v1", api_key_env: {env}}}
routes:
  echoing: {{target: echo/gpt-4o, retention: full}}
  failing: {{target: echo/fails, retention: full, retry: {{max_attempts: 1}}}}
"""


async def _configure(stack: Stack, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    loaded = parse_config(CONFIG.format(url=url, env=KEY_ENV), "echo.yaml")
    await stack.services.revisions.apply(loaded, "test", "echo")
    await stack.gateway.refresh()


def _leaks(text: str) -> list[str]:
    return [KEY[i : i + 8] for i in range(8, len(KEY) - 7) if KEY[i : i + 8] in text]


async def test_answers_and_traces_never_carry_a_piece_of_the_key(
    stack: Stack, vendor: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _configure(stack, vendor, monkeypatch)
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        raw = await c.chat.completions.with_raw_response.create(model="echoing", messages=USER)
        answer = raw.parse().choices[0].message.content or ""
        stream = await c.chat.completions.create(model="echoing", messages=USER, stream=True)
        streamed = "".join([ch.choices[0].delta.content or "" async for ch in stream])
    assert answer == "your key starts [redacted] and ends [redacted]"
    assert streamed == "your key is [redacted] ok"
    traces = await stack.traces()
    assert len(traces) == 2
    assert _leaks(repr(traces)) == []


async def test_errors_and_logs_never_carry_a_piece_of_the_key(
    stack: Stack, vendor: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await _configure(stack, vendor, monkeypatch)
    handler = caplog.handler
    logging.getLogger().addHandler(handler)  # where the gateway's filter goes
    try:
        await stack.gateway.refresh()
        stack.gateway.snapshots.log_filter.update([KEY])
        async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
            with pytest.raises(openai.APIStatusError) as raised:
                await c.chat.completions.create(model="failing", messages=USER)
        logging.getLogger("confiance.test").error("provider key is %s", KEY)
    finally:
        logging.getLogger().removeHandler(handler)
    assert "Incorrect API key provided: [redacted]****" in str(raised.value.message)
    assert _leaks(str(raised.value.body)) == []
    assert _leaks(repr(await stack.traces())) == []
    messages = [record.getMessage() for record in caplog.records]
    assert "provider key is [redacted]" in messages
    assert any("vendor said: Incorrect API key provided: [redacted]" in m for m in messages)
    assert _leaks("\n".join(messages)) == []
