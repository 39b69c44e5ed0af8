"""Path traversal: file paths from requests."""
import os
import shutil
from pathlib import Path

from flask import Flask, abort, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOADS = "/srv/uploads"


@app.route("/download")
def download():
    name = request.args["file"]
    return send_file(os.path.join(UPLOADS, name))  # expect: CF-PY-PATH-TRAVERSAL


@app.route("/read")
def read():
    name = request.args["file"]
    with open(UPLOADS + "/" + name) as handle:  # expect: CF-PY-PATH-TRAVERSAL
        content = handle.read()
    with open(os.path.join(UPLOADS, os.path.basename(name))) as handle:  # ok: CF-PY-PATH-TRAVERSAL
        content += handle.read()
    print(content)
    return "ok"


@app.route("/safe-download")
def safe_download():
    return send_from_directory(UPLOADS, request.args["file"])  # ok: CF-PY-PATH-TRAVERSAL


@app.post("/upload")
def upload():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    uploaded = request.files["doc"]
    uploaded.save(os.path.join(UPLOADS, secure_filename(uploaded.filename)))  # expect: CF-PY-UNRESTRICTED-UPLOAD
    target = Path(UPLOADS) / request.form["folder"]
    target.write_text("x")  # expect: CF-PY-PATH-TRAVERSAL
    return "ok"


@app.post("/delete/<name>")
def delete(name):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    os.remove(os.path.join(UPLOADS, name))  # expect: CF-PY-PATH-TRAVERSAL
    shutil.rmtree(f"{UPLOADS}/{request.form['dir']}")  # expect: CF-PY-PATH-TRAVERSAL
    return "ok"


@app.route("/checked")
def checked():
    full = os.path.realpath(os.path.join(UPLOADS, request.args["file"]))
    if not full.startswith(UPLOADS + os.sep):
        abort(403)
    return send_file(full)  # ok: CF-PY-PATH-TRAVERSAL


@app.route("/unchecked-prefix")
def unchecked_prefix():
    full = os.path.join(UPLOADS, request.args["file"])
    if not full.startswith(UPLOADS):
        abort(403)
    return send_file(full)  # expect: CF-PY-PATH-TRAVERSAL


@app.route("/resolved")
def resolved():
    path = (Path(UPLOADS) / request.args["file"]).resolve()
    if not path.is_relative_to(UPLOADS):
        abort(403)
    return send_file(path)  # ok: CF-PY-PATH-TRAVERSAL


def local_config():
    with open(os.environ.get("APP_CONFIG", "app.toml")) as handle:  # ok: CF-PY-PATH-TRAVERSAL
        return handle.read()
