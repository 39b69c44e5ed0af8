"""Existing OpenAI and Anthropic SDK code works against Confiance by changing base URL and key."""

from __future__ import annotations

import asyncio
import json

import anthropic
import openai
import pytest

from .conftest import Stack

USER = [{"role": "user", "content": "What is the capital of France?"}]


async def test_openai_async_chat_answers_with_trace_headers(stack: Stack) -> None:
    client = openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0)
    raw = await client.chat.completions.with_raw_response.create(model="chat", messages=USER)
    completion = raw.parse()
    assert completion.choices[0].message.content
    assert completion.usage is not None and completion.usage.completion_tokens > 0
    assert raw.headers["x-confiance-route"] == "chat"
    assert raw.headers["x-confiance-model"] == "gpt-4o"
    trace = await stack.trace(raw.headers["x-confiance-trace-id"])
    assert trace.route == "chat" and trace.provider == "sim" and trace.revision == 1
    assert trace.prompt_tokens == completion.usage.prompt_tokens
    assert trace.cost_usd == pytest.approx(
        (completion.usage.prompt_tokens * 2.5 + completion.usage.completion_tokens * 10) / 1e6
    )
    await client.close()


async def test_openai_sync_client_and_streaming(stack: Stack) -> None:
    # The sync SDK blocks: run it in a thread so the gateway's event loop keeps serving.
    await asyncio.to_thread(_sync_openai, stack)


def _sync_openai(stack: Stack) -> None:
    with openai.OpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as client:
        whole = client.chat.completions.create(model="chat", messages=USER, seed=7)
        pieces = []
        usage = None
        for chunk in client.chat.completions.create(
            model="chat",
            messages=USER,
            seed=7,
            stream=True,
            stream_options={"include_usage": True},
        ):
            if chunk.choices and chunk.choices[0].delta.content:
                pieces.append(chunk.choices[0].delta.content)
            if chunk.usage is not None:
                usage = chunk.usage
    assert len(pieces) > 1
    assert "".join(pieces) == whole.choices[0].message.content
    assert usage is not None and usage.completion_tokens == whole.usage.completion_tokens  # type: ignore[union-attr]


async def test_stream_without_include_usage_has_no_usage_chunk(stack: Stack) -> None:
    client = openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0)
    chunks = [
        c
        async for c in await client.chat.completions.create(
            model="chat", messages=USER, stream=True
        )
    ]
    assert all(c.choices for c in chunks), "a usage-only chunk the client did not ask for"
    assert all(c.usage is None for c in chunks)
    traces = await stack.traces()
    assert traces[-1].stream and traces[-1].completion_tokens > 0, "usage still traced"
    assert traces[-1].ttft_ms is not None and traces[-1].ttft_ms <= traces[-1].latency_ms
    await client.close()


async def test_tools_json_mode_and_n_pass_through(stack: Stack) -> None:
    client = openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0)
    tool = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
    called = await client.chat.completions.create(
        model="chat", messages=USER, tools=[tool], tool_choice="required"
    )
    calls = called.choices[0].message.tool_calls
    assert calls and calls[0].function.name == "get_weather"
    assert "city" in calls[0].function.arguments
    as_json = await client.chat.completions.create(
        model="chat", messages=USER, response_format={"type": "json_object"}
    )
    assert isinstance(json.loads(as_json.choices[0].message.content or ""), dict)
    several = await client.chat.completions.create(model="limited", messages=USER, n=2)
    assert len(several.choices) == 2
    await client.close()


async def test_embeddings_and_models_listing(stack: Stack) -> None:
    client = openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0)
    vectors = await client.embeddings.create(model="vectors", input=["a", "b"])
    assert len(vectors.data) == 2 and len(vectors.data[0].embedding) > 10
    listed = {m.id async for m in client.models.list()}
    assert {"chat", "vectors", "fallback"} <= listed
    narrow = openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.narrow_key, max_retries=0)
    assert [m.id async for m in narrow.models.list()] == ["echo"]
    await client.close()
    await narrow.close()


async def test_route_params_and_system_prompt_are_applied(stack: Stack) -> None:
    client = openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0)
    answer = await client.chat.completions.create(model="system", messages=USER)
    assert "You are the support bot of ACME." in (answer.choices[0].message.content or "")
    traces = await stack.traces()
    assert traces[-1].metadata["params"]["temperature"] == 0.2
    assert traces[-1].metadata["messages_count"] == 2, "route system prompt + user message"
    await client.close()


async def test_model_answered_is_what_the_vendor_said(stack: Stack) -> None:
    client = openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0)
    raw = await client.chat.completions.with_raw_response.create(model="renamed", messages=USER)
    assert raw.headers["x-confiance-model"] == "gpt-4o-2024-08-06"
    trace = await stack.trace(raw.headers["x-confiance-trace-id"])
    assert trace.model_requested == "gpt-4o+answer-as-gpt-4o-2024-08-06"
    assert trace.model_answered == "gpt-4o-2024-08-06"
    await client.close()


async def test_anthropic_sdk_through_messages_door_any_route(stack: Stack) -> None:
    client = anthropic.AsyncAnthropic(base_url=stack.url, api_key=stack.app_key, max_retries=0)
    message = await client.messages.create(
        model="echo", max_tokens=200, messages=[{"role": "user", "content": "Bonjour"}]
    )
    assert message.content[0].type == "text" and message.content[0].text == "Bonjour"
    assert message.usage.output_tokens > 0
    texts = []
    async with client.messages.stream(
        model="chat", max_tokens=200, messages=[{"role": "user", "content": "Tell me more"}]
    ) as stream:
        async for text in stream.text_stream:
            texts.append(text)
        final = await stream.get_final_message()
    assert len(texts) > 1 and final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0
    await client.close()


async def test_anthropic_sync_client_and_errors_in_anthropic_shape(stack: Stack) -> None:
    await asyncio.to_thread(_sync_anthropic, stack)


def _sync_anthropic(stack: Stack) -> None:
    with anthropic.Anthropic(base_url=stack.url, api_key=stack.app_key, max_retries=0) as client:
        reply = client.messages.create(
            model="fallback", max_tokens=50, messages=[{"role": "user", "content": "hi"}]
        )
        assert reply.content[0].type == "text"
        with pytest.raises(anthropic.NotFoundError) as missing:
            client.messages.create(
                model="nope", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
            )
        assert missing.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]
    with anthropic.Anthropic(base_url=stack.url, api_key="cf-bad", max_retries=0) as bad:
        with pytest.raises(anthropic.AuthenticationError):
            bad.messages.create(
                model="chat", max_tokens=5, messages=[{"role": "user", "content": "x"}]
            )
