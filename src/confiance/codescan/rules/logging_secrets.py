"""Secrets written to logs: logger calls that format a password, token or API key."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted, last_name
from confiance.codescan.rules._words import is_secret_name, name_of

__all__ = ["SECRET_LOGGING"]

SECRET_LOGGING = rules.register(
    Rule(
        id="CF-PY-SECRET-LOGGING",
        name="Secret written to a log",
        family="logging",
        cwe=532,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="A logger call includes a password, token, API key or Authorization "
        "header; logs are shipped, indexed and kept far longer than secrets should live.",
        fix="Log an identifier instead (user id, key id, the last 4 characters), or redact "
        "with a logging filter.",
        owasp=("ASVS V7.1.1", "LLM02"),
    )
)

_LOG_METHODS = ("debug", "info", "warning", "warn", "error", "exception", "critical", "log")
_LOGGER = re.compile(r"log", re.I)
_HEADER = re.compile(r"^(authorization|x-api-key|api-key|cookie|proxy-authorization)$", re.I)
_TRANSPARENT = frozenset({"str", "repr", "format"})


def _secret_in(node: ast.expr) -> str | None:
    """The secret's name when ``node`` (or a part formatted into it) is a secret as is."""
    if isinstance(node, ast.Call) and last_name(node.func) in _TRANSPARENT and node.args:
        return _secret_in(node.args[0])
    if isinstance(node, ast.Name | ast.Attribute):
        name = name_of(node)
        return name if name and is_secret_name(name) else None
    if isinstance(node, ast.Subscript):
        key = node.slice
        if (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and (_HEADER.match(key.value) or is_secret_name(key.value))
        ):
            return key.value
        return None
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                found = _secret_in(part.value)
                if found:
                    return found
    if isinstance(node, ast.BinOp):
        return _secret_in(node.left) or _secret_in(node.right)
    if isinstance(node, ast.Tuple | ast.List):
        return next((f for f in map(_secret_in, node.elts) if f), None)
    if isinstance(node, ast.Dict):
        return next((f for f in map(_secret_in, node.values) if f), None)
    if isinstance(node, ast.Call) and last_name(node.func) == "format" and node.args:
        return next((f for f in map(_secret_in, node.args) if f), None)
    return None


@checks.on_call(methods=_LOG_METHODS)
def _logger_call(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    receiver = dotted(node.func.value) if isinstance(node.func, ast.Attribute) else None
    if not receiver or not _LOGGER.search(receiver.rsplit(".", 1)[-1]):
        return
    values = [
        *node.args,
        *(k.value for k in node.keywords if k.arg not in ("exc_info", "stack_info")),
    ]
    for value in values:
        found = _secret_in(value)
        if found:
            yield context.finding(SECRET_LOGGING, node, f"logs the secret {found!r}")
            return
