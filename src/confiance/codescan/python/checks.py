"""The registry of Python checks that rule family modules fill.

Three kinds of check, all registered the same way by built-in families and plugins:

* :class:`TaintRule`: a rule that fires when data of given source kinds reaches given sink kinds
  (the data-flow engine produces the flows; each accepted source kind sets the confidence);
* node checks: functions called for every AST node of a type, or for calls by resolved name or
  method name (dispatch is a dictionary lookup, so adding checks costs nothing per node type
  nobody asked for);
* module checks: functions called once per module with the whole context (routes, summaries).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from confiance.codescan.findings import Confidence, Finding, Rule
from confiance.codescan.python.taint import SinkKind, SourceKind

if TYPE_CHECKING:
    from confiance.codescan.python.context import ModuleContext

__all__ = ["CheckRegistry", "TaintRule", "checks"]

NodeCheck = Callable[[Any, "ModuleContext"], Iterable[Finding]]
ModuleCheck = Callable[["ModuleContext"], Iterable[Finding]]
_F = TypeVar("_F", bound=Callable[..., Iterable[Finding]])


@dataclass(frozen=True, slots=True)
class TaintRule:
    """``sources`` maps each accepted source kind to the confidence a finding from it gets.
    A finding of this rule hides the findings of the ``supersedes`` rules on the same line."""

    rule: Rule
    sinks: frozenset[SinkKind]
    sources: Mapping[SourceKind, Confidence]
    supersedes: tuple[str, ...] = ()


class CheckRegistry:
    def __init__(self) -> None:
        self.taint_rules: list[TaintRule] = []
        self.by_sink: dict[SinkKind, list[TaintRule]] = {}
        self.by_type: dict[type[ast.AST], list[NodeCheck]] = {}
        self.by_call: dict[str, list[NodeCheck]] = {}
        self.by_method: dict[str, list[NodeCheck]] = {}
        self.module_checks: list[ModuleCheck] = []

    def taint(
        self,
        rule: Rule,
        sinks: Iterable[SinkKind],
        sources: Mapping[SourceKind, Confidence],
        supersedes: tuple[str, ...] = (),
    ) -> TaintRule:
        entry = TaintRule(rule, frozenset(sinks), dict(sources), supersedes)
        self.taint_rules.append(entry)
        for sink in entry.sinks:
            self.by_sink.setdefault(sink, []).append(entry)
        return entry

    def on(self, *types: type[ast.AST]) -> Callable[[_F], _F]:
        """Register a check for every node of the given types."""

        def register(check: _F) -> _F:
            for node_type in types:
                self.by_type.setdefault(node_type, []).append(check)
            return check

        return register

    def on_call(self, names: Iterable[str] = (), methods: Iterable[str] = ()) -> Callable[[_F], _F]:
        """Register a call check by resolved qualified name and/or by method name."""

        def register(check: _F) -> _F:
            for name in names:
                self.by_call.setdefault(name, []).append(check)
            for method in methods:
                self.by_method.setdefault(method, []).append(check)
            return check

        return register

    def module(self, check: _F) -> _F:
        """Register a check that runs once per module."""
        self.module_checks.append(check)
        return check


checks = CheckRegistry()
"""The registry :func:`confiance.codescan.python.analyze` runs."""
