"""API keys: create (the secret is shown once), list, revoke — each change audited.

A secret reads ``cf-<8 hex>-<43 url-safe characters>`` (256 random bits after the prefix). Only
its SHA-256 is stored, with the public prefix for lookup; neither the secret nor its hash ever
enters an audit event or a listing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from confiance.config.schema import NAME_PATTERN
from confiance.control.clock import Clock
from confiance.domain.keys import ApiKey, Role, hash_secret, is_prefix, parse_prefix
from confiance.domain.types import JSONObject
from confiance.errors import Conflict, UsageError
from confiance.store import AuditDraft, Store

__all__ = ["CreatedKey", "KeyService", "generate_secret", "key_json"]

_NAME_MAX = 100
_ROUTE_RE = re.compile(NAME_PATTERN)
_CREATE_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A new key and its secret. The secret exists only here: show it once, then drop it."""

    key: ApiKey
    secret: str = field(repr=False)


def generate_secret() -> str:
    """A fresh secret: ``cf-`` + 8 hex digits (the public prefix) + ``-`` + 43 url-safe chars."""
    secret = f"cf-{secrets.token_hex(4)}-{secrets.token_urlsafe(32)}"
    assert parse_prefix(secret) is not None  # the format is a contract with the gateway's auth
    return secret


def key_json(key: ApiKey) -> JSONObject:
    """A key as plain data for output and audit: never the secret, never its hash."""
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "role": str(key.role),
        "routes": list(key.routes),
        "created_at": key.created_at.isoformat(),
        "expires_at": key.expires_at.isoformat() if key.expires_at else None,
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


class KeyService:
    """Creates, lists and revokes keys in ``store``; audit events name
    ``f"{audit_actor}:{author}"`` as actor."""

    def __init__(self, store: Store, clock: Clock, audit_actor: str = "cli") -> None:
        self._store = store
        self._clock = clock
        self._audit_actor = audit_actor

    async def create(
        self,
        name: str,
        role: Role,
        routes: Sequence[str] = (),
        expires_at: datetime | None = None,
        *,
        author: str = "unknown",
    ) -> CreatedKey:
        """A new active key. ``routes`` empty: every route the role allows. Raises
        ``UsageError`` for a bad name, route name or an expiry not in the future."""
        now = self._clock()
        _check_name(name)
        _check_routes(routes)
        if expires_at is not None and (expires_at.tzinfo is None or expires_at <= now):
            raise UsageError(
                f"expiry {expires_at.isoformat()} must be a time-zone aware time in the future"
            )
        for attempt in range(_CREATE_ATTEMPTS):
            created = self._new_key(name, role, tuple(routes), now, expires_at)
            data = key_json(created.key)
            draft = self._draft("key.create", created.key, data, author)
            try:
                await self._store.keys.add(created.key, audit=draft)
            except Conflict:
                # A 32-bit prefix collides once in billions of keys: draw again.
                if attempt == _CREATE_ATTEMPTS - 1:
                    raise
                continue
            return created
        raise AssertionError("unreachable")

    async def list(self, include_revoked: bool = False) -> list[ApiKey]:
        return await self._store.keys.list(include_revoked=include_revoked)

    async def resolve(self, id_or_prefix: str) -> ApiKey:
        """The key with this id, or with this public prefix (``cf-ab12cd34``), or whose secret
        this is. Raises ``NotFound``."""
        # A whole secret pasted by mistake is looked up by its prefix, so that the error
        # messages of the store (which quote what they were given) never echo it.
        prefix = parse_prefix(id_or_prefix)
        if prefix is not None or is_prefix(id_or_prefix):
            return await self._store.keys.by_prefix(prefix or id_or_prefix)
        return await self._store.keys.get(id_or_prefix)

    async def revoke(self, id_or_prefix: str, *, author: str = "unknown") -> ApiKey:
        """Revoke a key now. Raises ``NotFound``, or ``Conflict`` if it is already revoked."""
        key = await self.resolve(id_or_prefix)
        data: JSONObject = {"id": key.id, "name": key.name, "prefix": key.prefix}
        draft = self._draft("key.revoke", key, data, author)
        return await self._store.keys.revoke(key.id, self._clock(), audit=draft)

    async def unknown_routes(self, routes: Sequence[str]) -> tuple[str, ...]:
        """Those of ``routes`` the latest applied config does not define (a warning, not an
        error: keys may be created before the routes they will call)."""
        revision = await self._store.revisions.latest()
        known = revision.document.get("routes", {}) if revision else {}
        return tuple(route for route in routes if route not in known)

    def _new_key(
        self,
        name: str,
        role: Role,
        routes: tuple[str, ...],
        now: datetime,
        expires_at: datetime | None,
    ) -> CreatedKey:
        secret = generate_secret()
        prefix = parse_prefix(secret)
        assert prefix is not None
        key = ApiKey(
            id=f"key_{secrets.token_hex(8)}",
            name=name,
            prefix=prefix,
            secret_hash=hash_secret(secret),
            role=role,
            routes=routes,
            created_at=now,
            expires_at=expires_at,
        )
        return CreatedKey(key, secret)

    def _draft(self, action: str, key: ApiKey, data: JSONObject, author: str) -> AuditDraft:
        actor = f"{self._audit_actor}:{author}"
        return AuditDraft(actor=actor, action=action, subject=f"key:{key.id}", data=data)


def _check_name(name: str) -> None:
    if not name.strip() or len(name) > _NAME_MAX or not name.isprintable():
        raise UsageError(
            f"key name must be 1 to {_NAME_MAX} printable characters, got {len(name)} characters"
        )


def _check_routes(routes: Sequence[str]) -> None:
    for route in routes:
        if not _ROUTE_RE.match(route):
            raise UsageError(f"route name {route!r} must match {NAME_PATTERN}")
    if len(set(routes)) != len(routes):
        raise UsageError("a route is listed twice; list each route once")
