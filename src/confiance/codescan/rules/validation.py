"""Improper input validation: amounts and quantities from the request used without a range
check (negative quantities, transfers above the balance, a 1000 % discount)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted, last_name
from confiance.codescan.python.routes import FunctionNode
from confiance.codescan.python.sources import REQUEST_ATTRS

__all__ = ["UNVALIDATED_NUMBER"]

UNVALIDATED_NUMBER = rules.register(
    Rule(
        id="CF-PY-UNVALIDATED-NUMBER",
        name="Amount or quantity from the request used without a range check",
        family="validation",
        cwe=20,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        description="A number from the request (amount, quantity, price, discount...) is "
        "converted and used in a calculation or stored without checking its range: negative "
        "quantities refund money, huge ones overflow stock, a discount of 150 % pays the "
        "customer.",
        fix="Validate before use: reject values outside the business range (if not 0 < qty <= "
        "100: abort(400)), or declare it in a schema (pydantic Field(gt=0, le=100), "
        "conint(gt=0)).",
        owasp=("ASVS V5.1.3",),
    )
)

_BUSINESS = re.compile(
    r"(?:^|_)(?:amount|quantity|qty|price|total|balance|discount|percent|credits|points|"
    r"units|transfer|withdraw|deposit|refund|tip|fee|rate|age|score|stock)(?:_|$)",
    re.I,
)
_CONVERTERS = frozenset({"int", "float", "Decimal"})
_BOUNDS = frozenset({"min", "max", "clamp", "clip", "abs", "validate", "check_range"})


def _from_request(node: ast.AST) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and child.attr in REQUEST_ATTRS:
            base = dotted(child.value) or ""
            if base.endswith(("request", "req")):
                return True
    return False


def _converted(function: FunctionNode) -> dict[str, ast.Assign]:
    found: dict[str, ast.Assign] = {}
    for node in ast.walk(function):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target, value = node.targets[0], node.value
        if not (isinstance(target, ast.Name) and _BUSINESS.search(target.id)):
            continue
        if (
            isinstance(value, ast.Call)
            and last_name(value.func) in _CONVERTERS
            and _from_request(value)
        ):
            found[target.id] = node
    return found


def _checked(function: FunctionNode, name: str) -> bool:
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.ops[0], ast.Lt | ast.LtE | ast.Gt | ast.GtE)
            and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))
        ):
            return True
        if (
            isinstance(node, ast.Call)
            and last_name(node.func) in _BOUNDS
            and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))
        ):
            return True
    return False


def _used(function: FunctionNode, name: str) -> ast.AST | None:
    for node in ast.walk(function):
        if isinstance(node, ast.BinOp | ast.AugAssign) and any(
            isinstance(n, ast.Name) and n.id == name for n in ast.walk(node)
        ):
            return node
        if (
            isinstance(node, ast.keyword)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            return node.value
    return None


_CONVERTS_REQUEST = re.compile(r"\b(?:int|float|Decimal)\s*\(\s*\w*req")


@checks.module
def _routes(context: ModuleContext) -> Iterator[Finding]:
    if not context.index.routes or not _CONVERTS_REQUEST.search(context.source):
        return
    for route in context.index.routes:
        function = route.function
        for name, assigned in _converted(function).items():
            if _checked(function, name):
                continue
            used = _used(function, name)
            if used is not None:
                yield context.finding(
                    UNVALIDATED_NUMBER,
                    assigned,
                    f"{name!r} comes from the request and is used with no range check",
                )
