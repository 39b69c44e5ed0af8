# labels: none
"""Read RSS feeds submitted by users, safely."""

import defusedxml.ElementTree as SafeET
from flask import Flask, request

app = Flask(__name__)


@app.post("/rss")
def rss():
    root = SafeET.fromstring(request.data)
    titles = [item.findtext("title") for item in root.iter("item")]
    return {"titles": titles[:50]}
