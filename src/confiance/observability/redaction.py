"""Redaction of secrets and personal data in text and JSON bodies.

Used for stored trace bodies (by default), logs, and by evaluations that check an answer leaks
nothing. Detectors are ordered: secrets first (they may contain digits that look like phones),
then e-mail addresses, card numbers (Luhn-checked, so order numbers are left alone) and phone
numbers. Each match is replaced by ``[REDACTED:<kind>]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Detection", "PiiKind", "detect", "redact_json", "redact_text"]


class PiiKind(StrEnum):
    SECRET = "secret"  # noqa: S105 - a label, not a secret
    EMAIL = "email"
    CARD = "card"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class Detection:
    kind: PiiKind
    start: int
    end: int


_SECRET = re.compile(
    r"(?:sk-ant-[A-Za-z0-9_\-]{20,}"
    r"|sk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{20,}"
    r"|cf-[0-9a-f]{8}-[A-Za-z0-9_\-]{30,}"
    r"|AIza[0-9A-Za-z_\-]{35}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}"
    r"|xox[baprs]-[A-Za-z0-9-]{10,}"
    r"|(?:sk|rk)_live_[A-Za-z0-9]{20,}"
    r"|hf_[A-Za-z0-9]{30,}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"
    r"|(?<=[:=\s\"'])(?:Bearer\s+)[A-Za-z0-9._\-]{20,})"
)
_URL_PASSWORD = re.compile(r"(?<=://)([^:/@\s]+):([^@/\s]{3,})@")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.\-]?)?"
    r"(?:\(\d{2,4}\)[\s.\-]?\d{2,4}(?:[\s.\-]\d{2,4}){1,3}|\d{2,4}(?:[\s.\-]\d{2,4}){2,4})(?!\w)"
    r"|(?<![\w+])\+\d{8,15}(?!\w)"
)
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _is_card(match: str) -> bool:
    digits = re.sub(r"[ -]", "", match)
    return 13 <= len(digits) <= 19 and _luhn(digits)


def _is_phone(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    return 8 <= len(digits) <= 15 and not _DATE.fullmatch(match.strip())


_DETECTORS: tuple[tuple[PiiKind, re.Pattern[str], Callable[[str], bool] | None], ...] = (
    (PiiKind.SECRET, _SECRET, None),
    (PiiKind.EMAIL, _EMAIL, None),
    (PiiKind.CARD, _CARD, _is_card),
    (PiiKind.PHONE, _PHONE, _is_phone),
)


def detect(text: str) -> list[Detection]:
    """Non-overlapping detections in ``text``, in order of position."""
    found: list[Detection] = []
    taken: list[tuple[int, int]] = []
    for match in _URL_PASSWORD.finditer(text):
        found.append(Detection(PiiKind.SECRET, match.start(2), match.end(2)))
        taken.append((match.start(2), match.end(2)))
    for kind, pattern, check in _DETECTORS:
        for match in pattern.finditer(text):
            span = match.span()
            if check is not None and not check(match.group()):
                continue
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            found.append(Detection(kind, *span))
            taken.append(span)
    return sorted(found, key=lambda d: d.start)


def redact_text(text: str) -> str:
    """``text`` with every detection replaced by ``[REDACTED:<kind>]``."""
    if len(text) < 6:
        return text
    detections = detect(text)
    if not detections:
        return text
    parts: list[str] = []
    cursor = 0
    for d in detections:
        parts.append(text[cursor : d.start])
        parts.append(f"[REDACTED:{d.kind}]")
        cursor = d.end
    parts.append(text[cursor:])
    return "".join(parts)


def redact_json(value: Any) -> Any:
    """A copy of a JSON value with every string redacted (keys are kept as they are)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    return value
