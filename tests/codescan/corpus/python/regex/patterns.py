"""Regular expressions from input, and catastrophic backtracking."""
import re

from flask import Flask, request

app = Flask(__name__)
EMAIL = re.compile(r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}[a-z]{2,3}$")  # expect: CF-PY-REDOS
WORDS = re.compile(r"^(\w+\s?)*$")  # expect: CF-PY-REDOS
VERSION = re.compile(r"^(\d+\.)*\d+$")  # ok: CF-PY-REDOS
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # ok: CF-PY-REDOS
NAME = re.compile(r"^[A-Za-z]+$")  # ok: CF-PY-REDOS


def nested(text):
    return re.match(r"(a+)+b", text)  # expect: CF-PY-REDOS


def dots(text):
    return re.search(r"^(([a-z])+.)+[A-Z]([a-z])+$", text)  # expect: CF-PY-REDOS


@app.get("/search")
def search():
    pattern = request.args["q"]
    lines = open("catalog.txt").read().splitlines()
    return {"hits": [line for line in lines if re.search(pattern, line)]}  # expect: CF-PY-REGEX-INJECTION


@app.get("/grep")
def grep():
    needle = re.compile(request.args["term"], re.I)  # expect: CF-PY-REGEX-INJECTION
    return {"found": bool(needle.search("inventory"))}


@app.get("/literal")
def literal():
    needle = re.compile(re.escape(request.args["term"]), re.I)  # ok: CF-PY-REGEX-INJECTION
    return {"found": bool(needle.search("inventory"))}


@app.get("/filter")
def filter_names():
    prefix = request.args["prefix"]
    rx = re.compile("^" + prefix)  # expect: CF-PY-REGEX-INJECTION
    return {"ok": bool(rx.match("abc"))}


@app.get("/fixed")
def fixed():
    text = request.args["text"]
    return {"ok": bool(re.fullmatch(r"[a-z]{1,20}", text))}  # ok: CF-PY-REGEX-INJECTION


@app.get("/split")
def split():
    text = request.args["text"]
    return {"parts": re.split(r"[,;]", text)}  # ok: CF-PY-REGEX-INJECTION


@app.get("/replace")
def replace():
    old = request.args["old"]
    return {"text": re.sub(old, "*", "the catalog")}  # expect: CF-PY-REGEX-INJECTION
