"""docs/scan.md's Secrets section is kept true: every secret rule is in its table with its
severity, every verified vendor is named, the allow-list example loads and does what it says,
and the built-in test paths it lists are the real ones."""

from __future__ import annotations

import re
from pathlib import Path

from confiance.codescan.findings import rules
from confiance.codescan.secretpolicy import (
    DEFAULT_FIXTURE_PATHS,
    POLICY_FILE,
    SecretPolicy,
    load_policy,
)
from confiance.codescan.secrets_rules import SECRET_RULES
from confiance.verification import CHECKS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "scan.md").read_text(encoding="utf-8")
SECTION = DOC.split("## Secrets\n", 1)[1].split("\n## ", 1)[0]


def test_every_secret_rule_is_in_the_table_with_its_severity() -> None:
    rows = dict(re.findall(r"^\| `(CF-SECRET-[A-Z0-9-]+)` \| (\w+) \|", SECTION, re.MULTILINE))
    assert {r.id: r.severity.value for r in SECRET_RULES} == rows
    assert all(rules.get(rule).cwe == 798 for rule in rows)


def test_every_verified_vendor_is_named() -> None:
    line = next(line for line in SECTION.splitlines() if line.startswith("Vendors checked:"))
    assert re.findall(r"`([a-z-]+)`", line) == [c.vendor for c in CHECKS]


def test_the_allow_list_example_loads_and_works(tmp_path: Path) -> None:
    example = SECTION.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / POLICY_FILE).write_text(example)
    policy = load_policy(tmp_path)
    assert policy.allows_value("sk_test_Ab3dE5fG7hJ9kL1m")
    assert policy.allows_path("docs/examples/setup.md")
    assert policy.is_fixture("qa/data/users.env")
    assert not policy.is_fixture("src/app.py")


def test_documented_test_paths_are_built_in() -> None:
    documented = re.search(r"Built in: in test\npaths \((.*?)\)", SECTION, re.DOTALL)
    assert documented is not None
    policy = SecretPolicy()
    for pattern in re.findall(r"`([^`]+)`", documented.group(1)):
        sample = pattern.replace("**/", "pkg/").replace("*", "login")
        sample = sample + "data.env" if sample.endswith("/") else sample
        assert policy.is_fixture(sample), pattern
    assert policy.fixture_paths == DEFAULT_FIXTURE_PATHS
