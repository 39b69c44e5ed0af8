"""Alembic environment for Confiance's store.

Confiance runs migrations itself (``confiance db upgrade`` or ``Store.open(url, migrate=True)``),
handing Alembic an open connection in ``config.attributes["connection"]``; no ``alembic.ini`` is
needed. For developers, ``alembic`` on the command line also works when ``sqlalchemy.url`` is set
(for example ``alembic -x ... revision --autogenerate`` with a config naming this directory).
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from confiance.store.engine import Database
from confiance.store.tables import metadata
from confiance.store.urls import parse_database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_fresh_engine(url: str) -> None:
    database = Database.create(parse_database_url(url))
    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await database.dispose()


def _main() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url, or run migrations with `confiance db upgrade`")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_on_fresh_engine(url))


_main()
