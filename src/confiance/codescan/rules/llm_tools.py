"""Tool handlers with excessive agency: functions a model can call (``@tool``, listed in
``tools=[...]``, or dispatched by name from a function map) that pass their arguments to a shell,
eval/exec, or file writes and deletions."""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["TOOL_EXEC"]

TOOL_EXEC = rules.register(
    Rule(
        id="CF-LLM-TOOL-EXEC",
        name="LLM tool runs arbitrary commands",
        family="llm_tools",
        cwe=78,
        severity=Severity.CRITICAL,
        confidence=Confidence.HIGH,
        description="A function exposed to a language model as a tool passes the arguments the "
        "model chose to a shell, eval/exec or a file write/delete. Anyone who can influence "
        "the model (a web page, a document, an email it reads) controls those arguments.",
        fix="Give tools narrow, typed parameters (an enum of allowed commands, a file name in "
        "a fixed directory), require human approval for destructive actions, and run them "
        "with least privilege in a sandbox.",
        owasp=("LLM06", "LLM01", "LLM05"),
    )
)

checks.taint(
    TOOL_EXEC,
    [SinkKind.COMMAND, SinkKind.CODE, SinkKind.FILE_WRITE],
    {SourceKind.TOOL_ARG: Confidence.HIGH},
    supersedes=("CF-LLM-OUTPUT-EXEC", "CF-LLM-OUTPUT-PATH", "CF-PY-CMDI", "CF-PY-CODE-INJECTION"),
)
