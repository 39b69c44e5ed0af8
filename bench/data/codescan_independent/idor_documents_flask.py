# labels: CWE-639
"""Shared documents."""

from flask import Flask, jsonify
from flask_login import login_required

from .models import Document

app = Flask(__name__)


@app.get("/api/documents/<int:document_id>")
@login_required
def get_document(document_id):
    document = Document.query.get_or_404(document_id)
    return jsonify({"title": document.title, "body": document.body})
