"""/api/docs is self-contained: Swagger UI comes from this server, the page names no other
origin, its CSP allows none, and it renders the API in a real Chromium without a CSP error."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from confiance.api.docs_page import DOCS_CSP
from web.browser import chromium_page, require_chromium

from .conftest import Api

_URL = re.compile(r"""(?:src|href|url)\s*=\s*["']([^"']+)["']""")


async def test_the_page_references_only_its_own_origin(api: Api) -> None:
    client = api.client(None)
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == DOCS_CSP
    references = _URL.findall(page.text)
    assert references, "the page loads nothing: the pattern or the page is wrong"
    assert "/api/openapi.json" in page.text
    for reference in references:
        assert reference.startswith("/api/"), reference
        assert "//" not in reference, reference
        asset = await client.get(reference.removeprefix("/api"))
        assert asset.status_code == 200, reference
    assert "<script>" not in page.text  # no inline script: the CSP would block it anyway
    assert "cdn" not in page.text.lower()


async def test_the_csp_names_no_external_origin() -> None:
    for directive in DOCS_CSP.split(";"):
        sources = directive.split()[1:]
        assert all(s in {"'self'", "'none'", "data:"} for s in sources), directive
    assert "unsafe-inline" not in DOCS_CSP


async def test_assets_are_cached_by_etag_and_unknown_names_are_404(api: Api) -> None:
    client = api.client(None)
    first = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/javascript")
    assert b"SwaggerUIBundle" in first.content
    again = await client.get(
        "/docs/assets/swagger-ui-bundle.js", headers={"if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304
    for name in ("../application.py", "swagger-ui.js.map", "index.html", "%2e%2e%2fx"):
        assert (await client.get(f"/docs/assets/{name}")).status_code == 404, name


@pytest.mark.browser
async def test_it_renders_in_chromium_with_every_request_to_this_server(api: Api) -> None:
    require_chromium()
    origin = api.base_url.removesuffix("/api")
    requested: list[str] = []
    async with chromium_page() as watched:
        page = watched.page
        page.on("request", lambda request: requested.append(request.url))
        response = await page.goto(f"{api.base_url}/docs")
        assert response is not None and response.status == 200
        await page.wait_for_selector(".opblock-tag", timeout=20_000)
        tags = await page.locator(".opblock-tag").all_inner_texts()
        assert any("keys" in tag for tag in tags), tags
        assert await page.locator(".opblock").count() >= 10
        await page.locator("button.authorize").click()
        await page.wait_for_selector("input[type=text]", timeout=5_000)
    assert watched.problems == [], watched.problems
    assert requested, "the browser made no request at all"
    foreign = [
        url for url in requested if not url.startswith(origin) and not url.startswith("data:")
    ]
    assert foreign == [], foreign
    assert {urlsplit(url).path for url in requested} >= {
        "/api/docs",
        "/api/openapi.json",
        "/api/docs/assets/swagger-ui-bundle.js",
        "/api/docs/assets/init.js",
    }


async def test_the_docs_page_needs_no_key_but_the_api_does(api: Api) -> None:
    client = api.client(None)
    assert (await client.get("/docs")).status_code == 200
    assert (await client.get("/keys")).status_code == 401
