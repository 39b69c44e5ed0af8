"""Which files a scan reads, and how: walking, ``.confianceignore``, classification, safe reading.

The walk never follows a symlink twice: directories are identified by (device, inode), a link back
to an ancestor is reported as a loop, a dangling link as broken, a link leaving the scanned tree as
outside it. Reading never raises: every file that cannot be analysed comes back as a
:class:`~confiance.codescan.results.SkippedFile` with a reason a person can act on.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path, PurePosixPath

import pathspec

from confiance.codescan.results import SkippedFile

__all__ = [
    "DEFAULT_EXCLUDED_DIRS",
    "IGNORE_FILE",
    "Candidate",
    "FileKind",
    "SourceText",
    "Unreadable",
    "WalkResult",
    "classify",
    "decode",
    "ignore_predicate",
    "is_lockfile",
    "read_source",
    "walk",
]

IGNORE_FILE = ".confianceignore"
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tox",
        ".nox",
        ".eggs",
        ".import_linter_cache",
    }
)
# fmt: off
_BINARY_SUFFIXES = frozenset([
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tif", ".tiff", ".pdf", ".zip",
    ".gz", ".tgz", ".bz2", ".xz", ".7z", ".tar", ".whl", ".jar", ".war", ".so", ".dll", ".dylib",
    ".exe", ".bin", ".o", ".a", ".pyc", ".pyo", ".class", ".woff", ".woff2", ".ttf", ".otf",
    ".eot", ".mp3", ".mp4", ".wav", ".ogg", ".mov", ".avi", ".sqlite", ".sqlite3", ".db",
    ".parquet", ".pkl", ".pickle", ".npy", ".npz", ".pt", ".onnx", ".safetensors",
])
# fmt: on
_LOCKFILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
        "pdm.lock",
        "Cargo.lock",
        "composer.lock",
        "Gemfile.lock",
        "go.sum",
    }
)
_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_SNIFF_BYTES = 8192


class FileKind(StrEnum):
    PYTHON = "python"
    JAVASCRIPT = "javascript"
    TYPESCRIPT = "typescript"
    TSX = "tsx"
    NOTEBOOK = "notebook"
    LOCKFILE = "lockfile"
    TEXT = "text"


_SUFFIX_KINDS = {
    ".py": FileKind.PYTHON,
    ".pyw": FileKind.PYTHON,
    ".pyi": FileKind.PYTHON,
    ".js": FileKind.JAVASCRIPT,
    ".jsx": FileKind.JAVASCRIPT,
    ".mjs": FileKind.JAVASCRIPT,
    ".cjs": FileKind.JAVASCRIPT,
    ".ts": FileKind.TYPESCRIPT,
    ".mts": FileKind.TYPESCRIPT,
    ".cts": FileKind.TYPESCRIPT,
    ".tsx": FileKind.TSX,
    ".ipynb": FileKind.NOTEBOOK,
}


def classify(path: PurePosixPath | Path) -> FileKind:
    """The kind of a file from its name (contents are never executed to decide)."""
    if path.name in _LOCKFILES:
        return FileKind.LOCKFILE
    return _SUFFIX_KINDS.get(path.suffix.lower(), FileKind.TEXT)


def is_lockfile(path: str) -> bool:
    return PurePosixPath(path).name in _LOCKFILES


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file to read: ``path`` on disk, ``rel`` the POSIX path findings will carry."""

    path: Path
    rel: str
    kind: FileKind
    size: int


@dataclass(frozen=True, slots=True)
class WalkResult:
    candidates: tuple[Candidate, ...]
    skipped: tuple[SkippedFile, ...]


@dataclass(frozen=True, slots=True)
class SourceText:
    text: str
    encoding: str
    note: str | None = None
    sha256: str = ""


class Unreadable(Exception):
    """A file that cannot be analysed; ``reason`` says why (the scan goes on)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _IgnoreRules:
    """``.confianceignore`` files with gitignore semantics, each scoped to its own directory."""

    def __init__(self) -> None:
        self._specs: dict[str, pathspec.GitIgnoreSpec] = {}

    def load(self, directory: Path, rel_dir: str) -> None:
        ignore_file = directory / IGNORE_FILE
        if rel_dir in self._specs or not ignore_file.is_file():
            return
        try:
            lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        self._specs[rel_dir] = pathspec.GitIgnoreSpec.from_lines(lines)

    def ignored(self, rel: str, *, is_dir: bool) -> bool:
        candidate = rel + "/" if is_dir else rel
        for base, spec in self._specs.items():
            if base == "":
                inner = candidate
            elif candidate.startswith(base + "/"):
                inner = candidate[len(base) + 1 :]
            else:
                continue
            if spec.match_file(inner):
                return True
        return False

    def ignored_with_parents(self, rel: str, *, is_dir: bool) -> bool:
        """Also true when a parent directory is excluded (explicit paths skip the walk)."""
        parts = rel.split("/")
        if any(part in DEFAULT_EXCLUDED_DIRS for part in parts[:-1]):
            return True
        return self.ignored(rel, is_dir=is_dir) or any(
            self.ignored("/".join(parts[:i]), is_dir=True) for i in range(1, len(parts))
        )


class _Walker:
    def __init__(self, roots: list[Path], max_file_size: int) -> None:
        self.roots = [r.resolve() for r in roots]
        self.max_file_size = max_file_size
        self.ignore = _IgnoreRules()
        self.candidates: list[Candidate] = []
        self.skipped: list[SkippedFile] = []
        self._seen_dirs: set[tuple[int, int]] = set()
        self._seen_files: dict[tuple[int, int], str] = {}

    def inside(self, real: Path) -> bool:
        return any(real == r or r in real.parents for r in self.roots)

    def walk_dir(self, directory: Path, rel: str, ancestors: frozenset[tuple[int, int]]) -> None:
        try:
            st = directory.stat()
        except OSError as exc:
            self.skipped.append(SkippedFile(rel or ".", f"cannot open directory: {exc.strerror}"))
            return
        key = (st.st_dev, st.st_ino)
        if key in ancestors:
            self.skipped.append(SkippedFile(rel, "symlink loop: points back to a parent directory"))
            return
        if key in self._seen_dirs:
            self.skipped.append(SkippedFile(rel, "directory already scanned through another link"))
            return
        self._seen_dirs.add(key)
        self.ignore.load(directory, rel)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            self.skipped.append(SkippedFile(rel or ".", f"cannot list directory: {exc.strerror}"))
            return
        for entry in entries:
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            self.visit(Path(entry.path), child_rel, ancestors | {key})

    def visit(self, path: Path, rel: str, ancestors: frozenset[tuple[int, int]]) -> None:
        if path.is_symlink():
            self.visit_link(path, rel, ancestors)
            return
        try:
            st = path.lstat()
        except OSError as exc:
            self.skipped.append(SkippedFile(rel, f"cannot stat: {exc.strerror}"))
            return
        if stat.S_ISDIR(st.st_mode):
            if path.name in DEFAULT_EXCLUDED_DIRS or self.ignore.ignored(rel, is_dir=True):
                return
            self.walk_dir(path, rel, ancestors)
        elif not self.ignore.ignored(rel, is_dir=False):
            self.add_file(path, rel, st)

    def visit_link(self, path: Path, rel: str, ancestors: frozenset[tuple[int, int]]) -> None:
        try:
            st = path.stat()
        except OSError as exc:
            reason = (
                "symlink loop" if exc.errno == errno.ELOOP else f"broken symlink ({exc.strerror})"
            )
            self.skipped.append(SkippedFile(rel, f"{reason}: -> {os.readlink(path)}"))
            return
        is_dir = stat.S_ISDIR(st.st_mode)
        if self.ignore.ignored(rel, is_dir=is_dir) or path.name in DEFAULT_EXCLUDED_DIRS:
            return
        if not self.inside(path.resolve()):
            self.skipped.append(SkippedFile(rel, "symlink points outside the scanned tree"))
        elif is_dir:
            self.walk_dir(path, rel, ancestors)
        else:
            self.add_file(path, rel, st)

    def add_file(self, path: Path, rel: str, st: os.stat_result) -> None:
        if not stat.S_ISREG(st.st_mode):
            self.skipped.append(SkippedFile(rel, "not a regular file (fifo, socket or device)"))
            return
        key = (st.st_dev, st.st_ino)
        if key in self._seen_files:
            self.skipped.append(SkippedFile(rel, f"same file as {self._seen_files[key]}"))
            return
        self._seen_files[key] = rel
        if path.suffix.lower() in _BINARY_SUFFIXES:
            self.skipped.append(SkippedFile(rel, f"binary file ({path.suffix.lower()})"))
        elif st.st_size > self.max_file_size:
            self.skipped.append(SkippedFile(rel, _too_large(st.st_size, self.max_file_size)))
        else:
            self.candidates.append(Candidate(path, rel, classify(path), st.st_size))


def _too_large(size: int, limit: int) -> str:
    mib = 1024 * 1024
    return (
        f"file is {size / mib:.1f} MiB, over the {limit / mib:.1f} MiB limit "
        "(likely generated; raise --max-file-size to scan it)"
    )


def _relative(path: Path, root: Path) -> str | None:
    try:
        rel = path.absolute().relative_to(root.absolute())
    except ValueError:
        return None
    return rel.as_posix() if str(rel) != "." else ""


def walk(paths: list[Path], root: Path, *, max_file_size: int) -> WalkResult:
    """Expand ``paths`` (files or directories) into candidates relative to ``root``.

    A path outside ``root`` becomes its own root (a file's parent). Paths that do not exist are
    reported as skipped, not raised: callers validate user input before walking.
    """
    walker = _Walker([root, *paths], max_file_size)
    walker.ignore.load(root, "")
    for path in paths:
        rel = _relative(path, root)
        if rel:
            _load_parents(walker.ignore, root, rel)
        base = path if path.is_dir() else path.parent
        if rel is None:
            walker.ignore.load(base, "")
            rel = "" if path.is_dir() else path.name
        if rel == "":
            walker.walk_dir(path, "", frozenset())
        elif walker.ignore.ignored_with_parents(rel, is_dir=path.is_dir()):
            # Named on the command line yet excluded: say so, or the scan reports "0 files".
            walker.skipped.append(SkippedFile(rel, "excluded by a .confianceignore rule"))
        else:
            walker.visit(path, rel, frozenset())
    unique = {c.rel: c for c in walker.candidates}
    return WalkResult(tuple(unique.values()), tuple(walker.skipped))


def _load_parents(ignore: _IgnoreRules, root: Path, rel: str) -> None:
    parts = rel.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        sub = "/".join(parts[:depth])
        ignore.load(root / sub, sub)


def ignore_predicate(root: Path) -> Callable[[str], bool]:
    """Whether a root-relative path is excluded (default directories or ``.confianceignore``);
    used for paths that are not walked, such as files in git history."""
    ignore = _IgnoreRules()
    ignore.load(root, "")

    def ignored(rel: str) -> bool:
        _load_parents(ignore, root, rel)
        return ignore.ignored_with_parents(rel, is_dir=False)

    return ignored


def decode(data: bytes, *, python: bool = False) -> SourceText:
    """Bytes to text: BOMs first, then a PEP 263 cookie for Python, UTF-8, else latin-1 with a
    note. Raises :class:`Unreadable` for binary content (a NUL byte near the start); of a text
    header followed by binary content, only the header is decoded (with a note)."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return SourceText(data.decode(encoding), encoding, _bom_note(encoding))
            except UnicodeDecodeError as exc:
                raise Unreadable(f"{encoding} byte order mark but invalid content: {exc}") from exc
    first_nul = data.find(b"\x00")
    if 0 <= first_nul < _SNIFF_BYTES:
        raise Unreadable("binary file (NUL bytes)")
    if first_nul > 0:
        # A binary blob behind a text header: the header is text (and may hold secrets).
        text = decode(data[:first_nul], python=python)
        note = f"binary content from byte {first_nul}: only the text before it was scanned"
        return SourceText(text.text, text.encoding, note)
    declared = _coding_cookie(data) if python else None
    if declared:
        try:
            return SourceText(data.decode(declared), declared, f"decoded as declared {declared}")
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return SourceText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        note = f"not valid UTF-8 (byte {exc.start}); decoded as latin-1"
        return SourceText(data.decode("latin-1"), "latin-1", note)


def _bom_note(encoding: str) -> str | None:
    return None if encoding == "utf-8-sig" else f"decoded as {encoding} (byte order mark)"


def _coding_cookie(data: bytes) -> str | None:
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING_COOKIE.match(line)
        if match:
            name = match.group(1).decode("ascii", "replace").lower()
            return None if name.replace("_", "-") in {"utf-8", "utf8"} else name
    return None


def read_source(candidate: Candidate, max_file_size: int) -> SourceText:
    """Read and decode one candidate. Raises :class:`Unreadable` with the reason."""
    try:
        with open(candidate.path, "rb") as handle:
            data = handle.read(max_file_size + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > max_file_size:
        raise Unreadable(_too_large(len(data), max_file_size))
    decoded = decode(data, python=candidate.kind is FileKind.PYTHON)
    return replace(decoded, sha256=hashlib.sha256(data).hexdigest())
