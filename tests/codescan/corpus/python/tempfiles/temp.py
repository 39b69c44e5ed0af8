"""Insecure temporary files."""
import os
import tempfile

SCRATCH = "/tmp/app-scratch"  # expect: CF-PY-INSECURE-TEMPFILE


def export(rows):
    path = tempfile.mktemp(suffix=".csv")  # expect: CF-PY-INSECURE-TEMPFILE
    with open(path, "w") as handle:
        handle.write(str(rows))
    with open("/tmp/export.csv", "w") as handle:  # expect: CF-PY-INSECURE-TEMPFILE
        handle.write(str(rows))
    return path


def cache_dir(name):
    os.makedirs(f"/var/tmp/cache/{name}", exist_ok=True)  # expect: CF-PY-INSECURE-TEMPFILE


def safe(rows):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:  # ok: CF-PY-INSECURE-TEMPFILE
        handle.write(str(rows))
    fd, path = tempfile.mkstemp()  # ok: CF-PY-INSECURE-TEMPFILE
    os.close(fd)
    base = os.path.join(tempfile.gettempdir(), "app")  # ok: CF-PY-INSECURE-TEMPFILE
    return path, base


def is_temporary(path):
    return path.startswith("/tmp/")  # ok: CF-PY-INSECURE-TEMPFILE
