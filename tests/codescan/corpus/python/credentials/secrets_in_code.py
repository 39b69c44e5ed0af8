"""Hard-coded credentials vs. placeholders and environment lookups."""
import os

import psycopg2

SECRET_KEY = "django-insecure-9f8a7s6d5f4g3h2j1k"  # expect: CF-PY-HARDCODED-CREDENTIAL
DB_PASSWORD = "Sup3rS3cret!2024"  # expect: CF-PY-HARDCODED-CREDENTIAL
API_TOKEN = os.environ["API_TOKEN"]  # ok: CF-PY-HARDCODED-CREDENTIAL
PASSWORD_PLACEHOLDER = "changeme"
EMPTY_SECRET = ""  # ok: CF-PY-HARDCODED-CREDENTIAL
TOKEN_ENV_NAME = "GITHUB_TOKEN"
password_field = "<your-password>"  # ok: CF-PY-HARDCODED-CREDENTIAL


def connect():
    return psycopg2.connect(host="db", user="app", password="hunter2hunter2")  # expect: CF-PY-HARDCODED-CREDENTIAL


def connect_env():
    return psycopg2.connect(host="db", user="app", password=os.environ["PGPASSWORD"])  # ok: CF-PY-HARDCODED-CREDENTIAL


DATABASES = {
    "default": {
        "USER": "app",
        "PASSWORD": "pg-pass-7781",  # expect: CF-PY-HARDCODED-CREDENTIAL
    }
}


def login(username, password):
    if password == "letmein123":  # expect: CF-PY-HARDCODED-CREDENTIAL
        return True
    return False


def make_client(base_url, client_secret="9d8f7g6h5j4k3l2"):  # expect: CF-PY-HARDCODED-CREDENTIAL
    return base_url, client_secret


def template(token="${TOKEN}"):  # ok: CF-PY-HARDCODED-CREDENTIAL
    return token
