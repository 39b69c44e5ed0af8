"""The server-side half of a signed-in session: started at sign-in, checked on every request,
ended at sign-out, and ended by the idle and absolute timeouts.

A cookie is only a signed name for a session; the record in the store is what makes it valid.
So signing out ends the session at once on every worker and replica sharing the store, and a
copy of the cookie kept from before is worth nothing afterwards. A session also ends when it
has not been used for ``idle`` (30 minutes by default), and ``lifetime`` (8 hours) after
sign-in whatever happens. ``last_seen_at`` is written at most once per ``touch_every`` (one
minute), so a busy page costs one indexed read per request and a write a minute.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

from confiance.store.sessions import WebSessionRecord, WebSessionRepository

__all__ = ["DEFAULT_IDLE", "DEFAULT_LIFETIME", "Ended", "SessionRecords"]

DEFAULT_IDLE = timedelta(minutes=30)
DEFAULT_LIFETIME = timedelta(hours=8)
TOUCH_EVERY = timedelta(minutes=1)


class Ended(StrEnum):
    """Why a signed-in session is over."""

    SIGNED_OUT = "signed_out"  # no record: signed out (maybe in another tab), or purged
    IDLE = "idle"
    EXPIRED = "expired"


def _id_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SessionRecords:
    """Start, check and end the records of signed-in sessions in ``repository``."""

    def __init__(
        self,
        repository: WebSessionRepository,
        clock: Callable[[], datetime],
        *,
        idle: timedelta = DEFAULT_IDLE,
        lifetime: timedelta = DEFAULT_LIFETIME,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self.idle = idle
        self.lifetime = lifetime

    async def start(self, sid: str, key_id: str) -> None:
        """Record the session ``sid`` just signed in with ``key_id``, and purge the records
        that have ended."""
        now = self._clock()
        await self._repository.remove_ended(now - self.idle, now - self.lifetime)
        await self._repository.add(WebSessionRecord(_id_hash(sid), key_id, now, now))

    async def check(self, sid: str, key_id: str) -> Ended | None:
        """``None`` while the session ``sid`` of ``key_id`` is valid (its activity is
        recorded); otherwise why it ended (its record is then removed)."""
        now = self._clock()
        id_hash = _id_hash(sid)
        record = await self._repository.get(id_hash)
        if record is None or record.key_id != key_id:
            return Ended.SIGNED_OUT
        if now - record.started_at >= self.lifetime:
            await self._repository.remove(id_hash)
            return Ended.EXPIRED
        if now - record.last_seen_at >= self.idle:
            await self._repository.remove(id_hash)
            return Ended.IDLE
        if now - record.last_seen_at >= TOUCH_EVERY:
            await self._repository.touch(id_hash, now)
        return None

    async def end(self, sid: str) -> None:
        """End the session ``sid`` everywhere (sign-out, or its key is no longer active)."""
        await self._repository.remove(_id_hash(sid))
