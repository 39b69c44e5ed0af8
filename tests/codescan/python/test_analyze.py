"""The entry point's contract: parse only, SyntaxError for what cannot be parsed, sorted
findings with 1-based columns, traces, and the date the model rules judge by."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from confiance.codescan.python import analyze


def run(source: str, *, today: dt.date | None = None) -> list[tuple[int, str]]:
    found = analyze(textwrap.dedent(source), "app.py", today=today)
    return [(f.line, f.rule_id) for f in found]


@pytest.mark.parametrize(
    "source",
    ["def f(:\n    pass\n", "a\x00b = 1\n", "x = " + "-" * 200_000 + "1\n", "print 'py2'\n"],
    ids=["syntax", "null-byte", "too-deep", "python2"],
)
def test_unparseable_source_raises_syntax_error(source: str) -> None:
    with pytest.raises(SyntaxError):
        analyze(source, "bad.py")


def test_scanned_code_is_never_executed() -> None:
    source = """
    import os
    eval(input())
    os._exit(3)
    raise SystemExit("would stop the scanner")
    """
    assert run(source) == [(3, "CF-PY-CODE-INJECTION")]


def test_findings_are_sorted_by_line_with_one_based_columns() -> None:
    source = """
    import pickle, os
    from flask import request
    def view():
        os.system(request.args["c"])
        return pickle.loads(request.data)
    DEBUG = True
    """
    found = analyze(textwrap.dedent(source), "app.py")
    assert [f.line for f in found] == sorted(f.line for f in found)
    assert [f.rule_id for f in found] == [
        "CF-PY-CMDI",
        "CF-PY-DESERIALIZATION",
        "CF-PY-DEBUG-MODE",
    ]
    assert found[0].column == 5
    assert found[0].path == "app.py"
    assert found[0].snippet == 'os.system(request.args["c"])'


def test_trace_lists_source_steps_and_sink() -> None:
    source = """
    import subprocess
    from flask import request

    def build(arg):
        return "ls " + arg

    def run(cmd):
        subprocess.run(cmd, shell=True)

    def view():
        target = request.args["dir"]
        run(build(target))
    """
    (finding,) = analyze(textwrap.dedent(source), "app.py")
    assert finding.line == 9
    assert finding.trace[0] == "line 12: source request.args"
    assert "line 12: assigned to target" in finding.trace
    assert "line 13: passed to run()" in finding.trace
    assert finding.trace[-1] == "line 9: reaches subprocess.run(shell=True)"


def test_today_decides_retired_models() -> None:
    source = 'MODEL = "gpt-4-0613"\n'
    assert run(source, today=dt.date(2025, 1, 1)) == []
    assert run(source, today=dt.date(2026, 9, 1)) == [(1, "CF-LLM-MODEL-RETIRING")]
    assert run(source, today=dt.date(2026, 11, 25)) == [(1, "CF-LLM-MODEL-RETIRED")]


def test_model_message_names_date_replacement_and_source() -> None:
    (finding,) = analyze('MODEL = "o1"\n', "cfg.py", today=dt.date(2026, 11, 25))
    assert "2026-10-23" in finding.message
    assert "gpt-5.6-sol" in finding.message
    assert "https://developers.openai.com/api/docs/deprecations" in finding.message
    assert finding.severity.value == "high"


def test_secrets_are_masked_in_snippets_and_messages() -> None:
    source = """
    from openai import OpenAI
    DB_PASSWORD = "Sup3rS3cret!2024"
    client = OpenAI(api_key="sk-proj-FAKEfakeFAKEfake0123456789abcdef", timeout=5)
    """
    found = analyze(textwrap.dedent(source), "settings.py")
    assert [f.rule_id for f in found] == ["CF-PY-HARDCODED-CREDENTIAL", "CF-LLM-HARDCODED-API-KEY"]
    for finding in found:
        assert "Sup3rS3cret" not in finding.snippet + finding.message
        assert "FAKEfakeFAKE" not in finding.snippet + finding.message
        assert "…(" in finding.snippet
