"""An internal admin tool written in an afternoon: no authentication at all."""

import os
import subprocess

import requests
from flask import Flask, request, send_file

app = Flask(__name__)
app.secret_key = "dev-secret-key-4f8a1c9e2b7d"  # expect: CF-PY-HARDCODED-CREDENTIAL
REPORTS = "/srv/reports"


@app.route("/")
def index():
    return "<h1>Ops tools</h1>"


@app.route("/report")
def report():
    name = request.args["name"]
    return send_file(os.path.join(REPORTS, name))  # expect: CF-PY-PATH-TRAVERSAL


@app.route("/fetch")
def fetch():
    response = requests.get(request.args["url"], timeout=10)  # expect: CF-PY-SSRF
    return {"status": response.status_code}


@app.route("/admin/restart", methods=["POST"])
def admin_restart():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    service = request.form["service"]
    subprocess.run(["systemctl", "restart", service], check=True)
    return {"restarted": service}


@app.route("/admin/logs")
def admin_logs():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    lines = request.args.get("lines", "100")
    output = subprocess.check_output(
        f"tail -n {lines} /var/log/app.log",  # expect: CF-PY-CMDI
        shell=True,
    )
    return {"log": output.decode()}


@app.route("/hello")
def hello():
    return "Hello, " + request.args.get("name", "stranger")  # expect: CF-PY-XSS


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080, debug=True)  # expect: CF-PY-DEBUG-MODE
