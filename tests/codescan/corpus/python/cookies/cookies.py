"""Cookies without Secure/HttpOnly/SameSite."""
from flask import Flask, make_response, session

app = Flask(__name__)
app.config["SESSION_COOKIE_SECURE"] = False  # expect: CF-PY-INSECURE-COOKIE
app.config["SESSION_COOKIE_HTTPONLY"] = True  # ok: CF-PY-INSECURE-COOKIE


@app.route("/remember")
def remember():
    response = make_response("ok")
    response.set_cookie("session_id", session["id"])  # expect: CF-PY-INSECURE-COOKIE
    response.set_cookie("theme", "dark", secure=True, httponly=True)  # expect: CF-PY-INSECURE-COOKIE
    response.set_cookie("auth", session["token"], secure=False, httponly=True, samesite="Lax")  # expect: CF-PY-INSECURE-COOKIE
    response.set_cookie("sid", session["id"], secure=True, httponly=True, samesite="Strict")  # ok: CF-PY-INSECURE-COOKIE
    return response


@app.route("/configured")
def configured():
    response = make_response("ok")
    options = {"secure": True, "httponly": True, "samesite": "Lax"}
    response.set_cookie("sid", session["id"], **options)  # ok: CF-PY-INSECURE-COOKIE
    flags = app.config["COOKIE_SECURE"]
    response.set_cookie("sid", session["id"], secure=flags, httponly=True, samesite="Lax")  # ok: CF-PY-INSECURE-COOKIE
    return response


SESSION_COOKIE_SECURE = False  # expect: CF-PY-INSECURE-COOKIE
CSRF_COOKIE_SECURE = True
