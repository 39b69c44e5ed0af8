"""StreamBody: chunks add up to the completion a non-streamed call would have answered."""

from __future__ import annotations

from confiance.domain.types import JSONObject
from confiance.gateway.retention import StreamBody


def _chunk(choices: list[JSONObject], usage: JSONObject | None = None) -> JSONObject:
    return {"id": "c1", "object": "chat.completion.chunk", "created": 7, "model": "m",
            "choices": choices, "usage": usage}  # fmt: skip


def _delta(index: int, delta: JSONObject, finish: str | None = None) -> JSONObject:
    return {"index": index, "delta": delta, "finish_reason": finish}


def test_text_of_each_choice_is_joined_and_usage_and_finish_kept() -> None:
    body = StreamBody()
    body.add(_chunk([_delta(0, {"role": "assistant", "content": ""})]))
    body.add(_chunk([_delta(0, {"content": "a@"}), _delta(1, {"content": "x"})]))
    body.add(_chunk([_delta(0, {"content": "b.co"}), _delta(1, {"refusal": "no"})]))
    body.add(_chunk([_delta(0, {}, "stop"), _delta(1, {}, "length")]))
    body.add(_chunk([], {"prompt_tokens": 3, "completion_tokens": 4}))
    assert body.body() == {
        "id": "c1",
        "created": 7,
        "model": "m",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "a@b.co"},
             "finish_reason": "stop"},
            {"index": 1, "message": {"role": "assistant", "content": "x", "refusal": "no"},
             "finish_reason": "length"},
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4},
    }  # fmt: skip


def test_tool_call_names_and_arguments_are_joined_per_call() -> None:
    body = StreamBody()
    head = {"index": 0, "id": "call_1", "type": "function",
            "function": {"name": "lookup", "arguments": ""}}  # fmt: skip
    body.add(_chunk([_delta(0, {"role": "assistant", "content": None, "tool_calls": [head]})]))
    for piece in ('{"email": "a', "@b.", 'co"}'):
        body.add(
            _chunk([_delta(0, {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})])
        )
    second = {"index": 1, "id": "call_2", "function": {"name": "x", "arguments": "{}"}}
    body.add(_chunk([_delta(0, {"tool_calls": [second]})]))
    body.add(_chunk([_delta(0, {}, "tool_calls")]))
    message = body.body()["choices"][0]["message"]
    assert message["content"] is None
    assert message["tool_calls"] == [
        {"index": 0, "id": "call_1", "type": "function",
         "function": {"name": "lookup", "arguments": '{"email": "a@b.co"}'}},
        {"index": 1, "id": "call_2", "function": {"name": "x", "arguments": "{}"}},
    ]  # fmt: skip


def test_an_empty_stream_is_an_answer_without_choices() -> None:
    assert StreamBody().body() == {"object": "chat.completion", "choices": []}
