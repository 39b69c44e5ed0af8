"""Labels of the test corpus: a line that must be reported ends with ``# expect: RULE-ID``
(``//`` or ``<!--`` in other languages; several ids comma-separated). Any other finding is a
false positive. The benchmark (bench/codescan.py) reads the same convention."""

from __future__ import annotations

import re
from pathlib import Path

from confiance.codescan.findings import Finding

CORPUS = Path(__file__).parent / "corpus"
LABEL = re.compile(r"(?:#|//|<!--)\s*expect:\s*(?P<ids>[A-Z0-9-]+(?:\s*,\s*[A-Z0-9-]+)*)")

Label = tuple[str, int, str]


def labels_in(path: Path, root: Path) -> set[Label]:
    """``(relative path, line, rule id)`` for every label in ``path``."""
    rel = path.relative_to(root).as_posix()
    found: set[Label] = set()
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        match = LABEL.search(line)
        if match:
            found.update((rel, number, rule.strip()) for rule in match.group("ids").split(","))
    return found


def corpus_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def raw_secrets(directory: Path) -> set[str]:
    """Every raw secret value the detector finds in the corpus (what must never be printed)."""
    from confiance.codescan.secrets import scan_secrets

    values: set[str] = set()
    for path in corpus_files(directory):
        text = path.read_text(encoding="utf-8", errors="replace")
        found = scan_secrets(text, path.name, quoted_only=path.suffix in (".py", ".js", ".ts"))
        values.update(v for v in found.values if len(v) >= 8)
    return values


def observed(findings: list[Finding], prefixes: tuple[str, ...]) -> set[Label]:
    return {(f.path, f.line, f.rule_id) for f in findings if f.rule_id.startswith(prefixes)}
