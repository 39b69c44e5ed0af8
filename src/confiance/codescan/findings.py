"""The vocabulary of the code scanner: rules, findings and the rule registry.

Every rule family module registers its rules in :data:`rules` (built-ins the same way a plugin
would). Analyzers (Python AST + data flow, JavaScript/TypeScript via tree-sitter, secrets over any
text) produce :class:`Finding` records; reporters (table, JSON, SARIF, checklist) only read them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Confidence",
    "Finding",
    "Rule",
    "RuleRegistry",
    "Severity",
    "Verification",
    "VerificationStatus",
    "rules",
]


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return ["low", "medium", "high", "critical"].index(self.value)


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class VerificationStatus(StrEnum):
    """What the vendor said about a found secret (``confiance scan --verify-secrets``)."""

    LIVE = "live"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Verification:
    status: VerificationStatus
    reason: str

    def label(self) -> str:
        """``verified live``, ``verified revoked`` or ``verification unknown: <reason>``."""
        if self.status is VerificationStatus.UNKNOWN:
            return f"verification unknown: {self.reason}"
        return f"verified {self.status.value}"


@dataclass(frozen=True, slots=True)
class Rule:
    """A check. ``id`` is stable (``CF-PY-SQLI``); ``owasp`` holds ASVS / LLM Top 10 ids."""

    id: str
    name: str
    family: str
    cwe: int
    severity: Severity
    confidence: Confidence
    description: str
    fix: str
    owasp: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("python",)


@dataclass(frozen=True, slots=True)
class Finding:
    """One hit of one rule. ``snippet`` is the offending line with any secret already masked."""

    rule_id: str
    path: str
    line: int
    column: int
    message: str
    severity: Severity
    confidence: Confidence
    end_line: int | None = None
    snippet: str = ""
    trace: tuple[str, ...] = field(default=())
    verification: Verification | None = None

    @property
    def fingerprint(self) -> str:
        """Stable across unrelated edits: rule, path and the normalised offending line."""
        basis = f"{self.rule_id}\0{self.path}\0{' '.join(self.snippet.split())}"
        return hashlib.sha256(basis.encode()).hexdigest()[:32]


class RuleRegistry:
    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def register(self, rule: Rule) -> Rule:
        if rule.id in self._rules and self._rules[rule.id] != rule:
            raise ValueError(f"rule id {rule.id} registered twice with different definitions")
        self._rules[rule.id] = rule
        return rule

    def get(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def all(self) -> list[Rule]:
        return sorted(self._rules.values(), key=lambda r: r.id)


rules = RuleRegistry()
