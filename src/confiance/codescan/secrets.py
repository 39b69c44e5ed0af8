"""Secrets in any text file: vendor key formats plus high-entropy values with context.

Every value reported is masked (:func:`mask`): the first characters (at most 4, fewer for short
secrets), an ellipsis and the length. :func:`scan_secrets` also returns the raw values it found
so the driver can mask them in the findings of every other analyzer on the same file.

False positives are kept low by context: placeholders (``xxx``, ``<your-key>``, ``changeme``,
``${VAR}``), environment lookups (never a literal), UUIDs, identifiers, base64 of plain text, lock
files and lines marked ``pragma: allowlist secret`` are not secrets.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import re
from dataclasses import dataclass

from confiance.codescan.findings import Finding, rules
from confiance.codescan.secretformats import entropy, is_placeholder, jwt_is_real
from confiance.codescan.secrets_rules import PROVIDER_PATTERNS

__all__ = ["SecretHit", "SecretScan", "entropy", "is_placeholder", "mask", "scan_secrets"]

_SNIPPET_WIDTH = 200
_ALLOW_MARKER = "pragma: allowlist secret"
_PLACEHOLDER = re.compile(
    r"(?i)x{4,}|\*{3,}|\.{3}|…|<[^>]*>|\{\{|\$\{|\$\(|%\(|%s|^\$[A-Za-z_]|your[_-]?|changeme|"
    r"change[_-]?me|replace|example|sample|dummy|fake|placeholder|redacted|insert|todo|"
    r"notasecret|not[_-]a[_-]secret|test|0{6,}|1234567|abcdef|here$"
)
_UUID = re.compile(r"(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_WORDS = re.compile(r"^[A-Za-z]+(?:[_\-.][A-Za-z]+)*$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_ASSIGNMENT = re.compile(
    r"""(?P<name>[A-Za-z_$][\w.$-]*)\\?["']?\s*(?P<op>:=|=>|=(?!=)|:)\s*
        (?:[rbuRBU]{1,2}(?=["']))?(?P<q>\\?["'`])?(?P<value>[^\s"'`\\,;)}\]>]{6,})""",
    re.VERBOSE,
)
_DOCKER_ENV = re.compile(r"(?m)^\s*(?:ENV|ARG)\s+(?P<name>\w+)\s+(?P<value>[^\s=]{6,})\s*(?:#.*)?$")
_NAME_HINTS = ("key", "secret", "token", "pass", "pwd", "credential", "auth", "bearer")
_STRONG_NAME = re.compile(
    r"apikey|secret|token|password|passwd|passphrase|credential|accesskey|privatekey|"
    r"signingkey|encryptionkey|masterkey|authkey|authorization|bearer|(?:^|db|user|admin)pass$|"
    r"pwd$|(?:api|secret|private|access|auth|signing|encryption|master|client|app|account|"
    r"subscription|service|license|openai|anthropic|azure|gemini|google|stripe|mistral|groq|"
    r"cohere|together|replicate|sendgrid|twilio)key$"
)
_NOT_SECRET_NAME = re.compile(
    r"tokens|tokeniz|(?:name|path|file|dir|url|uri|endpoint|env|var|length|len|size|count|type|"
    r"field|header|prefix|format|pattern|regex|label|hint|placeholder|version|algorithm|alg|"
    r"expiry|expires|ttl|timeout|hash|salt|policy|rotation|manager|store|provider|class|kind|"
    r"mode|required|enabled|min|max|id|ref|arn|location|storage|param|schema|limit|usage)s?$"
)
_PASSWORD_NAME = re.compile(r"pass|pwd")
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_PEM_BODY = re.compile(r"[A-Za-z0-9+/=]{40,}")
_JWT = re.compile(
    r"(?<![\w-])(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})"
)
_DB_URL = re.compile(
    r"(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|"
    r"oracle|cockroachdb)(?:\+[a-z0-9]+)?://(?P<user>[^:@/\s'\"]*):(?P<secret>[^@/\s'\"]+)@"
    r"(?P<host>[^/\s'\":?]+)"
)
_DB_DEFAULT_PASSWORDS = frozenset(
    {"password", "pass", "passwd", "pwd", "secret", "postgres", "root", "admin", "user", "mysql"}
)
_AWS_KEY_ID = re.compile(
    r"(?<![A-Z0-9])(?P<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?![A-Z0-9])"
)
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])")
_PUBLIC_LLM_KEY = re.compile(
    r"\b(?P<name>(?:NEXT_PUBLIC|VITE|REACT_APP|EXPO_PUBLIC|NUXT_PUBLIC|GATSBY|PUBLIC)_[A-Z0-9_]*"
    r"(?:OPENAI|ANTHROPIC|CLAUDE|GEMINI|GOOGLE_AI|MISTRAL|GROQ|COHERE|HF|HUGGINGFACE)"
    r"[A-Z0-9_]*(?:KEY|TOKEN|SECRET))\b\s*[=:]\s*[\"']?(?P<secret>[^\s\"'#,}]+)"
)
_AWS_PAIR_DISTANCE = 5
_KNOWN_PUBLIC = frozenset(
    {
        # The Azure Storage emulator (Azurite) account key, published in Microsoft's docs.
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    }
)


def mask(secret: str) -> str:
    """``sk-p…(164 chars)``: never enough of the value to use it."""
    shown = min(4, len(secret) // 4)
    return f"{secret[:shown]}…({len(secret)} chars)"


def _char_classes(value: str) -> int:
    return sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        )
    )


def _is_plain_base64_text(value: str) -> bool:
    if len(value) < 16 or len(value) % 4:
        return False
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    text = raw.decode("latin-1")
    printable = sum(c.isprintable() or c in "\n\t" for c in text)
    return printable >= 0.95 * len(text) and (" " in text or "\n" in text)


@dataclass(frozen=True, slots=True)
class SecretHit:
    """One secret: ``start``/``end`` are offsets of the value in the scanned text."""

    rule_id: str
    label: str
    start: int
    end: int
    value: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SecretScan:
    findings: tuple[Finding, ...]
    values: tuple[str, ...]


class _Text:
    """Offsets to (line, column) and masked snippets for one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.starts.extend(m.end() for m in re.finditer("\n", text))

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def line(self, number: int) -> str:
        start = self.starts[number - 1]
        end = self.starts[number] - 1 if number < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r")


class _Detector:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.hits: list[SecretHit] = []
        self.extra_values: list[str] = []

    def taken(self, start: int, end: int) -> bool:
        return any(h.start < end and start < h.end for h in self.hits)

    def add(self, hit: SecretHit) -> None:
        if not self.taken(hit.start, hit.end) and not self.allowlisted(hit.start):
            self.hits.append(hit)

    def allowlisted(self, offset: int) -> bool:
        line_start = self.text.rfind("\n", 0, offset) + 1
        line_end = self.text.find("\n", offset)
        return _ALLOW_MARKER in self.text[line_start : line_end if line_end >= 0 else None]

    def providers(self) -> None:
        for pattern in PROVIDER_PATTERNS:
            if not any(h in self.text for h in pattern.hints):
                continue
            for m in pattern.regex.finditer(self.text):
                value = m.group("secret")
                if value in _KNOWN_PUBLIC or is_placeholder(value):
                    continue
                if entropy(value) < pattern.min_entropy:
                    continue
                self.add(SecretHit(pattern.rule_id, pattern.label, *m.span("secret"), value))

    def private_keys(self) -> None:
        if "PRIVATE KEY" not in self.text:
            return
        for m in _PRIVATE_KEY.finditer(self.text):
            window = self.text[m.end() : m.end() + 400].replace("\\n", "\n")
            end_at = window.find("-----")
            body = _PEM_BODY.findall(window[: end_at if end_at >= 0 else None])
            if not body or is_placeholder(body[0]):
                continue
            self.extra_values.extend(body)
            self.add(SecretHit("CF-SECRET-PRIVATE-KEY", "Private key", *m.span(), body[0]))

    def jwts(self) -> None:
        if "eyJ" not in self.text:
            return
        for m in _JWT.finditer(self.text):
            value = m.group("secret")
            if jwt_is_real(value):
                self.add(SecretHit("CF-SECRET-JWT", "JSON Web Token", *m.span("secret"), value))

    def database_urls(self) -> None:
        if "://" not in self.text:
            return
        for m in _DB_URL.finditer(self.text):
            password, user = m.group("secret"), m.group("user")
            if password.lower() in _DB_DEFAULT_PASSWORDS or password == user:
                continue
            if is_placeholder(password) or password.startswith(("$", "{", "%", "<")):
                continue
            self.add(
                SecretHit(
                    "CF-SECRET-DATABASE-URL", "Database password", *m.span("secret"), password
                )
            )

    def aws(self) -> None:
        if not any(p in self.text for p in ("AKIA", "ASIA", "ABIA", "ACCA", "ecret")):
            return
        lines = _Text(self.text)
        ids = [m for m in _AWS_KEY_ID.finditer(self.text) if not is_placeholder(m.group("secret"))]
        id_lines = {lines.position(m.start())[0]: m for m in ids}
        paired: set[int] = set()
        for m in _AWS_SECRET.finditer(self.text):
            value = m.group("secret")
            if _HEX.match(value) or _char_classes(value) < 3 or entropy(value) < 4.0:
                continue
            if is_placeholder(value):
                continue
            line = lines.position(m.start())[0]
            near = [n for n in id_lines if abs(n - line) <= _AWS_PAIR_DISTANCE]
            if not near and "secret" not in lines.line(line).lower():
                continue
            paired.update(near)
            detail = f" (paired with the access key id on line {near[0]})" if near else ""
            self.add(SecretHit("CF-SECRET-AWS", "AWS secret access key", *m.span(), value, detail))
        for line, m in id_lines.items():
            if line not in paired:
                self.add(SecretHit("CF-SECRET-AWS-KEY-ID", "AWS access key id", *m.span(),
                                   m.group("secret")))  # fmt: skip

    def public_llm_keys(self) -> None:
        if "_" not in self.text:
            return
        for m in _PUBLIC_LLM_KEY.finditer(self.text):
            value = m.group("secret")
            if len(value) < 8 or is_placeholder(value) or value.startswith(("process.", "import.")):
                continue
            label = f"LLM key in public variable {m.group('name')}"
            hit = SecretHit("CF-SECRET-PUBLIC-LLM-KEY", label, *m.span("secret"), value)
            if not self.allowlisted(hit.start):
                # Reported next to the vendor-format finding on purpose: it says who can read it.
                self.hits.append(hit)

    def generic(self, *, quoted_only: bool) -> None:
        lowered = self.text.lower()
        if not any(h in lowered for h in _NAME_HINTS):
            return
        for m in _ASSIGNMENT.finditer(self.text):
            if quoted_only and not m.group("q"):
                continue
            self.generic_candidate(m.group("name"), m.group("value"), m.start("value"))
        if "ENV" in self.text or "ARG" in self.text:
            for m in _DOCKER_ENV.finditer(self.text):
                self.generic_candidate(m.group("name"), m.group("value"), m.start("value"))

    def generic_candidate(self, name: str, value: str, start: int) -> None:
        short = re.sub(r"[^a-z0-9]", "", name.rsplit(".", 1)[-1].lower())
        if not _STRONG_NAME.search(short) or _NOT_SECRET_NAME.search(short):
            return
        if _plausible_secret(value, password=bool(_PASSWORD_NAME.search(short))):
            self.add(SecretHit("CF-SECRET-GENERIC", f"secret assigned to {name}", start,
                               start + len(value), value))  # fmt: skip


def _plausible_secret(value: str, *, password: bool) -> bool:
    if is_placeholder(value) or _UUID.match(value) or _WORDS.match(value):
        return False
    if value in _KNOWN_PUBLIC:
        return False
    if value.startswith(("http:", "https:", "/", "./", "~", "file:", "$", "%", "@", "#")):
        return False
    if "(" in value or value.startswith(("process.", "os.", "import.", "env.", "settings.")):
        return False
    if _is_plain_base64_text(value) or _JWT.fullmatch(value):
        return False
    classes = _char_classes(value)
    if password:
        return len(value) >= 8 and classes >= 2 and entropy(value) >= 2.5
    if not any(c.isdigit() for c in value) and not (len(value) >= 24 and entropy(value) >= 4.0):
        return False
    return len(value) >= 16 and classes >= 2 and entropy(value) >= 3.2


def _snippet(line: str, column: int, values: list[str]) -> str:
    for value in sorted(values, key=len, reverse=True):
        line = line.replace(value, mask(value))
    stripped = line.strip()
    if len(stripped) <= _SNIPPET_WIDTH:
        return stripped
    start = max(0, min(column - 1 - _SNIPPET_WIDTH // 2, len(line) - _SNIPPET_WIDTH))
    return line[start : start + _SNIPPET_WIDTH].strip()


def scan_secrets(text: str, path: str, *, quoted_only: bool, lockfile: bool = False) -> SecretScan:
    """Find secrets in ``text`` (the file ``path``). ``quoted_only`` limits the entropy rule to
    quoted literals (source code, where a bare value is an expression); ``lockfile`` turns the
    entropy rule off (lock files are full of hashes)."""
    detector = _Detector(text, path)
    detector.providers()
    detector.private_keys()
    detector.aws()
    detector.database_urls()
    detector.jwts()
    detector.public_llm_keys()
    if not lockfile:
        detector.generic(quoted_only=quoted_only)
    values = [h.value for h in detector.hits] + detector.extra_values
    located = _Text(text)
    findings = []
    for hit in sorted(detector.hits, key=lambda h: (h.start, h.rule_id)):
        line, column = located.position(hit.start)
        rule = rules.get(hit.rule_id)
        findings.append(
            Finding(
                rule_id=hit.rule_id,
                path=path,
                line=line,
                column=column,
                message=f"{hit.label} {mask(hit.value)} is written in the file{hit.detail}; "
                "rotate it and load it from the environment or a secret manager",
                severity=rule.severity,
                confidence=rule.confidence,
                snippet=_snippet(located.line(line), column, values),
            )
        )
    return SecretScan(tuple(findings), tuple(values))
