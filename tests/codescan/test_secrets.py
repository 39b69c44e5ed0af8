"""Secrets: the labelled corpus (every kind, with tricky negatives) and masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from confiance.codescan import ScanOptions, scan
from confiance.codescan.findings import rules
from confiance.codescan.secretformats import FORMATS, format_named
from confiance.codescan.secrets import entropy, is_placeholder, mask, scan_secrets

from .corpus_labels import CORPUS, corpus_files, labels_in, observed
from .test_secretformats import CASES as FORMAT_CASES

SECRETS = CORPUS / "secrets"
OURS = ("CF-SECRET-", "CF-SUPPRESS-")


@pytest.fixture(scope="module")
def corpus_scan() -> list:
    return list(scan([SECRETS], ScanOptions(root=SECRETS, jobs=1)).findings)


@pytest.mark.parametrize("path", corpus_files(SECRETS), ids=lambda p: p.name)
def test_corpus_file_reports_exactly_its_labels(path: Path, corpus_scan: list) -> None:
    rel = path.relative_to(SECRETS).as_posix()
    expected = {label for label in labels_in(path, SECRETS) if label[2].startswith(OURS)}
    found = {label for label in observed(corpus_scan, OURS) if label[0] == rel}
    assert found - expected == set(), "false positives"
    assert expected - found == set(), "missed secrets"


def test_every_secret_rule_has_true_and_false_positive_cases() -> None:
    """In the corpus (realistic files) or as a format fixture pair (test_secretformats)."""
    labelled = {rule for p in corpus_files(SECRETS) for _, _, rule in labels_in(p, SECRETS)}
    fixtures = {format_named(name).rule for name in FORMAT_CASES}
    secret_rules = {r.id for r in rules.all() if r.id.startswith("CF-SECRET-")}
    assert secret_rules <= labelled | fixtures
    assert {f.rule for f in FORMATS} <= secret_rules


def test_secret_findings_carry_cwe_798_and_mask_the_value(corpus_scan: list) -> None:
    for finding in corpus_scan:
        if finding.rule_id.startswith("CF-SECRET-"):
            assert rules.get(finding.rule_id).cwe == 798
            assert "…(" in finding.snippet or "…(" in finding.message


def test_mask_shows_at_most_four_characters_and_the_length() -> None:
    value = "sk-proj-" + "Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5"
    masked = mask(value)
    assert masked == f"sk-p…({len(value)} chars)"
    assert value not in masked
    assert mask("Qz8nR4tW1pLk") == f"Qz8…({12} chars)"
    assert mask("abc") == "…(3 chars)"


def test_snippet_never_contains_the_secret_even_when_repeated() -> None:
    key = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW11ySowm"
    text = f'TOKENS = ["{key}", "{key}"]\n'
    scan_result = scan_secrets(text, "x.py", quoted_only=True)
    assert scan_result.findings
    for finding in scan_result.findings:
        assert key not in finding.snippet
        assert key not in finding.message


@pytest.mark.parametrize(
    "value",
    ["xxxxxxxxxxxxxxxx", "<your-api-key>", "${OPENAI_API_KEY}", "changeme", "sk-EXAMPLE0123",
     "%(password)s", "aaaaaaaaaaaaaaaaaaaa", "{{ secrets.TOKEN }}"],
)  # fmt: skip
def test_placeholders_are_recognised(value: str) -> None:
    assert is_placeholder(value)


def test_random_values_are_not_placeholders_and_have_high_entropy() -> None:
    value = "q8Z2vL0x7Rk3Nf9Tb1Ws5Yh4"
    assert not is_placeholder(value)
    assert entropy(value) > 4.0
    assert entropy("aaaa") == 0.0


def test_lockfile_hashes_are_not_generic_secrets() -> None:
    digest = "q8Z2vL0x7Rk3Nf9Tb1Ws5Yh4mP6cD2eR8tY3uI9oP1aS5dF7gH0jK2lZ4xC6vB8n=="
    text = f'{{"integrity": "sha512-{digest}"}}'
    assert scan_secrets(text, "package-lock.json", quoted_only=False, lockfile=True).findings == ()


def test_generic_rule_needs_a_secret_like_name() -> None:
    value = "q8Z2vL0x7Rk3Nf9Tb1Ws5Yh4"
    assert scan_secrets(f'checksum_seed = "{value}"\n', "a.py", quoted_only=True).findings == ()
    found = scan_secrets(f'client_secret = "{value}"\n', "a.py", quoted_only=True).findings
    assert [f.rule_id for f in found] == ["CF-SECRET-GENERIC"]


def test_env_lookup_in_code_is_not_a_secret_but_bare_value_in_config_is() -> None:
    code = 'API_TOKEN = os.environ["API_TOKEN_q8Z2vL0x7Rk3Nf9Tb1"]\n'
    assert scan_secrets(code, "a.py", quoted_only=True).findings == ()
    config = "API_TOKEN=q8Z2vL0x7Rk3Nf9Tb1Ws5Yh4\n"
    assert len(scan_secrets(config, ".env", quoted_only=False).findings) == 1


def test_aws_key_id_alone_is_medium_and_pair_is_critical() -> None:
    key_id = "AKIA2VPQ3ODFTFV2BJSD"
    alone = scan_secrets(f"aws_access_key_id = {key_id}\n", "c.ini", quoted_only=False)
    assert [f.rule_id for f in alone.findings] == ["CF-SECRET-AWS-KEY-ID"]
    secret = "LNI2jpyEMv3N5Tpwtm/qoFNnQiRJA+8jYVFI8E6t"
    pair = scan_secrets(f"id = {key_id}\nkey = {secret}\n", "c.ini", quoted_only=False)
    assert [(f.rule_id, f.line, f.severity.value) for f in pair.findings] == [
        ("CF-SECRET-AWS", 2, "critical")
    ]
