"""Cross-site scripting: request data rendered as HTML without escaping, and Jinja2
environments created with autoescaping off."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["AUTOESCAPE", "XSS"]

XSS = rules.register(
    Rule(
        id="CF-PY-XSS",
        name="Cross-site scripting",
        family="xss",
        cwe=79,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="Request data is returned as HTML without escaping: a Flask view returning "
        "a string, HttpResponse/HTMLResponse/make_response content, or Markup/mark_safe.",
        fix="Render through a template with autoescaping, escape with markupsafe.escape / "
        "html.escape, or return JSON (jsonify, a dict).",
        owasp=("ASVS V5.3.3",),
    )
)
AUTOESCAPE = rules.register(
    Rule(
        id="CF-PY-TEMPLATE-AUTOESCAPE",
        name="Template autoescaping disabled",
        family="xss",
        cwe=79,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="A jinja2.Environment is created without autoescaping (the default is off), "
        "so every variable rendered into HTML is a potential XSS.",
        fix="jinja2.Environment(autoescape=select_autoescape()) or autoescape=True.",
        owasp=("ASVS V5.3.3",),
    )
)

checks.taint(XSS, [SinkKind.XSS], {SourceKind.REMOTE: Confidence.HIGH})


@checks.on_call(names=("jinja2.Environment", "jinja2.environment.Environment"))
def _environment(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    if any(k.arg is None for k in node.keywords):
        return
    for keyword in node.keywords:
        if keyword.arg == "autoescape":
            value = keyword.value
            if isinstance(value, ast.Constant) and not value.value:
                yield context.finding(AUTOESCAPE, node, "jinja2.Environment(autoescape=False)")
            return
    yield context.finding(
        AUTOESCAPE,
        node,
        "jinja2.Environment() without autoescape: Jinja2 does not escape by default",
    )
