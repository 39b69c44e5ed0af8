"""HTTP response splitting: request data written into a response header."""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["HEADER_INJECTION"]

HEADER_INJECTION = rules.register(
    Rule(
        id="CF-PY-HEADER-INJECTION",
        name="HTTP header injection",
        family="headers",
        cwe=113,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="A response header value comes from the request: CR/LF in it ends the "
        "header and lets the client add headers (Set-Cookie) or a whole body, where the server "
        "library does not reject them.",
        fix="Put only validated values in headers: an allowlist, urllib.parse.quote(value), or "
        "value.replace('\\r', '').replace('\\n', ''); set cookies with set_cookie().",
        owasp=("ASVS V5.1.1",),
    )
)

checks.taint(HEADER_INJECTION, [SinkKind.HEADER], {SourceKind.REMOTE: Confidence.HIGH})
