"""Each adapter against the simulator's wire formats: whole answers, streams, tools, JSON mode,
usage, the answering model, and the key sent where the vendor expects it."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from confiance.domain.chat import ChatRequest, EmbeddingRequest
from confiance.errors import ProviderHTTPError, UsageError
from confiance.providers.simulated import RunningSimulator

from .support import SIM_KEY, MakeAdapter, base_url_for

KINDS = ["openai", "anthropic", "gemini", "simulated"]
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
            "required": ["city", "days"],
        },
    },
}


def body(text: str = "Hello there", **extra: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}], "max_tokens": 200, **extra}


async def collect(adapter: Any, model: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    request = ChatRequest(model=model, body=payload, stream=True)
    return [chunk async for chunk in adapter.stream(request, 5.0)]


def accumulate(chunks: list[dict[str, Any]]) -> ChatCompletion:
    state: ChatCompletionStreamState[Any] = ChatCompletionStreamState()
    for chunk in chunks:
        state.handle_chunk(ChatCompletionChunk.model_validate(chunk))
    return ChatCompletion.model_validate(state.get_final_completion().model_dump())


@pytest.mark.parametrize("kind", KINDS)
async def test_whole_answer(
    kind: str, vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> None:
    adapter = await make_adapter(kind, base_url_for(kind, vendor_sim))
    result = await adapter.chat(ChatRequest(model="sim-model+echo", body=body("Bonjour")), 5.0)
    completion = ChatCompletion.model_validate(result.body)
    assert completion.choices[0].message.content == "Bonjour"
    assert completion.choices[0].finish_reason == "stop"
    assert result.usage.prompt_tokens > 0
    assert result.usage.completion_tokens > 0
    assert result.usage.prompt_tokens == completion.usage.prompt_tokens  # type: ignore[union-attr]
    assert result.model == "sim-model+echo"
    assert vendor_sim.stats["sim-model+echo"] == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_answering_model_is_the_one_the_vendor_names(
    kind: str, vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> None:
    adapter = await make_adapter(kind, base_url_for(kind, vendor_sim))
    model = "alias+answer-as-real-model-2025"
    result = await adapter.chat(ChatRequest(model=model, body=body()), 5.0)
    assert result.model == "real-model-2025"
    chunks = await collect(adapter, model, body())
    assert {chunk["model"] for chunk in chunks} == {"real-model-2025"}


@pytest.mark.parametrize("kind", KINDS)
async def test_stream_matches_the_whole_answer(
    kind: str, vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> None:
    adapter = await make_adapter(kind, base_url_for(kind, vendor_sim))
    model = "sim-model+words-12"
    whole = await adapter.chat(ChatRequest(model=model, body=body()), 5.0)
    chunks = await collect(adapter, model, body())
    assert len(chunks) > 5  # really streamed, not one lump
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    streamed = accumulate(chunks)
    assert streamed.choices[0].message.content == whole.body["choices"][0]["message"]["content"]
    assert streamed.choices[0].finish_reason == "stop"
    assert chunks[-1]["choices"] == []
    assert streamed.usage is not None
    assert streamed.usage.prompt_tokens == whole.usage.prompt_tokens
    assert streamed.usage.completion_tokens == whole.usage.completion_tokens


@pytest.mark.parametrize("kind", KINDS)
async def test_tool_calls_whole_and_streamed(
    kind: str, vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> None:
    adapter = await make_adapter(kind, base_url_for(kind, vendor_sim))
    payload = body("Weather in Paris?", tools=[TOOL], tool_choice="required")
    result = await adapter.chat(ChatRequest(model="sim-model", body=payload), 5.0)
    whole = ChatCompletion.model_validate(result.body).choices[0]
    streamed = accumulate(await collect(adapter, "sim-model", payload)).choices[0]
    for choice in (whole, streamed):
        assert choice.finish_reason == "tool_calls"
        assert choice.message.tool_calls is not None
        call = choice.message.tool_calls[0]
        assert call.function.name == "get_weather"
        arguments = orjson.loads(call.function.arguments)
        assert isinstance(arguments["city"], str)
        assert arguments["days"] >= 1
        assert call.id


@pytest.mark.parametrize("kind", KINDS)
async def test_tool_results_go_back_to_the_vendor(
    kind: str, vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> None:
    adapter = await make_adapter(kind, base_url_for(kind, vendor_sim))
    first = await adapter.chat(
        ChatRequest(model="sim-model", body=body("Weather?", tools=[TOOL], tool_choice="required")),
        5.0,
    )
    call = first.body["choices"][0]["message"]["tool_calls"][0]
    messages = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": '{"temp": 18}'},
    ]
    payload = {"messages": messages, "tools": [TOOL], "tool_choice": "none", "max_tokens": 100}
    second = await adapter.chat(ChatRequest(model="sim-model", body=payload), 5.0)
    assert second.body["choices"][0]["finish_reason"] == "stop"
    assert second.body["choices"][0]["message"]["content"]


@pytest.mark.parametrize("kind", ["openai", "gemini", "simulated"])
async def test_json_mode(
    kind: str, vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> None:
    adapter = await make_adapter(kind, base_url_for(kind, vendor_sim))
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"],
    }
    formats = [
        {"type": "json_object"},
        {"type": "json_schema", "json_schema": {"name": "a", "schema": schema}},
    ]
    for response_format in formats:
        payload = body(max_tokens=500, response_format=response_format)
        result = await adapter.chat(ChatRequest(model="sim-model", body=payload), 5.0)
        parsed = orjson.loads(result.body["choices"][0]["message"]["content"])
        assert isinstance(parsed, dict)
        if response_format["type"] == "json_schema":
            assert isinstance(parsed["answer"], str)


async def test_anthropic_json_mode_instruction_reaches_the_system_prompt(
    vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> None:
    adapter = await make_adapter("anthropic", vendor_sim.base_url)
    payload = body(response_format={"type": "json_object"})
    payload["messages"].insert(0, {"role": "system", "content": "You are terse."})
    result = await adapter.chat(ChatRequest(model="sim-model+leak-system", body=payload), 5.0)
    content = result.body["choices"][0]["message"]["content"]
    assert "You are terse." in content
    assert "JSON" in content


@pytest.mark.parametrize("kind", ["openai", "simulated"])
async def test_embeddings(
    kind: str, vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> None:
    adapter = await make_adapter(kind, vendor_sim.openai_base_url)
    request = EmbeddingRequest(
        model="embed-model", body={"input": ["a cat", "a dog"], "dimensions": 8}
    )
    result = await adapter.embed(request, 5.0)
    vectors = [item["embedding"] for item in result.body["data"]]
    assert [len(v) for v in vectors] == [8, 8]
    assert vectors[0] != vectors[1]
    assert result.usage.prompt_tokens > 0
    assert result.model == "embed-model"


async def test_anthropic_has_no_embeddings(
    vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> None:
    adapter = await make_adapter("anthropic", vendor_sim.base_url)
    with pytest.raises(UsageError, match="no embeddings"):
        await adapter.embed(EmbeddingRequest(model="m", body={"input": "x"}), 5.0)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("key", [None, "sk-wrong-key-987654"])
async def test_key_travels_in_the_vendor_header(
    kind: str, key: str | None, vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> None:
    wrong = await make_adapter(kind, base_url_for(kind, vendor_sim), api_key=key)
    with pytest.raises(ProviderHTTPError) as caught:
        await wrong.chat(ChatRequest(model="sim-model", body=body()), 5.0)
    assert caught.value.status == 401
    assert "API key" in caught.value.message
    if key:
        assert key not in caught.value.message
    right = await make_adapter(kind, base_url_for(kind, vendor_sim), api_key=SIM_KEY)
    assert (await right.chat(ChatRequest(model="sim-model", body=body()), 5.0)).body["choices"]
