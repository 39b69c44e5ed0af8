"""A vendor that answers with a redirect to another origin never gets the key sent there.

The far end is a fake vendor on loopback that answers every call with a redirect to a second
server (another port: another origin) that records whatever reaches it. Clients are the real
OpenAI and Anthropic SDKs; routes retry, so a followed redirect would deliver the key twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anthropic
import openai
import pytest
from aiohttp import web

from confiance.config.load import parse_config
from confiance.domain.trace import TraceStatus

from .conftest import Stack

KEY = "sk-redirect-test-0123456789abcdefghijklmnop"
KEY_ENV = "REDIRECT_TEST_VENDOR_KEY"
USER = [{"role": "user", "content": "hello"}]


@dataclass
class Recorder:
    """A loopback HTTP server that records the headers of every request it receives and
    answers with ``status`` (a redirect to ``location`` when set)."""

    status: int
    location: str | None = None
    seen: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append({name.lower(): value for name, value in request.headers.items()})
        await request.read()
        if self.location is None:
            return web.json_response({"error": {"message": "not here"}}, status=self.status)
        target = self.location + request.path_qs
        return web.Response(status=self.status, headers={"Location": target})

    def keys_seen(self) -> list[str]:
        names = ("authorization", "x-api-key", "api-key", "x-goog-api-key")
        return [h[n] for h in self.seen for n in names if n in h]


@pytest.fixture
async def elsewhere() -> AsyncIterator[Recorder]:
    async with _serve(Recorder(status=200)) as recorder:
        yield recorder


@pytest.fixture(params=[307, 308, 302])
async def redirector(
    request: pytest.FixtureRequest, elsewhere: Recorder
) -> AsyncIterator[Recorder]:
    async with _serve(Recorder(status=request.param, location=elsewhere.url)) as recorder:
        yield recorder


class _serve:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.runner: web.AppRunner | None = None

    async def __aenter__(self) -> Recorder:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.recorder.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.recorder.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        return self.recorder

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


CONFIG = """\
version: 1
providers:
  oai: {{kind: openai, base_url: "{vendor}/v1", api_key_env: {env}}}
  azure:
    kind: openai
    base_url: "{vendor}/openai/deployments/d"
    azure: true
    api_version: "2024-06-01"
    api_key_env: {env}
  ant: {{kind: anthropic, base_url: "{vendor}", api_key_env: {env}}}
  gem: {{kind: gemini, base_url: "{vendor}/v1beta", api_key_env: {env}}}
  sim: {{kind: simulated, base_url: "{sim}/v1"}}
routes:
{routes}
  with-fallback:
    target: oai/gpt-4o
    fallbacks: [sim/gpt-4o]
"""
ROUTE = """\
  {name}:
    target: {target}
    retry: {{max_attempts: 3, backoff_initial: 0.01}}
"""
TARGETS = {
    "via-openai": "oai/gpt-4o",
    "via-azure": "azure/gpt-4o",
    "via-anthropic": "ant/claude-sonnet-4-5",
    "via-gemini": "gem/gemini-2.5-flash",
}


async def _configure(stack: Stack, vendor: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    routes = "".join(ROUTE.format(name=n, target=t) for n, t in TARGETS.items())
    text = CONFIG.format(vendor=vendor.url, env=KEY_ENV, routes=routes, sim=stack.sim.base_url)
    await stack.services.revisions.apply(parse_config(text, "redirects.yaml"), "test", "test")
    await stack.gateway.refresh()


async def _call(client: openai.AsyncOpenAI, route: str, stream: bool) -> None:
    if not stream:
        await client.chat.completions.create(model=route, messages=USER)
        return
    async for _ in await client.chat.completions.create(model=route, messages=USER, stream=True):
        pass


@pytest.mark.parametrize("route", sorted(TARGETS))
@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
async def test_the_key_never_follows_a_redirect_to_another_origin(
    stack: Stack,
    redirector: Recorder,
    elsewhere: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    route: str,
    stream: bool,
) -> None:
    await _configure(stack, redirector, monkeypatch)
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=2) as c:
        with pytest.raises(openai.APIStatusError) as raised:
            await _call(c, route, stream)
    assert raised.value.status_code == 502
    assert f"answered HTTP {redirector.status} (a redirect to {elsewhere.url})" in str(
        raised.value.message
    )
    assert KEY not in str(raised.value.body)
    # The configured vendor got the key (it is its key) on every try; the other origin nothing.
    assert elsewhere.seen == []
    assert redirector.keys_seen(), "the fake vendor saw no key: the test proves nothing"
    assert all(KEY in value for value in redirector.keys_seen())
    traces = await stack.traces()
    assert all(t.status is TraceStatus.ERROR for t in traces)
    assert {a.status for t in traces for a in t.attempts} == {redirector.status}
    # A redirect is not retried by the gateway: one upstream attempt per client call.
    assert len(redirector.seen) == len(traces) == sum(len(t.attempts) for t in traces)


async def test_the_anthropic_sdk_gets_the_same_refusal(
    stack: Stack, elsewhere: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _serve(Recorder(status=307, location=elsewhere.url)) as vendor:
        await _configure(stack, vendor, monkeypatch)
        async with anthropic.AsyncAnthropic(
            base_url=stack.url, api_key=stack.app_key, max_retries=2
        ) as c:
            with pytest.raises(anthropic.APIStatusError) as raised:
                await c.messages.create(model="via-anthropic", max_tokens=20, messages=USER)
        assert raised.value.status_code == 502
        assert elsewhere.seen == []
        assert len(vendor.seen) == 3  # the SDK's own retries: each one refused, none followed
        assert all(h["x-api-key"] == KEY for h in vendor.seen)


async def test_a_redirecting_target_falls_back_to_the_next_one(
    stack: Stack, redirector: Recorder, elsewhere: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _configure(stack, redirector, monkeypatch)
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        raw = await c.chat.completions.with_raw_response.create(
            model="with-fallback", messages=USER
        )
    assert raw.parse().choices[0].message.content
    trace = await stack.trace(raw.headers["x-confiance-trace-id"])
    assert [(a.provider, a.status) for a in trace.attempts] == [
        ("oai", redirector.status),
        ("sim", 200),
    ]
    assert trace.fallback_used
    assert elsewhere.seen == []
