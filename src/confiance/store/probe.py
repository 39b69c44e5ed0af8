"""Whether the store can be written, found out without changing anything.

``confiance serve`` asks before it applies a config or creates a key, and a running gateway asks
again every few seconds so that ``/readyz`` can say when its traces can no longer be stored. The
probe runs, for each table, an ``INSERT … SELECT`` of no rows inside a write transaction that is
rolled back: the database checks write access exactly as for a real insert (a read-only SQLite
file or ``?mode=ro`` connection, a PostgreSQL role without ``INSERT``, a read-only transaction or
hot standby), yet no row, sequence value or file page changes. It cannot foresee a disk that
fills later; the trace writer reports that when it happens.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, false, insert, select

from confiance.errors import StoreError
from confiance.store.engine import Database

__all__ = ["probe_writable"]

_ADVICE = {
    "sqlite": "make the file and its folder writable by the user running confiance, "
    "or choose another store with --database-url",
    "postgresql": "grant the role INSERT, UPDATE and DELETE on Confiance's tables (and check "
    "the server is not a read-only standby), or choose another store with --database-url",
}


async def probe_writable(database: Database, tables: Iterable[Table]) -> None:
    """Raise :class:`StoreError` naming the store, the reason and what to do when any of
    ``tables`` cannot be written; return quietly otherwise. Nothing is changed."""
    try:
        async with database.probe() as conn:
            for table in tables:
                nothing = select(*table.c).where(false())
                await conn.execute(insert(table).from_select(list(table.c.keys()), nothing))
    except StoreError as error:
        reason = error.message.split("): ", 1)[-1]
        advice = _ADVICE.get(database.dialect, "choose another store with --database-url")
        raise StoreError(f"cannot write to {database.url.where}: {reason}; {advice}") from error
