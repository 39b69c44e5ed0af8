"""Playwright driving Debian's Chromium (never a downloaded browser), with the async API:
the sync API cannot run inside the event loop the tests already run in."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip (or fail, where CONFIANCE_TEST_REQUIRE_SERVICES=1) without Debian's Chromium."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install it with `apt-get install chromium`"
    if os.environ.get("CONFIANCE_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (required: CONFIANCE_TEST_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@asynccontextmanager
async def chromium_page(**context_options: object) -> AsyncIterator[object]:
    """A fresh page in a fresh headless Chromium, closed afterwards."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        try:
            context = await browser.new_context(**context_options)  # type: ignore[arg-type]
            page = await context.new_page()
            yield page
            await context.close()
        finally:
            await browser.close()
