"""Database URLs: which backends Confiance speaks, and how a URL someone typed becomes one.

Accepted forms (anything else is a :class:`~confiance.errors.ConfigError`):

- SQLite via aiosqlite: ``sqlite+aiosqlite:///path.db``, ``sqlite:///path.db`` or a bare path;
- PostgreSQL via asyncpg: ``postgresql+asyncpg://user@host:port/db``, ``postgresql://…`` or
  ``postgres://…``.

A PostgreSQL URL may carry ``?schema=NAME`` to keep Confiance's tables in that schema (it becomes
the connection's ``search_path`` and is created by migrations when missing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from confiance.errors import ConfigError

__all__ = ["DatabaseURL", "parse_database_url"]

_SQLITE_DRIVER = "sqlite+aiosqlite"
_POSTGRES_DRIVER = "postgresql+asyncpg"
_SQLITE_ALIASES = frozenset({"sqlite", "sqlite+aiosqlite"})
_POSTGRES_ALIASES = frozenset({"postgresql", "postgres", "postgresql+asyncpg"})
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_EXAMPLES = "sqlite+aiosqlite:///./confiance.db or postgresql+asyncpg://user@host:5432/dbname"


@dataclass(frozen=True, slots=True)
class DatabaseURL:
    """A validated URL: the SQLAlchemy URL to connect with plus what messages may show."""

    url: URL
    schema: str | None = None

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.url.get_backend_name()

    @property
    def missing_file(self) -> bool:
        """Whether this is a SQLite file that does not exist yet (opening would create it)."""
        if self.dialect != "sqlite" or not self.url.database:
            return False
        return not Path(str(self.url.database)).exists()

    @property
    def where(self) -> str:
        """Where the database is, safe to print: host, port and name or file; never a password."""
        if self.dialect == "sqlite":
            return f"SQLite file {self.url.database}"
        host = self.url.host or "localhost"
        port = self.url.port or 5432
        schema = f" (schema {self.schema})" if self.schema else ""
        return f"PostgreSQL at {host}:{port}/{self.url.database or ''}{schema}"


def parse_database_url(raw: str) -> DatabaseURL:
    """Normalise ``raw`` to an async driver URL.

    Raises :class:`ConfigError` naming the problem (never echoing a password) for an empty
    string, an unparseable URL, an unknown scheme or driver, or a bad ``schema`` parameter.
    """
    text = raw.strip()
    if not text:
        raise ConfigError(f"the database URL is empty; use {_EXAMPLES}")
    if "://" not in text:
        return _sqlite(URL.create(_SQLITE_DRIVER, database=text))
    scheme = text.split("://", 1)[0].lower()
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(
            f"cannot parse the database URL (scheme {scheme!r}); use {_EXAMPLES}"
        ) from exc
    if scheme in _SQLITE_ALIASES:
        return _sqlite(url)
    if scheme in _POSTGRES_ALIASES:
        return _postgres(url)
    if scheme.startswith(("postgresql+", "postgres+", "sqlite+")):
        raise ConfigError(
            f"database driver {scheme!r} is not supported: Confiance is async and uses "
            f"aiosqlite or asyncpg; use {_EXAMPLES}"
        )
    raise ConfigError(f"unsupported database URL scheme {scheme!r}; use {_EXAMPLES}")


def _sqlite(url: URL) -> DatabaseURL:
    if not url.database or ":memory:" in url.database:
        # Each pooled connection would see its own empty database, and concurrent tasks would
        # share one connection's transaction.
        raise ConfigError(
            "an in-memory SQLite database cannot back the store; use a file, "
            "e.g. sqlite+aiosqlite:///./confiance.db (in tests, a file in a temporary directory)"
        )
    if url.query:
        names = ", ".join(sorted(url.query))
        raise ConfigError(f"SQLite database URLs take no query parameters, got: {names}")
    return DatabaseURL(url.set(drivername=_SQLITE_DRIVER))


def _postgres(url: URL) -> DatabaseURL:
    query = dict(url.query)
    schema = query.pop("schema", None)
    if isinstance(schema, tuple):
        raise ConfigError("the database URL names ?schema= more than once")
    if schema is not None and not _IDENTIFIER.match(schema):
        raise ConfigError(
            f"schema {schema!r} in the database URL is not a plain identifier "
            "(letters, digits and underscores, at most 63, not starting with a digit)"
        )
    return DatabaseURL(url.set(drivername=_POSTGRES_DRIVER, query=query), schema=schema)
