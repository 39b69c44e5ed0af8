"""docs/scan.md is executable: every `confiance scan` command and Python example in it runs
against a small git project; the pre-commit hook definition invokes a valid command."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from confiance.cli.scan import register

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "scan.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(bash|python)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    register(app)
    return app


def _commands() -> list[list[str]]:
    commands = []
    for kind, body in BLOCK.findall(DOC):
        if kind != "bash":
            continue
        for line in body.replace("\\\n", " ").splitlines():
            if line.startswith("confiance scan"):
                argv = shlex.split(line, comments=True)
                commands.append(argv[1:])
    return commands


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "shop"
    for rel, text in {
        "src/app.py": "from openai import OpenAI\nclient = OpenAI(timeout=10)\n",
        "web/page.js": "el.innerHTML = answer;\n",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "base"],
                 ["update-ref", "refs/remotes/origin/main", "HEAD"]):  # fmt: skip
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)
    monkeypatch.chdir(root)
    return root


def test_every_documented_command_runs(project: Path) -> None:
    commands = _commands()
    assert len(commands) >= 15
    app = _app()
    runner = CliRunner()
    for argv in commands:
        result = runner.invoke(app, argv)
        assert result.exit_code in (0, 1), (argv, result.stderr)
    assert (project / "security-checklist.html").exists()
    assert (project / ".confiance-signoff.yaml").exists()


def test_python_examples_run(project: Path) -> None:
    blocks = [body for kind, body in BLOCK.findall(DOC) if kind == "python" and "import" in body]
    assert blocks
    for body in blocks:
        exec(compile(body, "docs/scan.md", "exec"), {})


def test_pre_commit_hook_entry_is_a_valid_command(project: Path) -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "confiance-scan"
    assert hook["pass_filenames"] is True
    argv = shlex.split(hook["entry"])
    assert argv[:2] == ["confiance", "scan"]
    result = CliRunner().invoke(_app(), [*argv[1:], "src/app.py", "web/page.js"])
    assert result.exit_code == 0, result.stderr
    (project / "web" / "run.js").write_text("eval(code);\n")
    result = CliRunner().invoke(_app(), [*argv[1:], "web/run.js"])
    assert result.exit_code == 1
