"""Dangerous sinks: HTML written to the DOM (XSS) and strings executed as code (eval).

A value that is constant is never reported; model output is reported with the higher-severity
LLM rule and a trace from the line where it entered; other non-constant values get the generic
rule. Values passed through a sanitizer (``DOMPurify.sanitize``, ``escapeHtml``...) are clean.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from confiance.codescan.javascript import rules as r
from confiance.codescan.javascript.context import FileContext
from confiance.codescan.javascript.flow import Scope, is_constant, is_sanitizer_call, taint_of
from confiance.codescan.javascript.syntax import arguments, callee_text, compact, text

__all__ = ["check_assignment_sink", "check_call_sink", "check_jsx_attribute", "check_new"]

_HTML_PROPERTIES = frozenset({"innerHTML", "outerHTML"})
_HTML_CALLS = re.compile(r"^document\.write(?:ln)?$|\.insertAdjacentHTML$|^\$\(.*\)\.html$")
_CODE_CALLS = re.compile(
    r"^(?:eval|window\.eval|globalThis\.eval|vm\.runIn\w*Context|vm\.compileFunction)$"
)
_TIMER_CALLS = frozenset({"setTimeout", "setInterval", "window.setTimeout", "window.setInterval"})


def _sanitized(node: Node, scope: Scope) -> bool:
    if node.type == "identifier":
        return compact(node) in scope.clean
    return is_sanitizer_call(node)


def _html_sink(ctx: FileContext, value: Node, scope: Scope, where: Node, sink: str) -> None:
    if is_constant(value, scope) or _sanitized(value, scope):
        return
    source = taint_of(value, scope)
    if source is not None:
        ctx.report(
            r.XSS_LLM,
            where,
            f"Model output (line {source.line}) is written as HTML through {sink} without "
            "sanitizing: prompt injection becomes XSS",
            source=source,
        )
    else:
        ctx.report(r.XSS, where, f"Non-constant value written as HTML through {sink}")


def check_assignment_sink(ctx: FileContext, node: Node, scope: Scope) -> None:
    """``el.innerHTML = value`` / ``+=``."""
    left = node.child_by_field_name("left")
    if left is None or left.type != "member_expression":
        return
    prop = text(left.child_by_field_name("property"))
    if prop in _HTML_PROPERTIES:
        value = node.child_by_field_name("right")
        if value is not None:
            _html_sink(ctx, value, scope, node, prop)


def check_jsx_attribute(ctx: FileContext, node: Node, scope: Scope) -> None:
    """``dangerouslySetInnerHTML={{ __html: value }}``."""
    children = node.named_children
    if not children or text(children[0]) != "dangerouslySetInnerHTML" or len(children) < 2:
        return
    expression = children[-1]
    inner = next((c for c in expression.named_children if c.type != "comment"), None)
    if inner is None:
        return
    value = inner
    if inner.type == "object":
        html = [p for p in inner.named_children if p.type == "pair"
                and compact(p.child_by_field_name("key")).strip("'\"") == "__html"]  # fmt: skip
        if not html:
            return
        value = html[0].child_by_field_name("value") or inner
    _html_sink(ctx, value, scope, node, "dangerouslySetInnerHTML")


def _eval_report(ctx: FileContext, node: Node, value: Node, scope: Scope, what: str) -> None:
    source = taint_of(value, scope)
    if source is not None:
        ctx.report(
            r.LLM_EVAL,
            node,
            f"Model output (line {source.line}) is executed as code by {what}",
            source=source,
        )
    else:
        ctx.report(r.EVAL, node, f"{what} runs a non-constant string as code")


def check_call_sink(ctx: FileContext, node: Node, scope: Scope) -> None:
    """HTML-writing calls, eval-like calls and timers given a string."""
    callee = callee_text(node)
    args = arguments(node)
    if not args:
        return
    if _HTML_CALLS.search(callee):
        _html_sink(ctx, args[-1], scope, node, f"{callee}()")
    elif _CODE_CALLS.match(callee):
        if not is_constant(args[0], scope):
            _eval_report(ctx, node, args[0], scope, f"{callee}()")
    elif callee in _TIMER_CALLS:
        first = args[0]
        if first.type in ("string", "template_string", "binary_expression"):
            ctx.report(r.EVAL, node, f"{callee}() with a string argument evaluates it as code")
        elif taint_of(first, scope) is not None:
            _eval_report(ctx, node, first, scope, f"{callee}()")


def check_new(ctx: FileContext, node: Node, scope: Scope) -> None:
    """``new Function(..., body)`` with a non-constant part."""
    if callee_text(node) not in ("Function", "window.Function", "globalThis.Function"):
        return
    dynamic = [a for a in arguments(node) if not is_constant(a, scope)]
    if dynamic:
        _eval_report(ctx, node, dynamic[-1], scope, "new Function()")
