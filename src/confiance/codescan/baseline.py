"""The baseline: findings a team has accepted, keyed by :attr:`Finding.fingerprint`.

Fingerprints ignore line numbers, so moving code does not resurface accepted findings; each
fingerprint carries a count, so a second copy of the same flawed line is still new. The file is
JSON, sorted, so it diffs well in review.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from confiance.codescan.findings import Finding
from confiance.errors import ConfigError

__all__ = ["BASELINE_VERSION", "load_baseline", "split_by_baseline", "write_baseline"]

BASELINE_VERSION = 1


def write_baseline(path: Path, findings: Iterable[Finding], *, now: datetime | None = None) -> int:
    """Write every finding to ``path``; returns how many entries were written."""
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint,
                "rule_id": f.rule_id,
                "path": f.path,
                "line": f.line,
                "snippet": f.snippet,
            }
            for f in findings
        ),
        key=lambda e: (str(e["path"]), int(str(e["line"])), str(e["rule_id"])),
    )
    document = {
        "version": BASELINE_VERSION,
        "tool": "confiance scan",
        "generated_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "findings": entries,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


def load_baseline(path: Path) -> Counter[str]:
    """Fingerprint counts from a baseline file. Raises :class:`ConfigError` naming the problem."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            "baseline file not found; create it with --baseline-write", location=str(path)
        ) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read baseline: {exc}", location=str(path)) from exc
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        raise ConfigError(
            f"not a confiance baseline (expected an object with version {BASELINE_VERSION})",
            location=str(path),
        )
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise ConfigError("'findings' must be a list", location=str(path))
    counts: Counter[str] = Counter()
    for index, entry in enumerate(entries):
        fingerprint = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise ConfigError(f"findings[{index}] has no 'fingerprint'", location=str(path))
        counts[fingerprint] += 1
    return counts


def split_by_baseline(
    findings: Iterable[Finding], accepted: Counter[str]
) -> tuple[list[Finding], list[Finding]]:
    """(new, baselined): each accepted fingerprint absorbs at most its recorded count."""
    remaining = Counter(accepted)
    new: list[Finding] = []
    known: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.path, f.line, f.column, f.rule_id)):
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            known.append(finding)
        else:
            new.append(finding)
    return new, known
