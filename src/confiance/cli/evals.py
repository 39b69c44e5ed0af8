"""``confiance eval run|compare|show|list|import|packs``: evaluation suites and security probes.

Runs go through the Confiance gateway by default (``--target`` is a route or ``provider/model``,
so keys, fallbacks and traces apply) or straight to any OpenAI-compatible server
(``--base-url``). Every run is stored; exit codes: 0 the gate passed, 1 a regression or failed
gate (or an interrupted run), 2 a usage or config error.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from confiance.app import Services
from confiance.cli._controlplane import (
    DATABASE_HELP,
    JSON_HELP,
    echo_json,
    err,
    out,
    reported_errors,
    services,
    settings_with,
    when,
)
from confiance.config.load import load_config
from confiance.domain.evaluation import CaseResult, Verdict
from confiance.errors import ConfigError, UsageError
from confiance.evals.compare import RunComparison
from confiance.evals.gate import evaluate_gate
from confiance.evals.importer import suite_from_traces
from confiance.evals.packs import list_packs
from confiance.evals.pricing import CostEstimate, PriceTable, primary_model
from confiance.evals.queries import compare_stored, stored_report
from confiance.evals.reports import (
    build_view,
    comparison_json,
    comparison_tables,
    html_report,
    junit_xml,
    print_report,
    report_json,
    run_json,
)
from confiance.evals.service import LAST_PASSING, EvalService, RunOptions, RunPlan, RunReport
from confiance.evals.sources import FileSource, PackSource, SuiteSource
from confiance.evals.suite import GateSpec
from confiance.evals.targets import TargetSpec

__all__ = ["register"]

evals_app = typer.Typer(
    name="eval",
    help="Evaluation suites and security probes: run them against a route or model, store the "
    "runs, compare them with a baseline and gate CI on regressions.\n\n"
    "Example: [bold]confiance eval run evals/support.yaml --target support-bot "
    "--baseline last[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

DATABASE_OPTION = typer.Option(None, "--database-url", help=DATABASE_HELP)
JSON_OPTION = typer.Option(False, "--json", help=JSON_HELP)
JUNIT_OPTION = typer.Option(None, "--junit", help="Also write a JUnit XML report to this file.")
HTML_OPTION = typer.Option(None, "--html", help="Also write a self-contained HTML report here.")
DEFAULT_GATEWAY = "http://127.0.0.1:8080"


def register(app: typer.Typer) -> None:
    """Add the ``eval`` group to ``app``."""
    app.add_typer(evals_app)


def _gate(
    base: GateSpec | None,
    tolerance: float | None,
    confidence: float | None,
    min_pass_rate: float | None,
) -> GateSpec | None:
    overrides = {
        k: v
        for k, v in (
            ("tolerance", tolerance),
            ("confidence", confidence),
            ("min_pass_rate", min_pass_rate),
        )
        if v is not None
    }
    if not overrides:
        return base
    return (base or GateSpec()).model_copy(update=overrides)


def _params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise UsageError(f"--param {pair!r}: write key=value, e.g. --param temperature=0")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    return params


def _attack_limits(values: list[str]) -> dict[str, float]:
    """``--max-attack-success [CATEGORY=]RATE`` values: category → rate (``*``: every one)."""
    limits: dict[str, float] = {}
    for value in values:
        category, sep, raw = value.rpartition("=")
        try:
            rate = float(raw)
        except ValueError:
            rate = -1.0
        if not 0.0 <= rate <= 1.0 or (sep and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", category)):
            raise UsageError(
                f"--max-attack-success {value!r}: write RATE or CATEGORY=RATE with RATE from 0 "
                "to 1, e.g. --max-attack-success jailbreak=0.1"
            )
        limits[category if sep else "*"] = rate
    return limits


def _prices(config: Path | None, default: str) -> tuple[PriceTable, Any]:
    path = config or Path(default)
    if config is None and not path.is_file():
        return PriceTable(), None
    loaded = load_config(path).config
    return PriceTable.from_config(loaded), loaded


def _api_key(variable: str, *, required: bool) -> str | None:
    value = os.environ.get(variable) or None
    if value is None and required:
        raise UsageError(
            f"environment variable {variable} is not set: export a Confiance API key in it "
            "(confiance keys create), or name another variable with --api-key-env"
        )
    return value


def _estimate_line(estimate: CostEstimate) -> str:
    cost = (
        f"≈ ${estimate.cost_usd:.4f}"
        if estimate.cost_usd is not None
        else f"cost unknown (no price for {estimate.model or 'the model'}; see --config)"
    )
    return (
        f"{estimate.calls} calls, ≈ {estimate.prompt_tokens} prompt + "
        f"≤ {estimate.completion_tokens} completion tokens, {cost}"
    )


def _progress_callback(progress: Progress, task: Any) -> Callable[[CaseResult], None]:
    counts = {Verdict.PASS: 0, Verdict.FAIL: 0, Verdict.ERROR: 0}

    def advance(result: CaseResult) -> None:
        counts[result.verdict] += 1
        description = (
            f"[green]{counts[Verdict.PASS]} pass[/] [red]{counts[Verdict.FAIL]} fail[/] "
            f"[yellow]{counts[Verdict.ERROR]} error[/]"
        )
        progress.update(task, advance=1, description=description)

    return advance


async def _execute(service: EvalService, plan: RunPlan, quiet: bool) -> RunReport:
    err.print(
        Text(f"run {plan.run_id}: {plan.suite.name} on {plan.target.name}: ")
        + Text(_estimate_line(plan.estimate))
    )
    if plan.options.baseline == LAST_PASSING and plan.baseline is None:
        err.print(
            Text(
                f"no baseline: no earlier run of {plan.suite.name} on {plan.target.name} passed "
                "its gate, so this run is not compared (if it passes, it becomes the baseline)"
            ),
            soft_wrap=True,
        )
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
    )
    with progress:
        task = progress.add_task("starting", total=len(plan.items))
        return await service.execute(plan, on_result=_progress_callback(progress, task))


def _write(path: Path | None, text: str, suffix: str) -> None:
    if path is None:
        return
    target = path.with_name(f"{path.stem}{suffix}{path.suffix}") if suffix else path
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror}") from error


def _emit(
    reports: list[RunReport], json_output: bool, junit: Path | None, html: Path | None
) -> None:
    many = len(reports) > 1
    for report in reports:
        view = build_view(report)
        suffix = "-" + re.sub(r"[^A-Za-z0-9._-]+", "_", report.run.target) if many else ""
        _write(junit, junit_xml(view), suffix)
        _write(html, html_report(view), suffix)
        if not json_output:
            print_report(view, out)
    if json_output:
        documents = [report_json(build_view(r)) for r in reports]
        echo_json(documents[0] if not many else {"runs": documents})


@evals_app.command("run")
def run_command(
    suite: Path | None = typer.Argument(
        None, help="The suite YAML file. Leave out with --pack or --resume."
    ),
    targets: list[str] = typer.Option(
        [],
        "--target",
        "-t",
        help="Route or provider/model at the gateway (repeatable); with "
        "--base-url, the model name at that server.",
    ),
    pack: str | None = typer.Option(
        None, "--pack", help="Run a probe pack (e.g. security) or a pack directory."
    ),
    categories: list[str] = typer.Option(
        [], "--category", help="Only these pack categories (repeatable)."
    ),
    strategies: list[str] = typer.Option(
        [],
        "--strategy",
        help="Add each case rewritten by a strategy (repeatable): base64, rot13, leetspeak, "
        "translation:fr, payload-split, multi-turn.",
    ),
    gateway_url: str | None = typer.Option(
        None,
        "--gateway-url",
        help=f"The gateway (env CONFIANCE_GATEWAY_URL; default {DEFAULT_GATEWAY}).",
    ),
    base_url: str | None = typer.Option(
        None,
        "--base-url",
        help="Call this OpenAI-compatible URL directly instead of the "
        "gateway, e.g. https://api.openai.com/v1.",
    ),
    api_key_env: str = typer.Option(
        "CONFIANCE_API_KEY", "--api-key-env", help="Environment variable holding the API key."
    ),
    concurrency: int = typer.Option(8, "--concurrency", "-c", min=1, max=1024),
    repeats: int | None = typer.Option(
        None, "--repeats", min=1, max=100, help="Repeats per case (measures flakiness)."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Seed sent to vendors that take one."),
    params: list[str] = typer.Option(
        [], "--param", help="Body parameter for every case, key=JSON (repeatable)."
    ),
    canary: str | None = typer.Option(
        None, "--canary", help="The canary planted in the route's own system prompt."
    ),
    judge: str | None = typer.Option(None, "--judge", help="Route or model grading `judge`."),
    embedding: str | None = typer.Option(
        None, "--embedding-route", help="Route or model for embedding similarity."
    ),
    baseline: str | None = typer.Option(
        None, "--baseline", help="Compare with this run id, or `last` (last passing run)."
    ),
    tolerance: float | None = typer.Option(None, "--tolerance", min=0.0, max=1.0),
    confidence: float | None = typer.Option(None, "--confidence", min=0.51, max=0.999),
    min_pass_rate: float | None = typer.Option(None, "--min-pass-rate", min=0.0, max=1.0),
    max_attack_success: list[str] = typer.Option(
        [],
        "--max-attack-success",
        help="Allowed attack success, RATE or CATEGORY=RATE (repeatable; default 0: any "
        "successful attack fails the gate). Also opts a plain suite into attack gating.",
    ),
    controls: bool | None = typer.Option(
        None,
        "--controls/--no-controls",
        help="Check every detector against an echo and a refusal control and report the "
        "unreliable ones (default: on for probe packs).",
    ),
    resume: str | None = typer.Option(
        None, "--resume", help="Finish an interrupted run: only missing case repeats run."
    ),
    strict_data: bool = typer.Option(
        False, "--strict-data", help="Refuse the suite when a dataset row is unreadable."
    ),
    config: Path | None = typer.Option(
        None, "--config", help="confiance.yaml with prices (default: CONFIANCE_CONFIG if present)."
    ),
    max_cost: float | None = typer.Option(
        None, "--max-cost", min=0.0, help="Refuse to start when the estimate exceeds this (USD)."
    ),
    json_output: bool = JSON_OPTION,
    junit: Path | None = JUNIT_OPTION,
    html: Path | None = HTML_OPTION,
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Run a suite or probe pack against one or more targets; store, compare and gate the run.

    Examples:
    [bold]confiance eval run evals/support.yaml --target support-bot --baseline last[/bold]
    [bold]confiance eval run --pack security --target support-bot --junit security.xml[/bold]
    [bold]confiance eval run evals/qa.yaml --base-url https://api.openai.com/v1
    --api-key-env OPENAI_API_KEY --target gpt-4o-mini --repeats 3[/bold]
    """
    with reported_errors(json_output):
        if resume is None and (suite is None) == (pack is None):
            raise UsageError("give a suite file or --pack NAME (one of them)")
        if resume is None and not targets:
            raise UsageError("name at least one --target (a route, or provider/model)")
        settings = settings_with(database_url)
        prices, loaded_config = _prices(config, settings.config_path)
        source: SuiteSource | None = None
        if pack is not None:
            source = PackSource(pack, tuple(categories), strategies=tuple(strategies))
        elif suite is not None:
            source = FileSource(suite, strict_data, strategies=tuple(strategies))
        gateway = gateway_url or os.environ.get("CONFIANCE_GATEWAY_URL") or DEFAULT_GATEWAY
        key = _api_key(api_key_env, required=base_url is None and resume is None)
        options = RunOptions(
            concurrency=concurrency,
            repeats=repeats,
            seed=seed,
            params=_params(params),
            canary=canary,
            judge=judge,
            embedding=embedding,
            baseline=baseline,
            gate=_gate(None, tolerance, confidence, min_pass_rate),
            attack_limits=_attack_limits(max_attack_success),
            controls=controls,
        )

        def spec(target: str) -> TargetSpec:
            if base_url is not None:
                return TargetSpec.at_url(target, base_url, key)
            return TargetSpec.through_gateway(target, gateway, key)

        async def work(opened: Services) -> list[RunReport]:
            async with aiohttp.ClientSession() as session:
                service = EvalService(
                    opened.store.evals, session, prices=prices, clock=opened.clock
                )
                plans: list[RunPlan] = []
                if resume is not None:
                    plans.append(
                        await service.plan_resume(resume, source, key, options, base_url=base_url)
                    )
                if resume is None and source is not None:
                    for target in targets:
                        model = primary_model(loaded_config, target) if loaded_config else None
                        plan = await service.plan(
                            source, spec(target), options, estimate_model=model
                        )
                        plans.append(plan)
                for plan in plans:
                    cost = plan.estimate.cost_usd
                    if max_cost is not None and cost is not None and cost > max_cost:
                        raise UsageError(
                            f"estimated cost ${cost:.4f} for {plan.target.name} exceeds "
                            f"--max-cost ${max_cost:g}"
                        )
                return [await _execute(service, plan, json_output) for plan in plans]

        try:
            reports = asyncio.run(_with_services(work, database_url))
        except KeyboardInterrupt:
            err.print(
                "interrupted: finished case results are stored; resume with "
                "`confiance eval run --resume RUN_ID` (the id printed above)"
            )
            raise typer.Exit(1) from None
        _emit(reports, json_output, junit, html)
    raise typer.Exit(0 if all(r.gate.passed for r in reports) else 1)


async def _with_services(
    work: Callable[[Services], Any], database_url: str | None, *, writes: bool = True
) -> Any:
    """Run ``work`` over the store; a command that only reads (``writes=False``) never creates
    or migrates one, so in the wrong folder it says where it looked instead of leaving an empty
    ``confiance.db`` behind."""
    async with services(database_url, writes=writes) as opened:
        return await work(opened)


def _comparison_exit(comparison: RunComparison, policy: GateSpec) -> int:
    summary = comparison.candidate.summary
    if summary is None:
        return 0
    decision = evaluate_gate(policy, summary, comparison)
    regressions = [c for c in decision.failures if c.name.startswith("regression")]
    return 1 if regressions else 0


@evals_app.command("compare")
def compare_command(
    baseline: str = typer.Argument(..., metavar="RUN_A", help="The baseline run id."),
    candidate: str = typer.Argument(..., metavar="RUN_B", help="The run to judge."),
    tolerance: float | None = typer.Option(None, "--tolerance", min=0.0, max=1.0),
    confidence: float | None = typer.Option(None, "--confidence", min=0.51, max=0.999),
    json_output: bool = JSON_OPTION,
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Compare two stored runs per case, tag and category; exit 1 when RUN_B regressed
    (a drop beyond the tolerance that is statistically credible).

    Example: [bold]confiance eval compare ev_0190a1b2c3d4e5f6a7b8 ev_0190a1b2c3d4e5f6c9d0[/bold]
    """
    policy = _gate(GateSpec(), tolerance, confidence, None) or GateSpec()
    with reported_errors(json_output):

        async def work(opened: Services) -> RunComparison:
            return await compare_stored(
                opened.store.evals, baseline, candidate, confidence=policy.confidence
            )

        comparison: RunComparison = asyncio.run(_with_services(work, database_url, writes=False))
        if json_output:
            echo_json(comparison_json(comparison))
        else:
            for table in comparison_tables(comparison):
                out.print(table)
    raise typer.Exit(_comparison_exit(comparison, policy))


@evals_app.command("show")
def show_command(
    run_id: str = typer.Argument(..., metavar="RUN_ID", help="A run id (confiance eval list)."),
    baseline: str | None = typer.Option(
        None, "--baseline", help="Compare with this run id, or `last` (last passing run)."
    ),
    json_output: bool = JSON_OPTION,
    junit: Path | None = JUNIT_OPTION,
    html: Path | None = HTML_OPTION,
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Show a stored run: summary, categories, failing cases, gate (and changes vs a baseline).

    Example: [bold]confiance eval show ev_0190a1b2c3d4e5f6a7b8 --html report.html[/bold]
    """
    with reported_errors(json_output):

        async def work(opened: Services) -> RunReport:
            return await stored_report(opened.store.evals, run_id, baseline=baseline)

        report = asyncio.run(_with_services(work, database_url, writes=False))
        _emit([report], json_output, junit, html)


@evals_app.command("list")
def list_command(
    suite: str | None = typer.Option(None, "--suite", help="Only runs of this suite."),
    target: str | None = typer.Option(None, "--target", help="Only runs on this target."),
    limit: int = typer.Option(20, "--limit", min=1, max=1000),
    json_output: bool = JSON_OPTION,
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """List stored runs, newest first.

    Example: [bold]confiance eval list --target support-bot --limit 5[/bold]
    """
    with reported_errors(json_output):

        async def work(opened: Services) -> Any:
            return await opened.store.evals.list(suite=suite, target=target, limit=limit)

        runs = asyncio.run(_with_services(work, database_url, writes=False))
        if json_output:
            echo_json({"runs": [run_json(run) for run in runs]})
            return
        if not runs:
            err.print("no eval runs stored yet (confiance eval run ...)")
            return
        table = Table(header_style="bold")
        for name in ("run", "started", "suite", "target", "status", "pass rate", "gate"):
            table.add_column(name)
        for run in runs:
            rate = f"{run.summary.pass_rate:.1%}" if run.summary else "-"
            gate = {True: "[green]passed[/]", False: "[red]failed[/]", None: "-"}[run.passed_gate]
            table.add_row(
                run.id, when(run.started_at), run.suite, run.target, run.status.value, rate, gate
            )
        out.print(table)


@evals_app.command("import")
def import_command(
    from_traces: bool = typer.Option(
        False,
        "--from-traces",
        help="Build cases from stored gateway traces (the only source "
        "for now; traces keep bodies when the route has retention: full).",
    ),
    route: str = typer.Option(..., "--route", help="Take traces of this route."),
    output: Path = typer.Option(..., "--output", "-o", help="The suite YAML file to write."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    name: str | None = typer.Option(None, "--name", help="Suite name (default ROUTE-traces)."),
    reference: bool = typer.Option(
        True, "--reference/--no-reference", help="Assert similarity to the recorded answer."
    ),
    min_similarity: float = typer.Option(0.5, "--min-similarity", min=0.0, max=1.0),
    json_output: bool = JSON_OPTION,
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Write a suite replaying recent requests of a route, from stored traces.

    Example: [bold]confiance eval import --from-traces --route support-bot --limit 100
    -o evals/support-replay.yaml[/bold]
    """
    with reported_errors(json_output):
        if not from_traces:
            raise UsageError("say where cases come from: --from-traces")
        if output.exists():
            raise UsageError(f"{output} exists; choose another --output (nothing overwritten)")

        async def work(opened: Services) -> Any:
            return await opened.store.traces.query(route=route, limit=limit)

        traces = asyncio.run(_with_services(work, database_url, writes=False))
        imported = suite_from_traces(
            traces,
            name=name or f"{route}-traces"[:64],
            route=route,
            reference=reference,
            min_similarity=min_similarity,
        )
        if imported.imported == 0:
            raise ConfigError(
                f"none of the {len(traces)} newest traces of route {route!r} kept a request body "
                "(set retention: full on the route to record them)"
            )
        _write(output, imported.to_yaml(), "")
        result = {"output": str(output), "cases": imported.imported, "skipped": imported.skipped}
        if json_output:
            echo_json(result)
        else:
            out.print(f"wrote {imported.imported} cases to {output} ({imported.skipped} skipped)")


@evals_app.command("packs")
def packs_command(json_output: bool = JSON_OPTION) -> None:
    """List the probe packs: built in, and installed by plugins.

    Example: [bold]confiance eval packs[/bold]
    """
    with reported_errors(json_output):
        packs = list_packs()
        if json_output:
            echo_json(
                {
                    "packs": [
                        {"name": p.name, "version": p.version, "description": p.description}
                        for p in packs
                    ]
                }
            )
            return
        table = Table(header_style="bold")
        for column in ("pack", "version", "probe files", "description"):
            table.add_column(column)
        for p in packs:
            table.add_row(p.name, p.version, str(len(p.probes)), p.description)
        out.print(table)
