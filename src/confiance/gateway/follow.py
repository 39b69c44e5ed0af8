"""Following the store: a running gateway keeps its config snapshot and key cache in step with
the store, and notices when the store can no longer be written.

The follower reloads what changed as soon as the store announces a key or config change
(PostgreSQL ``LISTEN/NOTIFY``, Redis pub/sub: :mod:`confiance.store.notify`), and in any case
every ``poll_interval``, asking the store for the newest revision number and key-set version (two
indexed single-row reads): polling is the fallback when a notification is lost. Every
``probe_interval`` it probes whether traces can still be written (:meth:`Store.check_writable`,
which changes nothing); while they cannot, :attr:`StoreFollower.problem` holds the reason
and ``/readyz`` reports it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from confiance.errors import StoreError

__all__ = ["Changes", "StoreFollower", "WritableStore"]

log = logging.getLogger(__name__)


class WritableStore(Protocol):
    async def check_writable(self, *, traces_only: bool = False) -> None: ...


class Changes(Protocol):
    """Announced changes (:class:`confiance.store.notify.ChangeFeed`)."""

    def start(self) -> None: ...
    async def wait(self, timeout: float) -> bool: ...
    async def close(self) -> None: ...


class StoreFollower:
    """Runs ``refresh`` every ``poll_interval`` s and the write probe every ``probe_interval`` s."""

    def __init__(
        self,
        store: WritableStore,
        refresh: Callable[[], Awaitable[None]],
        *,
        poll_interval: float = 1.0,
        probe_interval: float = 5.0,
        changes: Changes | None = None,
    ) -> None:
        self._store = store
        self._changes = changes
        self._refresh = refresh
        self._poll_interval = poll_interval
        self._probe_interval = probe_interval
        self._next_probe = 0.0
        self.problem: str | None = None

    async def run(self) -> None:
        """Follow until cancelled; a failed refresh or probe is logged, never raised."""
        if self._changes is not None:
            self._changes.start()
        try:
            await self._follow()
        finally:
            if self._changes is not None:
                await self._changes.close()

    async def _follow(self) -> None:
        while True:
            if self._changes is not None:
                await self._changes.wait(self._poll_interval)
            else:
                await asyncio.sleep(self._poll_interval)
            try:
                await self._refresh()
            except Exception as error:  # a bad poll must never take the data plane down
                log.warning("config/key refresh failed: %s", error)
            if time.monotonic() >= self._next_probe:
                await self.probe()

    async def probe(self) -> None:
        """Check traces can be written; set or clear :attr:`problem` (and log the change)."""
        self._next_probe = time.monotonic() + self._probe_interval
        try:
            await self._store.check_writable(traces_only=True)
        except StoreError as error:
            if self.problem != error.message:
                log.error("store not writable, /readyz reports not ready: %s", error.message)
            self.problem = error.message
            return
        except Exception as error:  # the probe itself failed (e.g. connection lost): say so
            self.problem = f"cannot check the store: {error}"
            log.error("%s", self.problem)
            return
        if self.problem is not None:
            log.warning("store writable again, /readyz reports ready")
        self.problem = None
