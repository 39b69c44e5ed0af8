"""Lines changed since a git revision (``--diff BASE``), from ``git diff -U0`` hunks.

Git runs with a list argv (never a shell) and ``--no-ext-diff`` / ``--no-color`` so user config
cannot change the format. Untracked files count as entirely changed: they are new code too.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from confiance.errors import UsageError

__all__ = ["ChangedLines", "changed_lines", "git_toplevel", "parse_unified_diff"]

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")


@dataclass(frozen=True, slots=True)
class ChangedLines:
    """Changed line numbers per path (relative to the scan root); whole files for new ones."""

    lines: dict[str, frozenset[int]]
    whole_files: frozenset[str]

    def touches(self, path: str) -> bool:
        return path in self.whole_files or path in self.lines

    def contains(self, path: str, line: int) -> bool:
        return path in self.whole_files or line in self.lines.get(path, frozenset())


def _git(args: list[str], cwd: Path) -> str:
    try:
        completed = subprocess.run(  # noqa: S603 - fixed argv, no shell; git from PATH
            ["git", "-c", "core.quotePath=false", *args],  # noqa: S607
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise UsageError("--diff and --history need git on PATH") from exc
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()
        raise UsageError(f"git {args[0]} failed: {detail[-1] if detail else 'unknown error'}")
    return completed.stdout


def git_toplevel(path: Path) -> Path:
    """The work tree root containing ``path``. Raises :class:`UsageError` outside a repo."""
    directory = path if path.is_dir() else path.parent
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], directory).strip())
    except UsageError as exc:
        raise UsageError(f"{path} is not inside a git work tree ({exc})") from exc


def parse_unified_diff(text: str) -> dict[str, set[int]]:
    """``{path: added-or-changed new-side line numbers}`` from ``git diff -U0`` output."""
    changed: dict[str, set[int]] = {}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            current = None if target == "/dev/null" else target.removeprefix("b/")
            if current is not None:
                changed.setdefault(current, set())
            continue
        match = _HUNK.match(line)
        if match and current is not None:
            start = int(match.group("start"))
            count = int(match.group("count") or "1")
            changed[current].update(range(start, start + count))
    return changed


def changed_lines(root: Path, base: str) -> ChangedLines:
    """Lines changed between ``base`` and the work tree, with paths relative to ``root``."""
    top = git_toplevel(root)
    _git(["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], top)
    diff = _git(["diff", "-U0", "--no-color", "--no-ext-diff", "--no-renames", base, "--"], top)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    prefix = _prefix(top, root)
    lines = {
        rel: frozenset(numbers)
        for path, numbers in parse_unified_diff(diff).items()
        if (rel := _under(path, prefix)) is not None
    }
    whole = frozenset(
        rel for path in untracked.split("\0") if path and (rel := _under(path, prefix)) is not None
    )
    return ChangedLines(lines, whole)


def _prefix(top: Path, root: Path) -> str:
    rel = root.resolve().relative_to(top.resolve()).as_posix()
    return "" if rel == "." else rel + "/"


def _under(path: str, prefix: str) -> str | None:
    if not prefix:
        return path
    return path[len(prefix) :] if path.startswith(prefix) else None
