"""Inline SVG charts for the HTML report: rates as bars with confidence-interval whiskers, and
word-level diffs of two answers. Pure string building; every text is escaped here."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import escape

from confiance.evals.reports.view import GroupRow

__all__ = ["DiffPiece", "rate_chart", "word_diff"]

_BAR_HEIGHT = 22
_LABEL_WIDTH = 210
_PLOT_WIDTH = 360
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def rate_chart(rows: tuple[GroupRow, ...], *, attack: bool, title: str) -> str:
    """A horizontal bar chart of each row's rate (attack success or pass rate) with its
    interval drawn as a whisker. Bars are red for attacks that succeeded, green otherwise."""
    height = 30 + _BAR_HEIGHT * len(rows)
    width = _LABEL_WIDTH + _PLOT_WIDTH + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    for tick in (0, 25, 50, 75, 100):
        x = _LABEL_WIDTH + _PLOT_WIDTH * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{height}" class="grid"/>'
            f'<text x="{x:.1f}" y="12" class="tick">{tick}%</text>'
        )
    for index, row in enumerate(rows):
        parts.append(_bar(row, index, attack))
    parts.append("</svg>")
    return "".join(parts)


def _bar(row: GroupRow, index: int, attack: bool) -> str:
    y = 22 + index * _BAR_HEIGHT
    rate = row.attack_success_rate if attack else row.pass_rate
    interval = row.attack_interval if attack else row.interval
    bad = rate > 0 if attack else rate < 1
    fill = "#c0392b" if bad else "#27ae60"
    x0 = _LABEL_WIDTH
    bar = _PLOT_WIDTH * rate
    low, high = x0 + _PLOT_WIDTH * interval.low, x0 + _PLOT_WIDTH * interval.high
    mid = y + _BAR_HEIGHT / 2 - 2
    return (
        f'<text x="{x0 - 8}" y="{mid + 4:.1f}" class="label">{escape(row.name)}</text>'
        f'<rect x="{x0}" y="{y}" width="{max(bar, 1):.1f}" height="{_BAR_HEIGHT - 6}" '
        f'fill="{fill}"><title>{escape(row.name)}: {rate:.1%} '
        f"(95% CI {interval.low:.1%}–{interval.high:.1%}, {row.trials} repeats)</title></rect>"
        f'<line x1="{low:.1f}" y1="{mid:.1f}" x2="{high:.1f}" y2="{mid:.1f}" class="ci"/>'
        f'<line x1="{low:.1f}" y1="{mid - 5:.1f}" x2="{low:.1f}" y2="{mid + 5:.1f}" class="ci"/>'
        f'<line x1="{high:.1f}" y1="{mid - 5:.1f}" x2="{high:.1f}" y2="{mid + 5:.1f}" class="ci"/>'
        f'<text x="{x0 + _PLOT_WIDTH + 8}" y="{mid + 4:.1f}" class="value">{rate:.0%}</text>'
    )


@dataclass(frozen=True, slots=True)
class DiffPiece:
    """``op`` is ``same``, ``removed`` (only in the baseline) or ``added``."""

    op: str
    text: str


def word_diff(before: str, after: str) -> list[DiffPiece]:
    """The word-level difference from ``before`` to ``after``."""
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    pieces: list[DiffPiece] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(DiffPiece("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(DiffPiece("added", "".join(b[j1:j2])))
    return pieces
