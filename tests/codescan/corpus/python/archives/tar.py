"""Archive extraction without member checks."""
import tarfile
import zipfile


def unpack(path, target):
    with tarfile.open(path) as archive:
        archive.extractall(target)  # expect: CF-PY-ARCHIVE-EXTRACT


def unpack_filtered(path, target):
    with tarfile.open(path) as archive:
        archive.extractall(target, filter="data")  # ok: CF-PY-ARCHIVE-EXTRACT


def unpack_one(path, target):
    bundle = tarfile.open(path, "r:gz")
    bundle.extract("manifest.json", target)  # expect: CF-PY-ARCHIVE-EXTRACT


def unpack_direct(path, target):
    tarfile.open(path).extractall(target)  # expect: CF-PY-ARCHIVE-EXTRACT


def unpack_zip(path, target):
    with zipfile.ZipFile(path) as archive:
        archive.extractall(target)  # ok: CF-PY-ARCHIVE-EXTRACT


def unpack_members(path, target, safe_members):
    with tarfile.open(path) as archive:
        archive.extractall(target, members=safe_members(archive))  # ok: CF-PY-ARCHIVE-EXTRACT


def unpack_upload(stream, target):
    archive = tarfile.open(fileobj=stream)
    archive.extractall(path=target)  # expect: CF-PY-ARCHIVE-EXTRACT
