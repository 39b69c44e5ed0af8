"""Who may call the management API: active admin keys only.

Keys are checked against an in-memory copy of the stored (hashed) keys. Each request reads the
store's key version (one primary-key lookup) and reloads the copy only when it changed, so a key
created or revoked through any channel counts at the very next request, on every replica.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from datetime import datetime
from types import MappingProxyType

from confiance.domain.keys import ApiKey, Role, hash_secret, parse_prefix
from confiance.errors import AuthenticationError, PermissionDenied
from confiance.store import Store

__all__ = ["AdminAuthenticator", "bearer_secret"]

_NO_KEY = (
    "no API key: send an admin key as 'Authorization: Bearer cf-...' "
    "(create one with `confiance keys create --role admin`)"
)


def bearer_secret(authorization: str | None) -> str:
    """The secret of an ``Authorization: Bearer <secret>`` header value.

    Raises :class:`AuthenticationError` naming what is wrong with a missing or malformed header.
    """
    if not authorization or not authorization.strip():
        raise AuthenticationError(_NO_KEY)
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthenticationError(
            f"the Authorization header uses scheme {scheme!r}; send 'Authorization: Bearer cf-...'"
        )
    return value.strip()


class AdminAuthenticator:
    """Authenticates admin keys against ``store.keys`` (cached, reloaded on version change)."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        self._by_prefix: MappingProxyType[str, ApiKey] = MappingProxyType({})
        self._version: str | None = None
        self._lock = asyncio.Lock()

    async def admin(self, authorization: str | None) -> ApiKey:
        """The admin key behind an ``Authorization`` header value.

        Raises :class:`AuthenticationError` (401) for a missing, malformed, unknown, revoked or
        expired key and :class:`PermissionDenied` (403) for an active key that is not an admin.
        """
        key = await self._authenticate(bearer_secret(authorization))
        if key.role is not Role.ADMIN:
            raise PermissionDenied(
                f"API key {key.prefix} has role {key.role.value!r}; the management API needs "
                "a key with role 'admin'"
            )
        return key

    async def _authenticate(self, secret: str) -> ApiKey:
        prefix = parse_prefix(secret)
        if prefix is None:
            raise AuthenticationError("invalid API key: it does not have the shape cf-... of a key")
        await self._refresh()
        key = self._by_prefix.get(prefix)
        if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
            raise AuthenticationError("invalid API key")
        if key.revoked_at is not None:
            raise AuthenticationError(f"API key {key.prefix} was revoked")
        if not key.is_active(self._clock()):
            raise AuthenticationError(f"API key {key.prefix} has expired")
        return key

    async def _refresh(self) -> None:
        version = await self._store.keys.version()
        if version == self._version:
            return
        async with self._lock:
            if version == self._version:
                return
            keys = await self._store.keys.list(include_revoked=True)
            self._by_prefix = MappingProxyType({key.prefix: key for key in keys})
            self._version = version
