"""``analyze``: parse one Python file and run every registered check over it.

Passes, each linear in the size of the module: parse; index (imports, functions, routes,
tools); data flow (each function once, callees first); one walk dispatching node checks;
module checks. The scanned code is parsed with :mod:`ast`, never imported or executed.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterable

import confiance.codescan.rules  # noqa: F401  (registers the built-in rule families)
from confiance.codescan.findings import Confidence, Finding
from confiance.codescan.inventory import RouteEntry
from confiance.codescan.python.checks import CheckRegistry, TaintRule, checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.flow import Engine
from confiance.codescan.python.index import ModuleIndex
from confiance.codescan.python.operations import route_entries
from confiance.codescan.python.summary import Flow
from confiance.codescan.python.taint import Mark, SinkKind, SourceKind, Taint
from confiance.codescan.python.tree import children

__all__ = ["analyze", "analyze_module"]

_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


def analyze(source: str, path: str, *, today: dt.date | None = None) -> list[Finding]:
    """Findings of every registered Python rule in ``source`` (see :func:`analyze_module`)."""
    return analyze_module(source, path, today=today)[0]


def analyze_module(
    source: str, path: str, *, today: dt.date | None = None
) -> tuple[list[Finding], list[RouteEntry]]:
    """Findings of every registered Python rule in ``source``, sorted by line, and the route
    inventory of the module (each handler, its auth evidence and dangerous operations).

    ``path`` is only reported, never read. ``today`` decides which hard-coded model names are
    retired or retiring (default: the current date). Raises :class:`SyntaxError` when the
    source cannot be parsed (including null bytes and nesting too deep to analyse).
    """
    try:
        tree = ast.parse(source, filename=path)
    except (ValueError, RecursionError, MemoryError) as error:
        raise SyntaxError(f"{path}: cannot parse: {error}") from error
    try:
        return _analyze_tree(tree, source, path, today or dt.date.today(), checks)
    except RecursionError as error:
        raise SyntaxError(f"{path}: nesting too deep to analyse") from error


def _analyze_tree(
    tree: ast.Module, source: str, path: str, today: dt.date, registry: CheckRegistry
) -> tuple[list[Finding], list[RouteEntry]]:
    index = ModuleIndex.build(tree)
    engine = Engine(index)
    engine.run()
    context = ModuleContext(path, source, index, engine.summaries, today)
    found: list[Finding] = []
    found.extend(_taint_findings(engine.flows, context, registry))
    found.extend(_taint_findings(_unresolved_parameters(engine), context, registry))
    _Walker(context, registry, found).visit(tree)
    for check in registry.module_checks:
        found.extend(check(context))
    return _deduplicated(found, registry), route_entries(index, path, context.llm_call)


def _taint_findings(
    flows: Iterable[Flow], context: ModuleContext, registry: CheckRegistry
) -> Iterable[Finding]:
    for flow in flows:
        for entry in registry.by_sink.get(flow.sink.kind, ()):
            confidence = entry.sources.get(flow.taint.kind)
            if confidence is None:
                continue
            yield _taint_finding(entry, flow, confidence, context)


def _taint_finding(
    entry: TaintRule, flow: Flow, confidence: Confidence, context: ModuleContext
) -> Finding:
    rule, taint = entry.rule, flow.taint
    if _RANK[rule.confidence] < _RANK[confidence]:
        confidence = rule.confidence
    origin = f"{taint.label} (line {taint.line})"
    return Finding(
        rule_id=rule.id,
        path=context.path,
        line=flow.line,
        column=flow.column + 1,
        message=f"{rule.name}: {origin} reaches {flow.sink.label}",
        severity=rule.severity,
        confidence=confidence,
        snippet=context.snippet(flow.line),
        trace=taint.steps,
    )


def _unresolved_parameters(engine: Engine) -> Iterable[Flow]:
    """Parameters of public functions no code in the module calls, reaching sinks that are
    dangerous whatever the data (shell, eval, pickle, SQL built by formatting)."""
    index = engine.index
    for info in index.functions.values():
        name = info.node.name
        if info.route or info.tool or name.startswith("_") or name in index.called:
            continue
        if info.key in index.called:
            continue
        summary = engine.summaries.get(info.key)
        for sink in summary.param_sinks if summary else ():
            if not sink.sink.strong:
                continue
            if sink.sink.kind is SinkKind.SQL and Mark.BUILT not in sink.marks:
                continue
            taint = Taint(
                kind=SourceKind.PARAM,
                label=f"parameter {info.params[sink.param]!r} of {name}()",
                line=info.node.lineno,
                steps=sink.steps,
                cleared=sink.cleared,
                marks=sink.marks,
                param=sink.param,
            )
            yield Flow(sink.sink, sink.line, sink.column, taint)


def _deduplicated(found: list[Finding], registry: CheckRegistry) -> list[Finding]:
    best: dict[tuple[str, int], Finding] = {}
    for finding in found:
        key = (finding.rule_id, finding.line)
        kept = best.get(key)
        if kept is None or _RANK[finding.confidence] > _RANK[kept.confidence]:
            best[key] = finding
    hidden = {
        (hidden_id, finding.line)
        for entry in registry.taint_rules
        for finding in best.values()
        if finding.rule_id == entry.rule.id
        for hidden_id in entry.supersedes
    }
    kept_findings = [f for key, f in best.items() if key not in hidden]
    return sorted(kept_findings, key=lambda f: (f.line, f.column, f.rule_id))


class _Walker:
    """One recursive walk dispatching node checks, tracking the enclosing function/statement."""

    def __init__(self, context: ModuleContext, registry: CheckRegistry, out: list[Finding]):
        self.context = context
        self.registry = registry
        self.out = out
        self.by_type = registry.by_type
        self.by_call = registry.by_call
        self.by_method = registry.by_method
        self.functions = {id(info.node): info for info in context.index.functions.values()}

    def visit(self, node: ast.AST) -> None:
        context = self.context
        checks_for_type = self.by_type.get(type(node))
        if checks_for_type:
            for check in checks_for_type:
                self.out.extend(check(node, context))
        if isinstance(node, ast.Call):
            self._call(node)
        info = self.functions.get(id(node))
        is_statement = isinstance(node, ast.stmt)
        if info is not None:
            context.functions.append(info)
        if is_statement:
            context.statements.append(node)  # type: ignore[arg-type]
        for child in children(node):
            self.visit(child)
        if is_statement:
            context.statements.pop()
        if info is not None:
            context.functions.pop()

    def _call(self, node: ast.Call) -> None:
        qual = self.context.qualname(node.func)
        if qual is not None:
            for check in self.by_call.get(qual, ()):
                self.out.extend(check(node, self.context))
        if isinstance(node.func, ast.Attribute):
            for check in self.by_method.get(node.func.attr, ()):
                self.out.extend(check(node, self.context))
