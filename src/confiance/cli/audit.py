"""``confiance audit verify|show``: check and read the tamper-evident audit trail."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.table import Table
from rich.text import Text

from confiance.audit import AuditLog, VerifyReport
from confiance.cli.db import (
    DATABASE_OPTION,
    JSON_OPTION,
    database_url,
    echo_json,
    out,
    reported_errors,
)
from confiance.control.clock import system_clock
from confiance.domain.audit import AuditEvent, canonical_json
from confiance.errors import IntegrityError
from confiance.store import Store

__all__ = ["event_json", "register"]

T = TypeVar("T")

audit_app = typer.Typer(
    name="audit",
    help="Verify and read the audit trail: an append-only, hash-chained record of every config "
    "change, key change and decision.\n\n"
    "Example: [bold]confiance audit verify[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def register(app: typer.Typer) -> None:
    """Add the ``audit`` group to ``app``."""
    app.add_typer(audit_app)


def _with_log(option: str | None, work: Callable[[AuditLog], Awaitable[T]]) -> T:
    async def main() -> T:
        # Reading never migrates: an old schema is reported, not changed behind the reader's back.
        async with await Store.open(database_url(option), migrate=False) as store:
            return await work(AuditLog(store, system_clock))

    return asyncio.run(main())


def event_json(event: AuditEvent) -> dict[str, object]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "subject": event.subject,
        "data": event.data,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


@audit_app.command("verify")
def verify_command(
    database: str | None = DATABASE_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Check that no audit event was edited, deleted, inserted or reordered.

    Recomputes every event's hash and its link to the one before; exits 0 when the trail is
    intact and 1 when it was tampered with, naming the first bad event and what happened to it.

    Example: [bold]confiance audit verify --json[/bold]

    Exit codes: 0 intact, 1 tampered with, 2 bad usage or a store error (no store at that path,
    unreadable, old schema).
    """
    with reported_errors(json_output):
        report = _with_log(database, lambda log: log.verify())
    if json_output:
        echo_json(report.to_json())
    else:
        out.print(_verdict(report))
    if not report.ok:
        raise typer.Exit(IntegrityError.exit_code)


def _verdict(report: VerifyReport) -> Text:
    if report.ok:
        return Text.assemble(
            ("✓ audit trail intact", "bold green"),
            f": {report.checked} events, last event {report.last_seq} "
            f"(hash {report.last_hash[:16]}…)",
        )
    reason = report.reason.value if report.reason else "tampered"
    good = f"events 1-{report.last_seq} verified" if report.last_seq else "no event verified"
    return Text.assemble(
        (f"✗ audit trail tampered at event {report.first_bad_seq} ({reason})", "bold red"),
        f": {report.detail}.\n  {good}; everything from event {report.first_bad_seq} on is "
        "untrusted.",
    )


@audit_app.command("show")
def show_command(
    limit: int = typer.Option(20, "--limit", min=1, max=10_000, help="How many events."),
    action: str | None = typer.Option(None, "--action", help="Only this action, e.g. key.create."),
    subject: str | None = typer.Option(None, "--subject", help="Only this subject, e.g. key:k1."),
    after: int | None = typer.Option(
        None, "--after", min=0, help="Page forward: the first events after this seq."
    ),
    database: str | None = DATABASE_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """List audit events, oldest first: the latest ones, or a page after --after.

    Example: [bold]confiance audit show --action config.apply --limit 5[/bold]

    Exit codes: 0 done, 2 bad usage or a store error (no store at that path, unreadable, old
    schema).
    """
    with reported_errors(json_output):
        events = _with_log(
            database,
            lambda log: log.show(limit=limit, action=action, subject=subject, after_seq=after),
        )
    if json_output:
        echo_json({"events": [event_json(event) for event in events]})
        return
    if not events:
        out.print("No audit events match.")
        return
    out.print(_table(events))


def _table(events: list[AuditEvent]) -> Table:
    table = Table(title="Audit events", title_justify="left")
    for column in ("seq", "time (UTC)", "actor", "action", "subject", "data", "hash"):
        table.add_column(column, overflow="fold", justify="right" if column == "seq" else "left")
    for event in events:
        table.add_row(
            str(event.seq),
            event.at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor,
            event.action,
            event.subject,
            canonical_json(event.data),
            event.hash[:12],
        )
    return table
