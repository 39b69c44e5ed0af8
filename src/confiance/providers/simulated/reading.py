"""How a simulated model with known weaknesses reads a request: what the user asks in their own
words, what material came with it, and the encodings a capable model sees through.

A real model reads base64, rot13 and leetspeak, reassembles a message split into variables or
across turns, and tells the user's request (the first paragraph of their message) from the
material pasted after it (documents, e-mails, pages) and from tool results. The security
behaviours in :mod:`.weaknesses` decide on this reading, never on the raw bytes, so an encoded
attack reaches a weak model as it would reach a real one.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from dataclasses import dataclass

from confiance.providers.simulated.prompt import Prompt

__all__ = ["Reading", "read"]

_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_ROT13 = re.compile(r"\brot-?13\b[^:\n]*:\s*(?P<body>.+)", re.IGNORECASE | re.DOTALL)
_VARIABLE = re.compile(r"\b([a-zA-Z])\s*=\s*\"((?:[^\"\\]|\\.)*)\"")
_JOINED = re.compile(r"\b([a-zA-Z])\s*\+\s*([a-zA-Z])\b")
_PART = re.compile(r"^\s*part\s+(\d+)\s*(?:of\s+\d+\s*)?:\s*", re.IGNORECASE | re.MULTILINE)
_LEET = str.maketrans({"4": "a", "3": "e", "1": "i", "0": "o", "5": "s", "7": "t"})
_LEET_WORD = re.compile(r"\b(?=[a-z]*[0-9])[a-z0-9]*[a-z][a-z0-9]*\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Reading:
    """``request``: the user's own words (decoded); ``material``: documents pasted after
    them and tool results; ``context``: the system prompt and earlier turns."""

    request: str
    material: str
    context: str

    @property
    def everything(self) -> str:
        return f"{self.request}\n\n{self.material}"


def read(prompt: Prompt) -> Reading:
    """The reading of ``prompt`` (see the module docstring)."""
    users = [turn.text for turn in prompt.turns if turn.role == "user"]
    last = _reassembled(users) if users else ""
    last = _decoded(last)
    request, _, pasted = last.strip().partition("\n\n")
    tools = [turn.text for turn in prompt.turns if turn.role == "tool"]
    earlier = [turn.text for turn in prompt.turns[:-1] if turn.role != "tool"]
    return Reading(
        request=request.strip(),
        material="\n\n".join(part for part in (pasted.strip(), *tools) if part),
        context="\n".join([prompt.system, *earlier]),
    )


def _reassembled(users: list[str]) -> str:
    """The last user message, or the whole message when it was sent in numbered parts."""
    parts: dict[int, str] = {}
    for text in users:
        for match, body in _parts(text):
            parts[match] = body
    if len(parts) >= 2:
        return " ".join(parts[index] for index in sorted(parts))
    return users[-1]


def _parts(text: str) -> list[tuple[int, str]]:
    found = list(_PART.finditer(text))
    out: list[tuple[int, str]] = []
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        out.append((int(match.group(1)), text[match.end() : end].strip()))
    return out


def _decoded(text: str) -> str:
    """``text`` with its payload decoded: base64, rot13, variables joined, leetspeak read."""
    joined = _joined_variables(text)
    if joined is not None:
        return _decoded(joined)
    for match in _BASE64.finditer(text):
        plain = _base64(match.group(0))
        if plain is not None:
            return _decoded(plain)
    rot = _ROT13.search(text)
    if rot is not None:
        return str(codecs.decode(rot.group("body").strip(), "rot13"))
    words = _LEET_WORD.findall(text)
    if len(words) >= 3:
        return _LEET_WORD.sub(lambda m: m.group(0).lower().translate(_LEET), text)
    return text


def _joined_variables(text: str) -> str | None:
    values: dict[str, str] = {
        match.group(1): match.group(2).replace('\\"', '"') for match in _VARIABLE.finditer(text)
    }
    join = _JOINED.search(text)
    if join is None or join.group(1) not in values or join.group(2) not in values:
        return None
    return values[join.group(1)] + values[join.group(2)]


def _base64(blob: str) -> str | None:
    try:
        plain = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in plain)
    return plain if plain and printable / len(plain) > 0.95 else None
