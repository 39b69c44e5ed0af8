"""The store: one object giving every repository over one database.

    store = await Store.open("sqlite+aiosqlite:///./confiance.db")
    revision = await store.revisions.latest()
    await store.close()

The store writes what it is given: ids, timestamps and state transitions are decided by the
services above it. Every method raises :class:`~confiance.errors.StoreError` when the database
fails, and the documented domain errors (``NotFound``, ``Conflict``) otherwise.
"""

from __future__ import annotations

from types import TracebackType

from confiance.errors import StoreError
from confiance.store.audit import AuditRepository
from confiance.store.engine import Database
from confiance.store.evals import EvalRunRepository
from confiance.store.keys import KeyRepository
from confiance.store.locks import JobLocks
from confiance.store.migrate import check_current, upgrade
from confiance.store.probe import probe_writable
from confiance.store.revisions import RevisionRepository
from confiance.store.sessions import WebSessionRepository
from confiance.store.tables import metadata
from confiance.store.tables import traces as traces_table
from confiance.store.traces import TraceRepository
from confiance.store.urls import parse_database_url

__all__ = ["Store"]


class Store:
    """Repositories over one database: ``revisions``, ``keys``, ``traces``, ``audit``,
    ``evals``, ``web_sessions``; and ``locks`` for jobs that must run once across processes."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.revisions = RevisionRepository(database)
        self.keys = KeyRepository(database)
        self.traces = TraceRepository(database)
        self.audit = AuditRepository(database)
        self.evals = EvalRunRepository(database)
        self.locks = JobLocks(database)
        self.web_sessions = WebSessionRepository(database)

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Connect to ``url`` and make sure the schema is current.

        ``url`` may be any form :func:`~confiance.store.urls.parse_database_url` accepts. With
        ``migrate`` the schema is upgraded to the shipped head; without it, a schema that is
        not current is a :class:`StoreError` saying to run ``confiance db upgrade``. Raises
        :class:`~confiance.errors.ConfigError` for a bad URL and :class:`StoreError` naming the
        host (never the password) when the database cannot be reached.
        """
        database = Database.create(parse_database_url(url))
        try:
            if migrate:
                await upgrade(database)
            else:
                await check_current(database)
        except StoreError as error:
            await database.dispose()
            raise _explained(database, error) from error
        except BaseException:
            await database.dispose()
            raise
        return cls(database)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.database.dialect

    @property
    def where(self) -> str:
        """Where the data lives, safe to print (no password)."""
        return self.database.url.where

    async def check_writable(self, *, traces_only: bool = False) -> None:
        """Raise :class:`StoreError` saying why and what to do when the store cannot be written
        (every table, or only the traces table a running gateway writes); change nothing."""
        tables = [traces_table] if traces_only else metadata.sorted_tables
        await probe_writable(self.database, tables)

    async def close(self) -> None:
        """Close every pooled connection. The store is unusable afterwards."""
        await self.database.dispose()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


# SQLite's own words for the usual mistakes, and what to do about each.
_SQLITE_PROBLEMS = {
    "file is not a database": "is not a SQLite database; point --database-url at the store",
    "unable to open database file": (
        "cannot be opened; check the file and its folder exist and are readable and writable "
        "by this user"
    ),
    "attempt to write a readonly database": (
        "is read-only; make the file and its folder writable by this user, or choose another "
        "store with --database-url"
    ),
}


def _explained(database: Database, error: StoreError) -> StoreError:
    """``error`` reworded when SQLite's message is one of the usual mistakes."""
    if database.dialect != "sqlite":
        return error
    for words, advice in _SQLITE_PROBLEMS.items():
        if words in error.message:
            return StoreError(f"{database.url.where} {advice} ({words})")
    return error
