# labels: CWE-434
"""Document storage endpoint."""

from pathlib import Path

from fastapi import Depends, FastAPI, File, UploadFile

from .auth import get_current_user

app = FastAPI()
STORAGE = Path("/var/app/public/docs")


@app.post("/documents")
async def upload_document(file: UploadFile = File(...), user=Depends(get_current_user)):
    destination = STORAGE / f"{user.id}-{Path(file.filename).name}"
    contents = await file.read()
    destination.write_bytes(contents)
    return {"url": f"/docs/{destination.name}"}
