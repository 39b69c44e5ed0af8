"""Improper input validation of amounts and quantities."""
from flask import Flask, abort, request

app = Flask(__name__)
PRICES = {"apple": 120, "pear": 90}
accounts = {}


@app.post("/cart")
def add_to_cart():
    quantity = int(request.form["quantity"])  # expect: CF-PY-UNVALIDATED-NUMBER
    total = PRICES[request.form["item"]] * quantity
    return {"total": total}


@app.post("/cart-checked")
def add_to_cart_checked():
    quantity = int(request.form["quantity"])  # ok: CF-PY-UNVALIDATED-NUMBER
    if quantity <= 0 or quantity > 100:
        abort(400)
    total = PRICES[request.form["item"]] * quantity
    return {"total": total}


@app.post("/transfer")
def transfer():
    amount = float(request.json["amount"])  # expect: CF-PY-UNVALIDATED-NUMBER
    accounts[request.json["from"]] -= amount
    accounts[request.json["to"]] += amount
    return {"ok": True}


@app.post("/discount")
def discount():
    percent = int(request.args["percent"])  # expect: CF-PY-UNVALIDATED-NUMBER
    price = 1000 * (100 - percent) // 100
    return {"price": price}


@app.post("/discount-clamped")
def discount_clamped():
    percent = int(request.args["percent"])  # ok: CF-PY-UNVALIDATED-NUMBER
    percent = max(0, min(percent, 50))
    return {"price": 1000 * (100 - percent) // 100}


@app.post("/tip")
def tip():
    tip_amount = float(request.form["tip"])  # expect: CF-PY-UNVALIDATED-NUMBER
    return {"charged": 2500 + tip_amount}


@app.get("/page")
def page():
    page_number = int(request.args.get("page", 1))  # ok: CF-PY-UNVALIDATED-NUMBER
    return {"page": page_number + 1}
