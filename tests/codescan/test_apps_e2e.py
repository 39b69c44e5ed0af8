"""End to end through the CLI on the small realistic apps (Flask and FastAPI, with and without
auth): findings agree with the apps' labels, SARIF validates, the checklist fails the right
items with evidence from the right app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from confiance.cli.scan import register

from .corpus_labels import labels_in
from .sarif_schema import VALIDATOR

HERE = Path(__file__).parent
APPS = HERE / "apps"
APP_DIRS = sorted(p for p in APPS.iterdir() if p.is_dir())


def _invoke(*args: str) -> tuple[int, str]:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    register(app)
    result = CliRunner().invoke(app, ["scan", *args])
    return result.exit_code, result.stdout


@pytest.fixture
def in_apps(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the apps directory, so paths read ``flask_auth/app.py``."""
    monkeypatch.chdir(APPS)
    return APPS


@pytest.fixture
def report(in_apps: Path) -> dict:
    code, out = _invoke(".", "--format", "json", "--jobs", "1")
    assert code == 1
    return json.loads(out)


@pytest.mark.parametrize("app_dir", APP_DIRS, ids=lambda p: p.name)
def test_findings_match_the_apps_labels(app_dir: Path, report: dict) -> None:
    prefix = app_dir.name + "/"
    expected = {
        (f"{prefix}{path}", line, rule)
        for source in sorted(app_dir.rglob("*.py"))
        for path, line, rule in labels_in(source, app_dir)
    }
    found = {
        (f["path"], f["line"], f["rule_id"])
        for f in report["findings"]
        if f["path"].startswith(prefix)
    }
    assert found - expected == set(), "false positives"
    assert expected - found == set(), "missed"


def test_apps_without_auth_have_more_findings(report: dict) -> None:
    per_app: dict[str, int] = {}
    for finding in report["findings"]:
        name = finding["path"].split("/")[0]
        per_app[name] = per_app.get(name, 0) + 1
    assert per_app["flask_noauth"] > per_app["flask_auth"]
    assert report["summary"]["skipped"] == 0


def test_apps_sarif_validates(in_apps: Path) -> None:
    code, out = _invoke(".", "--format", "sarif")
    assert code == 1
    document = json.loads(out)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    assert errors == []
    traced = [r for r in document["runs"][0]["results"] if r.get("codeFlows")]
    assert traced
    assert all(len(r["codeFlows"][0]["threadFlows"][0]["locations"]) >= 2 for r in traced)


def test_apps_checklist(in_apps: Path, tmp_path: Path) -> None:
    target = tmp_path / "checklist.md"
    code, _ = _invoke(".", "--checklist", "-o", str(target))
    assert code == 1
    text = target.read_text()
    assert "| ❌ fail | All state-changing and sensitive routes require authentication" in text
    assert "`flask_noauth/app.py:32` CF-PY-UNAUTHENTICATED-ACTION" in text
    assert "| ❌ fail | No retired or retiring models are hard-coded" in text
    assert "`fastapi_noauth/main.py:16` CF-LLM-MODEL-RETIRED" in text
    assert "| 🟡 needs review | Threat model for prompt injection reviewed" in text
