"""``confiance audit verify|show`` through a real Typer app and CliRunner, on SQLite files."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from confiance.audit import AuditLog
from confiance.cli.audit import register
from confiance.store import Store

from .conftest import StepClock


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    register(app)
    return app


def invoke(cli: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def seeded(path: Path, count: int, *, tamper: str | None = None) -> str:
    url = f"sqlite:///{path}"

    async def seed() -> None:
        async with await Store.open(url) as store:
            log = AuditLog(store, StepClock())
            for i in range(1, count + 1):
                action = "key.create" if i % 2 else "config.apply"
                await log.record("alice", action, f"key:k{i}", {"i": i, "name": "café"})
            if tamper:
                async with store.database.engine.begin() as conn:
                    await conn.execute(text(tamper))

    asyncio.run(seed())
    return url


def test_verify_intact_trail(cli: typer.Typer, tmp_path: Path) -> None:
    url = seeded(tmp_path / "a.db", 6)
    code, output = invoke(cli, "audit", "verify", "--database-url", url)
    assert code == 0, output
    assert "intact: 6 events, last event 6" in output


def test_verify_names_the_first_bad_event(cli: typer.Typer, tmp_path: Path) -> None:
    url = seeded(tmp_path / "a.db", 6, tamper="DELETE FROM audit_events WHERE seq = 3")
    code, output = invoke(cli, "audit", "verify", "--database-url", url)
    assert code == 1
    assert "tampered at event 3 (deleted)" in output
    assert "events 1-2 verified" in output

    code, output = invoke(cli, "audit", "verify", "--database-url", url, "--json")
    assert code == 1
    report = json.loads(output)
    assert (report["ok"], report["first_bad_seq"], report["reason"]) == (False, 3, "deleted")


def test_verify_edited_event_as_json(cli: typer.Typer, tmp_path: Path) -> None:
    tamper = "UPDATE audit_events SET subject = 'key:other' WHERE seq = 5"
    url = seeded(tmp_path / "a.db", 6, tamper=tamper)
    code, output = invoke(cli, "audit", "verify", "--database-url", url, "--json")
    assert code == 1
    assert json.loads(output)["reason"] == "edited"


def test_show_table_and_json(cli: typer.Typer, tmp_path: Path) -> None:
    url = seeded(tmp_path / "a.db", 8)
    code, output = invoke(cli, "audit", "show", "--database-url", url, "--limit", "2")
    assert code == 0, output
    assert "key:k7" in output
    assert "key:k8" in output
    assert "key:k6" not in output
    assert "café" in output

    args = ("--database-url", url, "--action", "key.create", "--after", "2", "--json")
    code, output = invoke(cli, "audit", "show", *args)
    assert code == 0
    events = json.loads(output)["events"]
    assert [e["seq"] for e in events] == [3, 5, 7]
    assert events[0]["data"] == {"i": 3, "name": "café"}
    assert events[0]["at"].endswith("+00:00")


def test_show_nothing_matches(cli: typer.Typer, tmp_path: Path) -> None:
    url = seeded(tmp_path / "a.db", 2)
    code, output = invoke(cli, "audit", "show", "--database-url", url, "--subject", "nobody")
    assert code == 0
    assert "No audit events match" in output


def test_unmigrated_database_is_reported_not_changed(cli: typer.Typer, tmp_path: Path) -> None:
    target = tmp_path / "empty.db"
    code, output = invoke(cli, "audit", "verify", "--database-url", f"sqlite:///{target}")
    assert code == 2
    message = " ".join(output.split())
    assert "does not exist" in message
    assert "confiance db upgrade" in message
    assert not target.exists()


def test_bad_limit_is_a_usage_error(cli: typer.Typer, tmp_path: Path) -> None:
    url = seeded(tmp_path / "a.db", 1)
    code, _ = invoke(cli, "audit", "show", "--database-url", url, "--limit", "0")
    assert code == 2


def test_help_teaches_with_an_example(cli: typer.Typer) -> None:
    code, output = invoke(cli, "audit", "verify", "--help")
    assert code == 0
    assert "Example" in output
    assert "edited, deleted, inserted or reordered" in output
