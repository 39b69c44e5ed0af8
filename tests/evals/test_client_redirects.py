"""The eval client never follows a redirect: the key it carries goes to its own URL only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from confiance.errors import ProviderHTTPError
from confiance.evals.client import ChatEndpoint, RetryPolicy

KEY = "sk-eval-redirect-0123456789abcdef"


class Server:
    def __init__(self) -> None:
        self.seen: list[str | None] = []
        self.url = ""
        self.location = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(request.headers.get("Authorization"))
        if self.location:
            return web.Response(status=307, headers={"Location": self.location + request.path})
        return web.json_response({"error": {"message": "should never be reached"}}, status=200)


@pytest.fixture
async def servers() -> AsyncIterator[tuple[Server, Server]]:
    pair = (Server(), Server())
    runners = []
    for server in pair:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", server.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        runners.append(runner)
    pair[0].location = pair[1].url
    try:
        yield pair
    finally:
        for runner in runners:
            await runner.cleanup()


async def test_a_redirect_is_an_error_and_the_key_stays_home(
    servers: tuple[Server, Server],
) -> None:
    redirector, elsewhere = servers
    async with aiohttp.ClientSession() as session:
        endpoint = ChatEndpoint(session, redirector.url + "/v1", KEY, RetryPolicy(max_attempts=3))
        with pytest.raises(ProviderHTTPError) as raised:
            await endpoint.chat({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    assert "answered HTTP 307 (a redirect to " in str(raised.value)
    assert KEY not in str(raised.value)
    assert redirector.seen == [f"Bearer {KEY}"], "asked once: a redirect is not retried"
    assert elsewhere.seen == []
