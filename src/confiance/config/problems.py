"""Config problems: one located, actionable message per thing wrong in a config.

A problem reads ``file:line:col: key.path: what is wrong (what to do)``. This module turns
pydantic validation errors and reference problems into problems with a key path; the YAML layer
(:mod:`confiance.config.yamlnodes`) adds the line and column.
"""

from __future__ import annotations

import difflib
import types
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from confiance.config.references import Problem
from confiance.config.schema import ConfianceConfig
from confiance.errors import ConfigError

__all__ = [
    "ConfigProblem",
    "InvalidConfig",
    "Issue",
    "Pointer",
    "format_path",
    "reference_issues",
    "validation_issues",
]

Path = tuple[str | int, ...]

_RANGE_TYPES = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_NEVER_ECHOED = {"api_key_env", "headers"}
_ECHO_LIMIT = 40


class Pointer(StrEnum):
    """Which YAML node a problem points at: the key of the entry, or its value."""

    KEY = "key"
    VALUE = "value"


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem located by key path only (before the YAML layer finds its line)."""

    path: Path
    message: str
    hint: str | None = None
    pointer: Pointer = Pointer.VALUE


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One thing wrong in a config. ``line``/``column`` are 1-based, ``None`` when the document
    did not come from a file (a stored revision)."""

    source: str
    line: int | None
    column: int | None
    path: Path
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}:{self.column}"
        hint = f" ({self.hint})" if self.hint else ""
        # A problem with the file as a whole (syntax, emptiness) has no key path to show.
        path = f"{format_path(self.path)}: " if self.path else ""
        return f"{where}: {path}{self.message}{hint}"

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "path": format_path(self.path),
            "message": self.message,
            "hint": self.hint,
        }


class InvalidConfig(ConfigError):
    """A config with one or more problems; the message lists every one, one per line."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"invalid configuration ({count} {noun}):\n{lines}")


def format_path(path: Path) -> str:
    """``routes.support-bot.fallbacks[0]``; names containing dots are quoted
    (``routes["gpt.4"]``); the empty path is ``(top level)``."""
    text = ""
    for segment in path:
        if isinstance(segment, int) and not isinstance(segment, bool):
            text += f"[{segment}]"
        elif not isinstance(segment, str):
            text += f"[{segment!r}]"
        elif "." in segment or " " in segment or not segment:
            text += f'["{segment}"]'
        else:
            text += f".{segment}" if text else segment
    return text or "(top level)"


def validation_issues(error: ValidationError) -> list[Issue]:
    """One issue per pydantic error, with a message that never echoes a secret-bearing value."""
    return [_issue(detail) for detail in error.errors(include_url=False)]


def _issue(detail: ErrorDetails) -> Issue:
    loc = tuple(detail["loc"])
    kind = detail["type"]
    if loc and loc[-1] == "[key]":
        return Issue(loc[:-1], f"invalid name: {_message(detail)}", _hint(detail), Pointer.KEY)
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind == "invalid_key":
        return Issue(loc, _message(detail), _hint(detail), Pointer.KEY)
    if kind == "missing":
        field = loc[-1]
        parent = format_path(loc[:-1])
        return Issue(loc[:-1], f"missing required key {field!r}", f"add `{field}:` to {parent}")
    return Issue(loc, _message(detail), _hint(detail))


def _unknown_key(loc: Path) -> Issue:
    name = str(loc[-1])
    allowed = _allowed_keys(loc[:-1])
    if allowed is None:
        return Issue(loc, f"unknown key {name!r}", "remove it", Pointer.KEY)
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    hint += "allowed keys: " + ", ".join(allowed)
    return Issue(loc, f"unknown key {name!r}", hint, Pointer.KEY)


def _message(detail: ErrorDetails) -> str:
    message = detail["msg"].removeprefix("Value error, ")
    if detail["type"] in {"value_error", "assertion_error"}:
        return message
    if any(segment in _NEVER_ECHOED for segment in detail["loc"]):
        return message
    return f"{message}, got {_shown(detail['input'])}"


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 3] + "..."


def _hint(detail: ErrorDetails) -> str | None:
    kind = detail["type"]
    loc = detail["loc"]
    if "api_key_env" in loc:
        return "name the environment variable holding the key, e.g. OPENAI_API_KEY, not the key"
    if kind == "invalid_key":
        return "quote the key: YAML reads unquoted on, off, yes, no and null as non-strings"
    if kind in _RANGE_TYPES:
        return "use a value inside the allowed range"
    if kind in {"literal_error", "enum"}:
        return "use one of the listed values"
    if kind == "string_pattern_mismatch":
        return "change the value to match the pattern"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"write {_expected(kind)}"
    return None


def _expected(kind: str) -> str:
    expected = {
        "int": "a whole number",
        "float": "a number",
        "bool": "true or false",
        "string": "a string (quote it if needed)",
        "dict": "a mapping of `key: value` lines",
        "model": "a mapping of `key: value` lines",
        "tuple": "a list (`[a, b]` or `- a` lines)",
        "list": "a list (`[a, b]` or `- a` lines)",
    }
    for prefix, text in expected.items():
        if kind.startswith(prefix):
            return text
    return "a value of the documented type"


def _allowed_keys(path: Path) -> list[str] | None:
    """The keys of the config model found at ``path``, or ``None`` when there is none."""
    return allowed_keys(ConfianceConfig, path) or None


def allowed_keys(model: type[BaseModel], path: tuple[Any, ...]) -> list[str]:
    """The keys (aliases where set) of the model found at ``path`` below ``model``; empty when
    ``path`` does not lead to a model. Used to say which keys an unknown key could have been."""
    current: Any = model
    for segment in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for n, f in current.model_fields.items() if (f.alias or n) == segment), None
            )
            if field is None:
                return []
            current = field.annotation
        elif get_origin(current) in {list, tuple, dict}:
            args = get_args(current)
            current = (args[-1] if get_origin(current) is dict else args[0]) if args else Any
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [field.alias or name for name, field in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X``; ``Annotated[X, ...]`` → ``X``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in {Union, types.UnionType}:
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def reference_issues(problems: list[Problem]) -> list[Issue]:
    """Reference problems (dangling targets, cycles, bad price keys) with what to do."""
    issues: list[Issue] = []
    for problem in problems:
        if problem.message.startswith("route cycle"):
            hint = "remove one of these routes from the loop"
        elif problem.path and problem.path[0] == "prices":
            hint = "write provider/model with a provider defined under providers:"
            issues.append(Issue(problem.path, problem.message, hint, Pointer.KEY))
            continue
        else:
            hint = "name provider/model with a defined provider, or a route of the same kind"
        issues.append(Issue(problem.path, problem.message, hint))
    return issues
