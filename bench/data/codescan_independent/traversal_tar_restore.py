# labels: CWE-22
"""Restore a project from an uploaded backup archive."""

import tarfile

from flask import Flask, request
from flask_login import login_required

app = Flask(__name__)


@app.post("/projects/restore")
@login_required
def restore():
    archive = tarfile.open(fileobj=request.files["backup"].stream, mode="r:gz")
    archive.extractall("/srv/projects/restored")
    return {"restored": True}
