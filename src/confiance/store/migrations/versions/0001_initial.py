"""Initial schema: config revisions, API keys, traces, the audit chain and its head.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    meta = op.create_table(
        "meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(
        meta, [{"name": "keys_version", "value": 0}, {"name": "revision_head", "value": 0}]
    )
    op.create_table(
        "config_revisions",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("digest", sa.String, nullable=False),
        sa.Column("author", sa.String, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        _timestamp("created_at"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("prefix", sa.String, nullable=False, unique=True),
        sa.Column("secret_hash", sa.String, nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("routes", sa.JSON, nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at", nullable=True),
        _timestamp("revoked_at", nullable=True),
    )
    _create_traces()
    _create_audit()


def _create_traces() -> None:
    op.create_table(
        "traces",
        sa.Column("id", sa.String, primary_key=True),
        _timestamp("started_at"),
        sa.Column("endpoint", sa.String, nullable=False),
        sa.Column("route", sa.String, nullable=False),
        sa.Column("key_id", sa.String, nullable=True),
        sa.Column("revision", sa.Integer, nullable=True),
        sa.Column("provider", sa.String, nullable=True),
        sa.Column("model_requested", sa.String, nullable=True),
        sa.Column("model_answered", sa.String, nullable=True),
        sa.Column("stream", sa.Boolean, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("http_status", sa.Integer, nullable=False),
        sa.Column("error_class", sa.String, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("prompt_tokens", sa.BigInteger, nullable=False),
        sa.Column("completion_tokens", sa.BigInteger, nullable=False),
        sa.Column("cost_usd", sa.Float, nullable=True),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("ttft_ms", sa.Float, nullable=True),
        sa.Column("fallback_used", sa.Boolean, nullable=False),
        sa.Column("attempts", sa.JSON, nullable=False),
        sa.Column("request_body", sa.JSON, nullable=True),
        sa.Column("response_body", sa.JSON, nullable=True),
        sa.Column("metadata", sa.JSON, nullable=False),
    )
    op.create_index("ix_traces_route_started_at", "traces", ["route", "started_at"])
    op.create_index("ix_traces_started_at", "traces", ["started_at"])
    op.create_index("ix_traces_status_started_at", "traces", ["status", "started_at"])
    op.create_index("ix_traces_key_id", "traces", ["key_id"])


def _create_audit() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        _timestamp("at"),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("action", sa.String, nullable=False),
        sa.Column("subject", sa.String, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_events_action_seq", "audit_events", ["action", "seq"])
    op.create_index("ix_audit_events_subject_seq", "audit_events", ["subject", "seq"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])


def downgrade() -> None:
    for index, table in (
        ("ix_audit_events_subject_seq", "audit_events"),
        ("ix_audit_events_action_seq", "audit_events"),
        ("ix_traces_key_id", "traces"),
        ("ix_traces_status_started_at", "traces"),
        ("ix_traces_started_at", "traces"),
        ("ix_traces_route_started_at", "traces"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("audit_head", "audit_events", "traces", "api_keys", "config_revisions", "meta"):
        op.drop_table(table)
