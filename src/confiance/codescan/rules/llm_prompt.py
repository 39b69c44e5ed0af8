"""Prompt injection into system prompts: untrusted input concatenated or formatted into the
system (or developer) message, where the model gives it the authority of the application."""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["SYSTEM_PROMPT_INJECTION"]

SYSTEM_PROMPT_INJECTION = rules.register(
    Rule(
        id="CF-LLM-SYSTEM-PROMPT-INJECTION",
        name="Untrusted input in the system prompt",
        family="llm_prompt",
        cwe=1427,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        description="Request data, user input or another model's output is built into the "
        "system prompt (role 'system'/'developer', system=, instructions=, "
        "system_instruction=, SystemMessage), so the user can rewrite the application's rules "
        "and extract the prompt.",
        fix="Keep the system prompt constant; put user content in 'user' messages, delimited "
        "and labelled as data; validate anything that must parameterise the system prompt "
        "against an allowlist.",
        owasp=("LLM01", "LLM07"),
    )
)

checks.taint(
    SYSTEM_PROMPT_INJECTION,
    [SinkKind.SYSTEM_PROMPT],
    {
        SourceKind.REMOTE: Confidence.HIGH,
        SourceKind.LOCAL: Confidence.MEDIUM,
        SourceKind.LLM: Confidence.MEDIUM,
    },
)
