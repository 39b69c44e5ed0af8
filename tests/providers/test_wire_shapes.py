"""What goes on the wire, seen from a scripted vendor: URLs, auth headers, stream switches,
Azure's shape, hang-ups on early close, keep-alive reuse, and edge cases of vendor answers."""

from __future__ import annotations

import asyncio
import base64
import struct
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import orjson
import pytest
from aiohttp import web

from confiance.domain.chat import ChatRequest, EmbeddingRequest
from confiance.errors import ConfigError, ProviderHTTPError, ProviderProtocolError
from confiance.providers.anthropic import ANTHROPIC_VERSION

from .support import MakeAdapter, ScriptedVendor

KEY = "sk-wire-key-42"
BODY = {"messages": [{"role": "user", "content": "Hello"}], "max_tokens": 10}

OPENAI_COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-answered",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}
ANTHROPIC_MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-answered",
    "content": [{"type": "text", "text": "Hi"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 1},
}
GEMINI_ANSWER = {
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "Hi"}]},
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1},
    "modelVersion": "gemini-answered",
}
ANSWERS = {"openai": OPENAI_COMPLETION, "anthropic": ANTHROPIC_MESSAGE, "gemini": GEMINI_ANSWER}


def sse(data: dict[str, Any] | bytes, event: str | None = None) -> bytes:
    payload = data if isinstance(data, bytes) else orjson.dumps(data)
    head = f"event: {event}\n".encode() if event else b""
    return head + b"data: " + payload + b"\n\n"


OPENAI_CHUNK = {
    "id": "c",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "tick"}, "finish_reason": None}],
}
STREAM_EVENTS = {
    "openai": [sse(OPENAI_CHUNK)],
    "anthropic": [
        sse(
            {"type": "message_start", "message": {**ANTHROPIC_MESSAGE, "content": []}},
            "message_start",
        ),
        sse(
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
            "content_block_start",
        ),
        sse(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": "tick"},
            },
            "content_block_delta",
        ),
    ],
    "gemini": [
        sse(
            {
                "candidates": [
                    {"content": {"role": "model", "parts": [{"text": "tick"}]}, "index": 0}
                ]
            }
        )
    ],
}
STREAM_ENDS = {
    "openai": [
        sse({**OPENAI_CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
        sse(b"[DONE]"),
    ],
    "anthropic": [
        sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
        sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": 1},
            },
            "message_delta",
        ),
        sse({"type": "message_stop"}, "message_stop"),
    ],
    "gemini": [
        sse(
            {
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": "."}]},
                        "finishReason": "STOP",
                        "index": 0,
                    }
                ]
            }
        )
    ],
}


def answer_with(payload: object, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=orjson.dumps(payload),
            status=status,
            headers=headers,
            content_type="application/json",
        )

    return handler


def stream_of(events: list[bytes]) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for event in events:
            await response.write(event)
        await response.write_eof()
        return response

    return handler


@pytest.mark.parametrize(
    ("kind", "suffix", "path", "auth"),
    [
        ("openai", "/v1", "/v1/chat/completions", ("authorization", f"Bearer {KEY}")),
        ("anthropic", "", "/v1/messages", ("x-api-key", KEY)),
        ("anthropic", "/v1", "/v1/messages", ("x-api-key", KEY)),
        ("gemini", "", "/v1beta/models/gem-1:generateContent", ("x-goog-api-key", KEY)),
        ("gemini", "/v1beta", "/v1beta/models/gem-1:generateContent", ("x-goog-api-key", KEY)),
    ],
)
async def test_url_and_auth_header(
    kind: str,
    suffix: str,
    path: str,
    auth: tuple[str, str],
    scripted_vendor: ScriptedVendor,
    make_adapter: MakeAdapter,
) -> None:
    scripted_vendor.handler = answer_with(ANSWERS[kind])
    adapter = await make_adapter(
        kind, scripted_vendor.base_url + suffix, api_key=KEY, headers={"X-Team": "search"}
    )
    request = ChatRequest(model="gem-1", body=BODY, headers={"traceparent": "00-abc-def-01"})
    result = await adapter.chat(request, 5.0)
    assert result.model.endswith("-answered")
    seen_path, headers, _ = scripted_vendor.seen[0]
    assert seen_path == path
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower[auth[0]] == auth[1]
    assert lower["x-team"] == "search"
    assert lower["traceparent"] == "00-abc-def-01"
    assert lower["content-type"] == "application/json"
    other_auth = {"authorization", "x-api-key", "x-goog-api-key", "api-key"} - {auth[0]}
    assert not other_auth & set(lower)
    assert KEY not in seen_path
    if kind == "anthropic":
        assert lower["anthropic-version"] == ANTHROPIC_VERSION


async def test_azure_shape(scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter) -> None:
    scripted_vendor.handler = answer_with(OPENAI_COMPLETION)
    deployment = scripted_vendor.base_url + "/openai/deployments/gpt-4o-mini"
    adapter = await make_adapter(
        "openai", deployment, api_key=KEY, azure=True, api_version="2024-10-21"
    )
    await adapter.chat(ChatRequest(model="gpt-4o-mini", body=BODY), 5.0)
    scripted_vendor.handler = answer_with({"object": "list", "data": [], "model": "e"})
    await adapter.embed(EmbeddingRequest(model="emb", body={"input": "x"}), 5.0)
    (chat_path, chat_headers, _), (embed_path, _, _) = scripted_vendor.seen
    assert chat_path == "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
    assert embed_path == "/openai/deployments/gpt-4o-mini/embeddings?api-version=2024-10-21"
    lower = {k.lower(): v for k, v in chat_headers.items()}
    assert lower["api-key"] == KEY
    assert "authorization" not in lower


async def test_azure_without_api_version_is_a_config_error(
    scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    with pytest.raises(ConfigError, match="api_version"):
        await make_adapter("openai", scripted_vendor.base_url, azure=True)


async def test_openai_stream_switches(
    scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    scripted_vendor.handler = stream_of(STREAM_EVENTS["openai"] + STREAM_ENDS["openai"])
    adapter = await make_adapter("openai", scripted_vendor.base_url)
    body = {
        **BODY,
        "stream_options": {"other": 1},
        "tools": [{"type": "function", "function": {"name": "f"}}],
        "seed": 3,
        "logprobs": True,
    }
    chunks = [c async for c in adapter.stream(ChatRequest(model="m", body=body, stream=True), 5)]
    assert [c["choices"][0]["finish_reason"] for c in chunks] == [None, "stop"]
    sent = orjson.loads(scripted_vendor.seen[0][2])
    assert sent["stream"] is True
    assert sent["stream_options"] == {"other": 1, "include_usage": True}
    assert (sent["seed"], sent["logprobs"], sent["tools"]) == (3, True, body["tools"])
    assert sent["model"] == "m"
    scripted_vendor.handler = answer_with(OPENAI_COMPLETION)
    await adapter.chat(ChatRequest(model="m", body={**BODY, "stream": True}), 5)
    whole = orjson.loads(scripted_vendor.seen[1][2])
    assert "stream" not in whole
    assert "stream_options" not in whole


@pytest.mark.parametrize("kind", ["openai", "anthropic", "gemini"])
async def test_early_close_hangs_up_on_the_vendor(
    kind: str, scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    events = STREAM_EVENTS[kind]

    async def endless(request: web.Request) -> web.StreamResponse:
        return await scripted_vendor.stream_forever(request, events)

    scripted_vendor.handler = endless
    adapter = await make_adapter(kind, scripted_vendor.base_url)
    stream = adapter.stream(ChatRequest(model="m", body=BODY, stream=True), 5.0)
    received = [await anext(stream) for _ in range(3)]
    assert all(c["object"] == "chat.completion.chunk" for c in received)
    assert not scripted_vendor.client_gone.is_set()
    await stream.aclose()
    await asyncio.wait_for(scripted_vendor.client_gone.wait(), 2.0)


async def test_cancelled_consumer_hangs_up_too(
    scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        return await scripted_vendor.stream_forever(request, STREAM_EVENTS["openai"])

    scripted_vendor.handler = endless
    adapter = await make_adapter("openai", scripted_vendor.base_url)

    async def consume() -> None:
        async for _ in adapter.stream(ChatRequest(model="m", body=BODY, stream=True), 5.0):
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(scripted_vendor.client_gone.wait(), 2.0)


@pytest.mark.parametrize("kind", ["openai", "anthropic", "gemini"])
async def test_finished_streams_reuse_the_connection(
    kind: str, scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    scripted_vendor.handler = stream_of(STREAM_EVENTS[kind] + STREAM_ENDS[kind])
    adapter = await make_adapter(kind, scripted_vendor.base_url)
    for _ in range(3):
        chunks = [c async for c in adapter.stream(ChatRequest(model="m", body=BODY), 5.0)]
        assert chunks
    assert len(scripted_vendor.peers) == 3
    assert len(set(scripted_vendor.peers)) == 1  # one keep-alive connection served all three


async def test_retry_after_as_http_date(
    scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    scripted_vendor.handler = answer_with(
        {"error": {"message": "slow down"}}, 503, {"Retry-After": when}
    )
    adapter = await make_adapter("openai", scripted_vendor.base_url)
    with pytest.raises(ProviderHTTPError) as caught:
        await adapter.chat(ChatRequest(model="m", body=BODY), 5.0)
    assert caught.value.status == 503
    assert caught.value.retry_after is not None
    assert 25 <= caught.value.retry_after <= 30
    assert "slow down" in caught.value.message


async def test_gemini_retry_delay_in_the_body(
    scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    error = {
        "error": {
            "code": 429,
            "message": "Quota exceeded",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "17s"}],
        }
    }
    scripted_vendor.handler = answer_with(error, 429)
    adapter = await make_adapter("gemini", scripted_vendor.base_url)
    with pytest.raises(ProviderHTTPError) as caught:
        await adapter.chat(ChatRequest(model="m", body=BODY), 5.0)
    assert (caught.value.status, caught.value.retry_after) == (429, 17.0)


async def test_error_body_is_capped_at_2kb(
    scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    scripted_vendor.handler = answer_with({"error": {"message": "x" * 10_000}}, 500)
    adapter = await make_adapter("openai", scripted_vendor.base_url)
    with pytest.raises(ProviderHTTPError) as caught:
        await adapter.chat(ChatRequest(model="m", body=BODY), 5.0)
    assert len(caught.value.body) == 2048


@pytest.mark.parametrize(
    ("kind", "event", "status"),
    [
        ("openai", sse({"error": {"message": "upstream overloaded", "code": 503}}), 503),
        (
            "anthropic",
            sse(
                {
                    "type": "error",
                    "error": {"type": "overloaded_error", "message": "upstream overloaded"},
                },
                "error",
            ),
            529,
        ),
        ("gemini", sse({"error": {"code": 500, "message": "upstream overloaded"}}), 500),
    ],
)
async def test_error_event_mid_stream(
    kind: str,
    event: bytes,
    status: int,
    scripted_vendor: ScriptedVendor,
    make_adapter: MakeAdapter,
) -> None:
    scripted_vendor.handler = stream_of([*STREAM_EVENTS[kind], event])
    adapter = await make_adapter(kind, scripted_vendor.base_url)
    received: list[dict[str, Any]] = []
    with pytest.raises(ProviderHTTPError) as caught:
        await collect_into(adapter, received)
    assert received
    assert caught.value.status == status
    assert "upstream overloaded" in caught.value.message


async def collect_into(adapter: Any, received: list[dict[str, Any]]) -> None:
    async for chunk in adapter.stream(ChatRequest(model="m", body=BODY, stream=True), 5.0):
        received.append(chunk)


@pytest.mark.parametrize("kind", ["openai", "anthropic", "gemini"])
@pytest.mark.parametrize(
    "answer",
    [
        b'{"id": "x", "object": "chat.completion"}',  # JSON where a stream was asked for
        b"<html><body>502 Bad Gateway</body></html>",
        b"data: {not json\n\n",
    ],
)
async def test_stream_garbage_is_a_protocol_error(
    kind: str, answer: bytes, scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    async def garbage(request: web.Request) -> web.StreamResponse:
        return web.Response(body=answer, content_type="text/event-stream")

    scripted_vendor.handler = garbage
    adapter = await make_adapter(kind, scripted_vendor.base_url)
    with pytest.raises(ProviderProtocolError, match="malformed event stream"):
        await collect_into(adapter, [])


@pytest.mark.parametrize("kind", ["openai", "anthropic", "gemini"])
async def test_stream_cut_short_is_a_protocol_error(
    kind: str, scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    scripted_vendor.handler = stream_of(STREAM_EVENTS[kind])  # clean end, but no terminal event
    adapter = await make_adapter(kind, scripted_vendor.base_url)
    with pytest.raises(ProviderProtocolError, match="ended before"):
        await collect_into(adapter, [])


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("openai", {"object": "chat.completion"}),
        ("openai", [1, 2]),
        ("anthropic", {"type": "message"}),
        ("gemini", {"usageMetadata": {}}),
    ],
)
async def test_whole_answer_of_the_wrong_shape(
    kind: str, payload: object, scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    scripted_vendor.handler = answer_with(payload)
    adapter = await make_adapter(kind, scripted_vendor.base_url)
    with pytest.raises(ProviderProtocolError):
        await adapter.chat(ChatRequest(model="m", body=BODY), 5.0)


@pytest.mark.parametrize("encoding", ["float", "base64"])
async def test_gemini_embeddings(
    encoding: str, scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    scripted_vendor.handler = answer_with(
        {"embeddings": [{"values": [0.5, -1.0, 2.0]}, {"values": [0.25, 0.0, 1.0]}]}
    )
    adapter = await make_adapter("gemini", scripted_vendor.base_url, api_key=KEY)
    body = {"input": ["a", "b"], "dimensions": 3, "encoding_format": encoding}
    result = await adapter.embed(EmbeddingRequest(model="text-embedding-004", body=body), 5.0)
    path, _, raw = scripted_vendor.seen[0]
    assert path == "/v1beta/models/text-embedding-004:batchEmbedContents"
    sent = orjson.loads(raw)
    assert sent["requests"][1] == {
        "model": "models/text-embedding-004",
        "content": {"parts": [{"text": "b"}]},
        "outputDimensionality": 3,
    }
    vectors = [item["embedding"] for item in result.body["data"]]
    if encoding == "base64":
        vectors = [list(struct.unpack("<3f", base64.b64decode(v))) for v in vectors]
    assert vectors == [[0.5, -1.0, 2.0], [0.25, 0.0, 1.0]]
