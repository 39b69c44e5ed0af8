"""Regression cases for precision: each weakness is reported once, by its own rule."""
import http.cookiejar

import requests
from flask import Flask, redirect, request

app = Flask(__name__)


class PlanService:
    async def execute(self, plan):
        return plan


service = PlanService()


@app.post("/plans")
async def run_plan():
    plan = request.json["plan"]
    return {"result": await service.execute(plan)}  # ok: CF-PY-SQLI


@app.get("/fetch")
def fetch():
    return requests.get(request.args["url"], timeout=5).text  # ok: CF-PY-XSS  # expect: CF-PY-SSRF


@app.get("/go")
def go():
    return redirect(request.args["next"])  # ok: CF-PY-XSS  # expect: CF-PY-OPEN-REDIRECT


@app.get("/hello")
def hello():
    return "<p>Hello " + request.args["name"] + "</p>"  # expect: CF-PY-XSS


def forward(session, cookie):
    jar = http.cookiejar.CookieJar()
    jar.set_cookie(cookie)  # ok: CF-PY-INSECURE-COOKIE
    return jar


@app.get("/relay")
def relay():
    outgoing = requests.Request("GET", "https://api.partner.example/data")
    outgoing.headers["X-Request-Id"] = request.headers["X-Request-Id"]  # ok: CF-PY-HEADER-INJECTION
    return {"prepared": bool(requests.Session().prepare_request(outgoing))}
