"""Secrets in any text file: the shared vendor formats, plus what needs the whole file.

The formats (:mod:`confiance.codescan.secretformats`) find vendor keys, key blocks, passwords
in URLs, basic-auth and bearer credentials. This module adds AWS key pairs (an access key id with
the 40-character secret near it), values assigned to secret-looking names
(:mod:`~confiance.codescan.secrets_generic`), LLM keys in public front-end variables, and keys
split across string literals in code (:mod:`~confiance.codescan.joined`). It applies the
allow-list (:mod:`~confiance.codescan.secretpolicy`) and reports **one finding per secret**.

Every value reported is masked (:func:`mask`): the first characters (at most 4, fewer for short
secrets), an ellipsis and the length. :func:`scan_secrets` also returns the raw values it found
so the driver can mask them in the findings of every other analyzer on the same file, and the
hits themselves (for ``--verify-secrets``); neither is ever printed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from confiance.codescan.findings import Finding, rules
from confiance.codescan.joined import joined_literals
from confiance.codescan.notebooks import code_cells
from confiance.codescan.secretformats import (
    FORMATS,
    SecretMatch,
    entropy,
    find_secrets,
    is_placeholder,
)
from confiance.codescan.secretpolicy import SecretPolicy
from confiance.codescan.secrets_generic import (
    assignments,
    char_classes,
    is_secret_name,
    plausible_secret,
)
from confiance.codescan.secrets_rules import CONTEXTUAL_RULES

__all__ = ["SecretHit", "SecretScan", "entropy", "is_placeholder", "mask", "scan_secrets"]

_SNIPPET_WIDTH = 200
_ALLOW_MARKER = "pragma: allowlist secret"
_BLOCK_RULES = frozenset({"CF-SECRET-PRIVATE-KEY", "CF-SECRET-GCP-SERVICE-ACCOUNT"})
_BODY_RUN = re.compile(r"[A-Za-z0-9+/=]{40,}")
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_PUBLIC_LLM_KEY = re.compile(
    r"\b(?P<name>(?:NEXT_PUBLIC|VITE|REACT_APP|EXPO_PUBLIC|NUXT_PUBLIC|GATSBY|PUBLIC)_[A-Z0-9_]*"
    r"(?:OPENAI|ANTHROPIC|CLAUDE|GEMINI|GOOGLE_AI|MISTRAL|GROQ|COHERE|HF|HUGGINGFACE)"
    r"[A-Z0-9_]*(?:KEY|TOKEN|SECRET))\b\s*[=:]\s*[\"']?(?P<secret>[^\s\"'#,}]+)"
)
_AWS_PAIR_DISTANCE = 5
_MASK_ALL_LIMIT = 200
_MAX_SPAN = 20_000  # longer than any secret value (key blocks are bounded at 16,000)
_AWS_KEY_ID, _AWS = "CF-SECRET-AWS-KEY-ID", "CF-SECRET-AWS"
_AWS_FORMAT = "aws-secret-key"
_GCP_FORMAT = "gcp-service-account"
_CLIENT_EMAIL = re.compile(r'"client_email"\s*:\s*"([^"\s]{3,200})"')


def mask(secret: str) -> str:
    """``sk-p…(164 chars)``: never enough of the value to use it."""
    shown = min(4, len(secret) // 4)
    return f"{secret[:shown]}…({len(secret)} chars)"


@dataclass(frozen=True, slots=True)
class SecretHit:
    """One secret: ``start``/``end`` are offsets of the value in the scanned text (for a joined
    value, of the chain of literals); ``format`` names its :class:`SecretFormat` ("" for the
    generic and public-variable rules); ``partner`` is the identity the key goes with: the AWS
    access key id of a key pair, the ``client_email`` of a service-account key."""

    rule_id: str
    label: str
    start: int
    end: int
    value: str
    detail: str = ""
    format: str = ""
    partner: str = ""


@dataclass(frozen=True, slots=True)
class SecretScan:
    findings: tuple[Finding, ...]
    values: tuple[str, ...]
    hits: tuple[SecretHit, ...] = ()


class _Lines:
    """Offsets to (line, column) for one text."""

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
    def __init__(self, text: str, policy: SecretPolicy) -> None:
        self.text = text
        self.policy = policy
        self.lines = _Lines(text)
        self.hits: list[SecretHit] = []
        self.extra_values: list[str] = []
        self.marked: dict[int, bool] = {}
        self.has_marker = _ALLOW_MARKER in text
        self.spans: list[tuple[int, int]] = []  # sorted, never overlapping

    def taken(self, start: int, end: int) -> bool:
        at = bisect.bisect_left(self.spans, (start, end))
        before = at > 0 and self.spans[at - 1][1] > start
        return before or (at < len(self.spans) and self.spans[at][0] < end)

    def add(self, hit: SecretHit) -> bool:
        if self.taken(hit.start, hit.end) or self.policy.allows_value(hit.value):
            return False
        if self.allowlisted(hit.start):
            return False
        self.hits.append(hit)
        bisect.insort(self.spans, (hit.start, hit.end))
        return True

    def allowlisted(self, offset: int) -> bool:
        if not self.has_marker:
            return False
        number = self.lines.position(offset)[0]
        if number not in self.marked:
            self.marked[number] = _ALLOW_MARKER in self.lines.line(number)
        return self.marked[number]

    def formats(self) -> None:
        for m in find_secrets(self.text, FORMATS):
            self.add_match(m)

    def add_match(self, m: SecretMatch, at: tuple[int, int] | None = None) -> None:
        fmt = m.format
        start, end = at or ((m.anchor, m.end) if fmt.rule in _BLOCK_RULES else (m.start, m.end))
        partner = ""
        if fmt.name == _GCP_FORMAT:
            email = _CLIENT_EMAIL.search(self.text)
            partner = email.group(1) if email else ""
        hit = SecretHit(fmt.rule, fmt.label, start, end, m.value, format=fmt.name, partner=partner)
        added = self.add(hit)
        if added and fmt.rule in _BLOCK_RULES:
            body = m.value.replace("\\n", "\n")
            self.extra_values.extend(_BODY_RUN.findall(body))

    def notebook_joined(self) -> None:
        """Split keys in notebook code cells: the cells are joined as code, and a finding is
        placed on the notebook line where its chain starts."""
        for cell in code_cells(self.text):
            cell_lines = _Lines(cell.source)
            for chain in joined_literals(cell.source):
                for m in find_secrets(chain.value, FORMATS):
                    if not chain.crosses(m.start, m.end) or m.format.rule in _BLOCK_RULES:
                        continue
                    row = cell.lines[min(cell_lines.position(chain.anchor)[0], len(cell.lines)) - 1]
                    start = self.lines.starts[row - 1]
                    self.drop_parts_of(m.value)
                    self.add_match(m, at=(start, start + 1))
                    self.extra_values.extend(p for p in chain.pieces if len(p) >= 6)

    def drop_parts_of(self, value: str) -> None:
        """A half of a split key can match a format on its own: the whole key is the finding."""
        parts = [h for h in self.hits if h.value in value and h.value != value]
        for hit in parts:
            self.hits.remove(hit)
            self.spans.remove((hit.start, hit.end))

    def joined(self) -> None:
        """Keys split across literals: reported when no single literal holds them."""
        for chain in joined_literals(self.text):
            span = (chain.anchor, chain.end)
            for m in find_secrets(chain.value, FORMATS):
                if chain.crosses(m.start, m.end) and m.format.rule not in _BLOCK_RULES:
                    self.drop_parts_of(m.value)
                    self.add_match(m, at=span)
                    self.extra_values.extend(p for p in chain.pieces if len(p) >= 6)
            named = chain.name and is_secret_name(chain.name) and not self.taken(*span)
            named = named and not any(c.isspace() for c in chain.value)
            if named and plausible_secret(chain.name, chain.value):
                label = f"secret assigned to {chain.name}"
                if self.add(SecretHit("CF-SECRET-GENERIC", label, *span, chain.value)):
                    self.extra_values.extend(p for p in chain.pieces if len(p) >= 6)

    def aws(self) -> None:
        """A key id and a 40-character secret within five lines are one credential, reported
        once (on the secret); an id alone is a medium finding."""
        ids = {self.lines.position(h.start)[0]: h for h in self.hits if h.rule_id == _AWS_KEY_ID}
        if not ids and "ecret" not in self.text:
            return
        for m in _AWS_SECRET.finditer(self.text):
            value = m.group("secret")
            if _HEX.match(value) or char_classes(value) < 3 or entropy(value) < 4.0:
                continue
            line = self.lines.position(m.start())[0]
            near = [n for n in ids if abs(n - line) <= _AWS_PAIR_DISTANCE]
            if not near and "secret" not in self.lines.line(line).lower():
                continue
            if is_placeholder(value) or self.taken(*m.span()):
                continue
            self.add(SecretHit(_AWS, "AWS secret access key", *m.span(), value, format=_AWS_FORMAT))
        self.pair_aws(ids)

    def pair_aws(self, ids: dict[int, SecretHit]) -> None:
        paired: set[str] = set()
        for index, hit in enumerate(self.hits):
            if hit.rule_id != _AWS:
                continue
            line = self.lines.position(hit.start)[0]
            near = [n for n in ids if abs(n - line) <= _AWS_PAIR_DISTANCE]
            if near:
                key_id = ids[near[0]].value
                paired.add(key_id)
                detail = f" (paired with the access key id on line {near[0]})"
                self.hits[index] = _replace(hit, detail=detail, partner=key_id)
        self.hits = [h for h in self.hits if h.rule_id != _AWS_KEY_ID or h.value not in paired]

    def public_llm_keys(self) -> None:
        if "_" not in self.text:
            return
        for m in _PUBLIC_LLM_KEY.finditer(self.text):
            value = m.group("secret")
            if len(value) < 8 or is_placeholder(value) or value.startswith(("process.", "import.")):
                continue
            label = f"LLM key in public variable {m.group('name')}"
            hit = SecretHit("CF-SECRET-PUBLIC-LLM-KEY", label, *m.span("secret"), value)
            if not self.allowlisted(hit.start) and not self.policy.allows_value(value):
                # Reported next to the vendor-format finding on purpose: it says who can read it.
                self.hits.append(hit)
                bisect.insort(self.spans, (hit.start, hit.end))

    def generic(self, *, quoted_only: bool) -> None:
        for name, value, start in assignments(self.text, quoted_only=quoted_only):
            if is_secret_name(name) and plausible_secret(name, value):
                label = f"secret assigned to {name}"
                self.add(SecretHit("CF-SECRET-GENERIC", label, start, start + len(value), value))


def _replace(hit: SecretHit, *, detail: str, partner: str) -> SecretHit:
    return SecretHit(hit.rule_id, hit.label, hit.start, hit.end, hit.value, detail, hit.format,
                     partner)  # fmt: skip


class _Snippets:
    """Masked snippets. Each line is masked once: the secrets found on it by position (linear in
    the line, however many there are), then any other occurrence of a found value, unless the
    file holds so many that this would be quadratic (a data dump: positions suffice there)."""

    def __init__(self, located: _Lines, hits: list[SecretHit], extra: list[str]) -> None:
        self.located = located
        self.spans = sorted((h.start, h.end, h.value) for h in hits)
        values = {h.value for h in hits} | set(extra)
        many = len(values) > _MASK_ALL_LIMIT
        self.values = sorted(set(extra) if many else values, key=len, reverse=True)
        self.masked: dict[int, str] = {}

    def line(self, number: int) -> str:
        if number not in self.masked:
            self.masked[number] = self._mask(number)
        return self.masked[number]

    def _mask(self, number: int) -> str:
        text = self.located.line(number)
        begin = self.located.starts[number - 1]
        parts, cursor = [], 0
        at = bisect.bisect_left(self.spans, (begin - _MAX_SPAN, 0, ""))
        for start, end, value in self.spans[at:]:
            if start >= begin + len(text):
                break
            local_start, local_end = max(start - begin, 0), min(end - begin, len(text))
            if local_end <= cursor or local_end <= 0:
                continue
            parts += [text[cursor : max(local_start, cursor)], mask(value)]
            cursor = local_end
        line = "".join([*parts, text[cursor:]])
        for value in self.values:
            if value in line:
                line = line.replace(value, mask(value))
        return line

    def around(self, number: int, column: int) -> str:
        line = self.line(number)
        stripped = line.strip()
        if len(stripped) <= _SNIPPET_WIDTH:
            return stripped
        start = max(0, min(column - 1 - _SNIPPET_WIDTH // 2, len(line) - _SNIPPET_WIDTH))
        return line[start : start + _SNIPPET_WIDTH].strip()


def _finding(hit: SecretHit, path: str, located: _Lines, snippets: _Snippets) -> Finding:
    line, column = located.position(hit.start)
    rule = rules.get(hit.rule_id)
    return Finding(
        rule_id=hit.rule_id,
        path=path,
        line=line,
        column=column,
        message=f"{hit.label} {mask(hit.value)} is written in the file{hit.detail}; "
        "rotate it and load it from the environment or a secret manager",
        severity=rule.severity,
        confidence=rule.confidence,
        snippet=snippets.around(line, column),
    )


def scan_secrets(
    text: str,
    path: str,
    *,
    quoted_only: bool,
    lockfile: bool = False,
    policy: SecretPolicy | None = None,
) -> SecretScan:
    """Find secrets in ``text`` (the file ``path``). ``quoted_only`` marks source code: the
    generic rule then needs quoted literals, and split literals are joined; ``lockfile`` turns
    the generic rule off (lock files are full of hashes); ``policy`` is the allow-list (default:
    the built-in one)."""
    policy = policy or SecretPolicy()
    if policy.allows_path(path):
        return SecretScan((), ())
    detector = _Detector(text, policy)
    detector.formats()
    if quoted_only:
        detector.joined()
    elif path.endswith(".ipynb"):
        detector.notebook_joined()
    detector.aws()
    detector.public_llm_keys()
    if not lockfile:
        detector.generic(quoted_only=quoted_only)
    hits = sorted(detector.hits, key=lambda h: (h.start, h.rule_id))
    if policy.is_fixture(path):
        hits = [h for h in hits if h.rule_id not in CONTEXTUAL_RULES]
    values = [h.value for h in hits] + detector.extra_values
    located = detector.lines
    snippets = _Snippets(located, hits, detector.extra_values)
    findings = tuple(_finding(h, path, located, snippets) for h in hits)
    return SecretScan(findings, tuple(values), tuple(hits))
