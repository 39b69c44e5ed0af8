"""Safety settings switched off: Gemini ``BLOCK_NONE``/``OFF`` thresholds, moderation, safe
prompts and safety checkers disabled explicitly."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.names import dotted

__all__ = ["SAFETY_DISABLED"]

SAFETY_DISABLED = rules.register(
    Rule(
        id="CF-LLM-SAFETY-DISABLED",
        name="Model safety settings disabled",
        family="llm_safety",
        cwe=693,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="The vendor's safety filtering is turned off (HarmBlockThreshold.BLOCK_NONE "
        "or OFF, moderation/safe_prompt/safety_checker disabled), so harmful generations reach "
        "users unfiltered.",
        fix="Keep the defaults or a blocking threshold (BLOCK_MEDIUM_AND_ABOVE); if a use case "
        "truly needs less filtering, add your own output moderation and document the decision.",
        owasp=("LLM05", "LLM09"),
    )
)

_OFF_KEYWORDS = frozenset(
    {
        "moderation",
        "safe_mode",
        "safe_prompt",
        "enable_safety_checker",
        "safety_checker",
        "content_filter",
        "content_filtering",
        "guardrails",
        "safety_filter",
        "moderate",
        "safety_settings_enabled",
    }
)
_ON_KEYWORDS = frozenset(
    {"disable_safety", "disable_moderation", "skip_moderation", "bypass_moderation"}
)
_OFF_THRESHOLDS = frozenset({"BLOCK_NONE", "OFF", "HARM_BLOCK_THRESHOLD_OFF"})


def _constant(value: ast.expr, *allowed: object) -> bool:
    return isinstance(value, ast.Constant) and any(value.value is a for a in allowed)


def _text(value: ast.expr) -> str:
    return repr(value.value) if isinstance(value, ast.Constant) else "?"


@checks.on(ast.Attribute)
def _threshold(node: ast.Attribute, context: ModuleContext) -> Iterator[Finding]:
    if node.attr == "BLOCK_NONE" or (
        node.attr == "OFF" and "HarmBlockThreshold" in (dotted(node) or "")
    ):
        yield context.finding(SAFETY_DISABLED, node, f"safety threshold {node.attr}")


@checks.on(ast.Dict)
def _threshold_dict(node: ast.Dict, context: ModuleContext) -> Iterator[Finding]:
    for key, value in zip(node.keys, node.values, strict=True):
        if not (isinstance(value, ast.Constant) and value.value in _OFF_THRESHOLDS):
            continue
        named = isinstance(key, ast.Constant) and key.value == "threshold"
        if named or value.value != "OFF":
            yield context.finding(SAFETY_DISABLED, value, f"safety threshold {value.value}")


@checks.on(ast.Call)
def _keywords(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    for keyword in node.keywords:
        value = keyword.value
        if (
            keyword.arg == "threshold"
            and isinstance(value, ast.Constant)
            and value.value in _OFF_THRESHOLDS
        ):
            yield context.finding(SAFETY_DISABLED, value, f"safety threshold {value.value}")
            return
        if keyword.arg in _OFF_KEYWORDS and _constant(value, False, None):
            yield context.finding(SAFETY_DISABLED, value, f"{keyword.arg}={_text(value)}")
            return
        if keyword.arg in _ON_KEYWORDS and _constant(value, True):
            yield context.finding(SAFETY_DISABLED, value, f"{keyword.arg}=True")
            return
