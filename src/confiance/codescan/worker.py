"""One file, start to finish: read, run the analyzers for its kind, mask, suppress.

This is what worker processes run, so everything here is picklable and import-time cheap. No
exception from one file can stop a scan: each analyzer failure becomes a skipped entry (partial
when the secret scan still ran) with a reason.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date

from confiance.codescan import javascript
from confiance.codescan.files import Candidate, FileKind, Unreadable, read_source
from confiance.codescan.findings import Finding, rules
from confiance.codescan.inventory import RouteEntry
from confiance.codescan.notebooks import Cell, code_cells
from confiance.codescan.python import analyze_module as analyze_python
from confiance.codescan.results import FileNote, ScannedFile, SkippedFile, SuppressedFinding
from confiance.codescan.secretpolicy import SecretPolicy
from confiance.codescan.secrets import mask, scan_secrets
from confiance.codescan.suppressions import apply_suppressions
from confiance.codescan.topics import detect_topics

__all__ = ["ANALYZERS", "FileOutcome", "WorkerSettings", "analyze_chunk", "analyze_file"]

ANALYZERS = ("secrets", "javascript", "python")
_CODE_KINDS = frozenset({FileKind.PYTHON, FileKind.JAVASCRIPT, FileKind.TYPESCRIPT, FileKind.TSX})
_MINIFIED_LINE = 5000
_SNIPPET_WIDTH = 200
_CWE_CREDENTIAL = 798
_GENERIC = "CF-SECRET-GENERIC"
_CONTEXT_ONLY = frozenset({_GENERIC, "CF-SECRET-PUBLIC-LLM-KEY"})
_BY_NAME_RULE = "CF-PY-HARDCODED-CREDENTIAL"
_SAME_CLAIM = frozenset({"CF-LLM-HARDCODED-API-KEY", _BY_NAME_RULE})
_TRACE_LINE = re.compile(r"^line (\d+)")


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    max_file_size: int
    today: date | None = None
    policy: SecretPolicy = field(default_factory=SecretPolicy)


@dataclass(frozen=True, slots=True)
class FileOutcome:
    path: str
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[SuppressedFinding, ...] = ()
    skipped: SkippedFile | None = None
    note: FileNote | None = None
    scanned: ScannedFile | None = None


class _Masker:
    """Replaces every secret value found in the file, wherever another analyzer echoed it."""

    def __init__(self, values: tuple[str, ...]) -> None:
        self._values = sorted(set(values), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, mask(value))
        return text

    def finding(self, finding: Finding, lines: list[str]) -> Finding:
        snippet = finding.snippet
        if not snippet and 0 < finding.line <= len(lines):
            snippet = lines[finding.line - 1].strip()[:_SNIPPET_WIDTH]
        return dataclasses.replace(
            finding,
            snippet=self(snippet),
            message=self(finding.message),
            trace=tuple(self(step) for step in finding.trace),
        )


def _syntax_reason(exc: SyntaxError) -> str:
    return f"Python syntax error line {exc.lineno}: {exc.msg}; only secrets were scanned"


_Code = tuple[list[Finding], str | None, list[RouteEntry]]


def _python(text: str, path: str, settings: WorkerSettings) -> _Code:
    try:
        findings, routes = analyze_python(text, path, today=settings.today)
    except SyntaxError as exc:
        return [], _syntax_reason(exc), []
    except Exception as exc:
        # A defect in one rule must not abort a CI scan; the skipped entry makes it visible.
        reason = f"Python analysis failed ({type(exc).__name__}: {exc}); only secrets scanned"
        return [], reason, []
    return findings, None, routes


def _notebook(text: str, path: str, settings: WorkerSettings) -> tuple[list[Finding], str | None]:
    findings: list[Finding] = []
    failures = []
    for number, cell in enumerate(code_cells(text), start=1):
        found, reason, _ = _python(cell.source, path, settings)
        if reason:
            failures.append(f"cell {number}")
        for f in found:
            trace = tuple(_cell_step(cell, step) for step in f.trace)
            line = _cell_line(cell, f.line)
            findings.append(dataclasses.replace(f, line=line, end_line=None, trace=trace))
    reason = f"code in {', '.join(failures)} does not parse" if failures else None
    return findings, reason


def _cell_line(cell: Cell, line: int) -> int:
    return cell.lines[min(max(line, 1), len(cell.lines)) - 1]


def _cell_step(cell: Cell, step: str) -> str:
    """``line 3: ...`` in cell coordinates becomes the line of the notebook file."""
    return _TRACE_LINE.sub(lambda m: f"line {_cell_line(cell, int(m.group(1)))}", step)


def _javascript(text: str, path: str) -> _Code:
    if max((len(line) for line in text.splitlines()), default=0) > _MINIFIED_LINE:
        return [], "minified or generated JavaScript: only secrets were scanned", []
    try:
        findings, routes = javascript.analyze_module(text, path)
    except Exception as exc:
        # Same reasoning as for Python: report, never abort.
        reason = f"JavaScript analysis failed ({type(exc).__name__}: {exc}); only secrets scanned"
        return [], reason, []
    return findings, None, routes


def _code_findings(candidate: Candidate, text: str, settings: WorkerSettings) -> _Code:
    if candidate.kind is FileKind.PYTHON:
        return _python(text, candidate.rel, settings)
    if candidate.kind in (FileKind.JAVASCRIPT, FileKind.TYPESCRIPT, FileKind.TSX):
        return _javascript(text, candidate.rel)
    if candidate.kind is FileKind.NOTEBOOK:
        return (*_notebook(text, candidate.rel, settings), [])
    return [], None, []


def _one_per_secret(secrets: tuple[Finding, ...], code: list[Finding]) -> list[Finding]:
    """One finding per secret, where a code rule and the secret scan report the same one (the
    issue is a hard-coded credential, CWE-798): a vendor-format finding wins over the code
    rule's (it names the vendor and can be verified); a code rule's finding wins over the
    generic high-entropy one. Findings that say something else (a key in browser code) stay."""
    credential_lines = {
        f.line for f in code if f.rule_id in rules and rules.get(f.rule_id).cwe == _CWE_CREDENTIAL
    }
    vendor_lines = {f.line for f in secrets if f.rule_id not in _CONTEXT_ONLY}
    kept_secrets = [
        f for f in secrets if not (f.rule_id == _GENERIC and f.line in credential_lines)
    ]
    kept_code = [f for f in code if not (f.rule_id in _SAME_CLAIM and f.line in vendor_lines)]
    return [*kept_secrets, *kept_code]


def _allowed_by_policy(code: list[Finding], rel: str, policy: SecretPolicy) -> list[Finding]:
    """The secrets allow-list covers the code rules' credential findings too: none in allowed
    paths, and in test fixtures none of those that rest on the variable name alone."""
    if policy.allows_path(rel):
        return [f for f in code if f.rule_id not in _SAME_CLAIM]
    if policy.is_fixture(rel):
        return [f for f in code if f.rule_id != _BY_NAME_RULE]
    return code


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: dict[tuple[str, int, int], Finding] = {}
    for f in findings:
        seen.setdefault((f.rule_id, f.line, f.column), f)
    return list(seen.values())


def analyze_file(candidate: Candidate, settings: WorkerSettings) -> FileOutcome:
    """Everything the scan learns from one file (never raises for a bad file)."""
    try:
        source = read_source(candidate, settings.max_file_size)
    except Unreadable as exc:
        return FileOutcome(candidate.rel, skipped=SkippedFile(candidate.rel, exc.reason))
    text = source.text
    secrets = scan_secrets(
        text,
        candidate.rel,
        quoted_only=candidate.kind in _CODE_KINDS,
        lockfile=candidate.kind is FileKind.LOCKFILE,
        policy=settings.policy,
    )
    code, failure, routes = _code_findings(candidate, text, settings)
    code = _allowed_by_policy(code, candidate.rel, settings.policy)
    lines = text.splitlines()
    masker = _Masker(secrets.values)
    findings = _dedupe(_one_per_secret(secrets.findings, code))
    remaining, suppressed = apply_suppressions(findings, text, candidate.rel)
    # Mask last: suppression findings and other analyzers' snippets quote raw lines too.
    remaining = [masker.finding(f, lines) for f in remaining]
    suppressed = [SuppressedFinding(masker.finding(s.finding, lines), s.reason) for s in suppressed]
    topics = detect_topics(text) if candidate.kind is not FileKind.LOCKFILE else ()
    return FileOutcome(
        path=candidate.rel,
        findings=tuple(remaining),
        suppressed=tuple(suppressed),
        skipped=SkippedFile(candidate.rel, failure, partial=True) if failure else None,
        note=FileNote(candidate.rel, source.note) if source.note else None,
        scanned=ScannedFile(
            path=candidate.rel,
            sha256=source.sha256,
            lines=len(lines),
            kind=candidate.kind.value,
            topics=tuple(t for t, _ in topics),
            topic_lines=topics,
            routes=tuple(routes),
        ),
    )


def analyze_chunk(chunk: list[Candidate], settings: WorkerSettings) -> list[FileOutcome]:
    """A batch of files for one worker process (batches keep pickling overhead low)."""
    return [analyze_file(candidate, settings) for candidate in chunk]
