"""SARIF 2.1.0 output validates against the schema and carries what GitHub code scanning reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from confiance.codescan import ScanOptions, scan
from confiance.codescan.baseline import write_baseline
from confiance.codescan.findings import rules
from confiance.codescan.sarif import to_sarif

from .corpus_labels import CORPUS, raw_secrets
from .sarif_schema import SCHEMA, VALIDATOR

GH = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW11ySowm"


def _validate(document: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@pytest.fixture(scope="module")
def corpus_sarif() -> dict:
    result = scan([CORPUS / "js", CORPUS / "secrets"], ScanOptions(root=CORPUS, jobs=1))
    return to_sarif(result, tool_version="0.1.0")


def test_the_schema_is_the_official_one() -> None:
    assert SCHEMA["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert len(SCHEMA["definitions"]) > 40


def test_schema_rejects_what_it_should() -> None:
    assert not VALIDATOR.is_valid({"version": "2.1.0"})
    assert not VALIDATOR.is_valid({"version": "2.0.0", "runs": []})
    bad_level = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                 "results": [{"message": {"text": "m"}, "level": "critical"}]}]}  # fmt: skip
    assert not VALIDATOR.is_valid(bad_level)


def test_corpus_sarif_is_valid(corpus_sarif: dict) -> None:
    _validate(corpus_sarif)
    assert corpus_sarif["version"] == "2.1.0"
    assert len(corpus_sarif["runs"][0]["results"]) > 40


def test_rules_carry_cwe_owasp_and_security_severity(corpus_sarif: dict) -> None:
    driver = corpus_sarif["runs"][0]["tool"]["driver"]
    by_id = {rule["id"]: rule for rule in driver["rules"]}
    openai = by_id["CF-SECRET-OPENAI"]
    assert "external/cwe/cwe-798" in openai["properties"]["tags"]
    assert "external/owasp/LLM02" in openai["properties"]["tags"]
    assert "external/owasp/ASVS-V2.10.4" in openai["properties"]["tags"]
    assert float(openai["properties"]["security-severity"]) >= 9.0
    assert openai["help"]["markdown"].startswith("**OpenAI API key**")
    assert by_id["CF-JS-XSS"]["defaultConfiguration"]["level"] == "warning"
    for result in corpus_sarif["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["ruleId"] in rules


def test_results_have_relative_uris_regions_and_fingerprints(corpus_sarif: dict) -> None:
    for result in corpus_sarif["runs"][0]["results"]:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:")), uri
        assert uri.startswith(("js/", "secrets/"))
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["region"]["startLine"] >= 1
        assert len(result["partialFingerprints"]["confiance/v1"]) == 32


def test_code_flows_come_from_traces(corpus_sarif: dict) -> None:
    flows = [r for r in corpus_sarif["runs"][0]["results"] if r["ruleId"] == "CF-JS-XSS-LLM"]
    assert flows
    steps = flows[0]["codeFlows"][0]["threadFlows"][0]["locations"]
    lines = [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps]
    assert len(lines) == 2
    assert lines[0] < lines[1]


def test_secrets_are_masked_in_sarif(corpus_sarif: dict) -> None:
    text = json.dumps(corpus_sarif, ensure_ascii=False)
    secrets = raw_secrets(CORPUS / "secrets") | raw_secrets(CORPUS / "js")
    assert len(secrets) > 30
    assert [s for s in secrets if s in text] == []
    assert "…(" in text


def test_suppressed_baselined_history_and_skipped_are_valid(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "a.env").write_text(f"GITHUB_TOKEN={GH}\n")
    baseline = tmp_path / "b.json"
    write_baseline(baseline, scan([project], ScanOptions(root=project, jobs=1)).findings)
    (project / "b.js").write_text(
        "eval(x); // confiance: ignore[CF-JS-EVAL] sandboxed worker, reviewed\nel.innerHTML = y;\n"
    )
    (project / "blob.bin").write_bytes(b"\x00\x01")
    (project / "dangling").symlink_to(project / "nowhere")
    result = scan([project], ScanOptions(root=project, jobs=1, baseline=baseline))
    document = to_sarif(result, tool_version="0.1.0")
    _validate(document)
    results = document["runs"][0]["results"]
    states = sorted((r["ruleId"], r.get("baselineState"), bool(r.get("suppressions")))
                    for r in results)  # fmt: skip
    assert states == [
        ("CF-JS-EVAL", "new", True),
        ("CF-JS-XSS", "new", False),
        ("CF-SECRET-GITHUB", "unchanged", True),
    ]
    notes = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert sorted(n["message"]["text"].split(":")[0] for n in notes) == ["blob.bin", "dangling"]
