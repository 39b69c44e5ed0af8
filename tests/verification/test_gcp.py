"""GCP service-account keys: RS256 signatures OpenSSL accepts, and the token request against a
fake token endpoint that checks them (live with the key on file, revoked otherwise)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from confiance.codescan import ScanOptions, scan
from confiance.verification import CHECKS, VerifyOptions, verify_findings
from confiance.verification.fake import FakeVendors
from confiance.verification.gcp import parse_private_key, sign_rs256

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
EMAIL = "etl@shop-analytics.iam.gserviceaccount.com"


def _key(tmp_path: Path, name: str) -> tuple[Path, str]:
    path = tmp_path / f"{name}.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", str(path)], check=True, capture_output=True)  # fmt: skip
    return path, path.read_text()


def test_signatures_verify_with_openssl(tmp_path: Path) -> None:
    path, pem = _key(tmp_path, "k")
    message = b"header.claims"
    (tmp_path / "msg").write_bytes(message)
    (tmp_path / "sig").write_bytes(sign_rs256(parse_private_key(pem), message))
    public = tmp_path / "pub.pem"
    subprocess.run(["openssl", "pkey", "-in", str(path), "-pubout", "-out", str(public)],
                   check=True, capture_output=True)  # fmt: skip
    checked = subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(public), "-signature",
                              str(tmp_path / "sig"), str(tmp_path / "msg")],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0 and "Verified OK" in checked.stdout
    for broken in ("AAAA", "MIIB", "MAMCAQA="):
        with pytest.raises(ValueError, match="RSA private key"):
            parse_private_key(f"-----BEGIN PRIVATE KEY-----\n{broken}\n-----END PRIVATE KEY-----")


async def test_service_account_file_is_verified_live_or_revoked(tmp_path: Path) -> None:
    _, live_pem = _key(tmp_path, "live")
    _, deleted_pem = _key(tmp_path, "deleted")
    live = parse_private_key(live_pem)
    root = tmp_path / "repo"
    root.mkdir()
    for name, pem in (("prod-sa.json", live_pem), ("old-sa.json", deleted_pem)):
        document = {"type": "service_account", "project_id": "shop-analytics",
                    "private_key": pem, "client_email": EMAIL}  # fmt: skip
        (root / name).write_text(json.dumps(document, indent=2))
    fake = FakeVendors.of(live=(), gcp={EMAIL: (live.n, live.e)})
    url = await fake.start()
    try:
        result = scan([root], ScanOptions(root=root, jobs=1, rules=("CF-SECRET-*",)))
        options = VerifyOptions(base_urls={c.vendor: url for c in CHECKS})
        verified = await asyncio.to_thread(verify_findings, result, options)
    finally:
        await fake.close()
    statuses = {f.path: f.verification.status.value for f in verified.findings if f.verification}
    assert statuses == {"prod-sa.json": "live", "old-sa.json": "revoked"}
    assert [s.path for s in fake.seen] == ["/token", "/token"]
    for seen in fake.seen:
        assert b"PRIVATE KEY" not in seen.body, "only a signed assertion leaves the machine"
