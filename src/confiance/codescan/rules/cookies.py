"""Insecure cookies: ``set_cookie`` without Secure / HttpOnly (/ SameSite where the framework
does not default it), and session cookie settings switched off."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext

__all__ = ["INSECURE_COOKIE"]

INSECURE_COOKIE = rules.register(
    Rule(
        id="CF-PY-INSECURE-COOKIE",
        name="Cookie without Secure/HttpOnly/SameSite",
        family="cookies",
        cwe=614,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="A cookie is set without the Secure flag (sent over plain HTTP), without "
        "HttpOnly (readable by injected scripts) or, in Flask/Werkzeug, without SameSite "
        "(sent on cross-site requests).",
        fix="response.set_cookie(name, value, secure=True, httponly=True, samesite='Lax'); in "
        "settings: SESSION_COOKIE_SECURE = True, SESSION_COOKIE_HTTPONLY = True.",
        owasp=("ASVS V3.4.1", "ASVS V3.4.2", "ASVS V3.4.3"),
    )
)

_SETTINGS = frozenset(
    {
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "REMEMBER_COOKIE_SECURE",
        "REMEMBER_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
    }
)
_WERKZEUG = frozenset({"flask", "werkzeug", "quart"})


def _off(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and value.value in (False, None, 0, "")


@checks.on_call(methods=("set_cookie",))
def _set_cookie(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    if any(k.arg is None for k in node.keywords):
        return
    given = {k.arg: k.value for k in node.keywords}
    if len(node.args) < 2 and "value" not in given:
        return  # CookieJar.set_cookie(cookie): a client-side jar, not a response cookie
    required = ["secure", "httponly"]
    if context.index.imports.imports_any(_WERKZEUG):
        required.append("samesite")
    missing = [name for name in required if name not in given or _off(given[name])]
    if missing:
        yield context.finding(INSECURE_COOKIE, node, f"cookie set without {', '.join(missing)}")


@checks.on(ast.Assign)
def _settings(node: ast.Assign, context: ModuleContext) -> Iterator[Finding]:
    if not _off(node.value):
        return
    for target in node.targets:
        name = target.id if isinstance(target, ast.Name) else None
        if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
            name = str(target.slice.value)
        if name in _SETTINGS:
            yield context.finding(INSECURE_COOKIE, node, f"{name} switched off")
