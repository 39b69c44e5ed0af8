"""Unchecked return values: results a program must look at, thrown away."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted, last_name

__all__ = ["UNCHECKED_RETURN"]

UNCHECKED_RETURN = rules.register(
    Rule(
        id="CF-PY-UNCHECKED-RETURN",
        name="Return value ignored",
        family="return_values",
        cwe=252,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="A call whose result is the whole point is used as a statement: a password "
        "or signature check whose answer is dropped (everyone passes), a string 'sanitised' "
        "with replace()/strip() whose new value is thrown away, a socket send() that may have "
        "written only part of the data, a non-blocking lock that may not have been acquired.",
        fix="Use the result: if not check_password_hash(...): abort(401); name = "
        "name.replace(...); sock.sendall(...); "
        "if lock.acquire(blocking=False): ...",
        owasp=("ASVS V7.4.2",),
    )
)

_CHECKS = frozenset(
    {"check_password_hash", "checkpw", "compare_digest", "check_password", "verify_password",
     "constant_time_compare", "safe_str_cmp", "verify_signature", "is_valid_signature"}
)  # fmt: skip
_STRING_METHODS = frozenset(
    {"replace", "strip", "lstrip", "rstrip", "lower", "upper", "removeprefix", "removesuffix"}
)


def _reason(call: ast.Call) -> tuple[str, Severity] | None:
    name = last_name(call.func)
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    if name in _CHECKS:
        return f"the result of {name}() is discarded: the check decides nothing", Severity.HIGH
    if (
        name in _STRING_METHODS
        and isinstance(receiver, ast.Name)
        and (
            name != "replace"
            or (len(call.args) == 2 and all(isinstance(a, ast.Constant) for a in call.args))
        )
    ):
        target = dotted(receiver)
        return (
            f"{target}.{name}() returns a new string; {target} itself is unchanged",
            Severity.MEDIUM,
        )
    if name == "send" and receiver is not None and "sock" in (dotted(receiver) or "").lower():
        return "socket.send() may send only part of the data (use sendall)", Severity.MEDIUM
    if name == "acquire" and any(k.arg == "blocking" or k.arg == "timeout" for k in call.keywords):
        return "the lock may not have been acquired", Severity.MEDIUM
    return None


@checks.on(ast.Expr)
def _discarded(node: ast.Expr, context: ModuleContext) -> Iterator[Finding]:
    value = node.value.value if isinstance(node.value, ast.Await) else node.value
    if not isinstance(value, ast.Call):
        return
    found = _reason(value)
    if found is not None:
        message, severity = found
        yield context.finding(UNCHECKED_RETURN, value, message, severity=severity)
