# labels: CWE-1333
"""Sign-up form validation."""

import re

from flask import Flask, request

app = Flask(__name__)
EMAIL_RE = re.compile(r"^([a-zA-Z0-9_\-\.]+)*@([a-zA-Z0-9_\-]+\.)+[a-zA-Z]{2,}$")


@app.post("/newsletter")
def newsletter():
    email = request.form.get("email", "")
    if not EMAIL_RE.match(email):
        return {"error": "invalid email"}, 400
    return {"subscribed": email}
