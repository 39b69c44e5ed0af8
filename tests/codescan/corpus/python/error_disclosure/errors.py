"""Exception details sent to the client."""
import logging
import traceback

from fastapi import FastAPI, HTTPException
from flask import Flask, jsonify

app = Flask(__name__)
api = FastAPI()
logger = logging.getLogger(__name__)


def run_report(name):
    return {"name": name}


@app.get("/report")
def report():
    try:
        return jsonify(run_report("daily"))
    except Exception as error:
        return jsonify({"error": str(error)}), 500  # expect: CF-PY-ERROR-DISCLOSURE


@app.get("/report-safe")
def report_safe():
    try:
        return jsonify(run_report("daily"))
    except Exception:
        logger.exception("report failed")
        return jsonify({"error": "internal error"}), 500  # ok: CF-PY-ERROR-DISCLOSURE


@app.get("/debug-report")
def debug_report():
    try:
        return jsonify(run_report("daily"))
    except Exception:
        return traceback.format_exc(), 500  # expect: CF-PY-ERROR-DISCLOSURE


@api.get("/items/{item_id}")
def item(item_id: int):
    try:
        return run_report(str(item_id))
    except KeyError as missing:
        raise HTTPException(status_code=500, detail=f"lookup failed: {missing}")  # expect: CF-PY-ERROR-DISCLOSURE


@api.get("/items-safe/{item_id}")
def item_safe(item_id: int):
    try:
        return run_report(str(item_id))
    except KeyError as missing:
        logger.warning("lookup failed: %s", missing)
        raise HTTPException(status_code=404, detail="not found")  # ok: CF-PY-ERROR-DISCLOSURE


@app.errorhandler(Exception)
def on_error(error):
    return jsonify({"error": repr(error)}), 500  # expect: CF-PY-ERROR-DISCLOSURE


@app.errorhandler(404)
def on_missing(error):
    return jsonify({"error": "not found"}), 404  # ok: CF-PY-ERROR-DISCLOSURE
