# labels: none
"""Bounded pagination and timeouts."""

import requests
from fastapi import FastAPI, Query

app = FastAPI()


@app.get("/items")
def items(limit: int = Query(20, ge=1, le=100)):
    return {"items": list(range(limit))}


def ping_partner():
    return requests.get("https://partner.example/health", timeout=5).ok
