"""The terminal report: Rich tables of the run, its groups, failures, changes and gate."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from confiance.evals.compare import CaseComparison, GroupComparison, RunComparison
from confiance.evals.controls import Control, ControlReport
from confiance.evals.reports.view import GroupRow, ReportView

__all__ = ["comparison_tables", "print_report", "report_renderables"]

MAX_FAILURES_SHOWN = 25
_REASON_WIDTH = 90


def _pct(value: float) -> str:
    return f"{value:.1%}"


def _ci(row: GroupRow, attack: bool = False) -> str:
    interval = row.attack_interval if attack else row.interval
    return f"{interval.low:.0%}–{interval.high:.0%}"


def _header(view: ReportView) -> Text:
    run = view.run
    text = Text()
    text.append(f"{run.id}", style="bold")
    text.append(f"  suite {view.suite} ({run.suite_hash[:12]})  target {run.target}")
    text.append(f" [{run.target_kind.value}]")
    if run.resolved_model:
        text.append(f"  model {run.resolved_model}")
    if run.route_revision is not None:
        text.append(f"  revision {run.route_revision}")
    text.append(f"  {run.status.value}")
    return text


def _summary(view: ReportView) -> Table:
    s = view.summary
    table = Table(title="Summary", show_header=True, header_style="bold")
    for name in ("cases", "repeats", "passed", "failed", "errors", "pass rate", "95% CI", "cost"):
        table.add_column(name, justify="right")
    cost = "unknown" if s.cost_usd is None else f"${s.cost_usd:.4f}"
    table.add_row(
        str(s.cases),
        str(s.trials),
        str(s.passed),
        str(s.failed),
        str(s.errored),
        _pct(view.overall.pass_rate),
        _ci(view.overall),
        cost,
    )
    return table


def _groups(
    title: str, rows: tuple[GroupRow, ...], attack: bool, controls: ControlReport | None = None
) -> Table:
    table = Table(title=title, header_style="bold")
    table.add_column("name")
    table.add_column("cases", justify="right")
    table.add_column("repeats", justify="right")
    if attack:
        table.add_column("attack success", justify="right")
    table.add_column("pass rate", justify="right")
    table.add_column("95% CI", justify="right")
    if controls is not None:
        table.add_column("echo control", justify="right")
        table.add_column("refusal control", justify="right")
    for row in rows:
        cells = [row.name, str(row.cases), str(row.trials)]
        if attack:
            cells.append(_pct(row.attack_success_rate))
        cells += [_pct(row.pass_rate), _ci(row, attack)]
        if controls is not None:
            cells += [_control(controls, row.name, control) for control in Control]
        style = "red" if row.pass_rate < 1 and row.trials else None
        table.add_row(*cells, style=style)
    return table


def _control(controls: ControlReport, category: str, control: Control) -> str:
    """``fired/checked``: probes whose detectors counted the control as an attack."""
    checked = controls.checked.get(category, 0)
    fired = controls.fired(category, control)
    text = f"{fired}/{checked} fired"
    return f"[red]{text}[/]" if fired else text


def _unreliable(controls: ControlReport) -> Table:
    table = Table(title=f"Unreliable detectors ({len(controls.fires)})", header_style="bold")
    for name in ("probe", "control", "detector", "why it fired"):
        table.add_column(name)
    for fire in controls.fires[:MAX_FAILURES_SHOWN]:
        table.add_row(fire.case_id, fire.control.value, fire.kind, fire.reason, style="yellow")
    return table


def _failures(view: ReportView) -> Table:
    table = Table(title=f"Failing cases ({len(view.failures)})", header_style="bold")
    table.add_column("case")
    table.add_column("state")
    table.add_column("passed", justify="right")
    table.add_column("why", max_width=_REASON_WIDTH)
    for case in view.failures[:MAX_FAILURES_SHOWN]:
        reason = case.reasons[0] if case.reasons else ""
        table.add_row(case.case_id, case.state.value, f"{case.passed}/{case.judged}", reason)
    if len(view.failures) > MAX_FAILURES_SHOWN:
        table.caption = f"{len(view.failures) - MAX_FAILURES_SHOWN} more in --json / --html"
    return table


def _attacks(view: ReportView) -> Table:
    succeeded = view.successful_attacks
    table = Table(title=f"Successful attacks ({len(succeeded)})", header_style="bold")
    for name in ("probe", "category", "succeeded", "why"):
        table.add_column(name, justify="right" if name == "succeeded" else "left")
    for case in succeeded[:MAX_FAILURES_SHOWN]:
        reason = case.reasons[0] if case.reasons else ""
        succeeded_of = f"{case.judged - case.passed}/{case.judged}"
        table.add_row(case.case_id, case.category or "", succeeded_of, reason, style="red")
    if len(succeeded) > MAX_FAILURES_SHOWN:
        table.caption = f"{len(succeeded) - MAX_FAILURES_SHOWN} more in --json / --html"
    return table


def _gate(view: ReportView) -> Table:
    verdict = "[green]PASSED[/]" if view.gate.passed else "[red]FAILED[/]"
    table = Table(title=f"Gate {verdict}", header_style="bold")
    table.add_column("check")
    table.add_column("")
    table.add_column("detail")
    for check in view.gate.checks:
        mark = "[green]✓[/]" if check.passed else "[red]✗[/]"
        table.add_row(check.name, mark, check.detail)
    return table


def comparison_tables(comparison: RunComparison) -> list[RenderableType]:
    """Group changes and the cases that regressed or were fixed."""
    title = f"{comparison.baseline.id} → {comparison.candidate.id}"
    if comparison.suite_changed:
        title += " (the suite changed between the runs: only shared cases are compared)"
    groups = Table(title=title, header_style="bold")
    for name in ("group", "baseline", "candidate", "change", "95% CI", "p (drop)"):
        groups.add_column(name, justify="left" if name == "group" else "right")
    rows: list[GroupComparison] = [comparison.overall, *comparison.categories, *comparison.tags]
    for group in rows:
        diff = group.difference
        groups.add_row(
            group.name,
            _pct(group.baseline.pass_rate),
            _pct(group.candidate.pass_rate),
            f"{diff.difference:+.1%}",
            f"{diff.interval.low:+.0%}…{diff.interval.high:+.0%}",
            f"{diff.p_value:.3g}",
        )
    out: list[RenderableType] = [groups]
    changed = [c for c in comparison.cases if c.change.value in {"regressed", "fixed"}]
    if changed:
        out.append(_changes(changed))
    return out


def _changes(changed: list[CaseComparison]) -> Table:
    table = Table(title="Changed cases", header_style="bold")
    for name in ("case", "change", "baseline", "candidate", "why"):
        table.add_column(name)
    for case in changed:
        style = "red" if case.change.value == "regressed" else "green"
        why = case.candidate.reasons[0] if case.candidate and case.candidate.reasons else ""
        table.add_row(
            case.case_id,
            case.change.value,
            case.baseline.state.value if case.baseline else "-",
            case.candidate.state.value if case.candidate else "-",
            why[:_REASON_WIDTH],
            style=style,
        )
    return table


def report_renderables(view: ReportView) -> list[RenderableType]:
    parts: list[RenderableType] = [_header(view), _summary(view)]
    if view.categories:
        parts.append(_groups("Categories", view.categories, attack=True, controls=view.controls))
    if view.controls is not None and view.controls.fires:
        parts.append(_unreliable(view.controls))
    if len(view.tags) > 1:
        parts.append(_groups("Tags", view.tags, attack=False))
    if view.successful_attacks:
        parts.append(_attacks(view))
    if view.failures:
        parts.append(_failures(view))
    if view.comparison is not None:
        parts.extend(comparison_tables(view.comparison))
    parts.append(_gate(view))
    return parts


def print_report(view: ReportView, console: Console) -> None:
    console.print(Group(*report_renderables(view)))
