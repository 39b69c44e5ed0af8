"""The reverse translations end to end: the real Anthropic SDK talks to a minimal front door
built from them, which forwards through the OpenAI adapter to the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anthropic
import orjson
import pytest
from aiohttp import web

from confiance.domain.chat import ChatRequest
from confiance.providers.anthropic_format import (
    AnthropicStreamWriter,
    anthropic_error,
    anthropic_request_to_openai,
    openai_response_to_anthropic,
)
from confiance.providers.simulated import RunningSimulator
from confiance.providers.sse import format_event

from .support import MakeAdapter

WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


@pytest.fixture
async def front_door(
    vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> AsyncIterator[anthropic.AsyncAnthropic]:
    upstream = await make_adapter("openai", vendor_sim.openai_base_url)

    async def messages(request: web.Request) -> web.StreamResponse:
        body = anthropic_request_to_openai(orjson.loads(await request.read()))
        chat = ChatRequest(model=body["model"], body=body, stream=bool(body.get("stream")))
        if not chat.stream:
            result = await upstream.chat(chat, 5.0)
            answer = openai_response_to_anthropic(result.body, body["model"])
            return web.json_response(answer)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        writer = AnthropicStreamWriter(body["model"])
        async for chunk in upstream.stream(chat, 5.0):
            for name, data in writer.feed(chunk):
                await response.write(format_event(orjson.dumps(data), name))
        for name, data in writer.finish():
            await response.write(format_event(orjson.dumps(data), name))
        await response.write_eof()
        return response

    async def refuse(request: web.Request) -> web.StreamResponse:
        return web.json_response(anthropic_error(429, "slow down"), status=429)

    app = web.Application()
    app.router.add_post("/v1/messages", messages)
    app.router.add_post("/limited/v1/messages", refuse)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    client = anthropic.AsyncAnthropic(
        base_url=f"http://127.0.0.1:{port}", api_key="unused", max_retries=0
    )
    try:
        yield client
    finally:
        await client.close()
        await runner.cleanup()


async def test_whole_message(front_door: anthropic.AsyncAnthropic) -> None:
    message = await front_door.messages.create(
        model="sim-model+echo",
        max_tokens=100,
        system="Be brief.",
        messages=[{"role": "user", "content": "Bonjour"}],
    )
    assert message.content[0].type == "text"
    assert message.content[0].text == "Bonjour"
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0
    assert message.usage.output_tokens > 0


async def test_streamed_message_matches_the_whole_one(front_door: anthropic.AsyncAnthropic) -> None:
    kwargs: dict[str, Any] = {
        "model": "sim-model+words-15",
        "max_tokens": 200,
        "messages": [{"role": "user", "content": "Tell me something"}],
    }
    whole = await front_door.messages.create(**kwargs)
    texts: list[str] = []
    async with front_door.messages.stream(**kwargs) as stream:
        async for text in stream.text_stream:
            texts.append(text)
        final = await stream.get_final_message()
    assert len(texts) > 3
    assert whole.content[0].type == "text"
    assert final.content[0].type == "text"
    assert "".join(texts) == final.content[0].text == whole.content[0].text
    assert final.stop_reason == "end_turn"
    assert (final.usage.input_tokens, final.usage.output_tokens) == (
        whole.usage.input_tokens,
        whole.usage.output_tokens,
    )


@pytest.mark.parametrize("streamed", [False, True])
async def test_tool_use_and_tool_result(
    front_door: anthropic.AsyncAnthropic, streamed: bool
) -> None:
    ask: dict[str, Any] = {
        "model": "sim-model",
        "max_tokens": 200,
        "tools": [WEATHER],
        "tool_choice": {"type": "any"},
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
    }
    if streamed:
        async with front_door.messages.stream(**ask) as stream:
            message = await stream.get_final_message()
    else:
        message = await front_door.messages.create(**ask)
    assert message.stop_reason == "tool_use"
    tool = next(block for block in message.content if block.type == "tool_use")
    assert tool.name == "get_weather"
    assert isinstance(tool.input, dict)
    assert isinstance(tool.input["city"], str)
    follow_up = await front_door.messages.create(
        model="sim-model",
        max_tokens=100,
        tools=[WEATHER],
        messages=[
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": [block.model_dump() for block in message.content]},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": tool.id, "content": "18C"}],
            },
        ],
    )
    assert follow_up.stop_reason == "end_turn"
    assert follow_up.content[0].type == "text"


async def test_errors_reach_the_sdk_as_its_own_exceptions(
    front_door: anthropic.AsyncAnthropic,
) -> None:
    limited = front_door.with_options(base_url=str(front_door.base_url).rstrip("/") + "/limited")
    with pytest.raises(anthropic.RateLimitError, match="slow down"):
        await limited.messages.create(
            model="m", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )
