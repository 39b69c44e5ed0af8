"""The labelled corpus: every file under corpus/python/ and apps/ is analysed, and the findings
must agree exactly with the labels.

Convention (shared with the benchmark in bench/): a line that must be reported ends with
``# expect: RULE-ID`` (several: ``# expect: RULE-A, RULE-B``); any other finding is a false
positive. ``# ok: RULE-ID`` marks a deliberate tricky negative (documentation, and the coverage
count below). A file may fix the analysis date with ``# corpus-today: YYYY-MM-DD``; without
it the corpus date below is used, so retirements are judged on a fixed day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from confiance.codescan.findings import rules
from confiance.codescan.python import analyze

HERE = Path(__file__).parent
CORPUS_TODAY = dt.date(2026, 11, 25)
FILES = sorted([*(HERE / "corpus" / "python").rglob("*.py"), *(HERE / "apps").rglob("*.py")])
_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, -]+?)\s*$")
_OK = re.compile(r"#\s*ok:\s*([A-Z0-9, -]+?)\s*(?:#|$)")
_TODAY = re.compile(r"^#\s*corpus-today:\s*(\d{4}-\d{2}-\d{2})\s*$", re.M)


def labels(text: str, pattern: re.Pattern[str]) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = pattern.search(line)
        if match:
            found.update((number, r.strip()) for r in match.group(1).split(",") if r.strip())
    return found


def corpus_today(text: str) -> dt.date:
    match = _TODAY.search(text)
    return dt.date.fromisoformat(match.group(1)) if match else CORPUS_TODAY


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(HERE)))
def test_findings_match_labels(path: Path) -> None:
    text = path.read_text()
    relative = str(path.relative_to(HERE))
    findings = analyze(text, relative, today=corpus_today(text))
    actual = {(f.line, f.rule_id) for f in findings}
    expected = labels(text, _EXPECT)
    missed = sorted(expected - actual)
    extra = sorted(actual - expected)
    report = []
    for line, rule in missed:
        report.append(f"  missed {rule} at line {line}: {text.splitlines()[line - 1].strip()}")
    for line, rule in extra:
        report.append(
            f"  false positive {rule} at line {line}: {text.splitlines()[line - 1].strip()}"
        )
    assert not report, f"{relative}:\n" + "\n".join(report)


def test_every_python_rule_has_positives_and_tricky_negatives() -> None:
    positives: Counter[str] = Counter()
    negatives: Counter[str] = Counter()
    for path in FILES:
        text = path.read_text()
        positives.update(rule for _, rule in labels(text, _EXPECT))
        negatives.update(rule for _, rule in labels(text, _OK))
    python_rules = [r.id for r in rules.all() if "python" in r.languages]
    python_rules = [r for r in python_rules if r.startswith(("CF-PY-", "CF-LLM-"))]
    thin = {
        rule: (positives[rule], negatives[rule])
        for rule in python_rules
        if positives[rule] < 4 or negatives[rule] < 3
    }
    assert not thin, f"rules with fewer than 4 positives / 3 tricky negatives: {thin}"
    unknown = (set(positives) | set(negatives)) - set(python_rules)
    assert not unknown, f"labels name rules that are not registered: {sorted(unknown)}"


def test_findings_carry_rule_metadata_and_traces() -> None:
    path = HERE / "corpus" / "python" / "injection" / "sqli.py"
    findings = analyze(path.read_text(), "sqli.py", today=CORPUS_TODAY)
    assert findings
    for finding in findings:
        rule = rules.get(finding.rule_id)
        assert finding.severity == rule.severity
        assert finding.snippet
        assert finding.trace[0].startswith("line ")
        assert "reaches" in finding.trace[-1]
