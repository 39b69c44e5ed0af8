"""Confiance's own source passes its own scanner: a regression here is either a new weakness in
our code or a new false positive in a rule, and both need fixing."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from confiance.cli.main import app

SRC = Path(__file__).parents[2] / "src" / "confiance"


def test_confiance_source_has_no_findings() -> None:
    result = CliRunner().invoke(app, ["scan", str(SRC), "--format", "json", "--quiet"])
    report = json.loads(result.stdout)
    assert [(f["rule_id"], f["path"], f["line"]) for f in report["findings"]] == []
    assert result.exit_code == 0
    assert report["summary"]["files"] > 100
