# labels: CWE-434
"""Profile pictures."""

import os

from flask import Flask, redirect, request, url_for
from flask_login import current_user, login_required

app = Flask(__name__)
app.config["UPLOAD_FOLDER"] = "static/avatars"


@app.route("/profile/avatar", methods=["POST"])
@login_required
def upload_avatar():
    file = request.files.get("avatar")
    if file is None or file.filename == "":
        return redirect(url_for("profile"))
    filename = f"{current_user.id}_{file.filename.replace('/', '_')}"
    file.save(os.path.join(app.config["UPLOAD_FOLDER"], filename))
    return redirect(url_for("profile"))
