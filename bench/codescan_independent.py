"""Scores on code the rules were not written from, and false alarms on clean real-world code.

Imported by ``bench/codescan.py`` (sections c and d); run that script, not this module.

(c) ``bench/data/codescan_independent/`` holds small programs, each labelled on its first line
with the CWEs really present (``# labels: CWE-611``) or ``# labels: none``. Each tool's findings
become (file, CWE group) pairs; related CWEs count as the same weakness (``CWE_GROUPS``).

- CWE-matched recall: labelled (file, group) pairs a tool reports / all labelled pairs;
- CWE-pair precision: reported (file, group) pairs that are labelled / all reported pairs;
- file precision: files with a finding that have a label / all files with a finding.

Bandit reports a CWE per finding (``issue_cwe``). Semgrep is run with ``--semgrep-config`` (a
local rules directory: the registry needs network); without one it is reported as not run.

(d) Clean real-world code: the installed packages named in ``CLEAN_PACKAGES`` (well-kept, pure
Python) are scanned in place; every finding counts against the tool, as findings per 1,000 lines.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INDEPENDENT = ROOT / "bench" / "data" / "codescan_independent"
CLEAN_PACKAGES = ("requests", "click", "idna", "jinja2", "packaging", "pathspec", "markupsafe")
_LABELS = re.compile(r"^#\s*labels:\s*(?P<labels>.+)$", re.M)
_CWE = re.compile(r"CWE-(\d+)", re.I)

CWE_GROUPS: dict[str, tuple[int, ...]] = {
    "xxe": (611, 776, 827),
    "cleartext": (319, 523),
    "upload": (434,),
    "redos/regex": (730, 1333, 185, 625),
    "open-redirect": (601,),
    "path-traversal": (22, 23, 36, 73),
    "log-injection": (117, 93),
    "ssrf": (918,),
    "input-validation": (20, 1284),
    "weak-crypto": (326, 327, 328, 331, 338, 330, 916, 759, 760, 1204),
    "credentials": (256, 257, 259, 260, 321, 522, 798),
    "error-disclosure": (209, 497, 215),
    "authorization": (285, 639, 862, 863, 306, 284),
    "header-injection": (113,),
    "unchecked-return": (252, 253, 754),
    "exhaustion": (400, 770, 789, 1088),
    "sql-injection": (89,),
    "command-injection": (77, 78),
}
_GROUP_OF = {cwe: group for group, cwes in CWE_GROUPS.items() for cwe in cwes}

Pair = tuple[str, str]  # (file, group)


def group_of(cwe: int) -> str:
    return _GROUP_OF.get(cwe, f"CWE-{cwe}")


def corpus_labels(root: Path = INDEPENDENT) -> tuple[dict[str, set[str]], int]:
    """Labelled groups per file (empty set for clean files) and the corpus's line count."""
    labels: dict[str, set[str]] = {}
    lines = 0
    for path in sorted(root.glob("*.py")):
        text = path.read_text()
        lines += text.count("\n")
        match = _LABELS.search(text)
        if match is None:
            raise SystemExit(f"{path.name}: first line must be '# labels: CWE-N' or 'none'")
        cwes = [int(c) for c in _CWE.findall(match.group("labels"))]
        labels[path.name] = {group_of(c) for c in cwes}
    return labels, lines


def confiance_pairs(root: Path) -> set[Pair]:
    from confiance.codescan import ScanOptions, scan
    from confiance.codescan.findings import rules

    result = scan([root], ScanOptions(root=root, jobs=1))
    return {
        (Path(f.path).name, group_of(rules.get(f.rule_id).cwe))
        for f in result.findings
        if f.rule_id in rules
    }


def confiance_count(root: Path) -> int:
    from confiance.codescan import ScanOptions, scan

    return len(scan([root], ScanOptions(root=root)).findings)


def _bandit_results(root: Path) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as directory:
        report = Path(directory) / "bandit.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bandit",
                "-r",
                str(root),
                "-f",
                "json",
                "-q",
                "-o",
                str(report),
            ],
            check=False,
            capture_output=True,
        )
        results: list[dict[str, object]] = json.loads(report.read_text())["results"]
    return results


def bandit_pairs(root: Path) -> set[Pair]:
    pairs = set()
    for result in _bandit_results(root):
        cwe = result.get("issue_cwe") or {}
        number = int(cwe.get("id", 0)) if isinstance(cwe, dict) else 0
        pairs.add((Path(str(result["filename"])).name, group_of(number)))
    return pairs


def semgrep_binary() -> str | None:
    found = shutil.which("semgrep")
    if found:
        return found
    beside = Path(sys.executable).parent / "semgrep"
    return str(beside) if beside.exists() else None


def _semgrep_results(root: Path, config: Path) -> list[dict[str, object]]:
    binary = semgrep_binary()
    if binary is None:
        raise RuntimeError("semgrep is not installed")
    completed = subprocess.run(
        [binary, "--config", str(config), "--metrics", "off", "--json", "--quiet", str(root)],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    results: list[dict[str, object]] = json.loads(completed.stdout or "{}").get("results", [])
    return results


def semgrep_pairs(root: Path, config: Path) -> set[Pair]:
    pairs = set()
    for result in _semgrep_results(root, config):
        extra = result.get("extra") or {}
        metadata = extra.get("metadata", {}) if isinstance(extra, dict) else {}
        cwes = metadata.get("cwe", []) if isinstance(metadata, dict) else []
        cwes = [cwes] if isinstance(cwes, str) else cwes
        numbers = [int(n) for c in cwes for n in _CWE.findall(str(c))] or [0]
        for number in numbers:
            pairs.add((Path(str(result["path"])).name, group_of(number)))
    return pairs


@dataclass
class Totals:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    flagged_files: int = 0
    flagged_labelled: int = 0

    @staticmethod
    def ratio(a: int, b: int) -> str:
        return f"{a / b:.0%}" if b else "-"

    def recall(self) -> str:
        return self.ratio(self.tp, self.tp + self.fn)

    def precision(self) -> str:
        return self.ratio(self.tp, self.tp + self.fp)

    def file_precision(self) -> str:
        return self.ratio(self.flagged_labelled, self.flagged_files)


def score(found: set[Pair], labels: dict[str, set[str]]) -> tuple[Totals, dict[str, list[int]]]:
    """Totals and, per labelled group, [tp, fn, fp]."""
    expected = {(name, group) for name, groups in labels.items() for group in groups}
    per_group: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    totals = Totals()
    for pair in found:
        if pair in expected:
            totals.tp += 1
            per_group[pair[1]][0] += 1
        else:
            totals.fp += 1
            per_group[pair[1]][2] += 1
    for pair in expected - found:
        totals.fn += 1
        per_group[pair[1]][1] += 1
    flagged = {name for name, _ in found}
    totals.flagged_files = len(flagged)
    totals.flagged_labelled = sum(1 for name in flagged if labels.get(name))
    return totals, per_group


def independent(semgrep_config: Path | None) -> None:
    labels, lines = corpus_labels()
    vulnerable = sum(1 for groups in labels.values() if groups)
    tools: list[tuple[str, set[Pair] | None, str]] = [
        ("Confiance", confiance_pairs(INDEPENDENT), ""),
        ("Bandit", bandit_pairs(INDEPENDENT), ""),
    ]
    if semgrep_config is not None:
        tools.append(("Semgrep", semgrep_pairs(INDEPENDENT, semgrep_config), ""))
    elif semgrep_binary():
        tools.append(("Semgrep", None, "installed, not run: its rules come from the registry "
                      "(network); pass --semgrep-config DIR with local rule files"))  # fmt: skip
    else:
        tools.append(("Semgrep", None, "not installed (pip install semgrep)"))
    print(f"\n(c) Independent corpus {INDEPENDENT.relative_to(ROOT)}: {len(labels)} files, "
          f"{lines} lines, {vulnerable} vulnerable, {len(labels) - vulnerable} clean")  # fmt: skip
    scored = [(name, score(found, labels) if found is not None else None, note)
              for name, found, note in tools]  # fmt: skip
    groups = sorted({g for gs in labels.values() for g in gs})
    header = "".join(f" {name + ' R/P':>18}" for name, result, _ in scored if result)
    print(f"{'weakness (CWE group)':22} {'n':>3}{header}")
    for group in groups:
        n = sum(1 for gs in labels.values() if group in gs)
        cells = ""
        for _, result, _ in scored:
            if result is None:
                continue
            tp, fn, fp = result[1].get(group, [0, 0, 0])
            cells += f" {Totals.ratio(tp, tp + fn):>8} {Totals.ratio(tp, tp + fp):>9}"
        print(f"{group:22} {n:>3}{cells}")
    print(f"{'':26}{'CWE recall':>12} {'pair precision':>15} {'file precision':>15}"
          f" {'pairs TP/FP/FN':>15}")  # fmt: skip
    for name, result, note in scored:
        if result is None:
            print(f"{name:26} {note}")
            continue
        t = result[0]
        print(f"{name:26}{t.recall():>12} {t.precision():>15} {t.file_precision():>15} "
              f"{f'{t.tp}/{t.fp}/{t.fn}':>15}")  # fmt: skip
    ours = scored[0][1]
    if ours is not None:
        t = ours[0]
        met = (t.tp / max(1, t.tp + t.fn) >= 0.55 and t.tp / max(1, t.tp + t.fp) >= 0.70
               and t.flagged_labelled / max(1, t.flagged_files) >= 0.90)  # fmt: skip
        print("Targets (recall >= 55 %, pair precision >= 70 %, file precision >= 90 %): "
              + ("met" if met else "NOT met"))  # fmt: skip


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def clean_code() -> None:
    with tempfile.TemporaryDirectory() as directory:
        tree = Path(directory)
        present = []
        for name in CLEAN_PACKAGES:
            source = _package_dir(name)
            if source is not None:
                shutil.copytree(
                    source, tree / name, ignore=shutil.ignore_patterns("*.pyc", "tests")
                )
                present.append(name)
        lines = sum(p.read_text(errors="replace").count("\n") for p in tree.rglob("*.py"))
        ours = confiance_count(tree)
        theirs = len(_bandit_results(tree))
        print(f"\n(d) Clean real-world code: {', '.join(present)} ({lines} lines of Python)")
        for name, count in (("Confiance", ours), ("Bandit", theirs)):
            print(
                f"{name:12} {count:5} findings  {count * 1000 / max(1, lines):6.2f} per 1,000 lines"
            )
        print("Target (at most 1 finding per 1,000 lines): "
              + ("met" if ours * 1000 <= lines else "NOT met"))  # fmt: skip
