"""The stream relay through a real gateway: OpenAI events pass byte for byte when nothing must
be rewritten, a vendor stream that breaks mid-way still ends in an error event, and the hot
path's metrics still count."""

from __future__ import annotations

import asyncio

import aiohttp
import openai
import orjson
import pytest

from confiance.domain.trace import TraceStatus

from .conftest import Stack

BODY = {"messages": [{"role": "user", "content": "Tell me a story"}], "seed": 3}


async def _data_lines(url: str, body: dict[str, object], key: str | None) -> list[bytes]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=body, headers=headers) as response:
            assert response.status == 200, await response.text()
            raw = await response.read()
    return [line for line in raw.split(b"\n") if line.startswith(b"data: ")]


async def test_openai_events_are_relayed_byte_for_byte(stack: Stack) -> None:
    options = {"stream": True, "stream_options": {"include_usage": True}}
    direct = await _data_lines(
        f"{stack.sim.openai_base_url}/chat/completions",
        {**BODY, **options, "model": "gpt-4o"},
        None,
    )
    through = await _data_lines(
        f"{stack.v1}/chat/completions", {**BODY, **options, "model": "chat"}, stack.app_key
    )
    assert len(direct) == len(through) > 5
    ids = [orjson.loads(lines[0][6:]) for lines in (direct, through)]
    for sent, relayed in zip(direct[1:-3], through[1:-3], strict=True):  # content events
        sent = sent.replace(ids[0]["id"].encode(), ids[1]["id"].encode())
        sent = sent.replace(
            b'"created":%d' % ids[0]["created"], b'"created":%d' % ids[1]["created"]
        )
        assert relayed == sent
    assert through[-1] == b"data: [DONE]"
    usage = orjson.loads(through[-2][6:])
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] > 0


async def test_without_include_usage_the_usage_chunk_is_not_relayed(stack: Stack) -> None:
    lines = await _data_lines(
        f"{stack.v1}/chat/completions", {**BODY, "stream": True, "model": "chat"}, stack.app_key
    )
    chunks = [orjson.loads(line[6:]) for line in lines[:-1]]
    assert all(chunk["choices"] for chunk in chunks)
    assert all(chunk.get("usage") is None for chunk in chunks)
    trace = (await stack.traces())[-1]
    assert trace.completion_tokens > 0, "the gateway still read the usage it did not relay"


async def test_a_stream_broken_mid_way_ends_with_an_error_event(stack: Stack) -> None:
    await stack.apply(
        'version: 1\nproviders:\n  sim: {{kind: simulated, base_url: "{sim}/v1"}}\n'
        'routes:\n  spoiled: {{target: "sim/gpt-4o+malformed+words-40"}}\n'
    )
    pieces: list[object] = []
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        with pytest.raises(openai.APIError, match="malformed event stream"):
            await _read_into(c, pieces)
    assert pieces, "the events before the broken one reached the client"
    trace = (await stack.traces())[-1]
    assert trace.status is TraceStatus.ERROR and trace.http_status == 502
    assert trace.error is not None and "malformed event stream" in trace.error


async def _read_into(client: openai.AsyncOpenAI, pieces: list[object]) -> None:
    stream = await client.chat.completions.create(
        model="spoiled", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    async for chunk in stream:
        pieces.append(chunk)


async def _metrics(session: aiohttp.ClientSession, stack: Stack) -> str:
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    async with session.get(f"{stack.url}/metrics", headers=headers) as response:
        return await response.text()


async def test_metrics_count_streams_and_show_them_in_flight(stack: Stack) -> None:
    """The hot path's remembered metric children and read-at-scrape in-flight gauge."""
    headers = {"Authorization": f"Bearer {stack.app_key}"}
    slow = {"model": "slowstream", "stream": True, "messages": BODY["messages"]}
    async with aiohttp.ClientSession() as session:
        for _ in range(2):
            await _data_lines(
                f"{stack.v1}/chat/completions", {**slow, "model": "chat"}, stack.app_key
            )
        async with session.post(f"{stack.v1}/chat/completions", json=slow, headers=headers) as r:
            await r.content.readline()  # the stream is open, the vendor still generating
            during = await _metrics(session, stack)
        for _ in range(50):  # the closed stream's handler ends once its cancellation lands
            after = await _metrics(session, stack)
            if "confiance_requests_in_flight 0.0" in after:
                break
            await asyncio.sleep(0.05)
    assert "confiance_requests_in_flight 1.0" in during
    assert 'confiance_requests_total{endpoint="chat",route="chat",status="2xx"} 2.0' in after
    assert (
        'confiance_upstream_attempts_total{model="gpt-4o",outcome="ok",provider="sim"} 2.0' in after
    )
    assert "confiance_requests_in_flight 0.0" in after
