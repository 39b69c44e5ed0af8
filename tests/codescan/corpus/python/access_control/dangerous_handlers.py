"""Dangerous handlers: authenticated or not, whatever their path."""
import smtplib
import sqlite3
import subprocess

from flask import Flask, request
from flask_login import login_required
from openai import OpenAI

app = Flask(__name__)
db = sqlite3.connect("app.db")
client = OpenAI(timeout=30)


@app.post("/run")
def run():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    return subprocess.run(["make", "deploy"], capture_output=True, text=True).stdout


@app.post("/run-protected")
@login_required
def run_protected():  # ok: CF-PY-UNAUTHENTICATED-ACTION
    return subprocess.run(["make", "deploy"], capture_output=True, text=True).stdout


def _notify(address, text):
    with smtplib.SMTP_SSL("mail.acme-corp.io") as server:
        server.sendmail("noreply@acme-corp.io", [address], text)


@app.post("/contact")
def contact():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    _notify("sales@acme-corp.io", "new contact")
    return {"ok": True}


@app.post("/signup")
def signup():  # ok: CF-PY-UNAUTHENTICATED-ACTION
    db.execute("INSERT INTO users (name) VALUES (?)", (request.form["name"],))
    db.commit()
    return {"ok": True}


@app.post("/notes")
def add_note():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    db.execute("INSERT INTO notes (body) VALUES (?)", (request.form["body"],))
    db.commit()
    return {"ok": True}


@app.get("/notes")
def list_notes():  # ok: CF-PY-UNAUTHENTICATED-ACTION
    return {"notes": db.execute("SELECT body FROM notes").fetchall()}


@app.post("/summarize")
def summarize():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=200,
        messages=[{"role": "user", "content": "Summarize: " + request.form["text"]}],
    )
    return {"summary": reply.choices[0].message.content}
