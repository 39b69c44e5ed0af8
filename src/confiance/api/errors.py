"""Error bodies of the management API and the handlers that produce them.

Every failure answers ``{"error": {"message", "type", "code"}}`` with the status of the
:mod:`confiance.errors` class it came from. ``type`` is the broad family (the same words the
gateway's OpenAI-style bodies use), ``code`` the stable machine-readable reason. Some errors add
details: ``errors`` (each invalid field of a request) and ``problems`` (each located problem of a
config).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from confiance.config.problems import InvalidConfig
from confiance.errors import ConfianceError

__all__ = [
    "ErrorBody",
    "ErrorDetail",
    "FieldError",
    "error_json",
    "error_responses",
    "install_error_handlers",
]

_log = logging.getLogger(__name__)

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
}
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


class FieldError(BaseModel):
    """One invalid part of a request: where (``body.name``, ``query.limit``) and why."""

    loc: str = Field(examples=["body.role"])
    message: str = Field(examples=["Input should be 'app', 'admin' or 'reviewer'"])


class ErrorDetail(BaseModel):
    message: str = Field(examples=["route 'support-bot' is not in revision 3"])
    type: str = Field(examples=["not_found_error"])
    code: str = Field(examples=["not_found"])
    errors: list[FieldError] | None = Field(
        default=None, description="Each invalid field (validation errors only)."
    )
    problems: list[dict[str, Any]] | None = Field(
        default=None,
        description="Each problem of an invalid config: source, line, column, path, message, hint.",
    )


class ErrorBody(BaseModel):
    """What every failed request answers."""

    error: ErrorDetail


def error_type(status: int) -> str:
    return _TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")


def error_json(status: int, message: str, code: str, **details: object) -> JSONResponse:
    """A JSON error response; ``details`` (``errors``, ``problems``) join the error object."""
    error: dict[str, object] = {"message": message, "type": error_type(status), "code": code}
    error.update({name: value for name, value in details.items() if value is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the error body for ``statuses``."""
    descriptions = {
        400: "Invalid request or config",
        401: "Missing, invalid, revoked or expired API key",
        403: "The key is not an admin key",
        404: "Not found",
        409: "The current state does not allow this change",
        413: "Request body too large",
        422: "A field of the request is missing or invalid",
    }
    return {
        status: {"model": ErrorBody, "description": descriptions.get(status, "Error")}
        for status in statuses
    }


def _location(loc: Sequence[object]) -> str:
    return ".".join(str(part) for part in loc) or "(request)"


async def _confiance_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ConfianceError)
    if isinstance(error, InvalidConfig):
        problems = [problem.to_json() for problem in error.problems]
        return error_json(error.http_status, error.message, error.code, problems=problems)
    if error.http_status >= 500:
        _log.error("management API request failed: %s", error.message)
    return error_json(error.http_status, error.message, error.code)


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    details = list(error.errors())
    for detail in details:
        if detail.get("type") == "json_invalid":
            # Not a field problem: the body cannot be parsed at all.
            position = detail.get("loc", ("body", 0))[-1]
            reason = detail.get("ctx", {}).get("error", "invalid JSON")
            message = f"the request body is not valid JSON: {reason} at character {position}"
            return error_json(400, message, "invalid_json")
    fields = [
        FieldError(loc=_location(detail.get("loc", ())), message=str(detail.get("msg", "")))
        for detail in details
    ]
    summary = "; ".join(f"{field.loc}: {field.message}" for field in fields)
    errors = [field.model_dump() for field in fields]
    return error_json(422, f"invalid request: {summary}", "validation_error", errors=errors)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    status = error.status_code
    if status == 404:
        message = f"no endpoint {request.url.path} (see {request.scope.get('root_path', '')}/docs)"
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(error.detail)
    return error_json(status, message, _HTTP_CODES.get(status, "http_error"))


def install_error_handlers(app: FastAPI) -> None:
    """Make every expected failure of ``app`` answer with an :class:`ErrorBody` (unexpected
    ones are answered by :class:`~confiance.api.guard.RequestGuard`)."""
    app.add_exception_handler(ConfianceError, _confiance_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
