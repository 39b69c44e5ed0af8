"""The schema of an eval suite file (YAML), as written by people.

Every model forbids unknown keys. A suite has defaults, inline cases and datasets (JSONL or CSV
files whose rows become cases). Assertions stay plain mappings here (``kind`` plus the kind's own
keys): their parameters are checked by the assertion registry when the suite is expanded, so a
plugin's kinds are as strict as the built-in ones. YAML ``assert:`` keys are ``assertions`` in
Python (``assert`` is a keyword).

    name: support-basics
    defaults:
      system: You are the support bot of Example Corp.
      params: {temperature: 0}
      assert:
        - {kind: latency, max_ms: 5000}
    cases:
      - id: refund-window
        input: How many days do I have to return an item?
        assert:
          - {kind: regex, pattern: '\\b30 days\\b'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "CASE_ID_PATTERN",
    "AttackPolicy",
    "CaseSpec",
    "DatasetSpec",
    "Defaults",
    "GateSpec",
    "MessageSpec",
    "SuiteSpec",
]

CASE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$"
SUITE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
MAX_REPEATS = 100

Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w.:/-]*$")]
AssertionList = list[dict[str, Any]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class MessageSpec(_Strict):
    """One chat message in the OpenAI shape. ``tool`` messages answer an assistant tool call
    (``tool_call_id``) and are how a probe plants text in a tool's output."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _has_content(self) -> MessageSpec:
        if self.content is None and not self.tool_calls:
            raise ValueError(f"a {self.role} message needs content (or tool_calls)")
        if self.role == "tool" and not self.tool_call_id:
            raise ValueError("a tool message needs tool_call_id (the id of the call it answers)")
        return self


def _check_assertions(value: AssertionList) -> AssertionList:
    for index, spec in enumerate(value):
        kind = spec.get("kind")
        if not isinstance(kind, str) or not kind:
            raise ValueError(f"assertion {index + 1} needs `kind:` (e.g. contains, regex, judge)")
    return value


class Defaults(_Strict):
    """Applied to every case; a case's own value wins (``params`` and ``tags`` are merged,
    assertions are added to the case's own unless it sets ``default_assertions: false``)."""

    system: str | None = None
    template: str | None = Field(
        default=None, description="User message template with {{ variables }} from each case"
    )
    params: dict[str, Any] = Field(default_factory=dict)
    tools: list[dict[str, Any]] = Field(default_factory=list)
    repeats: int = Field(default=1, ge=1, le=MAX_REPEATS)
    tags: tuple[Tag, ...] = ()
    assertions: AssertionList = Field(default_factory=list, alias="assert")

    _assertions_have_kinds = field_validator("assertions")(_check_assertions)


class CaseSpec(_Strict):
    """One case: exactly one of ``input`` (a user message), ``messages`` (a whole conversation)
    or ``vars`` (rendered into the suite's ``defaults.template``)."""

    id: str | None = Field(default=None, pattern=CASE_ID_PATTERN)
    description: str = ""
    input: str | None = None
    messages: list[MessageSpec] | None = None
    vars: dict[str, Any] = Field(default_factory=dict)
    system: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    tools: list[dict[str, Any]] | None = None
    tags: tuple[Tag, ...] = ()
    category: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    repeats: int | None = Field(default=None, ge=1, le=MAX_REPEATS)
    assertions: AssertionList = Field(default_factory=list, alias="assert")
    default_assertions: bool = True

    _assertions_have_kinds = field_validator("assertions")(_check_assertions)

    @model_validator(mode="after")
    def _one_input(self) -> CaseSpec:
        given = [self.input is not None, self.messages is not None]
        if sum(given) > 1:
            raise ValueError("give either input or messages, not both")
        if self.messages is not None and not self.messages:
            raise ValueError("messages must not be empty")
        return self


class DatasetSpec(_Strict):
    """Rows of a JSONL or CSV file (path relative to the suite file) as cases. Each row's
    fields are the case's ``vars``; ``input_field`` names the field holding the user message
    (else ``defaults.template`` is rendered). Assertions may use ``{{ field }}``."""

    path: str = Field(min_length=1)
    format: Literal["jsonl", "csv"] | None = None
    id_field: str | None = None
    input_field: str | None = None
    tags: tuple[Tag, ...] = ()
    category: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    assertions: AssertionList = Field(default_factory=list, alias="assert")
    limit: int | None = Field(default=None, ge=1)

    _assertions_have_kinds = field_validator("assertions")(_check_assertions)


CATEGORY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
Category = Annotated[str, Field(pattern=CATEGORY_PATTERN)]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]


class AttackPolicy(_Strict):
    """How much attack success a probe run may show, per category: a category fails the gate
    when its failed probe repeats over its judged ones exceed ``categories[name]`` (else
    ``max_rate``). The default allows none. Checked on every probe run, baseline or not."""

    max_rate: Rate = 0.0
    categories: dict[Category, Rate] = Field(default_factory=dict)

    def allowed(self, category: str) -> float:
        """The attack success rate ``category`` may reach without failing."""
        return self.categories.get(category, self.max_rate)

    def with_limits(self, limits: Mapping[str, float]) -> AttackPolicy:
        """This policy with ``limits`` (category → rate; ``*`` sets ``max_rate``) on top."""
        categories = {**self.categories, **{k: v for k, v in limits.items() if k != "*"}}
        return AttackPolicy(max_rate=limits.get("*", self.max_rate), categories=categories)


class GateSpec(_Strict):
    """When a run fails its gate against a baseline.

    A regression must be both material (the pass rate dropped by more than ``tolerance``) and
    credible (a one-sided test at ``1 - confidence`` rejects "no drop", counting repeats of one
    case as correlated), so one noisy case does not fail the build. ``min_pass_rate`` is an
    absolute floor, checked with or without a baseline.
    """

    tolerance: float = Field(default=0.05, ge=0.0, le=1.0)
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0)
    min_pass_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    max_error_rate: float = Field(default=0.2, ge=0.0, le=1.0)
    attacks: AttackPolicy | None = None
    """Attack success limits; probe packs always set them (default: no successful attack)."""


class SuiteSpec(_Strict):
    """A whole suite file."""

    version: Literal[1] = 1
    name: str = Field(pattern=SUITE_NAME_PATTERN)
    description: str = ""
    defaults: Defaults = Field(default_factory=Defaults)
    cases: list[CaseSpec] = Field(default_factory=list)
    datasets: list[DatasetSpec] = Field(default_factory=list)
    gate: GateSpec = Field(default_factory=GateSpec)
    strategies: list[str] = Field(default_factory=list)
    """Strategies (:mod:`confiance.evals.strategies`) that add a rewritten copy of each case."""

    @model_validator(mode="after")
    def _has_cases(self) -> SuiteSpec:
        if not self.cases and not self.datasets:
            raise ValueError("a suite needs `cases:` or `datasets:` (or both)")
        return self
