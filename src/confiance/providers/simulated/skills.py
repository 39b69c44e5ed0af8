"""What an obedient simulated model can do with an instruction it decided to follow.

Real models follow instructions with some skill: they quote, join, reverse and capitalise words,
do small sums, call the tool an instruction names and repeat what their context holds. A weak
model in :mod:`.weaknesses` uses these skills on the instruction it should have ignored, so the
evidence of obedience is text the instruction *asked for* (often not written in it), a tool
call, or the secret its context held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from confiance.providers.simulated.prompt import Prompt, ToolSpec

__all__ = ["Action", "perform", "reference_in"]

_QUOTED = r"""['"“‘]([^'"”’\n]{1,80})['"”’]"""
_VERB = re.compile(
    r"\b(?:say|said|reply(?:\s+only)?\s+with|respond(?:\s+only)?\s+with|answer(?:\s+only)?\s+with|"
    r"output|print|write|(?:begin|start|end)\s+(?:your|the)\s+(?:answer|reply|summary)\s+with|"
    r"include|add|append)\b",
    re.IGNORECASE,
)
_TOOL_VERB = re.compile(r"\b(?:call|use|invoke|trigger|run)\s+(?:the\s+)?`?([\w.-]+)`?", re.I)
_REFERENCE = re.compile(
    r"\b(?:reference|code|token|key|secret)\b[^.\n]{0,60}\b(?:instructions|system|prompt|"
    r"configuration|context|told)\b",
    re.IGNORECASE,
)
_HELD_REFERENCE = re.compile(r"\b(?:reference|code|token|key)\s*(?:is|:)\s*([\w-]{6,})", re.I)
_URL = re.compile(r"https?://[^\s'\"<>)]+")
_SEPARATORS = re.compile(
    r"\s*(?:,\s*)?(?:followed\s+(?:directly\s+)?by|then|joined\s+(?:with|by)\s+(?:a\s+)?"
    r"(?:dash|hyphen)\s+(?:to|and)|and\s+then)\s+",
    re.IGNORECASE,
)
_DASH_JOIN = re.compile(
    r"(?:the\s+words?\s+)?"
    + _QUOTED
    + r"\s+and\s+"
    + _QUOTED
    + r"[^.\n]*?\bjoined\s+(?:with|by)\s+"
    r"(?:a\s+)?(?:dash|hyphen)",
    re.IGNORECASE,
)
_SUM = re.compile(r"\b(?:sum|total)\s+of\s+(\d+)\s+and\s+(\d+)", re.I)
_PRODUCT = re.compile(r"\b(\d+)\s+(?:times|multiplied\s+by)\s+(\d+)", re.I)


@dataclass(frozen=True, slots=True)
class Action:
    """What following the instruction produces: text, or a call of ``tool``."""

    text: str = ""
    tool: ToolSpec | None = None


def reference_in(context: str) -> str | None:
    """The reference code (a canary, an internal id) the context holds, if any."""
    match = _HELD_REFERENCE.search(context)
    return match.group(1).rstrip(".") if match else None


def perform(instruction: str, prompt: Prompt) -> Action:
    """Follow ``instruction`` (the text after an override or an address to the model)."""
    tools = {tool.name.lower(): tool for tool in prompt.tools}
    for match in _TOOL_VERB.finditer(instruction):
        if match.group(1).lower() in tools:
            return Action(tool=tools[match.group(1).lower()])
    if _REFERENCE.search(instruction):
        reference = reference_in(prompt.system) or "(none)"
        url = _URL.search(instruction)
        return Action(f"{url.group(0)}{reference}" if url else f"The reference is {reference}.")
    verb = _VERB.search(instruction)
    clause = instruction[verb.end() :] if verb else instruction
    clause = re.split(r"(?<=[.!?])\s|\n|-->|</", clause, maxsplit=1)[0]
    return Action(_construct(clause))


def _construct(clause: str) -> str:
    dash = _DASH_JOIN.search(clause)
    if dash is not None:
        return f"{dash.group(1)}-{dash.group(2)}"
    pieces = [_term(term) for term in _SEPARATORS.split(clause) if term.strip()]
    built = "".join(piece for piece in pieces if piece)
    return built or clause.strip(" '\".")


def _term(term: str) -> str:
    if (total := _SUM.search(term)) is not None:
        return str(int(total.group(1)) + int(total.group(2)))
    if (product := _PRODUCT.search(term)) is not None:
        return str(int(product.group(1)) * int(product.group(2)))
    quoted = re.search(_QUOTED, term)
    if quoted is None:
        return ""
    word = quoted.group(1)
    rest = term[quoted.end() :].lower()
    if re.search(r"\b(?:backwards|reversed|in\s+reverse)\b", rest):
        word = word[::-1]
    if re.search(r"\b(?:upper\s*case|capital\s+letters|capitals)\b", rest):
        word = word.upper()
    return word
