"""Every page with data and empty, role limits, escaping, headers and refusals."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from confiance.domain.trace import TraceStatus
from confiance.web.guard import CONTENT_SECURITY_POLICY

from .conftest import WebUI
from .support import HOSTILE, apply_config, trace

PAGES = ["/", "/traces", "/evals", "/evals/compare", "/audit", "/keys"]
EMPTY_PAGES = ["/", "/traces", "/evals", "/evals/compare", "/audit?action=nothing"]
ADMIN_ONLY = ["/audit", "/keys"]


def _text(html: str) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("path", EMPTY_PAGES)
async def test_every_page_renders_empty(ui: WebUI, path: str) -> None:
    client = await ui.signed_in()
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<main id="main"' in response.text
    assert 'class="empty"' in response.text


async def test_overview_shows_config_routes_and_last_hour(ui: WebUI) -> None:
    await apply_config(ui.services)
    now = ui.clock.now
    traces = [
        trace(1, now - timedelta(minutes=1), latency_ms=10.0),
        trace(2, now - timedelta(minutes=2), latency_ms=20.0),
        trace(3, now - timedelta(minutes=3), latency_ms=30.0, status=TraceStatus.ERROR),
        trace(4, now - timedelta(minutes=4), latency_ms=40.0),
        trace(5, now - timedelta(minutes=5), route="openai/gpt-4o", latency_ms=5.0),
        trace(6, now - timedelta(hours=2), latency_ms=999.0),  # outside the hour
    ]
    await ui.services.store.traces.add_many(traces)
    client = await ui.signed_in("reviewer")
    page = _text((await client.get("/")).text)
    assert "revision 1" in page and "by tester" in page
    # support-bot's chain splices in route backup's: sim/fast, other/slow, sim/steady.
    assert re.search(r"support-bot .*sim/fast .*other/slow .*sim/steady", page)
    row = re.search(r"support-bot Answers support questions (.*?) openai/gpt-4o", page)
    assert row is not None
    # 4 requests, 1 error, nearest-rank p50 of 10/20/30/40 is 20, p95 and p99 are 40, 120 tokens.
    assert row.group(1).split()[3:13] == [
        "4",
        "25.0%",
        "20.0",
        "ms",
        "40.0",
        "ms",
        "40.0",
        "ms",
        "120",
        "$0.004",
    ]
    assert "backup other/slow sim/steady 0 — — — — — —" in page
    assert "openai/gpt-4o not in config" in page
    assert "Requests 5 " in page and "Error rate 20.0%" in page
    html = (await client.get("/")).text
    # Five minutes with one request each; the one at 11:57 failed.
    assert html.count('class="bar-ok"') == 4
    assert html.count('class="bar-error"') == 1
    assert "11:57 UTC: 1 requests, 1 errors" in page


async def test_traces_filter_and_page(ui: WebUI) -> None:
    now = ui.clock.now
    await ui.services.store.traces.add_many(
        [
            trace(
                n,
                now - timedelta(seconds=n),
                status=TraceStatus.ERROR if n % 3 == 0 else TraceStatus.OK,
            )
            for n in range(1, 121)
        ]
        + [trace(500, now - timedelta(days=2), route="old"), trace(501, now, route="backup")]
    )
    client = await ui.signed_in("reviewer")
    first = (await client.get("/traces")).text
    assert first.count('href="/ui/traces/tr_') == 50
    assert "tr_000501" in first and "tr_000500" not in first
    older = re.search(r'href="(/ui/traces\?[^"]*before=[^"]+)"', first)
    assert older is not None
    second = (await client.get(older.group(1).replace("&amp;", "&").removeprefix("/ui"))).text
    assert second.count('href="/ui/traces/tr_') == 50
    assert not set(re.findall(r"tr_\d{6}", first)) & set(re.findall(r"tr_\d{6}", second))
    errors = (await client.get("/traces", params={"status": "error", "route": "support-bot"})).text
    ids = set(re.findall(r'href="/ui/traces/(tr_\d+)"', errors))
    assert ids == {f"tr_{n:06d}" for n in range(3, 121, 3)}
    everything = await client.get("/traces", params={"window": "all", "route": "old"})
    assert "tr_000500" in everything.text
    assert "tr_000500" not in (await client.get("/traces", params={"route": "old"})).text
    recent = await client.get("/traces", params={"window": "15m", "route": "nothing-here"})
    assert "No traces match these filters" in recent.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "weird"}, "Status &#39;weird&#39; is not one of: ok, error"),
        ({"window": "3y"}, "Window &#39;3y&#39; is not one of"),
        ({"before": "tr_missing"}, "start again from the newest"),
        ({"route": "x" * 300}, "The route filter is longer than 200 characters"),
    ],
)
async def test_bad_trace_filters_are_explained(
    ui: WebUI, query: dict[str, str], message: str
) -> None:
    client = await ui.signed_in()
    response = await client.get("/traces", params=query)
    assert response.status_code == 400
    assert message in response.text


async def test_trace_detail_shows_attempts_and_escaped_bodies(ui: WebUI) -> None:
    await ui.services.store.traces.add_many([trace(7, ui.clock.now, content=HOSTILE)])
    client = await ui.signed_in("reviewer")
    response = await client.get("/traces/tr_000007")
    html = response.text
    assert response.status_code == 200
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html
    assert "<script" not in html.replace('<script src="/ui/static/confiance.js" defer>', "")
    page = _text(html)
    assert "other/slow +0.0 ms 30.0 ms 503 upstream_http HTTP 503" in page
    assert "sim/fast +0.0 ms 12.5 ms 200" in page
    assert "&#34;role&#34;: &#34;user&#34;" in html  # pretty JSON, escaped


async def test_a_trace_without_bodies_says_so(ui: WebUI) -> None:
    bare = trace(8, ui.clock.now)
    bare.request_body = bare.response_body = None
    await ui.services.store.traces.add_many([bare])
    client = await ui.signed_in()
    assert "Bodies not retained" in (await client.get("/traces/tr_000008")).text


async def test_unknown_things_are_404_pages(ui: WebUI) -> None:
    client = await ui.signed_in()
    for path in ("/traces/tr_nope", "/evals/runs/ev_nope", "/no/such/page", "/static/x.css"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "Not found" in response.text
    missing = await client.get("/traces/tr_nope")
    assert "Trace &#39;tr_nope&#39; does not exist" in missing.text


@pytest.mark.parametrize("path", ADMIN_ONLY)
async def test_reviewers_cannot_reach_admin_pages(ui: WebUI, path: str) -> None:
    client = await ui.signed_in("reviewer")
    response = await client.get(path)
    assert response.status_code == 403
    assert "role &#39;reviewer&#39;" in response.text
    home = (await client.get("/")).text
    assert f'href="/ui{path}"' not in home
    assert 'href="/ui/traces"' in home and 'href="/ui/evals"' in home


async def test_reviewers_cannot_post_admin_actions(ui: WebUI) -> None:
    client = await ui.signed_in("reviewer")
    create = await ui.post_form(client, "/", "/keys", {"name": "sneaky", "role": "admin"})
    assert create.status_code == 403
    admin_key = await ui.services.keys.resolve(ui.secrets["admin"])
    revoke = await ui.post_form(client, "/", f"/keys/{admin_key.id}/revoke", {})
    assert revoke.status_code == 403
    verify = await ui.post_form(client, "/", "/audit/verify", {})
    assert verify.status_code == 403
    keys = await ui.services.keys.list()
    assert len(keys) == 3 and all(key.revoked_at is None for key in keys)


async def test_admins_see_every_area(ui: WebUI) -> None:
    client = await ui.signed_in()
    home = (await client.get("/")).text
    for path in ("/traces", "/evals", "/audit", "/keys"):
        assert f'href="/ui{path}"' in home
    assert 'aria-current="page"' in home


@pytest.mark.parametrize("path", ["/", "/login", "/static/confiance.css", "/nope"])
async def test_security_headers_on_every_response(ui: WebUI, path: str) -> None:
    client = await ui.signed_in()
    response = await client.get(path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    if not path.startswith("/static/"):
        assert response.headers["cache-control"] == "no-store"


async def test_pages_have_no_inline_script_or_style(ui: WebUI) -> None:
    await apply_config(ui.services)
    await ui.services.store.traces.add_many([trace(1, ui.clock.now)])
    client = await ui.signed_in()
    for path in [*PAGES, "/traces/tr_000001", "/login"]:
        html = (await client.get(path)).text
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all("src=" in tag for tag in scripts), path
        assert " style=" not in html and "<style" not in html, path
        assert re.search(r"\son[a-z]+=", html) is None, path


async def test_static_files_are_served_and_revalidated(ui: WebUI) -> None:
    client = ui.client()
    css = await client.get("/static/confiance.css")
    assert css.status_code == 200
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    again = await client.get(
        "/static/confiance.css", headers={"if-none-match": css.headers["etag"]}
    )
    assert again.status_code == 304
    script = await client.get("/static/confiance.js")
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert (await client.get("/static/../__init__.py")).status_code == 404


async def test_oversized_forms_are_refused(ui: WebUI) -> None:
    client = await ui.signed_in()
    response = await client.post("/keys", data={"name": "x" * 70_000, "role": "app"})
    assert response.status_code == 413
    assert "Form too large" in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert len(await ui.services.keys.list()) == 3


async def test_non_form_posts_are_refused(ui: WebUI) -> None:
    client = await ui.signed_in()
    response = await client.post("/keys", json={"name": "x", "role": "app"})
    assert response.status_code == 415
    assert len(await ui.services.keys.list()) == 3


async def test_overview_ranges_charts_and_error_classes(ui: WebUI) -> None:
    await apply_config(ui.services)
    now = ui.clock.now
    late = trace(21, now - timedelta(hours=20), status=TraceStatus.ERROR)
    older = trace(22, now - timedelta(days=5))
    oldest = trace(23, now - timedelta(days=20))
    recent = trace(24, now - timedelta(minutes=2))
    await ui.services.store.traces.add_many([late, older, oldest, recent])
    client = await ui.signed_in("reviewer")
    expected = {"1h": 1, "24h": 2, "7d": 3, "30d": 4}
    for name, count in expected.items():
        response = await client.get("/", params={"range": name})
        assert response.status_code == 200, response.text
        page = _text(response.text)
        assert f"Requests {count} " in page, (name, page[:400])
        assert f'aria-current="page">{name}</a>' in response.text
        assert response.text.count('class="chart"') == 3  # requests, tokens, cost
        assert "Tokens per " in page and f"{30 * count:,} in all" in page
        assert "Latency p99" in page
    day = _text((await client.get("/", params={"range": "24h"})).text)
    assert "Requests per 30 minutes" in day
    assert re.search(
        r"Errors by class .* Error class Requests support-bot sim upstream_http 1 ", day
    )
    assert "Cost per 30 minutes" in day and "$0.002 in all" in day
    bad = await client.get("/", params={"range": "1y"})
    assert bad.status_code == 400
    assert "Range &#39;1y&#39; is not one of 1h, 24h, 7d, 30d" in bad.text
