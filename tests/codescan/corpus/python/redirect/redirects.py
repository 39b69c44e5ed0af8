"""Open redirects."""
from django.http import HttpResponseRedirect
from django.shortcuts import redirect as django_redirect
from django.utils.http import url_has_allowed_host_and_scheme
from flask import Flask, redirect, request, url_for

app = Flask(__name__)


@app.route("/after-login")
def after_login():
    return redirect(request.args.get("next", "/"))  # expect: CF-PY-OPEN-REDIRECT


@app.route("/back")
def back():
    return redirect(request.referrer)  # expect: CF-PY-OPEN-REDIRECT


@app.route("/profile-link")
def profile_link():
    return redirect(url_for("profile", name=request.args["name"]))  # ok: CF-PY-OPEN-REDIRECT


@app.route("/section")
def section():
    return redirect("/docs/" + request.args["page"])  # ok: CF-PY-OPEN-REDIRECT


def django_view(request):
    target = request.GET.get("next")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={"example.com"}):
        return HttpResponseRedirect(target)  # ok: CF-PY-OPEN-REDIRECT
    return HttpResponseRedirect(target)  # expect: CF-PY-OPEN-REDIRECT


def django_other(request, slug):
    return django_redirect(request.POST["return_to"])  # expect: CF-PY-OPEN-REDIRECT
