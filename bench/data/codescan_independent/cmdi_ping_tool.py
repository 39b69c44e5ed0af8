# labels: CWE-78
"""Network diagnostics page."""

import os

from flask import Flask, request
from flask_login import login_required

app = Flask(__name__)


@app.post("/diagnostics/ping")
@login_required
def ping():
    host = request.form["host"]
    output = os.popen(f"ping -c 3 {host}").read()
    return {"output": output}
