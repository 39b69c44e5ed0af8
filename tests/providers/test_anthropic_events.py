"""Stream translation both ways, checked with the vendors' own SDK accumulators: OpenAI chunks →
Anthropic events (the front door) → OpenAI chunks again (the adapter)."""

from __future__ import annotations

from typing import Any

import anthropic.types
import orjson
import pytest
from anthropic.lib.streaming._messages import accumulate_event
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import TypeAdapter

from confiance.providers.anthropic_events import AnthropicChunkTranslator, AnthropicStreamWriter
from confiance.providers.sse import SSEEvent, SSEFormatError, VendorStreamError

EVENT = TypeAdapter(anthropic.types.RawMessageStreamEvent)


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-9",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-x",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


OPENAI_CHUNKS = [
    chunk({"role": "assistant", "content": ""}),
    chunk({"content": "Hello"}),
    chunk({"content": ", world"}),
    chunk(
        {
            "tool_calls": [
                {
                    "index": 0,
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "lookup", "arguments": ""},
                }
            ]
        }
    ),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"q": '}}]}),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"cats"}'}}]}),
    chunk(
        {
            "tool_calls": [
                {
                    "index": 1,
                    "id": "call_b",
                    "type": "function",
                    "function": {"name": "other", "arguments": "{}"},
                }
            ]
        }
    ),
    chunk({}, "tool_calls"),
    {
        **chunk({}),
        "choices": [],
        "usage": {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20},
    },
]


def write_events(chunks: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    writer = AnthropicStreamWriter("support-bot")
    events = [event for c in chunks for event in writer.feed(c)]
    return events + writer.finish()


def test_writer_events_accumulate_to_the_message_in_the_anthropic_sdk() -> None:
    events = write_events(OPENAI_CHUNKS)
    assert events[0][0] == "message_start"
    assert events[-1][0] == "message_stop"
    snapshot = None
    json_bufs: dict[int, bytes] = {}
    for name, data in events:
        parsed = EVENT.validate_python(data)
        assert parsed.type == name
        snapshot = accumulate_event(event=parsed, current_snapshot=snapshot, json_bufs=json_bufs)
    assert snapshot is not None
    assert snapshot.model == "support-bot"
    text, first, second = snapshot.content
    assert text.type == "text"
    assert text.text == "Hello, world"
    assert first.type == "tool_use"
    assert (first.id, first.name, first.input) == ("call_a", "lookup", {"q": "cats"})
    assert second.type == "tool_use"
    assert (second.id, second.name, second.input) == ("call_b", "other", {})
    assert snapshot.stop_reason == "tool_use"
    assert (snapshot.usage.input_tokens, snapshot.usage.output_tokens) == (12, 8)


def test_blocks_are_opened_and_closed_in_order() -> None:
    sequence = [(name, data.get("index")) for name, data in write_events(OPENAI_CHUNKS)]
    assert sequence == [
        ("message_start", None),
        ("content_block_start", 0),
        ("content_block_delta", 0),
        ("content_block_delta", 0),
        ("content_block_stop", 0),
        ("content_block_start", 1),
        ("content_block_delta", 1),
        ("content_block_delta", 1),
        ("content_block_stop", 1),
        ("content_block_start", 2),
        ("content_block_delta", 2),
        ("content_block_stop", 2),
        ("message_delta", None),
        ("message_stop", None),
    ]


def test_empty_stream_still_produces_a_complete_message() -> None:
    names = [name for name, _ in write_events([])]
    assert names == ["message_start", "message_delta", "message_stop"]


def to_sse(events: list[tuple[str, dict[str, Any]]]) -> list[SSEEvent]:
    return [SSEEvent(name, orjson.dumps(data)) for name, data in events]


def test_round_trip_back_to_openai_chunks() -> None:
    translator = AnthropicChunkTranslator("fallback-model", created=5)
    state: ChatCompletionStreamState[Any] = ChatCompletionStreamState()
    out: list[dict[str, Any]] = []
    for event in to_sse(write_events(OPENAI_CHUNKS)):
        assert not translator.done
        out.extend(translator.feed(event))
    assert translator.done
    out.extend(translator.finish())
    for item in out:
        state.handle_chunk(ChatCompletionChunk.model_validate(item))
    completion = ChatCompletion.model_validate(state.get_final_completion().model_dump())
    message = completion.choices[0].message
    assert message.content == "Hello, world"
    assert message.tool_calls is not None
    assert [
        (c.id, c.function.name, orjson.loads(c.function.arguments)) for c in message.tool_calls
    ] == [("call_a", "lookup", {"q": "cats"}), ("call_b", "other", {})]
    assert completion.choices[0].finish_reason == "tool_calls"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (12, 8)
    assert out[-1]["choices"] == []  # usage rides on the last chunk, as include_usage promises
    assert completion.model == "support-bot"  # the model named by message_start


def test_error_event_carries_the_vendor_status() -> None:
    translator = AnthropicChunkTranslator("m")
    data = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    with pytest.raises(VendorStreamError) as caught:
        translator.feed(SSEEvent("error", orjson.dumps(data)))
    assert caught.value.status == 529
    assert "Overloaded" in caught.value.message


def test_stream_cut_before_message_stop_is_a_format_error() -> None:
    translator = AnthropicChunkTranslator("m")
    for event in to_sse(write_events(OPENAI_CHUNKS)[:4]):
        translator.feed(event)
    with pytest.raises(SSEFormatError, match="message_stop"):
        translator.finish()


@pytest.mark.parametrize(
    "data",
    [b"not json", b"[1, 2]", b'{"type": "message_start"}', b'{"type": "content_block_delta"}'],
)
def test_garbage_events_are_rejected(data: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  (SSEFormatError and JSON errors alike)
        AnthropicChunkTranslator("m").feed(SSEEvent("message", data))
