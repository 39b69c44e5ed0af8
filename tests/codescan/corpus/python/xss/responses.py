"""Cross-site scripting and template autoescaping."""
import html

import jinja2
from django.http import HttpResponse
from django.utils.safestring import mark_safe
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from flask import Flask, jsonify, make_response, request
from markupsafe import Markup, escape

app = Flask(__name__)
api = FastAPI()


@app.route("/search")
def search():
    query = request.args.get("q", "")
    return f"<p>Results for {query}</p>"  # expect: CF-PY-XSS


@app.route("/search-safe")
def search_safe():
    query = request.args.get("q", "")
    return f"<p>Results for {escape(query)}</p>"  # ok: CF-PY-XSS


@app.route("/search-json")
def search_json():
    return jsonify(query=request.args.get("q"))  # ok: CF-PY-XSS


@app.route("/banner")
def banner():
    text = Markup("<b>" + request.args["msg"] + "</b>")  # expect: CF-PY-XSS
    resp = make_response("<div>" + request.args["msg"] + "</div>")  # expect: CF-PY-XSS
    print(text)
    return resp


@app.route("/plain")
def plain():
    return {"echo": request.args.get("q")}  # ok: CF-PY-XSS


def django_view(request):
    return HttpResponse("<h1>%s</h1>" % request.GET["title"])  # expect: CF-PY-XSS


def django_escaped(request):
    return HttpResponse("<h1>%s</h1>" % html.escape(request.GET["title"]))  # ok: CF-PY-XSS


def django_marked(request):
    return mark_safe(request.POST["bio"])  # expect: CF-PY-XSS


@api.get("/page", response_class=HTMLResponse)
def page(name: str):
    return HTMLResponse(f"<html><body>{name}</body></html>")  # expect: CF-PY-XSS


plain_env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates"))  # expect: CF-PY-TEMPLATE-AUTOESCAPE
off_env = jinja2.Environment(autoescape=False)  # expect: CF-PY-TEMPLATE-AUTOESCAPE
good_env = jinja2.Environment(autoescape=jinja2.select_autoescape())  # ok: CF-PY-TEMPLATE-AUTOESCAPE
also_good = jinja2.Environment(autoescape=True)  # ok: CF-PY-TEMPLATE-AUTOESCAPE
text_env = jinja2.Environment(loader=jinja2.BaseLoader(), autoescape=False, trim_blocks=True)  # expect: CF-PY-TEMPLATE-AUTOESCAPE
settings = {"autoescape": True}
configured = jinja2.Environment(**settings)  # ok: CF-PY-TEMPLATE-AUTOESCAPE
from jinja2 import Environment

md_env = Environment()  # expect: CF-PY-TEMPLATE-AUTOESCAPE
