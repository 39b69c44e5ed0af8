"""Walking, .confianceignore (gitignore semantics), classification and decoding."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from confiance.codescan.files import FileKind, Unreadable, classify, decode, ignore_predicate, walk


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _walked(root: Path, *paths: Path) -> list[str]:
    result = walk(list(paths) or [root], root, max_file_size=1 << 20)
    return sorted(c.rel for c in result.candidates)


def test_default_excluded_directories_are_not_walked(tmp_path: Path) -> None:
    names = ["app.py", "node_modules/x/index.js", ".venv/lib/a.py", ".git/config",
             "src/__pycache__/a.py", "dist/bundle.js"]  # fmt: skip
    _tree(tmp_path, dict.fromkeys(names, ""))
    assert _walked(tmp_path) == ["app.py", "dist/bundle.js"]


def test_confianceignore_has_gitignore_semantics(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            ".confianceignore": "# generated\nbuild/\n*.snap\n/fixtures/*\n!fixtures/keep.py\n",
            "build/out.py": "",
            "src/build/gen.py": "",
            "a.snap": "",
            "src/b.snap": "",
            "fixtures/drop.py": "",
            "fixtures/keep.py": "",
            "src/fixtures/kept.py": "",
            "src/app.py": "",
            "src/sub/.confianceignore": "local_*.py\n",
            "src/sub/local_x.py": "",
            "src/sub/remote.py": "",
            "local_top.py": "",
        },
    )
    assert _walked(tmp_path) == [
        ".confianceignore",
        "fixtures/keep.py",
        "local_top.py",
        "src/app.py",
        "src/fixtures/kept.py",
        "src/sub/.confianceignore",
        "src/sub/remote.py",
    ]


def test_explicit_paths_still_honour_ignore_files_and_parents(tmp_path: Path) -> None:
    _tree(tmp_path, {".confianceignore": "vendor/\n", "vendor/lib.py": "", "src/a.py": ""})
    assert _walked(tmp_path, tmp_path / "vendor" / "lib.py", tmp_path / "src" / "a.py") == [
        "src/a.py"
    ]
    result = walk([tmp_path / "vendor"], tmp_path, max_file_size=1 << 20)
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("vendor", "excluded by a .confianceignore rule")
    ], "a named path that is excluded is reported, not silently dropped"
    ignored = ignore_predicate(tmp_path)
    assert ignored("vendor/lib.py")
    assert ignored("node_modules/x.js")
    assert not ignored("src/a.py")


def test_paths_outside_the_root_are_relative_to_themselves(tmp_path: Path) -> None:
    _tree(tmp_path, {"proj/a.py": "", "other/b.py": ""})
    result = walk([tmp_path / "other"], tmp_path / "proj", max_file_size=1 << 20)
    assert [c.rel for c in result.candidates] == ["b.py"]


def test_symlinked_file_is_scanned_once(tmp_path: Path) -> None:
    _tree(tmp_path, {"real.py": "x = 1\n"})
    (tmp_path / "alias.py").symlink_to(tmp_path / "real.py")
    result = walk([tmp_path], tmp_path, max_file_size=1 << 20)
    assert [c.rel for c in result.candidates] == ["alias.py"]
    assert [(s.path, s.reason) for s in result.skipped] == [("real.py", "same file as alias.py")]


def test_symlink_leaving_the_tree_is_reported(tmp_path: Path) -> None:
    _tree(tmp_path, {"inside/a.py": "", "outside/secret.py": ""})
    (tmp_path / "inside" / "escape").symlink_to(tmp_path / "outside")
    result = walk([tmp_path / "inside"], tmp_path / "inside", max_file_size=1 << 20)
    assert [c.rel for c in result.candidates] == ["a.py"]
    assert result.skipped[0].reason == "symlink points outside the scanned tree"


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.py", FileKind.PYTHON), ("a.tsx", FileKind.TSX), ("a.mjs", FileKind.JAVASCRIPT),
     ("a.ts", FileKind.TYPESCRIPT), ("n.ipynb", FileKind.NOTEBOOK),
     ("yarn.lock", FileKind.LOCKFILE), ("Dockerfile", FileKind.TEXT), (".env", FileKind.TEXT)],
)  # fmt: skip
def test_classify(name: str, kind: FileKind) -> None:
    assert classify(Path(name)) is kind


def test_decode_bom_cookie_utf8_and_latin1_fallback() -> None:
    assert decode(codecs.BOM_UTF16_LE + "é = 1".encode("utf-16-le")).text == "é = 1"
    assert decode(codecs.BOM_UTF8 + b"x = 1").note is None
    cookie = b"# -*- coding: cp1252 -*-\nname = '\x80'\n"
    assert decode(cookie, python=True).text.endswith("'€'\n")
    latin = decode(b"caf\xe9 = 1\n")
    assert latin.text == "café = 1\n"
    assert latin.encoding == "latin-1"
    assert latin.note is not None
    assert "latin-1" in latin.note
    with pytest.raises(Unreadable, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00")
