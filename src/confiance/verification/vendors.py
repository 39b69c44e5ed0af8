"""The vendors a found key can be checked with: one harmless identity call each.

Each :class:`VendorCheck` says which secret formats it checks, the vendor's API base URL (which
``--verify-url VENDOR=URL`` or ``CONFIANCE_VERIFY_<VENDOR>_URL`` overrides), how to build the
request (the key goes only in the vendor's own auth header, to the vendor's own URL) and how to
read the answer: accepted means *live*, rejected as invalid means *revoked*, anything else
(rate limits, server errors, surprises) *unknown*. None of these calls changes anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from confiance.codescan.findings import VerificationStatus
from confiance.codescan.secrets import SecretHit
from confiance.verification.gcp import assertion, parse_private_key
from confiance.verification.sigv4 import sign

__all__ = ["CHECKS", "Probe", "VendorCheck", "check_for"]

_LIVE, _REVOKED, _UNKNOWN = (
    VerificationStatus.LIVE,
    VerificationStatus.REVOKED,
    VerificationStatus.UNKNOWN,
)
_STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
_JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_SLACK_REVOKED = frozenset(
    {"invalid_auth", "token_revoked", "account_inactive", "token_expired", "not_authed"}
)


@dataclass(frozen=True, slots=True)
class Probe:
    """One HTTP request."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""


Judge = Callable[[int, bytes], tuple[VerificationStatus, str]]
Build = Callable[[str, SecretHit, datetime], Probe | None]


def _by_status(status: int, _body: bytes) -> tuple[VerificationStatus, str]:
    if 200 <= status < 300:
        return _LIVE, f"the vendor accepted the key (HTTP {status})"
    if status == 401:
        return _REVOKED, "the vendor rejected the key (HTTP 401)"
    if status == 403:
        return _LIVE, "the key authenticates but lacks permission for the check (HTTP 403)"
    return _UNKNOWN, f"unexpected answer HTTP {status}"


def _strict_403(status: int, body: bytes) -> tuple[VerificationStatus, str]:
    # GitHub answers 403 for rate limits too: it says nothing about the key.
    if status == 403:
        return _UNKNOWN, "HTTP 403 (rate limited or forbidden)"
    return _by_status(status, body)


def _slack(status: int, body: bytes) -> tuple[VerificationStatus, str]:
    data = _json(body)
    if status == 200 and data.get("ok") is True:
        return _LIVE, "auth.test accepted the token"
    if data.get("error") in _SLACK_REVOKED:
        return _REVOKED, f"auth.test: {data['error']}"
    return _UNKNOWN, f"auth.test answered HTTP {status} {data.get('error', '')}".strip()


def _google(status: int, body: bytes) -> tuple[VerificationStatus, str]:
    if status == 400 and (b"API_KEY_INVALID" in body or b"API key not valid" in body):
        return _REVOKED, "the vendor rejected the key (API_KEY_INVALID)"
    return _by_status(status, body)


def _aws(status: int, body: bytes) -> tuple[VerificationStatus, str]:
    if status == 200:
        return _LIVE, "sts:GetCallerIdentity accepted the key pair"
    if status == 403 and (b"InvalidClientTokenId" in body or b"SignatureDoesNotMatch" in body):
        return _REVOKED, "sts:GetCallerIdentity rejected the key pair"
    return _UNKNOWN, f"sts:GetCallerIdentity answered HTTP {status}"


def _cohere(status: int, body: bytes) -> tuple[VerificationStatus, str]:
    if status == 200:
        valid = _json(body).get("valid")
        return (_LIVE, "check-api-key: valid") if valid else (_REVOKED, "check-api-key: invalid")
    return _by_status(status, body)


def _json(body: bytes) -> dict[str, object]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True, slots=True)
class VendorCheck:
    """``build(base_url, hit, now)`` makes the request; ``judge(status, body)`` reads it."""

    vendor: str
    base_url: str
    formats: tuple[str, ...]
    build: Build
    judge: Judge = field(default=_by_status)


def _get(path: str, header: str = "Authorization", scheme: str = "Bearer ",
         extra: tuple[tuple[str, str], ...] = ()) -> Build:  # fmt: skip
    def build(base: str, hit: SecretHit, _now: datetime) -> Probe:
        headers = {header: f"{scheme}{hit.value}", **dict(extra)}
        return Probe("GET", base.rstrip("/") + path, headers)

    return build


def _post(path: str) -> Build:
    def build(base: str, hit: SecretHit, _now: datetime) -> Probe:
        return Probe("POST", base.rstrip("/") + path, {"Authorization": f"Bearer {hit.value}"})

    return build


def _sts(base: str, hit: SecretHit, now: datetime) -> Probe | None:
    # Temporary (ASIA) keys also need their session token; without it STS would call a live
    # key invalid, so they are left unknown.
    if not hit.partner or hit.partner.startswith("ASIA"):
        return None
    url = base.rstrip("/") + "/"
    content = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    headers = sign("POST", url, content, _STS_BODY, access_key_id=hit.partner,
                   secret_key=hit.value, region="us-east-1", service="sts", now=now)  # fmt: skip
    return Probe("POST", url, headers, _STS_BODY)


def _gcp(base: str, hit: SecretHit, now: datetime) -> Probe | None:
    try:
        key = parse_private_key(hit.value)
    except ValueError:
        return None
    if not hit.partner:
        return None
    url = base.rstrip("/") + "/token"
    jwt = assertion(key, hit.partner, url, int(now.timestamp()))
    body = urlencode({"grant_type": _JWT_BEARER, "assertion": jwt}).encode()
    return Probe("POST", url, {"Content-Type": "application/x-www-form-urlencoded"}, body)


def _gcp_judge(status: int, body: bytes) -> tuple[VerificationStatus, str]:
    if status == 200:
        return _LIVE, "the token endpoint granted an access token (discarded)"
    if status in (400, 401) and _json(body).get("error") in ("invalid_grant", "invalid_client"):
        return _REVOKED, f"the token endpoint refused the key ({_json(body)['error']})"
    return _UNKNOWN, f"the token endpoint answered HTTP {status}"


_ANTHROPIC = (("anthropic-version", "2023-06-01"),)
_GITHUB = (("Accept", "application/vnd.github+json"), ("User-Agent", "confiance-verify"))
CHECKS: tuple[VendorCheck, ...] = (
    VendorCheck("openai", "https://api.openai.com", ("openai-project", "openai-legacy"),
                _get("/v1/models")),
    VendorCheck("openai-admin", "https://api.openai.com", ("openai-admin",),
                _get("/v1/organization/projects?limit=1")),
    VendorCheck("anthropic", "https://api.anthropic.com", ("anthropic-api",),
                _get("/v1/models?limit=1", "x-api-key", "", _ANTHROPIC)),
    VendorCheck("anthropic-admin", "https://api.anthropic.com", ("anthropic-admin",),
                _get("/v1/organizations/users?limit=1", "x-api-key", "", _ANTHROPIC)),
    VendorCheck("github", "https://api.github.com", ("github-classic", "github-fine-grained"),
                _get("/user", extra=_GITHUB), _strict_403),
    VendorCheck("gitlab", "https://gitlab.com", ("gitlab-pat",),
                _get("/api/v4/personal_access_tokens/self", "PRIVATE-TOKEN", "")),
    VendorCheck("slack", "https://slack.com", ("slack-token", "slack-rotating-token",
                                               "slack-app-token"), _post("/api/auth.test"),
                _slack),
    VendorCheck("stripe", "https://api.stripe.com", ("stripe-secret",), _get("/v1/balance")),
    VendorCheck("huggingface", "https://huggingface.co", ("huggingface",),
                _get("/api/whoami-v2")),
    VendorCheck("google", "https://generativelanguage.googleapis.com", ("google-api-key",),
                _get("/v1beta/models?pageSize=1", "x-goog-api-key", ""), _google),
    VendorCheck("aws", "https://sts.amazonaws.com", ("aws-secret-key",), _sts, _aws),
    VendorCheck("gcp", "https://oauth2.googleapis.com", ("gcp-service-account",), _gcp,
                _gcp_judge),
    VendorCheck("groq", "https://api.groq.com", ("groq",), _get("/openai/v1/models")),
    VendorCheck("mistral", "https://api.mistral.ai", ("mistral",), _get("/v1/models")),
    VendorCheck("xai", "https://api.x.ai", ("xai",), _get("/v1/api-key")),
    VendorCheck("together", "https://api.together.xyz", ("together", "together-legacy"),
                _get("/v1/models")),
    VendorCheck("cohere", "https://api.cohere.com", ("cohere",), _post("/v1/check-api-key"),
                _cohere),
    VendorCheck("replicate", "https://api.replicate.com", ("replicate",), _get("/v1/account")),
    VendorCheck("npm", "https://registry.npmjs.org", ("npm",), _get("/-/whoami")),
    VendorCheck("digitalocean", "https://api.digitalocean.com", ("digitalocean",),
                _get("/v2/account")),
    VendorCheck("sendgrid", "https://api.sendgrid.com", ("sendgrid",), _get("/v3/scopes")),
)  # fmt: skip

_BY_FORMAT = {name: check for check in CHECKS for name in check.formats}


def check_for(format_name: str) -> VendorCheck | None:
    """The check for secrets of ``format_name``, or ``None`` when no harmless call exists."""
    return _BY_FORMAT.get(format_name)
