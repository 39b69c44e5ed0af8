"""The random module used for secrets vs. for games."""
import random
import secrets
import string

ALPHABET = string.ascii_letters + string.digits


def new_session_id():
    session_id = "".join(random.choice(ALPHABET) for _ in range(32))  # expect: CF-PY-INSECURE-RANDOM
    return session_id


def reset_password(user):
    user.reset_token = random.getrandbits(128)  # expect: CF-PY-INSECURE-RANDOM


def generate_otp():
    return str(random.randint(100000, 999999))  # expect: CF-PY-INSECURE-RANDOM


def salt_for(password):
    salt = bytes(random.randbytes(16))  # expect: CF-PY-INSECURE-RANDOM
    return salt, password


def api_key():
    key = "".join(random.choices(ALPHABET, k=40))  # expect: CF-PY-INSECURE-RANDOM
    return key


def generate_api_key():
    return "".join(random.choices(ALPHABET, k=40))  # expect: CF-PY-INSECURE-RANDOM


def pick_colour():
    colour = random.choice(["red", "green", "blue"])  # ok: CF-PY-INSECURE-RANDOM
    return colour


def secure_token():
    token = secrets.token_urlsafe(32)  # ok: CF-PY-INSECURE-RANDOM
    return token


def shuffle_quiz(questions):
    random.shuffle(questions)  # ok: CF-PY-INSECURE-RANDOM
    return questions
