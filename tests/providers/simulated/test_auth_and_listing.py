"""API key checks in each vendor's shape, embeddings and model listings."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator

import aiohttp
import anthropic
import openai
import pytest
from tests.providers.simulated.conftest import USER, post_json

from confiance.providers.simulated import RunningSimulator, serve_simulator

KEY = "sk-sim-secret-123"


@pytest.fixture
async def keyed() -> AsyncIterator[RunningSimulator]:
    async with serve_simulator(api_key=KEY) as running:
        yield running


async def test_openai_key_is_checked(keyed: RunningSimulator) -> None:
    async with openai.AsyncOpenAI(
        base_url=keyed.openai_base_url, api_key="wrong", max_retries=0
    ) as bad:
        with pytest.raises(openai.AuthenticationError) as caught:
            await bad.chat.completions.create(model="m", messages=USER)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_api_key"
    async with openai.AsyncOpenAI(base_url=keyed.openai_base_url, api_key=KEY) as good:
        answer = await good.chat.completions.create(model="m", messages=USER)  # type: ignore[arg-type]
    assert answer.choices[0].message.content
    assert keyed.stats.total == 1


async def test_anthropic_key_is_checked(keyed: RunningSimulator) -> None:
    async with anthropic.AsyncAnthropic(
        base_url=keyed.base_url, api_key="wrong", max_retries=0
    ) as bad:
        with pytest.raises(anthropic.AuthenticationError) as caught:
            await bad.messages.create(model="c", max_tokens=10, messages=USER)  # type: ignore[arg-type]
    assert caught.value.body["error"]["type"] == "authentication_error"  # type: ignore[index]
    async with anthropic.AsyncAnthropic(base_url=keyed.base_url, api_key=KEY) as good:
        message = await good.messages.create(model="c", max_tokens=10, messages=USER)  # type: ignore[arg-type]
    assert message.content


async def test_gemini_key_by_header_or_query(
    keyed: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    target = f"{keyed.base_url}/v1beta/models/g:generateContent"
    body = {"contents": [{"parts": [{"text": "hi"}]}]}
    status, error, _ = await post_json(http, target, body)
    assert status == 401
    assert error["error"]["status"] == "UNAUTHENTICATED"
    assert "missing" in error["error"]["message"]
    status, _, _ = await post_json(http, target, body, headers={"x-goog-api-key": KEY})
    assert status == 200
    status, _, _ = await post_json(http, f"{target}?key={KEY}", body)
    assert status == 200
    status, _, _ = await post_json(http, f"{target}?key=nope", body)
    assert status == 401
    async with http.get(f"{keyed.base_url}/healthz") as response:
        assert response.status == 200


async def test_embeddings_are_deterministic_unit_vectors(oai: openai.AsyncOpenAI) -> None:
    # The SDK asks for base64 by default; the float form must agree with it.
    packed = await oai.embeddings.create(model="text-embedding-3-small", input=["alpha", "beta"])
    floats = await oai.embeddings.create(
        model="text-embedding-3-small", input="alpha", encoding_format="float"
    )
    assert len(packed.data) == 2
    first = packed.data[0].embedding
    assert len(first) == 1536
    assert math.isclose(sum(v * v for v in first), 1.0, rel_tol=1e-5)
    assert floats.data[0].embedding == pytest.approx(first, abs=1e-6)
    assert packed.data[1].embedding != first
    assert packed.usage.prompt_tokens == 2
    short = await oai.embeddings.create(
        model="text-embedding-3-small", input="alpha", dimensions=64
    )
    vector = short.data[0].embedding
    assert len(vector) == 64
    assert math.isclose(sum(v * v for v in vector), 1.0, rel_tol=1e-5)
    # A shorter vector is the renormalised prefix of the longer one.
    scale = vector[0] / first[0]
    assert [v / scale for v in vector] == pytest.approx(first[:64], rel=1e-4)
    with pytest.raises(openai.BadRequestError, match="input"):
        await oai.embeddings.create(model="text-embedding-3-small", input=[])


async def test_model_listings(
    sim: RunningSimulator, oai: openai.AsyncOpenAI, claude: anthropic.AsyncAnthropic
) -> None:
    listed = [model.id async for model in oai.models.list()]
    assert "gpt-4o-mini" in listed
    retrieved = await oai.models.retrieve("any-model-name")
    assert retrieved.id == "any-model-name"
    anthropic_listed = [model.id async for model in claude.models.list()]
    assert anthropic_listed == listed
