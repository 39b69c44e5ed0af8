"""A small notes service with Flask-Login: most routes protected, a few mistakes."""

import os
import sqlite3

from flask import Flask, abort, g, jsonify, redirect, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_required, login_user
from werkzeug.security import check_password_hash

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["NOTES_SECRET_KEY"]
app.config["SESSION_COOKIE_SECURE"] = True
login_manager = LoginManager(app)
limiter = Limiter(get_remote_address, app=app)


def db():
    if "db" not in g:
        g.db = sqlite3.connect(os.environ.get("NOTES_DB", "notes.db"))
    return g.db


@app.route("/login", methods=["POST"])
@limiter.limit("5 per minute")
def login():
    row = (
        db()
        .execute("SELECT id, password_hash FROM users WHERE email = ?", (request.form["email"],))
        .fetchone()
    )
    if row is None or not check_password_hash(row[1], request.form["password"]):
        abort(401)
    login_user(load_user(row[0]))
    return redirect(url_for("list_notes"))


@login_manager.user_loader
def load_user(user_id):
    return db().execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()


@app.route("/notes")
@login_required
def list_notes():
    rows = db().execute("SELECT id, title FROM notes WHERE owner = ?", (current_user.id,))
    return jsonify(notes=[dict(id=r[0], title=r[1]) for r in rows])


@app.route("/notes/search")
@login_required
def search_notes():
    term = request.args.get("q", "")
    rows = db().execute(
        "SELECT id, title FROM notes WHERE title LIKE '%" + term + "%'"  # expect: CF-PY-SQLI
    )
    return jsonify(notes=[dict(id=r[0], title=r[1]) for r in rows])


@app.route("/notes", methods=["POST"])
@login_required
def create_note():
    db().execute(
        "INSERT INTO notes (owner, title, body) VALUES (?, ?, ?)",
        (current_user.id, request.json["title"], request.json["body"]),
    )
    db().commit()
    return jsonify(created=True), 201


@app.route("/notes/<int:note_id>", methods=["DELETE"])
def delete_note(note_id):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    db().execute("DELETE FROM notes WHERE id = ?", (note_id,))
    db().commit()
    return jsonify(deleted=note_id)


@app.route("/notes/<int:note_id>/share", methods=["POST"])
@login_required
def share_note(note_id):
    response = jsonify(shared=note_id)
    response.set_cookie("last_shared", str(note_id))  # expect: CF-PY-INSECURE-COOKIE
    return response


@app.route("/health")
def health():
    return jsonify(status="ok")
