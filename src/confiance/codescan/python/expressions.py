"""Abstract evaluation of expressions: the taint an expression carries.

:class:`Evaluator` holds one function's environment (variable → :data:`Value`) and evaluates
expressions against it, creating taint at sources, propagating it through f-strings, ``%``,
``+``, ``.format``, containers, attribute and subscript reads and calls (taint in, taint out for
calls the module does not define; function summaries for calls it does), ending it at
sanitizers, and reporting it at sinks through :meth:`Evaluator.reach`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from confiance.codescan.python.index import FunctionInfo, ModuleIndex
from confiance.codescan.python.names import dotted, is_text, last_name
from confiance.codescan.python.sanitizers import (
    ALL_SINKS,
    NORMALIZERS,
    safe_url_prefix,
    sanitizer_clears,
)
from confiance.codescan.python.sinks import Sink, find_sinks
from confiance.codescan.python.sources import attribute_source, call_source
from confiance.codescan.python.summary import Flow, ParamSink, Summary, continued
from confiance.codescan.python.taint import (
    CLEAN,
    Mark,
    SinkKind,
    SourceKind,
    Taint,
    Value,
    add_marks,
    clear,
    join,
    trim_steps,
    with_step,
)

__all__ = ["Evaluator"]

_BUILT = frozenset({Mark.BUILT})
_CONTAINED = frozenset({Mark.CONTAINED})
_NORMALIZED = frozenset({Mark.NORMALIZED})
_SYSTEM_ROLES = frozenset({"system", "developer"})
_BUILDERS = frozenset({"format", "join", "format_map"})
_LINE_BREAKS = frozenset({SinkKind.LOG, SinkKind.HEADER})
# What a call that is itself one of these sinks returns is not reported again as XSS: the
# weakness is at the sink (a fetched page, a file, a redirect response).
_PRIMARY = frozenset(
    {
        SinkKind.SSRF,
        SinkKind.PATH,
        SinkKind.REDIRECT,
        SinkKind.COMMAND,
        SinkKind.SQL,
        SinkKind.DESERIALIZE,
        SinkKind.XXE,
    }
)
_NO_XSS = frozenset({SinkKind.XSS})
_NUMBERS = frozenset({"int", "float", "decimal.Decimal"})
_NUMERIC = frozenset({Mark.NUMERIC})


class Evaluator:
    """Expression evaluation for one function body (statements live in :mod:`flow`)."""

    def __init__(
        self,
        index: ModuleIndex,
        info: FunctionInfo | None,
        summaries: Callable[[FunctionInfo], Summary],
        flows: list[Flow],
    ) -> None:
        self.index = index
        self.info = info
        self.env: dict[str, Value] = {}
        self.summary = Summary()
        self.request_vars: frozenset[str] = frozenset()
        self._summaries = summaries
        self._flows = flows
        self._class = info.class_name if info else None
        self._dispatch: dict[type[ast.AST], Callable[[Any], Value]] = {
            ast.Constant: _clean,
            ast.Name: self._name,
            ast.Attribute: self._attribute,
            ast.Subscript: self._subscript,
            ast.Call: self.call,
            ast.JoinedStr: self._fstring,
            ast.FormattedValue: lambda n: self.expr(n.value),
            ast.BinOp: self._binop,
            ast.BoolOp: lambda n: join(*(self.expr(v) for v in n.values)),
            ast.IfExp: self._ifexp,
            ast.Compare: self._compare,
            ast.UnaryOp: self._unary,
            ast.List: self._sequence,
            ast.Tuple: self._sequence,
            ast.Set: self._sequence,
            ast.Dict: self._dict,
            ast.ListComp: self._comprehension,
            ast.SetComp: self._comprehension,
            ast.GeneratorExp: self._comprehension,
            ast.DictComp: self._comprehension,
            ast.Await: lambda n: self.expr(n.value),
            ast.Starred: lambda n: self.expr(n.value),
            ast.NamedExpr: self._walrus,
            ast.Yield: self._yield,
            ast.YieldFrom: self._yield,
        }

    # -- entry points -----------------------------------------------------------------------

    def expr(self, node: ast.expr | None) -> Value:
        if node is None:
            return CLEAN
        handler = self._dispatch.get(type(node))
        return handler(node) if handler is not None else CLEAN

    def bind(self, target: ast.expr, value: Value, line: int) -> None:
        """Assign ``value`` to ``target`` (strong update for names and attributes)."""
        if isinstance(target, ast.Name | ast.Attribute):
            key = dotted(target)
            if key is None:
                return
            if value:
                self.env[key] = with_step(value, f"line {line}: assigned to {key}")
            else:
                self.env.pop(key, None)
        elif isinstance(target, ast.Subscript):
            key = dotted(target.value)
            if key and value:
                stored = with_step(add_marks(value, _CONTAINED), f"line {line}: stored in {key}")
                self.env[key] = join(self.env.get(key, CLEAN), stored)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self.bind(element, value, line)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, value, line)

    def reach(self, sink: Sink, node: ast.AST, value: Value) -> None:
        """Report every taint of ``value`` that reaches ``sink`` unsanitized."""
        line, column = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        step = f"line {line}: reaches {sink.label}"
        for taint in value:
            if not taint.reaches(sink.kind):
                continue
            if sink.direct_only and Mark.CONTAINED in taint.marks:
                continue
            if sink.kind is SinkKind.MASS_ASSIGN and taint.origin_type in self.index.strict_models:
                continue
            if sink.kind is SinkKind.SIZE and not _numeric(taint):
                continue
            steps = trim_steps((*taint.steps, step))
            if taint.kind is SourceKind.PARAM:
                self.summary.param_sinks.append(
                    ParamSink(taint.param, sink, line, column, steps, taint.cleared, taint.marks)
                )
            else:
                self._flows.append(Flow(sink, line, column, replace(taint, steps=steps)))

    # -- simple expressions -----------------------------------------------------------------

    def _name(self, node: ast.Name) -> Value:
        return self.env.get(node.id, CLEAN)

    def _attribute(self, node: ast.Attribute) -> Value:
        source = attribute_source(node, self.index.imports, self.request_vars)
        if source is not None:
            return (source,)
        key = dotted(node)
        if key is not None and key in self.env:
            return self.env[key]
        return self.expr(node.value)

    def _subscript(self, node: ast.Subscript) -> Value:
        return self.expr(node.value)

    def _fstring(self, node: ast.JoinedStr) -> Value:
        value = join(*(self.expr(v) for v in node.values if isinstance(v, ast.FormattedValue)))
        if not value:
            return value
        value = add_marks(value, _BUILT)
        first = node.values[0] if node.values else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            value = clear(value, safe_url_prefix(first.value))
        return value

    def _binop(self, node: ast.BinOp) -> Value:
        value = join(self.expr(node.left), self.expr(node.right))
        if value and isinstance(node.op, ast.Mult):
            self._repetition(node)
        if not value or not isinstance(node.op, ast.Add | ast.Mod):
            return value
        if not (_textual(node.left) or _textual(node.right)):
            return value  # arithmetic or expression objects, not text being built
        value = add_marks(value, _BUILT)
        left = node.left
        if isinstance(left, ast.Constant) and isinstance(left.value, str):
            prefix = left.value.split("%", 1)[0] if isinstance(node.op, ast.Mod) else left.value
            value = clear(value, safe_url_prefix(prefix))
        return value

    def _repetition(self, node: ast.BinOp) -> None:
        """``"x" * n`` / ``[0] * n`` with a client-chosen ``n`` allocates what the client asks."""
        for sequence, count in ((node.left, node.right), (node.right, node.left)):
            if isinstance(sequence, ast.List | ast.Tuple) or (
                isinstance(sequence, ast.Constant) and isinstance(sequence.value, str | bytes)
            ):
                self.reach(Sink(SinkKind.SIZE, "sequence repetition"), node, self.expr(count))
                return

    def _ifexp(self, node: ast.IfExp) -> Value:
        self.expr(node.test)
        return join(self.expr(node.body), self.expr(node.orelse))

    def _compare(self, node: ast.Compare) -> Value:
        self.expr(node.left)
        for comparator in node.comparators:
            self.expr(comparator)
        return CLEAN

    def _unary(self, node: ast.UnaryOp) -> Value:
        value = self.expr(node.operand)
        return CLEAN if isinstance(node.op, ast.Not) else value

    def _sequence(self, node: ast.List | ast.Tuple | ast.Set) -> Value:
        values = [self.expr(e) for e in node.elts]
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            self._system_tuple(node, values[1])
        return add_marks(join(*values), _CONTAINED)

    def _dict(self, node: ast.Dict) -> Value:
        keys = [self.expr(k) for k in node.keys]
        values = [self.expr(v) for v in node.values]
        if self.index.llm:
            self._system_message(node, values)
        return add_marks(join(*keys, *values), _CONTAINED)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> Value:
        for generator in node.generators:
            self.bind(generator.target, self.expr(generator.iter), node.lineno)
            for condition in generator.ifs:
                self.expr(condition)
        if isinstance(node, ast.DictComp):
            return add_marks(join(self.expr(node.key), self.expr(node.value)), _CONTAINED)
        return add_marks(self.expr(node.elt), _CONTAINED)

    def _walrus(self, node: ast.NamedExpr) -> Value:
        value = self.expr(node.value)
        self.bind(node.target, value, node.lineno)
        return value

    def _yield(self, node: ast.Yield | ast.YieldFrom) -> Value:
        value = self.expr(node.value)
        self.summary.returns = join(self.summary.returns, value)
        return CLEAN

    # -- system prompts -----------------------------------------------------------------------

    def _system_message(self, node: ast.Dict, values: list[Value]) -> None:
        role: object = None
        content: Value = CLEAN
        where: ast.expr = node
        for key, value, node_value in zip(node.keys, values, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "role":
                role = node_value.value if isinstance(node_value, ast.Constant) else None
            elif isinstance(key, ast.Constant) and key.value in ("content", "parts"):
                content, where = value, node_value
        if role in _SYSTEM_ROLES and content:
            self.reach(Sink(SinkKind.SYSTEM_PROMPT, f"{role} message"), where, content)

    def _system_tuple(self, node: ast.Tuple, content: Value) -> None:
        first = node.elts[0]
        if (
            content
            and self.index.llm
            and isinstance(first, ast.Constant)
            and first.value in _SYSTEM_ROLES
        ):
            self.reach(Sink(SinkKind.SYSTEM_PROMPT, f"{first.value} message"), node, content)

    # -- calls --------------------------------------------------------------------------------

    def call(self, node: ast.Call) -> Value:
        index = self.index
        func = node.func
        qual = index.imports.qualname(func)
        receiver = self.expr(func) if isinstance(func, ast.Attribute) else CLEAN
        computed: dict[int, Value] = {}
        positional = [self._argument(a, computed) for a in node.args]
        keywords = {k.arg or "**": self._argument(k.value, computed) for k in node.keywords}
        hits = find_sinks(node, qual, index)
        for hit in hits:
            for target in hit.nodes:
                value = computed.get(id(target))
                where = target if target.lineno != node.lineno else node
                self.reach(hit.sink, where, value if value is not None else self.expr(target))
        source = call_source(node, qual, index.imports)
        callee = index.resolve(func, self._class)
        summarised = self._through_callee(callee, node, positional, keywords) if callee else None
        clears = sanitizer_clears(node, qual)
        if any(hit.sink.kind in _PRIMARY for hit in hits):
            clears = clears | _NO_XSS
        if clears == ALL_SINKS:
            return CLEAN
        if source is not None and not (source.kind is SourceKind.FILE and receiver):
            return (source,)
        if summarised is not None:
            return clear(summarised, clears)
        value = join(receiver, *positional, *keywords.values())
        return clear(self._shape(node, qual, value), clears)

    def _argument(self, node: ast.expr, computed: dict[int, Value]) -> Value:
        value = self.expr(node)
        computed[id(node)] = value
        if isinstance(node, ast.Starred):
            computed[id(node.value)] = value
        return value

    def _shape(self, node: ast.Call, qual: str | None, value: Value) -> Value:
        if not value:
            return value
        name = last_name(node.func)
        if qual in _NUMBERS:
            return add_marks(value, _NUMERIC)
        if name == "replace" and node.args and _breaks_lines(node.args[0]):
            return clear(value, _LINE_BREAKS)
        if qual in NORMALIZERS or name in NORMALIZERS:
            return add_marks(value, _NORMALIZED)
        if name in _BUILDERS and isinstance(node.func, ast.Attribute):
            value = add_marks(value, _BUILT)
            receiver = node.func.value
            if isinstance(receiver, ast.Constant) and isinstance(receiver.value, str):
                value = clear(value, safe_url_prefix(receiver.value.split("{", 1)[0]))
        return value

    def _through_callee(
        self,
        callee: FunctionInfo,
        node: ast.Call,
        positional: list[Value],
        keywords: dict[str, Value],
    ) -> Value:
        """Continue the arguments' taint through ``callee``'s summary."""
        summary = self._summaries(callee)
        params = _param_values(callee, node, positional, keywords)
        step = f"line {node.lineno}: passed to {callee.key}()"
        for sink in summary.param_sinks:
            for taint in params.get(sink.param, CLEAN):
                if sink.sink.kind in taint.cleared or sink.sink.kind in sink.cleared:
                    continue
                if sink.sink.direct_only and Mark.CONTAINED in (taint.marks | sink.marks):
                    continue
                moved = continued(taint, step, sink.steps, sink.cleared, sink.marks)
                if taint.kind is SourceKind.PARAM:
                    self.summary.param_sinks.append(
                        replace(sink, param=taint.param, steps=moved.steps, cleared=moved.cleared)
                    )
                else:
                    self._flows.append(Flow(sink.sink, sink.line, sink.column, moved))
        out: list[Taint] = []
        for returned in summary.returns:
            if returned.kind is SourceKind.PARAM:
                out.extend(
                    continued(t, step, returned.steps, returned.cleared, returned.marks)
                    for t in params.get(returned.param, CLEAN)
                )
            else:
                out.append(returned)
        return with_step(join(tuple(out)), f"line {node.lineno}: returned by {callee.key}()")


def _clean(_node: ast.AST) -> Value:
    return CLEAN


def _numeric(taint: Taint) -> bool:
    """A size from the client: a converted number, or a value read straight from the request
    (JSON numbers); not whatever a call on an injected route parameter returned."""
    return Mark.NUMERIC in taint.marks or not taint.label.startswith("route parameter")


def _breaks_lines(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and any(c in str(node.value) for c in "\r\n")


def _textual(node: ast.expr) -> bool:
    return is_text(node, _BUILDERS) and not (
        isinstance(node, ast.Call) and not isinstance(node.func, ast.Attribute)
    )


def _param_values(
    callee: FunctionInfo, node: ast.Call, positional: list[Value], keywords: dict[str, Value]
) -> dict[int, Value]:
    offset = 1 if callee.is_method else 0
    values: dict[int, Value] = {}
    for position, value in enumerate(positional):
        if isinstance(node.args[position], ast.Starred):
            break
        values[position + offset] = value
    for name, value in keywords.items():
        if name == "**":
            for position in range(offset, len(callee.params)):
                values[position] = join(values.get(position, CLEAN), value)
        elif name in callee.params:
            values[callee.params.index(name)] = value
    return values
