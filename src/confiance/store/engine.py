"""The connection to the database: engine set-up per backend, transactions and error translation.

Every repository goes through :meth:`Database.read` or :meth:`Database.write`, so this module is
the one place where driver exceptions become Confiance errors and where SQLite's locking is
tuned:

- each SQLite connection gets ``journal_mode=WAL``, ``busy_timeout``, ``synchronous=NORMAL`` and
  ``foreign_keys=ON``;
- write transactions on SQLite start with ``BEGIN IMMEDIATE``, so a writer waits for the write
  lock up front (honouring ``busy_timeout``) instead of failing when it upgrades a read lock;
  within one process they also queue on an ``asyncio.Lock``, which hands over at once where
  SQLite's busy handler would sleep and poll;
- PostgreSQL connections get a connect timeout and, for ``?schema=`` URLs, their ``search_path``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, NoReturn

import orjson
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from confiance.errors import ConfianceError, Conflict, StoreError
from confiance.store.urls import DatabaseURL

__all__ = ["Database", "change_channel"]

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 15_000
POSTGRES_CONNECT_TIMEOUT_S = 10.0
_WRITE_OPTION = "confiance_write"


def _json_dumps(value: object) -> str:
    return orjson.dumps(value).decode("utf-8")


class Database:
    """An async engine plus the transaction discipline every repository follows."""

    def __init__(self, url: DatabaseURL, engine: AsyncEngine) -> None:
        self.url = url
        self.engine = engine
        self._writer = engine.execution_options(**{_WRITE_OPTION: True})
        self._write_turn: AbstractAsyncContextManager[object] = (
            asyncio.Lock() if url.dialect == "sqlite" else nullcontext()
        )
        self.on_change: list[Callable[[str], Awaitable[None]]] = []
        self.on_dispose: list[Callable[[], Awaitable[None]]] = []

    @classmethod
    def create(cls, url: DatabaseURL) -> Database:
        """Build the engine (no connection is made until first use).

        Raises :class:`StoreError` when a SQLite file's directory does not exist.
        """
        if url.dialect == "sqlite":
            _require_directory(url)
            engine = create_async_engine(
                url.url, json_serializer=_json_dumps, json_deserializer=orjson.loads
            )
            _tune_sqlite(engine)
        else:
            connect_args: dict[str, Any] = {"timeout": POSTGRES_CONNECT_TIMEOUT_S}
            if url.schema:
                connect_args["server_settings"] = {"search_path": url.schema}
            engine = create_async_engine(
                url.url,
                connect_args=connect_args,
                pool_pre_ping=True,
                json_serializer=_json_dumps,
                json_deserializer=orjson.loads,
            )
        return cls(url, engine)

    @property
    def dialect(self) -> str:
        return self.url.dialect

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a read transaction, rolled back at the end."""
        try:
            async with self.engine.connect() as conn:
                yield conn
        except Exception as exc:
            self._reraise(exc)

    @asynccontextmanager
    async def write(
        self, *, conflict: str = "", change: str = ""
    ) -> AsyncIterator[AsyncConnection]:
        """A connection in a write transaction, committed when the block ends without error.

        A uniqueness violation becomes :class:`Conflict` with the ``conflict`` message. A
        ``change`` (``"keys"``, ``"config"``) is announced to running gateways: on PostgreSQL
        by ``NOTIFY`` in the same transaction (delivered exactly when it commits), and to every
        hook in :attr:`on_change` (e.g. Redis) after the commit.
        """
        try:
            async with self._write_turn, self._writer.begin() as conn:
                yield conn
                if change and self.dialect == "postgresql":
                    await conn.execute(
                        text("SELECT pg_notify(:channel, :change)"),
                        {"channel": change_channel(self.url), "change": change},
                    )
        except IntegrityError as exc:
            message = conflict or f"the change conflicts with stored data: {_reason(exc)}"
            raise Conflict(message) from exc
        except Exception as exc:
            self._reraise(exc)
        if change:
            for announce in self.on_change:
                try:
                    await announce(change)
                except Exception as error:  # committed already; gateways still poll
                    log.warning("could not announce the %s change: %s", change, error)

    @asynccontextmanager
    async def probe(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a write transaction that is always rolled back (to test access)."""
        try:
            async with self._write_turn, self._writer.connect() as conn:
                transaction = await conn.begin()
                try:
                    yield conn
                finally:
                    await transaction.rollback()
        except Exception as exc:
            self._reraise(exc)

    def _reraise(self, exc: Exception) -> NoReturn:
        translated = self.translate(exc)
        if translated is exc:
            raise exc
        raise translated from exc

    def translate(self, exc: Exception) -> Exception:
        """The Confiance error for a driver or network failure (messages never hold passwords)."""
        # Raised before reaching the driver, e.g. a bind value a column type refused.
        refused = isinstance(exc, StatementError) and not isinstance(exc, DBAPIError)
        # TypeError: orjson refusing a value (too deeply nested, not JSON at all).
        if refused and isinstance(getattr(exc, "orig", None), ValueError | TypeError):
            return ValueError(str(getattr(exc, "orig", "")))
        if isinstance(exc, ConfianceError):
            return exc
        if isinstance(exc, SQLAlchemyError | OSError) or _is_driver_error(exc):
            return StoreError(f"database error ({self.url.where}): {_reason(exc)}")
        return exc

    async def dispose(self) -> None:
        for hook in self.on_dispose:
            await hook()
        await self.engine.dispose()


def change_channel(url: DatabaseURL) -> str:
    """The channel (PostgreSQL ``NOTIFY``, Redis pub/sub) on which this store's changes are
    announced: one per database and schema, so installations sharing a server stay apart."""
    identity = f"{url.url.host}:{url.url.port}/{url.url.database}/{url.schema or ''}"
    return "confiance_changes_" + hashlib.sha256(identity.encode()).hexdigest()[:16]


def _require_directory(url: DatabaseURL) -> None:
    # Checked up front: SQLite's own "unable to open database file" does not say why.
    database = url.url.database
    if database:
        directory = Path(database).parent
        if not directory.is_dir():
            raise StoreError(
                f"cannot open {url.where}: directory {directory} does not exist; create it or "
                "choose another path"
            )


def _is_driver_error(exc: BaseException) -> bool:
    return type(exc).__module__.split(".", 1)[0] in {"asyncpg", "sqlite3", "aiosqlite"}


def _reason(exc: BaseException) -> str:
    """The driver's own message, first line only: SQLAlchemy's text would echo the parameters."""
    orig = getattr(exc, "orig", None)
    source = orig if isinstance(orig, BaseException) else exc
    text = str(source).strip().splitlines()
    return text[0] if text else type(source).__name__


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event (below) emit BEGIN itself, as SQLAlchemy documents for
        # aiosqlite, so that write transactions can ask for the write lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in (
                "PRAGMA journal_mode=WAL",
                f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
            ):
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writes = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
