"""``confiance keys create|list|revoke``: API keys for applications, admins and reviewers.

A key's secret is printed once, when it is created; only its SHA-256 is stored, so it can never
be shown again. Listings show the public prefix (``cf-ab12cd34``) that identifies a key.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import typer
from rich.table import Column, Table
from rich.text import Text

from confiance.app import Services
from confiance.cli._controlplane import (
    DATABASE_HELP,
    JSON_HELP,
    author,
    echo_json,
    err,
    out,
    reported_errors,
    run,
)
from confiance.control.clock import system_clock
from confiance.control.keys import CreatedKey, key_json
from confiance.domain.keys import ApiKey, Role
from confiance.errors import NotFound

__all__ = ["parse_expiry", "register"]

keys_app = typer.Typer(
    name="keys",
    help="Create, list and revoke the API keys clients use to call the gateway.\n\n"
    "Example: [bold]confiance keys create --role app --name checkout --routes support-bot[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

DATABASE_OPTION = typer.Option(None, "--database-url", help=DATABASE_HELP)
JSON_OPTION = typer.Option(False, "--json", help=JSON_HELP)
ROLE_OPTION = typer.Option(
    ..., "--role", help="app: call routes; admin: manage and call models; reviewer: review."
)
_RELATIVE = re.compile(r"^(\d{1,5})([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
ONCE_WARNING = "Store this secret now: it is not kept and cannot be shown again."


def register(app: typer.Typer) -> None:
    """Add the ``keys`` group to ``app``."""
    app.add_typer(keys_app)


def parse_expiry(text: str, now: datetime) -> datetime:
    """``30d`` / ``12h`` / ``2w`` from ``now``, a date (``2027-01-01``, midnight UTC) or an ISO
    time (UTC unless it names an offset). Raises ``typer.BadParameter``."""
    match = _RELATIVE.match(text.strip())
    if match:
        amount, unit = int(match.group(1)), _UNITS[match.group(2)]
        if amount == 0:
            raise typer.BadParameter("must be in the future, e.g. 30d", param_hint="--expires")
        return now + timedelta(**{unit: amount})
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is neither a duration (30d, 12h, 2w) nor a date (2027-01-01)",
            param_hint="--expires",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _routes(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


@keys_app.command("create")
def create_command(
    role: Role = ROLE_OPTION,
    name: str = typer.Option("", "--name", help="A label to recognise the key by."),
    routes: str = typer.Option(
        "", "--routes", help="Comma-separated routes the key may call (default: all the role may)."
    ),
    expires: str = typer.Option(
        "", "--expires", help="Expiry: a duration (30d, 12h, 2w) or a date (2027-01-01, UTC)."
    ),
    json_output: bool = JSON_OPTION,
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Create an API key and print its secret once.

    The secret (cf-xxxxxxxx-...) is shown only now: only its hash is stored. Give it to the
    client as its API key, e.g. OpenAI(base_url="http://127.0.0.1:8080/v1", api_key=secret).

    Example: [bold]confiance keys create --role app --name checkout --routes support-bot
    --expires 90d[/bold]

    Exit codes: 0 created, 2 bad usage or a store error (unreachable, unreadable or
    read-only).
    """
    with reported_errors(json_output):
        expires_at = parse_expiry(expires, system_clock()) if expires else None
        allowed = _routes(routes)
        label = name or f"{role.value} key"

        async def create(services: Services) -> tuple[CreatedKey, tuple[str, ...]]:
            keys = services.keys
            created = await keys.create(label, role, allowed, expires_at, author=author())
            return created, await keys.unknown_routes(allowed)

        created, unknown = run(create, database_url, writes=True, probe=True)
        if json_output:
            data = {"key": key_json(created.key), "secret": created.secret}
            echo_json({**data, "warning": ONCE_WARNING, "unknown_routes": list(unknown)})
            return
        _print_created(created, unknown)


def _print_created(created: CreatedKey, unknown: tuple[str, ...]) -> None:
    key = created.key
    for route in unknown:
        err.print(
            Text("warning: ", style="bold yellow")
            + Text(f"route {route!r} is not in the applied config (yet)")
        )
    details = f"Created key {key.id} ({key.name}, role {key.role.value}, prefix {key.prefix})."
    out.print(Text(details))
    # Printed alone and never wrapped, so it copies cleanly from any terminal.
    out.print(Text(created.secret, style="bold"), soft_wrap=True)
    err.print(Text(ONCE_WARNING, style="bold yellow"))


@keys_app.command("list")
def list_command(
    include_revoked: bool = typer.Option(False, "--all", help="Include revoked keys."),
    json_output: bool = JSON_OPTION,
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """List API keys: public prefix, name, role, routes, expiry and status (never secrets;
    --json adds ids and exact times).

    Example: [bold]confiance keys list --all[/bold]

    Exit codes: 0 done, 2 bad usage or a store error (no store at that path, unreadable, old
    schema).
    """
    with reported_errors(json_output):
        keys = run(lambda s: s.keys.list(include_revoked=include_revoked), database_url)
        if json_output:
            echo_json([key_json(key) for key in keys])
            return
        # The prefix identifies a key for `keys revoke`; ids and full times are in --json.
        table = Table(Column("prefix", no_wrap=True), "name", "role", "routes", "expires")
        table.add_column("status", no_wrap=True)
        now = system_clock()
        for key in keys:
            table.add_row(
                key.prefix,
                key.name,
                key.role.value,
                ", ".join(key.routes) or "all",
                _day(key.expires_at),
                _status(key, now),
            )
        out.print(table)


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "never"


def _status(key: ApiKey, now: datetime) -> str:
    if key.revoked_at is not None:
        return "revoked"
    return "active" if key.is_active(now) else "expired"


@keys_app.command("revoke")
def revoke_command(
    key_id: str = typer.Argument(..., metavar="ID", help="Key id (key_...) or prefix (cf-...)."),
    json_output: bool = JSON_OPTION,
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Revoke a key now. Gateways on PostgreSQL (or with Redis) refuse it at once, others within
    a second; it stays listed with --all.

    Example: [bold]confiance keys revoke cf-ab12cd34[/bold]

    Exit codes: 0 revoked, 2 bad usage, no such key, already revoked, or a store error
    (unreachable, unreadable or read-only).
    """
    with reported_errors(json_output):
        try:
            key = run(
                lambda s: s.keys.revoke(key_id, author=author()),
                database_url,
                writes=True,
                probe=True,
            )
        except NotFound as error:
            hint = "; `confiance keys list --all` lists them (by id and prefix)"
            raise NotFound(error.message + hint) from None
        if json_output:
            echo_json(key_json(key))
        else:
            out.print(Text(f"revoked {key.id} ({key.name}, {key.prefix})", style="bold"))
