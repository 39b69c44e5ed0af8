"""JavaScript / TypeScript analysis on the tree-sitter syntax tree (``CF-JS-*`` rules).

Entry point: :func:`analyze`. One document-order walk applies assignments to per-function scopes
(light data flow for model output, constants and built SQL) and runs the checks at each node;
route checks run once the whole file has been seen. Code is parsed, never executed.
"""

from __future__ import annotations

from tree_sitter import Node

from confiance.codescan.findings import Finding
from confiance.codescan.inventory import RouteEntry
from confiance.codescan.javascript import express, keys, sinks, sql
from confiance.codescan.javascript.context import FileContext
from confiance.codescan.javascript.flow import Scope, bind
from confiance.codescan.javascript.rules import (
    CLIENT_KEY,
    EVAL,
    LLM_BROWSER,
    LLM_EVAL,
    PUBLIC_ENV,
    ROUTE_NO_AUTH,
    SQLI,
    XSS,
    XSS_LLM,
)
from confiance.codescan.javascript.syntax import Dialect, parse

__all__ = [
    "CLIENT_KEY",
    "EVAL",
    "LLM_BROWSER",
    "LLM_EVAL",
    "PUBLIC_ENV",
    "ROUTE_NO_AUTH",
    "SQLI",
    "XSS",
    "XSS_LLM",
    "analyze",
    "analyze_module",
    "dialect_for",
]

_FUNCTIONS = frozenset(
    {"function_declaration", "function_expression", "function", "arrow_function",
     "method_definition", "generator_function_declaration", "generator_function"}
)  # fmt: skip


def dialect_for(path: str) -> Dialect:
    lowered = path.lower()
    if lowered.endswith(".tsx"):
        return "tsx"
    if lowered.endswith((".ts", ".mts", ".cts")):
        return "typescript"
    return "javascript"


def _assign(node: Node, scope: Scope) -> None:
    if node.type == "variable_declarator":
        target, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        augmented = False
    else:
        target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        augmented = node.type == "augmented_assignment_expression"
    if value is None:
        return
    bind(target, value, scope, augmented=augmented)
    if target is not None and target.type == "identifier" and sql.built_sql(value, scope):
        scope.sql[target.text.decode() if target.text else ""] = node.start_point[0] + 1


def _visit(node: Node, scope: Scope, ctx: FileContext, routes: express.RouteTable) -> None:
    kind = node.type
    if kind in ("variable_declarator", "assignment_expression", "augmented_assignment_expression"):
        if kind != "variable_declarator":
            sinks.check_assignment_sink(ctx, node, scope)
        _assign(node, scope)
    elif kind == "call_expression":
        sinks.check_call_sink(ctx, node, scope)
        sql.check_query_call(ctx, node, scope)
        routes.observe(node)
    elif kind == "new_expression":
        sinks.check_new(ctx, node, scope)
        keys.check_client_constructor(ctx, node)
    elif kind == "jsx_attribute":
        sinks.check_jsx_attribute(ctx, node, scope)
    elif kind == "pair":
        keys.check_pair(ctx, node)
    elif kind == "member_expression":
        keys.check_member(ctx, node)


def analyze(source: str, path: str, *, dialect: Dialect | None = None) -> list[Finding]:
    """All ``CF-JS-*`` findings in one file (see :func:`analyze_module`)."""
    return analyze_module(source, path, dialect=dialect)[0]


def analyze_module(
    source: str, path: str, *, dialect: Dialect | None = None
) -> tuple[list[Finding], list[RouteEntry]]:
    """All ``CF-JS-*`` findings in one file and its Express route inventory. Never raises on
    malformed code: tree-sitter recovers, and the checks only look at well-formed subtrees."""
    data = source.encode("utf-8", "surrogatepass")
    tree = parse(data, dialect or dialect_for(path))
    ctx = FileContext(data, path)
    routes = express.RouteTable()
    stack: list[tuple[Node, Scope]] = [(tree.root_node, Scope())]
    while stack:
        node, scope = stack.pop()
        if node.type in _FUNCTIONS:
            scope = scope.child()
        else:
            _visit(node, scope, ctx, routes)
        stack.extend((child, scope) for child in reversed(node.children))
    routes.report(ctx, tree.root_node)
    findings = sorted(ctx.findings, key=lambda f: (f.line, f.column, f.rule_id))
    return findings, routes.entries(ctx, tree.root_node)
