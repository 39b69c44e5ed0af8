"""The data-flow engine: statements, branches, loops and the order functions are analysed in.

Analysis is flow-sensitive within a function (assignments replace a variable's taint, branches
are analysed separately and merged, loop bodies run twice so loop-carried taint is seen, a guard
that returns/raises/aborts makes the variable safe after it) and summary-based across the
module's functions: :class:`Engine` analyses each function once, callees on demand before their
callers, so the cost is linear in the size of the module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from confiance.codescan.python.expressions import Evaluator
from confiance.codescan.python.index import FunctionInfo, ModuleIndex
from confiance.codescan.python.names import dotted, last_name
from confiance.codescan.python.routes import Route
from confiance.codescan.python.sanitizers import ALL_SINKS, Clears, guard_clears
from confiance.codescan.python.sinks import Sink
from confiance.codescan.python.sources import is_request_annotation
from confiance.codescan.python.summary import Flow, Summary, symbolic
from confiance.codescan.python.taint import (
    Mark,
    SinkKind,
    SourceKind,
    Taint,
    Value,
    join,
)

__all__ = ["Engine"]

_MAX_DEPTH = 40
_LOOP_REPEAT_DEPTH = 3
_SCALAR_TYPES = frozenset(
    {"int", "float", "bool", "UUID", "date", "datetime", "Decimal", "PositiveInt", "conint"}
)
_REQUEST_NAMES = frozenset({"request", "req"})
_STOPPERS = frozenset({"abort", "exit", "quit", "_exit", "exit_json", "fail_json"})
_PATH_KINDS = frozenset({SinkKind.PATH, SinkKind.FILE_WRITE})
_FLASK = frozenset({"flask", "quart"})
_RESPONSE_NAME = re.compile(r"(?:^|[._])(?:resp|response|res|reply|rv)$", re.I)
_NOT_HTML = frozenset(
    {"jsonify", "render_template", "redirect", "make_response", "Response", "send_file", "abort"}
)


class Engine:
    """Runs the analysis over a module and collects the flows into sinks."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self.summaries: dict[str, Summary] = {}
        self.flows: list[Flow] = []
        self._active: list[str] = []

    def run(self) -> None:
        FunctionFlow(self, None).run(self.index.tree.body)
        for info in list(self.index.functions.values()):
            self.summary(info)

    def summary(self, info: FunctionInfo) -> Summary:
        """The summary of ``info``, analysing it first if needed (recursion sees an empty one)."""
        found = self.summaries.get(info.key)
        if found is not None:
            return found
        if info.key in self._active or len(self._active) > _MAX_DEPTH:
            return Summary()
        self._active.append(info.key)
        try:
            flow = FunctionFlow(self, info)
            flow.run(info.node.body)
        finally:
            self._active.pop()
        self.summaries[info.key] = flow.summary
        return flow.summary


class FunctionFlow(Evaluator):
    """Statement-level analysis of one function body (or of the module's top level)."""

    def __init__(self, engine: Engine, info: FunctionInfo | None) -> None:
        super().__init__(engine.index, info, engine.summary, engine.flows)
        self._loops = 0
        self._flask_route = bool(info and info.route and _is_flask(info.route, engine.index))
        self._statements: dict[type[ast.AST], Callable[[Any], bool]] = {
            ast.Assign: self._assign,
            ast.AnnAssign: self._annassign,
            ast.AugAssign: self._augassign,
            ast.Expr: self._expression,
            ast.Return: self._return,
            ast.Raise: self._raise,
            ast.If: self._if,
            ast.For: self._for,
            ast.AsyncFor: self._for,
            ast.While: self._while,
            ast.With: self._with,
            ast.AsyncWith: self._with,
            ast.Try: self._try,
            ast.TryStar: self._try,
            ast.Match: self._match,
            ast.Assert: self._assert,
            ast.Delete: self._delete,
            ast.Break: _stop,
            ast.Continue: _stop,
        }
        if info is not None:
            self._parameters(info)

    def run(self, body: list[ast.stmt]) -> None:
        self.block(body)

    def _parameters(self, info: FunctionInfo) -> None:
        node = info.node
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        self.request_vars = frozenset(
            a.arg
            for a in arguments
            if a.arg in _REQUEST_NAMES or is_request_annotation(a.annotation)
        )
        route, line = info.route, node.lineno
        for position, argument in enumerate(arguments):
            name = argument.arg
            if position == 0 and info.is_method:
                continue
            if _scalar(argument.annotation):
                if route is not None and not _bounded(info.node, argument):
                    self.env[name] = (_number_taint(name, line),)
                continue
            taints: list[Taint] = [symbolic(position, name, info.key, line)]
            if route is not None and name not in info.injected and name not in self.request_vars:
                remote = _param_taint(SourceKind.REMOTE, f"route parameter {name!r}", line)
                annotation = argument.annotation
                if isinstance(annotation, ast.Name):
                    remote = replace(remote, origin_type=annotation.id)
                if _bounded(node, argument):
                    remote = replace(remote, cleared=remote.cleared | {SinkKind.SIZE})
                taints.append(remote)
            if info.tool:
                taints.append(_param_taint(SourceKind.TOOL_ARG, f"tool argument {name!r}", line))
            self.env[name] = tuple(taints)

    # -- blocks -----------------------------------------------------------------------------

    def block(self, body: list[ast.stmt]) -> bool:
        """Run statements in order; True when the block always leaves (return/raise/abort)."""
        for statement in body:
            handler = self._statements.get(type(statement))
            if handler is not None and handler(statement):
                return True
        return False

    def _assign(self, node: ast.Assign) -> bool:
        value = self.expr(node.value)
        for target in node.targets:
            if value and isinstance(target, ast.Subscript) and _is_header_store(target, self.index):
                self.reach(Sink(SinkKind.HEADER, "response header"), node, value)
            self.bind(target, value, node.lineno)
        return False

    def _annassign(self, node: ast.AnnAssign) -> bool:
        if node.value is not None:
            self.bind(node.target, self.expr(node.value), node.lineno)
        return False

    def _augassign(self, node: ast.AugAssign) -> bool:
        value = join(self.expr(node.target), self.expr(node.value))
        if value and isinstance(node.op, ast.Add | ast.Mod):
            value = tuple(t if Mark.BUILT in t.marks else _built(t) for t in value)
        self.bind(node.target, value, node.lineno)
        return False

    def _expression(self, node: ast.Expr) -> bool:
        self.expr(node.value)
        call = node.value
        return isinstance(call, ast.Call) and last_name(call.func) in _STOPPERS

    def _return(self, node: ast.Return) -> bool:
        value = self.expr(node.value)
        if self._flask_route and node.value is not None:
            self._flask_body(node.value)
        self.summary.returns = join(self.summary.returns, value)
        return True

    def _flask_body(self, returned: ast.expr) -> None:
        body = returned.elts[0] if isinstance(returned, ast.Tuple) and returned.elts else returned
        if isinstance(body, ast.Dict | ast.List | ast.Constant | ast.DictComp | ast.ListComp):
            return
        if isinstance(body, ast.Call) and last_name(body.func) in _NOT_HTML:
            return
        self.reach(Sink(SinkKind.XSS, "Flask response body (text/html)"), returned, self.expr(body))

    def _raise(self, node: ast.Raise) -> bool:
        self.expr(node.exc)
        return True

    def _if(self, node: ast.If) -> bool:
        self.expr(node.test)
        when_true, when_false = guard_clears(node.test)
        before = dict(self.env)
        self._apply_clears(when_true)
        body_leaves = self.block(node.body)
        after_body = self.env
        self.env = dict(before)
        self._apply_clears(when_false)
        else_leaves = self.block(node.orelse)
        if body_leaves and not else_leaves:
            return False
        if else_leaves and not body_leaves:
            self.env = after_body
            return False
        self.env = _merge(after_body, self.env)
        return body_leaves and else_leaves

    def _apply_clears(self, clears: Clears) -> None:
        for name, kinds in clears.items():
            value = self.env.get(name)
            if value is None and "." in name:
                value = self.env.get(name.partition(".")[0])  # a checked attribute of a value
            if value:
                self.env[name] = tuple(_cleared(t, kinds) for t in value)

    def _loop(self, bind: Callable[[], None], body: list[ast.stmt]) -> None:
        before = dict(self.env)
        self._loops += 1
        try:
            bind()
            self.block(body)
            if self._loops <= _LOOP_REPEAT_DEPTH and self.env != before:
                bind()
                self.block(body)
        finally:
            self._loops -= 1
        self.env = _merge(before, self.env)

    def _for(self, node: ast.For | ast.AsyncFor) -> bool:
        iterated = self.expr(node.iter)
        self._loop(lambda: self.bind(node.target, iterated, node.lineno), node.body)
        self.block(node.orelse)
        return False

    def _while(self, node: ast.While) -> bool:
        self._loop(lambda: self._test(node.test), node.body)
        self.block(node.orelse)
        return False

    def _test(self, test: ast.expr) -> None:
        self.expr(test)

    def _with(self, node: ast.With | ast.AsyncWith) -> bool:
        for item in node.items:
            value = self.expr(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, value, node.lineno)
        return self.block(node.body)

    def _try(self, node: ast.Try | ast.TryStar) -> bool:
        before = dict(self.env)
        body_leaves = self.block(node.body) or self.block(node.orelse)
        after_body = self.env
        outcomes: list[dict[str, Value]] = [] if body_leaves else [after_body]
        all_leave = body_leaves
        for handler in node.handlers:
            self.env = _merge(before, after_body)
            if handler.name:
                self.env.pop(handler.name, None)
            if not self.block(handler.body):
                outcomes.append(self.env)
                all_leave = False
        self.env = _merge(*outcomes) if outcomes else after_body
        return self.block(node.finalbody) or all_leave

    def _match(self, node: ast.Match) -> bool:
        subject = self.expr(node.subject)
        before = dict(self.env)
        outcomes: list[dict[str, Value]] = []
        for case in node.cases:
            self.env = dict(before)
            for child in ast.walk(case.pattern):
                if isinstance(child, ast.MatchAs | ast.MatchStar) and child.name:
                    self.env[child.name] = subject
            if not self.block(case.body):
                outcomes.append(self.env)
        self.env = _merge(before, *outcomes)
        return False

    def _assert(self, node: ast.Assert) -> bool:
        self.expr(node.test)
        self._apply_clears(guard_clears(node.test)[0])
        return False

    def _delete(self, node: ast.Delete) -> bool:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.env.pop(target.id, None)
        return False


def _is_flask(route: Route, index: ModuleIndex) -> bool:
    """Whether a route's return value becomes a text/html body (Flask/Quart views)."""
    if not route.path:
        return False
    constructed = index.instances.get(route.router)
    if constructed is not None:
        return constructed[0].rpartition(".")[2] in ("Flask", "Blueprint", "Quart")
    return index.imports.imports_any(_FLASK)


def _is_header_store(target: ast.Subscript, index: ModuleIndex) -> bool:
    """``response.headers["X"] = ...`` or ``response["X"] = ...`` on a Django response."""
    owner = dotted(target.value) or ""
    if owner.endswith(".headers"):
        # A response's headers; an outgoing request's headers are not response splitting.
        return bool(_RESPONSE_NAME.search(owner.removesuffix(".headers")))
    constructed = index.instances.get(owner)
    return constructed is not None and constructed[0].rpartition(".")[2].endswith("Response")


def _stop(_node: ast.stmt) -> bool:
    return True


def _merge(*envs: dict[str, Value]) -> dict[str, Value]:
    if len(envs) == 1:
        return dict(envs[0])
    merged: dict[str, Value] = {}
    for env in envs:
        for key, value in env.items():
            merged[key] = join(merged[key], value) if key in merged else value
    return merged


def _cleared(taint: Taint, kinds: frozenset[SinkKind]) -> Taint:
    if kinds != ALL_SINKS and Mark.NORMALIZED not in taint.marks:
        kinds = kinds - _PATH_KINDS
    return replace(taint, cleared=taint.cleared | kinds)


def _built(taint: Taint) -> Taint:
    return replace(taint, marks=taint.marks | {Mark.BUILT})


def _scalar(annotation: ast.expr | None) -> bool:
    return annotation is not None and last_name(annotation) in _SCALAR_TYPES


def _number_taint(name: str, line: int) -> Taint:
    """A numeric route parameter: harmless in text, but it can still ask for any size."""
    taint = _param_taint(SourceKind.REMOTE, f"route parameter {name!r}", line)
    return replace(taint, cleared=ALL_SINKS - {SinkKind.SIZE}, marks=frozenset({Mark.NUMERIC}))


def _bounded(function: ast.FunctionDef | ast.AsyncFunctionDef, argument: ast.arg) -> bool:
    """``Query(le=100)``, ``Path(lt=...)``, ``conint(le=...)``, ``Annotated[int, Field(...)]``."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    pairs = dict(zip([a.arg for a in positional], defaults, strict=True))
    pairs.update(zip([a.arg for a in args.kwonlyargs], args.kw_defaults, strict=True))
    nodes = [pairs.get(argument.arg), argument.annotation]
    return any(
        isinstance(n, ast.keyword) and n.arg in ("le", "lt", "max_length")
        for node in nodes
        if node is not None
        for n in ast.walk(node)
    )


def _param_taint(kind: SourceKind, label: str, line: int) -> Taint:
    return Taint(kind=kind, label=label, line=line, steps=(f"line {line}: source {label}",))
