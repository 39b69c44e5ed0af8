"""Secrets in git history (``--history``): every line ever added, in every commit of every ref.

A secret deleted from the tree is still readable by anyone with a clone, so it must be rotated.
``git log -p`` is streamed (a list argv, never a shell) and only added lines are scanned; each
secret is reported once, at the oldest commit that added it, with the file and line of that
commit.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from confiance.codescan.diff import git_toplevel
from confiance.codescan.files import is_lockfile
from confiance.codescan.findings import Finding
from confiance.codescan.results import HistoryFinding
from confiance.codescan.secretpolicy import SecretPolicy
from confiance.codescan.secrets import scan_secrets
from confiance.errors import UsageError

__all__ = ["scan_history"]

_COMMIT_MARK = "\x1fcommit "
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,\d+)? @@")
_CODE_SUFFIXES = (".py", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs")


@dataclass(slots=True)
class _Patch:
    """Lines one commit added to one file: (line number in that commit, text)."""

    commit: str
    date: str
    path: str
    added: list[tuple[int, str]] = field(default_factory=list)


def _git_log(root: Path) -> Iterator[str]:
    argv = [
        "git", "-c", "core.quotePath=false", "log", "-p", "-U0", "--all", "--relative",
        "--no-color", "--no-ext-diff", "--no-renames", "--reverse",
        f"--format={_COMMIT_MARK}%H %cI", "--", ".",
    ]  # fmt: skip
    try:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except FileNotFoundError as exc:
        raise UsageError("--history needs git on PATH") from exc
    assert process.stdout is not None
    assert process.stderr is not None
    with process:
        for raw in process.stdout:
            yield raw.decode("utf-8", "replace").rstrip("\n")
        error = process.stderr.read().decode("utf-8", "replace").strip()
    if process.returncode != 0:
        detail = error.splitlines()[-1] if error else "unknown error"
        raise UsageError(f"git log failed: {detail}")


def _patches(lines: Iterator[str]) -> Iterator[_Patch]:
    commit, date = "", ""
    patch: _Patch | None = None
    next_line = 0
    for line in lines:
        if line.startswith(_COMMIT_MARK):
            if patch and patch.added:
                yield patch
            patch = None
            commit, _, date = line[len(_COMMIT_MARK) :].partition(" ")
        elif line.startswith("+++ "):
            if patch and patch.added:
                yield patch
            target = line[4:]
            patch = None if target == "/dev/null" else _Patch(commit, date, target[2:])
        elif line.startswith("@@"):
            match = _HUNK.match(line)
            next_line = int(match.group("start")) if match else 0
        elif line.startswith("+") and patch is not None:
            patch.added.append((next_line, line[1:]))
            next_line += 1
    if patch and patch.added:
        yield patch


def _scan_patch(patch: _Patch, policy: SecretPolicy | None) -> list[Finding]:
    text = "\n".join(text for _, text in patch.added)
    scan = scan_secrets(
        text,
        patch.path,
        quoted_only=patch.path.endswith(_CODE_SUFFIXES),
        lockfile=is_lockfile(patch.path),
        policy=policy,
    )
    real_lines = [number for number, _ in patch.added]
    return [
        Finding(
            rule_id=f.rule_id,
            path=f.path,
            line=real_lines[f.line - 1],
            column=f.column,
            message=f"{f.message} (added in commit {patch.commit[:12]})",
            severity=f.severity,
            confidence=f.confidence,
            snippet=f.snippet,
        )
        for f in scan.findings
    ]


def scan_history(
    root: Path, include: Callable[[str], bool], policy: SecretPolicy | None = None
) -> list[HistoryFinding]:
    """Secrets added by any commit under ``root``; ``include`` filters paths (ignore rules),
    ``policy`` is the secrets allow-list.

    Raises :class:`UsageError` when ``root`` is not in a git work tree or git fails.
    """
    git_toplevel(root)
    oldest: dict[tuple[str, str, str], HistoryFinding] = {}
    for patch in _patches(_git_log(root)):
        if not include(patch.path):
            continue
        for finding in _scan_patch(patch, policy):
            key = (finding.rule_id, finding.path, finding.snippet)
            # --reverse lists oldest first: keep the commit that introduced the secret.
            oldest.setdefault(key, HistoryFinding(patch.commit, finding, patch.date))
    return sorted(oldest.values(), key=lambda h: (h.finding.path, h.finding.line, h.commit))
