# labels: CWE-328
"""User registration with hashed passwords."""

import hashlib

from flask import Flask, request

from .db import save_user

app = Flask(__name__)


@app.post("/register")
def register():
    username = request.form["username"]
    password_hash = hashlib.md5(request.form["password"].encode()).hexdigest()
    save_user(username, password_hash)
    return {"ok": True}
