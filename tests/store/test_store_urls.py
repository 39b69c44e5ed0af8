"""Database URL normalisation and the errors for URLs Confiance cannot use."""

from __future__ import annotations

import pytest

from confiance.errors import ConfigError
from confiance.store import Store
from confiance.store.urls import parse_database_url


@pytest.mark.parametrize(
    ("given", "driver", "database"),
    [
        ("sqlite+aiosqlite:///./confiance.db", "sqlite+aiosqlite", "./confiance.db"),
        ("sqlite:///data/c.db", "sqlite+aiosqlite", "data/c.db"),
        ("sqlite:////var/lib/c.db", "sqlite+aiosqlite", "/var/lib/c.db"),
        ("./local.db", "sqlite+aiosqlite", "./local.db"),
        ("relative/dir/x.sqlite", "sqlite+aiosqlite", "relative/dir/x.sqlite"),
        ("postgresql://u@db:5433/conf", "postgresql+asyncpg", "conf"),
        ("postgres://u@db/conf", "postgresql+asyncpg", "conf"),
        ("postgresql+asyncpg://u@db/conf", "postgresql+asyncpg", "conf"),
    ],
)
def test_accepted_forms_become_async_driver_urls(given: str, driver: str, database: str) -> None:
    parsed = parse_database_url(given)
    assert parsed.url.drivername == driver
    assert parsed.url.database == database


def test_schema_parameter_is_taken_out_of_the_url() -> None:
    parsed = parse_database_url("postgresql://u:pw@db:5433/conf?schema=tenant_a&ssl=require")
    assert parsed.schema == "tenant_a"
    assert dict(parsed.url.query) == {"ssl": "require"}
    assert parsed.where == "PostgreSQL at db:5433/conf (schema tenant_a)"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("mysql://root:hunter2@db/conf", "unsupported database URL scheme 'mysql'"),
        ("https://example.com/db", "unsupported database URL scheme 'https'"),
        (
            "postgresql+psycopg2://u:hunter2@db/conf",
            "driver 'postgresql+psycopg2' is not supported",
        ),
        ("sqlite+pysqlite:///x.db", "driver 'sqlite+pysqlite' is not supported"),
        ("   ", "empty"),
        ("postgresql://u:hunter2@db/conf?schema=a;drop", "not a plain identifier"),
        ("postgresql://u@db/conf?schema=a&schema=b", "more than once"),
        ("sqlite:///x.db?mode=ro", "no query parameters"),
        ("sqlite+aiosqlite:///:memory:", "in-memory SQLite"),
        ("sqlite://", "in-memory SQLite"),
        (":memory:", "in-memory SQLite"),
        ("postgresql://u:hunter2@db:notaport/conf", "cannot parse"),
    ],
)
def test_unusable_urls_are_config_errors(given: str, message: str) -> None:
    with pytest.raises(ConfigError, match="^.*" + message.replace("+", r"\+")) as caught:
        parse_database_url(given)
    assert "hunter2" not in str(caught.value)
    assert caught.value.exit_code == 2


async def test_store_open_rejects_an_unknown_scheme() -> None:
    with pytest.raises(ConfigError, match="sqlite\\+aiosqlite:///"):
        await Store.open("mongodb://db/conf")
