"""Google Cloud service-account keys: the OAuth 2.0 JWT-bearer token request (RFC 7523) that
Google's client libraries make, signed with the found key (RS256).

A signed assertion goes to Google's token endpoint; the answer (an access token, or
``invalid_grant`` for a deleted key) says whether the key is live. The token is discarded. RSA
signing is done here (PKCS#1 v1.5 with SHA-256 over a DER-decoded PKCS#8 or PKCS#1 key) so that
verification needs no compiled cryptography package; the test checks signatures with OpenSSL.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass

__all__ = ["RsaKey", "assertion", "parse_private_key", "rs256_valid", "sign_rs256"]

_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_PEM_BODY = re.compile(r"-----BEGIN (?:RSA )?PRIVATE KEY-----(.+?)-----END", re.DOTALL)
_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
_LIFETIME_S = 300
_MAX_MODULUS_BYTES = 2048  # RSA-16384: far above any key Google issues


@dataclass(frozen=True, slots=True)
class RsaKey:
    n: int
    e: int
    d: int

    @property
    def size(self) -> int:
        return (self.n.bit_length() + 7) // 8


def _read(der: bytes, at: int) -> tuple[int, bytes, int]:
    """One DER element at ``at``: (tag, content, offset after it)."""
    tag, length, at = der[at], der[at + 1], at + 2
    if length & 0x80:
        count = length & 0x7F
        length, at = int.from_bytes(der[at : at + count], "big"), at + count
    return tag, der[at : at + length], at + length


def _sequence(der: bytes) -> list[tuple[int, bytes]]:
    items, at = [], 0
    while at < len(der):
        tag, content, at = _read(der, at)
        items.append((tag, content))
    return items


def parse_private_key(pem: str) -> RsaKey:
    """The RSA key in a PEM block (``\\n`` escapes allowed). Raises :class:`ValueError`."""
    match = _PEM_BODY.search(pem.replace("\\n", "\n"))
    if match is None:
        raise ValueError("no private key block")
    try:
        der = base64.b64decode("".join(match.group(1).split()))
        tag, content, _ = _read(der, 0)
        fields = _sequence(content)
        if len(fields) == 3 and fields[2][0] == 0x04:  # PKCS#8: the RSA key is in an octet string
            fields = _sequence(_read(fields[2][1], 0)[1])
    except (IndexError, binascii.Error) as exc:
        raise ValueError(f"not an RSA private key: {exc}") from exc
    if tag != 0x30 or len(fields) < 4 or any(t != 0x02 for t, _ in fields[:4]):
        raise ValueError("not an RSA private key")
    n, e, d = (int.from_bytes(value, "big") for _, value in fields[1:4])
    return RsaKey(n, e, d)


def _encoded(message: bytes, size: int) -> int:
    """EMSA-PKCS1-v1_5 of SHA-256(``message``) for a ``size``-byte modulus, as an integer."""
    digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    filler = max(0, min(size, _MAX_MODULUS_BYTES) - len(digest_info) - 3)
    return int.from_bytes(b"\x00\x01" + b"\xff" * filler + b"\x00" + digest_info, "big")


def sign_rs256(key: RsaKey, message: bytes) -> bytes:
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017, section 8.2)."""
    return pow(_encoded(message, key.size), key.d, key.n).to_bytes(key.size, "big")


def rs256_valid(n: int, e: int, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``message`` signed by the private half of (``n``, ``e``)."""
    size = (n.bit_length() + 7) // 8
    return pow(int.from_bytes(signature, "big"), e, n) == _encoded(message, size)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def assertion(key: RsaKey, email: str, audience: str, now: int) -> str:
    """The signed JWT a service account presents for an access token."""
    header = _b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    claims = {"iss": email, "scope": _SCOPE, "aud": audience, "iat": now,
              "exp": now + _LIFETIME_S}  # fmt: skip
    body = _b64url(json.dumps(claims).encode())
    signature = sign_rs256(key, f"{header}.{body}".encode())
    return f"{header}.{body}.{_b64url(signature)}"
