"""The OpenAI chat wire format, through the real ``openai`` SDK (sync, async, streaming)."""

from __future__ import annotations

import json
import time

import aiohttp
import jsonschema
import openai
import pytest
from tests.providers.simulated.conftest import USER, post_json

from confiance.providers.simulated import RunningSimulator

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "minLength": 12},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 3, "maximum": 7},
                "when": {"type": "string", "format": "date-time"},
                "note": {"type": "string"},
            },
            "required": ["city", "unit", "days", "when"],
            "additionalProperties": False,
        },
    },
}
BOOKING = {
    "type": "function",
    "function": {
        "name": "book_table",
        "parameters": {
            "type": "object",
            "$defs": {
                "guest": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}},
                    "required": ["name"],
                }
            },
            "properties": {
                "guests": {"type": "array", "items": {"$ref": "#/$defs/guest"}, "minItems": 2},
                "tags": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 3,
                    "uniqueItems": True,
                },
                "price": {"type": "number", "exclusiveMinimum": 10, "multipleOf": 0.5},
                "vip": {"type": ["boolean", "null"]},
            },
            "required": ["guests", "tags", "price", "vip"],
        },
    },
}


async def test_whole_answer_has_the_openai_shape(oai: openai.AsyncOpenAI) -> None:
    before = int(time.time())
    answer = await oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert answer.id.startswith("chatcmpl-")
    assert answer.object == "chat.completion"
    assert answer.model == "gpt-4o-mini"
    assert answer.created >= before
    assert answer.system_fingerprint
    assert answer.system_fingerprint.startswith("fp_")
    choice = answer.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert "capital of France" in (choice.message.content or "")
    usage = answer.usage
    assert usage is not None
    words = len((choice.message.content or "").split())
    assert words <= usage.completion_tokens <= 2 * words
    assert usage.prompt_tokens >= 6
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


async def test_same_request_same_answer_and_seed_changes_it(oai: openai.AsyncOpenAI) -> None:
    async def ask(**extra: object) -> str:
        answer = await oai.chat.completions.create(model="m", messages=USER, **extra)  # type: ignore[call-overload]
        return answer.choices[0].message.content or ""

    first, again = await ask(), await ask()
    assert first == again
    assert await ask(seed=1) == await ask(seed=1)
    assert await ask(seed=1) != await ask(seed=2)
    other_model = await oai.chat.completions.create(model="other", messages=USER)
    assert other_model.choices[0].message.content != first


async def test_n_choices_differ_and_are_indexed(oai: openai.AsyncOpenAI) -> None:
    answer = await oai.chat.completions.create(model="m", messages=USER, n=3)
    assert [c.index for c in answer.choices] == [0, 1, 2]
    assert len({c.message.content for c in answer.choices}) == 3
    assert answer.usage is not None
    assert answer.usage.completion_tokens > 2 * len(
        (answer.choices[0].message.content or "").split()
    )


async def test_max_tokens_truncates_with_finish_length(oai: openai.AsyncOpenAI) -> None:
    full = await oai.chat.completions.create(model="m", messages=USER)
    for limit in ({"max_tokens": 5}, {"max_completion_tokens": 5}):
        cut = await oai.chat.completions.create(model="m", messages=USER, **limit)  # type: ignore[call-overload]
        assert cut.choices[0].finish_reason == "length"
        assert cut.usage is not None
        assert cut.usage.completion_tokens == 5
        text = cut.choices[0].message.content or ""
        assert text
        assert (full.choices[0].message.content or "").startswith(text)


async def test_stop_sequence_cuts_before_it(oai: openai.AsyncOpenAI) -> None:
    full = (await oai.chat.completions.create(model="m", messages=USER)).choices[0].message.content
    assert full is not None
    stop_word = full.split()[5]
    cut = await oai.chat.completions.create(model="m", messages=USER, stop=[stop_word, "zzz"])
    text = cut.choices[0].message.content or ""
    assert cut.choices[0].finish_reason == "stop"
    assert full.startswith(text)
    assert stop_word not in text
    assert len(text) < len(full)


async def test_logprobs_are_well_formed(oai: openai.AsyncOpenAI) -> None:
    answer = await oai.chat.completions.create(
        model="m", messages=USER, logprobs=True, top_logprobs=3, max_tokens=6
    )
    logprobs = answer.choices[0].logprobs
    assert logprobs is not None
    assert logprobs.content is not None
    assert "".join(t.token for t in logprobs.content) == answer.choices[0].message.content
    for token in logprobs.content:
        assert token.logprob <= 0
        assert token.bytes == list(token.token.encode())
        assert len(token.top_logprobs) == 3
        assert token.top_logprobs[0].token == token.token
        values = [alt.logprob for alt in token.top_logprobs]
        assert values == sorted(values, reverse=True)


@pytest.mark.parametrize("tool", [WEATHER, BOOKING], ids=["weather", "booking"])
async def test_tool_call_arguments_validate_against_the_schema(
    oai: openai.AsyncOpenAI, tool: dict
) -> None:
    answer = await oai.chat.completions.create(
        model="m",
        messages=USER,
        tools=[WEATHER, BOOKING],
        tool_choice={"type": "function", "function": {"name": tool["function"]["name"]}},
    )
    choice = answer.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert call.id.startswith("call_")
    assert call.function.name == tool["function"]["name"]
    arguments = json.loads(call.function.arguments)
    jsonschema.validate(arguments, tool["function"]["parameters"])


async def test_auto_tools_call_then_answer_after_the_result(oai: openai.AsyncOpenAI) -> None:
    asks_booking = [{"role": "user", "content": "Please book_table for us"}]
    first = await oai.chat.completions.create(
        model="m", messages=asks_booking, tools=[WEATHER, BOOKING]
    )
    (call,) = first.choices[0].message.tool_calls or []
    assert call.function.name == "book_table"
    followed = [
        *asks_booking,
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": "booked"},
    ]
    second = await oai.chat.completions.create(model="m", messages=followed, tools=[WEATHER])
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content
    none = await oai.chat.completions.create(
        model="m", messages=USER, tools=[WEATHER], tool_choice="none"
    )
    assert none.choices[0].message.tool_calls is None


async def test_json_modes_give_parseable_content(oai: openai.AsyncOpenAI) -> None:
    plain = await oai.chat.completions.create(
        model="m", messages=USER, response_format={"type": "json_object"}
    )
    assert isinstance(json.loads(plain.choices[0].message.content or ""), dict)
    schema = WEATHER["function"]["parameters"]
    structured = await oai.chat.completions.create(
        model="m",
        messages=USER,
        response_format={"type": "json_schema", "json_schema": {"name": "w", "schema": schema}},
    )
    jsonschema.validate(json.loads(structured.choices[0].message.content or ""), schema)


async def test_stream_with_usage_reassembles_the_whole_answer(oai: openai.AsyncOpenAI) -> None:
    whole = await oai.chat.completions.create(model="m", messages=USER)
    stream = await oai.chat.completions.create(
        model="m", messages=USER, stream=True, stream_options={"include_usage": True}
    )
    chunks = [chunk async for chunk in stream]
    assert all(c.object == "chat.completion.chunk" and c.id == chunks[0].id for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finishes == ["stop"]
    last = chunks[-1]
    assert last.choices == []
    assert last.usage is not None
    assert last.usage.completion_tokens == whole.usage.completion_tokens  # type: ignore[union-attr]
    assert all(c.usage is None for c in chunks[:-1])


async def test_stream_of_a_tool_call_and_of_n_choices(oai: openai.AsyncOpenAI) -> None:
    stream = await oai.chat.completions.create(
        model="m", messages=USER, tools=[WEATHER], tool_choice="required", stream=True
    )
    arguments, names = "", []
    async for chunk in stream:
        for call in chunk.choices[0].delta.tool_calls or []:
            arguments += call.function.arguments or ""  # type: ignore[union-attr]
            if call.function and call.function.name:
                names.append(call.function.name)
    assert names == ["get_weather"]
    jsonschema.validate(json.loads(arguments), WEATHER["function"]["parameters"])
    stream = await oai.chat.completions.create(model="m", messages=USER, n=2, stream=True)
    texts = ["", ""]
    async for chunk in stream:
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
    assert texts[0]
    assert texts[1]
    assert texts[0] != texts[1]


def test_sync_client_plain_and_streaming(threaded_sim: RunningSimulator) -> None:
    with openai.OpenAI(base_url=threaded_sim.openai_base_url, api_key="k") as client:
        answer = client.chat.completions.create(model="m", messages=USER)  # type: ignore[arg-type]
        with client.chat.completions.create(model="m", messages=USER, stream=True) as stream:  # type: ignore[arg-type]
            text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == answer.choices[0].message.content


async def test_bad_requests_get_openai_shaped_400s(
    sim: RunningSimulator, http: aiohttp.ClientSession, oai: openai.AsyncOpenAI
) -> None:
    url = f"{sim.openai_base_url}/chat/completions"
    status, body, _ = await post_json(http, url, b'{"model": "m", "messages": [')
    assert status == 400
    assert body["error"]["type"] == "invalid_request_error"
    assert "not valid JSON" in body["error"]["message"]
    status, body, _ = await post_json(http, url, {"model": "m"})
    assert status == 400
    assert body["error"]["param"] == "messages"
    status, body, _ = await post_json(http, url, {"model": "m", "messages": USER, "n": 0})
    assert status == 400
    assert body["error"]["param"] == "n"
    with pytest.raises(openai.BadRequestError, match="tool_choice"):
        await oai.chat.completions.create(
            model="m",
            messages=USER,
            tools=[WEATHER],
            tool_choice={"type": "function", "function": {"name": "missing"}},
        )
    with pytest.raises(openai.BadRequestError, match="not a simulator directive"):
        await oai.chat.completions.create(model="m+latncy-5ms", messages=USER)
