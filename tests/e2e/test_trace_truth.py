"""Traces tell the truth: what is stored is what the client received, also when the gateway is
the one failing, and a vendor's header values never break the reply."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import openai
import pytest

from confiance.gateway.pipeline import Pipeline
from confiance.providers.simulated import RunningSimulator, SimulatorConfig, serve_simulator
from confiance.providers.simulated.behaviour import Behaviour

from .conftest import Stack

USER = [{"role": "user", "content": "hello"}]

VENDOR = """\
version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim}/v1"}}
  odd: {{kind: simulated, base_url: "ODD/v1"}}
routes:
  echo: {{target: sim/echo, retention: full}}
  crlf: {{target: odd/crlf}}
"""


@pytest.fixture
async def odd_vendor() -> AsyncIterator[RunningSimulator]:
    # A vendor whose `model` field carries CR/LF and a header of its own.
    config = SimulatorConfig(models={"crlf": Behaviour(answer_model="gpt-4o\r\nx-evil: 1")})
    async with serve_simulator(config, host="127.0.0.1", port=0) as running:
        yield running


def nested(depth: int) -> object:
    value: object = "deep"
    for _ in range(depth):
        value = {"a": value}
    return value


async def test_a_vendor_model_with_cr_lf_is_sanitised_in_the_header_and_kept_in_the_trace(
    stack: Stack, odd_vendor: RunningSimulator
) -> None:
    await stack.apply(VENDOR.replace("ODD", odd_vendor.base_url))
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        raw = await c.chat.completions.with_raw_response.create(model="crlf", messages=USER)
    assert raw.status_code == 200 and raw.parse().choices[0].message.content
    assert raw.headers["x-confiance-model"] == "gpt-4ox-evil: 1"
    assert "x-evil" not in raw.headers
    trace = await stack.trace(raw.headers["x-confiance-trace-id"])
    assert (trace.status, trace.http_status) == ("ok", 200)
    assert trace.model_answered == "gpt-4o\r\nx-evil: 1"


async def test_a_body_nested_300_levels_is_a_400_and_costs_nobody_else_their_trace(
    stack: Stack,
) -> None:
    await stack.apply(VENDOR.replace("ODD", stack.sim.base_url))
    headers = {"Authorization": f"Bearer {stack.app_key}", "Content-Type": "application/json"}
    body = {"model": "echo", "messages": [{"role": "user", "content": [nested(300)]}]}
    async with httpx.AsyncClient(base_url=stack.v1, headers=headers) as http:
        before = [await http.post("/chat/completions", json={"model": "echo", "messages": USER})]
        deep = await http.post("/chat/completions", content=json.dumps(body))
        after = [await http.post("/chat/completions", json={"model": "echo", "messages": USER})]
    assert [r.status_code for r in before + after] == [200, 200]
    assert deep.status_code == 400
    assert deep.json()["error"]["message"] == "request body nests JSON more than 128 levels deep"
    stored = {t.id: t for t in await stack.traces()}
    ids = [r.headers["x-confiance-trace-id"] for r in (*before, deep, *after)]
    assert sorted(stored) == sorted(ids)
    refused = stored[deep.headers["x-confiance-trace-id"]]
    assert (refused.status, refused.http_status, refused.error_class) == (
        "error",
        400,
        "invalid_request_error",
    )


async def test_a_gateway_failure_after_the_vendor_answered_is_a_json_500_on_record(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Pipeline.complete

    async def answered_then_broke(self: Pipeline, *args: object) -> object:
        await real(self, *args)  # type: ignore[arg-type]
        raise RuntimeError("rendering broke")

    monkeypatch.setattr(Pipeline, "complete", answered_then_broke)
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        with pytest.raises(openai.InternalServerError) as failed:
            await c.chat.completions.create(model="chat", messages=USER)
    assert failed.value.status_code == 500
    assert failed.value.body["code"] == "internal_error"  # type: ignore[index]
    trace = await stack.trace(failed.value.response.headers["x-confiance-trace-id"])
    assert (trace.status, trace.http_status, trace.error_class) == ("error", 500, "internal_error")
    assert trace.error == "RuntimeError: rendering broke"
    assert [a.status for a in trace.attempts] == [200]  # the vendor did answer
