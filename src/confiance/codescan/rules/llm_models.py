"""Hard-coded model names that are retired or retiring, checked against the model catalog.

Model ids are read where code names a model: ``model=``/``model_name=``/``model_id=``/``engine=``
keywords, the first argument of ``GenerativeModel(...)``, ``"model"`` dict entries, and
assignments to names containing ``model``. Retired (the shutdown date has passed on ``today``) is
high severity; retiring within 90 days is medium. Messages name the date, the replacement and the
catalog's source.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.catalog import Lifecycle, ModelStatus
from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import last_name
from confiance.codescan.rules._words import name_of

__all__ = ["MODEL_RETIRED", "MODEL_RETIRING"]

_FIX = (
    "Move to the replacement named in the message (test it with an eval first), and keep model "
    "names in configuration rather than code so the next retirement is a config change; a "
    "gateway route (confiance) can switch models without a deploy."
)

MODEL_RETIRED = rules.register(
    Rule(
        id="CF-LLM-MODEL-RETIRED",
        name="Retired model in code",
        family="llm_models",
        cwe=1104,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="The code names a model whose provider has shut it down: calls fail (or "
        "are silently re-routed to another model at another price).",
        fix=_FIX,
        owasp=("LLM03",),
    )
)
MODEL_RETIRING = rules.register(
    Rule(
        id="CF-LLM-MODEL-RETIRING",
        name="Model retiring within 90 days",
        family="llm_models",
        cwe=1104,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="The code names a model whose provider has scheduled its shutdown within "
        "90 days.",
        fix=_FIX,
        owasp=("LLM03",),
    )
)

_MODEL_KEYWORDS = frozenset({"model", "model_name", "model_id", "engine", "deployment_id"})
_MODEL_NAME = re.compile(r"model", re.I)
_POSITIONAL = frozenset({"GenerativeModel", "ChatOpenAI", "ChatAnthropic", "init_chat_model"})
_ID_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@-]{1,120}$")


def _findings(context: ModuleContext, node: ast.expr | None) -> Iterator[Finding]:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return
    if not _ID_SHAPE.match(node.value):
        return
    status = context.catalog.lookup(node.value, context.today)
    if status is None:
        return
    rule = _rule(status)
    if rule is not None:
        yield context.finding(rule, node, status.describe())


def _rule(status: ModelStatus) -> Rule | None:
    if status.state is Lifecycle.RETIRED:
        return MODEL_RETIRED
    if status.state is Lifecycle.RETIRING:
        return MODEL_RETIRING
    return None


@checks.on(ast.Call)
def _call(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    for keyword in node.keywords:
        if keyword.arg in _MODEL_KEYWORDS:
            yield from _findings(context, keyword.value)
    if node.args and last_name(node.func) in _POSITIONAL:
        yield from _findings(context, node.args[0])


@checks.on(ast.Assign, ast.AnnAssign)
def _assign(node: ast.Assign | ast.AnnAssign, context: ModuleContext) -> Iterator[Finding]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if any(_MODEL_NAME.search(name_of(t) or "") for t in targets):
        yield from _findings(context, node.value)


@checks.on(ast.Dict)
def _dict(node: ast.Dict, context: ModuleContext) -> Iterator[Finding]:
    for key, value in zip(node.keys, node.values, strict=True):
        if isinstance(key, ast.Constant) and key.value in _MODEL_KEYWORDS:
            yield from _findings(context, value)
