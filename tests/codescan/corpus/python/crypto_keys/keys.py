"""Key sizes, weak curves, low entropy, broken TLS versions."""
import os
import random
import secrets
import ssl
import time
import uuid

from Crypto.PublicKey import RSA
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

legacy_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # expect: CF-PY-WEAK-KEY
modern_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)  # ok: CF-PY-WEAK-KEY
signing = dsa.generate_private_key(key_size=1024)  # expect: CF-PY-WEAK-KEY
pycrypto_key = RSA.generate(512)  # expect: CF-PY-WEAK-KEY
pycrypto_strong = RSA.generate(4096)  # ok: CF-PY-WEAK-KEY
curve_key = ec.generate_private_key(ec.SECP192R1())  # expect: CF-PY-WEAK-KEY
curve_ok = ec.generate_private_key(ec.SECP256R1())  # ok: CF-PY-WEAK-KEY


def new_session():
    session_token = secrets.token_hex(4)  # expect: CF-PY-LOW-ENTROPY
    return session_token


def new_api_key():
    api_key = secrets.token_urlsafe(32)  # ok: CF-PY-LOW-ENTROPY
    return api_key


def new_salt():
    salt = os.urandom(8)  # expect: CF-PY-LOW-ENTROPY
    nonce = os.urandom(12)  # ok: CF-PY-LOW-ENTROPY
    return salt, nonce


def reset_link(user):
    reset_token = str(uuid.uuid1())  # expect: CF-PY-LOW-ENTROPY
    request_id = str(uuid.uuid1())  # ok: CF-PY-LOW-ENTROPY
    return reset_token, request_id


def otp_code():
    random.seed(int(time.time()))  # expect: CF-PY-LOW-ENTROPY
    otp_token = "".join(str(random.randint(0, 9)) for _ in range(6))  # expect: CF-PY-INSECURE-RANDOM
    return otp_token


def old_context():
    context = ssl.SSLContext(ssl.PROTOCOL_TLSv1)  # expect: CF-PY-WEAK-TLS-PROTOCOL
    return context


def pinned_minimum():
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1  # expect: CF-PY-WEAK-TLS-PROTOCOL
    return context


def good_minimum():
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # ok: CF-PY-WEAK-TLS-PROTOCOL
    return context


def negotiated():
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # ok: CF-PY-WEAK-TLS-PROTOCOL


def sslv3():
    return ssl.SSLContext(ssl.PROTOCOL_SSLv3)  # expect: CF-PY-WEAK-TLS-PROTOCOL


def tls11():
    return ssl.SSLContext(protocol=ssl.PROTOCOL_TLSv1_1)  # expect: CF-PY-WEAK-TLS-PROTOCOL


def server_context():
    return ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)  # ok: CF-PY-WEAK-TLS-PROTOCOL
