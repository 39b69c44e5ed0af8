"""``confiance scan``: the security review scanner for (AI-written) code.

``confiance scan PATH...`` scans (the default command), ``confiance scan rules`` lists the rules,
``confiance scan signoff ITEM`` signs off a manual checklist item. Exit codes: 0 nothing at or
above ``--fail-on``, 1 findings at or above it, 2 usage or configuration errors.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from confiance import __version__
from confiance.codescan import ScanOptions, ScanResult, Severity, load_rules, scan
from confiance.codescan.baseline import write_baseline
from confiance.codescan.checklist import build_checklist, covered_files, project_files, render
from confiance.codescan.checklist_items import ITEMS, ItemKind, item_by_id
from confiance.codescan.findings import rules
from confiance.codescan.report import render_table, to_json
from confiance.codescan.results import DEFAULT_MAX_FILE_SIZE
from confiance.codescan.sarif import to_sarif
from confiance.codescan.scanner import resolve_root
from confiance.codescan.secretpolicy import POLICY_FILE
from confiance.codescan.signoff import (
    DEFAULT_MAX_AGE_DAYS,
    SIGNOFF_FILE,
    SignOff,
    digest_files,
    load_signoffs,
    save_signoff,
)
from confiance.errors import ConfianceError, UsageError
from confiance.verification import VerifyOptions, base_urls_from, verify_findings

__all__ = ["register", "scan_app"]

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


class _DefaultToRun(TyperGroup):
    """``confiance scan PATH`` means ``confiance scan run PATH`` (scanning is the default)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["run", *args]
        return super().parse_args(ctx, args)


scan_app = typer.Typer(
    name="scan",
    cls=_DefaultToRun,
    help="Scan code for security problems, with LLM-specific rules, and produce the security "
    "review checklist. Reads code, never runs it.\n\n"
    "Examples:\n\n"
    "  [bold]confiance scan .[/bold]  (Rich table; exit 1 on high or critical findings)\n\n"
    "  [bold]confiance scan src --format sarif -o confiance.sarif[/bold]  (code scanning)\n\n"
    "  [bold]confiance scan . --diff origin/main --fail-on medium[/bold]  (only changed lines)\n\n"
    "  [bold]confiance scan . --baseline-write .confiance-baseline.json[/bold], then "
    "[bold]--baseline .confiance-baseline.json[/bold] (only new findings fail)\n\n"
    "  [bold]confiance scan . --checklist --checklist-format html -o checklist.html[/bold]\n\n"
    "  [bold]confiance scan rules[/bold]  (every rule with CWE and OWASP ids)\n\n"
    "Suppress a reviewed finding with [bold]# confiance: ignore[RULE-ID] reason[/bold] "
    "(// in JavaScript) on the line or the line above; exclude paths in .confianceignore. "
    "All options: [bold]confiance scan run --help[/bold].",
    rich_markup_mode="rich",
)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


class ChecklistFormat(StrEnum):
    MD = "md"
    HTML = "html"


def register(app: typer.Typer) -> None:
    """Add the ``scan`` group to ``app``."""
    app.add_typer(scan_app)


def _err() -> Console:
    return Console(stderr=True)


@contextmanager
def _reported() -> Iterator[None]:
    """Turn Confiance errors into a message on stderr and their exit code (2 for usage)."""
    try:
        yield
    except ConfianceError as exc:
        _err().print(f"[bold red]error:[/bold red] {exc.message}", highlight=False)
        raise typer.Exit(exc.exit_code) from None


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def _size(text: str) -> int:
    match = _SIZE.match(text.strip())
    if not match:
        raise typer.BadParameter(f"{text!r} is not a size such as 2M, 512K or 1048576")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc


def _table_text(result: ScanResult, output: Path | None, quiet: bool) -> str | None:
    shown = replace(result, skipped=(), notes=()) if quiet else result
    if output is None:
        render_table(shown, Console(highlight=False))
        return None
    console = Console(file=io.StringIO(), record=True, width=140, color_system=None)
    render_table(shown, console)
    return console.export_text()


def _checklist(
    result: ScanResult, root: Path, fmt: ChecklistFormat, signoff_file: Path | None, max_age: int
) -> str:
    path = signoff_file or root / SIGNOFF_FILE
    files = list(result.files) if result.diff_base is None else project_files(root)
    checklist = build_checklist(
        result,
        files=files,
        signoffs=load_signoffs(path),
        now=datetime.now(UTC),
        max_age_days=max_age,
        project=root.name,
    )
    return render(checklist, fmt.value)


_RUN_HELP = (
    "Scan PATHs (default: the current directory). "
    "Example: [bold]confiance scan src --format json -o report.json[/bold]"
)
_MAX_SIZE_DEFAULT = f"{DEFAULT_MAX_FILE_SIZE // 1024 // 1024}M"


@scan_app.command("run", help=_RUN_HELP)
def run_scan(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or directories to scan.")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    fail_on: Annotated[
        Severity,
        typer.Option("--fail-on", help="Exit 1 when a finding at or above this severity remains."),
    ] = Severity.HIGH,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Ignore findings recorded in this file.")
    ] = None,
    baseline_write: Annotated[
        Path | None,
        typer.Option("--baseline-write", help="Accept all current findings into this file."),
    ] = None,
    diff: Annotated[
        str | None,
        typer.Option("--diff", help="Only report findings on lines changed since this git rev."),
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Also scan all git history for secrets.")
    ] = False,
    checklist: Annotated[
        bool, typer.Option("--checklist", help="Print the security review checklist instead.")
    ] = False,
    checklist_format: Annotated[
        ChecklistFormat, typer.Option("--checklist-format", help="Markdown or HTML.")
    ] = ChecklistFormat.MD,
    signoff_file: Annotated[
        Path | None,
        typer.Option("--signoff-file", help=f"Sign-off file (default: ROOT/{SIGNOFF_FILE})."),
    ] = None,
    signoff_max_age: Annotated[
        int, typer.Option("--signoff-max-age", min=1, help="Days before a sign-off is stale.")
    ] = DEFAULT_MAX_AGE_DAYS,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: CPUs).")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar, skipped files or notes.")
    ] = False,
    rule_ids: Annotated[
        list[str] | None,
        typer.Option("--rules", help="Only these rules (ids or patterns: CF-SECRET-*)."),
    ] = None,
    exclude_rules: Annotated[
        list[str] | None, typer.Option("--exclude-rules", help="Skip these rules.")
    ] = None,
    max_file_size: Annotated[
        str, typer.Option("--max-file-size", help="Skip larger files as generated (2M, 512K).")
    ] = _MAX_SIZE_DEFAULT,
    secrets_config: Annotated[
        Path | None,
        typer.Option(
            "--secrets-config",
            help=f"Secrets allow-list (default: ROOT/{POLICY_FILE} when it exists).",
        ),
    ] = None,
    verify_secrets: Annotated[
        bool,
        typer.Option(
            "--verify-secrets",
            help="Ask each found key's own vendor (one harmless identity call) whether it is "
            "live; sends the key to that vendor only. Off by default.",
        ),
    ] = False,
    verify_timeout: Annotated[
        float, typer.Option("--verify-timeout", min=0.1, help="Seconds per vendor request.")
    ] = 5.0,
    verify_url: Annotated[
        list[str] | None,
        typer.Option(
            "--verify-url",
            help="Override a vendor's API base URL: VENDOR=URL (also "
            "CONFIANCE_VERIFY_<VENDOR>_URL).",
        ),
    ] = None,
) -> None:
    with _reported():
        targets = paths or [Path.cwd()]
        options = ScanOptions(
            jobs=jobs,
            max_file_size=_size(max_file_size),
            rules=_split(rule_ids or []),
            exclude_rules=_split(exclude_rules or []),
            baseline=None if baseline_write else baseline,
            diff_base=diff,
            history=history,
            progress=not quiet and sys.stderr.isatty() and fmt is OutputFormat.TABLE,
            secrets_config=secrets_config,
        )
        result = scan(targets, options)
        if verify_secrets:
            urls = base_urls_from(verify_url or [], os.environ)
            verify = VerifyOptions(timeout_s=verify_timeout, base_urls=urls,
                                   max_file_size=options.max_file_size)  # fmt: skip
            result = verify_findings(result, verify)
        if baseline_write is not None:
            count = write_baseline(baseline_write, result.all_findings())
            _err().print(f"Wrote {count} finding(s) to {baseline_write}", highlight=False)
            raise typer.Exit(0)
        if checklist:
            root = resolve_root(targets, None)
            text = _checklist(result, root, checklist_format, signoff_file, signoff_max_age)
        elif fmt is OutputFormat.JSON:
            text = to_json(result)
        elif fmt is OutputFormat.SARIF:
            sarif = to_sarif(result, tool_version=__version__)
            text = json.dumps(sarif, indent=2, ensure_ascii=False)
        else:
            text = _table_text(result, output, quiet) or ""
        if text:
            _write(text, output)
    raise typer.Exit(1 if result.at_or_above(fail_on) else 0)


@scan_app.command(
    "rules",
    help="List every rule with severity, CWE and OWASP ids. "
    "Example: [bold]confiance scan rules --json[/bold]",
)
def list_rules(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    load_rules()
    every = rules.all()
    if as_json:
        data = [
            {
                "id": r.id,
                "name": r.name,
                "family": r.family,
                "severity": r.severity.value,
                "confidence": r.confidence.value,
                "cwe": f"CWE-{r.cwe}",
                "owasp": list(r.owasp),
                "languages": list(r.languages),
                "description": r.description,
                "fix": r.fix,
            }
            for r in every
        ]
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table(title=f"{len(every)} rules")
    table.add_column("Rule", no_wrap=True)
    for column in ("Name", "Severity", "CWE", "OWASP", "Family"):
        table.add_column(column, overflow="fold")
    for r in every:
        table.add_row(r.id, r.name, r.severity.value, f"CWE-{r.cwe}", ", ".join(r.owasp), r.family)
    Console().print(table)


_SIGNOFF_HELP = (
    "Sign off a manual checklist item: records who, when, a note and a digest of the files it "
    "covers (the sign-off goes stale when they change or it gets too old). Example: "
    '[bold]confiance scan signoff prompt-injection-threat-model --by "Ana Lima" '
    '--note "reviewed tools and inputs"[/bold]'
)


@scan_app.command("signoff", help=_SIGNOFF_HELP)
def signoff_item(
    item: Annotated[str, typer.Argument(help="Manual item id (see the checklist).")],
    by: Annotated[str, typer.Option("--by", help="Who reviewed it.")],
    note: Annotated[str, typer.Option("--note", help="What was reviewed, and where.")],
    path: Annotated[Path, typer.Option("--path", help="Project root.")] = Path("."),
    signoff_file: Annotated[
        Path | None, typer.Option("--signoff-file", help="Sign-off file.")
    ] = None,
) -> None:
    with _reported():
        found = item_by_id(item)
        manual = [i.id for i in ITEMS if i.kind is ItemKind.MANUAL]
        if found is None or found.kind is not ItemKind.MANUAL:
            what = "an automated item (the scan decides it)" if found else "not a checklist item"
            raise UsageError(f"{item!r} is {what}; manual items: {', '.join(manual)}")
        if not by.strip() or not note.strip():
            raise UsageError("--by and --note must not be empty")
        if not path.is_dir():
            raise UsageError(f"--path {path} is not a directory")
        root = path.resolve()
        covered = covered_files(found, project_files(root))
        digest, hashes = digest_files(covered)
        target = signoff_file or root / SIGNOFF_FILE
        record = SignOff(found.id, by.strip(), datetime.now(UTC), note.strip(), digest, hashes)
        save_signoff(target, record)
        typer.echo(f"Signed off {found.id} by {record.by}; covers {len(covered)} file(s); {target}")
