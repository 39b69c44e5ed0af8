# labels: none
"""Serve invoices through send_from_directory."""

from flask import Flask, send_from_directory
from flask_login import login_required

app = Flask(__name__)


@app.get("/static-docs/<path:filename>")
@login_required
def static_docs(filename):
    return send_from_directory("/srv/static-docs", filename)
