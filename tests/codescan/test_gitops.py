"""--diff and --history against real temporary git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from confiance.codescan import ScanOptions, scan
from confiance.codescan.diff import parse_unified_diff
from confiance.errors import UsageError

KEY = "sk-proj-" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm1Qw2Er3Ty4Ui5Op6As7Df8Gh9"
GH = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW11ySowm"


def git(repo: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return root


def test_diff_reports_only_changed_lines_and_new_files(repo: Path) -> None:
    (repo / "web").mkdir()
    (repo / "web" / "a.js").write_text("el.innerHTML = oldValue;\nconst x = 1;\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    (repo / "web" / "a.js").write_text(
        "el.innerHTML = oldValue;\nconst x = 1;\nel.outerHTML = newValue;\n"
    )
    (repo / "new.env").write_text(f"GITHUB_TOKEN={GH}\n")
    (repo / "untouched.js").write_text("eval(code);\n")
    git(repo, "add", "untouched.js")
    git(repo, "commit", "-q", "-m", "untouched")
    full = scan([repo], ScanOptions(root=repo, jobs=1))
    assert len(full.findings) == 4
    changed = scan([repo], ScanOptions(root=repo, jobs=1, diff_base="HEAD"))
    assert sorted((f.path, f.line, f.rule_id) for f in changed.findings) == [
        ("new.env", 1, "CF-SECRET-GITHUB"),
        ("web/a.js", 3, "CF-JS-XSS"),
    ]
    assert changed.diff_base == "HEAD"


def test_diff_paths_are_relative_to_a_subdirectory_root(repo: Path) -> None:
    (repo / "svc").mkdir()
    (repo / "svc" / "b.js").write_text("const a = 1;\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    (repo / "svc" / "b.js").write_text("const a = 1;\neval(input);\n")
    result = scan([repo / "svc"], ScanOptions(root=repo / "svc", jobs=1, diff_base="main"))
    assert [(f.path, f.line) for f in result.findings] == [("b.js", 2)]


def test_diff_errors_are_usage_errors(repo: Path, tmp_path: Path) -> None:
    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    with pytest.raises(UsageError, match="git rev-parse failed"):
        scan([repo], ScanOptions(root=repo, diff_base="no-such-branch"))
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(UsageError, match="not inside a git work tree"):
        scan([outside], ScanOptions(root=outside, diff_base="HEAD"))


def test_history_finds_a_secret_committed_then_deleted(repo: Path) -> None:
    (repo / "config").mkdir()
    (repo / "config" / "settings.py").write_text(f'DEBUG = False\nOPENAI_API_KEY = "{KEY}"\n')
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "add settings")
    introduced = git(repo, "rev-parse", "HEAD")
    (repo / "config" / "settings.py").write_text(
        'import os\nDEBUG = False\nOPENAI_API_KEY = os.environ["OPENAI_API_KEY"]\n'
    )
    git(repo, "commit", "-q", "-am", "read the key from the environment")
    git(repo, "mv", "config/settings.py", "config/base.py")
    git(repo, "commit", "-q", "-m", "rename")

    tree_only = scan([repo], ScanOptions(root=repo, jobs=1))
    assert tree_only.findings == ()
    result = scan([repo], ScanOptions(root=repo, jobs=1, history=True))
    assert len(result.history) == 1
    found = result.history[0]
    assert found.commit == introduced
    assert (found.finding.path, found.finding.line) == ("config/settings.py", 2)
    assert found.finding.rule_id == "CF-SECRET-OPENAI"
    assert KEY not in found.finding.snippet
    assert KEY not in found.finding.message
    assert introduced[:12] in found.finding.message


def test_history_respects_ignore_files_and_rule_selection(repo: Path) -> None:
    (repo / ".confianceignore").write_text("fixtures/\n")
    (repo / "fixtures").mkdir()
    (repo / "fixtures" / "fake.env").write_text(f"GITHUB_TOKEN={GH}\n")
    (repo / "app.env").write_text(f"GITHUB_TOKEN={GH}\nOPENAI_API_KEY={KEY}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "c1")
    result = scan([repo], ScanOptions(root=repo, jobs=1, history=True, rules=("CF-SECRET-GIT*",)))
    assert [(h.finding.path, h.finding.rule_id) for h in result.history] == [
        ("app.env", "CF-SECRET-GITHUB")
    ]


def test_history_outside_git_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not inside a git work tree"):
        scan([tmp_path], ScanOptions(root=tmp_path, history=True))


def test_parse_unified_diff_hunks() -> None:
    text = (
        "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
        "@@ -3,0 +4,2 @@\n+a\n+b\n@@ -10 +12 @@\n-old\n+new\n"
        "diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
        "diff --git a/y.py b/y.py\n--- a/y.py\n+++ b/y.py\n@@ -5,2 +4,0 @@\n-p\n-q\n"
    )
    assert parse_unified_diff(text) == {"x.py": {4, 5, 12}, "y.py": set()}
