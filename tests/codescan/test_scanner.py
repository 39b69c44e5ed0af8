"""The driver: faulty files are reported and skipped, never crash; suppressions, baseline, rule
selection and parallel scanning."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from confiance.codescan import ScanOptions, scan
from confiance.codescan.baseline import load_baseline, write_baseline
from confiance.errors import ConfigError, UsageError

from .tokens import github_token

KEY = "sk-proj-" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm1Qw2Er3Ty4Ui5Op6As7Df8Gh9"
GH = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW11ySowm"


def _scan(root: Path, **options: object) -> object:
    return scan([root], ScanOptions(root=root, jobs=1, **options))  # type: ignore[arg-type]


def _ids(result: object) -> list[tuple[str, int, str]]:
    return sorted((f.path, f.line, f.rule_id) for f in result.findings)  # type: ignore[attr-defined]


def test_faulty_files_are_reported_and_skipped(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "broken.py").write_text(f'def f(:\n    pass\nKEY = "{KEY}"\n')
    (tmp_path / "latin.py").write_bytes(f'nom = "caf\xe9"\nTOKEN = "{GH}"\n'.encode("latin-1"))
    (tmp_path / "image.dat").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "generated.js").write_text("var x = 1;\n" * (5 * 1024 * 1024 // 11 + 10))
    (tmp_path / "loop").symlink_to(tmp_path)
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    locked = tmp_path / "locked.py"
    locked.write_text(f'KEY = "{KEY}"\n')
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads any file: make the OS refuse this one for real
        real_open = open

        def refusing_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
            if Path(file) == locked:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr("confiance.codescan.files.open", refusing_open, raising=False)
    os.mkfifo(tmp_path / "pipe")

    result = _scan(tmp_path)

    skipped = {s.path: s.reason for s in result.skipped}
    assert skipped["image.dat"] == "binary file (NUL bytes)"
    assert "5.0 MiB, over the 2.0 MiB limit" in skipped["generated.js"]
    assert skipped["loop"].startswith("symlink loop")
    assert skipped["dangling.py"].startswith("broken symlink")
    assert skipped["locked.py"] == "cannot read: Permission denied"
    assert skipped["pipe"] == "not a regular file (fifo, socket or device)"
    assert [(n.path, "latin-1" in n.note) for n in result.notes] == [("latin.py", True)]
    assert ("broken.py", 3, "CF-SECRET-OPENAI") in _ids(result)
    assert ("latin.py", 2, "CF-SECRET-GITHUB") in _ids(result)
    partial = next(s for s in result.skipped if s.path == "broken.py")
    assert partial.partial
    assert "Python syntax error line 1" in partial.reason


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        scan([tmp_path / "nope"])


def test_suppression_with_reason_suppresses_and_without_reason_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        f'A = "{KEY}"  # confiance: ignore[CF-SECRET-OPENAI] revoked demo key\n'
        f'B = "{KEY[:-1]}X"  # confiance: ignore[CF-SECRET-OPENAI]\n'
        "# confiance: ignore[CF-SECRET-*] fixture for the parser tests\n"
        f'C = "{GH}"\n'
        f'D = "{github_token(GH[4:24] + "Y" * 10)}"  # confiance: ignore[CF-SECRET-OPENAI] wrong\n'
    )
    (tmp_path / "b.js").write_text(
        f'const k = "{GH}"; // confiance: ignore[CF-SECRET-GITHUB] -- test token, no scopes\n'
    )
    result = _scan(tmp_path, rules=("CF-SECRET-*", "CF-SUPPRESS-*"))
    assert _ids(result) == [
        ("a.py", 2, "CF-SECRET-OPENAI"),
        ("a.py", 2, "CF-SUPPRESS-NO-REASON"),
        ("a.py", 5, "CF-SECRET-GITHUB"),
    ]
    reasons = sorted((s.finding.path, s.finding.line, s.reason) for s in result.suppressed)
    assert reasons == [
        ("a.py", 1, "revoked demo key"),
        ("a.py", 4, "fixture for the parser tests"),
        ("b.js", 1, "test token, no scopes"),
    ]
    assert all(KEY not in f.snippet and GH not in f.snippet for f in result.findings)


def test_rule_selection_and_unknown_patterns(tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text(f"OPENAI_API_KEY={KEY}\nGITHUB_TOKEN={GH}\n")
    only = _scan(tmp_path, rules=("CF-SECRET-GITHUB",))
    assert [f.rule_id for f in only.findings] == ["CF-SECRET-GITHUB"]
    excluded = _scan(tmp_path, exclude_rules=("cf-secret-git*",))
    assert [f.rule_id for f in excluded.findings] == ["CF-SECRET-OPENAI"]
    with pytest.raises(UsageError, match="no rule matches 'CF-NOPE'"):
        _scan(tmp_path, rules=("CF-NOPE",))


def test_baseline_accepts_existing_findings_only(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "a.env").write_text(f"OPENAI_API_KEY={KEY}\n")
    baseline = tmp_path / "baseline.json"
    assert write_baseline(baseline, _scan(project).findings) == 1
    assert _scan(project, baseline=baseline).findings == ()
    # Moving the line keeps it accepted; a second copy and a new secret are new.
    (project / "a.env").write_text(f"# moved\nOPENAI_API_KEY={KEY}\nOPENAI_API_KEY={KEY}\n"
                                   f"GITHUB_TOKEN={GH}\n")  # fmt: skip
    result = _scan(project, baseline=baseline)
    assert _ids(result) == [("a.env", 3, "CF-SECRET-OPENAI"), ("a.env", 4, "CF-SECRET-GITHUB")]
    assert [f.line for f in result.baselined] == [2]


def test_bad_baseline_file_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text('{"version": 1, "findings": [{"rule_id": "X"}]}')
    with pytest.raises(ConfigError, match=r"findings\[0\] has no 'fingerprint'"):
        load_baseline(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_baseline(tmp_path / "missing.json")


def test_parallel_scan_matches_serial_scan(tmp_path: Path) -> None:
    for index in range(60):
        token = github_token(f"{GH[4:32]}{index:02d}")
        body = f'TOKEN = "{token}"\n' if index % 3 == 0 else "x = 1\n"
        (tmp_path / f"m{index}.py").write_text(body)
        (tmp_path / f"w{index}.js").write_text(f"el.innerHTML = v{index};\n")
    mine = ("CF-SECRET-*", "CF-JS-*")
    serial = scan([tmp_path], ScanOptions(root=tmp_path, jobs=1, rules=mine))
    parallel = scan([tmp_path], ScanOptions(root=tmp_path, jobs=2, rules=mine))
    assert len(serial.findings) == 80
    assert _ids(parallel) == _ids(serial)
    assert len(parallel.files) == 120


def test_notebook_code_cells_and_outputs_are_scanned(tmp_path: Path) -> None:
    import json

    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
             "source": ["%pip install openai\n", f'key = "{KEY}"\n']},
            {"cell_type": "code", "metadata": {}, "execution_count": 2, "source": ["print(1)"],
             "outputs": [{"output_type": "stream", "name": "stdout", "text": [f"token {GH}\n"]}]},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    (tmp_path / "n.ipynb").write_text(json.dumps(notebook, indent=1))
    result = _scan(tmp_path)
    lines = (tmp_path / "n.ipynb").read_text().splitlines()
    found = {f.rule_id: f.line for f in result.findings}
    assert KEY in lines[found["CF-SECRET-OPENAI"] - 1]
    assert GH in lines[found["CF-SECRET-GITHUB"] - 1]


def test_big_tree_with_progress_bar_gives_the_same_result(tmp_path: Path) -> None:
    for index in range(210):
        (tmp_path / f"w{index}.js").write_text(f"el.innerHTML = v{index};\n")
    quiet = scan([tmp_path], ScanOptions(root=tmp_path, jobs=2))
    shown = scan([tmp_path], ScanOptions(root=tmp_path, jobs=2, progress=True))
    assert len(shown.findings) == 210
    assert _ids(shown) == _ids(quiet)
