"""JWTs decoded without signature verification."""
import os

import jwt
from jose import jwt as jose_jwt

KEY = os.environ["JWT_KEY"]


def read_claims(token):
    return jwt.decode(token, options={"verify_signature": False})  # expect: CF-PY-JWT-NO-VERIFY


def read_any(token):
    return jwt.decode(token, KEY, algorithms=["HS256", "none"])  # expect: CF-PY-JWT-NO-VERIFY


def legacy(token):
    return jwt.decode(token, KEY, verify=False)  # expect: CF-PY-JWT-NO-VERIFY


def jose(token):
    return jose_jwt.decode(token, KEY, options={"verify_signature": False})  # expect: CF-PY-JWT-NO-VERIFY


def unsigned(claims):
    return jwt.encode(claims, None, algorithm="none")  # expect: CF-PY-JWT-NO-VERIFY


def verified(token):
    return jwt.decode(token, KEY, algorithms=["HS256"])  # ok: CF-PY-JWT-NO-VERIFY


def no_expiry(token):
    return jwt.decode(token, KEY, algorithms=["RS256"], options={"verify_exp": False})  # ok: CF-PY-JWT-NO-VERIFY


def explicit(token):
    return jwt.decode(token, KEY, algorithms=["HS256"], options={"verify_signature": True})  # ok: CF-PY-JWT-NO-VERIFY
