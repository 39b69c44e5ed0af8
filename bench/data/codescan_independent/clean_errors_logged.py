# labels: none
"""Payment endpoint that logs errors and answers generically."""

import logging
import uuid

from flask import Flask, jsonify, request

from .payments import charge

app = Flask(__name__)
logger = logging.getLogger(__name__)


@app.post("/pay")
def pay():
    try:
        receipt = charge(request.get_json())
    except Exception:
        error_id = uuid.uuid4().hex
        logger.exception("payment failed (%s)", error_id)
        return jsonify({"error": "payment failed", "id": error_id}), 500
    return jsonify(receipt)
