"""Server-side template injection: input as the template source."""
import jinja2
from flask import Flask, render_template_string, request

app = Flask(__name__)
env = jinja2.Environment(autoescape=True)


@app.route("/hello")
def hello():
    name = request.args.get("name", "world")
    page = render_template_string("<h1>Hello " + name + "</h1>")  # expect: CF-PY-SSTI
    safe = render_template_string("<h1>Hello {{ name }}</h1>", name=name)  # ok: CF-PY-SSTI
    print(page, safe)
    return "ok"


@app.route("/card")
def card():
    template = jinja2.Template(request.form["layout"])  # expect: CF-PY-SSTI
    other = env.from_string(request.form["layout"])  # expect: CF-PY-SSTI
    fixed = env.from_string("Dear {{ user }}")  # ok: CF-PY-SSTI
    print(template, other, fixed)
    return "ok"


@app.route("/greet/<title>")
def greet(title):
    render_template_string(f"<title>{title}</title>")  # expect: CF-PY-SSTI
    render_template_string("<title>{{ t }}</title>", t=title)  # ok: CF-PY-SSTI
    return "ok"
