"""SQL injection: string-built queries vs parameterised ones."""
import sqlite3

from flask import Flask, jsonify, request
from sqlalchemy import text

app = Flask(__name__)
db = sqlite3.connect("app.db")


@app.route("/users")
def find_users():
    name = request.args.get("name", "")
    cursor = db.cursor()
    cursor.execute(f"SELECT * FROM users WHERE name = '{name}'")  # expect: CF-PY-SQLI
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)  # expect: CF-PY-SQLI
    query = "SELECT * FROM users WHERE name = '" + name + "'"
    cursor.execute(query)  # expect: CF-PY-SQLI
    cursor.execute("SELECT * FROM users WHERE name = ?", (name,))  # ok: CF-PY-SQLI
    return jsonify(ok=True)


@app.route("/orders/<order_id>")
def order(order_id):
    stmt = text("SELECT * FROM orders WHERE id = {}".format(order_id))
    db.execute(stmt)  # expect: CF-PY-SQLI
    db.execute(text("SELECT * FROM orders WHERE id = :id"), {"id": order_id})  # ok: CF-PY-SQLI
    return jsonify(ok=True)


@app.route("/count")
def count():
    limit = int(request.args["limit"])
    db.execute(f"SELECT * FROM items LIMIT {limit}")  # ok: CF-PY-SQLI
    table = request.args.get("table")
    if table not in ("items", "orders"):
        return jsonify(error="bad table"), 400
    db.execute(f"SELECT count(*) FROM {table}")  # ok: CF-PY-SQLI
    return jsonify(ok=True)


def build_where(column_value):
    return "WHERE owner = '" + column_value + "'"


@app.route("/owned")
def owned():
    clause = build_where(request.values["owner"])
    db.execute("SELECT * FROM docs " + clause)  # expect: CF-PY-SQLI
    return jsonify(ok=True)


def report(day):
    db.executescript(f"DELETE FROM logs WHERE day = '{day}'")  # expect: CF-PY-SQLI


def constant_query():
    db.execute("SELECT 1")  # ok: CF-PY-SQLI
    db.execute(f"SELECT {42}")


@app.route("/schema")
def use_schema():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    schema = request.args["schema"]
    quoted = db.dialect.identifier_preparer.quote_identifier(schema)
    db.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted}")  # ok: CF-PY-SQLI
    db.execute(f"SET search_path TO {schema}")  # expect: CF-PY-SQLI
    return jsonify(ok=True)
