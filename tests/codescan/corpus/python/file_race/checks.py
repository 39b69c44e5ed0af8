"""Check-then-use races on files."""
import os
from pathlib import Path


def write_once(path, data):
    if not os.path.exists(path):  # expect: CF-PY-TOCTOU
        with open(path, "w") as handle:
            handle.write(data)


def privileged_write(path, data):
    if os.access(path, os.W_OK):  # expect: CF-PY-TOCTOU
        with open(path, "a") as handle:
            handle.write(data)


def clean(lock_file):
    if os.path.isfile(lock_file):  # expect: CF-PY-TOCTOU
        os.remove(lock_file)


def pathlib_race(report: Path):
    if report.exists():  # expect: CF-PY-TOCTOU
        return report.read_text()
    return ""


def atomic(path, data):
    try:
        with open(path, "x") as handle:  # ok: CF-PY-TOCTOU
            handle.write(data)
    except FileExistsError:
        pass


def other_file(path, backup):
    if os.path.exists(backup):  # ok: CF-PY-TOCTOU
        with open(path) as handle:
            return handle.read()
    return None


def directory(path):
    if not os.path.exists(path):  # ok: CF-PY-TOCTOU
        os.makedirs(path, exist_ok=True)
