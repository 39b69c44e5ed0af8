"""TLS certificate verification disabled: ``verify=False``, unverified SSL contexts,
``CERT_NONE``, ``check_hostname = False``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted, last_name

__all__ = ["TLS_VERIFY"]

TLS_VERIFY = rules.register(
    Rule(
        id="CF-PY-TLS-VERIFY-DISABLED",
        name="TLS certificate verification disabled",
        family="tls",
        cwe=295,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="Certificates are not verified (verify=False, ssl=False, CERT_NONE, "
        "check_hostname=False, _create_unverified_context), so anyone on the network path can "
        "read and change the traffic, including API keys sent to model vendors.",
        fix="Keep verification on; for a private CA pass verify='/path/to/ca.pem' or build the "
        "context with ssl.create_default_context(cafile=...).",
        owasp=("ASVS V9.2.1",),
    )
)

# Calls where verify=False is about something else than TLS.
_NOT_TLS = frozenset({"decode", "encode", "verify", "jws", "get_unverified_header"})
_UNVERIFIED = frozenset(
    {"ssl._create_unverified_context", "ssl._create_stdlib_context", "ssl.CERT_NONE"}
)


def _false(value: ast.expr) -> bool:
    return isinstance(value, ast.Constant) and value.value in (False, 0) and value.value is not None


@checks.on(ast.Call)
def _verify_false(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    for keyword in node.keywords:
        if keyword.arg in ("verify", "verify_ssl", "ssl", "verify_certs") and _false(keyword.value):
            if last_name(node.func) in _NOT_TLS:
                return
            yield context.finding(
                TLS_VERIFY, keyword.value, f"{keyword.arg}=False disables verification"
            )
            return
        if keyword.arg in ("cert_reqs", "verify_mode") and _cert_none(keyword.value, context):
            yield context.finding(TLS_VERIFY, keyword.value, f"{keyword.arg}=CERT_NONE")
            return


def _cert_none(value: ast.expr, context: ModuleContext) -> bool:
    if isinstance(value, ast.Constant):
        return value.value in ("CERT_NONE", "none")
    return (context.qualname(value) or "").endswith("CERT_NONE")


@checks.on(ast.Attribute)
def _unverified_context(node: ast.Attribute, context: ModuleContext) -> Iterator[Finding]:
    if node.attr not in ("_create_unverified_context", "_create_stdlib_context"):
        return
    if context.qualname(node) in _UNVERIFIED:
        yield context.finding(TLS_VERIFY, node, f"ssl.{node.attr} does not verify certificates")


@checks.on(ast.Assign)
def _context_attributes(node: ast.Assign, context: ModuleContext) -> Iterator[Finding]:
    for target in node.targets:
        if not isinstance(target, ast.Attribute):
            continue
        if target.attr == "check_hostname" and _false(node.value):
            yield context.finding(TLS_VERIFY, node, f"{dotted(target)} = False")
        elif target.attr == "verify_mode" and _cert_none(node.value, context):
            yield context.finding(TLS_VERIFY, node, f"{dotted(target)} = CERT_NONE")
        elif target.attr == "verify" and _false(node.value):
            yield context.finding(TLS_VERIFY, node, f"{dotted(target)} = False")
