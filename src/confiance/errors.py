"""One error tree for all of Confiance.

Every error knows its HTTP status, whether retrying the same call may succeed, the CLI exit code
it maps to, and a stable machine-readable ``code``. Boundaries translate with ``raise ... from``.

    ConfianceError
    ├── UsageError                 bad input from a user or client (400, exit 2)
    │   ├── ConfigError            confiance.yaml or other config is invalid (exit 2)
    │   ├── PayloadTooLarge        body over the limit (413)
    │   ├── LimitExceeded          n / max_tokens beyond the route's limit (400)
    │   ├── UnknownRoute           model/route not found (404)
    │   ├── RequestTimeout         the request body did not arrive in time (408)
    │   ├── UpstreamRejected       the vendor refused the request as invalid (its 4xx)
    │   └── TargetUnusable         an eval target cannot be used at all: unreachable, key
    │                              refused, unknown route or model (exit 2, run stopped)
    ├── AuthenticationError        missing, wrong, revoked or expired key (401)
    ├── PermissionDenied           key may not do this (403)
    ├── NotFound                   a stored thing does not exist (404)
    ├── Conflict                   state does not allow the change (409)
    ├── RateLimited                too many requests (429, retryable)
    ├── ProviderError              an upstream call failed (502)
    │   ├── ProviderHTTPError      upstream answered with an error status
    │   ├── ProviderConnectionError connection refused / reset (retryable)
    │   ├── ProviderTimeout        no answer in time (504, retryable)
    │   └── ProviderProtocolError  upstream answered garbage (retryable)
    ├── CircuitOpen                breaker open for provider+model (503, retryable)
    ├── StoreError                 database missing, unreadable, read-only or failing (500, exit 2)
    ├── ListenError                cannot listen: port in use, no permission, bad address (exit 2)
    └── IntegrityError             tamper evidence failed (exit 1)
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AuthenticationError",
    "CircuitOpen",
    "ConfianceError",
    "ConfigError",
    "Conflict",
    "IntegrityError",
    "LimitExceeded",
    "ListenError",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderHTTPError",
    "ProviderProtocolError",
    "ProviderTimeout",
    "RateLimited",
    "RequestTimeout",
    "StoreError",
    "TargetUnusable",
    "UnknownRoute",
    "UpstreamRejected",
    "UsageError",
    "http_status_of",
]


class ConfianceError(Exception):
    """Base of every error Confiance raises on purpose."""

    code: ClassVar[str] = "internal_error"
    http_status: ClassVar[int] = 500
    retryable: ClassVar[bool] = False
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(ConfianceError):
    code = "invalid_request_error"
    http_status = 400
    exit_code = 2


class ConfigError(UsageError):
    """Invalid configuration. ``location`` names the file, line and key when known."""

    code = "config_error"

    def __init__(self, message: str, *, location: str | None = None) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location


class PayloadTooLarge(UsageError):
    code = "payload_too_large"
    http_status = 413


class LimitExceeded(UsageError):
    code = "limit_exceeded"


class UnknownRoute(UsageError):
    code = "model_not_found"
    http_status = 404


class RequestTimeout(UsageError, TimeoutError):
    """The client did not send its request body within the body timeout. Also a
    ``TimeoutError``: aiohttp, reading what is left of the body after the answer, then treats
    it as the timeout it is instead of logging an unhandled exception."""

    code = "request_timeout"
    http_status = 408


class UpstreamRejected(UsageError):
    """The vendor answered 400/413/422: the request itself is wrong (e.g. too long for the
    model), so no retry or fallback would help. ``status`` is the vendor's, passed on."""

    code = "upstream_rejected"

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class TargetUnusable(UsageError):
    """An eval run's target cannot answer any case: a set-up mistake, not a regression."""

    code = "target_unusable"


def http_status_of(error: ConfianceError) -> int:
    """The HTTP status to answer with: the vendor's for ``UpstreamRejected``, else the class's."""
    return error.status if isinstance(error, UpstreamRejected) else error.http_status


class AuthenticationError(ConfianceError):
    code = "invalid_api_key"
    http_status = 401
    exit_code = 2


class PermissionDenied(ConfianceError):
    code = "permission_denied"
    http_status = 403
    exit_code = 2


class NotFound(ConfianceError):
    code = "not_found"
    http_status = 404
    exit_code = 2


class Conflict(ConfianceError):
    code = "conflict"
    http_status = 409
    exit_code = 2


class RateLimited(ConfianceError):
    code = "rate_limit_exceeded"
    http_status = 429
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderError(ConfianceError):
    """An upstream vendor call failed; ``error_class`` is the short label used in traces."""

    code = "upstream_error"
    http_status = 502
    error_class: ClassVar[str] = "upstream_error"


class ProviderHTTPError(ProviderError):
    error_class = "upstream_http"

    def __init__(
        self,
        message: str,
        *,
        status: int,
        retry_after: float | None = None,
        body: bytes = b"",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.body = body

    @property
    def is_retryable(self) -> bool:
        return self.status == 429 or self.status >= 500


class ProviderConnectionError(ProviderError):
    error_class = "upstream_connection"
    retryable = True


class ProviderTimeout(ProviderError):
    code = "upstream_timeout"
    http_status = 504
    error_class = "upstream_timeout"
    retryable = True


class ProviderProtocolError(ProviderError):
    error_class = "upstream_protocol"
    retryable = True


class CircuitOpen(ConfianceError):
    code = "circuit_open"
    http_status = 503
    retryable = True


class StoreError(ConfianceError):
    code = "store_error"
    exit_code = 2


class ListenError(ConfianceError):
    code = "listen_error"
    exit_code = 2


class IntegrityError(ConfianceError):
    code = "integrity_error"
    exit_code = 1


def is_retryable(error: BaseException) -> bool:
    """Whether an attempt that failed with ``error`` may be retried on the same target."""
    if isinstance(error, ProviderHTTPError):
        return error.is_retryable
    return isinstance(error, ConfianceError) and error.retryable
