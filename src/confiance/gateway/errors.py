"""Error bodies in the shape each client SDK expects.

OpenAI SDKs read ``{"error": {"message", "type", "param", "code"}}``; Anthropic SDKs read
``{"type": "error", "error": {"type", "message"}}``. Both map the HTTP status to their exception
classes, so the status is what matters most; the message says what to do.
"""

from __future__ import annotations

from enum import StrEnum

import orjson
from aiohttp import web

from confiance.errors import ConfianceError, RateLimited, http_status_of

__all__ = ["ErrorStyle", "error_response", "openai_error_body"]


class ErrorStyle(StrEnum):
    OPENAI = "openai"
    ANTHROPIC = "anthropic"


_OPENAI_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
    503: "service_unavailable",
    504: "timeout_error",
}
_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    503: "overloaded_error",
    529: "overloaded_error",
}


def openai_error_body(status: int, message: str, code: str) -> dict[str, object]:
    kind = _OPENAI_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _body(style: ErrorStyle, status: int, message: str, code: str) -> dict[str, object]:
    if style is ErrorStyle.ANTHROPIC:
        kind = _ANTHROPIC_TYPES.get(
            status, "api_error" if status >= 500 else "invalid_request_error"
        )
        return {"type": "error", "error": {"type": kind, "message": message}}
    return openai_error_body(status, message, code)


def error_response(
    error: ConfianceError,
    style: ErrorStyle,
    headers: dict[str, str] | None = None,
    status: int | None = None,
) -> web.Response:
    status = status or http_status_of(error)
    all_headers = dict(headers or {})
    if isinstance(error, RateLimited) and error.retry_after is not None:
        all_headers["Retry-After"] = str(max(1, round(error.retry_after)))
    return web.Response(
        body=orjson.dumps(_body(style, status, error.message, error.code)),
        status=status,
        content_type="application/json",
        headers=all_headers,
    )
