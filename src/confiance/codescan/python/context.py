"""What a check sees: the module, its index, the data-flow results and the walk position.

:class:`ModuleContext` also builds findings, so that every finding carries the rule's severity and
confidence (unless the check lowers them), the offending line as its snippet with secrets
masked, and its trace.
"""

from __future__ import annotations

import ast
import datetime as dt
import re

from confiance.catalog import Catalog
from confiance.codescan.findings import Confidence, Finding, Rule, Severity
from confiance.codescan.python.index import FunctionInfo, ModuleIndex
from confiance.codescan.python.llm import LLMApi, llm_call
from confiance.codescan.python.summary import Summary
from confiance.codescan.secrets import mask

__all__ = ["ModuleContext", "mask_secret"]

_KEY_SHAPES = re.compile(
    r"(sk-(?:ant-|proj-)?[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{12,}|gsk_[A-Za-z0-9]{12,}|"
    r"xai-[A-Za-z0-9]{12,}|hf_[A-Za-z0-9]{12,}|AKIA[0-9A-Z]{12,}|gh[pousr]_[A-Za-z0-9]{12,})"
)


_CALL_SHAPES = (".completions.", ".messages.", "generate_content", "completion(", ".invoke(")


def mask_secret(text: str, secret: str | None = None) -> str:
    """``text`` with ``secret`` and anything shaped like a vendor key replaced by a mask that
    keeps the first four characters."""
    if secret:
        text = text.replace(secret, _mask(secret))
    return _KEY_SHAPES.sub(lambda m: _mask(m.group(0)), text)


def _mask(secret: str) -> str:
    # The secret scanner's mask: one secret reads the same in every finding.
    return mask(secret)


class ModuleContext:
    def __init__(
        self,
        path: str,
        source: str,
        index: ModuleIndex,
        summaries: dict[str, Summary],
        today: dt.date,
    ) -> None:
        self.path = path
        self.source = source
        self.lines = source.splitlines()
        self.index = index
        self.summaries = summaries
        self.today = today
        self.functions: list[FunctionInfo] = []
        self.statements: list[ast.stmt] = []
        self._catalog: Catalog | None = None
        self._qualnames: dict[int, str | None] = {}
        self._llm: dict[int, LLMApi | None] = {}
        self._may_call_llm: bool | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog.load()
        return self._catalog

    @property
    def may_call_llm(self) -> bool:
        """Cheap pre-check for the loop/recursion rules: an LLM package is imported or a
        vendor call shape appears in the text."""
        if self._may_call_llm is None:
            self._may_call_llm = self.index.llm or any(
                shape in self.source for shape in _CALL_SHAPES
            )
        return self._may_call_llm

    @property
    def function(self) -> FunctionInfo | None:
        """The innermost function being walked (None at module or class level)."""
        return self.functions[-1] if self.functions else None

    @property
    def statement(self) -> ast.stmt | None:
        """The innermost statement being walked."""
        return self.statements[-1] if self.statements else None

    def qualname(self, node: ast.expr) -> str | None:
        key = id(node)
        if key not in self._qualnames:
            self._qualnames[key] = self.index.imports.qualname(node)
        return self._qualnames[key]

    def llm_call(self, node: ast.Call) -> LLMApi | None:
        key = id(node)
        if key not in self._llm:
            self._llm[key] = llm_call(node, self.index.imports)
        return self._llm[key]

    def snippet(self, line: int, secret: str | None = None) -> str:
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return mask_secret(text, secret)

    def finding(
        self,
        rule: Rule,
        node: ast.AST,
        message: str,
        *,
        confidence: Confidence | None = None,
        severity: Severity | None = None,
        trace: tuple[str, ...] = (),
        secret: str | None = None,
    ) -> Finding:
        """A finding of ``rule`` at ``node``; ``secret`` is masked in the snippet."""
        line = getattr(node, "lineno", 1)
        return Finding(
            rule_id=rule.id,
            path=self.path,
            line=line,
            column=getattr(node, "col_offset", 0) + 1,
            message=mask_secret(message, secret),
            severity=severity or rule.severity,
            confidence=confidence or rule.confidence,
            end_line=getattr(node, "end_lineno", None),
            snippet=self.snippet(line, secret),
            trace=trace,
        )
