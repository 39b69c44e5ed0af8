"""Log injection."""
import logging

from flask import Flask, request

app = Flask(__name__)
logger = logging.getLogger(__name__)


@app.post("/login")
def login():  # expect: CF-PY-NO-RATE-LIMIT
    username = request.form["username"]
    logger.info(f"login attempt for {username}")  # expect: CF-PY-LOG-INJECTION
    logger.info("login attempt for %r", username)  # ok: CF-PY-LOG-INJECTION
    return {"ok": True}


@app.get("/search")
def search():
    term = request.args.get("q", "")
    app.logger.warning("search: " + term)  # expect: CF-PY-LOG-INJECTION
    cleaned = term.replace("\n", "\\n").replace("\r", "\\r")
    app.logger.warning("search: " + cleaned)  # ok: CF-PY-LOG-INJECTION
    return {"ok": True}


@app.get("/item")
def item():
    logging.error("missing item %s", request.args["id"])  # expect: CF-PY-LOG-INJECTION
    logger.info("item %d", int(request.args["id"]))  # ok: CF-PY-LOG-INJECTION
    return {"ok": True}


@app.get("/agent")
def agent():
    log = logging.getLogger("access")
    log.debug("agent {}".format(request.headers.get("User-Agent")))  # expect: CF-PY-LOG-INJECTION
    return {"ok": True}
