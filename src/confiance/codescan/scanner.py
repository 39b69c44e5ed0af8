"""The scan driver: paths in, :class:`~confiance.codescan.results.ScanResult` out.

Walks the paths, analyses files (serially for a few, in worker processes in size-balanced chunks
for many), then applies the filters in a fixed order: rule selection, ``--diff`` lines, baseline.
Inline suppressions were already applied per file. Nothing scanned is imported or executed.
"""

from __future__ import annotations

import fnmatch
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from confiance.codescan.baseline import load_baseline, split_by_baseline
from confiance.codescan.diff import ChangedLines, changed_lines
from confiance.codescan.files import Candidate, ignore_predicate, walk
from confiance.codescan.findings import Finding, rules
from confiance.codescan.history import scan_history
from confiance.codescan.results import (
    HistoryFinding,
    ScannedFile,
    ScanOptions,
    ScanResult,
    SkippedFile,
    SuppressedFinding,
    sort_findings,
)
from confiance.codescan.secretpolicy import SecretPolicy, load_policy
from confiance.codescan.worker import ANALYZERS, FileOutcome, WorkerSettings, analyze_chunk
from confiance.errors import UsageError

__all__ = ["load_rules", "resolve_root", "rule_selector", "scan"]

_PARALLEL_MIN_FILES = 40
_PROGRESS_MIN_FILES = 200
_CHUNKS_PER_WORKER = 8


def load_rules() -> list[str]:
    """The analyzers; importing them (done by this module) registers every rule."""
    return list(ANALYZERS)


def rule_selector(include: Sequence[str], exclude: Sequence[str]) -> Callable[[str], bool]:
    """A predicate over rule ids. Raises :class:`UsageError` for a pattern matching no rule."""
    known = [r.id for r in rules.all()]
    for option, patterns in (("--rules", include), ("--exclude-rules", exclude)):
        for pattern in patterns:
            if not fnmatch.filter(known, pattern.upper()):
                raise UsageError(
                    f"{option}: no rule matches {pattern!r}; list them with `confiance scan rules`"
                )

    def selected(rule_id: str) -> bool:
        if include and not any(fnmatch.fnmatchcase(rule_id, p.upper()) for p in include):
            return False
        return not any(fnmatch.fnmatchcase(rule_id, p.upper()) for p in exclude)

    return selected


def resolve_root(paths: Sequence[Path], root: Path | None) -> Path:
    """The directory findings are relative to: ``root``, else the current directory when every
    path is inside it, else the first path (its parent for a file)."""
    if root is not None:
        return root.resolve()
    cwd = Path.cwd().resolve()
    resolved = [p.resolve() for p in paths]
    if all(p == cwd or cwd in p.parents for p in resolved):
        return cwd
    return resolved[0] if resolved[0].is_dir() else resolved[0].parent


def _chunks(candidates: list[Candidate], count: int) -> list[list[Candidate]]:
    """Size-balanced round robin: the largest files spread over different chunks."""
    ordered = sorted(candidates, key=lambda c: c.size, reverse=True)
    chunks: list[list[Candidate]] = [[] for _ in range(count)]
    for index, candidate in enumerate(ordered):
        chunks[index % count].append(candidate)
    return [c for c in chunks if c]


def _pool(jobs: int) -> ProcessPoolExecutor:
    # fork is fastest, but forking a process that runs threads can deadlock in the child.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    if method not in multiprocessing.get_all_start_methods():
        method = "spawn"
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def _run(
    candidates: list[Candidate], settings: WorkerSettings, jobs: int, show: bool
) -> list[FileOutcome]:
    if jobs <= 1 or len(candidates) < _PARALLEL_MIN_FILES:
        return analyze_chunk(candidates, settings)
    outcomes: list[FileOutcome] = []
    with _pool(jobs) as pool:
        futures: dict[Future[list[FileOutcome]], int] = {
            pool.submit(analyze_chunk, chunk, settings): len(chunk)
            for chunk in _chunks(candidates, jobs * _CHUNKS_PER_WORKER)
        }
        # The progress thread starts only after the workers were forked (see _pool).
        progress = _progress() if show else None
        task = progress.add_task("scan", total=len(candidates)) if progress else None
        if progress:
            progress.start()
        try:
            for future in as_completed(futures):
                outcomes.extend(future.result())
                if progress is not None and task is not None:
                    progress.advance(task, futures[future])
        finally:
            if progress:
                progress.stop()
    return outcomes


def _filter(
    findings: Iterable[Finding], selected: Callable[[str], bool], changed: ChangedLines | None
) -> list[Finding]:
    return [
        f
        for f in findings
        if selected(f.rule_id) and (changed is None or changed.contains(f.path, f.line))
    ]


def _history(
    root: Path, options: ScanOptions, selected: Callable[[str], bool], policy: SecretPolicy
) -> list[HistoryFinding]:
    if not options.history:
        return []
    ignored = ignore_predicate(root)
    found = scan_history(root, include=lambda path: not ignored(path), policy=policy)
    return [h for h in found if selected(h.finding.rule_id)]


def scan(paths: Sequence[Path | str], options: ScanOptions | None = None) -> ScanResult:
    """Scan ``paths`` (files or directories). Raises :class:`UsageError` for paths that do not
    exist, unknown rule patterns, a bad ``--diff`` revision, an unreadable baseline or a bad
    secrets allow-list."""
    options = options or ScanOptions()
    started = time.perf_counter()
    targets = [Path(p) for p in paths] or [Path.cwd()]
    missing = [str(p) for p in targets if not p.exists() and not p.is_symlink()]
    if missing:
        raise UsageError(f"path does not exist: {', '.join(missing)}")
    analyzers = load_rules()
    selected = rule_selector(options.rules, options.exclude_rules)
    root = resolve_root(targets, options.root)
    accepted = load_baseline(options.baseline) if options.baseline else None
    changed = changed_lines(root, options.diff_base) if options.diff_base else None
    walked = walk(targets, root, max_file_size=options.max_file_size)
    candidates = [c for c in walked.candidates if changed is None or changed.touches(c.rel)]
    jobs = options.jobs or os.cpu_count() or 1
    show = options.progress and len(candidates) >= _PROGRESS_MIN_FILES
    policy = load_policy(root, options.secrets_config)
    settings = WorkerSettings(options.max_file_size, options.today, policy)
    outcomes = sorted(_run(candidates, settings, jobs, show), key=lambda o: o.path)

    findings = _filter((f for o in outcomes for f in o.findings), selected, changed)
    suppressed = [s for o in outcomes for s in o.suppressed if selected(s.finding.rule_id)]
    history = _history(root, options, selected, policy)
    baselined: list[Finding] = []
    if accepted is not None:
        findings, baselined = split_by_baseline(findings, accepted)
        kept, _ = split_by_baseline([h.finding for h in history], accepted)
        history = [h for h in history if h.finding in kept]
    return ScanResult(
        root=str(root),
        findings=tuple(sort_findings(findings)),
        suppressed=tuple(_sorted_suppressed(suppressed)),
        baselined=tuple(sort_findings(baselined)),
        history=tuple(history),
        skipped=tuple(_skipped(walked.skipped, outcomes)),
        notes=tuple(n for o in outcomes if (n := o.note) is not None),
        files=tuple(_scanned(outcomes)),
        rule_ids=tuple(r.id for r in rules.all() if selected(r.id)),
        duration_s=time.perf_counter() - started,
        diff_base=options.diff_base,
        analyzers=tuple(analyzers),
    )


def _sorted_suppressed(items: list[SuppressedFinding]) -> list[SuppressedFinding]:
    return sorted(items, key=lambda s: (s.finding.path, s.finding.line, s.finding.rule_id))


def _skipped(walked: Iterable[SkippedFile], outcomes: list[FileOutcome]) -> list[SkippedFile]:
    found = [*walked, *(s for o in outcomes if (s := o.skipped) is not None)]
    return sorted(found, key=lambda s: s.path)


def _scanned(outcomes: list[FileOutcome]) -> list[ScannedFile]:
    return [s for o in outcomes if (s := o.scanned) is not None]
