"""Data-flow behaviour: propagation, sanitizers, guards, branches, loops, summaries."""

from __future__ import annotations

import textwrap

from confiance.codescan.python import analyze

HEADER = (
    "import os, subprocess, sqlite3\nfrom flask import request, abort\ndb = sqlite3.connect('x')\n"
)


def rules_at(body: str) -> list[tuple[int, str]]:
    source = HEADER + textwrap.dedent(body)
    offset = HEADER.count("\n")
    return [(f.line - offset, f.rule_id) for f in analyze(source, "flow.py")]


def test_reassignment_to_a_constant_ends_taint() -> None:
    body = """
    def view():
        q = request.args["q"]
        q = "fixed"
        db.execute("SELECT " + q)
    """
    assert rules_at(body) == []


def test_taint_from_one_branch_survives_the_merge() -> None:
    body = """
    def view(flag):
        q = "a"
        if flag:
            q = request.args["q"]
        db.execute("SELECT " + q)
    """
    assert rules_at(body) == [(6, "CF-PY-SQLI")]


def test_guard_that_returns_makes_the_variable_safe_after_it() -> None:
    body = """
    def view():
        n = request.args["n"]
        if not n.isdigit():
            return "bad"
        db.execute("SELECT * FROM t LIMIT " + n)
    """
    assert rules_at(body) == []


def test_guard_without_exit_does_not_sanitize() -> None:
    body = """
    def view():
        n = request.args["n"]
        if not n.isdigit():
            print("bad")
        db.execute("SELECT * FROM t LIMIT " + n)
    """
    assert rules_at(body) == [(6, "CF-PY-SQLI")]


def test_loop_carried_taint_is_seen() -> None:
    body = """
    def view():
        parts = []
        cmd = "echo"
        for _ in range(3):
            os.system(cmd)
            cmd = cmd + request.args["x"]
    """
    assert rules_at(body) == [(6, "CF-PY-CMDI")]


def test_containers_and_string_methods_propagate() -> None:
    body = """
    def view():
        data = {"name": request.form["name"].strip().lower()}
        words = [data["name"], "x"]
        db.execute("SELECT * FROM t WHERE n = '%s'" % " ".join(words))
    """
    assert rules_at(body) == [(5, "CF-PY-SQLI")]


def test_sanitizer_ends_taint_only_for_its_sink() -> None:
    body = """
    import shlex
    def view():
        quoted = shlex.quote(request.args["f"])
        os.system("cat " + quoted)
        db.execute("SELECT '" + quoted + "'")
    """
    assert rules_at(body) == [(6, "CF-PY-SQLI")]


def test_callee_that_sanitizes_returns_clean_data() -> None:
    body = """
    def as_number(value):
        return int(value)

    def passthrough(value):
        return value.strip()

    def view():
        db.execute("SELECT " + str(as_number(request.args["a"])))
        db.execute("SELECT " + passthrough(request.args["b"]))
    """
    assert rules_at(body) == [(10, "CF-PY-SQLI")]


def test_flows_through_two_levels_of_calls_to_a_method_sink() -> None:
    body = """
    class Repo:
        def find(self, name):
            return self._query("SELECT * FROM t WHERE n = '" + name + "'")

        def _query(self, sql):
            return db.execute(sql)

    def view():
        Repo().find(request.args["n"])
        repo = Repo()
    """
    # Calls through an instance are not resolved; calls through self are.
    assert rules_at(body) == []
    body_self = """
    class Repo:
        def handle(self):
            return self.find(request.args["n"])

        def find(self, name):
            return self._query("SELECT * FROM t WHERE n = '" + name + "'")

        def _query(self, sql):
            return db.execute(sql)
    """
    assert rules_at(body_self) == [(10, "CF-PY-SQLI")]


def test_recursion_terminates() -> None:
    body = """
    def walk(value):
        if value:
            return walk(value[1:])
        return value

    def view():
        os.system(walk(request.args["p"]))
    """
    assert rules_at(body) == [(8, "CF-PY-CMDI")]


def test_uncalled_public_function_parameters_are_low_confidence() -> None:
    source = HEADER + textwrap.dedent(
        """
        def purge(table):
            db.execute(f"DELETE FROM {table}")

        def _private(table):
            db.execute(f"DELETE FROM {table}")

        def called(table):
            db.execute(f"DELETE FROM {table}")

        called("logs")
        """
    )
    found = analyze(source, "flow.py")
    assert [(f.line - 3, f.rule_id, f.confidence.value) for f in found] == [
        (3, "CF-PY-SQLI", "low")
    ]


def test_fastapi_parameters_are_sources_but_dependencies_and_ints_are_not() -> None:
    source = textwrap.dedent(
        """
        import os
        from fastapi import Depends, FastAPI, Request
        app = FastAPI()

        @app.get("/run/{job_id}")
        async def run(job_id: int, name: str, request: Request, user=Depends(lambda: "u")):
            os.system("run " + str(job_id))
            os.system("run " + user)
            os.system("run " + name)
            os.system("run " + (await request.json())["x"])
        """
    )
    assert [(f.line, f.rule_id) for f in analyze(source, "api.py")] == [
        (7, "CF-PY-UNAUTHENTICATED-ACTION"),
        (10, "CF-PY-CMDI"),
        (11, "CF-PY-CMDI"),
    ]


def test_django_view_parameters_and_request_attributes_are_sources() -> None:
    source = textwrap.dedent(
        """
        import os
        from django.http import HttpResponse

        def view(request, slug):
            os.system("show " + slug)
            os.system("show " + request.GET["page"])
            os.system("show " + request.method)
            return HttpResponse("ok")
        """
    )
    assert [(f.line, f.rule_id) for f in analyze(source, "views.py")] == [
        (5, "CF-PY-UNAUTHENTICATED-ACTION"),
        (6, "CF-PY-CMDI"),
        (7, "CF-PY-CMDI"),
    ]


def test_import_aliases_are_resolved() -> None:
    source = textwrap.dedent(
        """
        import subprocess as sp
        from os import system as run_it
        from flask import request as rq

        def view():
            sp.call(rq.args["c"], shell=True)
            run_it(rq.args["c"])
        """
    )
    assert [(f.line, f.rule_id) for f in analyze(source, "a.py")] == [
        (7, "CF-PY-CMDI"),
        (8, "CF-PY-CMDI"),
    ]


def test_shapes_shared_with_other_libraries_need_the_vendor_import() -> None:
    twilio = textwrap.dedent(
        """
        from twilio.rest import Client
        client = Client("sid", "tok")
        client.messages.create(body="hi", to="+1", from_="+2")
        """
    )
    assert [f.rule_id for f in analyze(twilio, "sms.py")] == []
    anthropic = "import anthropic\nclient = anthropic.Anthropic(timeout=5)\n" + (
        "client.messages.create(model='claude-sonnet-4-5', messages=[])\n"
    )
    assert [f.rule_id for f in analyze(anthropic, "llm.py")] == ["CF-LLM-NO-MAX-TOKENS"]
