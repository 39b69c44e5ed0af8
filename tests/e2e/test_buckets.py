"""Requests that name no route are counted under the same bucket names in traces and metrics."""

from __future__ import annotations

import aiohttp
import openai
import pytest

from .conftest import Stack

USER = [{"role": "user", "content": "hello"}]


async def test_unknown_routes_and_model_listings_have_one_name_everywhere(stack: Stack) -> None:
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        with pytest.raises(openai.NotFoundError):
            await c.chat.completions.create(model="no-such-route", messages=USER)
        await c.models.list()
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.admin_key, max_retries=0) as c:
        await c.chat.completions.create(model="sim/gpt-4o", messages=USER)  # a direct call
    traces = await stack.traces()
    assert {t.route for t in traces} == {"_unknown", "_models", "sim/gpt-4o"}
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bearer {stack.admin_key}"}
        async with session.get(f"{stack.url}/metrics", headers=headers) as response:
            metrics = await response.text()
    requests = [line for line in metrics.splitlines() if line.startswith("confiance_requests")]
    for bucket in ("_unknown", "_models", "_direct"):
        assert any(f'route="{bucket}"' in line for line in requests), (bucket, requests)
    assert not any('route="_other"' in line for line in requests)
    assert not any('route="sim/gpt-4o"' in line for line in requests)
