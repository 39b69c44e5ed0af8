"""Chart geometry for inline SVG: numbers in, coordinates out.

The SVG itself is drawn by the macros in ``templates/_charts.html``, so every label goes through
Jinja2's autoescaping like any other text. Charts use a fixed ``viewBox`` and scale to the width
of their container; each carries a sentence for screen readers (``aria-label``) and a
``<title>`` per mark for the exact figures on hover.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from confiance.stats import Interval

__all__ = [
    "Axis",
    "RateBar",
    "RateChart",
    "RatePair",
    "Sparkline",
    "TrafficBar",
    "TrafficChart",
    "compare_chart",
    "rate_chart",
    "slots_from",
    "sparkline",
    "traffic_chart",
    "value_chart",
]

_LABEL_CHARS = 28


@dataclass(frozen=True, slots=True)
class Axis:
    """A tick: its position along the axis and its label."""

    at: float
    label: str


@dataclass(frozen=True, slots=True)
class TrafficBar:
    x: float
    width: float
    ok_y: float
    ok_height: float
    error_y: float
    error_height: float
    title: str


@dataclass(frozen=True, slots=True)
class TrafficChart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bars: tuple[TrafficBar, ...]
    y_ticks: tuple[Axis, ...]
    x_ticks: tuple[Axis, ...]
    description: str


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k that is at least ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _nice_number(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is at least ``value`` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10 * power


def _span_label(bucket: timedelta) -> str:
    """``minute``, ``30 minutes``, ``3 hours``: what one bar covers."""
    minutes = bucket.total_seconds() / 60
    count, unit = (minutes, "minute") if minutes < 60 else (minutes / 60, "hour")
    return unit if count == 1 else f"{count:g} {unit}s"


def _bars(
    stacks: Sequence[tuple[float, float]],
    slots: Sequence[datetime],
    bucket: timedelta,
    title: Callable[[datetime, float, float], str],
    show: Callable[[float], str],
    description: str,
    *,
    whole: bool,
) -> TrafficChart:
    """Bars of ``(lower, upper)`` stacked values, one per slot, with their y-axis ticks."""
    width, height = 720, 200
    left, right, top, bottom = 56.0, 712.0, 12.0, 176.0
    highest = max((low + high for low, high in stacks), default=0.0)
    peak = float(_nice_ceiling(math.ceil(highest))) if whole else _nice_number(highest)
    slot_width = (right - left) / max(len(slots), 1)
    scale = (bottom - top) / peak
    bars = []
    for index, ((low, high), start) in enumerate(zip(stacks, slots, strict=True)):
        if not low + high:
            continue
        low_height, high_height = low * scale, high * scale
        bars.append(
            TrafficBar(
                x=round(left + index * slot_width + 1, 2),
                width=round(max(slot_width - 2, 1), 2),
                ok_y=round(bottom - low_height, 2),
                ok_height=round(low_height, 2),
                error_y=round(bottom - low_height - high_height, 2),
                error_height=round(high_height, 2),
                title=title(start, low, high),
            )
        )
    fractions = (0.0, 0.5, 1.0) if not whole or int(peak) % 2 == 0 else (0.0, 1.0)
    y_ticks = tuple(Axis(round(bottom - (bottom - top) * f, 2), show(peak * f)) for f in fractions)
    day_or_more = bucket * len(slots) > timedelta(days=1)
    tick = "%m-%d" if day_or_more else "%H:%M"
    x_ticks = tuple(
        Axis(round(left + i * slot_width, 2), f"{slots[i]:{tick}}")
        for i in range(0, len(slots), max(len(slots) // 6, 1))
    )
    return TrafficChart(
        width, height, left, right, top, bottom, tuple(bars), y_ticks, x_ticks, description
    )


def slots_from(since: datetime, buckets: int, bucket: timedelta) -> list[datetime]:
    """The start of each of ``buckets`` buckets of ``bucket`` from ``since`` (to the minute)."""
    start = since.replace(second=0, microsecond=0)
    return [start + i * bucket for i in range(buckets)]


def _when(start: datetime, bucket: timedelta, slots: int) -> str:
    return f"{start:%m-%d %H:%M}" if bucket * slots > timedelta(days=1) else f"{start:%H:%M}"


def traffic_chart(
    per_bucket: Sequence[tuple[datetime, int, int]],
    since: datetime,
    buckets: int = 60,
    bucket: timedelta = timedelta(minutes=1),
) -> TrafficChart:
    """Stacked bars of requests (ok below, errors above) for each of ``buckets`` buckets of
    ``bucket`` from ``since``; ``per_bucket`` gives ``(bucket start, requests, errors)`` for
    the buckets with traffic."""
    counts = {start: (requests, errors) for start, requests, errors in per_bucket}
    slots = slots_from(since, buckets, bucket)
    stacks = [
        (
            float(counts.get(s, (0, 0))[0] - counts.get(s, (0, 0))[1]),
            float(counts.get(s, (0, 0))[1]),
        )
        for s in slots
    ]
    total = sum(counts.get(s, (0, 0))[0] for s in slots)
    busiest = max((counts.get(s, (0, 0))[0] for s in slots), default=0)
    end = slots[0] + bucket * buckets if slots else since
    description = (
        f"Requests per {_span_label(bucket)} from {_when(slots[0], bucket, buckets)} to "
        f"{_when(end, bucket, buckets)} UTC: {total:,} in all, at most {busiest:,} in one."
    )

    def title(start: datetime, ok: float, failed: float) -> str:
        return (
            f"{_when(start, bucket, buckets)} UTC: {int(ok + failed):,} requests, "
            f"{int(failed):,} errors"
        )

    return _bars(stacks, slots, bucket, title, lambda v: f"{round(v):,}", description, whole=True)


def value_chart(
    per_bucket: Sequence[tuple[datetime, float]],
    since: datetime,
    buckets: int,
    bucket: timedelta,
    *,
    what: str,
    show: Callable[[float], str],
) -> TrafficChart:
    """Bars of one quantity (tokens, cost) per bucket; ``per_bucket`` gives ``(bucket start,
    value)`` for the buckets that have some."""
    values = dict(per_bucket)
    slots = slots_from(since, buckets, bucket)
    stacks = [(values.get(s, 0.0), 0.0) for s in slots]
    total = sum(values.get(s, 0.0) for s in slots)
    end = slots[0] + bucket * buckets if slots else since
    description = (
        f"{what.capitalize()} per {_span_label(bucket)} from {_when(slots[0], bucket, buckets)} "
        f"to {_when(end, bucket, buckets)} UTC: {show(total)} in all."
    )

    def title(start: datetime, value: float, _: float) -> str:
        return f"{_when(start, bucket, buckets)} UTC: {show(value)} {what}"

    return _bars(stacks, slots, bucket, title, show, description, whole=False)


@dataclass(frozen=True, slots=True)
class Sparkline:
    width: int
    height: int
    points: str
    description: str


def sparkline(values: Sequence[int], *, label: str) -> Sparkline:
    """A small line of ``values`` (one per minute), scaled to its own peak."""
    width, height = 120, 28
    peak = max(values, default=0) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * v / peak:.1f}" for i, v in enumerate(values)
    )
    description = f"{label}: {sum(values):,} requests, at most {max(values, default=0):,} a minute"
    return Sparkline(width, height, points, description)


@dataclass(frozen=True, slots=True)
class RateBar:
    """One group's rate as a bar from ``x0`` to ``x``, its interval from ``low`` to ``high``."""

    label: str
    y: float
    x: float
    low: float
    high: float
    value: str
    title: str
    tone: str


@dataclass(frozen=True, slots=True)
class RatePair:
    """One group in two runs: the baseline's bar above the candidate's."""

    label: str
    baseline: RateBar
    candidate: RateBar
    regressed: bool


@dataclass(frozen=True, slots=True)
class RateChart:
    width: int
    height: int
    x0: float
    x1: float
    ticks: tuple[Axis, ...]
    bars: tuple[RateBar, ...]
    pairs: tuple[RatePair, ...]
    row_height: float
    description: str


_X0, _X1, _WIDTH = 200.0, 640.0, 720


def _label(name: str) -> str:
    return name if len(name) <= _LABEL_CHARS else name[: _LABEL_CHARS - 1] + "…"


def _x(rate: float) -> float:
    return round(_X0 + (_X1 - _X0) * min(max(rate, 0.0), 1.0), 2)


def _tone(rate: float) -> str:
    return "good" if rate >= 0.95 else "fair" if rate >= 0.8 else "poor"


def _bar(name: str, y: float, rate: float, interval: Interval, trials: int, tone: str) -> RateBar:
    title = (
        f"{name}: {rate:.1%} (95% CI {interval.low:.1%} to {interval.high:.1%}, {trials:,} repeats)"
    )
    return RateBar(
        _label(name),
        y,
        _x(rate),
        _x(interval.low),
        _x(interval.high),
        f"{rate:.0%}",
        title,
        tone,
    )


def _ticks() -> tuple[Axis, ...]:
    return tuple(Axis(_x(f), f"{f:.0%}") for f in (0, 0.25, 0.5, 0.75, 1))


def rate_chart(rows: Sequence[tuple[str, float, Interval, int]], *, subject: str) -> RateChart:
    """Horizontal bars of pass rates with interval whiskers; ``rows`` are
    ``(name, rate, interval, trials)``."""
    row_height = 26.0
    bars = tuple(
        _bar(name, 24 + i * row_height, rate, interval, trials, _tone(rate))
        for i, (name, rate, interval, trials) in enumerate(rows)
    )
    listed = "; ".join(f"{name} {rate:.0%}" for name, rate, _, _ in rows)
    height = int(30 + row_height * len(rows))
    description = f"Pass rate by {subject} with 95% intervals: {listed}."
    return RateChart(_WIDTH, height, _X0, _X1, _ticks(), bars, (), row_height, description)


def compare_chart(
    rows: Sequence[tuple[str, tuple[float, Interval, int], tuple[float, Interval, int], bool]],
    *,
    subject: str,
) -> RateChart:
    """Paired bars per group, baseline then candidate; ``rows`` are
    ``(name, (rate, interval, trials) of A, same of B, regressed)``."""
    row_height = 44.0
    pairs = []
    for i, (name, (a, a_ci, a_n), (b, b_ci, b_n), regressed) in enumerate(rows):
        y = 24 + i * row_height
        tone = "poor" if regressed else "good" if b > a else "neutral"
        pairs.append(
            RatePair(
                _label(name),
                _bar(f"{name} (A)", y, a, a_ci, a_n, "baseline"),
                _bar(f"{name} (B)", y + 17, b, b_ci, b_n, tone),
                regressed,
            )
        )
    listed = "; ".join(f"{name} {a[0]:.0%} to {b[0]:.0%}" for name, a, b, _ in rows)
    height = int(30 + row_height * len(rows))
    description = f"Pass rate by {subject}, run A then run B, with 95% intervals: {listed}."
    return RateChart(_WIDTH, height, _X0, _X1, _ticks(), (), tuple(pairs), row_height, description)
