"""Insecure temporary files: ``tempfile.mktemp`` and hard-coded paths in shared temp
directories (``/tmp``, ``/var/tmp``, ``/dev/shm``), which other local users can pre-create or
symlink."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import last_name

__all__ = ["INSECURE_TEMPFILE"]

INSECURE_TEMPFILE = rules.register(
    Rule(
        id="CF-PY-INSECURE-TEMPFILE",
        name="Insecure temporary file",
        family="tempfiles",
        cwe=377,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        description="tempfile.mktemp returns a name that another process can create first; a "
        "fixed path under /tmp can be pre-created or symlinked by any local user.",
        fix="Use tempfile.NamedTemporaryFile(), tempfile.mkstemp() or tempfile.mkdtemp() (and "
        "tempfile.gettempdir() for the directory).",
        owasp=("ASVS V12.3.1",),
    )
)

_SHARED = ("/tmp/", "/var/tmp/", "/dev/shm/")  # noqa: S108 (the paths this rule looks for)
_STRING_TESTS = frozenset({"startswith", "endswith", "replace", "find", "index", "split", "strip"})


def _shared_path(node: ast.expr) -> str | None:
    first = node.values[0] if isinstance(node, ast.JoinedStr) and node.values else node
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        text = first.value
        if text.startswith(_SHARED) or text.rstrip("/") in ("/tmp", "/var/tmp", "/dev/shm"):  # noqa: S108
            return text
    return None


@checks.on_call(names=("tempfile.mktemp",))
def _mktemp(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    yield context.finding(
        INSECURE_TEMPFILE, node, "tempfile.mktemp() is race-prone", confidence=Confidence.HIGH
    )


@checks.on(ast.Call)
def _call_argument(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    if last_name(node.func) in _STRING_TESTS:
        return
    for value in [*node.args, *(k.value for k in node.keywords)]:
        path = _shared_path(value)
        if path is not None:
            yield context.finding(INSECURE_TEMPFILE, node, f"hard-coded shared temp path {path!r}")
            return


@checks.on(ast.Assign, ast.AnnAssign)
def _assigned(node: ast.Assign | ast.AnnAssign, context: ModuleContext) -> Iterator[Finding]:
    if node.value is not None and not isinstance(node.value, ast.Call):
        path = _shared_path(node.value)
        if path is not None:
            yield context.finding(INSECURE_TEMPFILE, node, f"hard-coded shared temp path {path!r}")
