"""What the control-plane commands (apply, config, routes, keys) share: options, the services
they call, JSON output and one way of reporting errors."""

from __future__ import annotations

import asyncio
import getpass
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

import typer
from rich.console import Console
from rich.text import Text

from confiance.app import Services, open_services
from confiance.cli._diffview import render_diff
from confiance.config.diff import ConfigDiff
from confiance.config.problems import InvalidConfig
from confiance.control.revisions import ApplyResult
from confiance.errors import ConfianceError, ConfigError
from confiance.settings import Settings

__all__ = [
    "DATABASE_HELP",
    "JSON_HELP",
    "author",
    "echo_json",
    "err",
    "out",
    "reported_errors",
    "roll_back",
    "run",
    "services",
    "when",
]

T = TypeVar("T")

DATABASE_HELP = (
    "Store URL, e.g. postgresql+asyncpg://user@host/db "
    "(env CONFIANCE_DATABASE_URL; default SQLite ./confiance.db)."
)
JSON_HELP = "Print one JSON document on stdout instead of tables (for scripts)."

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def settings_with(database_url: str | None) -> Settings:
    """Settings from the environment, with the ``--database-url`` override."""
    try:
        settings = Settings.from_env()
    except ValueError as error:
        raise ConfigError(str(error)) from error
    return replace(settings, database_url=database_url) if database_url else settings


@asynccontextmanager
async def services(database_url: str | None, *, writes: bool = True) -> AsyncIterator[Services]:
    """The services over the store, closed afterwards.

    A command that ``writes`` creates the store or migrates it to the current schema; one that
    only reads never does (a missing store is an error saying where it was looked for, so a
    command run in the wrong folder does not leave an empty ``confiance.db`` behind)."""
    opened = await open_services(settings_with(database_url), actor="cli", migrate=writes)
    try:
        yield opened
    finally:
        await opened.close()


def run(
    work: Callable[[Services], Awaitable[T]],
    database_url: str | None,
    *,
    writes: bool = False,
    probe: bool = False,
) -> T:
    """Run ``work`` with freshly opened services, in its own event loop. With ``writes`` the
    store is created or migrated if needed (see :func:`services`); ``probe`` first checks it is
    writable, so a read-only store fails with its reason (exit 2) before anything is tried."""

    async def main() -> T:
        async with services(database_url, writes=writes) as opened:
            if probe:
                await opened.store.check_writable()
            return await work(opened)

    return asyncio.run(main())


def roll_back(
    preview: Callable[[Services], Awaitable[ConfigDiff]],
    store: Callable[[Services], Awaitable[ApplyResult]],
    database_url: str | None,
    *,
    yes: bool,
    json_output: bool,
    unchanged: str,
    title: str,
) -> None:
    """The rollback commands' one flow: check the store is writable, show ``preview``'s diff
    and ask (unless ``yes``), then run ``store`` and print its result. Declining exits 1; an
    empty diff prints ``unchanged`` and stores nothing."""
    if json_output and not yes:
        raise typer.BadParameter("--json needs --yes (no prompt in JSON mode)")
    if not yes:
        diff = run(preview, database_url, writes=True, probe=True)
        if diff.is_empty:
            out.print(unchanged)
            return
        out.print(render_diff(diff, title))
        if not typer.confirm("Store this as a new revision?", default=False):
            err.print("Nothing stored.")
            raise typer.Exit(1)
    result = run(store, database_url, writes=True, probe=True)
    if json_output:
        echo_json(result.to_json())
    else:
        out.print(Text(result.message, style="bold green" if result.applied else ""))


def author() -> str:
    """Who is running the command, for revision authors and audit actors."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"


def echo_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def when(moment: datetime | None) -> str:
    """A stored time for tables: UTC, to the second."""
    if moment is None:
        return "-"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


@contextmanager
def reported_errors(json_output: bool) -> Iterator[None]:
    """Turn a Confiance error into its message (or JSON) and the error's exit code."""
    try:
        yield
    except ConfianceError as error:
        if json_output:
            echo_json({"error": _error_json(error)})
        else:
            # soft_wrap: never break a file:line:col message in two.
            err.print(Text("error: ", style="bold red") + Text(error.message), soft_wrap=True)
        raise typer.Exit(error.exit_code) from None


def _error_json(error: ConfianceError) -> dict[str, object]:
    data: dict[str, object] = {"code": error.code, "message": error.message}
    if isinstance(error, InvalidConfig):
        data["problems"] = [problem.to_json() for problem in error.problems]
    return data
