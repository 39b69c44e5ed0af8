"""Secrets without a vendor format: random-looking values assigned to secret-looking names.

``client_secret = "q8Z2vL0x..."`` is reported; ``token_count = 1532``, ``api_key_header =
"X-Api-Key"``, hashes, UUIDs, identifiers, URLs, environment lookups and base64 of plain text are
not. The name decides whether a value is even considered; the value must then look generated.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from confiance.codescan.secretformats import (
    DOCUMENTED_EXAMPLES,
    entropy,
    is_placeholder,
    is_placeholder_password,
)

__all__ = ["assignments", "char_classes", "is_secret_name", "plausible_secret"]

_UUID = re.compile(r"(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_WORDS = re.compile(r"^[A-Za-z]+(?:[_\-.][A-Za-z]+)*$")
# The lookbehind makes every name start at a word boundary: without it a long run of word
# characters (minified code, base64) would be rescanned from each of its positions.
_ASSIGNMENT = re.compile(
    r"""(?<![\w.$-])(?P<name>[A-Za-z_$][\w.$-]{0,80})\\?["']?\s*(?P<op>:=|=>|=(?!=)|:)\s*
        (?:[rbuRBU]{1,2}(?=["']))?(?P<q>\\?["'`])?(?P<value>[^\s"'`\\,;)}\]>]{6,400})""",
    re.VERBOSE,
)
_DOCKER_ENV = re.compile(r"(?m)^\s*(?:ENV|ARG)\s+(?P<name>\w+)\s+(?P<value>[^\s=]{6,})\s*(?:#.*)?$")
NAME_HINTS = ("key", "secret", "token", "pass", "pwd", "credential", "auth", "bearer")
_STRONG_NAME = re.compile(
    r"apikey|secret|token|password|passwd|passphrase|credential|accesskey|privatekey|"
    r"signingkey|encryptionkey|masterkey|authkey|authorization|bearer|(?:^|db|user|admin)pass$|"
    r"pwd$|(?:api|secret|private|access|auth|signing|encryption|master|client|app|account|"
    r"subscription|service|license|openai|anthropic|azure|gemini|google|stripe|mistral|groq|"
    r"cohere|together|replicate|sendgrid|twilio)key$"
)
_NOT_SECRET_NAME = re.compile(
    r"tokens|tokeniz|(?:name|path|file|dir|url|uri|endpoint|env|var|length|len|size|count|type|"
    r"field|header|prefix|format|pattern|regex|label|hint|placeholder|version|algorithm|alg|"
    r"expiry|expires|ttl|timeout|hash|salt|policy|rotation|manager|store|provider|class|kind|"
    r"mode|required|enabled|min|max|id|ref|arn|location|storage|param|schema|limit|usage|"
    r"digest|checksum|sha|sha1|sha256|md5|fingerprint|etag|nonce|example|sample|dummy|fake|"
    r"mock|stub)s?$"
)
_PASSWORD_NAME = re.compile(r"pass|pwd")


def char_classes(value: str) -> int:
    """How many of lower case, upper case, digits and symbols ``value`` uses."""
    return sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        )
    )


def _is_plain_base64_text(value: str) -> bool:
    if len(value) < 16 or len(value) % 4:
        return False
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    text = raw.decode("latin-1")
    printable = sum(c.isprintable() or c in "\n\t" for c in text)
    return printable >= 0.95 * len(text) and (" " in text or "\n" in text)


def _short_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.rsplit(".", 1)[-1].lower())


def is_secret_name(name: str) -> bool:
    """``client_secret``, ``API_TOKEN``, ``db.password`` — not ``token_count`` or ``key_path``."""
    short = _short_name(name)
    return bool(_STRONG_NAME.search(short)) and not _NOT_SECRET_NAME.search(short)


def plausible_secret(name: str, value: str) -> bool:
    """Whether ``value``, assigned to the secret-looking ``name``, looks like a real secret."""
    password = bool(_PASSWORD_NAME.search(_short_name(name)))
    if is_placeholder(value) or _UUID.match(value) or _WORDS.match(value):
        return False
    if value in DOCUMENTED_EXAMPLES:
        return False
    if value.startswith(("http:", "https:", "/", "./", "~", "file:", "$", "%", "@", "#")):
        return False
    if "(" in value or value.startswith(("process.", "os.", "import.", "env.", "settings.")):
        return False
    if _is_plain_base64_text(value):
        return False
    if value.startswith("eyJ") and value.count(".") == 2:
        return False  # a JWT: the JWT format decides
    classes = char_classes(value)
    if password and is_placeholder_password(value):
        return False  # password1, tiger, changeme...
    if password:
        return len(value) >= 8 and classes >= 2 and entropy(value) >= 2.5
    if not any(c.isdigit() for c in value) and not (len(value) >= 24 and entropy(value) >= 4.0):
        return False
    return len(value) >= 16 and classes >= 2 and entropy(value) >= 3.2


def assignments(text: str, *, quoted_only: bool) -> Iterator[tuple[str, str, int]]:
    """``(name, value, offset of value)`` for every assignment-like ``name = value`` in
    ``text`` (``=``, ``:``, ``=>``, ``:=``; Dockerfile ``ENV``/``ARG``); ``quoted_only`` keeps only
    quoted values (in code a bare value is an expression)."""
    lowered = text.lower()
    if not any(h in lowered for h in NAME_HINTS):
        return
    for m in _ASSIGNMENT.finditer(text):
        if not quoted_only or m.group("q"):
            yield m.group("name"), m.group("value"), m.start("value")
    if "ENV" in text or "ARG" in text:
        for m in _DOCKER_ENV.finditer(text):
            yield m.group("name"), m.group("value"), m.start("value")
