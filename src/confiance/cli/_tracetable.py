"""How traces look in a terminal: the rows of ``traces tail`` and the page of ``traces show``.

``tail`` columns have fixed widths, so the batches ``--follow`` prints line up under the first
header; which columns are shown depends on the terminal's width (the id, needed for ``traces
show``, always is, in full).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.console import Console
from rich.json import JSON
from rich.table import Column, Table
from rich.text import Text

from confiance.domain.trace import Trace, TraceStatus

__all__ = ["TAIL_COLUMNS", "TailColumn", "columns_for", "print_trace", "tail_table"]

_STATUS_STYLE = {
    TraceStatus.OK: "green",
    TraceStatus.ERROR: "bold red",
    TraceStatus.CLIENT_DISCONNECTED: "yellow",
}
_GAP = 2


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def _cost(value: float | None) -> str:
    return "-" if value is None else f"${value:.6f}"


def _answered(trace: Trace) -> str:
    if trace.provider is None:
        return "-"
    return f"{trace.provider}/{trace.model_answered or '?'}"


def _status(trace: Trace) -> Text:
    label = "disconnected" if trace.status is TraceStatus.CLIENT_DISCONNECTED else trace.status
    return Text(label, style=_STATUS_STYLE[trace.status])


@dataclass(frozen=True, slots=True)
class TailColumn:
    """One column of ``traces tail``; a lower ``priority`` is kept on narrower terminals."""

    header: str
    width: int
    priority: int
    cell: Callable[[Trace], str | Text]
    right: bool = False


TAIL_COLUMNS = (
    TailColumn("time (UTC)", 14, 0, lambda t: t.started_at.strftime("%m-%d %H:%M:%S")),
    TailColumn("id", 32, 0, lambda t: Text(t.id)),
    TailColumn("route", 16, 2, lambda t: Text(t.route)),
    TailColumn("rev", 4, 11, lambda t: "-" if t.revision is None else str(t.revision), True),
    TailColumn("answered by", 24, 4, lambda t: Text(_answered(t))),
    TailColumn("status", 12, 1, _status),
    TailColumn("latency", 9, 3, lambda t: _ms(t.latency_ms), True),
    TailColumn("TTFT", 8, 6, lambda t: _ms(t.ttft_ms), True),
    TailColumn("tokens", 11, 5, lambda t: f"{t.prompt_tokens}+{t.completion_tokens}", True),
    TailColumn("cost", 10, 7, lambda t: _cost(t.cost_usd), True),
    TailColumn("fallback", 8, 8, lambda t: "yes" if t.fallback_used else "no"),
    TailColumn("tries", 5, 9, lambda t: str(len(t.attempts)), True),
)
"""In display order. Times are month-day and time of day in UTC (``--json`` has the full ISO
time); tokens read ``prompt+completion``."""


def columns_for(width: int) -> tuple[TailColumn, ...]:
    """The columns that fit in ``width`` characters, most important first, in display order.

    The time and the id are always kept, even if they alone are wider.
    """
    kept: set[str] = set()
    used = -_GAP
    for column in sorted(TAIL_COLUMNS, key=lambda c: c.priority):
        if column.priority == 0 or used + _GAP + column.width <= width:
            kept.add(column.header)
            used += _GAP + column.width
    return tuple(column for column in TAIL_COLUMNS if column.header in kept)


def tail_table(
    traces: Sequence[Trace], columns: Sequence[TailColumn], *, header: bool = True
) -> Table:
    """``traces`` as rows of ``columns``."""
    table = Table(
        *[
            Column(
                c.header,
                width=c.width,
                no_wrap=True,
                overflow="ellipsis",
                justify="right" if c.right else "left",
            )
            for c in columns
        ],
        show_header=header,
        box=None,
        pad_edge=False,
        padding=(0, _GAP // 2),
    )
    for trace in traces:
        table.add_row(*[column.cell(trace) for column in columns])
    return table


_FIELDS = (
    "id", "started_at", "endpoint", "route", "revision", "key_id", "provider", "model_requested",
    "model_answered", "stream", "status", "http_status", "error_class", "error", "prompt_tokens",
    "completion_tokens", "cost_usd", "latency_ms", "ttft_ms", "fallback_used",
)  # fmt: skip


def _fields(trace: Trace) -> Table:
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column()
    for name in _FIELDS:
        value = getattr(trace, name)
        shown = value.isoformat() if isinstance(value, datetime) else value
        fields.add_row(name, Text("-" if shown is None else str(shown)))
    return fields


def _attempts(trace: Trace) -> Table:
    columns = ("#", "provider/model", "started", "duration", "status", "error")
    table = Table(*columns, title="attempts", title_justify="left")
    for number, attempt in enumerate(trace.attempts, start=1):
        error = " ".join(part for part in (attempt.error_class, attempt.error) if part)
        table.add_row(
            str(number),
            Text(f"{attempt.provider}/{attempt.model}"),
            _ms(attempt.started_ms),
            _ms(attempt.duration_ms),
            "-" if attempt.status is None else str(attempt.status),
            Text(error or "-"),
        )
    return table


def print_trace(console: Console, trace: Trace) -> None:
    """Every field of ``trace``, its attempts as a table, then metadata and retained bodies."""
    console.print(_fields(trace))
    console.print(_attempts(trace))
    sections = (
        ("metadata", trace.metadata),
        ("request body", trace.request_body),
        ("response body", trace.response_body),
    )
    for title, data in sections:
        if data:
            console.print(Text(title, style="bold"))
            console.print(JSON(json.dumps(data, ensure_ascii=False)))
    if trace.request_body is None and trace.response_body is None:
        console.print(Text("bodies: not retained (the route's retention keeps metadata only)"))
