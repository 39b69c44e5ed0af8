"""Resource exhaustion: no timeouts, client-chosen sizes."""
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import requests
from fastapi import FastAPI, Query
from flask import Flask, request

app = Flask(__name__)
api = FastAPI()
session = requests.Session()


def sync_rates():
    return requests.get("https://rates.partner-api.net/today").json()  # expect: CF-PY-REQUEST-NO-TIMEOUT


def sync_rates_bounded():
    return requests.get("https://rates.partner-api.net/today", timeout=10).json()  # ok: CF-PY-REQUEST-NO-TIMEOUT


def download(url):
    return urllib.request.urlopen(url).read()  # expect: CF-PY-REQUEST-NO-TIMEOUT


def download_bounded(url):
    return urllib.request.urlopen(url, timeout=15).read()  # ok: CF-PY-REQUEST-NO-TIMEOUT


def post_event(payload):
    requests.post("https://events.partner-api.net/", json=payload)  # expect: CF-PY-REQUEST-NO-TIMEOUT


def forward(**options):
    return requests.get("https://events.partner-api.net/", **options)  # ok: CF-PY-REQUEST-NO-TIMEOUT


@app.get("/pad")
def pad():
    width = int(request.args["width"])
    return {"line": "-" * width}  # expect: CF-PY-UNBOUNDED-SIZE


@app.get("/pad-bounded")
def pad_bounded():
    width = min(int(request.args["width"]), 200)
    return {"line": "-" * width}  # ok: CF-PY-UNBOUNDED-SIZE


@app.get("/series")
def series():
    count = int(request.args.get("count", 10))
    return {"values": [i * i for i in range(count)]}  # expect: CF-PY-UNBOUNDED-SIZE


@app.get("/series-checked")
def series_checked():
    count = int(request.args.get("count", 10))
    if count > 1000:
        return {"error": "too many"}, 400
    return {"values": [i * i for i in range(count)]}  # ok: CF-PY-UNBOUNDED-SIZE


@app.get("/wait")
def wait():
    time.sleep(float(request.args["seconds"]))  # expect: CF-PY-UNBOUNDED-SIZE
    return {"ok": True}


@api.get("/batch")
def batch(workers: int):
    with ThreadPoolExecutor(max_workers=workers) as pool:  # expect: CF-PY-UNBOUNDED-SIZE
        return {"results": list(pool.map(str, range(10)))}


@api.get("/batch-bounded")
def batch_bounded(workers: int = Query(4, le=16)):
    with ThreadPoolExecutor(max_workers=workers) as pool:  # ok: CF-PY-UNBOUNDED-SIZE
        return {"results": list(pool.map(str, range(10)))}
