"""Target failures that end an eval run: set-up mistakes, not behaviour.

A wrong gateway URL, a refused key, an unknown route or a URL that redirects makes *every*
case fail the same way. Recording each as a case error would store a "finished" run with a
failed gate and exit 1, the regression code. Instead the first such failure stops the run, and
the user gets one line saying what is wrong and what to do (exit 2). Other failures (timeouts,
5xx, 429 after the retries, garbage answers) stay per-case errors: they can hit one case and
not the next.
"""

from __future__ import annotations

from enum import StrEnum

from confiance.domain.evaluation import TargetKind
from confiance.errors import (
    AuthenticationError,
    ConfianceError,
    PermissionDenied,
    ProviderConnectionError,
    ProviderHTTPError,
    TargetUnusable,
    UnknownRoute,
)

__all__ = ["SetupFailure", "setup_failure", "unusable_target"]


class SetupFailure(StrEnum):
    UNREACHABLE = "unreachable"
    AUTHENTICATION = "authentication"
    UNKNOWN_TARGET = "unknown target"
    REDIRECTED = "redirected"


def setup_failure(error: ConfianceError) -> SetupFailure | None:
    """Which set-up mistake ``error`` shows, or ``None`` for a failure of one call."""
    if isinstance(error, ProviderConnectionError):
        return SetupFailure.UNREACHABLE
    status = error.status if isinstance(error, ProviderHTTPError) else None
    if isinstance(error, AuthenticationError | PermissionDenied) or status in {401, 403}:
        return SetupFailure.AUTHENTICATION
    if isinstance(error, UnknownRoute) or status == 404:
        return SetupFailure.UNKNOWN_TARGET
    if status is not None and 300 <= status < 400:
        return SetupFailure.REDIRECTED
    return None


def unusable_target(
    error: ConfianceError,
    *,
    target: str,
    kind: TargetKind,
    base_url: str,
    kept: str,
) -> TargetUnusable:
    """The one-line error for a run stopped by ``error``; ``kept`` says what was stored."""
    failure = setup_failure(error)
    where = f"the gateway at {base_url}" if kind is not TargetKind.URL else base_url
    if failure is SetupFailure.UNREACHABLE:
        hint = (
            "is the gateway running? check --gateway-url or CONFIANCE_GATEWAY_URL"
            if kind is not TargetKind.URL
            else "check --base-url"
        )
        text = f"{error.message}; {hint}"
    elif failure is SetupFailure.REDIRECTED:
        text = error.message
    elif failure is SetupFailure.AUTHENTICATION:
        hint = (
            "export a valid Confiance API key in CONFIANCE_API_KEY (or the variable named by "
            "--api-key-env); `confiance keys create` makes one"
            if kind is not TargetKind.URL
            else "check the key in the variable named by --api-key-env"
        )
        text = f"{where} refused the API key ({error.message}): {hint}"
    else:
        hint = (
            "`confiance routes list` shows the routes, or use provider/model"
            if kind is not TargetKind.URL
            else "check the model name and that --base-url ends where /chat/completions is"
        )
        text = f"{where} does not know the target {target!r} ({error.message}): {hint}"
    return TargetUnusable(f"{text}; the run stopped, {kept}")
