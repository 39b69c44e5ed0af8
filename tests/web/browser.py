"""Playwright driving Debian's Chromium (never a downloaded browser), with the async API:
the sync API cannot run inside the event loop the tests already run in."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    reason = f"{CHROMIUM} is missing: install Debian's browser with `apt-get install chromium`"
    if os.environ.get("CONFIANCE_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (required here: CONFIANCE_TEST_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@dataclass
class BrowserPage:
    """A page and what the browser reported while it ran: console errors (a Content Security
    Policy violation is one), uncaught script errors and dialogs (an ``alert`` would be one)."""

    page: Any
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@asynccontextmanager
async def chromium_page(**context_options: Any) -> AsyncIterator[BrowserPage]:
    """A fresh page in a fresh headless Chromium, closed afterwards."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        try:
            context = await browser.new_context(**context_options)
            page = await context.new_page()
            watched = BrowserPage(page)

            def on_console(message: Any) -> None:
                if message.type == "error":
                    watched.problems.append(message.text)

            async def on_dialog(dialog: Any) -> None:
                watched.dialogs.append(dialog.message)
                await dialog.dismiss()

            page.on("console", on_console)
            page.on("pageerror", lambda error: watched.problems.append(str(error)))
            page.on("dialog", on_dialog)
            yield watched
            await context.close()
        finally:
            await browser.close()
