"""Tables of evaluation runs, on the store's one ``metadata`` (migration ``0002_evals``).

A run row carries what identifies the run (suite and its version hash, target, revision, model,
parameters, seed) and its state; one row per (run, case, repeat) carries the answer, usage and
every assertion outcome (JSON). Case rows reference their run and go when it is deleted.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from confiance.store.tables import Json, UTCDateTime, metadata

__all__ = ["eval_case_results", "eval_runs"]

eval_runs = Table(
    "eval_runs",
    metadata,
    Column("id", String(), primary_key=True),
    Column("suite", String(), nullable=False),
    Column("suite_hash", String(64), nullable=False),
    Column("target", String(), nullable=False),
    Column("target_kind", String(), nullable=False),
    Column("base_url", String(), nullable=True),
    Column("route_revision", Integer, nullable=True),
    Column("resolved_model", String(), nullable=True),
    Column("seed", BigInteger, nullable=True),
    Column("params", Json, nullable=False),
    Column("status", String(), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("summary", Json, nullable=True),
    Column("passed_gate", Boolean, nullable=True),
    Index("ix_eval_runs_suite_started_at", "suite", "started_at"),
    Index("ix_eval_runs_target_started_at", "target", "started_at"),
)

eval_case_results = Table(
    "eval_case_results",
    metadata,
    Column(
        "run_id",
        String(),
        ForeignKey("eval_runs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("case_id", String(), primary_key=True),
    Column("repeat", Integer, primary_key=True, autoincrement=False),
    Column("verdict", String(), nullable=False),
    Column("finished_at", UTCDateTime, nullable=False),
    Column("tags", Json, nullable=False),
    Column("category", String(), nullable=True),
    Column("output", Text, nullable=True),
    Column("tool_calls", Json, nullable=False),
    Column("latency_ms", Float, nullable=True),
    Column("prompt_tokens", BigInteger, nullable=False),
    Column("completion_tokens", BigInteger, nullable=False),
    Column("cost_usd", Float, nullable=True),
    Column("model", String(), nullable=True),
    Column("trace_id", String(), nullable=True),
    Column("error", Text, nullable=True),
    Column("assertions", Json, nullable=False),
)
