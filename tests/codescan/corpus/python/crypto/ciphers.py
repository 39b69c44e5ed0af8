"""Broken ciphers, ECB, constant IVs and nonces."""
import os

from Crypto.Cipher import AES, ARC4, DES
from Crypto.Random import get_random_bytes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY = os.environ["APP_KEY"].encode()
FIXED_IV = b"0123456789abcdef"
ZERO_NONCE = b"\x00" * 12


def legacy_des(data):
    return DES.new(KEY[:8], DES.MODE_CBC, get_random_bytes(8)).encrypt(data)  # expect: CF-PY-WEAK-CIPHER


def stream(data):
    return ARC4.new(KEY).encrypt(data)  # expect: CF-PY-WEAK-CIPHER


def ecb(data):
    return AES.new(KEY, AES.MODE_ECB).encrypt(data)  # expect: CF-PY-WEAK-CIPHER


def triple_des():
    return Cipher(algorithms.TripleDES(KEY), modes.CBC(os.urandom(8)))  # expect: CF-PY-WEAK-CIPHER


def ecb_cryptography():
    return Cipher(algorithms.AES(KEY), modes.ECB())  # expect: CF-PY-WEAK-CIPHER


def good_gcm(data):
    nonce = os.urandom(12)
    return nonce + AESGCM(KEY).encrypt(nonce, data, None)  # ok: CF-PY-STATIC-IV


def good_cbc(data):
    return AES.new(KEY, AES.MODE_CBC, iv=get_random_bytes(16)).encrypt(data)  # ok: CF-PY-WEAK-CIPHER, CF-PY-STATIC-IV


def static_cbc(data):
    return AES.new(KEY, AES.MODE_CBC, FIXED_IV).encrypt(data)  # expect: CF-PY-STATIC-IV


def static_keyword(data):
    return AES.new(KEY, AES.MODE_GCM, nonce=b"123456789012").encrypt(data)  # expect: CF-PY-STATIC-IV


def static_cryptography():
    return Cipher(algorithms.AES(KEY), modes.CBC(b"\x00" * 16))  # expect: CF-PY-STATIC-IV


def static_aead(data):
    aead = AESGCM(KEY)
    return aead.encrypt(ZERO_NONCE, data, None)  # expect: CF-PY-STATIC-IV


def random_cryptography():
    iv = os.urandom(16)
    return Cipher(algorithms.AES(KEY), modes.CTR(iv))  # ok: CF-PY-STATIC-IV, CF-PY-WEAK-CIPHER


def fernet(data):
    from cryptography.fernet import Fernet

    return Fernet(Fernet.generate_key()).encrypt(data)  # ok: CF-PY-WEAK-CIPHER
