"""Cases from production: turning stored traces into a suite file.

Only traces that kept their bodies (route ``retention: full``) can become cases: the request's
messages and sampling parameters are the case, and with ``reference`` the answer the route gave
then becomes a ``similarity`` assertion, so the suite flags answers that drift from production.
Bodies were redacted when stored (``redact: true``), so no personal data is copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from confiance.domain.trace import Trace
from confiance.domain.types import JSONObject

__all__ = ["ImportedSuite", "suite_from_traces"]

_ROLES = {"system", "user", "assistant", "tool"}
_DROPPED_PARAMS = {"model", "messages", "stream", "stream_options", "user", "n"}


@dataclass(frozen=True, slots=True)
class ImportedSuite:
    """The suite document, its YAML text, how many traces became cases and how many could not
    (no stored request body, or no usable messages)."""

    document: JSONObject
    imported: int
    skipped: int

    def to_yaml(self) -> str:
        header = "# Imported from gateway traces by `confiance eval import --from-traces`.\n"
        return header + yaml.safe_dump(
            self.document, sort_keys=False, allow_unicode=True, width=100
        )


def suite_from_traces(
    traces: Sequence[Trace],
    *,
    name: str,
    route: str,
    reference: bool = True,
    min_similarity: float = 0.5,
) -> ImportedSuite:
    """A suite named ``name`` with one case per usable trace of ``route``."""
    cases: list[JSONObject] = []
    skipped = 0
    for trace in traces:
        case = _case(trace, route, reference, min_similarity)
        if case is None:
            skipped += 1
        else:
            cases.append(case)
    document: JSONObject = {
        "name": name,
        "description": f"{len(cases)} requests to route {route} replayed from traces",
        "cases": cases,
    }
    return ImportedSuite(document, len(cases), skipped)


def _case(trace: Trace, route: str, reference: bool, threshold: float) -> JSONObject | None:
    body = trace.request_body
    if not isinstance(body, dict):
        return None
    messages = [m for m in (_message(raw) for raw in body.get("messages") or []) if m]
    if not any(m["role"] == "user" for m in messages):
        return None
    case: JSONObject = {
        "id": f"trace-{trace.id}",
        "description": f"trace {trace.id} of {trace.started_at.isoformat()}",
        "tags": ["from-traces", route],
        "messages": messages,
    }
    params = {k: v for k, v in body.items() if k not in _DROPPED_PARAMS and k != "tools"}
    if params:
        case["params"] = params
    if isinstance(body.get("tools"), list) and body["tools"]:
        case["tools"] = body["tools"]
    answer = _answer_text(trace.response_body)
    if reference and answer:
        case["assert"] = [
            {"kind": "similarity", "reference": answer, "metric": "rouge-l", "threshold": threshold}
        ]
    return case


def _message(raw: Any) -> JSONObject | None:
    if not isinstance(raw, dict) or raw.get("role") not in _ROLES:
        return None
    message: JSONObject = {"role": raw["role"]}
    content = _text(raw.get("content"))
    if content:
        message["content"] = content
    if isinstance(raw.get("tool_calls"), list) and raw["tool_calls"]:
        message["tool_calls"] = raw["tool_calls"]
    if raw["role"] == "tool":
        if not isinstance(raw.get("tool_call_id"), str):
            return None
        message["tool_call_id"] = raw["tool_call_id"]
    if "content" not in message and "tool_calls" not in message:
        return None
    return message


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _answer_text(body: JSONObject | None) -> str:
    if not isinstance(body, dict):
        return ""
    try:
        return _text(body["choices"][0]["message"].get("content"))
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""
