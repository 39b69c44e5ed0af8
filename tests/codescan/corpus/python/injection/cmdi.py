"""OS command injection: shells and programs chosen by input."""
import os
import shlex
import subprocess
import sys

from flask import Flask, request

app = Flask(__name__)


@app.post("/ping")
def ping():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    host = request.form["host"]
    os.system("ping -c 1 " + host)  # expect: CF-PY-CMDI
    subprocess.run(f"ping -c 1 {host}", shell=True)  # expect: CF-PY-CMDI
    subprocess.run(["ping", "-c", "1", host])  # ok: CF-PY-CMDI
    subprocess.run(f"ping -c 1 {shlex.quote(host)}", shell=True)  # ok: CF-PY-CMDI
    return "sent"


@app.post("/tool")
def run_tool():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    tool = request.json["tool"]
    subprocess.Popen([tool, "--version"])  # expect: CF-PY-CMDI
    output = os.popen("grep %s /var/log/app.log" % request.args["pattern"]).read()  # expect: CF-PY-CMDI
    print(output)
    return "done"


def archive(directory):
    subprocess.check_output("tar czf backup.tgz " + directory, shell=True)  # expect: CF-PY-CMDI


def cli():
    subprocess.call("convert " + sys.argv[1] + " out.png", shell=True)  # expect: CF-PY-CMDI
    subprocess.call(["convert", sys.argv[1], "out.png"])  # ok: CF-PY-CMDI
    os.system("uptime")  # ok: CF-PY-CMDI
