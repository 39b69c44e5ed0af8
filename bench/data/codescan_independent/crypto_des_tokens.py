# labels: CWE-327
"""Encrypt remember-me tokens."""

import base64
import os

from Crypto.Cipher import DES

KEY = os.environ.get("TOKEN_KEY", "8bytekey").encode()[:8]


def encrypt_token(user_id: int) -> str:
    cipher = DES.new(KEY, DES.MODE_ECB)
    padded = str(user_id).rjust(16).encode()
    return base64.urlsafe_b64encode(cipher.encrypt(padded)).decode()
