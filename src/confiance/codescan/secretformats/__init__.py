"""Credential formats: one catalogue shared by the code scanner and the gateway's redaction.

Pure (standard library only, no I/O). The API is small and stable::

    from confiance.codescan.secretformats import FORMATS, find_secrets, format_named

    for match in find_secrets(text):
        match.format.name, match.format.rule, match.start, match.end  # text[start:end] is it

Each :class:`SecretFormat` has a stable ``name``, the ``vendor``, a human ``label``, the scanner
``rule`` id, a compiled ``regex`` whose group ``secret`` is the credential, the lower-case
``keywords`` that must occur in a text before the regex is tried, and an optional ``validate``
(a checksum such as GitHub's CRC32, or a structure check). :func:`find_secrets` applies all of
them, drops placeholders, and returns non-overlapping matches (earlier formats win, so vendor
formats take precedence over the generic shapes that follow them).

The scanner adds what needs more context than one match (AWS key pairs, values assigned to
secret-looking names, keys split across string literals); see :mod:`confiance.codescan.secrets`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from confiance.codescan.secretformats._model import (
    DOCUMENTED_EXAMPLES,
    SecretFormat,
    SecretMatch,
    base62_crc32_ok,
    entropy,
    is_placeholder,
)
from confiance.codescan.secretformats._services import (
    CHAT_FORMATS,
    COMMERCE_FORMATS,
    SOCIAL_FORMATS,
    SSO_FORMATS,
)
from confiance.codescan.secretformats._structured import (
    HTTP_AUTH_FORMATS,
    KEY_BLOCK_FORMATS,
    URL_FORMATS,
    is_placeholder_password,
    jwt_is_real,
)
from confiance.codescan.secretformats._vendors import AI_FORMATS, CLOUD_FORMATS, DEV_FORMATS

__all__ = [
    "DOCUMENTED_EXAMPLES",
    "FORMATS",
    "SecretFormat",
    "SecretMatch",
    "base62_crc32_ok",
    "entropy",
    "find_secrets",
    "format_named",
    "is_placeholder",
    "is_placeholder_password",
    "jwt_is_real",
]

FORMATS: tuple[SecretFormat, ...] = (
    *KEY_BLOCK_FORMATS[:1],  # service-account JSON before the bare private key it contains
    *AI_FORMATS,
    *CLOUD_FORMATS,
    *DEV_FORMATS,
    *CHAT_FORMATS,
    *SOCIAL_FORMATS,
    *COMMERCE_FORMATS,
    *SSO_FORMATS,
    *KEY_BLOCK_FORMATS[1:],
    *URL_FORMATS,
    *HTTP_AUTH_FORMATS,
)
"""Every format, in precedence order."""

_BY_NAME = {f.name: f for f in FORMATS}
if len(_BY_NAME) != len(FORMATS):  # pragma: no cover - a catalogue defect, caught by tests
    raise RuntimeError("two secret formats share a name")


def format_named(name: str) -> SecretFormat:
    """The format called ``name``. Raises :class:`KeyError` for an unknown name."""
    return _BY_NAME[name]


def find_secrets(text: str, formats: Iterable[SecretFormat] = FORMATS) -> list[SecretMatch]:
    """Every credential of ``formats`` in ``text``, placeholders excluded, without overlaps,
    in order of position."""
    lowered = text.lower()
    found: list[SecretMatch] = []
    starts: list[int] = []  # sorted, parallel to ``found``: spans never overlap
    for fmt in formats:
        if not any(k in lowered for k in fmt.keywords):
            continue
        for m in fmt.regex.finditer(text):
            start, end = m.span("secret")
            at = bisect.bisect_left(starts, start)
            if (at < len(found) and found[at].start < end) or (at and found[at - 1].end > start):
                continue
            value = m.group("secret")
            if fmt.accepts(value):
                starts.insert(at, start)
                found.insert(at, SecretMatch(fmt, start, end, value, m.start()))
    return found
