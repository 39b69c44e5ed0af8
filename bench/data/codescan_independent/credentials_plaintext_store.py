# labels: CWE-256
"""Minimal user store for the admin console."""

import json
from pathlib import Path

USERS_FILE = Path("users.json")


def add_user(username: str, password: str) -> None:
    users = json.loads(USERS_FILE.read_text()) if USERS_FILE.exists() else {}
    users[username] = {"password": password, "role": "viewer"}
    USERS_FILE.write_text(json.dumps(users))
