"""Server-side request forgery."""
from urllib.parse import urlparse
from urllib.request import urlopen

import httpx
import requests
from fastapi import FastAPI

app = FastAPI()
session = requests.Session()
ALLOWED_HOSTS = {"api.partner.example", "cdn.partner.example"}


@app.get("/preview")
def preview(url: str):
    page = requests.get(url, timeout=5)  # expect: CF-PY-SSRF
    return {"size": len(page.content)}


@app.get("/proxy")
async def proxy(target: str):
    async with httpx.AsyncClient() as client:
        response = await client.get(target)  # expect: CF-PY-SSRF
    return {"status": response.status_code}


@app.get("/avatar")
def avatar(user: str):
    requests.get(f"https://avatars.example.com/{user}.png", timeout=5)  # ok: CF-PY-SSRF
    session.post(user, json={})  # expect: CF-PY-SSRF
    return {}


@app.get("/feed")
def feed(source: str):
    urlopen(source)  # expect: CF-PY-SSRF, CF-PY-REQUEST-NO-TIMEOUT
    return {}


@app.get("/allowed")
def allowed(url: str):
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        return {"error": "host not allowed"}
    requests.get(url, timeout=5)  # ok: CF-PY-SSRF
    return {}


@app.get("/status/{service_id}")
def status(service_id: int):
    requests.get(f"http://internal/{service_id}/health", timeout=2)  # ok: CF-PY-SSRF
    return {}
