"""Human and machine reports of a scan: a Rich table and a JSON document.

Both read only :class:`~confiance.codescan.results.ScanResult`; snippets and messages were
masked by the analyzers, so no secret value can reach these outputs.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from confiance.codescan.findings import Finding, Severity, rules
from confiance.codescan.results import ScanResult

__all__ = ["JSON_VERSION", "finding_dict", "render_table", "to_json"]

JSON_VERSION = 1
_STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}
_SHOWN_SKIPPED = 15


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as plain JSON data, with the rule's CWE and OWASP mapping."""
    rule = rules.get(finding.rule_id) if finding.rule_id in rules else None
    data: dict[str, Any] = {
        "rule_id": finding.rule_id,
        "rule_name": rule.name if rule else finding.rule_id,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "message": finding.message,
        "snippet": finding.snippet,
        "fingerprint": finding.fingerprint,
        "cwe": f"CWE-{rule.cwe}" if rule else None,
        "owasp": list(rule.owasp) if rule else [],
        "trace": list(finding.trace),
    }
    if finding.verification is not None:
        data["verification"] = {
            "status": finding.verification.status.value,
            "reason": finding.verification.reason,
        }
    return data


def _summary(result: ScanResult) -> dict[str, Any]:
    counts = Counter(f.severity.value for f in result.all_findings())
    return {
        "files": len(result.files),
        "lines": result.lines_scanned,
        "findings": len(result.findings),
        "history_findings": len(result.history),
        "by_severity": {s.value: counts.get(s.value, 0) for s in reversed(Severity)},
        "suppressed": len(result.suppressed),
        "baselined": len(result.baselined),
        "skipped": len(result.skipped),
        "duration_s": round(result.duration_s, 3),
        "analyzers": list(result.analyzers),
        "diff_base": result.diff_base,
    }


def to_json(result: ScanResult) -> str:
    """The JSON report (stable keys, for scripts and dashboards)."""
    document = {
        "version": JSON_VERSION,
        "tool": "confiance scan",
        "summary": _summary(result),
        "findings": [finding_dict(f) for f in result.findings],
        "history": [
            {"commit": h.commit, "committed_at": h.committed_at, **finding_dict(h.finding)}
            for h in result.history
        ],
        "suppressed": [{**finding_dict(s.finding), "reason": s.reason} for s in result.suppressed],
        "baselined": [finding_dict(f) for f in result.baselined],
        "skipped": [
            {"path": s.path, "reason": s.reason, "partial": s.partial} for s in result.skipped
        ],
        "notes": [{"path": n.path, "note": n.note} for n in result.notes],
        "routes": [r.as_dict() for r in result.routes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _verified(finding: Finding) -> str:
    return f" [{finding.verification.label()}]" if finding.verification else ""


def _findings_table(title: str, findings: list[Finding], commits: list[str] | None) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    if commits is not None:
        table.add_column("Commit", no_wrap=True)
    table.add_column("Location", overflow="fold")
    table.add_column("Message", overflow="fold")
    for index, f in enumerate(findings):
        cells: list[Text | str] = [
            Text(f.severity.value, style=_STYLES[f.severity]),
            f.rule_id,
            *([commits[index][:12]] if commits is not None else []),
            f"{f.path}:{f.line}",
            Text(f.message + _verified(f) + (f"\n{f.snippet}" if f.snippet else "")),
        ]
        table.add_row(*cells)
    return table


def render_table(result: ScanResult, console: Console) -> None:
    """Findings, history findings, skipped files and a one-line summary."""
    if result.findings:
        console.print(_findings_table("Findings", list(result.findings), None))
    if result.history:
        console.print(
            _findings_table(
                "Secrets in git history (rotate them: deleting is not enough)",
                [h.finding for h in result.history],
                [h.commit for h in result.history],
            )
        )
    if result.skipped:
        console.print(f"[bold]Skipped or partly analysed files ({len(result.skipped)}):[/bold]")
        for skipped in result.skipped[:_SHOWN_SKIPPED]:
            console.print(f"  {skipped.path}: {skipped.reason}", markup=False, highlight=False)
        if len(result.skipped) > _SHOWN_SKIPPED:
            console.print(f"  ... {len(result.skipped) - _SHOWN_SKIPPED} more (see --format json)")
    for note in result.notes:
        console.print(f"  note: {note.path}: {note.note}", markup=False, highlight=False)
    summary = _summary(result)
    by_severity = ", ".join(f"{n} {s}" for s, n in summary["by_severity"].items() if n)
    console.print(
        f"[bold]{summary['findings'] + summary['history_findings']} findings[/bold]"
        f"{f' ({by_severity})' if by_severity else ''} in {summary['files']} files, "
        f"{summary['lines']} lines, {summary['duration_s']:.2f}s; "
        f"{summary['suppressed']} suppressed, {summary['baselined']} in baseline, "
        f"{summary['skipped']} skipped"
    )
