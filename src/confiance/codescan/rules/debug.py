"""Debug mode left on: Flask/Werkzeug debugger, FastAPI/Starlette debug, Django DEBUG = True."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted

__all__ = ["DEBUG_MODE"]

DEBUG_MODE = rules.register(
    Rule(
        id="CF-PY-DEBUG-MODE",
        name="Debug mode enabled",
        family="debug",
        cwe=489,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="Debug mode is switched on in code: the Werkzeug debugger runs arbitrary "
        "Python for whoever reaches it, and debug pages leak settings, paths and secrets.",
        fix="Read the flag from configuration that defaults to off "
        "(DEBUG = os.environ.get('APP_DEBUG') == '1') and never enable it in production.",
        owasp=("ASVS V14.3.2",),
    )
)

_DEBUG_KEYWORDS = frozenset({"debug", "use_debugger", "use_evalex"})
_DEBUG_CALLS = frozenset({"run", "run_simple", "Flask", "FastAPI", "Starlette", "Quart"})


def _true(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and value.value is True


@checks.on(ast.Call)
def _debug_call(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    name = node.func.attr if isinstance(node.func, ast.Attribute) else dotted(node.func)
    if name not in _DEBUG_CALLS:
        return
    for keyword in node.keywords:
        if keyword.arg in _DEBUG_KEYWORDS and _true(keyword.value):
            yield context.finding(DEBUG_MODE, keyword.value, f"{name}({keyword.arg}=True)")
            return


@checks.on(ast.Assign)
def _debug_setting(node: ast.Assign, context: ModuleContext) -> Iterator[Finding]:
    if not _true(node.value):
        return
    for target in node.targets:
        if isinstance(target, ast.Name) and target.id == "DEBUG" and context.function is None:
            yield context.finding(DEBUG_MODE, node, "DEBUG = True in settings")
        elif isinstance(target, ast.Attribute) and target.attr == "debug":
            yield context.finding(DEBUG_MODE, node, f"{dotted(target)} = True")
        elif isinstance(target, ast.Subscript) and _config_debug(target):
            yield context.finding(DEBUG_MODE, node, "config['DEBUG'] = True")


def _config_debug(target: ast.Subscript) -> bool:
    key = target.slice
    return isinstance(key, ast.Constant) and key.value in ("DEBUG", "ENV_DEBUG")
