"""SARIF 2.1.0 output, shaped for GitHub code scanning.

Rules carry CWE and OWASP tags and a ``security-severity`` score (GitHub ranks alerts by it);
results carry relative URIs under ``%SRCROOT%``, 1-based regions, a ``partialFingerprints``
entry (our line-independent fingerprint) and ``codeFlows`` built from a finding's trace. Inline
suppressions and baseline entries are emitted as suppressed results, so the dashboard shows them
as dismissed with their justification. Skipped files become tool execution notifications.
"""

from __future__ import annotations

import re
from typing import Any

from confiance.codescan.findings import Finding, Rule, Severity, rules
from confiance.codescan.results import ScanResult

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "to_sarif"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SRCROOT = "%SRCROOT%"
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
# Trace steps read "path:line: what" (JavaScript) or "line N: what" (Python, same file).
_TRACE_STEP = re.compile(
    r"^(?:line\s+|(?P<path>[^:\s][^:]*):)?(?P<line>\d+)(?::(?P<col>\d+))?:\s*(?P<msg>.*)$"
)


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    owasp = ", ".join(rule.owasp) or "none"
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule.name)),
        "shortDescription": {"text": rule.name},
        "fullDescription": {"text": rule.description},
        "help": {
            "text": f"{rule.description}\n\nFix: {rule.fix}",
            "markdown": (
                f"**{rule.name}** (CWE-{rule.cwe}; OWASP: {owasp})\n\n{rule.description}\n\n"
                f"**How to fix:** {rule.fix}\n\n"
                f"Suppress a reviewed false positive with "
                f"`confiance: ignore[{rule.id}] <reason>` on the line or the line above."
            ),
        },
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": [
                "security",
                rule.family,
                f"external/cwe/cwe-{rule.cwe}",
                *(f"external/owasp/{o.replace(' ', '-')}" for o in rule.owasp),
            ],
            "precision": {"high": "high", "medium": "medium", "low": "low"}[rule.confidence],
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "cwe": f"CWE-{rule.cwe}",
        },
    }


def _location(
    path: str, line: int, column: int, end_line: int | None, snippet: str
) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(1, line), "startColumn": max(1, column)}
    if end_line is not None and end_line >= line:
        region["endLine"] = end_line
    if snippet:
        region["snippet"] = {"text": snippet}
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(path), "uriBaseId": _SRCROOT},
            "region": region,
        }
    }


def _uri(path: str) -> str:
    return "/".join(part.replace("%", "%25").replace(" ", "%20") for part in path.split("/"))


def _code_flows(finding: Finding) -> list[dict[str, Any]]:
    steps = []
    for step in finding.trace:
        match = _TRACE_STEP.match(step)
        if match:
            path = match.group("path") or finding.path
            line = int(match.group("line"))
            column = int(match.group("col") or 1)
            message = match.group("msg") or step
        else:
            path, line, column, message = finding.path, finding.line, finding.column, step
        location = _location(path, line, column, None, "")
        location["message"] = {"text": message}
        steps.append({"location": location})
    return [{"threadFlows": [{"locations": steps}]}] if steps else []


def _result(
    finding: Finding,
    index: dict[str, int],
    *,
    suppression: dict[str, str] | None = None,
    baseline_state: str | None = None,
    commit: str | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            _location(finding.path, finding.line, finding.column, finding.end_line, finding.snippet)
        ],
        "partialFingerprints": {"confiance/v1": finding.fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
            "security-severity": _SECURITY_SEVERITY[finding.severity],
        },
    }
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    flows = _code_flows(finding)
    if flows:
        result["codeFlows"] = flows
    if suppression is not None:
        result["suppressions"] = [suppression]
    if baseline_state is not None:
        result["baselineState"] = baseline_state
    if commit is not None:
        result["properties"]["commit"] = commit
    if finding.verification is not None:
        result["properties"]["verification"] = finding.verification.status.value
        result["properties"]["verificationReason"] = finding.verification.reason
    return result


def _notifications(result: ScanResult) -> list[dict[str, Any]]:
    return [
        {
            "level": "note" if skipped.partial else "warning",
            "message": {"text": f"{skipped.path}: {skipped.reason}"},
            "locations": [_location(skipped.path, 1, 1, None, "")],
        }
        for skipped in result.skipped
    ]


def to_sarif(result: ScanResult, *, tool_version: str) -> dict[str, Any]:
    """The SARIF log (a JSON-ready dict) for ``result``."""
    used = {f.rule_id for f in result.all_findings()} | {
        s.finding.rule_id for s in result.suppressed
    }
    descriptors = [r for r in rules.all() if r.id in set(result.rule_ids) | used]
    index = {rule.id: position for position, rule in enumerate(descriptors)}
    # When a baseline was applied every result says whether it is new (SARIF baselineState).
    baseline = "new" if result.baselined else None
    results = [_result(f, index, baseline_state=baseline) for f in result.findings]
    results += [
        _result(h.finding, index, commit=h.commit, baseline_state=baseline) for h in result.history
    ]
    results += [
        _result(
            s.finding,
            index,
            suppression={"kind": "inSource", "justification": s.reason},
            baseline_state=baseline,
        )
        for s in result.suppressed
    ]
    results += [
        _result(
            f,
            index,
            suppression={"kind": "external", "justification": "accepted in the baseline file"},
            baseline_state="unchanged",
        )
        for f in result.baselined
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "Confiance",
                        "version": tool_version,
                        "semanticVersion": tool_version,
                        "rules": [_rule_descriptor(rule) for rule in descriptors],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": _notifications(result),
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
