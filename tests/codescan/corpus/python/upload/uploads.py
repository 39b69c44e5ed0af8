"""Unrestricted file upload."""
import os
import shutil
import uuid

from fastapi import FastAPI, UploadFile
from flask import Flask, abort, request
from werkzeug.utils import secure_filename

app = Flask(__name__)
api = FastAPI()
UPLOAD_DIR = "/srv/uploads"
ALLOWED = {".png", ".jpg", ".pdf"}


@app.post("/avatar")
def avatar():
    picture = request.files["picture"]
    picture.save(os.path.join(UPLOAD_DIR, secure_filename(picture.filename)))  # expect: CF-PY-UNRESTRICTED-UPLOAD
    return {"ok": True}


@app.post("/document")
def document():
    doc = request.files.get("doc")
    extension = os.path.splitext(doc.filename)[1].lower()
    if extension not in ALLOWED:
        abort(400)
    doc.save(os.path.join(UPLOAD_DIR, uuid.uuid4().hex + extension))  # ok: CF-PY-UNRESTRICTED-UPLOAD
    return {"ok": True}


@app.post("/attachments")
def attachments():
    for item in request.files.getlist("files"):
        item.save(os.path.join(UPLOAD_DIR, secure_filename(item.filename)))  # expect: CF-PY-UNRESTRICTED-UPLOAD
    return {"ok": True}


@app.post("/image")
def image():
    picture = request.files["picture"]
    if picture.mimetype not in ("image/png", "image/jpeg"):
        abort(415)
    picture.save(os.path.join(UPLOAD_DIR, uuid.uuid4().hex + ".png"))  # ok: CF-PY-UNRESTRICTED-UPLOAD
    return {"ok": True}


@api.post("/files")
async def store(file: UploadFile):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    with open(os.path.join(UPLOAD_DIR, uuid.uuid4().hex), "wb") as out:
        out.write(await file.read())  # expect: CF-PY-UNRESTRICTED-UPLOAD
    return {"ok": True}


@api.post("/import")
async def import_data(file: UploadFile):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    with open(os.path.join(UPLOAD_DIR, "import.bin"), "wb") as out:
        shutil.copyfileobj(file.file, out)  # expect: CF-PY-UNRESTRICTED-UPLOAD
    return {"ok": True}


@api.post("/csv")
async def csv_upload(file: UploadFile):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    if not file.filename.endswith(".csv"):
        return {"error": "csv only"}
    with open(os.path.join(UPLOAD_DIR, uuid.uuid4().hex + ".csv"), "wb") as out:
        out.write(await file.read())  # ok: CF-PY-UNRESTRICTED-UPLOAD
    return {"ok": True}
