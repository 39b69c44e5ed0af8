"""The Anthropic Messages wire format, through the real ``anthropic`` SDK and raw SSE."""

from __future__ import annotations

import json

import aiohttp
import anthropic
import jsonschema
from tests.providers.simulated.conftest import USER, post_json

from confiance.providers.simulated import RunningSimulator

LOOKUP = {
    "name": "lookup_order",
    "description": "Find an order",
    "input_schema": {
        "type": "object",
        "properties": {
            "order_id": {"type": "string", "pattern": "^ORD-[0-9]{6}$", "maxLength": 40},
            "lines": {"type": "array", "items": {"type": "integer"}, "minItems": 2},
            "express": {"type": "boolean"},
        },
        "required": ["order_id", "lines"],
    },
}


async def test_message_shape_usage_and_system(claude: anthropic.AsyncAnthropic) -> None:
    message = await claude.messages.create(
        model="claude-3-5-haiku-latest", max_tokens=200, messages=USER, system="Be brief."
    )
    assert message.id.startswith("msg_")
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.model == "claude-3-5-haiku-latest"
    assert message.stop_reason == "end_turn"
    assert message.stop_sequence is None
    (block,) = message.content
    assert block.type == "text"
    assert "capital of France" in block.text
    assert message.usage.output_tokens >= len(block.text.split())
    without_system = await claude.messages.create(
        model="claude-3-5-haiku-latest", max_tokens=200, messages=USER
    )
    assert without_system.usage.input_tokens < message.usage.input_tokens


async def test_max_tokens_and_stop_sequences(claude: anthropic.AsyncAnthropic) -> None:
    full = await claude.messages.create(model="c", max_tokens=500, messages=USER)
    text = full.content[0].text  # type: ignore[union-attr]
    cut = await claude.messages.create(model="c", max_tokens=4, messages=USER)
    assert cut.stop_reason == "max_tokens"
    assert cut.usage.output_tokens == 4
    assert text.startswith(cut.content[0].text)  # type: ignore[union-attr]
    stop = text.split()[4]
    stopped = await claude.messages.create(
        model="c", max_tokens=500, messages=USER, stop_sequences=[stop]
    )
    assert stopped.stop_reason == "stop_sequence"
    assert stopped.stop_sequence == stop
    assert stop not in stopped.content[0].text  # type: ignore[union-attr]


async def test_tool_use_input_is_valid_for_the_schema(claude: anthropic.AsyncAnthropic) -> None:
    message = await claude.messages.create(
        model="c", max_tokens=300, messages=USER, tools=[LOOKUP], tool_choice={"type": "any"}
    )
    assert message.stop_reason == "tool_use"
    (block,) = message.content
    assert block.type == "tool_use"
    assert block.id.startswith("toolu_")
    assert block.name == "lookup_order"
    jsonschema.validate(block.input, LOOKUP["input_schema"])
    answered = await claude.messages.create(
        model="c",
        max_tokens=300,
        tools=[LOOKUP],
        messages=[
            *USER,
            {"role": "assistant", "content": [block.model_dump()]},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": block.id, "content": "shipped"}],
            },
        ],
    )
    assert answered.stop_reason == "end_turn"
    assert answered.content[0].type == "text"


async def test_streams_through_the_sdk_match_the_whole_answer(
    claude: anthropic.AsyncAnthropic,
) -> None:
    whole = await claude.messages.create(model="c", max_tokens=300, messages=USER)
    async with claude.messages.stream(model="c", max_tokens=300, messages=USER) as stream:
        text = "".join([piece async for piece in stream.text_stream])
        final = await stream.get_final_message()
    assert text == whole.content[0].text  # type: ignore[union-attr]
    assert final.usage.output_tokens == whole.usage.output_tokens
    assert final.stop_reason == "end_turn"
    async with claude.messages.stream(
        model="c",
        max_tokens=300,
        messages=USER,
        tools=[LOOKUP],
        tool_choice={"type": "tool", "name": "lookup_order"},
    ) as stream:
        final = await stream.get_final_message()
    block = final.content[0]
    assert block.type == "tool_use"
    jsonschema.validate(block.input, LOOKUP["input_schema"])


async def test_raw_event_sequence(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    body = {"model": "c", "max_tokens": 100, "messages": USER, "stream": True}
    async with http.post(f"{sim.base_url}/v1/messages", json=body) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        raw = (await response.read()).decode()
    events = [block.split("\n") for block in raw.strip().split("\n\n")]
    names = [lines[0].removeprefix("event: ") for lines in events]
    data = [json.loads(lines[1].removeprefix("data: ")) for lines in events]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(names[3:-3]) == {"content_block_delta"}
    assert all(d["type"] == name for d, name in zip(data, names, strict=True))
    assert data[-2]["delta"]["stop_reason"] == "end_turn"
    assert data[-2]["usage"]["output_tokens"] == len(names) - 6
    assert data[0]["message"]["usage"]["input_tokens"] > 0


async def test_missing_max_tokens_is_an_anthropic_400(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    status, body, _ = await post_json(
        http, f"{sim.base_url}/v1/messages", {"model": "c", "messages": USER}
    )
    assert status == 400
    assert body["type"] == "error"
    assert body["error"]["type"] == "invalid_request_error"
    assert "max_tokens" in body["error"]["message"]
    status, body, _ = await post_json(http, f"{sim.base_url}/v1/messages", b"{not json")
    assert status == 400
    assert body["type"] == "error"


def test_sync_client(threaded_sim: RunningSimulator) -> None:
    with anthropic.Anthropic(base_url=threaded_sim.base_url, api_key="k") as client:
        message = client.messages.create(model="c", max_tokens=50, messages=USER)  # type: ignore[arg-type]
        with client.messages.stream(model="c", max_tokens=50, messages=USER) as stream:  # type: ignore[arg-type]
            streamed = "".join(stream.text_stream)
    assert streamed == message.content[0].text  # type: ignore[union-attr]
