"""CORS that lets any origin make credentialed requests: ``*`` (or a reflected origin) together
with ``allow_credentials``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import last_name

__all__ = ["CORS_CREDENTIALS"]

CORS_CREDENTIALS = rules.register(
    Rule(
        id="CF-PY-CORS-CREDENTIALS",
        name="CORS allows any origin with credentials",
        family="cors",
        cwe=942,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="Every origin may send credentialed cross-site requests (allow all origins "
        "plus allow credentials; Starlette and flask-cors then echo the caller's Origin), so "
        "any web page a user visits can act with their session.",
        fix="List the trusted origins explicitly (allow_origins=['https://app.example.com']) "
        "when credentials are allowed.",
        owasp=("ASVS V14.5.3",),
    )
)


def _true(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and value.value is True


def _wildcard(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Constant):
        return value.value in ("*", ".*", "^.*$", r".*\Z")
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        return any(_wildcard(e) for e in value.elts)
    return False


@checks.on(ast.Call)
def _middleware(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    name = last_name(node.func)
    given = {k.arg: k.value for k in node.keywords if k.arg}
    if name == "add_middleware" and node.args and last_name(node.args[0]) == "CORSMiddleware":
        flag = given.get("allow_credentials")
        credentials = _true(flag)
        origins = _wildcard(given.get("allow_origins")) or _wildcard(
            given.get("allow_origin_regex")
        )
    elif name in ("CORS", "cross_origin") and "supports_credentials" in given:
        flag = given["supports_credentials"]
        credentials = _true(flag)
        origins = "origins" not in given or _wildcard(given["origins"])
        for key in ("resources",):
            if key in given:
                origins = origins and _wildcard_resources(given[key])
    else:
        return
    if credentials and origins and flag is not None:
        yield context.finding(CORS_CREDENTIALS, flag, "any origin allowed with credentials")


def _wildcard_resources(value: ast.expr) -> bool:
    if not isinstance(value, ast.Dict):
        return True
    for options in value.values:
        if isinstance(options, ast.Dict):
            for key, option in zip(options.keys, options.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "origins":
                    return _wildcard(option)
    return True


@checks.module
def _settings(context: ModuleContext) -> Iterator[Finding]:
    """Django corsheaders settings and hand-written headers in the same module."""
    allow_all: ast.Assign | None = None
    credentials = False
    header_any: ast.AST | None = None
    header_credentials = False
    for statement in context.index.tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
            name = statement.targets[0].id
            if name in ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL") and _true(
                statement.value
            ):
                allow_all = statement
            if name == "CORS_ALLOW_CREDENTIALS" and _true(statement.value):
                credentials = True
    walk = ast.walk(context.index.tree) if "Access-Control-Allow" in context.source else ()
    for child in walk:
        target = child.targets[0] if isinstance(child, ast.Assign) else None
        if isinstance(child, ast.Assign) and isinstance(target, ast.Subscript):
            node = child
            key = target.slice
            header = str(key.value).lower() if isinstance(key, ast.Constant) else ""
            if header == "access-control-allow-origin" and _wildcard(node.value):
                header_any = node
            if header == "access-control-allow-credentials":
                value = node.value
                header_credentials = (
                    isinstance(value, ast.Constant) and str(value.value).lower() == "true"
                )
    if allow_all is not None and credentials:
        yield context.finding(
            CORS_CREDENTIALS, allow_all, "CORS_ALLOW_ALL_ORIGINS with CORS_ALLOW_CREDENTIALS"
        )
    if header_any is not None and header_credentials:
        yield context.finding(
            CORS_CREDENTIALS, header_any, "Access-Control-Allow-Origin: * with credentials"
        )
