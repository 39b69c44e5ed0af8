# labels: CWE-117
"""Log the search terms people use."""

import logging

from flask import Flask, request

app = Flask(__name__)
logging.basicConfig(level=logging.INFO)
log = logging.getLogger(__name__)


@app.get("/search")
def search():
    query = request.args.get("q", "")
    log.info("user searched for: %s", query)
    return {"results": []}
