"""Anthropic ↔ OpenAI request and response translations, checked against both vendors' SDK
types and by round trips."""

from __future__ import annotations

import anthropic.types
import openai.types.chat
import orjson
import pytest

from confiance.errors import UsageError
from confiance.providers.anthropic_format import (
    DEFAULT_MAX_TOKENS,
    anthropic_request_to_openai,
    anthropic_to_openai_response,
    openai_response_to_anthropic,
    openai_to_anthropic_request,
)

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}

CONVERSATION = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Weather in Paris and Lyon?"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
            },
            {
                "id": "call_2",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city":"Lyon"}'},
            },
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
    {"role": "tool", "tool_call_id": "call_2", "content": "21C"},
    {"role": "user", "content": "Thanks. Which is warmer?"},
]


def test_conversation_with_tools_translates_to_anthropic_turns() -> None:
    body = {"model": "route", "messages": CONVERSATION, "tools": [WEATHER_TOOL], "stop": "END"}
    request = openai_to_anthropic_request(body, "claude-x")
    assert request["model"] == "claude-x"
    assert request["system"] == "Be brief."
    assert request["max_tokens"] == DEFAULT_MAX_TOKENS
    assert request["stop_sequences"] == ["END"]
    assert request["tools"] == [
        {
            "name": "get_weather",
            "description": "Weather for a city",
            "input_schema": WEATHER_TOOL["function"]["parameters"],
        }
    ]
    assert [m["role"] for m in request["messages"]] == ["user", "assistant", "user"]
    assistant = request["messages"][1]["content"]
    assert assistant == [
        {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "call_2", "name": "get_weather", "input": {"city": "Lyon"}},
    ]
    # Both tool results and the follow-up question form one user turn, results first.
    assert request["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "call_1", "content": "18C"},
        {"type": "tool_result", "tool_use_id": "call_2", "content": "21C"},
        {"type": "text", "text": "Thanks. Which is warmer?"},
    ]


@pytest.mark.parametrize(
    ("choice", "parallel", "expected"),
    [
        ("auto", None, {"type": "auto"}),
        ("none", None, {"type": "none"}),
        ("required", None, {"type": "any"}),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            None,
            {"type": "tool", "name": "get_weather"},
        ),
        ("required", False, {"type": "any", "disable_parallel_tool_use": True}),
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
    ],
)
def test_tool_choice(choice: object, parallel: object, expected: dict[str, object]) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}], "tools": [WEATHER_TOOL]}
    if choice is not None:
        body["tool_choice"] = choice
    if parallel is not None:
        body["parallel_tool_calls"] = parallel
    assert openai_to_anthropic_request(body, "m")["tool_choice"] == expected


def test_sampling_parameters_and_limits() -> None:
    body = {
        "messages": [{"role": "developer", "content": "dev"}, {"role": "user", "content": "hi"}],
        "max_completion_tokens": 99,
        "temperature": 0.2,
        "top_p": 0.9,
        "stop": ["a", "b"],
        "user": "u-1",
        "seed": 4,
        "presence_penalty": 1.0,
    }
    request = openai_to_anthropic_request(body, "m")
    assert request["max_tokens"] == 99
    assert (request["temperature"], request["top_p"]) == (0.2, 0.9)
    assert request["stop_sequences"] == ["a", "b"]
    assert request["metadata"] == {"user_id": "u-1"}
    assert request["system"] == "dev"
    assert "seed" not in request
    assert "presence_penalty" not in request


def test_json_mode_asks_for_json_in_the_system_prompt() -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}}
    body = {
        "messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "hi"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "a", "schema": schema}},
    }
    system = openai_to_anthropic_request(body, "m")["system"]
    assert system.startswith("S\n\n")
    assert "JSON" in system
    assert orjson.dumps(schema).decode() in system
    plain = openai_to_anthropic_request({**body, "response_format": {"type": "text"}}, "m")
    assert plain["system"] == "S"


def test_images_become_image_blocks() -> None:
    content = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
    ]
    request = openai_to_anthropic_request({"messages": [{"role": "user", "content": content}]}, "m")
    blocks = request["messages"][0]["content"]
    assert blocks[1] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
    }
    assert blocks[2] == {
        "type": "image",
        "source": {"type": "url", "url": "https://example.com/cat.jpg"},
    }


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"messages": []}, "messages must be a non-empty list"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        ({"messages": [{"role": "user", "content": "x"}], "n": 2}, "n=2"),
        (
            {
                "messages": [
                    {
                        "role": "assistant",
                        "tool_calls": [
                            {"id": "c", "function": {"name": "f", "arguments": "{oops"}}
                        ],
                    }
                ]
            },
            "messages[0].tool_calls[0].function.arguments is not valid JSON",
        ),
        ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0].tool_call_id"),
        (
            {"messages": [{"role": "user", "content": [{"type": "input_audio"}]}]},
            "messages[0].content[0]",
        ),
        ({"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "web"}]}, "tools[0]"),
    ],
)
def test_bad_openai_input_names_the_field(body: dict[str, object], fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        openai_to_anthropic_request(body, "m")
    assert fragment in caught.value.message


ANTHROPIC_MESSAGE = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-x-20250101",
    "content": [
        {"type": "thinking", "thinking": "hmm", "signature": "sig"},
        {"type": "text", "text": "Let me check."},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 10,
        "output_tokens": 7,
        "cache_read_input_tokens": 5,
        "cache_creation_input_tokens": 2,
    },
}


def test_anthropic_message_becomes_a_valid_openai_completion() -> None:
    body = anthropic_to_openai_response(ANTHROPIC_MESSAGE, created=1700000000)
    completion = openai.types.chat.ChatCompletion.model_validate(body)
    message = completion.choices[0].message
    assert completion.model == "claude-x-20250101"
    assert message.content == "Let me check."
    assert completion.choices[0].finish_reason == "tool_calls"
    assert message.tool_calls is not None
    call = message.tool_calls[0]
    assert (call.id, call.function.name) == ("toolu_1", "get_weather")
    assert orjson.loads(call.function.arguments) == {"city": "Paris"}
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (17, 7)
    assert completion.usage.prompt_tokens_details is not None
    assert completion.usage.prompt_tokens_details.cached_tokens == 5


@pytest.mark.parametrize(
    ("stop_reason", "finish_reason"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
    ],
)
def test_stop_reasons_round_trip(stop_reason: str, finish_reason: str) -> None:
    message = {**ANTHROPIC_MESSAGE, "stop_reason": stop_reason}
    completion = anthropic_to_openai_response(message)
    assert completion["choices"][0]["finish_reason"] == finish_reason
    back = openai_response_to_anthropic(completion, "route")
    expected = "end_turn" if stop_reason == "stop_sequence" else stop_reason
    assert back["stop_reason"] == expected


def test_message_without_content_is_rejected() -> None:
    with pytest.raises(ValueError, match="content"):
        anthropic_to_openai_response({"id": "x", "type": "message"})


# --- front door: Anthropic requests in, Anthropic answers out ----------------------------------

ANTHROPIC_REQUEST = {
    "model": "support-bot",
    "max_tokens": 256,
    "system": [{"type": "text", "text": "Be brief."}],
    "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Checking."},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "get_weather",
                    "input": {"city": "Paris"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": [{"type": "text", "text": "18C"}],
                },
                {"type": "text", "text": "And tomorrow?"},
            ],
        },
    ],
    "tools": [
        {
            "name": "get_weather",
            "description": "Weather for a city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
        }
    ],
    "tool_choice": {"type": "any", "disable_parallel_tool_use": True},
    "stop_sequences": ["END"],
    "temperature": 0.5,
    "metadata": {"user_id": "u-9"},
    "stream": True,
}


def test_anthropic_request_becomes_openai_request() -> None:
    body = anthropic_request_to_openai(ANTHROPIC_REQUEST)
    assert body["model"] == "support-bot"
    assert body["max_tokens"] == 256
    assert body["stop"] == ["END"]
    assert body["user"] == "u-9"
    assert body["stream"] is True
    assert body["tool_choice"] == "required"
    assert body["parallel_tool_calls"] is False
    assert body["tools"][0]["function"]["parameters"]["properties"] == {"city": {"type": "string"}}
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "user"]
    assistant = body["messages"][2]
    assert assistant["content"] == "Checking."
    assert orjson.loads(assistant["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}
    assert body["messages"][3] == {"role": "tool", "tool_call_id": "toolu_1", "content": "18C"}
    assert body["messages"][4] == {"role": "user", "content": "And tomorrow?"}


def test_anthropic_request_round_trips_through_openai() -> None:
    back = openai_to_anthropic_request(anthropic_request_to_openai(ANTHROPIC_REQUEST), "claude-x")
    assert back["system"] == "Be brief."
    assert back["max_tokens"] == ANTHROPIC_REQUEST["max_tokens"]
    assert back["stop_sequences"] == ANTHROPIC_REQUEST["stop_sequences"]
    assert back["tools"] == ANTHROPIC_REQUEST["tools"]
    assert back["tool_choice"] == ANTHROPIC_REQUEST["tool_choice"]
    assert back["metadata"] == ANTHROPIC_REQUEST["metadata"]
    original = ANTHROPIC_REQUEST["messages"]
    assert back["messages"][0]["content"] == [{"type": "text", "text": original[0]["content"]}]
    assert back["messages"][1]["content"] == original[1]["content"]
    assert back["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
        {"type": "text", "text": "And tomorrow?"},
    ]


def test_openai_request_round_trips_through_anthropic() -> None:
    body = {"model": "m", "messages": CONVERSATION, "tools": [WEATHER_TOOL], "max_tokens": 50}
    anthropic_body = openai_to_anthropic_request(body, "m")
    back = anthropic_request_to_openai(anthropic_body)
    assert back["messages"][0] == CONVERSATION[0]
    assert back["messages"][1] == CONVERSATION[1]
    assert back["messages"][2] == CONVERSATION[2]
    assert back["messages"][3:] == CONVERSATION[3:]
    assert back["tools"] == [WEATHER_TOOL]


def test_anthropic_images_and_errors() -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/gif", "data": "R0"}}
    body = {"model": "m", "messages": [{"role": "user", "content": [image]}]}
    part = anthropic_request_to_openai(body)["messages"][0]["content"][0]
    assert part == {"type": "image_url", "image_url": {"url": "data:image/gif;base64,R0"}}
    with pytest.raises(UsageError, match=r"messages\[0\]\.content\[0\]"):
        anthropic_request_to_openai(
            {"model": "m", "messages": [{"role": "user", "content": [{"type": "document"}]}]}
        )
    with pytest.raises(UsageError, match="model is required"):
        anthropic_request_to_openai({"messages": [{"role": "user", "content": "x"}]})
    with pytest.raises(UsageError, match=r"messages\[0\]"):
        anthropic_request_to_openai(
            {"model": "m", "messages": [{"role": "system", "content": "x"}]}
        )


def test_openai_completion_becomes_a_valid_anthropic_message() -> None:
    completion = anthropic_to_openai_response(ANTHROPIC_MESSAGE)
    message = anthropic.types.Message.model_validate(
        openai_response_to_anthropic(completion, "support-bot")
    )
    assert message.model == "support-bot"
    assert message.id.startswith("msg_")
    assert message.stop_reason == "tool_use"
    text, tool = message.content
    assert text.type == "text"
    assert text.text == "Let me check."
    assert tool.type == "tool_use"
    assert tool.input == {"city": "Paris"}
    assert tool.id == "toolu_1"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (17, 7)


def test_unparseable_tool_arguments_are_kept_not_lost() -> None:
    completion = {
        "id": "chatcmpl-1",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{not json"},
                        }
                    ],
                },
            }
        ],
    }
    message = openai_response_to_anthropic(completion, "m")
    assert message["content"] == [
        {"type": "tool_use", "id": "c1", "name": "f", "input": {"_raw_arguments": "{not json"}}
    ]
