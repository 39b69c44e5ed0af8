"""Opening, migrating and closing the store on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from confiance.errors import StoreError
from confiance.store import Store
from confiance.store.engine import Database
from confiance.store.migrate import head_revision, schema_state, upgrade
from confiance.store.tables import metadata
from confiance.store.urls import parse_database_url

from .support import at


async def test_dialect_names_the_backend(store: Store, store_url: str) -> None:
    assert store.dialect == ("sqlite" if store_url.startswith("sqlite") else "postgresql")


async def test_upgrade_twice_is_a_no_op(store_url: str) -> None:
    database = Database.create(parse_database_url(store_url))
    try:
        first = await upgrade(database)
        second = await upgrade(database)
        assert first.current == second.current == head_revision()
        assert (await schema_state(database)).up_to_date
    finally:
        await database.dispose()
    async with await Store.open(store_url) as store:
        assert await store.revisions.latest_number() == 0
    async with await Store.open(store_url, migrate=False) as store:
        assert await store.keys.version() == "0"


async def test_unmigrated_database_refused_without_migrate(store_url: str) -> None:
    with pytest.raises(StoreError, match="confiance db upgrade"):
        await Store.open(store_url, migrate=False)


async def test_migrations_create_exactly_the_tables_the_code_uses(store: Store) -> None:
    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with store.database.engine.connect() as conn:
        diff = await conn.run_sync(differences)
    assert diff == []


async def test_data_survives_reopening(store_url: str) -> None:
    async with await Store.open(store_url) as store:
        await store.revisions.add({"kept": True}, "d", "a", "m", at(0))
    async with await Store.open(store_url) as store:
        assert (await store.revisions.get(1)).document == {"kept": True}
