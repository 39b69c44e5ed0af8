# labels: CWE-601
"""Login view that returns the user where they came from."""

from flask import Flask, redirect, request, session

from .users import check_credentials

app = Flask(__name__)


@app.route("/login", methods=["POST"])
def login():
    user = check_credentials(request.form["username"], request.form["password"])
    if user is None:
        return {"error": "invalid credentials"}, 401
    session["user_id"] = user.id
    next_url = request.args.get("next") or "/dashboard"
    return redirect(next_url)
