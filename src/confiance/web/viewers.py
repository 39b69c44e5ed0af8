"""Who may use the web UI, and what each role sees.

A person signs in by pasting an API key with role ``admin`` or ``reviewer``; ``app`` keys are
for programs and are refused. The session then holds only the key's id, and every request
checks that the key is still active, so revoking a key (or its expiry) signs its sessions out at
their next click.

Keys are checked against an in-memory copy of the stored (hashed) keys, reloaded only when the
store's key version changes (one primary-key read per request), as the management API does.

| area | admin | reviewer |
|---|---|---|
| overview (config, routes, traffic) | yes | yes |
| traces (list, detail with retained bodies) | yes | yes, read-only |
| eval runs and comparisons | yes | yes, read-only |
| audit trail and its verification | yes | no |
| API keys (list, create, revoke) | yes | no |
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from confiance.domain.keys import ApiKey, Role, hash_secret, parse_prefix
from confiance.errors import AuthenticationError, PermissionDenied
from confiance.store import Store

__all__ = ["AREAS_BY_ROLE", "Area", "KeyDirectory", "Viewer"]


class Area(StrEnum):
    """The parts of the UI, each a top-level navigation entry."""

    OVERVIEW = "overview"
    TRACES = "traces"
    EVALS = "evals"
    AUDIT = "audit"
    KEYS = "keys"


AREAS_BY_ROLE: MappingProxyType[Role, frozenset[Area]] = MappingProxyType(
    {
        Role.ADMIN: frozenset(Area),
        Role.REVIEWER: frozenset({Area.OVERVIEW, Area.TRACES, Area.EVALS}),
    }
)


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person, as their key describes them (never its secret or hash)."""

    key_id: str
    name: str
    prefix: str
    role: Role

    @classmethod
    def of(cls, key: ApiKey) -> Viewer:
        return cls(key.id, key.name, key.prefix, key.role)

    def may_see(self, area: Area) -> bool:
        return area in AREAS_BY_ROLE.get(self.role, frozenset())

    @property
    def author(self) -> str:
        """How changes made by this viewer name their author in audit events."""
        return f"{self.key_id} ({self.name})"


_REFUSED_APP = (
    "this is an app key, which programs use to call the gateway; the web UI needs a key with "
    "role 'admin' or 'reviewer' (create one with `confiance keys create --role reviewer`)"
)


class KeyDirectory:
    """Signs keys in and re-checks them, over ``store.keys`` (cached per key version)."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        self._by_prefix: MappingProxyType[str, ApiKey] = MappingProxyType({})
        self._by_id: MappingProxyType[str, ApiKey] = MappingProxyType({})
        self._version: str | None = None
        self._lock = asyncio.Lock()

    async def sign_in(self, secret: str) -> Viewer:
        """The person behind a pasted key secret.

        Raises :class:`AuthenticationError` for a malformed, unknown, revoked or expired key and
        :class:`PermissionDenied` for an active ``app`` key.
        """
        secret = secret.strip()
        prefix = parse_prefix(secret)
        if prefix is None:
            raise AuthenticationError(
                "that is not a Confiance API key: keys look like cf-1a2b3c4d-… (53 characters)"
            )
        await self._refresh()
        key = self._by_prefix.get(prefix)
        if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
            raise AuthenticationError("unknown API key: check that you pasted the whole key")
        if key.revoked_at is not None:
            raise AuthenticationError(f"API key {key.prefix} was revoked")
        if not key.is_active(self._clock()):
            raise AuthenticationError(f"API key {key.prefix} has expired")
        if key.role not in AREAS_BY_ROLE:
            raise PermissionDenied(_REFUSED_APP)
        return Viewer.of(key)

    async def active(self, key_id: str) -> Viewer | None:
        """The viewer of a signed-in session, or ``None`` when the key was revoked, expired,
        deleted, or has a role the UI does not serve."""
        await self._refresh()
        key = self._by_id.get(key_id)
        if key is None or not key.is_active(self._clock()) or key.role not in AREAS_BY_ROLE:
            return None
        return Viewer.of(key)

    async def _refresh(self) -> None:
        version = await self._store.keys.version()
        if version == self._version:
            return
        async with self._lock:
            if version == self._version:
                return
            keys = await self._store.keys.list(include_revoked=True)
            self._by_prefix = MappingProxyType({key.prefix: key for key in keys})
            self._by_id = MappingProxyType({key.id: key for key in keys})
            self._version = version
