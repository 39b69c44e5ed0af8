"""Authentication of API keys against an in-memory cache of hashed keys.

The cache maps a key's public prefix to its stored record; checking a key is one dictionary
lookup and one SHA-256, never a database round trip. The cache is replaced wholesale when the
store reports a different key version (polled by the server), so revocations apply within a
second on every replica.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from confiance.domain.keys import ApiKey, hash_secret, parse_prefix
from confiance.errors import AuthenticationError

__all__ = ["KeyCache", "extract_secret"]


def extract_secret(headers: Mapping[str, str]) -> str | None:
    """The key a client sent: ``Authorization: Bearer``, ``x-api-key`` (Anthropic SDKs) or
    ``api-key`` (Azure-style clients)."""
    authorization = headers.get("Authorization")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return None
    return headers.get("x-api-key") or headers.get("api-key") or None


class KeyCache:
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._by_prefix: Mapping[str, ApiKey] = MappingProxyType({})
        self._clock = clock
        self.version: str | None = None

    def replace(self, keys: Iterable[ApiKey], version: str) -> None:
        self._by_prefix = MappingProxyType({key.prefix: key for key in keys})
        self.version = version

    def __len__(self) -> int:
        return len(self._by_prefix)

    def authenticate(self, secret: str | None) -> ApiKey:
        """The active key ``secret`` belongs to; ``AuthenticationError`` (401) otherwise."""
        if not secret:
            raise AuthenticationError(
                "no API key: send it as 'Authorization: Bearer <key>' (create one with "
                "`confiance keys create --role app`)"
            )
        prefix = parse_prefix(secret)
        key = self._by_prefix.get(prefix) if prefix else None
        if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
            raise AuthenticationError("invalid API key")
        if key.revoked_at is not None:
            raise AuthenticationError(f"API key {key.prefix} was revoked")
        if not key.is_active(self._clock()):
            raise AuthenticationError(f"API key {key.prefix} has expired")
        return key
