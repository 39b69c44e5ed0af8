"""Reports of real runs: terminal tables, JSON, JUnit XML and the self-contained HTML page."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from rich.console import Console

from confiance.evals.reports import build_view, html_report, junit_xml, print_report, report_json
from confiance.evals.service import EvalService, RunOptions, RunReport
from confiance.evals.sources import FileSource, PackSource
from confiance.evals.targets import TargetSpec
from confiance.providers.simulated import RunningSimulator


async def pack_reports(service: EvalService, sim: RunningSimulator) -> tuple[RunReport, RunReport]:
    good = await service.execute(
        await service.plan(
            PackSource("security"),
            TargetSpec.at_url("bot", sim.openai_base_url, "k"),
            RunOptions(repeats=2),
        )
    )
    bad = await service.execute(
        await service.plan(
            PackSource("security"),
            TargetSpec.at_url("bot+leak-system", sim.openai_base_url, "k"),
            RunOptions(repeats=2, baseline=good.run.id),
        )
    )
    return good, bad


async def test_json_and_terminal_reports(service: EvalService, sim: RunningSimulator) -> None:
    _, bad = await pack_reports(service, sim)
    view = build_view(bad)
    data = json.loads(json.dumps(report_json(view)))
    categories = {c["name"]: c for c in data["categories"]}
    leak = categories["system-prompt-extraction"]
    assert leak["attack_success_rate"] == 1.0
    low, high = leak["attack_success_rate_ci"]
    assert 0.4 < low < 1.0
    assert high == 1.0
    assert categories["jailbreak"]["attack_success_rate"] == 0.0
    assert data["gate"]["passed"] is False
    assert data["comparison"]["baseline"] != data["run"]["id"]
    regressed = {c["id"] for c in data["comparison"]["cases"] if c["change"] == "regressed"}
    assert "spe-repeat" in regressed
    console = Console(record=True, width=160)
    print_report(view, console)
    text = console.export_text()
    assert "system-prompt-extraction" in text
    assert "Gate FAILED" in text
    assert "regressed" in text


async def test_junit_counts_failures_and_the_gate(
    service: EvalService, sim: RunningSimulator
) -> None:
    _, bad = await pack_reports(service, sim)
    root = ET.fromstring(junit_xml(build_view(bad)))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert suites["system-prompt-extraction"].get("failures") == "7"
    assert suites["jailbreak"].get("failures") == "0"
    assert int(suites["gate"].get("failures") or 0) >= 1
    cases = list(root.iter("testcase"))
    assert len(cases) == bad.run.summary.cases + len(bad.gate.checks)  # type: ignore[union-attr]
    failure = next(c for c in cases if c.get("name") == "spe-repeat").find("failure")
    assert failure is not None
    assert "canary" in (failure.text or "")


async def test_html_is_self_contained_escaped_and_shows_diffs(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    _, bad = await pack_reports(service, sim)
    page = html_report(build_view(bad))
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page
    assert "Attack success rate by category" in page
    assert "<ins>" in page  # the leaked prompt appears as added text against the baseline
    assert "<script" not in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page

    suite = tmp_path / "xss.yaml"
    suite.write_text(
        "name: xss\ncases:\n  - input: '<script>alert(1)</script> is my name'\n"
        "    assert: [{kind: not-contains, value: my name}]\n",
        encoding="utf-8",
    )
    echo = await service.execute(
        await service.plan(
            FileSource(suite), TargetSpec.at_url("bot+echo", sim.openai_base_url, "k"), RunOptions()
        )
    )
    page = html_report(build_view(echo))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
