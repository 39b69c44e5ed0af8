"""What the pages say: keys by name and prefix everywhere, costs in significant digits,
milliseconds to a tenth, labels that say what they show."""

from __future__ import annotations

import dataclasses
import re

from confiance.domain.keys import Role
from confiance.domain.numbers import format_ms, format_usd

from .conftest import WebUI
from .support import trace


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_costs_keep_three_significant_digits_and_ms_a_tenth() -> None:
    assert format_usd(0.000017) == "$0.000017"
    assert format_usd(0.0000172345) == "$0.0000172"
    assert format_usd(0.00123456) == "$0.00123"
    assert format_usd(0.5) == "$0.50"
    assert format_usd(12.5) == "$12.50"
    assert format_usd(0) == "$0"
    assert format_ms(2.2921790000509645) == "2.3 ms"
    assert format_ms(1234.44) == "1,234.4 ms"


async def test_a_trace_names_its_key_and_its_models_plainly(ui: WebUI) -> None:
    key = await ui.services.keys.create("checkout-service", Role.APP, author="test")
    stored = dataclasses.replace(
        trace(8, ui.clock.now), key_id=key.key.id, cost_usd=0.000017, ttft_ms=2.2921790000509645
    )
    await ui.services.store.traces.add_many([stored])
    client = await ui.signed_in("reviewer")
    page = _text((await client.get("/traces/tr_000008")).text)
    assert f"Key checkout-service ({key.key.prefix})" in page
    assert "Route asked support-bot" in page
    assert "Model asked sim/support-bot" in page
    assert "Model answered fast" in page
    assert "Model requested" not in page
    assert "first token after 2.3 ms" in page
    assert "$0.000017" in page
    listing = _text((await client.get("/traces")).text)
    assert "$0.000017" in listing and "$0.0000 " not in listing
    assert "Route asked" in listing and "Model answered" in listing


async def test_the_audit_trail_names_keys_as_the_keys_page_does(ui: WebUI) -> None:
    key = await ui.services.keys.create("nightly-batch", Role.APP, author="test")
    client = await ui.signed_in("admin")
    audit = _text((await client.get("/audit")).text)
    keys = _text((await client.get("/keys")).text)
    label = f"nightly-batch ({key.key.prefix})"
    assert f"key:{label}" in audit
    assert "nightly-batch" in keys and key.key.prefix in keys
