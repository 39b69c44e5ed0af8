"""Bad input must never crash or hang the scanner: minified or generated code, enormous
single-line JSON, binary blobs behind a text header, pathological nesting and patterns."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from confiance.codescan import ScanOptions, scan

KEY = "sk-proj-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3vW5xY7zA9"
# Generous: the point is "finishes", on a machine shared with other jobs.
BUDGET_S = 90.0


def _noise(size: int, seed: int, *, nul: bool) -> bytes:
    rng = random.Random(seed)
    data = bytes(rng.getrandbits(8) for _ in range(size))
    return data if nul else data.replace(b"\x00", b"\x01")


def test_hostile_files_are_scanned_or_skipped_within_budget(tmp_path: Path) -> None:
    rows = [{"id": i, "name": f"item {i}", "tags": ["a", "b"] * 3} for i in range(14_000)]
    rows[7_000]["api_key"] = KEY
    (tmp_path / "dump.json").write_text(json.dumps(rows, separators=(",", ":")))  # one line
    (tmp_path / "bundle.min.py").write_text(
        "x=[" + ",".join(str(i) for i in range(150_000)) + "];import os;os.system(x)\n"
    )
    (tmp_path / "nested.py").write_text("v = " + "(" * 5_000 + "1" + ")" * 5_000 + "\n")
    (tmp_path / "chain.py").write_text("v = 1" + " + 1" * 60_000 + "\n")
    (tmp_path / "regex.py").write_text(
        "import re\nP = re.compile(r'"
        + "(a+)+" * 600
        + "')\nQ = re.compile(r'"
        + "[" * 3_000
        + "')\n"
    )
    (tmp_path / "report.log").write_bytes(
        b"%PDF-1.7\n%text header\n" * 500 + _noise(300_000, 1, nul=True)
    )
    (tmp_path / "blob.txt").write_bytes(b"HEADER v1\nkey: value\n" + _noise(400_000, 2, nul=False))
    (tmp_path / "model.py").write_bytes(
        b"# generated\nWEIGHTS = b'" + _noise(200_000, 3, nul=True) + b"'\n"
    )

    started = time.perf_counter()
    result = scan([tmp_path], ScanOptions(root=tmp_path, jobs=1))
    elapsed = time.perf_counter() - started

    assert elapsed < BUDGET_S, f"scan took {elapsed:.1f} s"
    skipped = {s.path: s for s in result.skipped}
    scanned = {f.path for f in result.files}
    # Binary behind a text header: only the header is read, and the note says so.
    notes = {n.path: n.note for n in result.notes}
    nul = (tmp_path / "report.log").read_bytes().index(b"\x00")
    assert nul > 11_000
    assert (
        notes["report.log"]
        == f"binary content from byte {nul}: only the text before it was scanned"
    )
    assert "report.log" in scanned
    assert skipped["model.py"].reason == "binary file (NUL bytes)"
    # Text-like noise is read (as latin-1) and scanned without incident.
    assert {"dump.json", "blob.txt", "bundle.min.py", "chain.py", "regex.py"} <= scanned
    # The key buried in the one-line JSON is found once, masked.
    secrets = [f for f in result.findings if f.path == "dump.json"]
    assert [f.rule_id for f in secrets] == ["CF-SECRET-OPENAI"]
    assert KEY not in secrets[0].snippet
    # Nesting too deep to analyse is a partial skip with a reason, never a crash.
    assert skipped["nested.py"].partial
    assert "nested.py" not in {f.path for f in result.findings}
    # Long generated code is still analysed.
    assert ("bundle.min.py", "CF-PY-CMDI") not in {(f.path, f.rule_id) for f in result.findings}
    # A huge pattern is judged only when it is short enough to analyse; the broken one is ignored.
    assert [f.rule_id for f in result.findings if f.path == "regex.py"] == []
