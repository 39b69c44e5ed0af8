"""Schema migrations, run programmatically with the Alembic scripts shipped in ``migrations/``.

No ``alembic.ini`` is read: the script location is this package, and Alembic runs on a
connection of the store's own async engine (through ``run_sync``), so the same code migrates
SQLite and PostgreSQL. Upgrades hold the write lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL
advisory lock), so replicas starting together migrate once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.engine import Connection

from confiance.errors import StoreError
from confiance.store.engine import Database
from confiance.store.urls import parse_database_url

__all__ = [
    "SchemaState",
    "check_current",
    "head_revision",
    "schema_state",
    "state_of_url",
    "upgrade",
    "upgrade_url",
]

SCRIPT_LOCATION = Path(__file__).with_name("migrations")
# Arbitrary constant shared by every Confiance process: "confiance migrate" as an int64.
_MIGRATION_LOCK = 0x636F6E666D696772


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database's schema is compared with what this version of Confiance needs."""

    current: str | None
    head: str
    where: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration this version of Confiance ships."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise StoreError("no migrations found in the installed package")
    return head


async def upgrade(database: Database, revision: str = "head") -> SchemaState:
    """Bring the schema to ``revision`` (idempotent). Raises :class:`StoreError` on failure."""
    async with database.write() as conn:
        if database.dialect == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            if database.url.schema:
                schema = conn.dialect.identifier_preparer.quote_identifier(database.url.schema)
                await conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        try:
            await conn.run_sync(_upgrade_sync, revision)
        except CommandError as exc:
            raise StoreError(f"cannot migrate {database.url.where}: {exc}") from exc
    return await schema_state(database)


def _upgrade_sync(connection: Connection, revision: str) -> None:
    command.upgrade(_config(connection), revision)


async def schema_state(database: Database) -> SchemaState:
    """The database's current revision (``None`` when never migrated) and the shipped head.

    A SQLite file that does not exist is reported as never migrated, and not created.
    """
    if database.url.missing_file:
        return SchemaState(current=None, head=head_revision(), where=database.url.where)
    async with database.read() as conn:
        current = await conn.run_sync(_current_sync)
    return SchemaState(current=current, head=head_revision(), where=database.url.where)


async def upgrade_url(url: str) -> tuple[SchemaState, SchemaState]:
    """Migrate the database at ``url`` to the shipped head; the states before and after.

    Raises :class:`~confiance.errors.ConfigError` for a bad URL, :class:`StoreError` otherwise.
    """
    database = Database.create(parse_database_url(url))
    try:
        before = await schema_state(database)
        return before, await upgrade(database)
    finally:
        await database.dispose()


async def state_of_url(url: str) -> SchemaState:
    """The schema state of the database at ``url``, changing nothing."""
    database = Database.create(parse_database_url(url))
    try:
        return await schema_state(database)
    finally:
        await database.dispose()


def _current_sync(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def check_current(database: Database) -> None:
    """Raise :class:`StoreError` telling what to run when the schema is not at the shipped head."""
    state = await schema_state(database)
    if state.up_to_date:
        return
    if database.url.missing_file:
        raise StoreError(
            f"no Confiance store here: {database.url.where} does not exist. Run this in the "
            "folder where the store is, point --database-url or CONFIANCE_DATABASE_URL at it, "
            "or create one with `confiance db upgrade` (or `confiance apply`)"
        )
    if state.current is None:
        found = "has no Confiance tables"
    else:
        found = f"is at schema revision {state.current}"
    raise StoreError(
        f"{database.url.where} {found}; this version of Confiance needs revision {state.head}: "
        "run `confiance db upgrade`"
    )
