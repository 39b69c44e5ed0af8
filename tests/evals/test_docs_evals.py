"""docs/evals.md: its example suite loads, and it documents every built-in assertion kind and
every pack category."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from confiance.config.load import parse_config
from confiance.evals.assertions import AssertionRegistry
from confiance.evals.loader import parse_suite
from confiance.evals.packs import load_pack

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "evals.md").read_text(encoding="utf-8")
YAML = re.findall(r"^```yaml\n(.*?)^```", DOC, re.MULTILINE | re.DOTALL)


def test_the_example_suite_loads(tmp_path: Path) -> None:
    suite_text = next(block for block in YAML if block.startswith("name:"))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "faq.jsonl").write_text(
        '{"id": "faq-1", "question": "Do you ship abroad?", "answer": "Yes, to 30 countries."}\n',
        encoding="utf-8",
    )
    suite = parse_suite(suite_text, "docs/evals.md", base_dir=tmp_path, variables={"canary": "c"})
    assert [c.id for c in suite.cases] == [
        "refund-window",
        "order-status-tool",
        "polite-refusal",
        "faq-1",
    ]


def test_the_route_example_is_a_valid_config() -> None:
    block = next(b for b in YAML if b.startswith("routes:"))
    providers = 'providers: {openai: {kind: openai, base_url: "https://api.openai.com/v1"}}\n'
    config = parse_config(providers + block, "docs/evals.md").config
    regression = config.routes["support-bot"].regression
    assert regression is not None
    assert regression.mode == "gate"


ASSERTION_TABLE = "\n".join(
    line
    for line in DOC.split("## Assertions", 1)[1].split("## Running", 1)[0].splitlines()
    if line.startswith("| `")
)


@pytest.mark.parametrize("kind", AssertionRegistry.default(plugins=False).names())
def test_every_kind_is_documented(kind: str) -> None:
    first_cells = [row.split("|")[1] for row in ASSERTION_TABLE.splitlines()]
    assert any(f"`{kind}`" in cell for cell in first_cells), kind


def test_every_pack_category_is_documented() -> None:
    categories = {c.category for c in load_pack("security", variables={"canary": "c"}).cases}
    for category in categories:
        assert f"| `{category}` |" in DOC, category
