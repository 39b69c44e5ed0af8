"""``confiance db upgrade|current`` through a real Typer app and CliRunner."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from confiance.cli.db import register
from confiance.store.migrate import head_revision
from confiance.store.testing import postgres_schema


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    register(app)
    return app


def invoke(cli: typer.Typer, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_current_upgrade_current_on_a_new_sqlite_file(cli: typer.Typer, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    code, output = invoke(cli, "db", "current", "--database-url", url, "--check")
    assert code == 1
    assert "no Confiance tables" in output
    assert "confiance db upgrade" in output
    assert not (tmp_path / "c.db").exists()

    code, output = invoke(cli, "db", "upgrade", "--database-url", url)
    assert code == 0, output
    assert f"migrated from empty to schema revision {head_revision()}" in output

    code, output = invoke(cli, "db", "upgrade", "--database-url", url)
    assert code == 0
    assert "already at schema revision" in output

    code, output = invoke(cli, "db", "current", "--database-url", url, "--check", "--json")
    assert code == 0
    state = json.loads(output)
    assert state["current"] == state["head"] == head_revision()
    assert state["up_to_date"] is True


def test_database_url_comes_from_the_environment(cli: typer.Typer, tmp_path: Path) -> None:
    target = tmp_path / "env.db"
    env = {"CONFIANCE_DATABASE_URL": str(target)}
    code, output = invoke(cli, "db", "upgrade", "--json", env=env)
    assert code == 0, output
    assert json.loads(output)["previous"] is None
    assert target.exists()


def test_unknown_scheme_is_a_usage_error(cli: typer.Typer) -> None:
    code, output = invoke(cli, "db", "upgrade", "--database-url", "mysql://root:hunter2@db/x")
    assert code == 2
    assert "unsupported database URL scheme 'mysql'" in output
    assert "hunter2" not in output


def test_unreachable_database_names_the_host(cli: typer.Typer, unused_port: int) -> None:
    url = f"postgresql://u:s3cret@127.0.0.1:{unused_port}/conf"
    code, output = invoke(cli, "db", "current", "--database-url", url, "--json")
    assert code == 2
    error = json.loads(output)["error"]
    assert error["code"] == "store_error"
    assert f"127.0.0.1:{unused_port}" in error["message"]
    assert "s3cret" not in output


def test_help_teaches_with_an_example(cli: typer.Typer) -> None:
    code, output = invoke(cli, "db", "upgrade", "--help")
    assert code == 0
    assert "Example" in output
    assert "--database-url" in output


@pytest.mark.postgres
async def test_upgrade_on_postgres(cli: typer.Typer, postgres_url: str) -> None:
    # The command runs its own event loop, so it runs in a thread here.
    async with postgres_schema(postgres_url) as url:
        upgrade = ("db", "upgrade", "--database-url", url, "--json")
        code, output = await asyncio.to_thread(invoke, cli, *upgrade)
        assert code == 0, output
        assert json.loads(output)["up_to_date"] is True
        current = ("db", "current", "--database-url", url, "--check")
        code, output = await asyncio.to_thread(invoke, cli, *current)
        assert code == 0
        assert "PostgreSQL at 127.0.0.1:5432/test (schema confiance_test_" in output
