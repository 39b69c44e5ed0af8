"""Benchmark of ``confiance scan`` against Bandit (and Semgrep): quality on the rules' own
corpus, on an independent corpus, false alarms on clean real-world code, then speed.

Run: ``python bench/codescan.py`` (needs ``pip install -e '.[bench]'`` for Bandit; Semgrep is
used when installed and given local rules with ``--semgrep-config``).

(a) Quality. The corpus under ``tests/codescan/corpus`` marks every line where a finding must be
reported with ``# expect: RULE-ID`` (``//`` in JavaScript); any other finding is a false positive.
Confiance is scored per rule on the whole corpus. For the side-by-side with Bandit, both tools are
scored on the files Bandit reads (``*.py``) by vulnerability family: our rules map to a family by
CWE, Bandit's tests by what they check (B608 -> SQL injection, B105 -> secrets...). A finding on a
labelled line of the same family is a true positive, anything else a false positive.

(c) and (d): see ``bench/codescan_independent.py`` (independent corpus with per-CWE recall and
precision side by side; findings per 1,000 lines of installed well-known packages).

(b) Speed. A tree of at least 100,000 lines of Python (the corpus plus synthesized modules that
look like ordinary web/LLM application code) is scanned by each tool in a fresh process; the
best of ``--repeat`` runs is reported as files/s and lines/s with the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from codescan_independent import clean_code, independent  # bench/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "codescan" / "corpus"
CORPUS_TODAY = date(2026, 11, 25)
LABEL = re.compile(r"(?:#|//|<!--)\s*expect:\s*(?P<ids>[A-Z0-9-]+(?:\s*,\s*[A-Z0-9-]+)*)")

FAMILY_BY_CWE = {
    89: "sql-injection", 78: "command-injection", 77: "command-injection", 94: "code-injection",
    95: "code-injection", 79: "xss", 80: "xss", 1336: "template-injection", 502: "deserialization",
    611: "xxe", 776: "xxe", 327: "weak-crypto", 328: "weak-crypto", 916: "weak-crypto",
    1204: "weak-crypto", 330: "weak-random", 338: "weak-random", 295: "tls", 798: "secrets",
    259: "secrets", 321: "secrets", 522: "secrets", 489: "debug", 215: "debug", 377: "tempfile",
    703: "assert", 617: "assert", 22: "path-traversal", 918: "ssrf", 601: "open-redirect",
    862: "access-control", 347: "jwt", 614: "cookies", 942: "cors", 532: "secret-logging",
    915: "mass-assignment", 307: "rate-limit", 367: "file-race", 90: "ldap-xpath-injection",
    643: "ldap-xpath-injection", 400: "resource-limits", 770: "resource-limits", 754: "llm-limits",
    834: "llm-limits", 1104: "retired-models", 1427: "prompt-injection", 693: "llm-safety",
    1164: "suppressions", 319: "cleartext", 434: "upload", 730: "regex", 1333: "regex",
    117: "log-injection", 113: "header-injection", 20: "input-validation", 326: "weak-crypto",
    331: "weak-random", 256: "credential-storage",
    209: "error-disclosure", 639: "access-control", 306: "access-control",
    252: "unchecked-return",
}  # fmt: skip
BANDIT_FAMILY = {
    "B101": "assert", "B102": "code-injection", "B105": "secrets", "B106": "secrets",
    "B107": "secrets", "B108": "tempfile", "B201": "debug", "B301": "deserialization",
    "B302": "deserialization", "B303": "weak-crypto", "B304": "weak-crypto", "B305": "weak-crypto",
    "B306": "tempfile", "B307": "code-injection", "B308": "xss", "B310": "ssrf", "B311":
    "weak-random", "B313": "xxe", "B314": "xxe", "B315": "xxe", "B316": "xxe", "B317": "xxe",
    "B318": "xxe", "B319": "xxe", "B320": "xxe", "B323": "tls", "B324": "weak-crypto",
    "B403": "deserialization", "B404": "command-injection", "B405": "xxe", "B406": "xxe",
    "B407": "xxe", "B408": "xxe", "B409": "xxe", "B410": "xxe", "B411": "xxe",
    "B413": "weak-crypto", "B501": "tls", "B502": "tls", "B503": "tls", "B504": "tls",
    "B505": "weak-crypto", "B506": "deserialization", "B601": "command-injection",
    "B602": "command-injection", "B603": "command-injection", "B604": "command-injection",
    "B605": "command-injection", "B606": "command-injection", "B607": "command-injection",
    "B608": "sql-injection", "B609": "command-injection", "B610": "sql-injection",
    "B611": "sql-injection", "B612": "code-injection", "B613": "code-injection",
    "B701": "xss", "B702": "xss", "B703": "xss", "B113": "resource-limits",
    "B202": "path-traversal",
    "B321": "cleartext", "B402": "cleartext", "B401": "cleartext", "B312": "cleartext",
}  # fmt: skip

Hit = tuple[str, int, str]


def labels(root: Path, suffixes: tuple[str, ...] | None = None) -> set[Hit]:
    found: set[Hit] = set()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if suffixes and path.suffix not in suffixes:
            continue
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            match = LABEL.search(line)
            if match:
                found.update((rel, number, r.strip()) for r in match.group("ids").split(","))
    return found


def confiance_findings(root: Path) -> list[Hit]:
    from confiance.codescan import ScanOptions, scan

    # The corpus judges model retirements on a fixed day (see tests/codescan/test_python_corpus).
    result = scan([root], ScanOptions(root=root, today=CORPUS_TODAY))
    return [(f.path, f.line, f.rule_id) for f in result.findings]


def bandit_findings(root: Path) -> list[Hit]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        report = Path(handle.name)
    subprocess.run(
        [sys.executable, "-m", "bandit", "-r", str(root), "-f", "json", "-q", "-o", str(report)],
        check=False,
        capture_output=True,
    )
    data = json.loads(report.read_text())
    report.unlink()
    return [
        (Path(r["filename"]).resolve().relative_to(root.resolve()).as_posix(), r["line_number"],
         r["test_id"])
        for r in data["results"]
    ]  # fmt: skip


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def precision(self) -> str:
        return f"{self.tp / (self.tp + self.fp):.2f}" if self.tp + self.fp else "-"

    def recall(self) -> str:
        return f"{self.tp / (self.tp + self.fn):.2f}" if self.tp + self.fn else "-"


def score(found: set[Hit], expected: set[Hit]) -> dict[str, Score]:
    scores: dict[str, Score] = defaultdict(Score)
    for hit in found:
        if hit in expected:
            scores[hit[2]].tp += 1
        else:
            scores[hit[2]].fp += 1
    for hit in expected - found:
        scores[hit[2]].fn += 1
    return scores


def family_of_rule(rule_id: str) -> str:
    from confiance.codescan.findings import rules

    if rule_id not in rules:
        return "unknown"
    return FAMILY_BY_CWE.get(rules.get(rule_id).cwe, f"cwe-{rules.get(rule_id).cwe}")


def per_rule_table(found: list[Hit], expected: set[Hit]) -> None:
    scores = score(set(found), expected)
    print(f"\n(a) Confiance per rule on {CORPUS.relative_to(ROOT)} (all languages)")
    print(f"{'rule':34} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>7}")
    total = Score()
    for rule_id in sorted(scores):
        s = scores[rule_id]
        total.tp, total.fp, total.fn = total.tp + s.tp, total.fp + s.fp, total.fn + s.fn
        print(f"{rule_id:34} {s.tp:4} {s.fp:4} {s.fn:4} {s.precision():>10} {s.recall():>7}")
    print(f"{'TOTAL':34} {total.tp:4} {total.fp:4} {total.fn:4} "
          f"{total.precision():>10} {total.recall():>7}")  # fmt: skip


def side_by_side(ours: list[Hit], theirs: list[Hit], expected: set[Hit]) -> None:
    py_expected = {(p, line, family_of_rule(r)) for p, line, r in expected if p.endswith(".py")}
    ours_f = {(p, line, family_of_rule(r)) for p, line, r in ours if p.endswith(".py")}
    theirs_f = {(p, line, BANDIT_FAMILY.get(t, f"bandit-{t}")) for p, line, t in theirs}
    a, b = score(ours_f, py_expected), score(theirs_f, py_expected)
    print("\n(a) Side by side on the same *.py files, per vulnerability family")
    print(f"{'family':24} {'Confiance TP/FP/FN':>20} {'P':>5} {'R':>5}   "
          f"{'Bandit TP/FP/FN':>16} {'P':>5} {'R':>5}")  # fmt: skip
    totals = [Score(), Score()]
    for family in sorted(set(a) | set(b)):
        row = []
        for index, scores in enumerate((a, b)):
            s = scores.get(family, Score())
            t = totals[index]
            t.tp, t.fp, t.fn = t.tp + s.tp, t.fp + s.fp, t.fn + s.fn
            row.append(f"{s.tp:>4}/{s.fp:>3}/{s.fn:>3}".rjust(18) + f" {s.precision():>5} "
                       f"{s.recall():>5}")  # fmt: skip
        print(f"{family:24} {row[0]}   {row[1]}")
    ca, ba = totals
    print(f"{'TOTAL':24} {f'{ca.tp:>4}/{ca.fp:>3}/{ca.fn:>3}':>18} {ca.precision():>5} "
          f"{ca.recall():>5}   {f'{ba.tp:>4}/{ba.fp:>3}/{ba.fn:>3}':>16} {ba.precision():>5} "
          f"{ba.recall():>5}")  # fmt: skip
    verdict = "yes" if ca.tp > ba.tp and ca.fp < ba.fp else "NO"
    print(f"Confiance finds more true positives with fewer false positives than Bandit: {verdict}")


_MODULE = '''"""Service module {n}: {topic} endpoints, persistence and summaries."""

import hashlib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import date

from flask import Flask, abort, jsonify, request
from openai import OpenAI

app = Flask(__name__)
client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], timeout=30, max_retries=2)
log = logging.getLogger(__name__)
DATABASE = os.environ.get("DATABASE_PATH", "app.db")


@dataclass(frozen=True)
class {cls}:
    id: int
    name: str
    quantity: int
    price_cents: int

    @property
    def total(self) -> int:
        return self.quantity * self.price_cents


class {cls}Repository:
    def __init__(self, path: str = DATABASE) -> None:
        self.path = path

    def connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path)
        connection.row_factory = sqlite3.Row
        return connection

    def get(self, item_id: int) -> {cls} | None:
        with self.connect() as db:
            row = db.execute("SELECT * FROM {table} WHERE id = ?", (item_id,)).fetchone()
        return {cls}(**row) if row else None

    def search(self, term: str, limit: int = 50) -> list[{cls}]:
        with self.connect() as db:
            rows = db.execute(
                "SELECT * FROM {table} WHERE name LIKE ? ORDER BY name LIMIT ?",
                (f"%{{term}}%", limit),
            ).fetchall()
        return [{cls}(**row) for row in rows]

    def save(self, item: {cls}) -> None:
        with self.connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO {table} (id, name, quantity, price_cents) "
                "VALUES (?, ?, ?, ?)",
                (item.id, item.name, item.quantity, item.price_cents),
            )


def fingerprint_{n}(payload: dict[str, object]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def summarize_{n}(items: list[{cls}]) -> str:
    lines = "\\n".join(f"- {{i.name}}: {{i.quantity}}" for i in items[:20])
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=300,
        messages=[
            {{"role": "system", "content": "Summarize the inventory in two sentences."}},
            {{"role": "user", "content": lines}},
        ],
    )
    return response.choices[0].message.content or ""


def statistics_{n}(items: list[{cls}]) -> dict[str, float]:
    if not items:
        return {{"count": 0, "mean": 0.0, "max": 0.0}}
    totals = [item.total for item in items]
    mean = sum(totals) / len(totals)
    variance = sum((t - mean) ** 2 for t in totals) / len(totals)
    return {{"count": len(totals), "mean": mean, "max": max(totals), "variance": variance}}


@app.get("/{table}/<int:item_id>")
def get_{n}(item_id: int):
    item = {cls}Repository().get(item_id)
    if item is None:
        abort(404)
    return jsonify(item.__dict__)


@app.get("/{table}")
def search_{n}():
    term = request.args.get("q", "")[:100]
    items = {cls}Repository().search(term)
    log.info("search %s returned %d items", "{table}", len(items))
    return jsonify([i.__dict__ for i in items])


@app.get("/{table}/summary")
def summary_{n}():
    items = {cls}Repository().search("", limit=200)
    return jsonify({{"summary": summarize_{n}(items), "stats": statistics_{n}(items)}})


def batches_{n}(values: list[int], size: int = {size}) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def normalize_{n}(text: str) -> str:
    cleaned = " ".join(text.split())
    for old, new in (("\\u2019", "'"), ("\\u201c", '"'), ("\\u201d", '"')):
        cleaned = cleaned.replace(old, new)
    return cleaned.strip().lower()
'''
_TOPICS = ["orders", "invoices", "stock", "users", "carts", "reviews", "shipments", "coupons"]


def build_tree(target: Path, lines_wanted: int) -> tuple[int, int]:
    """Copy the Python corpus, then add synthesized modules until ``lines_wanted``."""
    files = lines = 0
    for source in sorted(CORPUS.rglob("*.py")):
        destination = target / "corpus" / source.relative_to(CORPUS)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        files, lines = files + 1, lines + source.read_text().count("\n")
    rng = random.Random(7)
    n = 0
    while lines < lines_wanted:
        topic = rng.choice(_TOPICS)
        text = _MODULE.format(n=n, topic=topic, cls=f"{topic.title()[:-1]}{n}",
                              table=f"{topic}_{n}", size=rng.randint(10, 500))  # fmt: skip
        package = target / "app" / f"pkg{n // 50}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"{topic}_{n}.py").write_text(text)
        files, lines, n = files + 1, lines + text.count("\n"), n + 1
    return files, lines


_CONFIANCE_RUN = (
    "import sys; from pathlib import Path; from confiance.codescan import ScanOptions, scan; "
    "r = scan([Path(sys.argv[1])], ScanOptions(root=Path(sys.argv[1]), jobs=int(sys.argv[2]))); "
    "print(len(r.findings), len(r.files))"
)


def timed(argv: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, check=False, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return best


def speed(lines_wanted: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        tree = Path(directory)
        files, lines = build_tree(tree, lines_wanted)
        print(f"\n(b) Speed on {files} Python files, {lines} lines (best of {repeat}, "
              f"{os.cpu_count()} CPUs, fresh process each run, imports included)")  # fmt: skip
        bandit = timed(
            [sys.executable, "-m", "bandit", "-r", str(tree), "-f", "json", "-q", "-o",
             str(tree / "bandit.json")], repeat,
        )  # fmt: skip
        rows = [("Bandit", bandit)]
        for jobs in (1, os.cpu_count() or 1):
            argv = [sys.executable, "-c", _CONFIANCE_RUN, str(tree), str(jobs)]
            rows.append((f"Confiance --jobs {jobs}", timed(argv, repeat)))
        print(f"{'tool':22} {'seconds':>8} {'files/s':>9} {'lines/s':>9} {'vs Bandit':>10}")
        for name, seconds in rows:
            print(f"{name:22} {seconds:8.2f} {files / seconds:9.0f} {lines / seconds:9.0f} "
                  f"{bandit / seconds:9.2f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000, help="Python lines for (b)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool in (b)")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument(
        "--semgrep-config", type=Path, help="local Semgrep rules (file or directory) for (c)"
    )
    args = parser.parse_args()
    expected = labels(CORPUS)
    ours = confiance_findings(CORPUS)
    per_rule_table(ours, expected)
    theirs = bandit_findings(CORPUS)
    side_by_side(ours, theirs, expected)
    counts = Counter(t for _, _, t in theirs)
    print("Bandit tests fired:", ", ".join(f"{t}x{n}" for t, n in sorted(counts.items())))
    independent(args.semgrep_config)
    clean_code()
    if not args.skip_speed:
        speed(args.lines, args.repeat)


if __name__ == "__main__":
    main()
