"""JWTs accepted without verifying their signature, or with the ``none`` algorithm."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext

__all__ = ["JWT_NO_VERIFY"]

JWT_NO_VERIFY = rules.register(
    Rule(
        id="CF-PY-JWT-NO-VERIFY",
        name="JWT signature not verified",
        family="jwt",
        cwe=347,
        severity=Severity.CRITICAL,
        confidence=Confidence.HIGH,
        description="A JWT is decoded with signature verification off (verify_signature False, "
        "verify=False) or the 'none' algorithm is allowed, so anyone can forge tokens.",
        fix="jwt.decode(token, key, algorithms=['HS256']) (or your RS/ES algorithm) with "
        "verification on; read unverified headers only to pick the key, then verify.",
        owasp=("ASVS V3.5.3",),
    )
)

_JWT_CALLS = (
    "jwt.decode",
    "jwt.api_jwt.decode",
    "jose.jwt.decode",
    "jwt.encode",
    "jose.jwt.encode",
    "jwt.PyJWT.decode",
    "authlib.jose.jwt.decode",
)


def _algorithm_none(value: ast.expr) -> bool:
    values = value.elts if isinstance(value, ast.List | ast.Tuple | ast.Set) else [value]
    return any(
        isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value.lower() == "none"
        for v in values
    )


def _verification_off(options: ast.expr) -> bool:
    if not isinstance(options, ast.Dict):
        return False
    for key, value in zip(options.keys, options.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == "verify_signature":
            return isinstance(value, ast.Constant) and value.value is False
    return False


@checks.on_call(names=_JWT_CALLS)
def _jwt(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    for keyword in node.keywords:
        value = keyword.value
        if keyword.arg in ("algorithms", "algorithm") and _algorithm_none(value):
            yield context.finding(JWT_NO_VERIFY, value, "the 'none' algorithm is allowed")
            return
        if keyword.arg == "options" and _verification_off(value):
            yield context.finding(JWT_NO_VERIFY, value, "options verify_signature=False")
            return
        if keyword.arg == "verify" and isinstance(value, ast.Constant) and value.value is False:
            yield context.finding(JWT_NO_VERIFY, value, "verify=False")
            return
