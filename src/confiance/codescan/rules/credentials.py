"""Hard-coded credentials: passwords, secrets and tokens written as string literals.

Placeholders (empty strings, ``changeme``, ``<your-token>``, ``${VAR}``, names of environment
variables) and values read from the environment are not findings. LLM vendor keys are left to
:mod:`llm_keys`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.rules._words import (
    LLM_KEY_SHAPE,
    is_placeholder,
    is_secret_name,
    name_of,
    snake,
)
from confiance.codescan.rules.llm_keys import is_llm_key_site

__all__ = ["HARDCODED_CREDENTIAL"]

HARDCODED_CREDENTIAL = rules.register(
    Rule(
        id="CF-PY-HARDCODED-CREDENTIAL",
        name="Hard-coded credential",
        family="credentials",
        cwe=798,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="A password, secret key or token is written in the source code, where "
        "everyone with access to the repository (and its history) can read it.",
        fix="Read it at run time from the environment or a secret manager "
        "(os.environ['DB_PASSWORD']), rotate the exposed value, and keep examples as "
        "placeholders.",
        owasp=("ASVS V2.10.4", "ASVS V6.4.1"),
    )
)


_PASSWORD = re.compile(r"passw|pwd|passphrase")


def _literal(node: ast.expr | None, name: str) -> str | None:
    """The literal when it looks like a real credential for ``name``: passwords need only be
    non-placeholders; tokens, keys and secrets must also look generated (a digit, or long),
    since 'token' and 'key' also name parser tokens and dictionary keys."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)):
        return None
    text = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
    if is_placeholder(text) or LLM_KEY_SHAPE.match(text.strip()):
        return None
    if _PASSWORD.search(snake(name)):
        return text
    generated = any(c.isdigit() for c in text) or len(text) >= 20
    return text if generated and len(text) >= 8 else None


def _finding(context: ModuleContext, node: ast.AST, name: str, secret: str) -> Finding:
    strong = len(secret) >= 8 and any(c.isdigit() for c in secret)
    return context.finding(
        HARDCODED_CREDENTIAL,
        node,
        f"hard-coded credential in {name!r}",
        confidence=Confidence.HIGH if strong else Confidence.MEDIUM,
        secret=secret,
    )


@checks.on(ast.Assign, ast.AnnAssign)
def _assign(node: ast.Assign | ast.AnnAssign, context: ModuleContext) -> Iterator[Finding]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        name = name_of(target)
        if name and is_secret_name(name) and not is_llm_key_site(None, name, context):
            secret = _literal(node.value, name)
            if secret is not None:
                yield _finding(context, node, name, secret)
                return


@checks.on(ast.Call)
def _keywords(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    for keyword in node.keywords:
        name = keyword.arg
        if not name or not is_secret_name(name) or is_llm_key_site(node, name, context):
            continue
        secret = _literal(keyword.value, name)
        if secret is not None:
            yield _finding(context, node, name, secret)
            return


@checks.on(ast.Dict)
def _dict(node: ast.Dict, context: ModuleContext) -> Iterator[Finding]:
    for key, value in zip(node.keys, node.values, strict=True):
        if (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and is_secret_name(key.value)
            and not is_llm_key_site(None, key.value, context)
        ):
            secret = _literal(value, key.value)
            if secret is not None:
                yield _finding(context, value, key.value, secret)


@checks.on(ast.FunctionDef, ast.AsyncFunctionDef)
def _defaults(
    node: ast.FunctionDef | ast.AsyncFunctionDef, context: ModuleContext
) -> Iterator[Finding]:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
    for arg, default in pairs:
        if is_secret_name(arg.arg):
            secret = _literal(default, arg.arg)
            if secret is not None:
                yield _finding(context, default, arg.arg, secret)


@checks.on(ast.Compare)
def _compare(node: ast.Compare, context: ModuleContext) -> Iterator[Finding]:
    if len(node.ops) != 1 or not isinstance(node.ops[0], ast.Eq | ast.NotEq):
        return
    name = name_of(node.left)
    if name and is_secret_name(name):
        secret = _literal(node.comparators[0], name)
        if secret is not None:
            yield _finding(context, node, name, secret)
