"""``POST /v1/embeddings``: deterministic unit vectors, in the OpenAI shape.

A vector is a hash of (base model name, input) stretched to the requested dimensions and
normalised to length 1, so equal inputs embed equally and a shorter ``dimensions`` gives the
prefix of the longer vector, renormalised (as OpenAI's ``text-embedding-3`` models do).
``encoding_format`` ``float`` and ``base64`` (little-endian float32, what the OpenAI SDK asks for
by default) are both served.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from typing import Any

import orjson
from aiohttp import web

from confiance.domain.types import JSONObject
from confiance.providers.simulated.content import count_tokens
from confiance.providers.simulated.prompt import InvalidRequest, optional_int
from confiance.providers.simulated.simulator import Simulator
from confiance.providers.simulated.vendor_errors import Vendor

__all__ = ["embed", "handle_embeddings", "unit_vector"]

_MAX_INPUTS = 2048


def unit_vector(base_model: str, text: str, dimensions: int) -> list[float]:
    """The embedding of ``text``: ``dimensions`` floats of Euclidean norm 1."""
    seed = f"{base_model}\x1e{text}".encode("utf-8", "surrogatepass")
    raw = hashlib.shake_256(seed).digest(2 * dimensions)
    values = struct.unpack(f"<{dimensions}h", raw)
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


def _inputs(value: Any) -> list[str]:
    """Texts to embed; token arrays become their decimal text, which is as deterministic."""
    if isinstance(value, str):
        items: list[Any] = [value]
    elif isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        items = [value]
    elif isinstance(value, list) and value:
        items = value
    else:
        raise InvalidRequest("'input' must be a non-empty string or array", "input")
    if len(items) > _MAX_INPUTS:
        raise InvalidRequest(f"'input' has {len(items)} items; at most {_MAX_INPUTS}", "input")
    texts = []
    for index, item in enumerate(items):
        if isinstance(item, str) and item:
            texts.append(item)
        elif isinstance(item, list) and item and all(isinstance(t, int) for t in item):
            texts.append(" ".join(str(t) for t in item))
        else:
            raise InvalidRequest(
                f"input[{index}] must be a non-empty string or array of token ids", "input"
            )
    return texts


def embed(body: JSONObject, base_model: str, default_dimensions: int) -> JSONObject:
    """The response body for an embeddings request. Raises ``InvalidRequest``."""
    texts = _inputs(body.get("input"))
    dimensions = optional_int(body, "dimensions", low=1, high=8192) or default_dimensions
    encoding = body.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        raise InvalidRequest("'encoding_format' must be 'float' or 'base64'", "encoding_format")
    data = []
    for index, text in enumerate(texts):
        vector: Any = unit_vector(base_model, text, dimensions)
        if encoding == "base64":
            vector = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": vector})
    tokens = sum(count_tokens(text) for text in texts)
    return {
        "object": "list",
        "data": data,
        "model": body["model"],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


async def handle_embeddings(sim: Simulator, request: web.Request) -> web.StreamResponse:
    sim.stats.record_request("openai.embeddings")
    body = await sim.read_json(request, Vendor.OPENAI)
    if isinstance(body, web.Response):
        return body
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return sim.error(Vendor.OPENAI, 400, "you must provide a model parameter", "model")
    ready = await sim.preflight(request, Vendor.OPENAI, model)
    if isinstance(ready, web.StreamResponse):
        return ready
    resolved, plan = ready
    try:
        answer = embed(body, resolved.base, sim.config.embedding_dimensions)
    except InvalidRequest as error:
        return sim.error(Vendor.OPENAI, 400, error.message, error.param)
    if resolved.behaviour.answer_model is not None:
        answer["model"] = resolved.behaviour.answer_model
    return await sim.deliver(request, orjson.dumps(answer), plan)
