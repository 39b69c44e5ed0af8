"""The outer layer on its own: headers on every answer, the body limit, the last-resort page."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from confiance.web.guard import CONTENT_SECURITY_POLICY, WebGuard

from .conftest import WebUI


def _page(root: str, status: int, title: str, message: str) -> bytes:
    return f"<h1>{status} {title}</h1><p>{message}</p><p>{root}</p>".encode()


async def _fails(request: Request) -> PlainTextResponse:
    raise RuntimeError("boom")


async def _echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


async def _fails_midway(request: Request) -> StreamingResponse:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b"first part"
        raise RuntimeError("broken stream")

    return StreamingResponse(chunks())


def _client(**options: object) -> httpx.AsyncClient:
    # Placed as create_web places it: the first middleware, inside Starlette's own error layer.
    app = Starlette(
        routes=[
            Route("/fails", _fails),
            Route("/echo", _echo, methods=["POST"]),
            Route("/midway", _fails_midway),
        ],
        middleware=[Middleware(WebGuard, max_body_bytes=100, error_page=_page)],
    )
    transport = httpx.ASGITransport(app=app, root_path="/ui", **options)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_an_unexpected_error_is_a_500_page_with_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with _client() as client:
        response = await client.get("/ui/fails")
    assert response.status_code == 500
    assert response.text.startswith("<h1>500 Server error</h1>")
    assert "/ui" in response.text and "boom" not in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "web UI request failed unexpectedly" in caplog.text


async def test_an_error_after_the_answer_started_is_not_hidden() -> None:
    async with _client(raise_app_exceptions=True) as client:
        with pytest.raises(RuntimeError, match="broken stream"):
            await client.get("/ui/midway")


async def test_bodies_over_the_limit_are_refused_however_they_come() -> None:
    async with _client() as client:
        assert (await client.post("/ui/echo", content=b"x" * 100)).text == "100"
        declared = await client.post("/ui/echo", content=b"x" * 101)
        assert declared.status_code == 413
        assert "Form too large" in declared.text

        async def stream():  # type: ignore[no-untyped-def]
            for _ in range(5):
                yield b"x" * 30

        streamed = await client.post("/ui/echo", content=stream())
        assert streamed.status_code == 413
        assert streamed.headers["x-frame-options"] == "DENY"


async def test_error_pages_keep_the_navigation_of_a_signed_in_viewer(ui: WebUI) -> None:
    client = await ui.signed_in("reviewer")
    missing = await client.get("/no/such/page")
    assert missing.status_code == 404
    assert 'href="/ui/traces"' in missing.text and "Sign out" in missing.text
    anonymous = await ui.client().get("/no/such/page")
    assert 'href="/ui/traces"' not in anonymous.text
