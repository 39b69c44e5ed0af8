"""Change notifications: how running gateways hear of a key or config change at once instead of
at their next poll.

- **PostgreSQL**: every key or revision write sends ``NOTIFY`` on the store's channel inside its
  own transaction (:meth:`Database.write`), so the notice goes out exactly when the change
  commits, whichever process made it (a gateway's API, the CLI). A gateway ``LISTEN``\\ s on a
  connection of its own, reconnecting after a loss.
- **Redis** (``CONFIANCE_REDIS_URL``): every writer also publishes the change on the same
  channel name after it commits, and gateways subscribe; this serves SQLite stores shared by
  several workers, and PostgreSQL set-ups where ``LISTEN`` connections are not possible
  (e.g. behind a transaction-mode pooler).

Polling stays as the fallback: a lost notification (a listener reconnecting, Redis down) delays
a change to the next poll, never loses it, because the gateway then reloads from the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from confiance.store.engine import Database, change_channel

__all__ = ["ChangeFeed", "RedisAnnouncer", "announce_on_redis"]

log = logging.getLogger(__name__)

_RECONNECT_AFTER = 1.0


class ChangeFeed:
    """Wakes a gateway when the store announces a change. Start it in the gateway's loop."""

    def __init__(self, database: Database, redis_url: str | None = None) -> None:
        self._database = database
        self._redis_url = redis_url
        self._channel = change_channel(database.url)
        self._changed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def sources(self) -> list[str]:
        found = ["postgresql"] if self._database.dialect == "postgresql" else []
        return [*found, "redis"] if self._redis_url else found

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._database.dialect == "postgresql":
            self._tasks.append(loop.create_task(self._keep(self._listen_postgres), name="listen"))
        if self._redis_url:
            self._tasks.append(loop.create_task(self._keep(self._listen_redis), name="subscribe"))

    async def wait(self, timeout: float) -> bool:
        """Return ``True`` as soon as a change is announced, ``False`` after ``timeout``."""
        try:
            async with asyncio.timeout(timeout):
                await self._changed.wait()
        except TimeoutError:
            return False
        self._changed.clear()
        return True

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def _notice(self, *_: Any) -> None:
        self._changed.set()

    async def _keep(self, listen: Callable[[], Awaitable[None]]) -> None:
        """Run ``listen`` again after it fails, announcing a change on each reconnect (what
        happened while deaf is found by the reload that follows)."""
        while True:
            try:
                await listen()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("change notifications interrupted (%s); polling meanwhile", error)
            await asyncio.sleep(_RECONNECT_AFTER)
            self._notice()

    async def _listen_postgres(self) -> None:
        import asyncpg  # type: ignore[import-untyped]

        url = self._database.url.url.set(drivername="postgresql")
        connection = await asyncpg.connect(url.render_as_string(hide_password=False))
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _: lost.set())
        try:
            await connection.add_listener(self._channel, self._notice)
            await lost.wait()
            raise ConnectionError("the LISTEN connection was closed")
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)

    async def _listen_redis(self) -> None:
        from redis.asyncio import Redis

        assert self._redis_url is not None
        client = Redis.from_url(self._redis_url)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(self._channel)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    self._notice()
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
                await client.aclose()


class RedisAnnouncer:
    """A :attr:`Database.on_change` hook publishing each committed change on Redis; closed
    with the database."""

    def __init__(self, database: Database, redis_url: str) -> None:
        self._channel = change_channel(database.url)
        self._url = redis_url
        self._client: Any = None

    async def __call__(self, change: str) -> None:
        if self._client is None:
            from redis.asyncio import Redis

            self._client = Redis.from_url(self._url, socket_timeout=1.0, socket_connect_timeout=1.0)
        await self._client.publish(self._channel, change)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def announce_on_redis(database: Database, redis_url: str) -> RedisAnnouncer:
    """Publish every change committed through ``database`` on Redis, from now on."""
    announcer = RedisAnnouncer(database, redis_url)
    database.on_change.append(announcer)
    database.on_dispose.append(announcer.aclose)
    return announcer
