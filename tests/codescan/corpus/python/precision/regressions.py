"""Regression cases for precision: each weakness is reported once, by its own rule."""
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
    return requests.get(request.args["url"], timeout=5).text  # expect: CF-PY-SSRF


@app.get("/go")
def go():
    return redirect(request.args["next"])  # expect: CF-PY-OPEN-REDIRECT


@app.get("/hello")
def hello():
    return "<p>Hello " + request.args["name"] + "</p>"  # expect: CF-PY-XSS
