from __future__ import annotations

import pytest

from confiance.observability.redaction import PiiKind, detect, redact_json, redact_text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("mail me at jane.doe+x@example.co.uk please", PiiKind.EMAIL),
        ("card 4111 1111 1111 1111 exp 12/29", PiiKind.CARD),
        ("call +44 20 7946 0958 now", PiiKind.PHONE),
        ("call (415) 555-2671 now", PiiKind.PHONE),
        ("key sk-proj-abcdefghijklmnopqrstuvwxyz012345", PiiKind.SECRET),
        ("key sk-ant-api03-abcdefghijklmnopqrstuvwxyz", PiiKind.SECRET),
        ("aws AKIAIOSFODNN7EXAMPLE here", PiiKind.SECRET),
        ("db postgresql://app:hunter2pass@db:5432/x", PiiKind.SECRET),
    ],
)
def test_detects(text: str, kind: PiiKind) -> None:
    assert kind in {d.kind for d in detect(text)}
    assert f"[REDACTED:{kind}]" in redact_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "order 1234 5678 9012 3456 shipped",  # fails the Luhn check: not a card
        "version 3.11.7 released in 2023",
        "the meeting is at 10:30",
        "ticket #12345",
        "released on 2024-05-13 worldwide",
    ],
)
def test_leaves_ordinary_text_alone(text: str) -> None:
    assert redact_text(text) == text


def test_redact_json_redacts_nested_strings_not_keys() -> None:
    body = {"messages": [{"role": "user", "content": "I am bob@example.com"}], "email": 3}
    out = redact_json(body)
    assert out["messages"][0]["content"] == "I am [REDACTED:email]"
    assert out["email"] == 3
    assert body["messages"][0]["content"] == "I am bob@example.com", "input not mutated"
