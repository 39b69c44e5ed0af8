"""The OpenAI adapter's relay mode: which events come parsed, which pass as bytes, and batches.

Known answers: each event below is either one the gateway must read (the first, usage, finish
reasons, errors) or one it may relay untouched; tricky ones (the words "usage" and "error" in
content, spaces around a colon, an event of two data lines) are decided on the parsed JSON.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from aiohttp import web

from confiance.domain.chat import ChatRequest
from confiance.errors import ProviderHTTPError, ProviderProtocolError
from confiance.providers.openai import OpenAIChunkReader
from confiance.providers.sse import SSEEvent, SSEFormatError, VendorStreamError

from .support import MakeAdapter, ScriptedVendor

HEAD = b'{"id":"c","object":"chat.completion.chunk","model":"m","usage":null,"choices":['


def event(choices: bytes, usage: bytes = b"null") -> SSEEvent:
    return SSEEvent("message", HEAD.replace(b'"usage":null', b'"usage":' + usage) + choices + b"]}")


def delta(content: str, finish: bytes = b"null", index: int = 0) -> bytes:
    text = orjson.dumps(content)
    return b'{"index":%d,"delta":{"content":%s},"finish_reason":%s}' % (index, text, finish)


@pytest.mark.parametrize(
    ("data", "parsed"),
    [
        (event(delta("Hello")), False),
        (event(delta('say "usage": {} and "error" please')), False),  # words, not fields
        (event(delta("error")), False),
        (event(delta("a") + b"," + delta("b", index=1)), False),
        (SSEEvent("message", HEAD.replace(b":null", b" : null") + delta("x") + b"]}"), False),
        (event(delta("a", b'"stop"')), True),
        (event(delta("a") + b"," + delta("b", b'"length"', 1)), True),  # one of two finished
        (event(delta("x", b'"stop"').replace(b'"finish_reason":', b'"finish_reason" : ')), True),
        (event(b"", b'{"prompt_tokens":3,"completion_tokens":2}'), True),
        (SSEEvent("message", HEAD + b"\n" + delta("two") + b"]}"), True),  # two lines: reframed
    ],
)  # fmt: skip
def test_after_the_first_event_only_what_the_gateway_reads_comes_parsed(
    data: SSEEvent, parsed: bool
) -> None:
    reader = OpenAIChunkReader(raw=True)
    first = reader.feed(event(delta("")))
    assert isinstance(first[0], dict), "the first event is parsed: it names the model"
    out = reader.feed(data)
    assert len(out) == 1
    assert isinstance(out[0], dict) is parsed
    if not parsed:
        assert out[0] == b"data: " + data.data + b"\n\n", "relayed byte for byte"


def test_an_error_event_is_read_as_the_vendor_error_it_is() -> None:
    reader = OpenAIChunkReader(raw=True)
    reader.feed(event(delta("")))
    with pytest.raises(VendorStreamError) as caught:
        reader.feed(SSEEvent("message", b'{"error":{"message":"overloaded","code":503}}'))
    assert caught.value.status == 503


def test_a_finish_reason_seen_raw_still_completes_a_stream_without_done() -> None:
    reader = OpenAIChunkReader(raw=True)
    reader.feed(event(delta("")))
    reader.feed(event(delta("a", b'"stop"')))
    assert reader.finish() == []


@pytest.mark.parametrize(
    "data",
    [b'{"id":"c","choices":[{"delta":{"content":"cut', b"[1, 2]", b'{"a":1}}'],
)
def test_an_event_that_is_not_one_json_object_is_refused_in_relay_mode_too(data: bytes) -> None:
    reader = OpenAIChunkReader(raw=True)
    reader.feed(event(delta("")))
    with pytest.raises((SSEFormatError, orjson.JSONDecodeError)):
        reader.feed(SSEEvent("message", data))


def test_without_raw_every_event_is_parsed() -> None:
    reader = OpenAIChunkReader()
    for data in (event(delta("")), event(delta("Hello"))):
        assert isinstance(reader.feed(data)[0], dict)


def _one_write(events: list[bytes]) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b"".join(events))
        await response.write_eof()
        return response

    return handler


async def _batches(adapter: Any, raw: bool) -> tuple[list[list[Any]], BaseException | None]:
    request = ChatRequest(model="m", body={"messages": []}, stream=True)
    batches: list[list[Any]] = []
    try:
        async for batch in adapter.stream_batches(request, 5.0, raw=raw):
            batches.append(batch)
    except ProviderHTTPError as error:
        return batches, error
    return batches, None


def _sse(data: SSEEvent | bytes) -> bytes:
    return b"data: " + (data.data if isinstance(data, SSEEvent) else data) + b"\n\n"


async def test_events_read_together_come_as_one_batch(
    scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    events = [event(delta("")), event(delta("Hi")), event(delta("!", b'"stop"'))]
    scripted_vendor.handler = _one_write([*(_sse(e) for e in events), b"data: [DONE]\n\n"])
    adapter = await make_adapter("openai", scripted_vendor.base_url)
    batches, error = await _batches(adapter, raw=True)
    assert error is None
    assert len(batches) == 1
    first, middle, last = batches[0]
    assert isinstance(first, dict) and middle == _sse(events[1]) and isinstance(last, dict)


async def test_plain_events_read_together_are_relayed_byte_for_byte(
    scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    plain = [_sse(event(delta(f"word {i} "))) for i in range(20)]
    ending = [_sse(event(delta("!", b'"stop"'))), _sse(event(b"", b'{"completion_tokens":21}'))]
    scripted_vendor.handler = _one_write(
        [_sse(event(delta(""))), *plain, *ending, b"data: [DONE]\n\n"]
    )
    adapter = await make_adapter("openai", scripted_vendor.base_url)
    batches, error = await _batches(adapter, raw=True)
    assert error is None and len(batches) == 1
    first, *run, finish, usage = batches[0]
    assert run == plain, "the 20 plain events, byte for byte"
    assert isinstance(first, dict) and isinstance(finish, dict) and isinstance(usage, dict)
    assert usage["usage"] == {"completion_tokens": 21}


@pytest.mark.parametrize(
    "odd",
    [
        b": keep-alive\n\n",  # a comment: not relayed
        b"event: message\n" + _sse(event(delta("named"))),  # a named event: parsed
        b'data: {"choices":[{"delta":{"content":"a"}}],\ndata: "usage":null}\n\n',  # two lines
    ],
)
async def test_odd_events_among_plain_ones_are_never_relayed_as_they_came(
    odd: bytes, scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    plain = [_sse(event(delta(f"w{i}"))) for i in range(3)]
    body = [_sse(event(delta(""))), plain[0], odd, *plain[1:], _sse(event(delta("", b'"stop"')))]
    scripted_vendor.handler = _one_write([*body, b"data: [DONE]\n\n"])
    adapter = await make_adapter("openai", scripted_vendor.base_url)
    batches, error = await _batches(adapter, raw=True)
    assert error is None
    relayed = b"".join(item for item in batches[0] if isinstance(item, bytes))
    assert all(piece in relayed for piece in plain)
    assert all(line.startswith(b"data: {") for line in relayed.split(b"\n") if line)
    assert odd not in relayed, "a comment, a named or a two-line event is parsed, not relayed"


async def test_a_broken_event_among_plain_ones_is_a_protocol_error(
    scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    plain = [_sse(event(delta(f"w{i}"))) for i in range(6)]
    plain[3] = b'data: {"choices":[{"delta":{"content":"cu\n\n'
    scripted_vendor.handler = _one_write([_sse(event(delta(""))), *plain])
    adapter = await make_adapter("openai", scripted_vendor.base_url)
    with pytest.raises(ProviderProtocolError, match="malformed event stream"):
        await _batches(adapter, raw=True)


async def test_chunks_before_an_error_in_the_same_read_are_yielded_first(
    scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    error = b'{"error":{"message":"overloaded","code":503}}'
    scripted_vendor.handler = _one_write(
        [_sse(event(delta(""))), _sse(event(delta("Hi"))), _sse(error)]
    )
    adapter = await make_adapter("openai", scripted_vendor.base_url)
    batches, raised = await _batches(adapter, raw=False)
    assert [len(b) for b in batches] == [2], "the two chunks before the error reach the client"
    assert isinstance(raised, ProviderHTTPError) and raised.status == 503


async def test_a_broken_raw_event_is_a_protocol_error(
    scripted_vendor: ScriptedVendor, make_adapter: MakeAdapter
) -> None:
    scripted_vendor.handler = _one_write([_sse(event(delta(""))), b'data: {"choices":[\n\n'])
    adapter = await make_adapter("openai", scripted_vendor.base_url)
    with pytest.raises(ProviderProtocolError, match="malformed event stream"):
        await _batches(adapter, raw=True)
