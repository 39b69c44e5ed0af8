"""Error answers in each vendor's own shape, so SDKs raise their usual exceptions.

* OpenAI: ``{"error": {"message", "type", "param", "code"}}``
* Anthropic: ``{"type": "error", "error": {"type", "message"}}``
* Gemini: ``{"error": {"code", "message", "status"}}``

429, 503 and 529 answers carry ``Retry-After`` (whole seconds) and ``retry-after-ms``.
"""

from __future__ import annotations

import math
from enum import StrEnum

import orjson
from aiohttp import web

__all__ = ["Vendor", "error_response"]


class Vendor(StrEnum):
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GEMINI = "gemini"


_OPENAI: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "permission_denied"),
    404: ("invalid_request_error", "model_not_found"),
    408: ("server_error", "timeout"),
    409: ("invalid_request_error", "conflict"),
    413: ("invalid_request_error", "request_too_large"),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
    503: ("server_error", "service_unavailable"),
}
_ANTHROPIC = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    503: "overloaded_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_GEMINI = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    422: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def error_body(vendor: Vendor, status: int, message: str, param: str | None = None) -> bytes:
    if vendor is Vendor.ANTHROPIC:
        kind = _ANTHROPIC.get(status, "api_error" if status >= 500 else "invalid_request_error")
        return orjson.dumps({"type": "error", "error": {"type": kind, "message": message}})
    if vendor is Vendor.GEMINI:
        state = _GEMINI.get(status, "UNAVAILABLE" if status >= 500 else "FAILED_PRECONDITION")
        return orjson.dumps({"error": {"code": status, "message": message, "status": state}})
    kind, code = _OPENAI.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    return orjson.dumps({"error": {"message": message, "type": kind, "param": param, "code": code}})


def error_response(
    vendor: Vendor,
    status: int,
    message: str,
    *,
    param: str | None = None,
    retry_after: float | None = None,
) -> web.Response:
    """A complete error response; ``retry_after`` seconds become the retry headers."""
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["Retry-After"] = str(math.ceil(retry_after))
        headers["retry-after-ms"] = str(round(retry_after * 1000))
    return web.Response(
        status=status,
        body=error_body(vendor, status, message, param),
        content_type="application/json",
        headers=headers,
    )
