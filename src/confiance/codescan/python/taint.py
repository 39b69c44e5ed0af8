"""Taint values: where untrusted data came from and which steps it took.

A :data:`Value` is the abstract value of an expression: a small tuple of :class:`Taint` (empty
means clean, i.e. constant or sanitized). Each taint records its source, the flow steps for the
finding's trace, the sink kinds it has been sanitized for, and marks about its shape (built by
string formatting, stored inside a container, path-normalised).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeAlias

__all__ = [
    "CLEAN",
    "MAX_STEPS",
    "Mark",
    "SinkKind",
    "SourceKind",
    "Taint",
    "Value",
    "add_marks",
    "clear",
    "join",
    "trim_steps",
    "with_step",
]


class SourceKind(StrEnum):
    """How far a source can be trusted; rules choose the kinds they accept."""

    REMOTE = "remote"  # HTTP request data, sockets
    LOCAL = "local"  # input(), sys.argv, argparse: the local user
    ENV = "env"  # environment variables
    FILE = "file"  # file contents
    LLM = "llm"  # a language model's output
    TOOL_ARG = "tool_arg"  # arguments a model chose for a tool/function call
    PARAM = "param"  # symbolic: a parameter of the function being summarised


class SinkKind(StrEnum):
    SQL = "sql"
    COMMAND = "command"
    CODE = "code"
    TEMPLATE = "template"
    LDAP = "ldap"
    XPATH = "xpath"
    PATH = "path"
    FILE_WRITE = "file_write"
    SSRF = "ssrf"
    REDIRECT = "redirect"
    XSS = "xss"
    DESERIALIZE = "deserialize"
    XXE = "xxe"
    MASS_ASSIGN = "mass_assign"
    SYSTEM_PROMPT = "system_prompt"
    LOG = "log"
    HEADER = "header"
    REGEX = "regex"
    SIZE = "size"


class Mark(StrEnum):
    BUILT = "built"  # went through f-string, %, +, .format or join
    CONTAINED = "contained"  # stored as an element of a list/tuple/set/dict
    NORMALIZED = "normalized"  # went through realpath/abspath/normpath/resolve
    NUMERIC = "numeric"  # converted to a number (int(), float()) or a numeric route parameter


MAX_STEPS = 8
_MAX_TAINTS = 4


@dataclass(frozen=True, slots=True)
class Taint:
    kind: SourceKind
    label: str
    line: int
    steps: tuple[str, ...]
    cleared: frozenset[SinkKind] = frozenset()
    marks: frozenset[Mark] = frozenset()
    param: int = -1
    origin_type: str = ""

    def reaches(self, sink: SinkKind) -> bool:
        return sink not in self.cleared


Value: TypeAlias = tuple[Taint, ...]
CLEAN: Value = ()


def join(*values: Value) -> Value:
    """Union of values, deduplicated by source, capped so that values stay small."""
    present = [v for v in values if v]
    if len(present) <= 1:
        return present[0] if present else CLEAN
    out: list[Taint] = []
    seen: set[tuple[SourceKind, str, int, int, frozenset[SinkKind]]] = set()
    for value in present:
        for taint in value:
            key = (taint.kind, taint.label, taint.line, taint.param, taint.cleared)
            if key not in seen:
                seen.add(key)
                out.append(taint)
    return tuple(out[:_MAX_TAINTS])


def with_step(value: Value, step: str) -> Value:
    """Append a trace step to every taint (keeping the source and the latest steps)."""
    if not value:
        return value
    return tuple(replace(t, steps=trim_steps((*t.steps, step))) for t in value)


def trim_steps(steps: tuple[str, ...]) -> tuple[str, ...]:
    if len(steps) <= MAX_STEPS:
        return steps
    return (steps[0], "...", *steps[-(MAX_STEPS - 2) :])


def clear(value: Value, kinds: frozenset[SinkKind]) -> Value:
    """Mark the value as sanitized for ``kinds``."""
    if not value or not kinds:
        return value
    return tuple(replace(t, cleared=t.cleared | kinds) for t in value)


def add_marks(value: Value, marks: frozenset[Mark]) -> Value:
    if not value:
        return value
    return tuple(t if marks <= t.marks else replace(t, marks=t.marks | marks) for t in value)
