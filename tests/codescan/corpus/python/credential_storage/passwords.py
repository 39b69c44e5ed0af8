"""Passwords stored in plain text and credentials sent where they leak."""
import sqlite3

import requests
from flask import Flask, make_response, request
from werkzeug.security import generate_password_hash

app = Flask(__name__)
db = sqlite3.connect("app.db")
users = {}


class User:
    def __init__(self, name, password):
        self.name = name
        self.password = password


@app.post("/register")
def register():
    password = request.form["password"]
    user = User(name=request.form["name"], password=password)  # expect: CF-PY-PLAINTEXT-PASSWORD
    return {"ok": bool(user)}


@app.post("/register-hashed")
def register_hashed():
    password = request.form["password"]
    user = User(name=request.form["name"], password=generate_password_hash(password))  # ok: CF-PY-PLAINTEXT-PASSWORD
    return {"ok": bool(user)}


def create_account(username, password):
    db.execute("INSERT INTO users (name, password) VALUES (?, ?)", (username, password))  # expect: CF-PY-PLAINTEXT-PASSWORD


def create_account_hashed(username, password):
    hashed = generate_password_hash(password)
    db.execute("INSERT INTO users (name, password_hash) VALUES (?, ?)", (username, hashed))  # ok: CF-PY-PLAINTEXT-PASSWORD


def remember(username, password):
    users[username] = {"password": password, "active": True}  # expect: CF-PY-PLAINTEXT-PASSWORD


def change_password(user, new_password):
    user.password = new_password  # expect: CF-PY-PLAINTEXT-PASSWORD


def change_password_hashed(user, new_password):
    user.password_hash = generate_password_hash(new_password)  # ok: CF-PY-PLAINTEXT-PASSWORD


def check_balance(user, password):
    return requests.get(f"https://bank.partner-api.net/balance?user={user}&password={password}", timeout=5)  # expect: CF-PY-CREDENTIAL-EXPOSED


def check_balance_header(user, token):
    return requests.get(f"https://bank.partner-api.net/balance?user={user}", headers={"Authorization": f"Bearer {token}"}, timeout=5)  # ok: CF-PY-CREDENTIAL-EXPOSED


def weather(city, key):
    return requests.get("https://weather.partner-api.net/v1?api_key=" + key + "&q=" + city, timeout=5)  # expect: CF-PY-CREDENTIAL-EXPOSED


@app.post("/remember-me")
def remember_me():
    response = make_response("ok")
    response.set_cookie("password", request.form["password"], secure=True, httponly=True, samesite="Lax")  # expect: CF-PY-CREDENTIAL-EXPOSED
    response.set_cookie("api_key", request.form["key"], secure=True, httponly=True, samesite="Lax")  # expect: CF-PY-CREDENTIAL-EXPOSED
    response.set_cookie("theme", request.form["theme"], secure=True, httponly=True, samesite="Lax")  # ok: CF-PY-CREDENTIAL-EXPOSED
    return response


def search_link(query):
    return f"https://search.partner-api.net/?q={query}&page=1"  # ok: CF-PY-CREDENTIAL-EXPOSED
