"""Per-file state shared by the JavaScript checks: the source, its lines and the findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from confiance.codescan.findings import Finding, Rule, Severity
from confiance.codescan.javascript.flow import Source

__all__ = ["FileContext"]

_SNIPPET_WIDTH = 200


@dataclass(slots=True)
class FileContext:
    source: bytes
    path: str
    findings: list[Finding] = field(default_factory=list)
    _lines: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lines = self.source.split(b"\n")

    def line_text(self, line: int) -> str:
        raw = self._lines[line - 1] if 0 < line <= len(self._lines) else b""
        return raw.decode("utf-8", "replace").rstrip("\r")

    def column(self, node: Node) -> int:
        """1-based column in characters (tree-sitter counts bytes)."""
        row, byte_col = node.start_point
        prefix = self._lines[row][:byte_col] if row < len(self._lines) else b""
        return len(prefix.decode("utf-8", "replace")) + 1

    def snippet(self, line: int, column: int) -> str:
        text = self.line_text(line)
        if len(text.strip()) <= _SNIPPET_WIDTH:
            return text.strip()
        start = max(0, column - 1 - _SNIPPET_WIDTH // 2)
        return text[start : start + _SNIPPET_WIDTH].strip()

    def report(
        self,
        rule: Rule,
        node: Node,
        message: str,
        *,
        severity: Severity | None = None,
        source: Source | None = None,
    ) -> None:
        line = node.start_point[0] + 1
        column = self.column(node)
        trace: tuple[str, ...] = ()
        if source is not None:
            trace = (
                f"{self.path}:{source.line}: {source.what}",
                f"{self.path}:{line}: reaches {rule.name.lower()}",
            )
        self.findings.append(
            Finding(
                rule_id=rule.id,
                path=self.path,
                line=line,
                column=column,
                end_line=node.end_point[0] + 1,
                message=message,
                severity=severity or rule.severity,
                confidence=rule.confidence,
                snippet=self.snippet(line, column),
                trace=trace,
            )
        )
