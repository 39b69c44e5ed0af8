"""Under the default ``retention: metadata``, the scalar request parameters a trace keeps are
redacted like bodies: an end user's e-mail in ``user``, a key pasted as ``safety_identifier``."""

from __future__ import annotations

import openai

from .conftest import Stack

USER = [{"role": "user", "content": "hello"}]
KEY = "sk-proj-Zt4kQ9mW2xV7nB3cR8yL1pF6hJ0dS5aG"


async def test_scalar_parameters_are_redacted_under_metadata_retention(stack: Stack) -> None:
    async with openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0) as c:
        raw = await c.chat.completions.with_raw_response.create(
            model="chat",
            messages=USER,
            user="alice.smith@example.com",
            temperature=0.5,
            extra_body={"safety_identifier": KEY, "prompt_cache_key": "password: hunter2"},
        )
    trace = await stack.trace(raw.headers["x-confiance-trace-id"])
    params = trace.metadata["params"]
    assert params["user"] == "[REDACTED:email]"
    assert params["safety_identifier"] == "[REDACTED:secret]"
    assert params["prompt_cache_key"] == "password: [REDACTED:secret]"
    assert params["temperature"] == 0.5  # numbers are kept: they are the point of metadata
    assert params["model"] == "chat"
    assert trace.request_body is None  # metadata retention: no body
    stored = repr(trace)
    for leaked in ("alice.smith", KEY, "hunter2"):
        assert leaked not in stored
