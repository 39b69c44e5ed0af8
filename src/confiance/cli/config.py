"""``confiance apply``, ``confiance config diff|validate|show|rollback`` (and ``routes``).

``apply`` stores a validated ``confiance.yaml`` as a new audited revision; ``config diff`` shows
what applying would change; ``config validate`` checks a file without touching the store. Invalid
configs exit with code 2 and list every problem as ``file:line:col: key.path: what (what to do)``.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
import yaml
from rich.text import Text

from confiance.app import Services
from confiance.cli import routes
from confiance.cli._controlplane import (
    DATABASE_HELP,
    JSON_HELP,
    author,
    echo_json,
    err,
    out,
    reported_errors,
    roll_back,
    run,
    settings_with,
)
from confiance.cli._diffview import render_diff
from confiance.config.diff import ConfigDiff
from confiance.config.keyenv import KeyEnvPolicy
from confiance.config.load import LoadedConfig, check_environment, load_config, load_document
from confiance.control.revisions import ApplyResult
from confiance.domain.revision import ConfigRevision
from confiance.gateway.change import ChangeOutcome, apply_change

__all__ = ["register"]

CONFIG_OPTION = typer.Option(
    None, "--config", "-c", help="The config file (env CONFIANCE_CONFIG; default ./confiance.yaml)."
)

config_app = typer.Typer(
    name="config",
    help="Check a confiance.yaml and compare it with the applied config.\n\n"
    "Example: [bold]confiance config validate -c confiance.yaml[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def register(app: typer.Typer) -> None:
    """Add ``apply``, the ``config`` group and the ``routes`` group to ``app``."""
    app.command("apply")(apply)
    app.add_typer(config_app)
    routes.register(app)


def _path(config: Path | None, database_url: str | None = None) -> Path:
    return config or Path(settings_with(database_url).config_path)


def _load(path: Path) -> tuple[LoadedConfig, list[str]]:
    # The operator's CONFIANCE_KEY_ENV_ALLOW applies here as it does to POST /api/config.
    loaded = load_config(path, key_env=KeyEnvPolicy.of(settings_with(None)))
    return loaded, check_environment(loaded.config, os.environ)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        err.print(Text("warning: ", style="bold yellow") + Text(warning), soft_wrap=True)


def apply(
    config: Path | None = CONFIG_OPTION,
    message: str = typer.Option("", "--message", "-m", help="Why: stored with the revision."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Apply without asking to confirm."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the changes; store nothing."),
    json_output: bool = typer.Option(
        False, "--json", help=JSON_HELP + " Needs --yes or --dry-run."
    ),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_HELP),
) -> None:
    """Validate a config file and store it as a new, audited revision.

    Shows what changes against the latest revision and asks before storing (skip with --yes).
    Applying a file identical to the latest revision stores nothing. Running gateways pick up
    the new revision within a second.

    Example: [bold]confiance apply -c confiance.yaml -m "add fallback for support-bot"[/bold]

    When a changed route declares `regression` suites in gate mode, they run first against a
    candidate gateway serving the new config; if one fails, nothing is stored (exit 1).

    Exit codes: 0 applied or nothing to do, 1 declined or refused by a gate, 2 invalid config
    (every problem is listed as file:line:col: key.path: what is wrong) or a store error
    (unreachable, unreadable or read-only: checked before anything is asked or stored).
    """
    with reported_errors(json_output):
        if json_output and not (yes or dry_run):
            raise typer.BadParameter("--json needs --yes or --dry-run (no prompt in JSON mode)")
        path = _path(config, database_url)
        loaded, warnings = _load(path)
        # Checked before the prompt: a read-only store fails now (exit 2), not after "yes".
        diff, base = run(
            lambda s: _plan(s, loaded, writable=not dry_run), database_url, writes=True
        )
        if diff.is_empty or dry_run:
            _report_plan(loaded, diff, base, warnings, json_output, dry_run)
            return
        if not json_output:
            _warn(warnings)
            out.print(render_diff(diff, _against(base)))
            if not yes and not typer.confirm("Store this as a new revision?", default=False):
                err.print("Nothing stored.")
                raise typer.Exit(1)
        text = message or f"confiance apply {path.name}"
        change = run(
            lambda s: apply_change(
                s, loaded, author=author(), message=text, config_dir=path.parent.resolve()
            ),
            database_url,
            writes=True,
        )
        _report_change(change, warnings, json_output)
        if change.refused:
            raise typer.Exit(1)


async def _plan(
    services: Services, loaded: LoadedConfig, *, writable: bool = False
) -> tuple[ConfigDiff, ConfigRevision | None]:
    """The diff against the latest revision; with ``writable``, first check the store can take
    the new revision (so a read-only store fails before the prompt, not after "yes")."""
    if writable:
        await services.store.check_writable()
    base = await services.revisions.latest_revision()
    return await services.revisions.diff_against_latest(loaded), base


def _against(base: ConfigRevision | None) -> str:
    return f"Changes against revision {base.number}" if base else "Changes (first revision)"


def _report_plan(
    loaded: LoadedConfig,
    diff: ConfigDiff,
    base: ConfigRevision | None,
    warnings: list[str],
    json_output: bool,
    dry_run: bool,
) -> None:
    if json_output:
        base_number = base.number if base else None
        data = {"applied": False, "dry_run": dry_run, "base_revision": base_number}
        echo_json({**data, "digest": loaded.digest, "warnings": warnings, "diff": diff.to_json()})
        return
    _warn(warnings)
    if diff.is_empty:
        number = base.number if base else 0
        out.print(f"No changes: revision {number} already holds this config.")
        return
    out.print(render_diff(diff, _against(base)))
    out.print("Dry run: nothing stored.")


def _report_change(change: ChangeOutcome, warnings: list[str], json_output: bool) -> None:
    if json_output:
        echo_json({**change.to_json(), "warnings": warnings})
        return
    for outcome in change.outcomes:
        verdict = "passed" if outcome.passed else "FAILED"
        style = "green" if outcome.passed else "bold red"
        line = f"regression ({outcome.mode}) on route {outcome.route}: {verdict}"
        out.print(Text(line, style=style))
        for suite in outcome.suites:
            for failure in suite.failures:
                out.print(Text(f"  {suite.suite}: {failure}"), soft_wrap=True)
    if change.result is None:
        err.print(Text("Refused: a gate-mode regression suite failed; nothing stored.", "bold red"))
        return
    result: ApplyResult = change.result
    out.print(Text(result.message, style="bold green" if result.applied else ""))


@config_app.command("diff")
def diff_command(
    config: Path | None = CONFIG_OPTION,
    json_output: bool = typer.Option(False, "--json", help=JSON_HELP),
    exit_code: bool = typer.Option(
        False, "--exit-code", help="Exit 1 when there are changes (like git diff --exit-code)."
    ),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_HELP),
) -> None:
    """Show what `confiance apply` would change, field by field; store nothing.

    Routes, providers, roles and prices are compared entry by entry (+ added, - removed,
    ~ changed with old → new values); other sections field by field.

    Example: [bold]confiance config diff -c confiance.yaml --json[/bold]

    Exit codes: 0 (with or without changes), 1 changes found with --exit-code, 2 invalid config.
    """
    with reported_errors(json_output):
        loaded, warnings = _load(_path(config, database_url))
        diff, base = run(lambda s: _plan(s, loaded), database_url)
        if json_output:
            base_number = base.number if base else None
            echo_json({"base_revision": base_number, "warnings": warnings, **diff.to_json()})
        else:
            _warn(warnings)
            if diff.is_empty:
                out.print("No changes.")
            else:
                out.print(render_diff(diff, _against(base)))
    if exit_code and not diff.is_empty:
        raise typer.Exit(1)


@config_app.command("validate")
def validate_command(
    config: Path | None = CONFIG_OPTION,
    json_output: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Check a config file without touching the store: YAML syntax, duplicate and unknown keys,
    types, ranges, references between routes and providers, cycles. Warns about provider key
    variables that are not set in this environment (their values are never read or shown).

    Example: [bold]confiance config validate -c confiance.yaml[/bold]

    Exit codes: 0 valid, 2 invalid (every problem listed as file:line:col: key.path: what).
    """
    with reported_errors(json_output):
        loaded, warnings = _load(_path(config))
        model = loaded.config
        if json_output:
            echo_json(
                {
                    "valid": True,
                    "source": loaded.source,
                    "digest": loaded.digest,
                    "providers": sorted(model.providers),
                    "routes": sorted(model.routes),
                    "warnings": warnings,
                }
            )
            return
        _warn(warnings)
        counts = f"{len(model.providers)} providers, {len(model.routes)} routes"
        out.print(Text(f"{loaded.source} is valid: {counts} (digest {loaded.digest[:12]})"))


@config_app.command("show")
def show_command(
    revision: int | None = typer.Option(
        None, "--revision", "-r", min=1, help="Which revision (default: the latest)."
    ),
    json_output: bool = typer.Option(False, "--json", help=JSON_HELP),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_HELP),
) -> None:
    """Print an applied config as a confiance.yaml you can edit and apply again (settings
    left at their defaults are left out; applying it unchanged stores nothing).

    Example: [bold]confiance config show > confiance.yaml[/bold]

    Exit codes: 0 shown, 2 no such revision or store error.
    """
    with reported_errors(json_output):
        stored = run(lambda s: s.revisions.revision(revision), database_url)
        compact = load_document(stored.document, f"revision {stored.number}").config
        document = compact.model_dump(mode="json", exclude_defaults=True)
        if json_output:
            echo_json({"revision": stored.number, "digest": stored.digest, "config": document})
            return
        header = f"# revision {stored.number} ({stored.created_at:%Y-%m-%d %H:%M} UTC, "
        header += f"{stored.author}): {stored.message}\n"
        typer.echo(header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True), nl=False)


@config_app.command("rollback")
def rollback_command(
    to: int = typer.Option(..., "--to", min=1, help="The revision whose whole config to restore."),
    message: str = typer.Option("", "--message", "-m", help="Why: stored with the revision."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Roll back without asking."),
    json_output: bool = typer.Option(False, "--json", help=JSON_HELP + " Needs --yes."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_HELP),
) -> None:
    """Restore the whole config of an earlier revision, as a new audited revision.

    Shows what changes against the latest revision and asks first (skip with --yes). The old
    config is validated again; nothing is ever deleted. One route only: `confiance routes
    rollback ROUTE --to N`.

    Example: [bold]confiance config rollback --to 3 -m "back to before the vendor switch"[/bold]

    Exit codes: 0 rolled back or nothing to do, 1 declined, 2 no such revision, invalid config
    or store error.
    """
    text = message or None
    with reported_errors(json_output):
        roll_back(
            lambda s: s.revisions.preview_config_rollback(to),
            lambda s: s.revisions.rollback_config(to, author(), text),
            database_url,
            yes=yes,
            json_output=json_output,
            unchanged=f"No changes: the latest revision already holds revision {to}.",
            title=f"Rolling back the config to revision {to}",
        )
