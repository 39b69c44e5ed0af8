# labels: CWE-209
"""Inventory lookups."""

from fastapi import FastAPI, HTTPException

from .db import fetch_inventory

app = FastAPI()


@app.get("/inventory/{sku}")
def inventory(sku: str):
    try:
        return fetch_inventory(sku)
    except Exception as exc:
        raise HTTPException(status_code=500, detail=str(exc))
