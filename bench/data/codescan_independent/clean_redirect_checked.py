# labels: none
"""Redirect only to local paths."""

from urllib.parse import urlparse

from flask import Flask, redirect, request, url_for

app = Flask(__name__)


@app.get("/continue")
def continue_to():
    target = request.args.get("next", "")
    parsed = urlparse(target)
    if parsed.netloc or parsed.scheme or not target.startswith("/"):
        return redirect(url_for("index"))
    return redirect(url_for("index") + target.lstrip("/"))
