"""The UI in a real browser: Debian's Chromium, headless, driven by Playwright."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from confiance.domain.evaluation import Verdict
from confiance.domain.trace import TraceStatus

from .browser import BrowserPage, chromium_page, require_chromium
from .conftest import WebUI
from .support import apply_config, case, store_run, trace

pytestmark = pytest.mark.browser

# Would set a global if it ever ran: the trace page must show it as text instead.
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


@pytest.fixture
async def browser() -> AsyncIterator[BrowserPage]:
    require_chromium()
    async with chromium_page(viewport={"width": 1280, "height": 900}) as watched:
        yield watched
    assert watched.problems == [], "the browser reported errors (CSP violations?)"
    assert watched.dialogs == []


def nav(page: Any) -> Any:
    return page.get_by_role("navigation", name="Main")


async def sign_in(ui: WebUI, browser: BrowserPage, who: str = "admin") -> None:
    page = browser.page
    await page.goto(f"{ui.base_url}/")
    assert page.url.startswith(f"{ui.base_url}/login")
    await page.get_by_label("API key").fill(ui.secrets[who])
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{ui.base_url}/")
    assert "Signed in as" in await page.get_by_role("status").first.inner_text()


async def test_sign_in_filter_traces_and_open_one(ui: WebUI, browser: BrowserPage) -> None:
    await apply_config(ui.services)
    now = ui.clock.now
    await ui.services.store.traces.add_many(
        [
            trace(
                n,
                now - timedelta(minutes=n),
                status=TraceStatus.ERROR if n % 4 == 0 else TraceStatus.OK,
                content=HOSTILE,
            )
            for n in range(1, 13)
        ]
    )
    page = browser.page
    await sign_in(ui, browser)
    await nav(page).get_by_role("link", name="Traces").click()
    await page.wait_for_url(f"{ui.base_url}/traces")
    assert await page.locator("table.data tbody tr").count() == 12
    await page.get_by_label("Status").select_option("error")
    await page.get_by_label("Route").fill("support-bot")
    await page.get_by_role("button", name="Filter").click()
    await page.wait_for_url("**/traces?route=support-bot&status=error&window=24h")
    rows = page.locator("table.data tbody tr")
    assert await rows.count() == 3
    assert set(await rows.locator(".badge-error").all_inner_texts()) == {"error"}
    await page.get_by_role("link", name="Trace tr_000004").click()
    await page.wait_for_url(f"{ui.base_url}/traces/tr_000004")
    attempts = page.locator("section", has=page.get_by_role("heading", name="Attempts"))
    assert await attempts.locator("tbody tr").count() == 1
    body = await page.get_by_label("Request body").inner_text()
    assert HOSTILE.replace('"', '\\"') in body
    assert await page.evaluate("window.__pwned === undefined")


async def test_open_an_eval_run_and_compare(ui: WebUI, browser: BrowserPage) -> None:
    for run_id, broken, hours in (("ev_base", set(), 2), ("ev_cand", {0, 1, 2, 3, 4, 5}, 1)):
        results = []
        for number in range(12):
            verdicts = [Verdict.FAIL] * 2 if number in broken else [Verdict.PASS] * 2
            category = "injection" if number < 6 else "leakage"
            results += case(run_id, f"case-{number:02d}", verdicts, ui.clock.now, category=category)
        await store_run(ui.services, run_id, ui.clock.now - timedelta(hours=hours), results)
    page = browser.page
    await sign_in(ui, browser, "reviewer")
    await nav(page).get_by_role("link", name="Eval runs").click()
    await page.get_by_role("link", name="ev_cand").click()
    await page.wait_for_url(f"{ui.base_url}/evals/runs/ev_cand")
    chart = page.get_by_role("img", name="Pass rate by category")
    assert "injection 0%" in (await chart.get_attribute("aria-label") or "")
    await page.get_by_role("link", name="Not passing (6)").click()
    first = page.locator("li.case").first
    assert await first.locator("table").first.is_visible()  # failing cases open by default
    await nav(page).get_by_role("link", name="Eval runs").click()
    await page.get_by_label("Run A (baseline)").select_option("ev_base")
    await page.get_by_label("Run B (candidate)").select_option("ev_cand")
    await page.get_by_role("button", name="Compare").click()
    await page.wait_for_url("**/evals/compare?a=ev_base&b=ev_cand")
    verdict = page.locator(".verdict")
    assert "Run B regressed" in await verdict.inner_text()
    regressions = page.locator("section", has=page.get_by_role("heading", name="Regressions"))
    assert await regressions.locator("tbody tr").count() == 6


async def test_create_copy_and_revoke_a_key(ui: WebUI, browser: BrowserPage) -> None:
    page = browser.page
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await sign_in(ui, browser)
    await nav(page).get_by_role("link", name="Keys").click()
    await page.get_by_label("Name").fill("nightly-evals")
    await page.get_by_label("Role").select_option("reviewer")
    await page.get_by_role("button", name="Create key").click()
    secret = (await page.locator("#secret").inner_text()).strip()
    key = await ui.services.keys.resolve(secret)
    assert key.name == "nightly-evals"
    await page.get_by_role("button", name="Copy").click()
    assert await page.evaluate("navigator.clipboard.readText()") == secret
    await page.get_by_role("link", name="Done").click()
    await page.get_by_role("link", name="Revoke key nightly-evals").click()
    await page.get_by_role("button", name="Revoke key").click()
    await page.wait_for_url(f"{ui.base_url}/keys")
    assert "is revoked" in await page.get_by_role("status").first.inner_text()
    assert (await ui.services.keys.resolve(key.id)).revoked_at is not None
    assert await page.get_by_role("link", name="Revoke key nightly-evals").count() == 0


async def test_overview_looks_right(ui: WebUI, browser: BrowserPage, tmp_path: Path) -> None:
    await apply_config(ui.services)
    now = ui.clock.now
    await ui.services.store.traces.add_many(
        [
            trace(
                n,
                now - timedelta(seconds=37 * n),
                status=TraceStatus.ERROR if n % 9 == 0 else TraceStatus.OK,
                latency_ms=20.0 + n,
            )
            for n in range(1, 90)
        ]
    )
    page = browser.page
    await sign_in(ui, browser)
    chart = page.get_by_role("img", name="Requests per minute")
    assert await chart.is_visible()
    box = await chart.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 150
    stylesheet_applied = await page.evaluate(
        "getComputedStyle(document.querySelector('.panel')).borderRadius"
    )
    assert stylesheet_applied == "8px"
    shot = tmp_path / "overview.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    await page.set_viewport_size({"width": 390, "height": 800})
    await page.reload()
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the page scrolls sideways on a phone"
    await page.screenshot(path=str(tmp_path / "overview-phone.png"), full_page=True)


async def test_a_reviewer_sees_no_admin_pages(ui: WebUI, browser: BrowserPage) -> None:
    page = browser.page
    await sign_in(ui, browser, "reviewer")
    links = nav(page).get_by_role("link")
    assert await links.all_inner_texts() == ["Overview", "Traces", "Eval runs"]
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(f"{ui.base_url}/login")
    assert "You are signed out." in await page.get_by_role("status").first.inner_text()


async def test_a_cookie_saved_before_sign_out_is_refused_afterwards(
    ui: WebUI, browser: BrowserPage
) -> None:
    await sign_in(ui, browser)
    page = browser.page
    saved = await page.context.cookies()
    assert [c["name"] for c in saved] == ["confiance_session"]
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(f"{ui.base_url}/login")
    # Another browser (the attacker's) given the cookie copied before the sign-out.
    other = await page.context.browser.new_context()
    try:
        await other.add_cookies(saved)
        replay = await other.new_page()
        await replay.goto(f"{ui.base_url}/keys")
        assert replay.url.startswith(f"{ui.base_url}/login")
        assert "Your session has ended" in await replay.content()
    finally:
        await other.close()


async def test_overview_ranges_switch_in_the_browser(ui: WebUI, browser: BrowserPage) -> None:
    await apply_config(ui.services)
    now = ui.clock.now
    await ui.services.store.traces.add_many(
        [
            trace(31, now - timedelta(minutes=3)),
            trace(32, now - timedelta(hours=30), status=TraceStatus.ERROR),
            trace(33, now - timedelta(days=12)),
        ]
    )
    page = browser.page
    await sign_in(ui, browser)
    ranges = page.get_by_role("navigation", name="Time range")
    assert await ranges.get_by_role("link").all_inner_texts() == ["1h", "24h", "7d", "30d"]
    shown = {}
    for name in ("7d", "30d", "24h", "1h"):
        await ranges.get_by_role("link", name=name, exact=True).click()
        await page.wait_for_url(f"**/?range={name}")
        current = ranges.locator('[aria-current="page"]')
        assert await current.inner_text() == name
        figures = page.locator("figure.chart svg[role=img]")
        assert await figures.count() == 3
        label = await figures.first.get_attribute("aria-label")
        assert label is not None
        shown[name] = label
        box = await figures.first.bounding_box()
        assert box is not None and box["width"] > 300  # the chart is drawn, not collapsed
    assert "1 in all" in shown["1h"] and "2 in all" in shown["7d"] and "3 in all" in shown["30d"]
    await ranges.get_by_role("link", name="7d", exact=True).click()
    await page.wait_for_url("**/?range=7d")
    errors = page.locator("section", has=page.get_by_role("heading", name="Errors by class"))
    assert "upstream_http" in await errors.inner_text()
