"""Pure helpers of the HTTP seam: Retry-After parsing and vendor error messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from multidict import CIMultiDict

from confiance.providers.http import parse_retry_after, vendor_message

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After-Ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": format_datetime(NOW + timedelta(seconds=30), usegmt=True)}, 30.0),
        ({"Retry-After": format_datetime(NOW - timedelta(seconds=30), usegmt=True)}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "nan"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(CIMultiDict(headers), now=NOW) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"error": {"message": "Rate limit reached", "type": "requests"}}', "Rate limit reached"),
        (
            b'{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}',
            "Overloaded",
        ),
        (
            b'{"error": {"code": 429, "message": "Quota exceeded", "status": "UNAVAILABLE"}}',
            "Quota exceeded",
        ),
        (b'[{"error": {"code": 500, "message": "Internal"}}]', "Internal"),
        (b'{"error": "model not found"}', "model not found"),
        (b'{"detail": "Not Found"}', "Not Found"),
        (b'{"detail": [{"loc": ["body"], "msg": "field required"}]}', "field required"),
        (b"upstream connect error\n  or disconnect", "upstream connect error or disconnect"),
        (b"", "(empty body)"),
    ],
)
def test_vendor_message(body: bytes, expected: str) -> None:
    assert vendor_message(body) == expected


def test_vendor_message_is_shortened() -> None:
    message = vendor_message(b'{"error": {"message": "' + b"x" * 2000 + b'"}}')
    assert len(message) <= 501
    assert message.endswith("…")
