"""Credentials recognised by their surroundings: private key blocks, service-account JSON,
signed JWTs, passwords in URLs and DSNs, HTTP basic and bearer credentials in commands, headers
and code, and package-manager auth files (``.npmrc``, Docker ``config.json``)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from urllib.parse import unquote

from confiance.codescan.secretformats._model import SecretFormat, entropy, is_placeholder

__all__ = [
    "HTTP_AUTH_FORMATS",
    "KEY_BLOCK_FORMATS",
    "URL_FORMATS",
    "is_placeholder_password",
    "jwt_is_real",
]

_BODY_RUN = re.compile(r"[A-Za-z0-9+/=]{40,}")
_HEADER_LINE = re.compile(r"(?m)^[A-Za-z-]+: .*$")
_DEFAULT_PASSWORDS = frozenset(
    {"password", "passwd", "pass", "pwd", "secret", "postgres", "root", "admin", "user", "mysql",
     "guest", "changeme", "redis", "mongo", "rabbitmq", "test", "example", "username", "pw",
     "tiger", "hunter", "letmein", "qwerty", "welcome", "passw0rd", "p4ssw0rd"}
)  # fmt: skip
_DB_SCHEMES = (
    r"postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|"
    r"cockroachdb|clickhouse|neo4j(?:\+s)?|bolt|couchbases?|cassandra|memcached|nats|kafka"
)
# The user part stops at ':' so that ``scheme://user:pass@host`` splits where URLs do.
_USERINFO = r"(?P<user>[^:@/\s'\"`<>\\]{0,80}):(?!(?P=user)@)"
_PASSWORD_GROUP = r"(?P<secret>[^@/\s'\"`<>\\]{3,200})"  # noqa: S105 - a regex
# Hosts reserved for documentation (RFC 2606) make the URL an example.
_HOST = r"@(?![^/\s'\"]*\bexample\.(?:com|org|net)\b)(?=[A-Za-z0-9\[])"


def _body_ok(value: str) -> bool:
    body = _HEADER_LINE.sub("", value.replace("\\r", "").replace("\\n", "\n"))
    run = _BODY_RUN.search(body)
    return run is not None and not is_placeholder(run.group())


def jwt_is_real(token: str) -> bool:
    """A JWT whose header names an algorithm and whose claims are an object, other than the
    jwt.io sample (``"name": "John Doe"``) pasted into countless docs."""
    header_part, payload_part, _ = token.split(".", 2)
    header, payload = _b64url_json(header_part), _b64url_json(payload_part)
    if not isinstance(header, dict) or "alg" not in header or not isinstance(payload, dict):
        return False
    return not (payload.get("name") == "John Doe" or is_placeholder(json.dumps(payload)))


def _b64url_json(segment: str) -> object:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def is_placeholder_password(value: str) -> bool:
    """``password``, ``${DB_PASSWORD}``, ``<pass>``, ``%s``, ``$PASS``, ``****``, ``{pw}``..."""
    lowered = value.lower()
    return (
        lowered in _DEFAULT_PASSWORDS
        or value.startswith(("$", "{", "%", "<", ":"))
        or is_placeholder(value)
        or lowered.rstrip("0123456789") in _DEFAULT_PASSWORDS
    )


def _password_ok(value: str) -> bool:
    decoded = unquote(value)
    if any(c.isspace() for c in decoded):
        return False  # prose in a URL-encoded example ("a%20secret")
    return not is_placeholder_password(decoded) and len(value) >= 4 and entropy(value) >= 1.9


def _basic_ok(encoded: str) -> bool:
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        user, sep, password = decoded.decode("utf-8").partition(":")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    return bool(sep and user) and _password_ok(password)


def _bearer_ok(value: str) -> bool:
    return any(c.isdigit() for c in value) and entropy(value) >= 3.5


def _fmt(name: str, label: str, rule: str, pattern: str, keywords: tuple[str, ...],
         validate: Callable[[str], bool] | None = None) -> SecretFormat:  # fmt: skip
    return SecretFormat(name, "", label, rule, re.compile(pattern), keywords, validate, 0.0)


KEY_BLOCK_FORMATS: tuple[SecretFormat, ...] = (
    _fmt("gcp-service-account", "Google Cloud service-account key",
         "CF-SECRET-GCP-SERVICE-ACCOUNT",
         r'"private_key"\s*:\s*"(?P<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----'
         r'(?:\\n|[A-Za-z0-9+/=])+?-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)"',
         ("service_account",), _body_ok),
    _fmt("private-key", "Private key", "CF-SECRET-PRIVATE-KEY",
         r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
         r"(?P<secret>(?:(?!-----)[^\"'`]){40,16000}?)(?=-----END |[\"'`]|$)",
         ("private key",), _body_ok),
    _fmt("putty-private-key", "PuTTY private key", "CF-SECRET-PRIVATE-KEY",
         r"PuTTY-User-Key-File-[23]: [\w@.-]+\r?\n(?:[^\r\n]{0,200}\r?\n){1,60}?"
         r"Private-Lines: [0-9]+\r?\n(?P<secret>[A-Za-z0-9+/=\r\n]{40,16000})",
         ("putty-user-key-file",), _body_ok),
    _fmt("age-secret-key", "age secret key", "CF-SECRET-PRIVATE-KEY",
         r"(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})",
         ("age-secret-key-1",)),
    _fmt("jwt", "JSON Web Token", "CF-SECRET-JWT",
         r"(?<![\w-])(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})",
         ("eyj",), jwt_is_real),
)  # fmt: skip

URL_FORMATS: tuple[SecretFormat, ...] = (
    _fmt("database-url", "Database password", "CF-SECRET-DATABASE-URL",
         rf"(?i:\b(?:{_DB_SCHEMES})(?:\+[a-z0-9]+)?)://{_USERINFO}{_PASSWORD_GROUP}{_HOST}",
         ("://",), _password_ok),
    _fmt("url-credential", "Password in URL", "CF-SECRET-URL-CREDENTIAL",
         rf"(?i:\b(?:https?|s?ftps?|smtps?|imaps?|pop3s?|ldaps?|wss?|git\+https|svn\+ssh|ssh|"
         rf"rsync|webdav|telnet|jdbc:[a-z]+))://{_USERINFO}{_PASSWORD_GROUP}{_HOST}",
         ("://",), _password_ok),
)  # fmt: skip

HTTP_AUTH_FORMATS: tuple[SecretFormat, ...] = (
    _fmt("curl-user", "Password in a curl -u / --user option", "CF-SECRET-BASIC-AUTH",
         r"(?:^|[\s\"'`(])(?:-u|--user|--proxy-user|-a|--auth)(?:\s+|=)[\"']?"
         r"(?P<user>[^\s:\"'$]{1,80}):(?P<secret>[^\s\"'`]{3,200})", ("-u", "--user", "-a"),
         _password_ok),
    _fmt("basic-auth-header", "HTTP basic credentials", "CF-SECRET-BASIC-AUTH",
         r"(?i:authorization)[\"']?\s*[:=,]\s*[\"'`]?(?i:basic)\s+"
         r"(?P<secret>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])", ("basic",), _basic_ok),
    _fmt("basic-auth-code", "Password passed to an HTTP basic-auth helper",
         "CF-SECRET-BASIC-AUTH",
         r"(?:HTTPBasicAuth|HTTPDigestAuth|BasicAuth|DigestAuth|basic_auth|\bauth)\s*[(=]\s*"
         r"\(?\s*[\"'][^\"'\n]{1,80}[\"']\s*,\s*(?:password\s*=\s*)?[\"']"
         r"(?P<secret>[^\"'\n]{4,200})[\"']", ("auth",), _password_ok),
    _fmt("basic-auth-encoded", "Credentials base64-encoded for basic auth",
         "CF-SECRET-BASIC-AUTH",
         r"(?:b64encode|btoa|encodebytes|encodestring|Buffer\.from)\(\s*b?[\"'`]"
         r"[^\"'`:\s]{1,80}:(?P<secret>[^\"'`\s]{4,200})[\"'`]", ("b64encode", "btoa", "buffer"),
         _password_ok),
    _fmt("bearer-token", "Bearer token", "CF-SECRET-BEARER-TOKEN",
         r"(?i:authorization)[\"']?\s*[:=,]\s*[\"'`]?(?i:bearer|token)\s+"
         r"(?P<secret>[A-Za-z0-9._~+/-]{16,}=*)(?![A-Za-z0-9._~+/=-])", ("authorization",),
         _bearer_ok),
    _fmt("npmrc-auth", "npm registry credentials (.npmrc)", "CF-SECRET-NPM",
         r"(?m)^\s*(?://[^\s=]+:)?_(?:authToken|auth|password)\s*=\s*[\"']?"
         r"(?P<secret>[^\s\"'#;]{8,})", ("_authtoken", "_auth", "_password"),
         lambda v: not is_placeholder_password(v)),
    _fmt("docker-config-auth", "Docker registry credentials (config.json)",
         "CF-SECRET-DOCKERHUB", r"\"auth\"\s*:\s*\"(?P<secret>[A-Za-z0-9+/]{12,}={0,2})\"",
         ("\"auths\"",), _basic_ok),
)  # fmt: skip
