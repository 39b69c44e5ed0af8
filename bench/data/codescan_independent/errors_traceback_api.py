# labels: CWE-209
"""Order API that reports failures to the caller."""

import traceback

from flask import Flask, jsonify, request

from .orders import create_order

app = Flask(__name__)


@app.post("/orders")
def new_order():
    try:
        order = create_order(request.get_json())
    except Exception:
        return jsonify({"error": "order failed", "trace": traceback.format_exc()}), 500
    return jsonify(order), 201
