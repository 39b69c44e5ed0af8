# labels: CWE-256
"""SQLAlchemy sign-up."""

from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class Account(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120), unique=True)
    password = db.Column(db.String(120))


@app.post("/signup")
def signup():
    account = Account(email=request.form["email"], password=request.form["password"])
    db.session.add(account)
    db.session.commit()
    return {"id": account.id}
