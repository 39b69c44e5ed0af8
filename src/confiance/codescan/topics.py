"""Topics: what a file is about (calls an LLM, declares routes, handles auth...).

Manual checklist items cover the files of their topics: a sign-off on "prompt-injection threat
model reviewed" goes stale when a file that calls an LLM changes or a new one appears. Topics
only decide relevance for people to review; they never produce findings.
"""

from __future__ import annotations

import re

__all__ = ["TOPICS", "detect_topics"]

TOPICS: dict[str, re.Pattern[str]] = {
    "llm-call": re.compile(
        r"\bimport\s+(?:openai|anthropic|litellm)\b|from\s+(?:openai|anthropic|litellm|"
        r"langchain\w*|google\.genai|google\.generativeai)\b|\bgoogle\.generativeai\b|"
        r"chat\.completions\.create|messages\.create|generate_content|generateContent|"
        r"\bgenerateText\(|streamText\(|from\s+['\"](?:openai|@anthropic-ai/sdk|ai|@ai-sdk/\w+|"
        r"@google/generative-ai)['\"]|require\(['\"](?:openai|@anthropic-ai/sdk)['\"]\)"
    ),
    "routes": re.compile(
        r"@\w+\.(?:get|post|put|patch|delete|route|api_route|websocket)\(|"
        r"\b(?:app|router|api)\.(?:get|post|put|patch|delete|all)\(\s*['\"`]/|\burlpatterns\b|"
        r"export\s+(?:async\s+)?function\s+(?:GET|POST|PUT|PATCH|DELETE)\b"
    ),
    "auth": re.compile(
        r"(?i)login_required|get_current_user|authenticate|\bjwt\b|passport\.|permission|"
        r"authoriz|require_?auth|oauth|session\[|@requires_auth"
    ),
    "tools": re.compile(
        r"\btools\s*=|[\"']tools[\"']\s*:|tool_calls|function_call|@tool\b|bind_tools|"
        r"\btool_choice\b|\bfunctions\s*="
    ),
    "prompts": re.compile(
        r"(?i)system_prompt|[\"']role[\"']\s*:\s*[\"']system[\"']|role\s*=\s*[\"']system|"
        r"SystemMessage|\bsystem\s*=\s*[\"'f]|PromptTemplate"
    ),
    "personal-data": re.compile(
        r"(?i)\b(?:email|phone|ssn|date_of_birth|birthdate|address|passport_number|"
        r"credit_card|iban)\b"
    ),
}


def detect_topics(text: str) -> tuple[tuple[str, int], ...]:
    """``(topic, first line)`` for each topic present in ``text``."""
    found = []
    for topic, pattern in TOPICS.items():
        match = pattern.search(text)
        if match:
            found.append((topic, text.count("\n", 0, match.start()) + 1))
    return tuple(found)
