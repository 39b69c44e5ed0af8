"""HTTP header injection / response splitting."""
from urllib.parse import quote

from django.http import HttpResponse
from flask import Flask, Response, make_response, request

app = Flask(__name__)


@app.get("/download")
def download():
    response = make_response("data")
    response.headers["Content-Disposition"] = "attachment; filename=" + request.args["name"]  # expect: CF-PY-HEADER-INJECTION
    return response


@app.get("/download-safe")
def download_safe():
    response = make_response("data")
    response.headers["Content-Disposition"] = "attachment; filename=" + quote(request.args["name"])  # ok: CF-PY-HEADER-INJECTION
    return response


@app.get("/lang")
def lang():
    return Response("ok", headers={"Content-Language": request.args["lang"]})  # expect: CF-PY-HEADER-INJECTION


@app.get("/trace")
def trace():
    response = make_response("ok")
    response.headers.add("X-Trace", request.headers.get("X-Request-Id", ""))  # expect: CF-PY-HEADER-INJECTION
    return response


@app.get("/trace-clean")
def trace_clean():
    response = make_response("ok")
    value = request.headers.get("X-Request-Id", "").replace("\r", "").replace("\n", "")
    response.headers["X-Trace"] = value  # ok: CF-PY-HEADER-INJECTION
    return response


def django_view(request):
    response = HttpResponse("ok")
    response["X-Campaign"] = request.GET["campaign"]  # expect: CF-PY-HEADER-INJECTION
    response["X-Version"] = "2"  # ok: CF-PY-HEADER-INJECTION
    return response
