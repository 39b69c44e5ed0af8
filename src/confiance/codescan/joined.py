"""Joined string literals in source code: what a key split across pieces reads as once joined.

Code often hides a key from naive scanners, or just wraps it: ``"sk-proj-" + "Ab3..."``,
adjacent literals (``"ghp_" "Ab3..."``, also across lines inside parentheses), ``"".join([...])``,
names bound to literals (``KEY = PART1 + PART2``) and f-strings / template literals whose
placeholders are such names (``f"{PREFIX}{REST}"``). This module finds those chains in Python,
JavaScript and TypeScript text, without parsing it, and returns the joined value with where each
piece sits so a secret found in the joined value can be reported at the right line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Joined", "joined_literals"]

_LITERAL = re.compile(
    r"(?P<prefix>(?<![\w\"'`])[rRbBuUfF]{1,2})?"
    r"(?:(?P<triple>\"\"\"|\'\'\')(?P<doc>[\s\S]{0,20000}?)(?P=triple)"
    r"|(?P<q>[\"'`])(?P<body>(?:\\.|(?!(?P=q))[^\\\n]){0,2000})(?P=q))"
)
_NAME = re.compile(r"(?<![\w.$])[A-Za-z_$][\w$]*(?![\w$])")
_CONSTANT = re.compile(
    r"(?m)^[ \t]*(?:export\s+)?(?:const\s+|let\s+|var\s+)?(?P<name>[A-Za-z_$][\w$]*)"
    r"(?:\s*:\s*[\w\[\]|. ]+)?\s*=\s*(?P<lit>[rRbBuU]?[\"'`][^\"'`\n\\]{1,500}[\"'`])\s*;?\s*"
    r"(?:#.*|//.*)?$"
)
_PLUS = re.compile(r"\s*(?:\\\n\s*)?\+?\s*(?:\\\n\s*)?", re.DOTALL)
_COMMA = re.compile(r"\s*,\s*")
_JOIN_OPEN = re.compile(r"\.join\(\s*[\[(]\s*$")
_ASSIGNED = re.compile(
    r"(?P<name>[A-Za-z_$][\w.$]*)[\"']?\s*(?::\s*[\w\[\]|. ]+)?\s*[=:]\s*\(?\s*$"
)
_PLACEHOLDER = re.compile(r"\$?\{\s*([A-Za-z_$][\w$]*)\s*\}")
_MAX_PIECES = 64
_MIN_JOINED = 16


@dataclass(frozen=True, slots=True)
class Joined:
    """A chain of pieces and its value. ``start``/``end`` span the chain in the text; ``pieces``
    are the literal texts as written (to mask them wherever they are quoted); ``bounds`` are the
    offsets in ``value`` where one piece ends and the next begins; ``name`` is the variable or key
    the chain is assigned to, if any, and ``anchor`` where that assignment starts (the chain's
    start without one): the line a finding about the joined value belongs to."""

    value: str
    start: int
    end: int
    pieces: tuple[str, ...]
    bounds: tuple[int, ...]
    name: str
    templated: bool = False
    anchor: int = 0

    def crosses(self, start: int, end: int) -> bool:
        """Whether ``value[start:end]`` spans pieces (so no single literal holds it)."""
        return self.templated or any(start < b < end for b in self.bounds)


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int
    end: int
    value: str
    written: str
    literal: bool = True


def _constants(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for m in _CONSTANT.finditer(text):
        literal = _LITERAL.search(m.group("lit"))
        if literal is not None and literal.group("body") and "{" not in literal.group("body"):
            found[m.group("name")] = literal.group("body")
    return found


def _literal_value(m: re.Match[str], constants: dict[str, str]) -> str:
    if m.group("triple"):
        return "\0"  # docstrings and text blocks: never a piece of a key
    body = m.group("body")
    template = "f" in (m.group("prefix") or "").lower() or m.group("q") == "`"
    if template:
        body = _PLACEHOLDER.sub(lambda p: constants.get(p.group(1), "\0"), body)
    return body


def _pieces(text: str, constants: dict[str, str]) -> list[_Piece]:
    pieces = [
        _Piece(m.start(), m.end(), _literal_value(m, constants), m.group("body") or "")
        for m in _LITERAL.finditer(text)
    ]
    if constants:
        taken = [(p.start, p.end) for p in pieces]
        for m in _NAME.finditer(text):
            name = m.group()
            if name in constants and not any(s <= m.start() < e for s, e in taken):
                pieces.append(_Piece(m.start(), m.end(), constants[name], "", literal=False))
    return sorted(pieces, key=lambda p: p.start)


def _chains(text: str, pieces: list[_Piece]) -> list[list[_Piece]]:
    """Runs of pieces joined by ``+``, adjacency or (inside ``.join([...])``) commas; a single
    template literal whose placeholders were filled counts as a run of its own."""
    chains: list[list[_Piece]] = []
    current: list[_Piece] = []
    in_join = False
    for piece in pieces:
        if current and len(current) < _MAX_PIECES:
            gap = text[current[-1].end : piece.start]
            # Adjacent literals concatenate; a name needs an explicit operator.
            adjacent = (current[-1].literal and piece.literal) or "+" in gap
            if (_PLUS.fullmatch(gap) and adjacent) or (in_join and _COMMA.fullmatch(gap)):
                current.append(piece)
                continue
        if len(current) > 1 or (current and _filled(current[0])):
            chains.append(current)
        current = [piece]
        in_join = bool(_JOIN_OPEN.search(text[max(0, piece.start - 40) : piece.start]))
    if len(current) > 1 or (current and _filled(current[0])):
        chains.append(current)
    return chains


def _filled(piece: _Piece) -> bool:
    return piece.literal and piece.value != piece.written


def joined_literals(text: str) -> list[Joined]:
    """Every chain of two or more pieces whose joined value is long enough to be a key."""
    constants = _constants(text)
    found = []
    for chain in _chains(text, _pieces(text, constants)):
        value = "".join(p.value for p in chain)
        if len(value) < _MIN_JOINED or "\0" in value:
            continue
        bounds, total = [], 0
        for piece in chain[:-1]:
            total += len(piece.value)
            bounds.append(total)
        # The name is on the chain's line, or on the line above when it opens a parenthesis.
        window_start = max(0, chain[0].start - 120)
        window = text[window_start : chain[0].start]
        assigned = _ASSIGNED.search(window) if "(" in window else None
        if assigned is None or "\n" in window[assigned.end("name") :].rstrip().rstrip("("):
            cut = window.rfind("\n") + 1
            assigned, window_start = _ASSIGNED.search(window[cut:]), window_start + cut
        found.append(
            Joined(
                value=value,
                start=chain[0].start,
                end=chain[-1].end,
                pieces=tuple(p.written for p in chain if p.written),
                bounds=tuple(bounds),
                name=assigned.group("name") if assigned else "",
                templated=len(chain) == 1,
                anchor=window_start + assigned.start() if assigned else chain[0].start,
            )
        )
    return found
