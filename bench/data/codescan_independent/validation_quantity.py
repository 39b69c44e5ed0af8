# labels: CWE-20
"""Add items to the basket."""

from flask import Flask, request, session

app = Flask(__name__)
PRICES = {"sku-1": 1999, "sku-2": 4999}


@app.post("/basket")
def add_to_basket():
    sku = request.form["sku"]
    qty = int(request.form["qty"])
    basket = session.setdefault("basket", {})
    basket[sku] = basket.get(sku, 0) + qty
    session["total"] = sum(PRICES[s] * q for s, q in basket.items())
    return {"basket": basket}
