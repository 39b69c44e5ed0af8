"""Every built-in Python rule is complete (CWE, OWASP mapping, texts), and the check registry
dispatches by node type, qualified name, method name and sink kind the way plugins rely on."""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator

import pytest

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python import analyze
from confiance.codescan.python.analyzer import _analyze_tree
from confiance.codescan.python.checks import CheckRegistry, checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.taint import SinkKind, SourceKind

PYTHON_RULES = [r for r in rules.all() if r.id.startswith(("CF-PY-", "CF-LLM-"))]


def test_rule_families_register_the_documented_set() -> None:
    assert len(PYTHON_RULES) >= 45
    families = {r.family for r in PYTHON_RULES}
    assert {"injection", "crypto", "access_control", "llm_output", "llm_models"} <= families


@pytest.mark.parametrize("rule", PYTHON_RULES, ids=lambda r: r.id)
def test_rule_is_complete(rule: Rule) -> None:
    assert re.fullmatch(r"CF-(PY|LLM)-[A-Z0-9-]+", rule.id)
    assert rule.cwe > 0
    assert rule.owasp, "each rule maps to OWASP ASVS and/or the LLM Top 10"
    assert all(re.fullmatch(r"ASVS V\d+(\.\d+)*|LLM(0[1-9]|10)", o) for o in rule.owasp)
    if rule.id.startswith("CF-LLM-"):
        assert any(o.startswith("LLM") for o in rule.owasp)
    assert len(rule.description) > 40
    assert len(rule.fix) > 20
    assert isinstance(rule.severity, Severity)
    assert isinstance(rule.confidence, Confidence)


def test_every_sink_kind_has_a_taint_rule() -> None:
    covered = {sink for entry in checks.taint_rules for sink in entry.sinks}
    assert covered == set(SinkKind)


def test_custom_registry_dispatches_each_kind_of_check() -> None:
    rule = Rule(
        id="CF-TEST-PLUGIN",
        name="test plugin",
        family="test",
        cwe=20,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        description="x",
        fix="y",
    )
    registry = CheckRegistry()
    seen: list[str] = []

    @registry.on(ast.Assert)
    def _asserts(node: ast.Assert, context: ModuleContext) -> Iterator[Finding]:
        seen.append("type")
        yield context.finding(rule, node, "assert")

    @registry.on_call(names=("json.loads",), methods=("frobnicate",))
    def _calls(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
        seen.append(context.qualname(node.func) or "")
        return iter(())

    @registry.module
    def _module(context: ModuleContext) -> Iterator[Finding]:
        seen.append(f"module:{len(context.index.functions)}")
        return iter(())

    registry.taint(rule, [SinkKind.CODE], {SourceKind.LOCAL: Confidence.LOW})
    source = "import json as j\nassert x\nj.loads(s)\nthing.frobnicate()\ndef f(): pass\n"
    source += "eval(input())\n"
    found, _ = _analyze_tree(ast.parse(source), source, "p.py", dt.date(2026, 1, 1), registry)
    assert seen == ["type", "json.loads", "thing.frobnicate", "module:1"]
    assert [(f.rule_id, f.line, f.confidence) for f in found] == [
        ("CF-TEST-PLUGIN", 2, Confidence.HIGH),
        ("CF-TEST-PLUGIN", 6, Confidence.LOW),
    ]


def test_tool_rule_supersedes_generic_findings_on_the_same_line() -> None:
    source = (
        "import subprocess\nfrom langchain_core.tools import tool\n"
        "@tool\ndef shell(command: str) -> str:\n"
        "    return subprocess.run(command, shell=True).stdout\n"
        "def main():\n    shell(input())\n"
    )
    assert [(f.line, f.rule_id) for f in analyze(source, "agent.py")] == [(5, "CF-LLM-TOOL-EXEC")]


def test_assert_rule_ignores_test_files() -> None:
    source = "def test_admin(user):\n    assert user.is_admin\n"
    assert analyze(source, "tests/test_admin.py") == []
    assert [f.rule_id for f in analyze(source, "admin.py")] == ["CF-PY-ASSERT-SECURITY"]
