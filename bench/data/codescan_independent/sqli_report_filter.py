# labels: CWE-89
"""Sales report filtered by region."""

import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.get("/reports/sales")
def sales():
    region = request.args.get("region", "EU")
    connection = sqlite3.connect("sales.db")
    rows = connection.execute(
        "SELECT month, total FROM sales WHERE region = '%s' ORDER BY month" % region
    ).fetchall()
    return {"rows": rows}
