"""Suite problems: pydantic errors turned into located, actionable messages.

The YAML layer of the config loader (:mod:`confiance.config.yamlnodes`) finds the line of any key
path; this module builds the key paths and messages for the suite schema and for assertion
parameters (whose classes may come from plugins), suggesting the closest allowed key for typos.
"""

from __future__ import annotations

import difflib

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from confiance.config.problems import ConfigProblem, Issue, Pointer, allowed_keys
from confiance.errors import ConfigError

__all__ = ["InvalidSuite", "Path", "model_issues"]

Path = tuple[str | int, ...]
_ECHO_LIMIT = 40


class InvalidSuite(ConfigError):
    """A suite (or probe pack) with problems; the message lists every one, one per line."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        noun = "problem" if len(problems) == 1 else "problems"
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"invalid eval suite ({len(problems)} {noun}):\n{lines}")


def model_issues(error: ValidationError, model: type[BaseModel], prefix: Path = ()) -> list[Issue]:
    """One issue per error of validating ``model``; paths are prefixed with ``prefix`` (where
    the validated mapping sits in the file)."""
    return [_issue(detail, model, prefix) for detail in error.errors(include_url=False)]


def _issue(detail: ErrorDetails, model: type[BaseModel], prefix: Path) -> Issue:
    loc = tuple(detail["loc"])
    kind = detail["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = allowed_keys(model, loc[:-1])
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = (
            (f"did you mean {close[0]!r}? " if close else "")
            + "allowed keys: "
            + ", ".join(allowed)
        )
        return Issue((*prefix, *loc), f"unknown key {name!r}", hint, Pointer.KEY)
    if kind == "missing":
        field = loc[-1]
        return Issue((*prefix, *loc[:-1]), f"missing required key {field!r}", f"add `{field}:`")
    message = detail["msg"].removeprefix("Value error, ")
    if kind not in {"value_error", "assertion_error"}:
        message = f"{message}, got {_shown(detail['input'])}"
    return Issue((*prefix, *loc), message, _hint(kind))


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 3] + "..."


def _hint(kind: str) -> str | None:
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        return "use a value inside the allowed range"
    if kind in {"literal_error", "enum"}:
        return "use one of the listed values"
    if kind == "string_pattern_mismatch":
        return "change the value to match the pattern"
    if kind.startswith(("dict", "model")):
        return "write a mapping of `key: value` lines"
    if kind.startswith(("list", "tuple")):
        return "write a list (`[a, b]` or `- a` lines)"
    if kind.startswith(("int", "float")):
        return "write a number"
    if kind.startswith("bool"):
        return "write true or false"
    if kind.startswith("string"):
        return "write a string (quote it if needed)"
    return None
