# labels: CWE-252
"""Change password after confirming the old one."""

from flask import Flask, request
from flask_login import current_user, login_required
from werkzeug.security import check_password_hash, generate_password_hash

from .db import db

app = Flask(__name__)


@app.post("/account/password")
@login_required
def change_password():
    check_password_hash(current_user.password_hash, request.form["old_password"])
    current_user.password_hash = generate_password_hash(request.form["new_password"])
    db.session.commit()
    return {"ok": True}
