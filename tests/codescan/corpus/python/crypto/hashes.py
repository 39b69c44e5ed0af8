"""Weak hashes for passwords and secrets vs. checksums."""
import hashlib
import hmac

from Crypto.Hash import MD5


def hash_password(password):
    return hashlib.md5(password.encode()).hexdigest()  # expect: CF-PY-WEAK-HASH


def store_user(user, raw_password):
    user.password_hash = hashlib.sha256(raw_password.encode()).hexdigest()  # expect: CF-PY-WEAK-HASH


def make_reset_token(user_id, now):
    token = hashlib.sha1(f"{user_id}{now}".encode()).hexdigest()  # expect: CF-PY-WEAK-HASH
    return token


def sign(secret, message):
    return MD5.new(secret + message).hexdigest()  # expect: CF-PY-WEAK-HASH


def legacy_check(pwd, stored):
    return hashlib.new("md5", pwd.encode()).hexdigest() == stored  # expect: CF-PY-WEAK-HASH


def etag(content):
    return hashlib.md5(content).hexdigest()  # ok: CF-PY-WEAK-HASH


def cache_key(url):
    return hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()  # ok: CF-PY-WEAK-HASH


def fingerprint(document):
    digest = hashlib.sha256(document).hexdigest()  # ok: CF-PY-WEAK-HASH
    return digest


def proper_signature(key, body):
    return hmac.new(key, body, hashlib.sha256).hexdigest()  # ok: CF-PY-WEAK-HASH


def derive(password, salt):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)  # ok: CF-PY-WEAK-HASH
