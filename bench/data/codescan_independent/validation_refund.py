# labels: CWE-20
"""Refunds for returned items."""

from flask import Flask, request
from flask_login import current_user, login_required

from .payments import issue_refund

app = Flask(__name__)


@app.post("/orders/<int:order_id>/refund")
@login_required
def refund(order_id):
    order = current_user.orders.filter_by(id=order_id).first_or_404()
    amount = float(request.form["amount"])
    issue_refund(order, amount * 100)
    return {"refunded": amount}
