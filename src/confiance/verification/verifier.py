"""Ask vendors whether found keys are live: bounded, one try each, never on by default.

:func:`verify_findings` takes a finished scan, finds the raw value behind each verifiable secret
finding (by scanning its file again: raw values never travel in scan results), and asks each
key's own vendor once, with a per-request timeout and a bound on concurrent requests. A timeout,
a refused connection, no network or an unexpected answer is *unknown*; the scan's verdict (exit
code) does not change with verification.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from confiance.codescan.files import Candidate, FileKind, Unreadable, classify, read_source
from confiance.codescan.findings import Finding, Verification, VerificationStatus
from confiance.codescan.results import ScanResult
from confiance.codescan.secrets import SecretHit, scan_secrets
from confiance.errors import UsageError
from confiance.verification.vendors import CHECKS, VendorCheck, check_for

__all__ = ["VerifyOptions", "base_urls_from", "verify_findings", "verify_hits"]

_CODE_KINDS = frozenset({FileKind.PYTHON, FileKind.JAVASCRIPT, FileKind.TYPESCRIPT, FileKind.TSX})
_MAX_BODY = 64 * 1024


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """``timeout_s`` bounds each request (connect and read); ``concurrency`` the requests in
    flight; ``base_urls`` overrides a vendor's API base URL (``{"openai": "http://..."}``)."""

    timeout_s: float = 5.0
    concurrency: int = 8
    base_urls: Mapping[str, str] = field(default_factory=dict)
    max_file_size: int = 2 * 1024 * 1024


def base_urls_from(pairs: Sequence[str], environ: Mapping[str, str]) -> dict[str, str]:
    """Base-URL overrides from ``VENDOR=URL`` pairs and ``CONFIANCE_VERIFY_<VENDOR>_URL``
    variables (the pairs win). Raises :class:`UsageError` for a malformed pair or an unknown
    vendor."""
    known = {c.vendor for c in CHECKS}
    urls = {}
    for vendor in sorted(known):
        value = environ.get(f"CONFIANCE_VERIFY_{vendor.upper().replace('-', '_')}_URL")
        if value:
            urls[vendor] = value
    for pair in pairs:
        vendor, sep, url = pair.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise UsageError(f"--verify-url {pair!r}: expected VENDOR=http(s)://HOST[:PORT]")
        if vendor not in known:
            raise UsageError(f"--verify-url: unknown vendor {vendor!r}; known: {sorted(known)}")
        urls[vendor] = url
    return urls


async def _ask(
    session: aiohttp.ClientSession, check: VendorCheck, hit: SecretHit, options: VerifyOptions
) -> Verification:
    base = options.base_urls.get(check.vendor, check.base_url)
    probe = check.build(base, hit, datetime.now(UTC))
    if probe is None:
        missing = "its access key id" if check.vendor == "aws" else "a usable key and account"
        if hit.partner.startswith("ASIA"):
            missing = "the session token a temporary AWS key needs"
        return Verification(VerificationStatus.UNKNOWN, f"the file lacks {missing} for the check")
    try:
        async with session.request(
            probe.method, probe.url, headers=probe.headers, data=probe.body or None,
            allow_redirects=False,
        ) as response:  # fmt: skip
            body = await response.content.read(_MAX_BODY)
            status, reason = check.judge(response.status, body)
    except TimeoutError:
        return Verification(VerificationStatus.UNKNOWN, f"no answer within {options.timeout_s:g}s")
    except aiohttp.ClientError as exc:
        return Verification(VerificationStatus.UNKNOWN, f"{check.vendor} unreachable ({exc})")
    return Verification(status, f"{check.vendor}: {reason}")


async def verify_hits(
    hits: Sequence[SecretHit], options: VerifyOptions
) -> list[Verification | None]:
    """One verdict per hit (``None`` where its format has no check). Each distinct key is asked
    once, whatever the number of places it was found; never retried."""
    checks = [check_for(h.format) for h in hits]
    unique: dict[tuple[str, str, str], tuple[VendorCheck, SecretHit]] = {}
    for hit, check in zip(hits, checks, strict=True):
        if check is not None:
            unique.setdefault((check.vendor, hit.value, hit.partner), (check, hit))
    gate = asyncio.Semaphore(options.concurrency)
    timeout = aiohttp.ClientTimeout(total=options.timeout_s)

    async def bounded(check: VendorCheck, hit: SecretHit) -> Verification:
        async with gate:
            return await _ask(session, check, hit, options)

    async with aiohttp.ClientSession(timeout=timeout, trust_env=False) as session:
        answers = await asyncio.gather(*(bounded(c, h) for c, h in unique.values()))
    verdicts = dict(zip(unique, answers, strict=True))
    return [
        verdicts[(c.vendor, h.value, h.partner)] if c is not None else None
        for h, c in zip(hits, checks, strict=True)
    ]


def _hits_by_finding(
    root: Path, findings: Sequence[Finding], max_size: int
) -> dict[int, SecretHit]:
    """Index in ``findings`` -> the raw hit behind it, by scanning each file once more."""
    by_path: dict[str, list[int]] = {}
    for index, finding in enumerate(findings):
        if finding.rule_id.startswith("CF-SECRET-"):
            by_path.setdefault(finding.path, []).append(index)
    found: dict[int, SecretHit] = {}
    for rel, indexes in by_path.items():
        path = root / rel
        kind = classify(path)
        try:
            size = path.stat().st_size
            text = read_source(Candidate(path, rel, kind, size), max_size).text
        except (OSError, Unreadable):
            continue
        rescan = scan_secrets(text, rel, quoted_only=kind in _CODE_KINDS,
                              lockfile=kind is FileKind.LOCKFILE)  # fmt: skip
        pairs = zip(rescan.findings, rescan.hits, strict=True)
        located = {(f.line, f.column, f.rule_id): h for f, h in pairs}
        for index in indexes:
            f = findings[index]
            hit = located.get((f.line, f.column, f.rule_id))
            if hit is not None:
                found[index] = hit
    return found


def verify_findings(result: ScanResult, options: VerifyOptions) -> ScanResult:
    """``result`` with each verifiable secret finding marked live, revoked or unknown."""
    findings = list(result.findings)
    hits = _hits_by_finding(Path(result.root), findings, options.max_file_size)
    order = sorted(hits)
    verdicts = asyncio.run(verify_hits([hits[i] for i in order], options))
    for index, verdict in zip(order, verdicts, strict=True):
        if verdict is not None:
            findings[index] = dataclasses.replace(findings[index], verification=verdict)
    return dataclasses.replace(result, findings=tuple(findings))
