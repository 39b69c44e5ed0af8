"""OpenAI ↔ Gemini translations, with answers checked against the OpenAI SDK's types."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from confiance.errors import UsageError
from confiance.providers.gemini_format import (
    GeminiChunkTranslator,
    gemini_to_openai_response,
    openai_to_gemini_request,
)
from confiance.providers.sse import SSEEvent, SSEFormatError, VendorStreamError

TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "additionalProperties": False,
        },
    },
}
MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "Weather?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        ],
    },
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 18}'},
    {"role": "tool", "tool_call_id": "call_1", "content": "plain text"},
    {"role": "user", "content": "Thanks"},
]


def test_messages_become_contents() -> None:
    request = openai_to_gemini_request({"messages": MESSAGES, "tools": [TOOL]})
    assert request["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    contents = request["contents"]
    assert [c["role"] for c in contents] == ["user", "model", "user"]
    assert contents[0]["parts"] == [
        {"text": "Weather?"},
        {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
    ]
    assert contents[1]["parts"] == [
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}
    ]
    assert contents[2]["parts"] == [
        {"functionResponse": {"name": "get_weather", "response": {"temp": 18}}},
        {"functionResponse": {"name": "get_weather", "response": {"content": "plain text"}}},
        {"text": "Thanks"},
    ]
    declaration = request["tools"][0]["functionDeclarations"][0]
    assert declaration["name"] == "get_weather"
    assert declaration["parametersJsonSchema"] == TOOL["function"]["parameters"]


def test_generation_config() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    body = {
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 64,
        "temperature": 0.3,
        "top_p": 0.8,
        "stop": "END",
        "n": 2,
        "seed": 7,
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
    }
    config = openai_to_gemini_request(body)["generationConfig"]
    assert config == {
        "maxOutputTokens": 64,
        "temperature": 0.3,
        "topP": 0.8,
        "stopSequences": ["END"],
        "candidateCount": 2,
        "seed": 7,
        "responseMimeType": "application/json",
        "responseJsonSchema": schema,
    }
    plain = openai_to_gemini_request({"messages": [{"role": "user", "content": "hi"}]})
    assert "generationConfig" not in plain


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", {"mode": "AUTO"}),
        ("none", {"mode": "NONE"}),
        ("required", {"mode": "ANY"}),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"mode": "ANY", "allowedFunctionNames": ["get_weather"]},
        ),
    ],
)
def test_tool_choice(choice: object, expected: dict[str, object]) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}], "tools": [TOOL], "tool_choice": choice}
    assert openai_to_gemini_request(body)["toolConfig"] == {"functionCallingConfig": expected}


@pytest.mark.parametrize(
    ("messages", "fragment"),
    [
        ([], "non-empty list"),
        ([{"role": "tool", "tool_call_id": "nope", "content": "x"}], "matches no earlier"),
        ([{"role": "user", "content": 5}], "messages[0].content"),
        ([{"role": "bot", "content": "x"}], "messages[0].role"),
    ],
)
def test_bad_input_names_the_field(messages: list[object], fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        openai_to_gemini_request({"messages": messages})
    assert fragment in caught.value.message


ANSWER = {
    "responseId": "resp-1",
    "modelVersion": "gemini-x-001",
    "candidates": [
        {
            "index": 0,
            "content": {
                "role": "model",
                "parts": [
                    {"text": "thinking...", "thought": True},
                    {"text": "It is "},
                    {"text": "sunny."},
                    {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
                ],
            },
            "finishReason": "STOP",
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 11,
        "candidatesTokenCount": 4,
        "thoughtsTokenCount": 3,
        "totalTokenCount": 18,
    },
}


def test_answer_becomes_a_valid_openai_completion() -> None:
    completion = ChatCompletion.model_validate(gemini_to_openai_response(ANSWER, "asked"))
    assert completion.id == "resp-1"
    assert completion.model == "gemini-x-001"
    choice = completion.choices[0]
    assert choice.message.content == "It is sunny."
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert orjson.loads(call.function.arguments) == {"city": "Paris"}
    assert call.id
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (11, 7)


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("OTHER", "stop"),
    ],
)
def test_finish_reasons(reason: str, expected: str) -> None:
    answer = {"candidates": [{"content": {"parts": [{"text": "x"}]}, "finishReason": reason}]}
    assert gemini_to_openai_response(answer, "m")["choices"][0]["finish_reason"] == expected


def test_blocked_prompt_is_a_filtered_empty_answer_and_nonsense_is_rejected() -> None:
    blocked = gemini_to_openai_response({"promptFeedback": {"blockReason": "SAFETY"}}, "m")
    assert blocked["choices"][0]["finish_reason"] == "content_filter"
    assert blocked["choices"][0]["message"]["content"] == ""
    with pytest.raises(ValueError, match="no candidates"):
        gemini_to_openai_response({"something": "else"}, "m")


def events(*payloads: dict[str, Any]) -> list[SSEEvent]:
    return [SSEEvent("message", orjson.dumps(p)) for p in payloads]


def part_event(parts: list[dict[str, Any]], finish: str | None = None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "modelVersion": "gemini-x-001",
        "responseId": "r1",
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 2},
    }


def test_stream_accumulates_in_the_openai_sdk() -> None:
    translator = GeminiChunkTranslator("asked")
    stream = events(
        part_event([{"text": "Hel"}]),
        part_event([{"text": "lo"}]),
        part_event([{"functionCall": {"name": "f", "args": {"x": 1}}}]),
        {
            **part_event([], "STOP"),
            "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 9},
        },
    )
    chunks = [c for e in stream for c in translator.feed(e)] + translator.finish()
    state: ChatCompletionStreamState[Any] = ChatCompletionStreamState()
    for item in chunks:
        state.handle_chunk(ChatCompletionChunk.model_validate(item))
    completion = state.get_final_completion()
    choice = completion.choices[0]
    assert choice.message.content == "Hello"
    assert choice.message.tool_calls is not None
    assert choice.message.tool_calls[0].function.name == "f"
    assert orjson.loads(choice.message.tool_calls[0].function.arguments) == {"x": 1}
    assert choice.finish_reason == "tool_calls"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (5, 9)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"] == []
    assert completion.model == "gemini-x-001"


def test_stream_without_finish_reason_is_incomplete() -> None:
    translator = GeminiChunkTranslator("m")
    translator.feed(events(part_event([{"text": "partial"}]))[0])
    with pytest.raises(SSEFormatError, match="finishReason"):
        translator.finish()


def test_error_in_stream_carries_its_status() -> None:
    data = {"error": {"code": 503, "message": "The model is overloaded", "status": "UNAVAILABLE"}}
    with pytest.raises(VendorStreamError) as caught:
        GeminiChunkTranslator("m").feed(events(data)[0])
    assert caught.value.status == 503
    assert "overloaded" in caught.value.message


def test_thought_signatures_survive_the_round_trip_through_tool_call_ids() -> None:
    answer = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {
                            "functionCall": {"name": "f", "args": {"x": 1}},
                            "thoughtSignature": "c2lnbmF0dXJl",
                        },
                    ],
                },
                "finishReason": "STOP",
            }
        ]
    }
    call = gemini_to_openai_response(answer, "m")["choices"][0]["message"]["tool_calls"][0]
    messages = [
        {"role": "user", "content": "go"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": "done"},
    ]
    contents = openai_to_gemini_request({"messages": messages})["contents"]
    assert contents[1]["parts"] == [
        {"functionCall": {"name": "f", "args": {"x": 1}}, "thoughtSignature": "c2lnbmF0dXJl"}
    ]
    assert contents[2]["parts"][0]["functionResponse"]["name"] == "f"
