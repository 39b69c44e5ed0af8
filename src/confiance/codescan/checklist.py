"""The security review checklist of a project, from a scan and the sign-off file.

Automated items: ``fail`` with file:line evidence when a selected rule has findings, ``pass`` when
selected rules ran and found nothing, ``not-applicable`` (with the reason) when nothing the item
is about exists in the project (no route, no LLM call), ``needs-review`` when no rule covers the
item in this installation. Manual items: ``pass`` only with a current sign-off, ``needs-review``
without one or with a stale one (the reason says why), ``not-applicable`` when no file is in their
scope. Nobody's review is ever assumed: an unreviewed manual item never passes. The route
inventory (every handler, its auth evidence and dangerous operations) is part of the page.
Rendered as Markdown or a self-contained HTML page (inline CSS, no external assets).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import jinja2

from confiance.codescan.checklist_items import ITEMS, ChecklistItem, ItemKind, covers
from confiance.codescan.files import Unreadable, read_source, walk
from confiance.codescan.findings import Finding, rules
from confiance.codescan.inventory import RouteEntry
from confiance.codescan.results import DEFAULT_MAX_FILE_SIZE, ScannedFile, ScanResult
from confiance.codescan.signoff import SignOff, staleness
from confiance.codescan.topics import detect_topics

__all__ = [
    "Checklist",
    "Evidence",
    "ItemResult",
    "ItemStatus",
    "build_checklist",
    "covered_files",
    "project_files",
    "render",
]

_MAX_EVIDENCE = 50


class ItemStatus(StrEnum):
    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    NEEDS_REVIEW = "needs-review"
    NOT_APPLICABLE = "not-applicable"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


@dataclass(frozen=True, slots=True)
class Evidence:
    path: str
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class ItemResult:
    item: ChecklistItem
    status: ItemStatus
    reason: str
    evidence: tuple[Evidence, ...]
    rule_ids: tuple[str, ...]
    signoff: SignOff | None = None

    @property
    def more_evidence(self) -> int:
        return max(0, len(self.evidence) - _MAX_EVIDENCE)

    @property
    def shown_evidence(self) -> tuple[Evidence, ...]:
        return self.evidence[:_MAX_EVIDENCE]


@dataclass(frozen=True, slots=True)
class Checklist:
    project: str
    generated_at: datetime
    items: tuple[ItemResult, ...]
    routes: tuple[RouteEntry, ...] = ()

    def count(self, status: ItemStatus) -> int:
        return sum(1 for i in self.items if i.status is status)


def project_files(root: Path, *, max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> list[ScannedFile]:
    """Digest and topics of every readable file under ``root`` (no analyzers run)."""
    found = []
    for candidate in walk([root], root, max_file_size=max_file_size).candidates:
        try:
            source = read_source(candidate, max_file_size)
        except Unreadable:
            continue
        topics = detect_topics(source.text)
        found.append(
            ScannedFile(
                path=candidate.rel,
                sha256=source.sha256,
                lines=source.text.count("\n") + 1,
                kind=candidate.kind.value,
                topics=tuple(t for t, _ in topics),
                topic_lines=topics,
            )
        )
    return found


def covered_files(item: ChecklistItem, files: Iterable[ScannedFile]) -> list[ScannedFile]:
    return [f for f in files if covers(item, f.path, f.topics)]


def _out_of_scope(item: ChecklistItem) -> str:
    what = ", ".join(item.topics) or "files matching " + ", ".join(item.globs)
    return f"not applicable: no file in scope ({what})"


def _automated(
    item: ChecklistItem, findings: list[Finding], active: set[str], files: list[ScannedFile]
) -> ItemResult:
    selected = tuple(r.id for r in rules.all() if item.selects(r) and r.id in active)
    hits = [f for f in findings if f.rule_id in selected]
    evidence = tuple(Evidence(f.path, f.line, f"{f.rule_id}: {f.message}") for f in hits)
    if hits:
        return ItemResult(item, ItemStatus.FAIL, f"{len(hits)} finding(s)", evidence, selected)
    if item.topics and not covered_files(item, files):
        return ItemResult(item, ItemStatus.NOT_APPLICABLE, _out_of_scope(item), (), selected)
    if not selected:
        return ItemResult(
            item, ItemStatus.NEEDS_REVIEW, "no automated rule covers this here: review by hand",
            (), (),
        )  # fmt: skip
    return ItemResult(item, ItemStatus.PASS, f"{len(selected)} rule(s), no finding", (), selected)


def _scope_line(item: ChecklistItem, file: ScannedFile) -> int:
    lines = [line for topic, line in file.topic_lines if topic in item.topics]
    return min(lines, default=1)


def _scope_text(item: ChecklistItem, file: ScannedFile) -> str:
    topics = [t for t in file.topics if t in item.topics]
    return "in scope: " + (", ".join(topics) if topics else "file pattern")


def _manual(
    item: ChecklistItem,
    files: list[ScannedFile],
    signoff: SignOff | None,
    *,
    now: datetime,
    max_age_days: int,
) -> ItemResult:
    covered = covered_files(item, files)
    evidence = tuple(Evidence(f.path, _scope_line(item, f), _scope_text(item, f)) for f in covered)
    if signoff is not None:
        stale = staleness(signoff, covered, now=now, max_age_days=max_age_days)
        if stale.stale:
            return ItemResult(
                item, ItemStatus.NEEDS_REVIEW, "stale sign-off: " + "; ".join(stale.reasons),
                evidence, (), signoff,
            )  # fmt: skip
        reason = f"signed off by {signoff.by} on {signoff.at.date().isoformat()}"
        return ItemResult(item, ItemStatus.PASS, reason, evidence, (), signoff)
    if not covered and (item.topics or item.globs):
        return ItemResult(item, ItemStatus.NOT_APPLICABLE, _out_of_scope(item), (), ())
    return ItemResult(
        item, ItemStatus.NEEDS_REVIEW, "not signed off yet (confiance scan signoff)", evidence, ()
    )


def build_checklist(
    result: ScanResult,
    *,
    files: list[ScannedFile],
    signoffs: dict[str, SignOff],
    now: datetime,
    max_age_days: int,
    project: str,
) -> Checklist:
    """Every checklist item with its status, reason, evidence and rules."""
    findings = result.all_findings()
    active = set(result.rule_ids)
    items = tuple(
        _automated(item, findings, active, files)
        if item.kind is ItemKind.AUTOMATED
        else _manual(item, files, signoffs.get(item.id), now=now, max_age_days=max_age_days)
        for item in ITEMS
    )
    return Checklist(project, now, items, tuple(result.routes))


def _md_cell(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("confiance.codescan", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = _md_cell
    return env


def render(checklist: Checklist, fmt: str) -> str:
    """``md`` or ``html`` text of the checklist."""
    template = _environment().get_template(f"checklist.{fmt}.j2")
    return template.render(checklist=checklist, statuses=ItemStatus, kinds=ItemKind)
