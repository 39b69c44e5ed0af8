# labels: CWE-862
"""User management."""

from flask import Flask
from flask_login import login_required

from .models import User, db

app = Flask(__name__)


@app.get("/users")
@login_required
def list_users():
    return {"users": [u.name for u in User.query.all()]}


@app.delete("/users/<int:user_id>")
def delete_user(user_id):
    db.session.delete(User.query.get(user_id))
    db.session.commit()
    return {"deleted": user_id}
