"""Secrets benchmark (named so as not to shadow the standard library's ``secrets`` module for
scripts run from bench/): recall per family and placement, file precision, and false alarms on clean
real-world code, for Confiance and (when installed) detect-secrets, measured in the same run.

    pip install -e '.[bench]'
    python bench/secret_scan.py             # add --real PATH to choose the clean code

(a) The labelled corpus of bench/secrets_corpus.py (generated; written apart from the rules'
test fixtures): a secret counts as found when a credential finding (CWE-798) is on its line.
"Hard" placements are URLs/connection strings, keys split across literals, and docs/notebooks.
(b) Clean real-world code: the installed sources of well-known libraries (no labelled secret),
where every finding is a false alarm; reported per 1,000 lines.

gitleaks and TruffleHog v3 are Go binaries on neither PyPI, npm nor Debian here; detect-secrets
(Yelp, PyPI) is the baseline that installs. Other helpers may load the CPU: timings are noisy.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from secrets_corpus import HARD_PLACEMENTS, Label, build

from confiance.codescan import ScanOptions, scan
from confiance.codescan.findings import rules

_REAL = ("aiohttp", "sqlalchemy", "pydantic", "rich", "jinja2", "starlette", "fastapi", "yaml",
         "typer", "click", "httpx", "alembic")  # fmt: skip

Hits = set[tuple[str, int]]


def confiance_hits(root: Path) -> tuple[Hits, float]:
    started = time.perf_counter()
    result = scan([root], ScanOptions(root=root, jobs=1))
    elapsed = time.perf_counter() - started
    found = {(f.path, f.line) for f in result.findings if rules.get(f.rule_id).cwe == 798}
    return found, elapsed


def detect_secrets_hits(root: Path) -> tuple[Hits, float] | None:
    exe = shutil.which("detect-secrets")
    if exe is None:
        return None
    started = time.perf_counter()
    out = subprocess.run([exe, "scan", "--all-files", "."], cwd=root, capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    elapsed = time.perf_counter() - started
    results = json.loads(out)["results"]
    return {
        (path, item["line_number"]) for path, items in results.items() for item in items
    }, elapsed


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.0%} ({part}/{whole})" if whole else "n/a"


def score(name: str, hits: Hits, labels: list[Label]) -> dict[str, str]:
    wanted = {(lab.path, lab.line) for lab in labels}
    by_family: dict[str, list[bool]] = defaultdict(list)
    by_placement: dict[str, list[bool]] = defaultdict(list)
    for lab in labels:
        found = (lab.path, lab.line) in hits
        by_family[lab.family].append(found)
        by_placement[lab.placement].append(found)
    hard = [f for p, v in by_placement.items() if p in HARD_PLACEMENTS for f in v]
    flagged_files = {p for p, _ in hits}
    true_files = {p for p, _ in wanted}
    row = {
        "tool": name,
        "recall": _ratio(len(hits & wanted), len(wanted)),
        "hard placements": _ratio(sum(hard), len(hard)),
        "file precision": _ratio(len(flagged_files & true_files), len(flagged_files)),
        "false findings": str(len(hits - wanted)),
    }
    row |= {f"family {k}": _ratio(sum(v), len(v)) for k, v in sorted(by_family.items())}
    row |= {f"placement {k}": _ratio(sum(v), len(v)) for k, v in sorted(by_placement.items())}
    return row


def _real_roots(extra: list[Path]) -> list[Path]:
    roots = list(extra)
    for name in _REAL if not extra else ():
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            roots.append(Path(next(iter(spec.submodule_search_locations))))
    return roots


def real_code(roots: list[Path]) -> list[tuple[str, int, int, Hits, Hits | None, float, float]]:
    rows = []
    for root in roots:
        lines = sum(len(p.read_bytes().splitlines()) for p in root.rglob("*.py"))
        ours, t_ours = confiance_hits(root)
        theirs = detect_secrets_hits(root)
        other, t_other = theirs if theirs else (None, 0.0)
        files = len(list(root.rglob("*.py")))
        rows.append((root.name, lines, files, ours, other, t_ours, t_other))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    clean_help = "clean code to count false alarms on (default: installed libraries)"
    parser.add_argument("--real", type=Path, action="append", default=[], help=clean_help)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        labels = build(root)
        ours, t_ours = confiance_hits(root)
        rows = [score("confiance", ours, labels)]
        theirs = detect_secrets_hits(root)
        if theirs is not None:
            rows.append(score("detect-secrets", theirs[0], labels))
        if args.show_misses:
            wanted = {(lab.path, lab.line): lab for lab in labels}
            for key in sorted(set(wanted) - ours):
                print("missed", key, wanted[key].family, wanted[key].placement)
            for key in sorted(ours - set(wanted)):
                print("false", key)
    baseline = f"detect-secrets {theirs[1]:.2f}s" if theirs else "detect-secrets not installed"
    files = len({lab.path for lab in labels})
    print(f"\n(a) labelled corpus: {len(labels)} secrets in {files} files, plus clean files; "
          f"Confiance {t_ours:.2f}s, {baseline}")  # fmt: skip
    keys = list(rows[0])
    print("| " + " | ".join(r["tool"] for r in [{"tool": "metric"}, *rows]) + " |")
    print("|" + "---|" * (len(rows) + 1))
    for key in keys[1:]:
        print(f"| {key} | " + " | ".join(r.get(key, "n/a") for r in rows) + " |")
    print("\n(b) clean real-world code (every finding is a false alarm)")
    print(
        "| code | files | lines | Confiance findings | per 1,000 lines | detect-secrets | "
        "per 1,000 lines | Confiance s | detect-secrets s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    total_lines = total_ours = total_theirs = 0
    for name, lines, files, mine, other, t1, t2 in real_code(_real_roots(args.real)):
        total_lines, total_ours = total_lines + lines, total_ours + len(mine)
        total_theirs += len(other) if other is not None else 0
        other_cell = (
            f"{len(other)} | {1000 * len(other) / lines:.2f}" if other is not None else "n/a | n/a"
        )
        print(f"| {name} | {files} | {lines:,} | {len(mine)} | {1000 * len(mine) / lines:.2f} | "
              f"{other_cell} | {t1:.1f} | {t2:.1f} |")  # fmt: skip
    if total_lines:
        print(f"| total | | {total_lines:,} | {total_ours} | {1000 * total_ours / total_lines:.2f} "
              f"| {total_theirs} | {1000 * total_theirs / total_lines:.2f} | | |")  # fmt: skip


if __name__ == "__main__":
    main()
