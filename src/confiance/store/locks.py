"""Job locks: "run this once across every gateway process sharing the store".

PostgreSQL: a session-level advisory lock taken with ``pg_try_advisory_lock`` on a connection
held for the whole job, so it is released when the job ends or the process dies. SQLite: the
database is a file on one host, so an exclusive ``flock`` on ``<database>.<name>.lock`` next to it
serializes the processes (workers) of that host; the kernel drops it if a process dies.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text

from confiance.store.engine import Database

__all__ = ["JobLocks"]


def _key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class JobLocks:
    def __init__(self, database: Database) -> None:
        self._database = database

    @asynccontextmanager
    async def try_lock(self, name: str) -> AsyncIterator[bool]:
        """Yields True while this process holds the lock ``name``, False when another holds it
        (without waiting). Raises ``StoreError`` when the database fails."""
        if self._database.dialect == "postgresql":
            async with self._postgres(name) as held:
                yield held
        else:
            with self._file(name) as held:
                yield held

    @asynccontextmanager
    async def _postgres(self, name: str) -> AsyncIterator[bool]:
        key = _key(name)
        async with self._database.read() as conn:
            result = await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            held = bool(result.scalar())
            try:
                yield held
            finally:
                if held:
                    await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})

    def _file(self, name: str) -> _FileLock:
        database = self._database.url.url.database or "confiance.db"
        return _FileLock(Path(f"{database}.{name}.lock"))


class _FileLock:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def __enter__(self) -> bool:
        import fcntl

        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def __exit__(self, *_: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None
