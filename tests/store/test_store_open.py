"""Opening a store: connection failures, SQLite tuning and the PostgreSQL test schema helper."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from confiance.errors import StoreError
from confiance.store import AuditDraft, Store
from confiance.store.engine import SQLITE_BUSY_TIMEOUT_MS, Database
from confiance.store.testing import postgres_schema
from confiance.store.urls import parse_database_url

NOW = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)


async def test_unreachable_postgres_names_the_host_but_not_the_password(unused_port: int) -> None:
    port = unused_port
    url = f"postgresql://confiance:hunter2@127.0.0.1:{port}/prod"
    with pytest.raises(StoreError) as caught:
        await Store.open(url)
    message = str(caught.value)
    assert f"127.0.0.1:{port}/prod" in message
    assert "hunter2" not in message
    assert "hunter2" not in repr(caught.value.__cause__)


async def test_sqlite_in_a_missing_directory_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "c.db"
    with pytest.raises(StoreError, match=f"{target}.*directory .* does not exist"):
        await Store.open(f"sqlite:///{target}")


async def test_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    target = tmp_path / "dir.db"
    target.mkdir()
    with pytest.raises(StoreError, match=str(target)):
        await Store.open(str(target))
    await aiosqlite_threads_stopped()


async def aiosqlite_threads_stopped() -> None:
    """aiosqlite stops a connection that failed to open in the background; a thread still
    stopping when the test's loop closes would report an error of its own."""
    for _ in range(500):
        workers = [t for t in threading.enumerate() if "_connection_worker" in t.name]
        if not workers:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"aiosqlite threads still running: {workers}")


async def test_sqlite_connections_are_tuned(tmp_path: Path) -> None:
    store = await Store.open(str(tmp_path / "c.db"))
    async with store, store.database.engine.connect() as conn:
        pragmas = {
            name: (await conn.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("journal_mode", "busy_timeout", "synchronous", "foreign_keys")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
        "synchronous": 1,
        "foreign_keys": 1,
    }


async def test_sqlite_writes_take_the_write_lock_up_front(tmp_path: Path) -> None:
    async with await Store.open(str(tmp_path / "c.db")) as store:
        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.startswith("BEGIN"):
                statements.append(statement)

        event.listen(store.database.engine.sync_engine, "before_cursor_execute", record)
        await store.audit.append(AuditDraft("a", "x", "s", {}), NOW)
        await store.audit.list()
    assert statements == ["BEGIN IMMEDIATE", "BEGIN"]


async def test_sqlite_writer_waits_for_another_process_lock(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    async with await Store.open(str(path)) as store:
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            append = asyncio.create_task(store.audit.append(AuditDraft("a", "x", "s", {}), NOW))
            await asyncio.sleep(0.3)
            assert not append.done()
            other.execute("COMMIT")
            event_ = await asyncio.wait_for(append, timeout=10)
        finally:
            other.close()
        assert event_.seq == 1


async def test_sqlite_stores_utc_text_that_sorts_by_time(tmp_path: Path) -> None:
    async with await Store.open(str(tmp_path / "c.db")) as store:
        await store.audit.append(AuditDraft("a", "x", "s", {}), NOW)
        async with store.database.engine.connect() as conn:
            raw = (await conn.execute(text("SELECT at FROM audit_events"))).scalar()
    assert raw == "2026-05-01 08:30:00.000000"


@pytest.mark.postgres
async def test_postgres_schema_is_dropped_afterwards(postgres_url: str) -> None:
    async with postgres_schema(postgres_url) as url:
        schema = url.rsplit("schema=", 1)[1]
        async with await Store.open(url) as store:
            await store.audit.append(AuditDraft("a", "x", "s", {}), NOW)
            async with store.database.engine.connect() as conn:
                where = (await conn.execute(text("SELECT current_schema()"))).scalar()
            assert where == schema
    probe = Database.create(parse_database_url(postgres_url))
    try:
        async with probe.read() as conn:
            found = await conn.execute(
                text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                {"s": schema},
            )
            assert found.first() is None
    finally:
        await probe.dispose()
