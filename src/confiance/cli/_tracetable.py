"""How traces look in a terminal: the rows of ``traces tail`` and the page of ``traces show``.

``tail`` columns have fixed widths, so the batches ``--follow`` prints line up under the first
header. No column is ever dropped: when the chosen columns do not fit on one line, each trace
takes two or more lines (the later ones indented, under a header laid out the same way), and a
value wider than its column is shortened with an ellipsis (the id never is). ``--columns``
picks the columns and their order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.console import Console
from rich.json import JSON
from rich.table import Table
from rich.text import Text

from confiance.domain.numbers import format_ms, format_usd
from confiance.domain.trace import Trace, TraceStatus
from confiance.errors import UsageError

__all__ = [
    "TAIL_COLUMNS",
    "TailColumn",
    "choose_columns",
    "print_trace",
    "tail_lines",
    "tail_rows",
]

_STATUS_STYLE = {
    TraceStatus.OK: "green",
    TraceStatus.ERROR: "bold red",
    TraceStatus.CLIENT_DISCONNECTED: "yellow",
}
_GAP = 2
_INDENT = 4


def _ms(value: float | None) -> str:
    return "-" if value is None else format_ms(value)


def _cost(value: float | None) -> str:
    return "-" if value is None else format_usd(value)


def _asked(trace: Trace) -> str:
    if trace.provider is None or trace.model_requested is None:
        return "-"
    return f"{trace.provider}/{trace.model_requested}"


def _status(trace: Trace) -> Text:
    label = "disconnected" if trace.status is TraceStatus.CLIENT_DISCONNECTED else trace.status
    return Text(label, style=_STATUS_STYLE[trace.status])


@dataclass(frozen=True, slots=True)
class TailColumn:
    """One column of ``traces tail``: its ``--columns`` name, header and width."""

    name: str
    header: str
    width: int
    cell: Callable[[Trace], str | Text]
    right: bool = False


TAIL_COLUMNS = (
    TailColumn("time", "time (UTC)", 14, lambda t: t.started_at.strftime("%m-%d %H:%M:%S")),
    TailColumn("id", "id", 32, lambda t: Text(t.id)),
    TailColumn("route", "route asked", 16, lambda t: Text(t.route)),
    TailColumn("status", "status", 12, _status),
    TailColumn("latency", "latency", 11, lambda t: _ms(t.latency_ms), True),
    TailColumn("asked", "model asked", 24, lambda t: Text(_asked(t))),
    TailColumn("answered", "model answered", 20, lambda t: Text(t.model_answered or "-")),
    TailColumn("rev", "rev", 4, lambda t: "-" if t.revision is None else str(t.revision), True),
    TailColumn("ttft", "TTFT", 10, lambda t: _ms(t.ttft_ms), True),
    TailColumn("tokens", "tokens", 11, lambda t: f"{t.prompt_tokens}+{t.completion_tokens}", True),
    TailColumn("cost", "cost", 10, lambda t: _cost(t.cost_usd), True),
    TailColumn("fallback", "fallback", 8, lambda t: "yes" if t.fallback_used else "no"),
    TailColumn("tries", "tries", 5, lambda t: str(len(t.attempts)), True),
)
"""In display order. Times are month-day and time of day in UTC (``--json`` has the full ISO
time); "route asked" is the route (or model) the client named, "model asked" the
``provider/model`` the gateway called, "model answered" the model the vendor says answered;
tokens read ``prompt+completion``."""

_BY_NAME = {column.name: column for column in TAIL_COLUMNS}


def choose_columns(spec: str | None) -> tuple[TailColumn, ...]:
    """The columns named in ``spec`` (comma-separated, in that order), or all of them.
    Raises ``UsageError`` naming an unknown column and the known ones."""
    if spec is None or not spec.strip():
        return TAIL_COLUMNS
    names = [name.strip().lower() for name in spec.split(",") if name.strip()]
    unknown = [name for name in names if name not in _BY_NAME]
    if unknown:
        known = ", ".join(_BY_NAME)
        raise UsageError(f"unknown column {unknown[0]!r} for --columns (columns: {known})")
    return tuple(_BY_NAME[name] for name in dict.fromkeys(names))


def tail_lines(columns: Sequence[TailColumn], width: int) -> list[list[TailColumn]]:
    """``columns`` laid out in lines of at most ``width`` characters (later lines indented);
    a column wider than a whole line gets a line of its own."""
    lines: list[list[TailColumn]] = []
    current: list[TailColumn] = []
    used = 0
    for column in columns:
        room = width - (_INDENT if lines else 0)
        need = column.width + (_GAP if current else 0)
        if current and used + need > room:
            lines.append(current)
            current, used, need = [], 0, column.width
        current.append(column)
        used += need
    if current:
        lines.append(current)
    return lines


def tail_rows(
    traces: Sequence[Trace], layout: Sequence[Sequence[TailColumn]], *, header: bool = True
) -> list[Text]:
    """The printed lines: the header (when ``header``), then each trace's lines."""
    rows: list[Text] = []
    if header:
        for number, line in enumerate(layout):
            cells = [Text(c.header, style="bold") for c in line]
            rows.append(_line(number, line, cells))
    for trace in traces:
        for number, line in enumerate(layout):
            rows.append(_line(number, line, [column.cell(trace) for column in line]))
    return rows


def _line(number: int, columns: Sequence[TailColumn], cells: Sequence[str | Text]) -> Text:
    parts = [Text(" " * (_INDENT if number else 0))]
    for index, (column, cell) in enumerate(zip(columns, cells, strict=True)):
        text = cell.copy() if isinstance(cell, Text) else Text(cell)
        if column.name != "id":
            text.truncate(column.width, overflow="ellipsis")
        last = index == len(columns) - 1
        if column.right:
            text.align("right", column.width)
        elif not last:
            text.pad_right(column.width - text.cell_len)
        parts.append(text)
        if not last:
            parts.append(Text(" " * _GAP))
    return Text("").join(parts)


_FIELDS = (
    "id", "started_at", "endpoint", "route", "revision", "key_id", "provider", "model_requested",
    "model_answered", "stream", "status", "http_status", "error_class", "error", "prompt_tokens",
    "completion_tokens", "cost_usd", "latency_ms", "ttft_ms", "fallback_used",
)  # fmt: skip


def _fields(trace: Trace, key: str | None) -> Table:
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column()
    for name in _FIELDS:
        value = getattr(trace, name)
        shown = value.isoformat() if isinstance(value, datetime) else value
        if name in ("latency_ms", "ttft_ms") and value is not None:
            shown = format_ms(value)
        elif name == "cost_usd" and value is not None:
            shown = format_usd(value)
        elif name == "key_id" and value is not None and key is not None:
            shown = f"{key}  {value}"
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


def print_trace(console: Console, trace: Trace, *, key: str | None = None) -> None:
    """Every field of ``trace`` (its key as ``key``, name and prefix, when known), its attempts
    as a table, then metadata and retained bodies."""
    console.print(_fields(trace, key))
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
