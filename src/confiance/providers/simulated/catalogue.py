"""Model listings: ``GET /v1/models`` (OpenAI shape, or Anthropic's when the request carries an
``anthropic-version`` header), ``GET /v1/models/{id}`` and Gemini's ``GET /v1beta/models``.

Every model name works with the simulator; the listing names the exact names in the config
plus a few familiar examples, so clients that list before they call find something.
"""

from __future__ import annotations

import orjson
from aiohttp import web

from confiance.domain.types import JSONObject
from confiance.providers.simulated.simulator import Simulator

__all__ = ["EXAMPLE_MODELS", "handle_gemini_models", "handle_model", "handle_models"]

EXAMPLE_MODELS = (
    "gpt-4o-mini",
    "claude-3-5-haiku-latest",
    "gemini-2.0-flash",
    "text-embedding-3-small",
)
_CREATED = 1_700_000_000


def _names(sim: Simulator) -> list[str]:
    listed = sim.config.listed_models()
    return listed + [name for name in EXAMPLE_MODELS if name not in listed]


def _openai_model(name: str) -> JSONObject:
    return {"id": name, "object": "model", "created": _CREATED, "owned_by": "confiance-simulator"}


def _anthropic_model(name: str) -> JSONObject:
    return {
        "type": "model",
        "id": name,
        "display_name": name,
        "created_at": "2023-11-14T22:13:20Z",
    }


def _json(body: JSONObject) -> web.Response:
    return web.Response(body=orjson.dumps(body), content_type="application/json")


async def handle_models(sim: Simulator, request: web.Request) -> web.StreamResponse:
    names = _names(sim)
    if "anthropic-version" in request.headers:
        data = [_anthropic_model(name) for name in names]
        return _json({"data": data, "has_more": False, "first_id": names[0], "last_id": names[-1]})
    return _json({"object": "list", "data": [_openai_model(name) for name in names]})


async def handle_model(sim: Simulator, request: web.Request) -> web.StreamResponse:
    name = request.match_info["model"]
    if "anthropic-version" in request.headers:
        return _json(_anthropic_model(name))
    return _json(_openai_model(name))


async def handle_gemini_models(sim: Simulator, request: web.Request) -> web.StreamResponse:
    models = [
        {
            "name": f"models/{name}",
            "displayName": name,
            "supportedGenerationMethods": ["generateContent", "streamGenerateContent"],
        }
        for name in _names(sim)
    ]
    return _json({"models": models})
