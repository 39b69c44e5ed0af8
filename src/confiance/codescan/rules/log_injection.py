"""Log injection: request data written to a log unescaped, so a client can forge log lines."""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["LOG_INJECTION"]

LOG_INJECTION = rules.register(
    Rule(
        id="CF-PY-LOG-INJECTION",
        name="Log injection",
        family="log_injection",
        cwe=117,
        severity=Severity.LOW,
        confidence=Confidence.MEDIUM,
        description="Request data is written to a log as it came: a value holding a newline "
        "forges whole log entries (a fake 'login succeeded' line) and can break log parsers.",
        fix="Log values with %r / repr(), strip line breaks (value.replace('\\n', '\\\\n')), or "
        "use structured logging (JSON fields) so a value can never start a new entry.",
        owasp=("ASVS V7.3.1",),
    )
)

checks.taint(LOG_INJECTION, [SinkKind.LOG], {SourceKind.REMOTE: Confidence.MEDIUM})
