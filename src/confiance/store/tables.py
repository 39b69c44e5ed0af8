"""The schema, as SQLAlchemy Core tables. Migrations in ``migrations/versions`` create exactly this.

Column types are chosen to behave the same on SQLite and PostgreSQL: :class:`UTCDateTime` stores
timezone-aware UTC timestamps with microseconds (``timestamptz`` on PostgreSQL, sortable
ISO text on SQLite) and :data:`Json` stores JSON text (PostgreSQL ``json``, which keeps numbers
and key order exactly as written, so audit hashes recompute identically).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

__all__ = [
    "AUDIT_HEAD_ROW",
    "KEYS_VERSION",
    "REVISION_HEAD",
    "Json",
    "UTCDateTime",
    "api_keys",
    "audit_events",
    "audit_head",
    "config_revisions",
    "meta",
    "metadata",
    "traces",
    "web_sessions",
]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"timestamp {value.isoformat()} has no time zone")
        utc = value.astimezone(UTC)
        # SQLite keeps text without an offset; storing UTC keeps text order equal to time order.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Json = JSON(none_as_null=True)
"""JSON column type; Python ``None`` is stored as SQL NULL."""

metadata = MetaData()

KEYS_VERSION = "keys_version"
"""``meta`` row bumped by every key change (the gateway polls it to refresh its cache)."""
REVISION_HEAD = "revision_head"
"""``meta`` row holding the last config revision number handed out (never reused)."""
AUDIT_HEAD_ROW = 1
"""The single row of ``audit_head``."""

meta = Table(
    "meta",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

config_revisions = Table(
    "config_revisions",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("document", Json, nullable=False),
    Column("digest", String(), nullable=False),
    Column("author", String(), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(), primary_key=True),
    Column("name", String(), nullable=False),
    Column("prefix", String(), nullable=False, unique=True),
    Column("secret_hash", String(), nullable=False),
    Column("role", String(), nullable=False),
    Column("routes", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)

traces = Table(
    "traces",
    metadata,
    Column("id", String(), primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("endpoint", String(), nullable=False),
    Column("route", String(), nullable=False),
    Column("key_id", String(), nullable=True),
    Column("revision", Integer, nullable=True),
    Column("provider", String(), nullable=True),
    Column("model_requested", String(), nullable=True),
    Column("model_answered", String(), nullable=True),
    Column("stream", Boolean, nullable=False),
    Column("status", String(), nullable=False),
    Column("http_status", Integer, nullable=False),
    Column("error_class", String(), nullable=True),
    Column("error", Text, nullable=True),
    Column("prompt_tokens", BigInteger, nullable=False),
    Column("completion_tokens", BigInteger, nullable=False),
    Column("cost_usd", Float, nullable=True),
    Column("latency_ms", Float, nullable=False),
    Column("ttft_ms", Float, nullable=True),
    Column("fallback_used", Boolean, nullable=False),
    Column("attempts", Json, nullable=False),
    Column("request_body", Json, nullable=True),
    Column("response_body", Json, nullable=True),
    Column("metadata", Json, nullable=False),
    Index("ix_traces_route_started_at", "route", "started_at"),
    Index("ix_traces_started_at", "started_at"),
    Index("ix_traces_status_started_at", "status", "started_at"),
    Index("ix_traces_key_id", "key_id"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(), nullable=False),
    Column("action", String(), nullable=False),
    Column("subject", String(), nullable=False),
    Column("data", Json, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_events_action_seq", "action", "seq"),
    Index("ix_audit_events_subject_seq", "subject", "seq"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    # SHA-256 of the session id: a reader of the database cannot take over a session.
    Column("id_hash", String(64), primary_key=True),
    Column("key_id", String(), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Index("ix_web_sessions_last_seen_at", "last_seen_at"),
    Index("ix_web_sessions_key_id", "key_id"),
)
