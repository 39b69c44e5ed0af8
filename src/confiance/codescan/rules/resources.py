"""Resource exhaustion: outbound requests that can wait forever, and sizes, counts and delays
chosen by the client without a bound."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["NO_TIMEOUT", "UNBOUNDED_SIZE"]

NO_TIMEOUT = rules.register(
    Rule(
        id="CF-PY-REQUEST-NO-TIMEOUT",
        name="Outbound request without timeout",
        family="resources",
        cwe=400,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="requests and urllib wait forever by default: one slow or silent server "
        "holds the worker (and its memory) until the whole service stops answering.",
        fix="Pass timeout= on every call (requests.get(url, timeout=10), urlopen(url, "
        "timeout=10)), or use a Session/httpx client built with a default timeout.",
        owasp=("ASVS V12.1.1",),
    )
)
UNBOUNDED_SIZE = rules.register(
    Rule(
        id="CF-PY-UNBOUNDED-SIZE",
        name="Size or count chosen by the client",
        family="resources",
        cwe=770,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        description="A number from the request sets how much is allocated, read, repeated, "
        "slept or started (range(n), 'x' * n, .read(n), sleep(n), a pool size, a query limit) "
        "with no upper bound: one request can exhaust memory, CPU or workers.",
        fix="Clamp the value (n = min(int(value), MAX)), reject out-of-range input before use, "
        "or declare the bound in the schema (Query(le=100), Field(le=100)).",
        owasp=("ASVS V12.1.1", "LLM10"),
    )
)

checks.taint(UNBOUNDED_SIZE, [SinkKind.SIZE], {SourceKind.REMOTE: Confidence.MEDIUM})

_REQUESTS = tuple(
    f"requests.{verb}"
    for verb in ("get", "post", "put", "patch", "delete", "head", "options", "request")
)


@checks.on_call(names=(*_REQUESTS, "urllib.request.urlopen"))
def _timeout(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    if any(k.arg in ("timeout", None) for k in node.keywords) or context.llm_call(node):
        return  # model calls have their own rule (CF-LLM-NO-TIMEOUT)
    qual = context.qualname(node.func) or ""
    if qual == "urllib.request.urlopen" and len(node.args) >= 3:
        return
    yield context.finding(NO_TIMEOUT, node, f"{qual}() has no timeout: it can wait forever")
