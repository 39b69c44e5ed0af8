"""Authentication endpoints without rate limiting: login, token and password-reset routes that
accept unlimited attempts (credential stuffing, brute force, OTP guessing)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext

__all__ = ["NO_RATE_LIMIT"]

NO_RATE_LIMIT = rules.register(
    Rule(
        id="CF-PY-NO-RATE-LIMIT",
        name="Authentication endpoint without rate limiting",
        family="rate_limit",
        cwe=307,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        description="A login, token, password-reset or one-time-code route accepts credentials "
        "without a rate limit, so passwords and codes can be guessed at full speed.",
        fix="Limit attempts per client and per account: @limiter.limit('5/minute') "
        "(flask-limiter / slowapi), Depends(RateLimiter(times=5, seconds=60)) "
        "(fastapi-limiter), @ratelimit (django-ratelimit), or a default limit for the app.",
        owasp=("ASVS V2.2.1",),
    )
)

_AUTH_ENDPOINT = re.compile(
    r"login|log_in|log-in|signin|sign_in|sign-in|token|password|passwd|reset|forgot|otp|2fa|"
    r"mfa|verify_code|verify-code|authenticate",
    re.I,
)
_NOT_AUTH = re.compile(r"logout|log_out|sign_out|signout", re.I)


@checks.module
def _auth_routes(context: ModuleContext) -> Iterator[Finding]:
    for route in context.index.routes:
        if route.limited:
            continue
        where = f"{route.path} {route.function.name}"
        accepts = route.changes_state or not route.methods
        if accepts and _AUTH_ENDPOINT.search(where) and not _NOT_AUTH.search(where):
            yield context.finding(
                NO_RATE_LIMIT,
                route.function,
                f"authentication route {route.path or route.function.name} has no rate limit",
            )
