"""``confiance traces tail|show``: read the record of gateway requests from the store.

``tail`` prints the newest traces (oldest of them first, like ``tail``), and with ``--follow``
keeps polling the store every second for new ones. ``show`` prints one trace in full.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import typer
from rich.text import Text

from confiance.app import Services
from confiance.cli._controlplane import (
    DATABASE_HELP,
    JSON_HELP,
    echo_json,
    err,
    out,
    reported_errors,
    run,
)
from confiance.cli._tracetable import (
    TAIL_COLUMNS,
    TailColumn,
    choose_columns,
    print_trace,
    tail_lines,
    tail_rows,
)
from confiance.domain.trace import Trace, TraceStatus
from confiance.errors import NotFound
from confiance.store import Store

__all__ = ["LOOKBACK", "TraceFollower", "register", "trace_json"]

LOOKBACK = timedelta(minutes=2)
"""How far before the newest trace seen ``--follow`` looks again: a trace is written when its
request ends but ordered by when it started, so a long request shows up late. Requests longer
than this may be missed by ``--follow`` (``tail`` without it always sees them)."""
POLL_LIMIT = 1000

traces_app = typer.Typer(
    name="traces",
    help="Read traces: one record per gateway request (route, provider, tokens, latency...).\n\n"
    "Example: [bold]confiance traces tail --route support-bot --follow[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

DATABASE_OPTION = typer.Option(None, "--database-url", help=DATABASE_HELP)
JSON_OPTION = typer.Option(False, "--json", help=JSON_HELP)
STATUS_OPTION = typer.Option(None, "--status", help="Only this outcome.")


def register(app: typer.Typer) -> None:
    """Add the ``traces`` group to ``app``."""
    app.add_typer(traces_app)


def trace_json(trace: Trace) -> dict[str, Any]:
    """Every field of ``trace`` as plain JSON data (times in ISO 8601)."""
    data = asdict(trace)
    data["started_at"] = trace.started_at.isoformat()
    data["status"] = trace.status.value
    return data


class TraceFollower:
    """Finds traces not yet seen, for ``tail --follow``.

    Each :meth:`poll` reads the traces that started at most :data:`LOOKBACK` before the newest
    one seen, and keeps the ids it already returned so nothing is printed twice.
    """

    def __init__(self, store: Store, *, route: str | None, status: TraceStatus | None) -> None:
        self._store = store
        self._route = route
        self._status = status
        self._seen: dict[str, datetime] = {}
        self._newest: datetime | None = None

    def mark_seen(self, traces: Sequence[Trace]) -> None:
        for trace in traces:
            self._seen[trace.id] = trace.started_at
            if self._newest is None or trace.started_at > self._newest:
                self._newest = trace.started_at

    async def poll(self) -> tuple[list[Trace], bool]:
        """New traces, oldest first, and whether there may be more than one poll could read."""
        since = None if self._newest is None else self._newest - LOOKBACK
        found = await self._store.traces.query(
            route=self._route, status=self._status, since=since, limit=POLL_LIMIT
        )
        fresh = [trace for trace in reversed(found) if trace.id not in self._seen]
        self.mark_seen(fresh)
        self._forget_before(since)
        return fresh, len(found) == POLL_LIMIT

    def _forget_before(self, since: datetime | None) -> None:
        if since is None:
            return
        self._seen = {key: at for key, at in self._seen.items() if at >= since}


def print_traces(
    traces: Sequence[Trace],
    *,
    json_lines: bool,
    header: bool,
    columns: Sequence[TailColumn] = TAIL_COLUMNS,
) -> None:
    """Print ``traces`` (oldest first) as fixed-width rows of ``columns`` (wrapped onto more
    lines when they do not fit the terminal) or, for scripts, one JSON object per line."""
    if json_lines:
        for trace in traces:
            typer.echo(json.dumps(trace_json(trace), ensure_ascii=False))
        return
    for row in tail_rows(traces, tail_lines(columns, out.width), header=header):
        out.print(row, soft_wrap=True)


async def _tail(
    store: Store,
    filters: dict[str, Any],
    limit: int,
    json_output: bool,
    follow: _Follow | None,
    columns: Sequence[TailColumn],
) -> None:
    newest = await store.traces.query(limit=limit, **filters)
    initial = list(reversed(newest))
    if follow is None:
        if json_output:
            echo_json({"traces": [trace_json(trace) for trace in initial]})
        elif initial:
            print_traces(initial, json_lines=False, header=True, columns=columns)
        else:
            err.print(Text(f"no traces{_described(filters)} yet"))
        return
    follower = TraceFollower(store, **filters)
    await follower.poll()  # everything stored now counts as seen; only later traces are new
    follower.mark_seen(initial)
    print_traces(initial, json_lines=json_output, header=True, columns=columns)
    await follow.run(follower, json_output, columns)


def _described(filters: dict[str, Any]) -> str:
    parts = [f"{name} {value}" for name, value in filters.items() if value is not None]
    return f" with {' and '.join(parts)}" if parts else ""


class _Follow:
    """The ``--follow`` loop: poll every ``interval`` seconds, ``max_polls`` times (or
    until interrupted when ``None``)."""

    def __init__(self, interval: float, max_polls: int | None, sleep: _Sleep) -> None:
        self.interval = interval
        self.max_polls = max_polls
        self._sleep = sleep

    async def run(
        self, follower: TraceFollower, json_output: bool, columns: Sequence[TailColumn]
    ) -> None:
        polls = 0
        while self.max_polls is None or polls < self.max_polls:
            await self._sleep(self.interval)
            polls += 1
            fresh, truncated = await follower.poll()
            if truncated:
                err.print(Text(f"(more than {POLL_LIMIT} new traces: showing the newest)"))
            if fresh:
                print_traces(fresh, json_lines=json_output, header=False, columns=columns)


_Sleep = Callable[[float], Any]


@traces_app.command("tail")
def tail_command(
    route: str | None = typer.Option(None, "--route", help="Only this route."),
    status: TraceStatus | None = STATUS_OPTION,
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="How many to show first."),
    follow: bool = typer.Option(
        False, "--follow", "-f", help="Keep polling every second for new traces until Ctrl-C."
    ),
    json_output: bool = typer.Option(
        False, "--json", help=JSON_HELP + " With --follow: one JSON object per line."
    ),
    columns: str | None = typer.Option(
        None,
        "--columns",
        help="Which columns, in order, comma-separated (default all): "
        + ",".join(c.name for c in TAIL_COLUMNS)
        + ".",
    ),
    database_url: str | None = DATABASE_OPTION,
    max_polls: int | None = typer.Option(None, "--max-polls", min=0, hidden=True),
    interval: float = typer.Option(1.0, "--interval", min=0.0, hidden=True),
) -> None:
    """Show the newest traces, oldest of them first: time, id, route asked, status, latency,
    model asked and answered, revision, time to first token, tokens, cost, fallback, attempts.
    Rows that do not fit the terminal continue on indented lines; no column is left out.

    Example: [bold]confiance traces tail --route support-bot --status error --follow[/bold]
    [bold]confiance traces tail --columns time,id,route,status,cost[/bold]

    Exit codes: 0 done, 2 bad usage or a store error (no store at that path, unreadable, old
    schema).
    """
    filters: dict[str, Any] = {"route": route, "status": status}
    looping = _Follow(interval, max_polls, asyncio.sleep) if follow else None
    with reported_errors(json_output):
        chosen = choose_columns(columns)
        try:
            run(
                lambda s: _tail(s.store, filters, limit, json_output, looping, chosen),
                database_url,
            )
        except KeyboardInterrupt:
            raise typer.Exit(0) from None


@traces_app.command("show")
def show_command(
    trace_id: str = typer.Argument(
        ..., metavar="ID", help="A trace id (the x-confiance-trace-id response header)."
    ),
    json_output: bool = JSON_OPTION,
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Show one trace in full: every field, each attempt, and the bodies if the route keeps them.

    Example: [bold]confiance traces show tr_01J9Z6W8K3[/bold]

    Exit codes: 0 done, 2 bad usage, no such trace, or a store error (no store at that path,
    unreadable, old schema).
    """
    with reported_errors(json_output):
        trace, key = run(lambda s: _get(s, trace_id), database_url)
        if json_output:
            echo_json(trace_json(trace))
            return
        print_trace(out, trace, key=key)


async def _get(services: Services, trace_id: str) -> tuple[Trace, str | None]:
    """The trace, and its key as ``confiance keys list`` shows it (name and prefix)."""
    trace = await services.store.traces.get(trace_id)
    if trace.key_id is None:
        return trace, None
    try:
        key = await services.store.keys.get(trace.key_id)
    except NotFound:  # a key deleted from the store outside Confiance
        return trace, None
    return trace, f"{key.name} ({key.prefix})"
