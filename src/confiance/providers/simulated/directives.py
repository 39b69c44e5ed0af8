"""The model-name grammar: behaviours chosen by the ``model`` a client asks for.

A model name is segments joined by ``+``::

    gpt-4o-mini+latency-50ms+fail-first-2
    fail-503
    echo+words-5

The first segment is the base name unless it is itself a directive; every later segment must be a
directive (a typo there is a 400 that names it). Directives apply in order on top of the behaviour
the config gives the model, later ones winning. Durations take ``ms`` or ``s`` (milliseconds when
no unit is given, seconds for ``retry-after``); rates are percentages written ``30pct``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from confiance.providers.simulated.behaviour import ERROR_STATUSES, FlakyMode
from confiance.providers.simulated.recognise import Category

__all__ = ["DIRECTIVES", "DirectiveError", "DirectiveSpec", "ModelName", "parse_model_name"]

_NUM = r"(\d+(?:\.\d+)?)"
_DUR = _NUM + r"(ms|s)?"
_PCT = r"(?:-" + _NUM + r"pct)?"

Updates = dict[str, Any]


class DirectiveError(ValueError):
    """A model name asks for a directive the grammar does not have, or with bad arguments."""


@dataclass(frozen=True, slots=True)
class DirectiveSpec:
    """One directive: its syntax for people, an example, what it does, and its parser."""

    syntax: str
    example: str
    effect: str
    pattern: re.Pattern[str]
    build: Callable[[tuple[str | None, ...]], Updates]


@dataclass(frozen=True, slots=True)
class ModelName:
    """A requested model name split into its base name and the behaviour updates it asks for."""

    requested: str
    base: str
    directives: tuple[str, ...]
    updates: Mapping[str, Any]


def _ms(number: str | None, unit: str | None, default_unit: str = "ms") -> float:
    value = float(number or 0)
    return value * 1000.0 if (unit or default_unit) == "s" else value


def _rate(number: str | None) -> float:
    if number is None:
        return 1.0
    value = float(number)
    if value > 100:
        raise DirectiveError(f"{number}pct is over 100pct")
    return value / 100.0


def _status(number: str | None) -> int:
    status = int(number or 500)
    if status not in ERROR_STATUSES:
        allowed = ", ".join(str(s) for s in sorted(ERROR_STATUSES))
        raise DirectiveError(f"status {status} is not one vendors send; use one of {allowed}")
    return status


def _spec(
    syntax: str, example: str, effect: str, pattern: str, build: Callable[[Any], Updates]
) -> DirectiveSpec:
    return DirectiveSpec(syntax, example, effect, re.compile(pattern + r"\Z", re.I), build)


DIRECTIVES: tuple[DirectiveSpec, ...] = (
    _spec(
        "latency-D",
        "latency-50ms",
        "fixed delay before the answer starts",
        r"latency-" + _DUR,
        lambda g: {"latency": {"distribution": "fixed", "ms": _ms(g[0], g[1])}},
    ),
    _spec(
        "latency-D-D",
        "latency-20ms-80ms",
        "delay drawn uniformly between two durations",
        r"latency-" + _DUR + "-" + _DUR,
        lambda g: {
            "latency": {
                "distribution": "uniform",
                "low_ms": _ms(g[0], g[1]),
                "high_ms": _ms(g[2], g[3]),
            }
        },
    ),
    _spec(
        "latency-normal-MEAN-SD",
        "latency-normal-200ms-30ms",
        "normal delay (mean, standard deviation), cut at zero",
        r"latency-normal-" + _DUR + "-" + _DUR,
        lambda g: {
            "latency": {
                "distribution": "normal",
                "mean_ms": _ms(g[0], g[1]),
                "stddev_ms": _ms(g[2], g[3]),
            }
        },
    ),
    _spec(
        "latency-lognormal-MEDIAN-SIGMA",
        "latency-lognormal-300ms-0.5",
        "log-normal delay: a median and a long tail (sigma)",
        r"latency-lognormal-" + _DUR + "-" + _NUM,
        lambda g: {
            "latency": {
                "distribution": "lognormal",
                "median_ms": _ms(g[0], g[1]),
                "sigma": float(g[2]),
            }
        },
    ),
    _spec(
        "ttft-D",
        "ttft-300ms",
        "time to first token (streams wait it after the headers)",
        r"ttft-" + _DUR,
        lambda g: {"ttft_ms": _ms(g[0], g[1])},
    ),
    _spec(
        "tps-N",
        "tps-50",
        "tokens per second after the first token",
        r"tps-" + _NUM,
        lambda g: {"tokens_per_s": float(g[0])},
    ),
    _spec(
        "fail-STATUS[-Npct]",
        "fail-503-30pct",
        "answer STATUS always, or with that probability",
        r"fail-(\d{3})" + _PCT,
        lambda g: {"error_status": _status(g[0]), "error_rate": _rate(g[1])},
    ),
    _spec(
        "fail-first-N[-STATUS]",
        "fail-first-2-429",
        "the first N requests to this model name fail (with STATUS, else the model's error "
        "status: 500 unless set), then it works",
        r"fail-first-(\d+)(?:-(\d{3}))?",
        lambda g: (
            {"fail_first": int(g[0])} | ({} if g[1] is None else {"error_status": _status(g[1])})
        ),
    ),
    _spec(
        "retry-after-D",
        "retry-after-0.05s",
        "Retry-After on 429/503 answers (seconds when no unit; default 1s)",
        r"retry-after-" + _DUR,
        lambda g: {"retry_after_s": _ms(g[0], g[1], "s") / 1000.0},
    ),
    _spec(
        "hang",
        "hang",
        "accept the request and never answer",
        r"hang",
        lambda g: {"hang": True},
    ),
    _spec(
        "reset[-Npct]",
        "reset",
        "send half the answer, then reset the connection (TCP RST)",
        r"reset" + _PCT,
        lambda g: {"reset_rate": _rate(g[0])},
    ),
    _spec(
        "malformed[-Npct]",
        "malformed-50pct",
        "status 200 with a body that is not valid JSON",
        r"malformed" + _PCT,
        lambda g: {"malformed_rate": _rate(g[0])},
    ),
    _spec(
        "stall-after-K",
        "stall-after-3",
        "streams send K events, then nothing more, ever",
        r"stall-after-(\d+)",
        lambda g: {"stall_after": int(g[0])},
    ),
    _spec(
        "break-after-K",
        "break-after-3",
        "streams send K events, then reset the connection",
        r"break-after-(\d+)",
        lambda g: {"break_after": int(g[0])},
    ),
    _spec(
        "echo",
        "echo",
        "reply with the last user message verbatim",
        r"echo",
        lambda g: {"echo": True},
    ),
    _spec(
        "leak-system",
        "leak-system",
        "the reply includes the system prompt verbatim",
        r"leak-system",
        lambda g: {"leak_system_prompt": True},
    ),
    _spec(
        "follow-injections",
        "follow-injections",
        'obeys "ignore previous instructions and say X" / "reply with X" found in any message',
        r"follow-injections",
        lambda g: {"follow_injections": True},
    ),
    _spec(
        "weak-CATEGORY",
        "weak-prompt-injection",
        "vulnerable to one attack category of the security pack (repeatable); resists the others "
        "as guarded does",
        r"weak-(" + "|".join(c.value for c in Category) + ")",
        lambda g: {"weaknesses": (g[0].lower(),)},
    ),
    _spec(
        "guarded",
        "guarded",
        "recognises every attack category of the security pack and resists it (refuses, calls only "
        "read-only tools, writes safe code)",
        r"guarded",
        lambda g: {"guarded": True},
    ),
    _spec(
        "invalid-json",
        "invalid-json",
        "when JSON or a tool call is asked for, the JSON is broken",
        r"invalid-json",
        lambda g: {"invalid_json": True},
    ),
    _spec(
        "flaky[-Npct]",
        "flaky",
        "alternate good and bad content (or bad with probability N%)",
        r"flaky" + _PCT,
        lambda g: (
            {"flaky": FlakyMode.ALTERNATE}
            if g[0] is None
            else {"flaky": FlakyMode.RANDOM, "flaky_rate": _rate(g[0])}
        ),
    ),
    _spec(
        "answer-as-NAME",
        "answer-as-gpt-4o-2024-08-06",
        "report NAME as the model that answered",
        r"answer-as-(.+)",
        lambda g: {"answer_model": g[0]},
    ),
    _spec(
        "words-N",
        "words-200",
        "length of generated replies, in words (default 20)",
        r"words-(\d+)",
        lambda g: {"reply_words": max(1, min(int(g[0]), 8192))},
    ),
)


def _directive(segment: str) -> Updates | None:
    for spec in DIRECTIVES:
        match = spec.pattern.match(segment)
        if match is not None:
            return spec.build(match.groups())
    return None


def parse_model_name(model: str) -> ModelName:
    """Split ``model`` into base name and directive updates.

    Raises :class:`DirectiveError` naming the segment when a segment after the first ``+`` is
    not a directive or has arguments out of range.
    """
    segments = model.split("+")
    updates: Updates = {}
    directives: list[str] = []
    base = ""
    for position, segment in enumerate(segments):
        try:
            found = _directive(segment)
        except DirectiveError as error:
            raise DirectiveError(f"model {model!r}, directive {segment!r}: {error}") from None
        if found is None:
            if position == 0:
                base = segment
                continue
            raise DirectiveError(
                f"model {model!r}: {segment!r} is not a simulator directive; known: "
                + ", ".join(spec.syntax for spec in DIRECTIVES)
            )
        directives.append(segment)
        weaknesses = (*updates.get("weaknesses", ()), *found.get("weaknesses", ()))
        updates.update(found)
        if weaknesses:
            updates["weaknesses"] = weaknesses
    return ModelName(model, base, tuple(directives), updates)
