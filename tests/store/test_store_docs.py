"""docs/store.md stays true: its URLs parse as it says, its commands exist, its table list is
complete."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from confiance.cli.audit import register as register_audit
from confiance.cli.db import register as register_db
from confiance.store import Store  # noqa: F401  (imports every table module onto the metadata)
from confiance.store.tables import metadata
from confiance.store.urls import parse_database_url

DOC = (Path(__file__).parents[2] / "docs" / "store.md").read_text(encoding="utf-8")


def table_rows(header: str) -> list[list[str]]:
    """The cells of the Markdown table whose header row starts with ``header``."""
    lines = DOC.split(header, 1)[1].splitlines()[2:]
    rows: list[list[str]] = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_every_documented_url_parses_as_documented() -> None:
    rows = table_rows("| you write |")
    assert len(rows) >= 8
    for written, used in rows:
        url = written.strip("`")
        parsed = parse_database_url(url)
        assert parsed.dialect == ("sqlite" if used.startswith("SQLite") else "postgresql"), url
        if parsed.dialect == "sqlite":
            assert f"`{parsed.url.database}`" in used, url
        schema = re.search(r"schema `(\w+)`", used)
        assert parsed.schema == (schema.group(1) if schema else None), url


def test_every_documented_command_exists() -> None:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    register_db(app)
    register_audit(app)
    commands = set(re.findall(r"confiance ((?:db|audit) \w+)((?: --[a-z]+)*)", DOC))
    assert {"db upgrade", "db current", "audit verify", "audit show"} <= {c for c, _ in commands}
    for command, options in commands:
        result = CliRunner().invoke(app, [*command.split(), "--help"])
        assert result.exit_code == 0, command
        for option in options.split():
            assert option in result.output, f"{command} {option}"


def test_table_list_is_complete() -> None:
    documented = set(re.findall(r"^\| `(\w+)`(?:, `(\w+)`)? \|", DOC, flags=re.MULTILINE))
    names = {name for pair in documented for name in pair if name}
    assert names == set(metadata.tables) | {"alembic_version"}
