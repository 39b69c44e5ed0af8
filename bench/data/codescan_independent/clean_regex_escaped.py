# labels: none
"""Highlight a search term in text."""

import re

from flask import Flask, request

app = Flask(__name__)


@app.get("/highlight")
def highlight():
    term = request.args.get("term", "")[:50]
    text = "Our spring collection of shoes and hats is here."
    highlighted = re.sub(re.escape(term), lambda m: f"[{m.group(0)}]", text, flags=re.I)
    return {"text": highlighted}
