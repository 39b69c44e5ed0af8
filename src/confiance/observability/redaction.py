"""Redaction of secrets and personal data in text and JSON bodies.

Used for stored trace bodies and request parameters (by default), logs, and by evaluations that
check an answer leaks nothing. Detectors are ordered, and a span taken by one is not offered to
the next:

1. secrets: the credential formats the code scanner knows (:mod:`confiance.codescan.secretformats`,
   one catalogue, so a format added for the scanner is redacted too), then the shapes only
   redaction needs: Confiance and short ``sk-`` keys, AWS access key ids and secret access keys
   (by their name or next to a key id), bearer tokens, ``password: …`` / ``password is …``
   pairs, and passwords in URLs;
2. e-mail addresses;
3. IBANs (ISO 13616 mod-97 checked, so a random code is left alone);
4. card numbers (Luhn-checked, so order numbers are left alone);
5. phone numbers: with separators, international (``+``/``00``), national with a trunk ``0``
   (``0612345678``), or any 7–15 digit run right after a word such as "phone", "tel" or "call".

Each match is replaced by ``[REDACTED:<kind>]``. In JSON, a string under a key that names a
credential (``password``, ``api_key``, ``token``, ``authorization``…) is redacted whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from confiance.codescan.secretformats import find_secrets

__all__ = ["Detection", "PiiKind", "detect", "redact_json", "redact_text"]


class PiiKind(StrEnum):
    SECRET = "secret"  # noqa: S105 - a label, not a secret
    EMAIL = "email"
    IBAN = "iban"
    CARD = "card"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class Detection:
    kind: PiiKind
    start: int
    end: int


_SECRET = re.compile(
    r"(?:cf-[0-9a-f]{8}-[A-Za-z0-9_\-]{30,}"
    r"|(?<![\w-])sk-(?:ant-|proj-|svcacct-|admin-)?(?=[A-Za-z0-9_\-]*\d)[A-Za-z0-9_\-]{8,}"
    r"|(?<![\w-])sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}"
    r"|AIza[0-9A-Za-z_\-]{35}"
    r"|(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}(?![A-Z0-9])"
    r"|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}"
    r"|xox[baprs]-[A-Za-z0-9-]{10,}"
    r"|(?:sk|rk)_live_[A-Za-z0-9]{20,}"
    r"|hf_[A-Za-z0-9]{30,}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"
    r"|(?<=[:=\s\"'])(?:Bearer\s+)[A-Za-z0-9._\-]{20,})"
)
# The 40-character AWS secret access key has no prefix: found by its name, or near its key id.
_AWS_SECRET_NAMED = re.compile(
    r"(?i:aws_?secret(?:_?access)?_?key|secret_?access_?key)[\"']?\s*(?:[:=]|=>)\s*[\"']?"
    r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
)
_AWS_SECRET_NEAR_ID = re.compile(
    r"(?:AKIA|ASIA)[0-9A-Z]{16}[\s\S]{1,120}?(?<![A-Za-z0-9/+])"
    r"(?P<secret>(?=[A-Za-z0-9/+]*[0-9])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])"
    r"[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
)
# A value given for a word that names a secret: "password: hunter2", "my password is hunter2".
_NAMING_WORDS = (
    r"pass(?:word|wd|phrase|code)?|pwd|mot de passe|passwort|contraseña|secret|api[_ -]?key|"
    r"access[_ -]?key|private[_ -]?key|client[_ -]?secret|auth[_ -]?token|token|pin"
)
# "The password is required": words that say something about a password rather than give it.
_NOT_A_VALUE = (
    "required|incorrect|wrong|invalid|correct|empty|missing|too|not|the|an?|case|expired|valid|"
    "strong|weak|optional|set|changed|reset|long|short|hidden|stored|encrypted|hashed|needed|"
    "obligatoire|requis|incorrecte?|erforderlich|falsch"
)
_NAMED_SECRET = re.compile(
    rf"(?i:\b(?:{_NAMING_WORDS}))\b[\"']?\s*(?::|=|=>)\s*[\"'`]?(?P<secret>[^\s\"'`,;]{{3,200}})"
    r"|(?i:\b(?:pass(?:word|wd|phrase|code)?|mot de passe|passwort|contraseña)\s+"
    r"(?:is|was|est|ist|es)\s+)[\"'`]?(?!(?i:" + _NOT_A_VALUE + r")\b)"
    r"(?P<said>[^\s\"'`,;]{3,200})"
)
_URL_PASSWORD = re.compile(r"(?<=://)([^:/@\s]+):([^@/\s]{3,})@")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])"
)
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.\-]?)?"
    r"(?:\(\d{2,4}\)[\s.\-]?\d{2,4}(?:[\s.\-]\d{2,4}){1,3}|\d{2,4}(?:[\s.\-]\d{2,4}){2,4})(?!\w)"
    r"|(?<![\w+])(?:\+|00)[1-9]\d{7,14}(?!\w)"
    r"|(?<![\w+.,-])0[1-9]\d{8,9}(?![\w.,-]\d)(?!\w)"
    r"|(?i:\b(?:phone|tel|telephone|téléphone|mobile|cell|call|sms|whatsapp|fax|portable|"
    r"handy|numéro|number)\b)[^\d\n]{0,20}?(?<!\d)\d{7,15}(?!\d)"
)
_CONTEXT_DIGITS = re.compile(r"\d{7,15}$")
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}")
_SECRET_KEY_NAME = re.compile(
    r"(?i)^(?:.*[_-])?(?:password|passwd|passphrase|pwd|secret|api[_-]?key|apikey|"
    r"access[_-]?key|private[_-]?key|client[_-]?secret|token|access[_-]?token|"
    r"refresh[_-]?token|auth|authorization|credentials?|cookie|session[_-]?id)$"
)
_REDACTED_SECRET = f"[REDACTED:{PiiKind.SECRET}]"

Spans = Callable[[str], Iterator[tuple[int, int]]]


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


def _is_iban(match: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    code = match.replace(" ", "")
    if not 15 <= len(code) <= 34:
        return False
    rearranged = code[4:] + code[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _is_phone(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    return 8 <= len(digits) <= 15 and not _DATE.fullmatch(match.strip())


def _pattern(regex: re.Pattern[str], group: int | str = 0) -> Spans:
    def spans(text: str) -> Iterator[tuple[int, int]]:
        for match in regex.finditer(text):
            yield match.span(group)

    return spans


def _named_secrets(text: str) -> Iterator[tuple[int, int]]:
    for match in _NAMED_SECRET.finditer(text):
        yield match.span("secret" if match.group("secret") is not None else "said")


def _catalogue(text: str) -> Iterator[tuple[int, int]]:
    for found in find_secrets(text):
        yield found.start, found.end


def _checked(regex: re.Pattern[str], check: Callable[[str], bool]) -> Spans:
    def spans(text: str) -> Iterator[tuple[int, int]]:
        for match in regex.finditer(text):
            if check(match.group()):
                yield match.span()

    return spans


def _phones(text: str) -> Iterator[tuple[int, int]]:
    for match in _PHONE.finditer(text):
        value = match.group()
        if not value[:1].isdigit() and not value.startswith(("+", "(")):
            # "phone: 0612…": the word is context, only the digits are the number.
            digits = _CONTEXT_DIGITS.search(value)
            if digits is not None:
                yield match.start() + digits.start(), match.end()
            continue
        if _is_phone(value):
            yield match.span()


_DETECTORS: tuple[tuple[PiiKind, Spans], ...] = (
    (PiiKind.SECRET, _pattern(_URL_PASSWORD, 2)),
    (PiiKind.SECRET, _catalogue),
    (PiiKind.SECRET, _pattern(_SECRET)),
    (PiiKind.SECRET, _pattern(_AWS_SECRET_NAMED, "secret")),
    (PiiKind.SECRET, _pattern(_AWS_SECRET_NEAR_ID, "secret")),
    (PiiKind.SECRET, _named_secrets),
    (PiiKind.EMAIL, _pattern(_EMAIL)),
    (PiiKind.IBAN, _checked(_IBAN, _is_iban)),
    (PiiKind.CARD, _checked(_CARD, _is_card)),
    (PiiKind.PHONE, _phones),
)


def detect(text: str) -> list[Detection]:
    """Non-overlapping detections in ``text``, in order of position."""
    found: list[Detection] = []
    taken: list[tuple[int, int]] = []
    for kind, spans in _DETECTORS:
        for start, end in spans(text):
            if start >= end or any(start < e and s < end for s, e in taken):
                continue
            found.append(Detection(kind, start, end))
            taken.append((start, end))
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
    """A copy of a JSON value with every string redacted (keys are kept as they are); a
    non-empty string under a key naming a credential is replaced whole."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_entry(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    return value


def _redact_entry(key: object, value: Any) -> Any:
    if isinstance(value, str) and value and isinstance(key, str) and _SECRET_KEY_NAME.match(key):
        return _REDACTED_SECRET
    return redact_json(value)
