# labels: none
"""Encrypt API credentials at rest with Fernet and hash passwords with bcrypt."""

import bcrypt
from cryptography.fernet import Fernet


def encrypt_secret(key: bytes, secret: str) -> bytes:
    return Fernet(key).encrypt(secret.encode())


def hash_password(password: str) -> bytes:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt())


def checksum(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
