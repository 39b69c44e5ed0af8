"""Regular expressions: patterns built from request data, and patterns whose nested
quantifiers backtrack exponentially (ReDoS)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from re import _parser as sre_parse  # type: ignore[attr-defined]  # the stdlib parser
from typing import Any

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["REDOS", "REGEX_INJECTION", "catastrophic"]

REGEX_INJECTION = rules.register(
    Rule(
        id="CF-PY-REGEX-INJECTION",
        name="Regular expression built from input",
        family="regex",
        cwe=730,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="A regular expression is compiled from request data: the client chooses a "
        "pattern that backtracks for minutes ((a+)+$) and holds a worker per request.",
        fix="Escape the input (re.escape(value)) to search for it literally, or match it "
        "against a fixed pattern; if users must supply patterns, use the re2 engine "
        "(google-re2) with a timeout.",
        owasp=("ASVS V5.1.4",),
    )
)
REDOS = rules.register(
    Rule(
        id="CF-PY-REDOS",
        name="Regular expression with catastrophic backtracking",
        family="regex",
        cwe=1333,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        description="A pattern repeats a group that itself repeats the same characters "
        "((a+)+, (\\w+\\s?)*, (.*,)*): on a near-miss input the engine tries exponentially "
        "many splits, so one request can hold a CPU for minutes.",
        fix="Remove the nested repetition ((a+)+ is a+), make the inner part unambiguous "
        "(separators the repeated class cannot match), bound input length before matching, "
        "or use re2 (google-re2).",
        owasp=("ASVS V5.1.4",),
    )
)

checks.taint(
    REGEX_INJECTION,
    [SinkKind.REGEX],
    {SourceKind.REMOTE: Confidence.HIGH, SourceKind.LLM: Confidence.MEDIUM},
)

_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}
_UNBOUNDED = sre_parse.MAXREPEAT
_FUNCTIONS = tuple(
    f"{module}.{name}"
    for module in ("re", "regex")
    for name in [
        "compile",
        "search",
        "match",
        "fullmatch",
        "findall",
        "finditer",
        "sub",
        "subn",
        "split",
    ]
)


def _items(pattern: Any) -> list[tuple[Any, Any]]:
    return list(pattern.data if hasattr(pattern, "data") else pattern)


def _unbounded_repeat_inside(items: list[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op in _REPEATS and av[1] == _UNBOUNDED:
            return True
        if op is sre_parse.SUBPATTERN and _unbounded_repeat_inside(_items(av[-1])):
            return True
    return False


def _only_optional_besides_repeat(items: list[tuple[Any, Any]]) -> bool:
    """Every element of the repeated body is either an unbounded repeat or optional, so
    one character can be consumed by several of them: the splits multiply."""
    for op, av in items:
        if op in _REPEATS and (av[1] == _UNBOUNDED or av[0] == 0):
            continue
        if op is sre_parse.SUBPATTERN and _only_optional_besides_repeat(_items(av[-1])):
            continue
        if op is sre_parse.ANY:  # '.' overlaps whatever the inner repeat matches
            continue
        return False
    return True


def catastrophic(pattern: str) -> bool:
    """Whether ``pattern`` has an unbounded repeat of a body that is itself an unbounded
    repeat plus optional parts (``(a+)+``, ``(\\w+\\s?)*``, ``(?:x*)*``)."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError, ValueError):
        return False
    return _search(_items(parsed))


def _search(items: list[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op in _REPEATS:
            body = _items(av[2])
            if (
                av[1] == _UNBOUNDED
                and _unbounded_repeat_inside(body)
                and _only_optional_besides_repeat(body)
            ):
                return True
            if _search(body):
                return True
        elif (op is sre_parse.SUBPATTERN and _search(_items(av[-1]))) or (
            op is sre_parse.BRANCH and any(_search(_items(b)) for b in av[1])
        ):
            return True
    return False


@checks.on_call(names=_FUNCTIONS)
def _pattern(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    pattern = node.args[0] if node.args else None
    for keyword in node.keywords:
        if keyword.arg == "pattern":
            pattern = keyword.value
    if (
        isinstance(pattern, ast.Constant)
        and isinstance(pattern.value, str)
        and len(pattern.value) <= 2000
        and catastrophic(pattern.value)
    ):
        yield context.finding(
            REDOS, node, f"pattern {pattern.value[:60]!r} nests unbounded repetition"
        )
