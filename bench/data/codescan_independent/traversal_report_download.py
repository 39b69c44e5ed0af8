# labels: CWE-22
"""Download generated reports."""

import os

from flask import Flask, send_file, request
from flask_login import login_required

app = Flask(__name__)
REPORT_DIR = "/srv/reports"


@app.get("/reports/download")
@login_required
def download_report():
    name = request.args["file"]
    return send_file(os.path.join(REPORT_DIR, name), as_attachment=True)
