"""Bad input for the secret scan: enormous one-line JSON, minified code, binary blobs behind a
text header, thousands of candidates on one line. No crash, time linear in the input (the
bounds are generous: the machine may be loaded), and the secrets in them still found."""

from __future__ import annotations

import json
import random
import string
import time
from pathlib import Path

from confiance.codescan import ScanOptions, scan
from confiance.codescan.secrets import scan_secrets

from .tokens import github_token

GH = github_token("Zx8Qm2Lp5Vt9Rk3Nw7Hb1Jc4Fd6Gs0")
_BUDGET_S = 60.0


def _random(
    rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits
) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _timed_scan(root: Path) -> tuple[list[tuple[str, str]], float]:
    started = time.perf_counter()
    result = scan([root], ScanOptions(root=root, jobs=1, rules=("CF-SECRET-*",)))
    elapsed = time.perf_counter() - started
    return sorted((f.path, f.rule_id) for f in result.findings), elapsed


def test_enormous_single_line_json_minified_js_and_binary_blob(tmp_path: Path) -> None:
    rng = random.Random(3)
    records = {f"field_{i}": _random(rng, 24) for i in range(45_000)}
    records["github_token"] = GH
    (tmp_path / "dump.json").write_text(json.dumps(records))  # ~1.7 MB, one line
    minified = "var a=function(b){return b+1};" * 40_000 + f'var t="{GH}";'
    (tmp_path / "app.min.js").write_text(minified)
    blob = bytes(rng.randrange(1, 256) for _ in range(800_000))  # no NUL: read as latin-1
    (tmp_path / "report.pdf.txt").write_bytes(b"%PDF-1.7\n%header\n" + blob)
    (tmp_path / "image.dat").write_bytes(b"GIF89a" + bytes(rng.randrange(256) for _ in range(9000)))
    found, elapsed = _timed_scan(tmp_path)
    assert ("dump.json", "CF-SECRET-GITHUB") in found
    assert ("app.min.js", "CF-SECRET-GITHUB") in found
    assert elapsed < _BUDGET_S


def test_pathological_lines_stay_linear() -> None:
    rng = random.Random(5)
    texts = {
        "base64 run": _random(rng, 1_000_000, string.ascii_letters + string.digits + "+/"),
        "word run": "a" * 1_000_000,
        "quotes": '"' * 500_000,
        "assignments": "token=" * 150_000,
        "concatenation": '"abcdefgh" + ' * 80_000,
        "key headers": "-----BEGIN PRIVATE KEY-----" * 30_000,
        "url prefixes": "postgres://u:" * 60_000,
        "headers": "Authorization: Bearer " * 40_000,
        "candidates": " ".join(f"password={_random(rng, 14)}" for _ in range(20_000)),
    }
    for name, text in texts.items():
        started = time.perf_counter()
        result = scan_secrets(text, "dump.py", quoted_only=True)
        assert time.perf_counter() - started < _BUDGET_S / 4, name
        for finding in result.findings[:50]:
            assert len(finding.snippet) <= 200
