"""Flask: a route forgotten among protected ones, and admin routes."""
from flask import Flask, jsonify, request
from flask_login import current_user, login_required

app = Flask(__name__)


@app.route("/")
def index():  # ok: CF-PY-MISSING-AUTH
    return "welcome"


@app.route("/health")
def health():  # ok: CF-PY-MISSING-AUTH
    return jsonify(status="ok")


@app.route("/profile")
@login_required
def profile():  # ok: CF-PY-MISSING-AUTH
    return jsonify(name=current_user.name)


@app.route("/profile", methods=["POST"])
@login_required
def update_profile():
    return jsonify(ok=True)


@app.route("/users/<int:user_id>", methods=["DELETE"])
def delete_user(user_id):  # expect: CF-PY-MISSING-AUTH
    return jsonify(deleted=user_id)


@app.route("/export")
def export_orders():  # expect: CF-PY-MISSING-AUTH
    return jsonify(orders=[])


@app.route("/admin/stats")
def admin_stats():  # expect: CF-PY-MISSING-AUTH
    return jsonify(users=1)


@app.route("/settings", methods=["POST"])
def save_settings():
    if not current_user.is_authenticated:
        return jsonify(error="login"), 401
    return jsonify(saved=request.json)
