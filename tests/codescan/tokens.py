"""Test tokens in vendor formats with a valid checksum (GitHub's and npm's CRC32 in base62)."""

from __future__ import annotations

import binascii
import string

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def with_checksum(body: str) -> str:
    """The 36-character token body: ``body`` (30 characters) and its six-character checksum."""
    assert len(body) == 30
    number, digits = binascii.crc32(body.encode()), ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return body + digits.rjust(6, "0")


def github_token(body: str) -> str:
    return "ghp_" + with_checksum(body)
