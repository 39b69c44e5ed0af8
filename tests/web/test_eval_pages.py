"""Eval runs, one run, and comparisons: numbers as the evals service computes them."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import timedelta

from confiance.domain.evaluation import CaseResult, Verdict
from confiance.evals.queries import compare_stored, stored_report
from confiance.evals.reports.view import build_view

from .conftest import WebUI
from .support import HOSTILE, case, store_run


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _suite(
    run_id: str, ui: WebUI, *, broken: Collection[int], flaky: Collection[int] = ()
) -> list[CaseResult]:
    """20 cases of 3 repeats in 2 categories and 2 tags; ``broken`` cases fail every repeat,
    ``flaky`` ones once."""
    results: list[CaseResult] = []
    for number in range(20):
        verdicts = [Verdict.PASS] * 3
        if number in broken:
            verdicts = [Verdict.FAIL] * 3
        elif number in flaky:
            verdicts = [Verdict.PASS, Verdict.FAIL, Verdict.PASS]
        results += case(
            run_id,
            f"case-{number:02d}",
            verdicts,
            ui.clock.now,
            tags=("billing",) if number % 2 else ("tone",),
            category="injection" if number < 10 else "leakage",
            output=HOSTILE if number == 0 else f"answer {number}",
        )
    return results


async def test_runs_list_shows_pass_rates_with_intervals(ui: WebUI) -> None:
    now = ui.clock.now
    await store_run(
        ui.services, "ev_old", now - timedelta(hours=2), _suite("ev_old", ui, broken=set())
    )
    await store_run(
        ui.services,
        "ev_new",
        now - timedelta(hours=1),
        _suite("ev_new", ui, broken={1, 2}, flaky={3}),
        passed_gate=False,
    )
    client = await ui.signed_in("reviewer")
    page = _text((await client.get("/evals")).text)
    view = build_view(await stored_report(ui.services.store.evals, "ev_new"))
    low, high = view.overall.interval.low, view.overall.interval.high
    expected = f"{view.overall.pass_rate * 100:.1f}% [{low * 100:.0f}%–{high * 100:.0f}%]"
    assert f"ev_new support support-bot sim/fast finished {expected} of 60 failed" in page
    assert "ev_old support support-bot sim/fast finished 100.0%" in page
    assert page.index("ev_new") < page.index("ev_old")  # newest first
    filtered = _text((await client.get("/evals", params={"status": "running"})).text)
    assert "No runs match these filters" in filtered
    bad = await client.get("/evals", params={"status": "nope"})
    assert bad.status_code == 400


async def test_runs_list_pages(ui: WebUI) -> None:
    for number in range(30):
        run_id = f"ev_{number:03d}"
        at = ui.clock.now - timedelta(minutes=number)
        await store_run(ui.services, run_id, at, case(run_id, "only", [Verdict.PASS], at))
    client = await ui.signed_in()
    first = (await client.get("/evals")).text
    ids = re.findall(r'href="/ui/evals/runs/(ev_\d+)"', first)
    assert ids == [f"ev_{n:03d}" for n in range(25)]
    older = re.search(r'href="/ui/evals\?before=(ev_\d+)"', first)
    assert older is not None
    second = (await client.get("/evals", params={"before": older.group(1)})).text
    assert re.findall(r'href="/ui/evals/runs/(ev_\d+)"', second) == [
        f"ev_{n:03d}" for n in range(25, 30)
    ]


async def test_run_detail_shows_groups_cases_and_escaped_outputs(ui: WebUI) -> None:
    await store_run(
        ui.services, "ev_a", ui.clock.now - timedelta(hours=2), _suite("ev_a", ui, broken=set())
    )
    await store_run(
        ui.services, "ev_b", ui.clock.now, _suite("ev_b", ui, broken={0, 12}, flaky={4})
    )
    client = await ui.signed_in("reviewer")
    response = await client.get("/evals/runs/ev_b")
    html = response.text
    assert response.status_code == 200
    assert HOSTILE not in html and "&lt;script&gt;alert(" in html
    view = build_view(await stored_report(ui.services.store.evals, "ev_b"))
    page = _text(html)
    for row in view.categories:
        rate = f"{row.pass_rate * 100:.1f}%"
        attack = f"{row.attack_success_rate * 100:.1f}%"
        assert re.search(rf"{row.name} 10 {re.escape(rate)} \[.*?\] {re.escape(attack)}", page)
    assert html.count('class="rate-bar') == len(view.categories) + len(view.tags)
    assert "All (20)" in page and "Not passing (3)" in page
    assert html.count('<li class="case ') == 20
    failing = (await client.get("/evals/runs/ev_b", params={"cases": "failing"})).text
    assert re.findall(r'<span class="case-id">([^<]+)</span>', failing) == [
        "case-00",
        "case-04",
        "case-12",
    ]
    assert "no &#39;refund&#39; in it" in failing
    assert 'href="/ui/traces/tr_eval_case-00_0"' in failing
    compare = re.search(r'href="/ui/evals/compare\?a=ev_a&amp;b=ev_b"', html)
    assert compare is not None  # ev_a passed its gate: offered as the baseline


async def test_run_detail_pages_long_case_lists(ui: WebUI) -> None:
    results = []
    for number in range(130):
        results += case("ev_big", f"c{number:03d}", [Verdict.PASS], ui.clock.now)
    await store_run(ui.services, "ev_big", ui.clock.now, results)
    client = await ui.signed_in()
    first = (await client.get("/evals/runs/ev_big")).text
    second = (await client.get("/evals/runs/ev_big", params={"page": "2"})).text
    assert first.count('<li class="case ') == 100 and second.count('<li class="case ') == 30
    assert "Page 2 of 2 (130 cases)" in _text(second)
    assert (await client.get("/evals/runs/ev_big", params={"page": "x"})).status_code == 400
    empty_failing = (await client.get("/evals/runs/ev_big", params={"cases": "failing"})).text
    assert "Every case passed" in empty_failing


async def test_compare_shows_regressions_fixes_and_the_verdict(ui: WebUI) -> None:
    await store_run(
        ui.services, "ev_a", ui.clock.now - timedelta(hours=1), _suite("ev_a", ui, broken={5})
    )
    await store_run(
        ui.services, "ev_b", ui.clock.now, _suite("ev_b", ui, broken=set(range(10, 20)))
    )
    client = await ui.signed_in("reviewer")
    response = await client.get("/evals/compare", params={"a": "ev_a", "b": "ev_b"})
    assert response.status_code == 200
    page = _text(response.text)
    comparison = await compare_stored(ui.services.store.evals, "ev_a", "ev_b")
    assert "Run B regressed" in page
    assert "failed regression : 95.0% → 50.0%" in page
    assert "failed regression:leakage : 100.0% → 0.0%" in page
    assert "ok regression:injection : 90.0% → 100.0%" in page
    regressed = re.search(r"Regressions 10 (.*?) Fixes 1 (.*?) Confiance", page)
    assert regressed is not None
    assert [c.case_id for c in comparison.cases if c.change.value == "regressed"] == [
        f"case-{n:02d}" for n in range(10, 20)
    ]
    for number in range(10, 20):
        assert f"case-{number:02d} pass 3/3 fail 0/3" in regressed.group(1)
    assert "case-05 fail 0/3 pass 3/3" in regressed.group(2)
    tag = comparison.tags[0]
    change = f"{tag.difference.difference * 100:+.1f} pts"
    assert f"{tag.name} {tag.baseline.pass_rate * 100:.1f}%" in page and change in page


async def test_compare_within_noise_is_no_regression(ui: WebUI) -> None:
    await store_run(
        ui.services, "ev_a", ui.clock.now - timedelta(hours=1), _suite("ev_a", ui, broken=set())
    )
    await store_run(ui.services, "ev_b", ui.clock.now, _suite("ev_b", ui, broken=set(), flaky={7}))
    client = await ui.signed_in()
    page = _text((await client.get("/evals/compare", params={"a": "ev_a", "b": "ev_b"})).text)
    assert "No regression" in page and "Run B regressed" not in page
    assert "Regressions 1" in page  # the flaky case is listed, yet the gate holds


async def test_compare_refusals(ui: WebUI) -> None:
    await store_run(ui.services, "ev_a", ui.clock.now, _suite("ev_a", ui, broken=set()))
    client = await ui.signed_in()
    choose = await client.get("/evals/compare", params={"a": "ev_a"})
    assert choose.status_code == 200 and "Not enough runs to compare" in choose.text
    missing = await client.get("/evals/compare", params={"a": "ev_a", "b": "ev_zzz"})
    assert missing.status_code == 404 and "ev_zzz" in missing.text
    bad = await client.get("/evals/compare", params={"a": "ev_a", "b": "ev_a", "tolerance": "2"})
    assert bad.status_code == 400 and "tolerance" in bad.text
