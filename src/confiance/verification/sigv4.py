"""AWS Signature Version 4, for the one request the verifier makes to AWS: STS
``GetCallerIdentity`` (harmless: it needs no permission and changes nothing).

Written from AWS's published signing process (canonical request, string to sign, derived key);
the test checks it against the example AWS documents.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from urllib.parse import quote, urlsplit

__all__ = ["sign"]

_ALGORITHM = "AWS4-HMAC-SHA256"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _canonical_query(query: str) -> str:
    pairs = sorted(p.split("=", 1) + [""] * ("=" not in p) for p in query.split("&") if p)
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)


def sign(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    access_key_id: str,
    secret_key: str,
    region: str,
    service: str,
    now: datetime,
) -> dict[str, str]:
    """``headers`` plus ``X-Amz-Date``, ``Host`` and the ``Authorization`` header that signs the
    request with the key pair. ``now`` is passed in (UTC) so the signature is reproducible."""
    parts = urlsplit(url)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    signed_headers = {k.lower(): " ".join(v.split()) for k, v in headers.items()}
    signed_headers["host"] = parts.netloc
    signed_headers["x-amz-date"] = amz_date
    names = ";".join(sorted(signed_headers))
    canonical = "\n".join(
        [
            method,
            parts.path or "/",
            _canonical_query(parts.query),
            "".join(f"{k}:{signed_headers[k]}\n" for k in sorted(signed_headers)),
            names,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        [_ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(("AWS4" + secret_key).encode(), day)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    authorization = (
        f"{_ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={names}, "
        f"Signature={signature}"
    )
    return {**headers, "Host": parts.netloc, "X-Amz-Date": amz_date, "Authorization": authorization}
