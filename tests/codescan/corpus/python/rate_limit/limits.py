"""Authentication routes with and without rate limiting."""
from fastapi import Depends, FastAPI
from fastapi_limiter.depends import RateLimiter
from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app)


@app.route("/login", methods=["POST"])
@limiter.limit("5 per minute")
def login():  # ok: CF-PY-NO-RATE-LIMIT
    return "ok"


@app.route("/password-reset", methods=["POST"])
def password_reset():  # expect: CF-PY-NO-RATE-LIMIT
    return "sent"


@app.route("/login", methods=["GET"])
def login_form():  # ok: CF-PY-NO-RATE-LIMIT
    return "<form></form>"


@app.route("/verify-otp", methods=["GET", "POST"])
def verify_otp():  # expect: CF-PY-NO-RATE-LIMIT
    return "checked" if request.form.get("code") else "missing"


@app.route("/logout", methods=["POST"])
def logout():  # ok: CF-PY-NO-RATE-LIMIT
    return "bye"


api = FastAPI()


@api.post("/token")
def issue_token(username: str, password: str):  # expect: CF-PY-NO-RATE-LIMIT
    return {"access_token": "..."}


@api.post("/auth/login", dependencies=[Depends(RateLimiter(times=5, seconds=60))])
def api_login(username: str, password: str):
    return {}


@api.post("/forgot-password")
def forgot(email: str):  # expect: CF-PY-NO-RATE-LIMIT
    return {}
