"""Server-side request forgery: request data or model output choosing where the server
connects (requests, httpx, urllib, aiohttp sessions)."""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["SSRF"]

SSRF = rules.register(
    Rule(
        id="CF-PY-SSRF",
        name="Server-side request forgery",
        family="ssrf",
        cwe=918,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="An outbound HTTP request goes to a URL taken from request data or model "
        "output, so the caller can reach internal services (cloud metadata, admin ports).",
        fix="Build the URL from a fixed scheme and host and put the input only in the path or "
        "query, or check urlparse(url).hostname against an allowlist before connecting.",
        owasp=("ASVS V12.6.1", "LLM06"),
    )
)

checks.taint(
    SSRF, [SinkKind.SSRF], {SourceKind.REMOTE: Confidence.HIGH, SourceKind.LLM: Confidence.MEDIUM}
)
