"""Code injection: eval/exec of input."""
import importlib

from flask import Flask, request

app = Flask(__name__)


@app.route("/calc")
def calc():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    expression = request.args["expr"]
    result = eval(expression)  # expect: CF-PY-CODE-INJECTION
    exec("total = " + request.args["formula"])  # expect: CF-PY-CODE-INJECTION
    plugin = importlib.import_module(request.args["plugin"])  # expect: CF-PY-CODE-INJECTION
    number = float(request.args["x"])
    eval(f"{number} * 2")  # ok: CF-PY-CODE-INJECTION
    print(result, plugin)
    return "ok"


def repl():
    code = input("> ")
    exec(compile(code, "<input>", "exec"))  # expect: CF-PY-CODE-INJECTION


def run_rule(rule_source):
    return eval(rule_source)  # expect: CF-PY-CODE-INJECTION


def literal(text):
    import ast

    return ast.literal_eval(text)  # ok: CF-PY-CODE-INJECTION


def fixed():
    return eval("1 + 2")  # ok: CF-PY-CODE-INJECTION
