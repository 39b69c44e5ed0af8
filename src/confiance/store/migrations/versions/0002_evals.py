"""Evaluation runs and their per-case results.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "eval_runs",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("suite", sa.String, nullable=False),
        sa.Column("suite_hash", sa.String(64), nullable=False),
        sa.Column("target", sa.String, nullable=False),
        sa.Column("target_kind", sa.String, nullable=False),
        sa.Column("base_url", sa.String, nullable=True),
        sa.Column("route_revision", sa.Integer, nullable=True),
        sa.Column("resolved_model", sa.String, nullable=True),
        sa.Column("seed", sa.BigInteger, nullable=True),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        _timestamp("started_at"),
        _timestamp("finished_at", nullable=True),
        sa.Column("summary", sa.JSON, nullable=True),
        sa.Column("passed_gate", sa.Boolean, nullable=True),
    )
    op.create_index("ix_eval_runs_suite_started_at", "eval_runs", ["suite", "started_at"])
    op.create_index("ix_eval_runs_target_started_at", "eval_runs", ["target", "started_at"])
    op.create_table(
        "eval_case_results",
        sa.Column(
            "run_id",
            sa.String,
            sa.ForeignKey("eval_runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("case_id", sa.String, primary_key=True),
        sa.Column("repeat", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("verdict", sa.String, nullable=False),
        _timestamp("finished_at"),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("category", sa.String, nullable=True),
        sa.Column("output", sa.Text, nullable=True),
        sa.Column("tool_calls", sa.JSON, nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=True),
        sa.Column("prompt_tokens", sa.BigInteger, nullable=False),
        sa.Column("completion_tokens", sa.BigInteger, nullable=False),
        sa.Column("cost_usd", sa.Float, nullable=True),
        sa.Column("model", sa.String, nullable=True),
        sa.Column("trace_id", sa.String, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("assertions", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("eval_case_results")
    op.drop_index("ix_eval_runs_target_started_at", table_name="eval_runs")
    op.drop_index("ix_eval_runs_suite_started_at", table_name="eval_runs")
    op.drop_table("eval_runs")
