"""Race-prone file checks (time of check to time of use): ``if os.path.exists(p)`` or
``os.access(p, ...)`` followed by opening, writing or deleting ``p``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted

__all__ = ["TOCTOU"]

TOCTOU = rules.register(
    Rule(
        id="CF-PY-TOCTOU",
        name="Race between file check and use",
        family="file_race",
        cwe=367,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        description="A file is checked (exists, isfile, access) and then opened, written or "
        "removed; between the two another process can swap it (for example for a symlink).",
        fix="Just do the operation and handle the error (try: open(...) except "
        "FileNotFoundError), create exclusively with open(path, 'x') or os.open(path, "
        "os.O_CREAT | os.O_EXCL), and drop os.access checks.",
        owasp=("ASVS V1.11.3",),
    )
)

_CHECKS = frozenset({"os.path.exists", "os.path.isfile", "os.path.lexists", "os.access"})
_PATH_CHECK_METHODS = frozenset({"exists", "is_file"})
_USES = frozenset(
    {
        "open",
        "io.open",
        "os.open",
        "os.remove",
        "os.unlink",
        "os.rename",
        "os.replace",
        "os.chmod",
        "os.chown",
        "shutil.copy",
        "shutil.copyfile",
        "shutil.move",
    }
)
_PATH_USE_METHODS = frozenset(
    {"open", "write_text", "write_bytes", "unlink", "read_text", "rename"}
)


def _checked(test: ast.expr, context: ModuleContext) -> list[tuple[ast.Call, str, bool]]:
    found = []
    for node in ast.walk(test):
        if not isinstance(node, ast.Call):
            continue
        qual = context.qualname(node.func)
        if qual in _CHECKS and node.args:
            target = dotted(node.args[0])
            if target:
                found.append((node, target, False))
        elif isinstance(node.func, ast.Attribute) and node.func.attr in _PATH_CHECK_METHODS:
            target = dotted(node.func.value)
            if target and not node.args:
                found.append((node, target, True))
    return found


def _used(body: list[ast.stmt], target: str, method: bool, context: ModuleContext) -> bool:
    for statement in body:
        for node in ast.walk(statement):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (
                method
                and isinstance(func, ast.Attribute)
                and func.attr in _PATH_USE_METHODS
                and dotted(func.value) == target
            ):
                return True
            if node.args and context.qualname(func) in _USES and dotted(node.args[0]) == target:
                return True
    return False


@checks.on(ast.If)
def _check_then_use(node: ast.If, context: ModuleContext) -> Iterator[Finding]:
    for call, target, method in _checked(node.test, context):
        if _used(node.body, target, method, context) or _used(node.orelse, target, method, context):
            yield context.finding(
                TOCTOU,
                call,
                f"{target!r} is checked here and used afterwards: the file can change in between",
            )
            return
