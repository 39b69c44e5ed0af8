# labels: none
"""Todo API with authentication and parameterised SQL."""

import sqlite3

from flask import Flask, abort, g, jsonify, request
from flask_login import current_user, login_required

app = Flask(__name__)


def db():
    if "db" not in g:
        g.db = sqlite3.connect("todo.db")
    return g.db


@app.get("/todos")
@login_required
def list_todos():
    rows = db().execute("SELECT id, title FROM todos WHERE owner = ?", (current_user.id,))
    return jsonify([{"id": r[0], "title": r[1]} for r in rows])


@app.post("/todos")
@login_required
def add_todo():
    title = (request.json or {}).get("title", "").strip()
    if not 0 < len(title) <= 200:
        abort(400)
    db().execute("INSERT INTO todos (owner, title) VALUES (?, ?)", (current_user.id, title))
    db().commit()
    return jsonify({"ok": True}), 201
