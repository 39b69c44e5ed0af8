"""Debug mode left on."""
import os

from fastapi import FastAPI
from flask import Flask

app = Flask(__name__)
app.debug = True  # expect: CF-PY-DEBUG-MODE
app.config["DEBUG"] = True  # expect: CF-PY-DEBUG-MODE
api = FastAPI(debug=True)  # expect: CF-PY-DEBUG-MODE
quiet = FastAPI(debug=False)  # ok: CF-PY-DEBUG-MODE

DEBUG = True  # expect: CF-PY-DEBUG-MODE
TEMPLATE_DEBUG = True


def configure(settings):
    settings.DEBUG = os.environ.get("APP_DEBUG") == "1"  # ok: CF-PY-DEBUG-MODE


if __name__ == "__main__":
    app.run(host="127.0.0.1", debug=True)  # expect: CF-PY-DEBUG-MODE
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")  # ok: CF-PY-DEBUG-MODE
