"""Mass assignment: request data copied wholesale into a model or object, so clients can set
fields they should not (is_admin, owner_id, balance)."""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["MASS_ASSIGNMENT"]

MASS_ASSIGNMENT = rules.register(
    Rule(
        id="CF-PY-MASS-ASSIGNMENT",
        name="Mass assignment",
        family="mass_assignment",
        cwe=915,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        description="Request data is unpacked into a model constructor or update "
        "(Model(**request.json), obj.__dict__.update(data), setattr with client-chosen names, "
        "a pydantic body model that allows extra fields), so a client can set any attribute.",
        fix="Copy the allowed fields explicitly, or validate with a pydantic model that lists "
        "them and forbids the rest (model_config = ConfigDict(extra='forbid')).",
        owasp=("ASVS V5.1.2",),
    )
)

checks.taint(
    MASS_ASSIGNMENT,
    [SinkKind.MASS_ASSIGN],
    {SourceKind.REMOTE: Confidence.MEDIUM, SourceKind.LLM: Confidence.MEDIUM},
)
