"""Every failure the simulator can stage, through each adapter, maps to the error the gateway's
retry and fallback logic reads: status and Retry-After, connection, timeout, protocol."""

from __future__ import annotations

import time
from typing import Any

import pytest

from confiance.domain.chat import ChatRequest
from confiance.errors import (
    ProviderConnectionError,
    ProviderError,
    ProviderHTTPError,
    ProviderProtocolError,
    ProviderTimeout,
    is_retryable,
)
from confiance.providers.simulated import RunningSimulator

from .conftest import free_port_url
from .support import SIM_KEY, MakeAdapter, base_url_for

KINDS = ["openai", "anthropic", "gemini"]
BODY = {"messages": [{"role": "user", "content": "Hello"}], "max_tokens": 100}


async def chat(adapter: Any, model: str, timeout: float = 5.0) -> Any:
    return await adapter.chat(ChatRequest(model=model, body=BODY), timeout)


async def drain(
    adapter: Any, model: str, timeout: float = 5.0, received: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """All chunks of a stream; with ``received``, chunks land there as they arrive (so a test
    sees what came before a failure)."""
    received = [] if received is None else received
    async for chunk in adapter.stream(ChatRequest(model=model, body=BODY, stream=True), timeout):
        received.append(chunk)
    return received


@pytest.fixture(params=KINDS)
async def adapter(
    request: pytest.FixtureRequest, vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> Any:
    return await make_adapter(request.param, base_url_for(request.param, vendor_sim))


@pytest.mark.parametrize("streamed", [False, True])
async def test_429_carries_retry_after_and_the_vendor_message(adapter: Any, streamed: bool) -> None:
    model = "m+fail-429+retry-after-2.5s"
    with pytest.raises(ProviderHTTPError) as caught:
        await (drain(adapter, model) if streamed else chat(adapter, model))
    error = caught.value
    assert error.status == 429
    assert error.retry_after == 2.5  # retry-after-ms wins over the whole-second Retry-After
    assert "simulated error 429" in error.message
    assert adapter.name in error.message
    assert error.body.startswith(b"{")
    assert is_retryable(error)


async def test_500_is_retryable_and_400_is_not(adapter: Any) -> None:
    with pytest.raises(ProviderHTTPError) as server:
        await chat(adapter, "m+fail-500")
    assert (server.value.status, server.value.retry_after) == (500, None)
    assert is_retryable(server.value)
    with pytest.raises(ProviderHTTPError) as client:
        await chat(adapter, "m+not-a-directive")
    assert client.value.status == 400
    assert "not-a-directive" in client.value.message
    assert not is_retryable(client.value)


@pytest.mark.parametrize("streamed", [False, True])
async def test_reset_is_a_connection_error(adapter: Any, streamed: bool) -> None:
    model = "m+reset+words-50"
    with pytest.raises(ProviderConnectionError):
        await (drain(adapter, model) if streamed else chat(adapter, model))


async def test_break_mid_stream_is_a_connection_error(adapter: Any) -> None:
    received: list[dict[str, Any]] = []
    with pytest.raises(ProviderConnectionError):
        await drain(adapter, "m+break-after-4+words-30", 5.0, received)
    assert received  # the first events did arrive


@pytest.mark.parametrize("streamed", [False, True])
async def test_hang_times_out_at_the_deadline(adapter: Any, streamed: bool) -> None:
    started = time.perf_counter()
    with pytest.raises(ProviderTimeout) as caught:
        await (drain(adapter, "m+hang", 0.3) if streamed else chat(adapter, "m+hang", 0.3))
    elapsed = time.perf_counter() - started
    assert 0.25 <= elapsed < 2.0
    assert "0.3s" in caught.value.message


async def test_stall_mid_stream_times_out_after_the_gap(adapter: Any) -> None:
    received: list[dict[str, Any]] = []
    started = time.perf_counter()
    with pytest.raises(ProviderTimeout, match="stalled"):
        await drain(adapter, "m+stall-after-4+words-30", 0.3, received)
    assert received
    assert time.perf_counter() - started < 2.0


async def test_slow_but_steady_stream_is_not_a_stall(adapter: Any) -> None:
    # 20 tokens/s is a 50 ms gap: far under the 0.4 s gap deadline, though the whole stream
    # takes longer than 0.4 s.
    started = time.perf_counter()
    chunks = await drain(adapter, "m+tps-20+words-8", 0.4)
    assert time.perf_counter() - started > 0.4
    assert chunks[-1]["usage"]["completion_tokens"] > 0


@pytest.mark.parametrize("streamed", [False, True])
async def test_malformed_answer_is_a_protocol_error(adapter: Any, streamed: bool) -> None:
    model = "m+malformed+words-30"
    with pytest.raises(ProviderProtocolError) as caught:
        await (drain(adapter, model) if streamed else chat(adapter, model))
    assert adapter.name in caught.value.message


@pytest.mark.parametrize("kind", KINDS)
async def test_connection_refused(kind: str, make_adapter: MakeAdapter) -> None:
    adapter = await make_adapter(kind, free_port_url())
    with pytest.raises(ProviderConnectionError) as caught:
        await chat(adapter, "m")
    assert "connection failed" in caught.value.message
    with pytest.raises(ProviderConnectionError):
        await drain(adapter, "m")


@pytest.mark.parametrize("kind", KINDS)
async def test_the_key_never_appears_in_errors(
    kind: str, vendor_sim: RunningSimulator, make_adapter: MakeAdapter
) -> None:
    # Error bodies that echo the key (some proxies do) are scrubbed too: the simulator echoes
    # the model name, so a "model" equal to the key stands in for such a vendor.
    adapter = await make_adapter(kind, base_url_for(kind, vendor_sim))
    with pytest.raises(ProviderError) as caught:
        await chat(adapter, f"{SIM_KEY}+fail-503")
    assert SIM_KEY not in caught.value.message
    assert isinstance(caught.value, ProviderHTTPError)
    assert SIM_KEY.encode() not in caught.value.body
    assert b"[redacted]" in caught.value.body
