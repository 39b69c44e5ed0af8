"""``confiance scan`` through the CLI: formats, exit codes, masking everywhere, sign-offs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from confiance.cli.scan import register

from .corpus_labels import CORPUS, raw_secrets

GH = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW11ySowm"


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    register(app)
    return app


APP = _app()
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(APP, ["scan", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "ok.js").write_text("const a = 1;\n")
    return root


def test_clean_tree_exits_zero(project: Path) -> None:
    code, out, _ = invoke(str(project), "--format", "json")
    assert code == 0
    assert json.loads(out)["findings"] == []


def test_fail_on_threshold(project: Path) -> None:
    (project / "page.js").write_text("el.innerHTML = value;\n")  # medium
    assert invoke(str(project))[0] == 0
    assert invoke(str(project), "--fail-on", "medium")[0] == 1
    (project / "run.js").write_text("eval(code);\n")  # high
    assert invoke(str(project))[0] == 1
    assert invoke(str(project), "--fail-on", "critical")[0] == 0


def test_usage_errors_exit_two(project: Path, tmp_path: Path) -> None:
    code, _, err = invoke(str(tmp_path / "missing"))
    assert code == 2
    assert "does not exist" in err
    assert invoke(str(project), "--rules", "CF-NOPE")[0] == 2
    assert invoke(str(project), "--fail-on", "severe")[0] == 2
    assert invoke(str(project), "--baseline", str(tmp_path / "none.json"))[0] == 2
    assert invoke(str(project), "--diff", "HEAD")[0] == 2
    assert invoke(str(project), "--max-file-size", "lots")[0] == 2


def test_baseline_write_then_only_new_findings_fail(project: Path, tmp_path: Path) -> None:
    (project / "run.js").write_text("eval(code);\n")
    baseline = tmp_path / "baseline.json"
    code, _, err = invoke(str(project), "--baseline-write", str(baseline))
    assert code == 0
    assert "Wrote 1 finding(s)" in err
    assert invoke(str(project), "--baseline", str(baseline))[0] == 0
    (project / "run2.js").write_text("eval(other);\n")
    code, out, _ = invoke(str(project), "--baseline", str(baseline), "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert [f["path"] for f in document["findings"]] == ["run2.js"]
    assert [f["path"] for f in document["baselined"]] == ["run.js"]


def test_output_file_and_sarif(project: Path, tmp_path: Path) -> None:
    (project / "run.js").write_text("eval(code);\n")
    target = tmp_path / "out" / "scan.sarif"
    code, out, _ = invoke(str(project), "--format", "sarif", "-o", str(target))
    assert code == 1
    assert out == ""
    sarif = json.loads(target.read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "CF-JS-EVAL"


def test_default_path_is_the_current_directory(project: Path, monkeypatch) -> None:
    (project / "run.js").write_text("eval(code);\n")
    monkeypatch.chdir(project)
    code, out, _ = invoke("--format", "json", "--quiet")
    assert code == 1
    assert json.loads(out)["findings"][0]["path"] == "run.js"


def test_no_secret_is_printed_in_any_output(tmp_path: Path) -> None:
    secrets = raw_secrets(CORPUS / "secrets") | raw_secrets(CORPUS / "js")
    corpus = [str(CORPUS / "secrets"), str(CORPUS / "js")]
    outputs = []
    for args in (
        ["--format", "table"],
        ["--format", "json"],
        ["--format", "sarif"],
        ["--checklist"],
        ["--checklist", "--checklist-format", "html"],
    ):
        code, out, err = invoke(*corpus, *args)
        assert code == 1
        outputs.append(out + err)
    table_file = tmp_path / "table.txt"
    invoke(*corpus, "-o", str(table_file))
    outputs.append(table_file.read_text())
    assert len(secrets) > 30
    leaks = [(s[:6], i) for i, text in enumerate(outputs) for s in secrets if s in text]
    assert leaks == []
    assert all("…(" in text for text in outputs[:3])


def test_rules_command_lists_cwe_and_owasp() -> None:
    result = runner.invoke(APP, ["scan", "rules", "--json"])
    assert result.exit_code == 0
    by_id = {r["id"]: r for r in json.loads(result.stdout)}
    assert by_id["CF-SECRET-OPENAI"]["cwe"] == "CWE-798"
    assert "LLM02" in by_id["CF-JS-LLM-BROWSER"]["owasp"]
    table = runner.invoke(APP, ["scan", "rules"])
    assert "CF-JS-XSS-LLM" in table.stdout


def test_help_teaches_with_examples() -> None:
    result = runner.invoke(APP, ["scan", "--help"])
    assert result.exit_code == 0
    assert "confiance scan src --format sarif" in result.stdout
    run_help = runner.invoke(APP, ["scan", "run", "--help"])
    assert "--fail-on" in run_help.stdout
    assert "--baseline-write" in run_help.stdout


def test_signoff_command_writes_and_checklist_reads_it(project: Path) -> None:
    (project / "chat.py").write_text("import openai\nopenai.chat.completions.create(model='m')\n")
    _, before, _ = invoke(str(project), "--checklist")
    assert "🟡 needs review | Data processing agreement" in before
    result = runner.invoke(
        APP,
        ["scan", "signoff", "vendor-dpa-checked", "--by", "Ana Lima", "--note", "DPA v3 signed",
         "--path", str(project)],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "covers 1 file(s)" in result.stdout
    stored = yaml.safe_load((project / ".confiance-signoff.yaml").read_text())
    assert stored["signoffs"][0]["files"].keys() == {"chat.py"}
    _, checklist, _ = invoke(str(project), "--checklist")
    assert "signed off by Ana Lima" in checklist
    (project / "chat.py").write_text("import openai\n# changed\n")
    _, checklist, _ = invoke(str(project), "--checklist")
    assert "stale sign-off: covered files changed since sign-off (changed: chat.py)" in checklist


def test_signoff_rejects_unknown_and_automated_items(project: Path) -> None:
    unknown = runner.invoke(
        APP, ["scan", "signoff", "nope", "--by", "A", "--note", "n", "--path", str(project)]
    )
    assert unknown.exit_code == 2
    assert "not a checklist item" in unknown.stderr
    automated = runner.invoke(
        APP, ["scan", "signoff", "no-secrets", "--by", "A", "--note", "n", "--path", str(project)]
    )
    assert automated.exit_code == 2
    assert "automated item" in automated.stderr


def test_history_flag_reports_commit(project: Path) -> None:
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
            cwd=project, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip

    git("init", "-q")
    (project / "a.env").write_text(f"GITHUB_TOKEN={GH}\n")
    git("add", ".")
    git("commit", "-q", "-m", "oops")
    sha = git("rev-parse", "HEAD")
    (project / "a.env").unlink()
    git("commit", "-q", "-am", "remove")
    assert invoke(str(project))[0] == 0
    code, out, _ = invoke(str(project), "--history", "--format", "json")
    assert code == 1
    [entry] = json.loads(out)["history"]
    assert (entry["commit"], entry["path"], entry["line"]) == (sha, "a.env", 1)
    assert GH not in out


def test_json_carries_the_route_inventory(tmp_path: Path) -> None:
    (tmp_path / "api.py").write_text(
        "import os\nfrom fastapi import Depends, FastAPI\n\napp = FastAPI()\n\n\n"
        "def get_current_user():\n    return 'u'\n\n\n"
        "@app.post('/jobs')\ndef jobs():\n    os.system('make')\n\n\n"
        "@app.get('/me')\ndef me(user=Depends(get_current_user)):\n    return {'u': user}\n"
    )
    code, out, _ = invoke(str(tmp_path), "--format", "json", "--quiet")
    routes = json.loads(out)["routes"]
    assert code == 1  # the unauthenticated command runner is critical
    assert [(r["methods"], r["path"], r["auth"], r["operations"]) for r in routes] == [
        (["POST"], "/jobs", None, ["run commands"]),
        (["GET"], "/me", "Depends(get_current_user)", []),
    ]
    assert {r["framework"] for r in routes} == {"fastapi"}
