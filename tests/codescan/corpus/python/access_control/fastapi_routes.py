"""FastAPI: dependencies as authentication."""
from fastapi import APIRouter, Depends, FastAPI, Security

from .auth import get_current_user, require_admin

app = FastAPI()
admin_router = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])


@app.get("/items")
def list_items(user=Depends(get_current_user)):  # ok: CF-PY-MISSING-AUTH
    return []


@app.post("/items")
def create_item(item: dict, user=Security(get_current_user, scopes=["items:write"])):
    return item


@app.put("/items/{item_id}")
def replace_item(item_id: int, item: dict):  # expect: CF-PY-MISSING-AUTH
    return item


@app.get("/users/{user_id}/billing")
def billing(user_id: int):  # expect: CF-PY-MISSING-AUTH
    return {}


@admin_router.post("/reindex")
def reindex():  # ok: CF-PY-MISSING-AUTH
    return {}


@app.post("/admin/purge")
def purge():  # expect: CF-PY-MISSING-AUTH
    return {}


@app.get("/status")
def status():
    return {"ok": True}
