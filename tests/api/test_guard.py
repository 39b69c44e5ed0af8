"""The guard around the API: an unexpected exception still answers JSON, and is logged."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from confiance.api.guard import RequestGuard


async def _broken(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    raise RuntimeError("database password is hunter2")


async def _broken_midway(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    raise RuntimeError("stream failed")


async def _echo(scope: Scope, receive: Receive, send: Send) -> None:
    message = await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": message["body"]})


def _client(app: object, limit: int = 100) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=RequestGuard(app, limit))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_an_unexpected_error_answers_a_generic_json_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with _client(_broken) as client:
        with caplog.at_level(logging.ERROR, logger="confiance.api.guard"):
            response = await client.post("/x", content=b"{}")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "hunter2" not in response.text
    assert "hunter2" in caplog.text


async def test_an_error_after_the_answer_started_propagates_to_cut_the_connection() -> None:
    async with _client(_broken_midway) as client:
        with pytest.raises(RuntimeError, match="stream failed"):
            await client.get("/x")


async def test_bodies_up_to_the_limit_pass_whole_and_one_byte_more_is_refused() -> None:
    async with _client(_echo, limit=10) as client:
        exact = await client.post("/x", content=b"0123456789")
        assert (exact.status_code, exact.content) == (200, b"0123456789")
        over = await client.post("/x", content=b"0123456789!")
        assert over.status_code == 413
        assert "larger than 10 bytes" in over.json()["error"]["message"]
