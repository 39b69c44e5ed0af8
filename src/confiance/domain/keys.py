"""API keys and roles."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    APP = "app"
    ADMIN = "admin"
    REVIEWER = "reviewer"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key. The secret itself is never kept: only ``secret_hash`` (SHA-256 hex).

    ``routes`` empty means every route the role allows. ``prefix`` is the public, displayable
    start of the key (``cf-ab12cd34``) used to find it without scanning.
    """

    id: str
    name: str
    prefix: str
    secret_hash: str
    role: Role
    routes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at

    def may_call(self, route: str) -> bool:
        return not self.routes or route in self.routes


# A key secret reads ``cf-<8 hex prefix>-<43 url-safe characters>``; the prefix is public.
_PREFIX_RE = re.compile(r"^cf-[0-9a-f]{8}$")
_SECRET_RE = re.compile(r"^(cf-[0-9a-f]{8})-[A-Za-z0-9_-]{43}$")


def hash_secret(secret: str) -> str:
    """The stored form of a key secret: SHA-256 of its UTF-8 bytes, lowercase hex.

    The secrets are 256 random bits, so a fast unsalted hash is enough (no password stretching
    needed) and lets the gateway check a key with one dictionary lookup.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_prefix(secret: str) -> str | None:
    """The public prefix (``cf-ab12cd34``) of a well-formed secret, or ``None`` if ``secret``
    does not have the shape of a Confiance key (so a caller can reject it without a lookup)."""
    match = _SECRET_RE.match(secret)
    return match.group(1) if match else None


def is_prefix(text: str) -> bool:
    """Whether ``text`` has the shape of a key prefix (``cf-`` and 8 lowercase hex digits)."""
    return _PREFIX_RE.match(text) is not None
