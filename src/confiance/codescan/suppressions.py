"""Inline suppressions: ``# confiance: ignore[RULE-ID] reason`` (``//`` in JavaScript).

A suppression applies to findings on its own line and, when it stands alone on a comment line, to
the line below. Rule ids may be patterns (``CF-SECRET-*``) and several may be listed with commas.
A suppression without a reason suppresses nothing and is itself reported as
``CF-SUPPRESS-NO-REASON``: accepting a risk is a decision someone must explain.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.results import SuppressedFinding

__all__ = ["NO_REASON_RULE", "Suppression", "apply_suppressions", "find_suppressions"]

NO_REASON_RULE = rules.register(
    Rule(
        id="CF-SUPPRESS-NO-REASON",
        name="Suppression without a reason",
        family="suppressions",
        cwe=1164,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        description="An inline `confiance: ignore[...]` comment gives no reason, so it does not "
        "suppress anything and the accepted risk is undocumented.",
        fix="Write why the finding is acceptable after the bracket, e.g. "
        "`# confiance: ignore[CF-PY-SQLI] table name comes from a fixed allow-list`.",
        owasp=("ASVS V1.1.2",),
        languages=("any",),
    )
)

_MARKER = re.compile(r"(?:#|//|/\*|<!--|--)\s*confiance:\s*ignore\[(?P<ids>[^\]]*)\](?P<rest>.*)$")
_COMMENT_ONLY = re.compile(r"^\s*(?:#|//|/\*|<!--|--|\*)")
_CLOSERS = re.compile(r"\s*(?:\*/|-->)\s*$")


@dataclass(frozen=True, slots=True)
class Suppression:
    line: int
    column: int
    patterns: tuple[str, ...]
    reason: str
    standalone: bool
    text: str

    def covers(self, finding: Finding) -> bool:
        on_line = finding.line == self.line or (self.standalone and finding.line == self.line + 1)
        return on_line and any(fnmatch.fnmatchcase(finding.rule_id, p) for p in self.patterns)


def find_suppressions(text: str) -> list[Suppression]:
    """Every suppression comment in ``text`` (a cheap substring test skips most files)."""
    if "confiance:" not in text:
        return []
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MARKER.search(line)
        if not match:
            continue
        patterns = tuple(p.strip().upper() for p in match.group("ids").split(",") if p.strip())
        reason = _CLOSERS.sub("", match.group("rest")).strip(" \t-:—")
        found.append(
            Suppression(
                line=number,
                column=match.start() + 1,
                patterns=patterns,
                reason=reason if any(c.isalnum() for c in reason) else "",
                standalone=bool(_COMMENT_ONLY.match(line)),
                text=line.strip(),
            )
        )
    return found


def apply_suppressions(
    findings: list[Finding], text: str, path: str
) -> tuple[list[Finding], list[SuppressedFinding]]:
    """Split ``findings`` into those that remain and those a reasoned suppression covers.

    Reasonless suppressions come back as ``CF-SUPPRESS-NO-REASON`` findings among the remaining.
    """
    suppressions = find_suppressions(text)
    if not suppressions:
        return findings, []
    valid = [s for s in suppressions if s.reason and s.patterns]
    remaining: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    for finding in findings:
        match = next((s for s in valid if s.covers(finding)), None)
        if match is None:
            remaining.append(finding)
        else:
            suppressed.append(SuppressedFinding(finding, match.reason))
    for s in suppressions:
        if s.reason and s.patterns:
            continue
        what = "no rule id" if not s.patterns else "no reason"
        remaining.append(
            Finding(
                rule_id=NO_REASON_RULE.id,
                path=path,
                line=s.line,
                column=s.column,
                message=f"Suppression with {what} does not suppress anything: "
                "write `confiance: ignore[RULE-ID] why this is acceptable`",
                severity=NO_REASON_RULE.severity,
                confidence=NO_REASON_RULE.confidence,
                snippet=s.text[:200],
            )
        )
    return remaining, suppressed
