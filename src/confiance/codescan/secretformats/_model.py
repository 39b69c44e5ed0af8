"""The record of one credential format, the helpers that build them, and the value checks
(placeholders, entropy, checksums) the formats and the scanner share."""

from __future__ import annotations

import binascii
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "DOCUMENTED_EXAMPLES",
    "SecretFormat",
    "SecretMatch",
    "base62_crc32_ok",
    "entropy",
    "is_placeholder",
    "keyword_format",
    "prefix_format",
]

_PLACEHOLDER = re.compile(
    r"(?i)x{4,}|\*{3,}|\.{3}|…|<[^>]*>|\{\{|\$\{|\$\(|%\(|%s|^\$[A-Za-z_]|your[_-]?|changeme|"
    r"change[_-]?me|replace|example|sample|dummy|fake|placeholder|redacted|insert|todo|"
    r"notasecret|not[_-]a[_-]secret|test|0{6,}|1234567|abcdef|here$"
)
_PLACEHOLDER_SPAN = 80
DOCUMENTED_EXAMPLES = frozenset(
    {
        # Published by the vendors in their documentation, so never a leak.
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        # The Azure Storage emulator (Azurite) account key.
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
        # Stripe's documentation test key.
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    }
)
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# A value must not continue into more key-like characters on either side.
_BEFORE = r"(?<![A-Za-z0-9_-])"
_AFTER = r"(?![A-Za-z0-9_-])"


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is an obvious stand-in (``xxx``, ``<token>``, ``${VAR}``, ``changeme``,
    ``example``...) rather than a credential."""
    return bool(_PLACEHOLDER.search(value)) or len(set(value)) < 6


def _base62(number: int, width: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return digits.rjust(width, "0")


def base62_crc32_ok(token: str) -> bool:
    """The checksum of GitHub's and npm's token formats: the last six characters are the CRC32
    of the 30 random characters after the prefix (``ghp_``, ``npm_``...), in base62."""
    body = token.split("_", 1)[-1]
    if len(body) != 36:
        return False
    random_part, checksum = body[:30], body[30:]
    return _base62(binascii.crc32(random_part.encode()), 6) == checksum


@dataclass(frozen=True, slots=True)
class SecretFormat:
    """One credential format.

    ``regex`` has a group ``secret`` (the credential itself). A text is searched only when one of
    ``keywords`` (lower case) occurs in it, lower-cased. ``validate`` (a checksum or a structure
    check) must accept the value, and its Shannon entropy must reach ``min_entropy``. ``rule`` is
    the scanner rule that reports it (``CF-SECRET-GITHUB``); ``name`` is unique and stable.
    """

    name: str
    vendor: str
    label: str
    rule: str
    regex: re.Pattern[str]
    keywords: tuple[str, ...]
    validate: Callable[[str], bool] | None = None
    min_entropy: float = 3.0
    checksum: bool = False

    def accepts(self, value: str) -> bool:
        """The checks after the regex matched: placeholder, entropy, validator."""
        if value in DOCUMENTED_EXAMPLES:
            return False
        # A long random value contains "test" or "fake" by chance; stand-ins show early.
        if is_placeholder(value[:_PLACEHOLDER_SPAN]) or entropy(value) < self.min_entropy:
            return False
        return self.validate is None or self.validate(value)


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """Where one credential is: ``text[start:end] == value``; ``anchor`` is where the text that
    identifies it begins (the ``BEGIN`` line of a key block, the name of an assigned value)."""

    format: SecretFormat
    start: int
    end: int
    value: str
    anchor: int


def prefix_format(
    name: str,
    vendor: str,
    label: str,
    rule: str,
    body: str,
    *,
    keywords: tuple[str, ...],
    validate: Callable[[str], bool] | None = None,
    min_entropy: float = 3.0,
    checksum: bool = False,
) -> SecretFormat:
    """A format recognised by its own shape (prefix, alphabet, length): ``body`` is the whole
    value's regex, bounded so that it does not match inside a longer token."""
    regex = re.compile(f"{_BEFORE}(?P<secret>{body}){_AFTER}")
    return SecretFormat(
        name, vendor, label, rule, regex, keywords, validate, min_entropy, checksum=checksum
    )


def keyword_format(
    name: str,
    vendor: str,
    label: str,
    rule: str,
    value: str,
    *,
    keywords: tuple[str, ...],
    min_entropy: float | None = None,
    validate: Callable[[str], bool] | None = None,
) -> SecretFormat:
    """A format without a distinctive prefix: ``value`` counts only when it is assigned to a
    name containing one of ``keywords`` (``COHERE_API_KEY = "..."``, ``mistral: ...``)."""
    words = "|".join(re.escape(k) for k in keywords)
    regex = re.compile(
        rf"(?i:{words})(?i:[\w.$-]{{0,40}})[\"'`]?\s*(?:=>|:=|=|:|,)\s*"
        rf"(?:[rbuRBU]{{1,2}}(?=[\"']))?[\"'`]?{_BEFORE}(?P<secret>{value}){_AFTER}"
    )
    if min_entropy is None:
        # Random hex carries at most 4 bits a character; random base62 nearly 6.
        min_entropy = 2.8 if "a-f0-9" in value else 3.2
    return SecretFormat(name, vendor, label, rule, regex, keywords, validate, min_entropy)
