"""Archive extraction: tar members named '../x' or absolute paths written outside the target."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted

__all__ = ["ARCHIVE_EXTRACT"]

ARCHIVE_EXTRACT = rules.register(
    Rule(
        id="CF-PY-ARCHIVE-EXTRACT",
        name="Archive extracted without member checks",
        family="path_traversal",
        cwe=22,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        description="tarfile extractall()/extract() without a filter writes members named "
        "'../../etc/cron.d/x', absolute paths and links wherever they point (zip slip).",
        fix="extractall(path, filter='data') (Python 3.12+, backported to 3.8+ security "
        "releases), or check every member's resolved path stays under the target first.",
        owasp=("ASVS V12.3.1",),
    )
)


def _tar_receiver(node: ast.Call, context: ModuleContext) -> bool:
    if not isinstance(node.func, ast.Attribute):
        return False
    receiver = node.func.value
    if isinstance(receiver, ast.Call):
        return (context.qualname(receiver.func) or "").startswith("tarfile.")
    name = dotted(receiver) or ""
    if name in context.index.instances:
        return context.index.instances[name][0].startswith("tarfile.")
    return False


@checks.on_call(methods=("extractall", "extract"))
def _extract(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    if any(k.arg in ("filter", "members") for k in node.keywords):
        return
    bound = _bound_by_with(node, context)
    if bound if bound is not None else _tar_receiver(node, context):
        yield context.finding(
            ARCHIVE_EXTRACT, node, "tar members are extracted without a filter or path check"
        )


def _bound_by_with(node: ast.Call, context: ModuleContext) -> bool | None:
    """Whether the nearest enclosing ``with ... as name`` binding the receiver opened a tar
    file (None: no such ``with``)."""
    if not isinstance(node.func, ast.Attribute) or not isinstance(node.func.value, ast.Name):
        return None
    name = node.func.value.id
    for statement in reversed(context.statements):
        if isinstance(statement, ast.With | ast.AsyncWith):
            for item in statement.items:
                bound = item.optional_vars
                if isinstance(bound, ast.Name) and bound.id == name:
                    call = item.context_expr
                    return isinstance(call, ast.Call) and (
                        context.qualname(call.func) or ""
                    ).startswith("tarfile.")
    return None
