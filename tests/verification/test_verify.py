"""``--verify-secrets`` against local fake vendor endpoints (a real aiohttp server on loopback):
live / revoked / unknown, timeouts, no network, one try, bounded concurrency, only the key sent
to its own vendor, never on by default, and the exit code decided by the findings alone."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.codescan.tokens import github_token
from typer.testing import CliRunner

from confiance.cli.main import app
from confiance.codescan import ScanOptions, scan
from confiance.codescan.findings import VerificationStatus
from confiance.codescan.secrets import SecretHit
from confiance.errors import UsageError
from confiance.verification import CHECKS, VerifyOptions, base_urls_from, verify_findings
from confiance.verification.fake import FakeVendors
from confiance.verification.sigv4 import sign
from confiance.verification.verifier import verify_hits

LIVE_GH = github_token("Zx8Qm2Lp5Vt9Rk3Nw7Hb1Jc4Fd6Gs0")
DEAD_GH = github_token("Ab8Qm2Lp5Vt9Rk3Nw7Hb1Jc4Fd6Gs0")
LIVE_OPENAI = "sk-proj-" + "Qm2Lp5Vt9Rk3Nw7Hb1Jc4Fd6Gs0Zx8Ty5Ua3Ie7Ow1Pq9Ks2Ld4Mf6Ng8Hh0Jj"
DEAD_SLACK = "xoxb-015241922552-4181749269386-zXkdqW8MB6NDoGmnj6E4CwZm"
GOOGLE = "AIzaSyD4kq2Lp5Vt9Rk3Nw7Hb1Jc4Fd6Gs0Zx8T"
AWS_ID, AWS_SECRET = "AKIA2VPQ3ODFTFV2BJSD", "LNI2jpyEMv3N5Tpwtm/qoFNnQiRJA+8jYVFI8E6t"
HANG_HF = "hf_" + "vkiHttgpMcCjfzjZsFGZJvqkboTYOxTzJj"


@pytest.fixture
async def vendors() -> AsyncIterator[tuple[FakeVendors, str]]:
    fake = FakeVendors.of(live={LIVE_GH, LIVE_OPENAI}, hang={HANG_HF}, aws={AWS_ID: AWS_SECRET})
    url = await fake.start()
    yield fake, url
    await fake.close()


def _everywhere(url: str) -> dict[str, str]:
    return {check.vendor: url for check in CHECKS}


def _project(tmp_path: Path) -> Path:
    (tmp_path / "prod.env").write_text(
        f"GITHUB_TOKEN={LIVE_GH}\nOLD_TOKEN={DEAD_GH}\nOPENAI_API_KEY={LIVE_OPENAI}\n"
        f"SLACK_BOT_TOKEN={DEAD_SLACK}\nGEMINI_API_KEY={GOOGLE}\n"
        f"AWS_ACCESS_KEY_ID={AWS_ID}\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"
    )
    (tmp_path / "copy.py").write_text(f'TOKEN = "{LIVE_GH}"\nAGAIN = "{LIVE_GH}"\n')
    return tmp_path


def _statuses(result_findings: tuple) -> dict[tuple[str, int], str]:  # type: ignore[type-arg]
    return {
        (f.path, f.line): f.verification.status.value
        for f in result_findings
        if f.verification is not None
    }


async def test_live_revoked_and_unknown_one_request_per_key(
    vendors: tuple[FakeVendors, str], tmp_path: Path
) -> None:
    fake, url = vendors
    root = _project(tmp_path)
    result = scan([root], ScanOptions(root=root, jobs=1))
    options = VerifyOptions(timeout_s=2, base_urls=_everywhere(url))
    verified = await asyncio.to_thread(verify_findings, result, options)
    assert _statuses(verified.findings) == {
        ("prod.env", 1): "live", ("prod.env", 2): "revoked", ("prod.env", 3): "live",
        ("prod.env", 4): "revoked", ("prod.env", 5): "revoked", ("prod.env", 7): "live",
        ("copy.py", 1): "live", ("copy.py", 2): "live",
    }  # fmt: skip
    credentials = [s.credential for s in fake.seen]
    assert sorted(credentials) == sorted(
        {LIVE_GH, DEAD_GH, LIVE_OPENAI, DEAD_SLACK, GOOGLE, AWS_ID}
    ), "one request per distinct key, never retried"


async def test_only_the_key_goes_to_its_own_vendor(tmp_path: Path) -> None:
    fakes = {check.vendor: FakeVendors.of(live=()) for check in CHECKS}
    urls = {vendor: await fake.start() for vendor, fake in fakes.items()}
    try:
        root = _project(tmp_path)
        result = scan([root], ScanOptions(root=root, jobs=1))
        await asyncio.to_thread(verify_findings, result, VerifyOptions(base_urls=urls))
    finally:
        for fake in fakes.values():
            await fake.close()
    by_vendor = {v: [s.credential for s in f.seen] for v, f in fakes.items() if f.seen}
    assert by_vendor == {"github": [LIVE_GH, DEAD_GH], "openai": [LIVE_OPENAI],
                         "slack": [DEAD_SLACK], "google": [GOOGLE], "aws": [AWS_ID]}  # fmt: skip
    others = {LIVE_GH, DEAD_GH, LIVE_OPENAI, DEAD_SLACK, GOOGLE, AWS_SECRET} - {AWS_ID}
    for vendor, fake in fakes.items():
        for seen in fake.seen:
            sent = seen.path + json.dumps(seen.headers) + seen.body.decode()
            leaked = [k for k in others if k in sent and k != seen.credential]
            assert not leaked, (vendor, seen.path)
            assert "prod.env" not in sent and "copy.py" not in sent


async def test_hanging_endpoint_is_bounded_and_unknown(vendors: tuple[FakeVendors, str]) -> None:
    _, url = vendors
    hit = SecretHit("CF-SECRET-HUGGINGFACE", "Hugging Face token", 0, 1, HANG_HF,
                    format="huggingface")  # fmt: skip
    started = time.perf_counter()
    [verdict] = await verify_hits([hit], VerifyOptions(timeout_s=0.3, base_urls=_everywhere(url)))
    assert time.perf_counter() - started < 5
    assert verdict is not None and verdict.status is VerificationStatus.UNKNOWN
    assert "no answer within 0.3s" in verdict.reason


async def test_no_network_is_unknown() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    hit = SecretHit("CF-SECRET-GITHUB", "GitHub token", 0, 1, LIVE_GH, format="github-classic")
    [verdict] = await verify_hits([hit], VerifyOptions(timeout_s=2, base_urls={"github": closed}))
    assert verdict is not None and verdict.status is VerificationStatus.UNKNOWN
    assert "github unreachable" in verdict.reason


async def test_concurrency_is_bounded(vendors: tuple[FakeVendors, str]) -> None:
    fake, url = vendors
    hits = [
        SecretHit("CF-SECRET-GITHUB", "GitHub token", 0, 1,
                  github_token(f"Zx8Qm2Lp5Vt9Rk3Nw7Hb1Jc4Fd6G{i:02d}"), format="github-classic")
        for i in range(24)
    ]  # fmt: skip
    verdicts = await verify_hits(hits, VerifyOptions(concurrency=3, base_urls=_everywhere(url)))
    assert len(fake.seen) == 24 and fake.max_in_flight <= 3
    assert {v.status for v in verdicts if v} == {VerificationStatus.REVOKED}


async def test_formats_without_a_harmless_check_are_left_alone() -> None:
    hit = SecretHit("CF-SECRET-SLACK-WEBHOOK", "Slack webhook URL", 0, 1, "https://hooks...",
                    format="slack-webhook")  # fmt: skip
    assert await verify_hits([hit], VerifyOptions()) == [None]


def test_sigv4_matches_the_example_aws_documents() -> None:
    headers = sign(
        "GET",
        "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        b"",
        access_key_id="AKIDEXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
        service="iam",
        now=datetime(2015, 8, 30, 12, 36, tzinfo=UTC),
    )
    assert headers["Authorization"].endswith(
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    )


def test_base_urls_from_flags_and_environment() -> None:
    env = {"CONFIANCE_VERIFY_GITHUB_URL": "http://127.0.0.1:1", "CONFIANCE_VERIFY_NOPE_URL": "x"}
    urls = base_urls_from(["openai=http://127.0.0.1:2"], env)
    assert urls == {"github": "http://127.0.0.1:1", "openai": "http://127.0.0.1:2"}
    with pytest.raises(UsageError, match="expected VENDOR="):
        base_urls_from(["github"], {})
    with pytest.raises(UsageError, match="unknown vendor 'nope'"):
        base_urls_from(["nope=http://x"], {})


async def test_cli_verifies_only_when_asked_and_exit_code_follows_findings(
    vendors: tuple[FakeVendors, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, url = vendors
    (tmp_path / "old.env").write_text(f"OLD_TOKEN={DEAD_GH}\n")
    monkeypatch.setenv("CONFIANCE_VERIFY_GITHUB_URL", url)
    runner = CliRunner()
    plain = await asyncio.to_thread(runner.invoke, app, ["scan", str(tmp_path), "-f", "json"])
    assert plain.exit_code == 1 and fake.seen == []
    assert "verification" not in json.loads(plain.stdout)["findings"][0]
    args = ["scan", str(tmp_path), "-f", "json", "--verify-secrets", "--verify-timeout", "2"]
    checked = await asyncio.to_thread(runner.invoke, app, args)
    assert checked.exit_code == 1, "a revoked key is still a finding"
    finding = json.loads(checked.stdout)["findings"][0]
    assert finding["verification"]["status"] == "revoked"
    assert [s.credential for s in fake.seen] == [DEAD_GH]
    table = await asyncio.to_thread(runner.invoke, app, ["scan", str(tmp_path), "--verify-secrets"])
    assert "verified revoked" in table.stdout


async def test_temporary_aws_keys_are_unknown_not_revoked(vendors: tuple[FakeVendors, str]) -> None:
    fake, url = vendors
    hit = SecretHit("CF-SECRET-AWS", "AWS secret access key", 0, 1, AWS_SECRET,
                    format="aws-secret-key", partner="ASIA2VPQ3ODFTFV2BJSD")  # fmt: skip
    [verdict] = await verify_hits([hit], VerifyOptions(base_urls=_everywhere(url)))
    assert verdict is not None and verdict.status is VerificationStatus.UNKNOWN
    assert "session token" in verdict.reason and fake.seen == []
