"""``assert`` used for security decisions: assertions vanish under ``python -O``."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePath

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.rules._words import snake

__all__ = ["ASSERT_SECURITY"]

ASSERT_SECURITY = rules.register(
    Rule(
        id="CF-PY-ASSERT-SECURITY",
        name="assert used for a security check",
        family="asserts",
        cwe=703,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        description="An authentication, authorization or integrity check is written as an "
        "assert; Python removes asserts when run with -O (and PYTHONOPTIMIZE), so the check "
        "silently disappears.",
        fix="Use an explicit condition that raises or returns an error: "
        "if not user.is_admin: raise PermissionDenied().",
        owasp=("ASVS V4.1.3",),
    )
)

_SECURITY = re.compile(
    r"is_admin|is_authenticated|is_staff|is_superuser|has_perm|permission|authori[sz]|"
    r"current_user|logged_in|is_owner|owner_id|(^|_)can_|csrf|signature|verif|password|"
    r"is_active_user|access_token|auth_token|(^|_)authenticated"
)


def _is_test_file(path: str) -> bool:
    name = PurePath(path).name
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


@checks.on(ast.Assert)
def _assert(node: ast.Assert, context: ModuleContext) -> Iterator[Finding]:
    test = node.test
    if _is_test_file(context.path) or (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
    ):
        return
    for child in ast.walk(node.test):
        name = (
            child.id
            if isinstance(child, ast.Name)
            else (child.attr if isinstance(child, ast.Attribute) else None)
        )
        if name and _SECURITY.search(snake(name)):
            yield context.finding(
                ASSERT_SECURITY, node, f"security check on {name!r} written as assert"
            )
            return
