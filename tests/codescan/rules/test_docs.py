"""docs/scan-rules.md documents every registered Python rule with its CWE, an example that is
flagged and one that is not (both taken from the labelled corpus, so they are tested).

Regenerate after adding rules:
``CONFIANCE_REGENERATE_DOCS=1 pytest tests/codescan/rules/test_docs.py``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from confiance.codescan.findings import Rule, rules
from confiance.codescan.python import analyze  # noqa: F401  (registers the built-in rules)
from confiance.codescan.python.context import mask_secret

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "scan-rules.md"
CORPUS = ROOT / "tests" / "codescan" / "corpus" / "python"
_LABEL = re.compile(r"\s*#\s*(expect|ok):\s*([A-Z0-9, -]+?)\s*$")

HEADER = """# Python and LLM scan rules

`confiance scan` runs these rules on every Python file: an AST walk plus taint tracking from
sources (request parameters of Flask, FastAPI/Starlette and Django handlers, `input()`,
`sys.argv`, the environment, files, sockets and the output of OpenAI, Anthropic, Gemini,
LangChain and LiteLLM calls) to sinks, within a function and across the functions of a module.
Each finding carries a trace (`line N: source ...`, ..., `line M: reaches ...`).

Every example below comes from the labelled corpus in `tests/codescan/corpus/python/`, where a
test checks that the first is reported and the second is not. Severity and confidence are the
rule's defaults; taint findings from less trusted sources (local input, files, parameters of
functions nothing in the module calls) are reported with lower confidence.

"""


def _examples(rule_id: str) -> tuple[str | None, str | None]:
    flagged = safe = None
    for path in sorted(CORPUS.rglob("*.py")):
        for line in path.read_text().splitlines():
            match = _LABEL.search(line)
            if not match or rule_id not in [r.strip() for r in match.group(2).split(",")]:
                continue
            code = mask_secret(line[: match.start()].strip())
            if match.group(1) == "expect" and flagged is None and len(code) > 12:
                flagged = code
            elif match.group(1) == "ok" and safe is None and len(code) > 12:
                safe = code
    return flagged, safe


def _section(rule: Rule) -> str:
    flagged, safe = _examples(rule.id)
    owasp = ", ".join(rule.owasp) or "none"
    lines = [
        f"## {rule.id}: {rule.name}",
        "",
        f"- CWE-{rule.cwe} · OWASP {owasp} · severity {rule.severity.value} · "
        f"confidence {rule.confidence.value} · family `{rule.family}`",
        "",
        rule.description,
        "",
    ]
    if flagged:
        lines += ["Flagged:", "", "```python", flagged, "```", ""]
    if safe:
        lines += ["Not flagged:", "", "```python", safe, "```", ""]
    lines += [f"**Fix.** {rule.fix}", ""]
    return "\n".join(lines)


def python_rules() -> list[Rule]:
    return [
        r for r in rules.all() if "python" in r.languages and r.id.startswith(("CF-PY-", "CF-LLM-"))
    ]


def _anchor(rule: Rule) -> str:
    heading = f"{rule.id}: {rule.name}".lower()
    return re.sub(r"[^a-z0-9 -]", "", heading).replace(" ", "-")


def render() -> str:
    index = ["| rule | name | CWE | severity |", "|---|---|---|---|"]
    index += [
        f"| [{r.id}](#{_anchor(r)}) | {r.name} | CWE-{r.cwe} | {r.severity.value} |"
        for r in python_rules()
    ]
    body = "\n".join(_section(r) for r in python_rules())
    return HEADER + "\n".join(index) + "\n\n" + body


def test_every_rule_is_documented_with_its_cwe() -> None:
    if os.environ.get("CONFIANCE_REGENERATE_DOCS") == "1":
        DOC.write_text(render())
    text = DOC.read_text()
    missing = [
        r.id
        for r in python_rules()
        if f"## {r.id}: " not in text or f"CWE-{r.cwe}" not in text.split(f"## {r.id}: ")[1][:400]
    ]
    assert not missing, f"docs/scan-rules.md lacks (or has the wrong CWE for): {missing}"


def test_documented_examples_are_still_in_the_corpus() -> None:
    text = DOC.read_text()
    for rule in python_rules():
        flagged, _ = _examples(rule.id)
        assert flagged is not None, f"{rule.id} has no flagged example in the corpus"
        assert flagged in text, f"docs/scan-rules.md shows an outdated example for {rule.id}"
