"""Streamed answers kept by ``retention: full`` are redacted on the assembled text.

The simulator's ``echo`` model streams the user's message back a word or a punctuation mark per
chunk, so an e-mail address, a card number and an API key each reach the gateway in several
chunks. None of them may be stored in clear, whichever SDK, door and vendor wire format the
stream went through.
"""

from __future__ import annotations

import anthropic
import openai
import pytest

from confiance.domain.trace import Trace
from confiance.observability.redaction import redact_text

from .conftest import Stack

SECRET_KEY = "sk-proj-" + "Zq7" * 10
MESSAGE = f"Mail bob.smith@example.com, card 4111 1111 1111 1111, key {SECRET_KEY} now"
LEAKS = ("bob.smith", "example.com", "4111", SECRET_KEY[:12], "Zq7Zq7")

CONFIG = """\
version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim}/v1"}}
  simant: {{kind: anthropic, base_url: "{sim}"}}
routes:
  kept: {{target: sim/echo, retention: full}}
  kept-anthropic: {{target: simant/echo, retention: full}}
  kept-clear: {{target: sim/echo, retention: full, redact: false}}
"""


@pytest.fixture
async def routes(stack: Stack) -> Stack:
    await stack.apply(CONFIG)
    return stack


async def _openai_stream(stack: Stack, route: str) -> tuple[list[str], Trace]:
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        raw = await c.chat.completions.with_raw_response.create(
            model=route, messages=[{"role": "user", "content": MESSAGE}], stream=True
        )
        pieces = [
            chunk.choices[0].delta.content or "" async for chunk in raw.parse() if chunk.choices
        ]
    return pieces, await stack.trace(raw.headers["x-confiance-trace-id"])


def _assert_split(pieces: list[str]) -> None:
    """The secrets really did cross several chunks (else the test would prove nothing)."""
    assert "".join(pieces) == MESSAGE
    for secret in ("bob.smith@example.com", "4111 1111 1111 1111", SECRET_KEY):
        assert not any(secret in piece for piece in pieces), f"{secret!r} came in one chunk"


def _assert_redacted(trace: Trace) -> None:
    stored = str(trace.response_body)
    for leak in LEAKS:
        assert leak not in stored, f"{leak!r} stored in clear: {stored}"
    assert trace.response_body is not None
    message = trace.response_body["choices"][0]["message"]
    assert message["content"] == redact_text(MESSAGE)
    for kind in ("email", "card", "secret"):
        assert f"[REDACTED:{kind}]" in message["content"]


@pytest.mark.parametrize("route", ["kept", "kept-anthropic"])
async def test_openai_sdk_stream_is_stored_redacted_on_the_assembled_text(
    routes: Stack, route: str
) -> None:
    pieces, trace = await _openai_stream(routes, route)
    _assert_split(pieces)
    assert trace.stream
    _assert_redacted(trace)
    body = trace.response_body
    assert body is not None and body["object"] == "chat.completion"
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"]["completion_tokens"] == trace.completion_tokens > 0


async def test_anthropic_sdk_stream_is_stored_redacted_on_the_assembled_text(
    routes: Stack,
) -> None:
    async with anthropic.AsyncAnthropic(
        base_url=routes.url, api_key=routes.app_key, max_retries=0
    ) as client:
        async with client.messages.stream(
            model="kept", max_tokens=500, messages=[{"role": "user", "content": MESSAGE}]
        ) as stream:
            pieces = [text async for text in stream.text_stream]
    _assert_split(pieces)
    trace = (await routes.traces())[-1]
    assert trace.route == "kept" and trace.endpoint == "messages"
    _assert_redacted(trace)


async def test_redact_false_keeps_the_assembled_answer_exactly(routes: Stack) -> None:
    pieces, trace = await _openai_stream(routes, "kept-clear")
    _assert_split(pieces)
    assert trace.response_body is not None
    assert trace.response_body["choices"][0]["message"]["content"] == MESSAGE
