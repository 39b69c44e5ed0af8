"""Every exit code a command's ``--help`` documents is what the command really returns.

The codes are read from each command's help ("Exit codes: 0 …, 2 …"); every documented code of
every command has a scenario here that produces it for real: in-process through the CLI, or in a
child process when the point is the process (``serve``, ``simulate``) or a read-only store.

A read-only store is a SQLite file with mode 0444 in a folder with mode 0555. Tests run as root
here, and root ignores file modes; so the read-only scenarios run in a child process whose
capability bounding set lacks ``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH`` and ``CAP_FOWNER``
(:func:`~confiance.store.testing.honour_file_modes`, before ``exec``): it is still uid 0 and can
run the interpreter, but file modes now bind it exactly as they bind any user. As a non-root
user the modes bind anyway and nothing is dropped.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from confiance.cli.main import app
from confiance.config.load import parse_config
from confiance.domain.keys import Role
from confiance.domain.trace import Trace
from confiance.store import Store
from confiance.store.testing import honour_file_modes

# Groups other helpers own document their codes in their own pages and test them there.
ELSEWHERE = {"scan", "eval"}
CONFIG = """\
version: 1
providers:
  sim: {{kind: simulated, base_url: "http://127.0.0.1:9/v1"}}
routes:
  chat: {{target: "sim/{model}"}}
"""


def commands() -> dict[str, str]:
    """``"keys create"`` → its help text, for every command of the CLI."""
    found: dict[str, str] = {}

    def walk(command: click.Command, path: list[str]) -> None:
        if hasattr(command, "list_commands"):  # a group (Typer's own Group class)
            context = click.Context(command)
            for name in command.list_commands(context):
                walk(command.get_command(context, name), [*path, name])
        else:
            found[" ".join(path)] = command.help or ""

    walk(typer.main.get_command(app), [])
    return found


def documented() -> dict[str, set[int]]:
    """``"keys create"`` → the codes its help lists after "Exit codes:"."""
    found: dict[str, set[int]] = {}
    for name, text in commands().items():
        match = re.search(r"Exit codes:(.*?)(?:\n\s*\n|$)", text, re.DOTALL)
        if match:
            found[name] = {int(code) for code in re.findall(r"(?:^|,)\s*(\d+)\s", match[1])}
    return found


@dataclass
class Workspace:
    root: Path
    url: str  # a store with two revisions, a key, a trace and a short audit trail
    readonly_url: str  # a copy of it, mode 0444 in a 0555 folder
    config: Path
    changed: Path
    invalid: Path
    key_id: str
    trace_id: str

    def env(self) -> dict[str, str]:
        return {**os.environ, "CONFIANCE_DATABASE_URL": self.url, "COLUMNS": "200"}


async def _seed(url: str, config: str, changed: str) -> tuple[str, str]:
    async with await Store.open(url) as store:
        from confiance.app import open_services
        from confiance.settings import Settings

        services = await open_services(Settings(database_url=url))
        try:
            await services.revisions.apply(parse_config(config, "a"), "t", "first")
            await services.revisions.apply(parse_config(changed, "b"), "t", "second")
            key = await services.keys.create("k", Role.APP)
        finally:
            await services.close()
        trace = Trace(id="tr_exit", started_at=datetime.now(UTC), endpoint="chat", route="chat")
        await store.traces.add_many([trace])
    return key.key.id, trace.id


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("exit-codes")
    url = f"sqlite+aiosqlite:///{root / 'store.db'}"
    first, second = CONFIG.format(model="echo"), CONFIG.format(model="gpt-4o")
    key_id, trace_id = asyncio.run(_seed(url, first, second))
    frozen = root / "frozen"
    frozen.mkdir()
    copy = frozen / "store.db"
    copy.write_bytes((root / "store.db").read_bytes())
    copy.chmod(0o444)
    frozen.chmod(0o555)
    files = {
        "config": first,
        "changed": CONFIG.format(model="other"),
        "invalid": "version: 1\nroutes: 3\n",
    }
    for name, text in files.items():
        (root / f"{name}.yaml").write_text(text)
    try:
        yield Workspace(
            root,
            url,
            f"sqlite+aiosqlite:///{copy}",
            root / "config.yaml",
            root / "changed.yaml",
            root / "invalid.yaml",
            key_id,
            trace_id,
        )
    finally:
        frozen.chmod(0o755)


def cli(ws: Workspace, *args: str) -> int:
    result = CliRunner().invoke(
        app, list(args), env={"CONFIANCE_DATABASE_URL": ws.url, "COLUMNS": "200"}
    )
    return result.exit_code


READONLY_RUNNER = """
import json, sys
from typer.testing import CliRunner
from confiance.cli.main import app
results = [CliRunner().invoke(app, args) for args in json.loads(sys.argv[1])]
print(json.dumps([[r.exit_code, r.output] for r in results]))
"""


def readonly(ws: Workspace, calls: list[list[str]]) -> list[int]:
    """The exit code of each CLI call against the read-only store, run in one child process
    without the capabilities that let root ignore file modes."""
    env = {**ws.env(), "CONFIANCE_DATABASE_URL": ws.readonly_url}
    done = subprocess.run(
        [sys.executable, "-c", READONLY_RUNNER, json.dumps(calls)],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=honour_file_modes,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # Only a failure for the documented reason counts: the store is read-only.
    return [
        code if "readonly database" in " ".join(output.split()) else -code
        for code, output in json.loads(done.stdout)
    ]


def process(ws: Workspace, *args: str, stop_after_ready: str | None = None) -> int:
    """Run ``confiance ARGS`` as a process; with ``stop_after_ready``, send SIGTERM (or SIGINT)
    once it prints that it is listening."""
    child = subprocess.Popen(
        [sys.executable, "-m", "confiance", *args],
        env=ws.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        if stop_after_ready is not None:
            assert child.stdout is not None
            deadline = time.monotonic() + 60
            for line in child.stdout:
                if "istening on" in line or "Simulator" in line or "simulat" in line.lower():
                    break
                assert time.monotonic() < deadline, "never became ready"
            child.send_signal(signal.SIGINT if stop_after_ready == "INT" else signal.SIGTERM)
        child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    return child.returncode


@pytest.fixture(scope="module")
def taken_port() -> Iterator[int]:
    """A port a real server (a plain listening socket here) already holds."""
    with socket.create_server(("127.0.0.1", 0)) as held:
        yield held.getsockname()[1]


Scenario = Callable[[Workspace], int]


def scenarios(port: int) -> dict[str, dict[int, Scenario]]:
    r = readonly
    ro = lambda *args: lambda ws: r(ws, [[str(a(ws)) if callable(a) else a for a in args]])[0]  # noqa: E731
    c = lambda *args: lambda ws: cli(ws, *args)  # noqa: E731
    return {
        "serve": {
            0: lambda ws: process(ws, "serve", "--port", "0", stop_after_ready="TERM"),
            2: lambda ws: process(ws, "serve", "--port", str(port)),
        },
        "simulate": {
            0: lambda ws: process(ws, "simulate", "--port", "0", stop_after_ready="INT"),
            2: lambda ws: process(ws, "simulate", "--port", str(port)),
        },
        "apply": {
            0: lambda ws: cli(ws, "apply", "-c", str(ws.config), "--yes"),
            1: lambda ws: (
                CliRunner()
                .invoke(
                    app,
                    ["apply", "-c", str(ws.changed)],
                    input="n\n",
                    env={"CONFIANCE_DATABASE_URL": ws.url},
                )
                .exit_code
            ),
            2: ro("apply", "-c", lambda ws: ws.changed, "--yes"),
        },
        "config diff": {
            0: lambda ws: cli(ws, "config", "diff", "-c", str(ws.changed)),
            1: lambda ws: cli(ws, "config", "diff", "-c", str(ws.changed), "--exit-code"),
            2: lambda ws: cli(ws, "config", "diff", "-c", str(ws.invalid)),
        },
        "config validate": {
            0: lambda ws: cli(ws, "config", "validate", "-c", str(ws.config)),
            2: lambda ws: cli(ws, "config", "validate", "-c", str(ws.invalid)),
        },
        "routes list": {
            0: c("routes", "list"),
            2: c("routes", "list", "--database-url", "nowhere/x.db"),
        },
        "routes show": {0: c("routes", "show", "chat"), 2: c("routes", "show", "nope")},
        "routes history": {
            0: c("routes", "history", "chat"),
            2: c("routes", "history", "chat", "--database-url", "mysql://x"),
        },
        "routes rollback": {
            0: c("routes", "rollback", "chat", "--to", "1", "--yes"),
            1: lambda ws: (
                CliRunner()
                .invoke(
                    app,
                    ["routes", "rollback", "chat", "--to", "2"],
                    input="n\n",
                    env={"CONFIANCE_DATABASE_URL": ws.url},
                )
                .exit_code
            ),
            2: ro("routes", "rollback", "chat", "--to", "2", "--yes"),
        },
        # After the route rollback above the latest revision holds revision 1's config.
        "config rollback": {
            0: c("config", "rollback", "--to", "1", "--yes"),
            1: lambda ws: (
                CliRunner()
                .invoke(
                    app,
                    ["config", "rollback", "--to", "2"],
                    input="n\n",
                    env={"CONFIANCE_DATABASE_URL": ws.url},
                )
                .exit_code
            ),
            2: ro("config", "rollback", "--to", "1", "--yes"),
        },
        "config show": {0: c("config", "show"), 2: c("config", "show", "--revision", "99")},
        "keys create": {
            0: c("keys", "create", "--role", "app"),
            2: ro("keys", "create", "--role", "app"),
        },
        "keys list": {
            0: c("keys", "list"),
            2: c("keys", "list", "--database-url", str(Path.cwd() / "absent.db")),
        },
        "keys revoke": {
            0: lambda ws: cli(ws, "keys", "revoke", ws.key_id),
            2: lambda ws: cli(ws, "keys", "revoke", ws.key_id),  # already revoked by the 0 case
        },
        "traces tail": {0: c("traces", "tail"), 2: c("traces", "tail", "--limit", "0")},
        "traces show": {
            0: lambda ws: cli(ws, "traces", "show", ws.trace_id),
            2: c("traces", "show", "tr_nope"),
        },
        "audit verify": {
            0: c("audit", "verify"),
            1: lambda ws: tampered(ws),
            2: c("audit", "verify", "--database-url", "nowhere/x.db"),
        },
        "audit show": {0: c("audit", "show"), 2: c("audit", "show", "--limit", "0")},
        "db upgrade": {
            0: c("db", "upgrade"),
            2: ro("db", "upgrade"),
        },
        "db current": {
            0: c("db", "current"),
            1: lambda ws: cli(
                ws,
                "db",
                "current",
                "--check",
                "--database-url",
                f"sqlite:///{ws.root / 'empty.db'}",
            ),
            2: c("db", "current", "--database-url", "mysql://x"),
        },
    }


def tampered(ws: Workspace) -> int:
    copy = ws.root / "tampered.db"
    copy.write_bytes(Path(ws.url.split("///", 1)[1]).read_bytes())

    async def edit() -> None:
        from sqlalchemy import text

        async with await Store.open(f"sqlite:///{copy}") as store:
            async with store.database.engine.begin() as conn:
                await conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"))

    asyncio.run(edit())
    return cli(ws, "audit", "verify", "--database-url", f"sqlite:///{copy}")


def test_every_command_here_documents_its_exit_codes() -> None:
    codes = documented()
    undocumented = [
        name for name in commands() if name.split()[0] not in ELSEWHERE and name not in codes
    ]
    assert not undocumented, f"commands without 'Exit codes:' in --help: {undocumented}"
    assert codes["apply"] == {0, 1, 2}


def test_every_documented_exit_code_is_the_real_one(workspace: Workspace, taken_port: int) -> None:
    table = scenarios(taken_port)
    codes = documented()
    missing = {
        name: sorted(wanted - set(table.get(name, {})))
        for name, wanted in codes.items()
        if name.split()[0] not in ELSEWHERE and wanted - set(table.get(name, {}))
    }
    assert not missing, f"documented codes without a scenario: {missing}"
    extra = {name: sorted(set(cases) - codes.get(name, set())) for name, cases in table.items()}
    assert not any(extra.values()), f"scenarios for undocumented codes: {extra}"
    wrong = []
    for name, cases in table.items():
        for expected, scenario in cases.items():
            got = scenario(workspace)
            if got != expected:
                wrong.append(f"{name}: documented {expected}, got {got}")
    assert not wrong, "\n".join(wrong)
