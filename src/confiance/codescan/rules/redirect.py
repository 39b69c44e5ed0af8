"""Open redirect: request data choosing where the user is redirected."""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["OPEN_REDIRECT"]

OPEN_REDIRECT = rules.register(
    Rule(
        id="CF-PY-OPEN-REDIRECT",
        name="Open redirect",
        family="redirect",
        cwe=601,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="A redirect goes to a URL taken from the request (?next=...), so a link to "
        "a trusted site can send users to a phishing page.",
        fix="Redirect to url_for(...)/reverse(...) targets, to a fixed local path prefix, or "
        "check the target with url_has_allowed_host_and_scheme / a host allowlist first.",
        owasp=("ASVS V5.1.5",),
    )
)

checks.taint(
    OPEN_REDIRECT,
    [SinkKind.REDIRECT],
    {SourceKind.REMOTE: Confidence.HIGH, SourceKind.LLM: Confidence.MEDIUM},
)
