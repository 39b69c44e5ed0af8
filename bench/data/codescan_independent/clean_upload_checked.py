# labels: none
"""Receipt photos, restricted to images."""

import os
import uuid

from flask import Flask, abort, request
from flask_login import login_required

app = Flask(__name__)
ALLOWED_EXTENSIONS = {"png", "jpg", "jpeg"}
UPLOADS = "/srv/receipts"


def allowed_file(filename):
    return "." in filename and filename.rsplit(".", 1)[1].lower() in ALLOWED_EXTENSIONS


@app.post("/receipts")
@login_required
def upload_receipt():
    photo = request.files["photo"]
    if not allowed_file(photo.filename) or photo.mimetype not in ("image/png", "image/jpeg"):
        abort(400)
    extension = photo.filename.rsplit(".", 1)[1].lower()
    photo.save(os.path.join(UPLOADS, f"{uuid.uuid4().hex}.{extension}"))
    return {"ok": True}
