"""An app-wide default limit covers every route."""
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app, default_limits=["200 per day", "50 per hour"])


@app.route("/login", methods=["POST"])
def login():  # ok: CF-PY-NO-RATE-LIMIT
    return "ok"
