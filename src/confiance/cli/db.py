"""``confiance db upgrade|current``: the store's schema.

Also home to what every store-backed command of this module family shares: the
``--database-url`` option resolved against ``CONFIANCE_DATABASE_URL``, JSON output and turning a
Confiance error into a message and its exit code.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.text import Text

from confiance.errors import ConfianceError, ConfigError
from confiance.settings import Settings
from confiance.store.migrate import SchemaState, state_of_url, upgrade_url

__all__ = [
    "DATABASE_OPTION",
    "JSON_OPTION",
    "database_url",
    "echo_json",
    "err",
    "out",
    "register",
    "reported_errors",
]

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DATABASE_OPTION = typer.Option(
    None,
    "--database-url",
    help="Store URL, e.g. postgresql+asyncpg://user@host/db "
    "[env CONFIANCE_DATABASE_URL; default SQLite ./confiance.db].",
)
JSON_OPTION = typer.Option(
    False, "--json", help="Print one JSON document on stdout instead of text (for scripts)."
)

db_app = typer.Typer(
    name="db",
    help="Create and migrate the store's tables (SQLite or PostgreSQL).\n\n"
    "Example: [bold]confiance db upgrade --database-url "
    "postgresql+asyncpg://confiance@db.internal/confiance[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def register(app: typer.Typer) -> None:
    """Add the ``db`` group to ``app``."""
    app.add_typer(db_app)


def database_url(option: str | None) -> str:
    """``--database-url`` when given, else ``CONFIANCE_DATABASE_URL`` (or the SQLite default)."""
    if option:
        return option
    try:
        return Settings.from_env().database_url
    except ValueError as error:
        raise ConfigError(str(error)) from error


def echo_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@contextmanager
def reported_errors(json_output: bool) -> Iterator[None]:
    """Turn a Confiance error into its message (or a JSON error) and the error's exit code."""
    try:
        yield
    except ConfianceError as error:
        if json_output:
            echo_json({"error": {"code": error.code, "message": error.message}})
        else:
            err.print(Text("error: ", style="bold red") + Text(error.message), soft_wrap=True)
        raise typer.Exit(error.exit_code) from None


def _state_json(state: SchemaState) -> dict[str, object]:
    return {
        "database": state.where,
        "current": state.current,
        "head": state.head,
        "up_to_date": state.up_to_date,
    }


@db_app.command("upgrade")
def upgrade_command(
    database: str | None = DATABASE_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Create the tables, or migrate them to this version of Confiance.

    Safe to repeat, and safe when several hosts run it at once: it migrates only what is
    missing, under a lock. `confiance serve` does the same at start.

    Example: [bold]CONFIANCE_DATABASE_URL=sqlite:///./confiance.db confiance db upgrade[/bold]

    Exit codes: 0 migrated or already current, 2 bad usage or a store error (unreachable,
    unreadable or read-only).
    """
    with reported_errors(json_output):
        before, after = asyncio.run(upgrade_url(database_url(database)))
    if json_output:
        echo_json({**_state_json(after), "previous": before.current})
        return
    if before.current == after.current:
        out.print(f"{after.where}: already at schema revision {after.current} (latest).")
    else:
        previous = before.current or "empty"
        out.print(f"{after.where}: migrated from {previous} to schema revision {after.current}.")


@db_app.command("current")
def current_command(
    database: str | None = DATABASE_OPTION,
    json_output: bool = JSON_OPTION,
    check: bool = typer.Option(
        False, "--check", help="Exit 1 when the schema is not at the latest revision."
    ),
) -> None:
    """Show the database's schema revision and the one this version of Confiance needs.

    Changes nothing. With --check, exit 1 when `confiance db upgrade` is needed (for deploy
    scripts).

    Example: [bold]confiance db current --check[/bold]

    Exit codes: 0 shown, 1 with --check when an upgrade is needed, 2 bad usage or a store error
    (unreachable, unreadable).
    """
    with reported_errors(json_output):
        state = asyncio.run(state_of_url(database_url(database)))
    if json_output:
        echo_json(_state_json(state))
    elif state.up_to_date:
        out.print(f"{state.where}: schema revision {state.current} (latest).")
    else:
        current = state.current or "none (no Confiance tables yet)"
        out.print(
            f"{state.where}: schema revision {current}; this version needs {state.head}. "
            "Run `confiance db upgrade`."
        )
    if check and not state.up_to_date:
        raise typer.Exit(1)
