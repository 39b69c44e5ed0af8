"""Evaluation runs: a suite run against one target, and the result of every case repeat.

The evals service decides ids, timestamps, verdicts and summaries; the store keeps these records
as they are given. A run is resumable: the case results already stored say which (case, repeat)
pairs are done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from confiance.domain.types import JSONObject

__all__ = [
    "AssertionOutcome",
    "CaseResult",
    "EvalRun",
    "RunStatus",
    "RunSummary",
    "TargetKind",
    "ToolCallRecord",
    "Verdict",
]


class RunStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"


class TargetKind(StrEnum):
    """What a run called: a gateway route, a ``provider/model`` through the gateway, or a model
    at any OpenAI-compatible URL."""

    ROUTE = "route"
    MODEL = "model"
    URL = "url"


class Verdict(StrEnum):
    """One case repeat: every assertion passed, one failed, or nothing could be judged (the
    target errored or an assertion could not be evaluated and none failed)."""

    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FAIL = "fail"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class AssertionOutcome:
    """One assertion on one output. ``error`` is set when the check itself could not be made
    (a judge that kept answering garbage); then ``passed`` is False and says nothing."""

    kind: str
    passed: bool
    score: float | None = None
    reason: str = ""
    name: str | None = None
    error: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "kind": self.kind,
            "passed": self.passed,
            "score": self.score,
            "reason": self.reason,
            "name": self.name,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: JSONObject) -> AssertionOutcome:
        return cls(
            kind=str(data["kind"]),
            passed=bool(data["passed"]),
            score=None if data.get("score") is None else float(data["score"]),
            reason=str(data.get("reason") or ""),
            name=data.get("name"),
            error=data.get("error"),
        )


@dataclass(frozen=True, slots=True)
class ToolCallRecord:
    """A tool call in an answer; ``arguments`` is the JSON text exactly as the model wrote it."""

    name: str
    arguments: str
    id: str = ""

    def to_json(self) -> JSONObject:
        return {"id": self.id, "name": self.name, "arguments": self.arguments}

    @classmethod
    def from_json(cls, data: JSONObject) -> ToolCallRecord:
        return cls(str(data["name"]), str(data.get("arguments") or ""), str(data.get("id") or ""))


@dataclass(frozen=True, slots=True)
class CaseResult:
    """One repeat of one case. ``error`` is a target failure (timeout, HTTP error), distinct
    from an assertion failing; ``repeat`` counts from 0."""

    run_id: str
    case_id: str
    repeat: int
    verdict: Verdict
    finished_at: datetime
    tags: tuple[str, ...] = ()
    category: str | None = None
    output: str | None = None
    tool_calls: tuple[ToolCallRecord, ...] = ()
    latency_ms: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    model: str | None = None
    trace_id: str | None = None
    error: str | None = None
    assertions: tuple[AssertionOutcome, ...] = ()

    @property
    def key(self) -> tuple[str, int]:
        return (self.case_id, self.repeat)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Counts over every case repeat of a run, and what it cost."""

    cases: int = 0
    trials: int = 0
    passed: int = 0
    failed: int = 0
    errored: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    duration_s: float = 0.0

    @property
    def pass_rate(self) -> float:
        """Passed over judged trials (errors excluded: they say nothing about behaviour)."""
        judged = self.passed + self.failed
        return self.passed / judged if judged else 0.0

    def to_json(self) -> JSONObject:
        return {
            "cases": self.cases,
            "trials": self.trials,
            "passed": self.passed,
            "failed": self.failed,
            "errored": self.errored,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": self.cost_usd,
            "duration_s": self.duration_s,
        }

    @classmethod
    def from_json(cls, data: JSONObject) -> RunSummary:
        cost = data.get("cost_usd")
        return cls(
            cases=int(data.get("cases", 0)),
            trials=int(data.get("trials", 0)),
            passed=int(data.get("passed", 0)),
            failed=int(data.get("failed", 0)),
            errored=int(data.get("errored", 0)),
            prompt_tokens=int(data.get("prompt_tokens", 0)),
            completion_tokens=int(data.get("completion_tokens", 0)),
            cost_usd=None if cost is None else float(cost),
            duration_s=float(data.get("duration_s", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class EvalRun:
    """A suite run against one target.

    ``suite_hash`` names the exact suite content (file, datasets, probe files); ``target`` is
    what was asked for (route name, ``provider/model``, or a model at ``base_url``), while
    ``route_revision`` and ``resolved_model`` record what answered. ``params`` holds the run's
    settings (repeats, concurrency, sampling parameters, judge prompt versions, canary).
    """

    id: str
    suite: str
    suite_hash: str
    target: str
    target_kind: TargetKind
    started_at: datetime
    status: RunStatus = RunStatus.RUNNING
    base_url: str | None = None
    route_revision: int | None = None
    resolved_model: str | None = None
    seed: int | None = None
    params: JSONObject = field(default_factory=dict)
    finished_at: datetime | None = None
    summary: RunSummary | None = None
    passed_gate: bool | None = None
