"""Model output executed, used in SQL, rendered as HTML, used as a path."""
import json
import os
import sqlite3
import subprocess

from anthropic import Anthropic
from flask import Flask, render_template_string
from markupsafe import Markup, escape
from openai import OpenAI
from pydantic import BaseModel

app = Flask(__name__)
client = OpenAI(timeout=30)
claude = Anthropic(timeout=30)
db = sqlite3.connect("app.db")


def ask(prompt):
    response = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": prompt}], max_tokens=500
    )
    return response.choices[0].message.content


def calculator(question):
    code = ask(f"Write a Python expression for: {question}")
    return eval(code)  # expect: CF-LLM-OUTPUT-EXEC


def shell_helper(task):
    command = ask("Give me a bash command to " + task)
    subprocess.run(command, shell=True)  # expect: CF-LLM-OUTPUT-EXEC
    subprocess.run(["echo", command])  # ok: CF-LLM-OUTPUT-EXEC


def text_to_sql(question):
    message = claude.messages.create(
        model="claude-sonnet-4-5", max_tokens=400, messages=[{"role": "user", "content": question}]
    )
    sql = message.content[0].text
    return db.execute(sql).fetchall()  # expect: CF-LLM-OUTPUT-SQL


def lookup(question):
    name = ask(question)
    db.execute("SELECT * FROM products WHERE name = ?", (name,))  # ok: CF-LLM-OUTPUT-SQL
    db.execute(f"SELECT * FROM products WHERE name = '{name}'")  # expect: CF-LLM-OUTPUT-SQL


@app.route("/summary")
def summary():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    text = ask("Summarise today's news as HTML")
    card = Markup(text)  # expect: CF-LLM-OUTPUT-HTML
    page = render_template_string(text)  # expect: CF-LLM-OUTPUT-HTML
    escaped = Markup("<p>%s</p>") % escape(text)  # ok: CF-LLM-OUTPUT-HTML
    shown = render_template_string("<p>{{ text }}</p>", text=text)  # ok: CF-LLM-OUTPUT-HTML
    print(card, page, escaped, shown)
    return "ok"


def save_note(topic):
    filename = ask(f"Pick a file name for notes on {topic}")
    with open(os.path.join("notes", filename), "w") as handle:  # expect: CF-LLM-OUTPUT-PATH
        handle.write(topic)
    with open(os.path.join("notes", os.path.basename(filename)), "w") as handle:  # ok: CF-LLM-OUTPUT-PATH
        handle.write(topic)


class Plan(BaseModel):
    steps: list[str]


def planned(goal):
    plan = Plan.model_validate(json.loads(ask(goal)))
    for step in plan.steps:
        print(step)
    exec(Plan.model_validate_json(ask(goal)).steps[0])  # ok: CF-LLM-OUTPUT-EXEC


def more_exec(goal):
    script = client.responses.create(model="gpt-4o", input=goal, max_output_tokens=300).output_text
    exec(script)  # expect: CF-LLM-OUTPUT-EXEC
    os.system(ask("cleanup command"))  # expect: CF-LLM-OUTPUT-EXEC


def more_sql(question):
    db.executescript(ask(question))  # expect: CF-LLM-OUTPUT-SQL
    db.execute("SELECT * FROM t WHERE id = " + ask(question))  # expect: CF-LLM-OUTPUT-SQL


def more_html(topic):
    return Markup(f"<div>{ask(topic)}</div>")  # expect: CF-LLM-OUTPUT-HTML


def more_paths(topic):
    path = ask(topic)
    open(path).read()  # expect: CF-LLM-OUTPUT-PATH
    os.remove(ask("which file to delete"))  # expect: CF-LLM-OUTPUT-PATH
    open("notes/index.txt").read()  # ok: CF-LLM-OUTPUT-PATH


def extra_cases(topic, fastapi_html):
    answer = ask(topic)
    fastapi_html(answer)
    from fastapi.responses import HTMLResponse

    HTMLResponse(answer)  # expect: CF-LLM-OUTPUT-HTML
    HTMLResponse("<p>static</p>")  # ok: CF-LLM-OUTPUT-HTML
    from pathlib import Path

    Path(answer).write_text("x")  # expect: CF-LLM-OUTPUT-PATH
    Path("notes", os.path.basename(answer)).write_text("x")  # ok: CF-LLM-OUTPUT-PATH
    number = int(ask("how many rows?"))
    db.execute(f"SELECT * FROM t LIMIT {number}")  # ok: CF-LLM-OUTPUT-SQL
    if answer in ("users", "orders"):
        db.execute(f"SELECT count(*) FROM {answer}")  # ok: CF-LLM-OUTPUT-SQL
    subprocess.run(["wc", "-l", answer])  # ok: CF-LLM-OUTPUT-EXEC
    eval("2 + 2")  # ok: CF-LLM-OUTPUT-EXEC
