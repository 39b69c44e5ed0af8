"""``confiance routes list|show|history|rollback``: routes as the applied config defines them."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from confiance.cli._controlplane import (
    DATABASE_HELP,
    JSON_HELP,
    author,
    echo_json,
    out,
    reported_errors,
    roll_back,
    run,
    when,
)
from confiance.cli._diffview import format_value
from confiance.config.diff import ChangeKind, FieldChange, flatten
from confiance.control.revisions import RouteDetail, RouteVersion

__all__ = ["register"]

routes_app = typer.Typer(
    name="routes",
    help="Inspect routes in the applied config, see each route's history, roll one back.\n\n"
    "Example: [bold]confiance routes history support-bot[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

ROUTE_ARGUMENT = typer.Argument(..., help="Route name, as applications pass it in `model`.")
DATABASE_OPTION = typer.Option(None, "--database-url", help=DATABASE_HELP)
JSON_OPTION = typer.Option(False, "--json", help=JSON_HELP)


def register(app: typer.Typer) -> None:
    """Add the ``routes`` group to ``app``."""
    app.add_typer(routes_app)


@routes_app.command("list")
def list_command(
    json_output: bool = JSON_OPTION, database_url: str | None = DATABASE_OPTION
) -> None:
    """List the routes of the latest applied revision with their targets and fallbacks.

    Example: [bold]confiance routes list --json[/bold]

    Exit codes: 0 done, 2 bad usage or a store error (no store at that path, unreadable, old
    schema).
    """
    with reported_errors(json_output):
        latest = run(lambda s: s.revisions.latest(), database_url)
        routes = latest.config.routes if latest else {}
        if json_output:
            echo_json({name: route.model_dump(mode="json") for name, route in routes.items()})
            return
        if latest is None:
            out.print("No config applied yet: run `confiance apply -c confiance.yaml`.")
            return
        table = Table("route", "kind", "target", "fallbacks", "description", title=latest.source)
        for name, route in sorted(routes.items()):
            fallbacks = ", ".join(route.fallbacks) or "-"
            table.add_row(name, route.kind, route.target, fallbacks, route.description)
        out.print(table)


@routes_app.command("show")
def show_command(
    route: str = ROUTE_ARGUMENT,
    json_output: bool = JSON_OPTION,
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Show one route: its definition and the resolved fallback chain, in the order the gateway
    tries targets (routes named as targets or fallbacks are expanded, duplicates dropped).

    Example: [bold]confiance routes show support-bot[/bold]

    Exit codes: 0 done, 2 bad usage, no such route, or a store error (no store at that path,
    unreadable, old schema).
    """
    with reported_errors(json_output):
        detail = run(lambda s: s.revisions.route(route), database_url)
        if json_output:
            echo_json(detail.to_json())
        else:
            _print_detail(detail)


def _print_detail(detail: RouteDetail) -> None:
    out.print(Text(f"route {detail.name} (revision {detail.revision})", style="bold"))
    for path, value in flatten(detail.config.model_dump(mode="json")).items():
        out.print(Text(f"  {path}: {format_value(value)}"))
    out.print(Text("chain (tried in this order):", style="bold"))
    for position, target in enumerate(detail.chain, start=1):
        out.print(Text(f"  {position}. {target}"))


@routes_app.command("history")
def history_command(
    route: str = ROUTE_ARGUMENT,
    json_output: bool = JSON_OPTION,
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """List the revisions in which a route was added, changed or removed, with what changed.

    Example: [bold]confiance routes history support-bot[/bold]  then roll back with
    [bold]confiance routes rollback support-bot --to 3[/bold]

    Exit codes: 0 done, 2 bad usage or a store error (no store at that path, unreadable, old
    schema).
    """
    with reported_errors(json_output):
        versions = run(lambda s: s.revisions.route_history(route), database_url)
        if json_output:
            echo_json([version.to_json() for version in versions])
            return
        table = Table("revision", "applied", "author", "change", "fields", "message", title=route)
        for version in versions:
            table.add_row(
                str(version.revision),
                when(version.created_at),
                version.author,
                str(version.change),
                _fields(version),
                version.message,
            )
        out.print(table)


def _fields(version: RouteVersion) -> Text:
    if version.change is not ChangeKind.CHANGED:
        return Text("-")
    return Text("\n".join(_change(field) for field in version.fields))


def _change(field: FieldChange) -> str:
    return f"{field.path}: {format_value(field.old)} → {format_value(field.new)}"


@routes_app.command("rollback")
def rollback_command(
    route: str = ROUTE_ARGUMENT,
    to: int = typer.Option(..., "--to", min=1, help="Revision whose definition to restore."),
    message: str = typer.Option("", "--message", "-m", help="Why: stored with the revision."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Roll back without asking."),
    json_output: bool = typer.Option(False, "--json", help=JSON_HELP + " Needs --yes."),
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Restore one route's definition from an earlier revision, as a new audited revision.

    Everything else stays as in the latest revision. The result is validated again: if the old
    definition names a provider or route that no longer exists, nothing is stored (exit 2).

    Example: [bold]confiance routes rollback support-bot --to 3 --yes[/bold]

    Exit codes: 0 rolled back or nothing to change, 1 declined at the prompt, 2 bad usage, an
    invalid result, an unknown route or revision, or a store error (read-only store included).
    """
    text = message or None
    with reported_errors(json_output):
        roll_back(
            lambda s: s.revisions.preview_rollback(route, to),
            lambda s: s.revisions.rollback_route(route, to, author(), text),
            database_url,
            yes=yes,
            json_output=json_output,
            unchanged=f"No changes: route {route} already matches revision {to}.",
            title=f"Rolling back route {route} to revision {to}",
        )
