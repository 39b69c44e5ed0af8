"""When every target of a route answers 429, the client gets a 429 with the shortest
Retry-After, in its SDK's shape; one target down for another reason keeps it a 502."""

from __future__ import annotations

import time

import anthropic
import openai
import pytest

from confiance.domain.trace import TraceStatus

from .conftest import ROUTES, Stack

EXTRA = """\
  allbusy:
    target: "sim/gpt-4o+fail-429+retry-after-7s"
    fallbacks: ["sim/gpt-4o+fail-429+retry-after-3s", "simant/claude-busy+fail-429+retry-after-5s"]
    retry: {{max_attempts: 1}}
  busyanddown:
    target: "sim/gpt-4o+fail-429+retry-after-2s"
    fallbacks: [sim/fail-503]
    retry: {{max_attempts: 1}}
  busynow:
    target: "sim/gpt-4o+fail-429+retry-after-0s"
    retry: {{max_attempts: 1}}
"""
USER = [{"role": "user", "content": "hello"}]


@pytest.fixture
async def busy(stack: Stack) -> Stack:
    await stack.apply(ROUTES.replace("prices:", EXTRA + "prices:"))
    return stack


async def test_openai_sdk_sees_a_rate_limit_with_the_shortest_retry_after(busy: Stack) -> None:
    started = time.perf_counter()
    async with openai.AsyncOpenAI(base_url=busy.v1, api_key=busy.app_key, max_retries=0) as c:
        with pytest.raises(openai.RateLimitError) as raised:
            await c.chat.completions.create(model="allbusy", messages=USER)
    assert time.perf_counter() - started < 2, "the gateway must not wait out the Retry-After"
    error = raised.value
    assert error.status_code == 429
    assert error.response.headers["retry-after"] == "3"
    body = error.response.json()
    assert body["error"]["type"] == "rate_limit_error"
    assert body["error"]["code"] == "rate_limit_exceeded"
    assert "every target is rate limited" in body["error"]["message"]
    trace = await busy.trace(error.response.headers["x-confiance-trace-id"])
    assert trace.http_status == 429
    assert trace.status is not TraceStatus.OK
    assert [a.status for a in trace.attempts] == [429, 429, 429]


async def test_anthropic_sdk_sees_its_own_rate_limit_shape(busy: Stack) -> None:
    async with anthropic.AsyncAnthropic(
        base_url=busy.url, api_key=busy.app_key, max_retries=0
    ) as c:
        with pytest.raises(anthropic.RateLimitError) as raised:
            await c.messages.create(model="allbusy", max_tokens=20, messages=USER)
    error = raised.value
    assert error.status_code == 429
    assert error.response.headers["retry-after"] == "3"
    body = error.response.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == "rate_limit_error"


async def test_the_sdk_backs_off_as_told_and_gives_up_as_a_rate_limit(busy: Stack) -> None:
    # One SDK retry: it must wait the gateway's Retry-After (3 s) before asking again.
    async with openai.AsyncOpenAI(base_url=busy.v1, api_key=busy.app_key, max_retries=1) as c:
        started = time.perf_counter()
        with pytest.raises(openai.RateLimitError):
            await c.chat.completions.create(model="busynow", messages=USER)
    # retry-after-0s: a 429 with "Retry-After: 0" from the vendor; the gateway says at least 1.
    assert time.perf_counter() - started >= 0.9
    assert busy.sim.stats["gpt-4o+fail-429+retry-after-0s"] == 2


async def test_a_chain_that_is_partly_down_stays_a_gateway_error(busy: Stack) -> None:
    async with openai.AsyncOpenAI(base_url=busy.v1, api_key=busy.app_key, max_retries=0) as c:
        with pytest.raises(openai.APIStatusError) as raised:
            await c.chat.completions.create(model="busyanddown", messages=USER)
    assert raised.value.status_code == 502
    assert "retry-after" not in raised.value.response.headers
