"""``confiance config show`` and ``config rollback`` through the real CLI, on a SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import Result

from confiance.cli import audit as audit_cli
from confiance.config.load import load_config

from .test_config_cli import Cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def applied(cli: Cli) -> int:
    result = cli("apply", "--yes", "--json")
    assert result.exit_code == 0, result.output
    revision: int = json.loads(result.stdout)["revision"]
    return revision


def audit_actions(cli: Cli) -> list[str]:
    audit_cli.register(cli.app)
    shown = cli("audit", "show", "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    events = data["events"] if isinstance(data, dict) else data
    return [event["action"] for event in events]


def test_config_rollback_restores_a_whole_revision_as_a_new_audited_one(cli: Cli) -> None:
    assert applied(cli) == 1
    cli.edit("temperature: 0.2", "temperature: 0.9")
    cli.edit("backup: {target: sim/echo}", "backup: {target: sim/echo}\n  extra: {target: sim/x}")
    assert applied(cli) == 2

    preview: Result = cli("config", "rollback", "--to", "1", input="n\n")
    assert preview.exit_code == 1
    assert "temperature" in preview.stdout and "extra" in preview.stdout
    assert "Nothing stored." in preview.stderr

    result = cli("config", "rollback", "--to", "1", "--yes", "--json", "-m", "undo the tuning")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["applied"], data["revision"], data["previous"]) == (True, 3, 2)
    routes = json.loads(cli("routes", "list", "--json").stdout)
    assert sorted(routes) == ["backup", "bot"]
    first = cli.json("config", "show", "--revision", "1")
    latest = cli.json("config", "show")
    assert first["digest"] == latest["digest"]  # type: ignore[index]
    assert "config.rollback" in audit_actions(cli)

    again = cli("config", "rollback", "--to", "3", "--yes")
    assert again.exit_code == 0
    assert "no changes" in again.stdout
    missing = cli("config", "rollback", "--to", "9", "--yes")
    assert missing.exit_code == 2
    assert "9" in missing.stderr


def test_config_show_round_trips_to_the_same_revision(cli: Cli, tmp_path: Path) -> None:
    applied(cli)
    shown = cli("config", "show")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("# revision 1 (")
    copy = tmp_path / "copy.yaml"
    copy.write_text(shown.stdout, encoding="utf-8")
    stored = cli.json("config", "show")
    assert load_config(copy).digest == stored["digest"]  # type: ignore[index]
    assert "backoff_initial" not in shown.stdout  # defaults are left out
    cli.env["CONFIANCE_CONFIG"] = str(copy)
    assert "No changes" in cli("apply").stdout


def test_config_show_on_an_empty_store_says_what_to_do(cli: Cli) -> None:
    result = cli("config", "show")
    assert result.exit_code == 2
    assert "confiance apply" in result.stderr
