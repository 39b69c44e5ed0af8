"""Injection: SQL, OS command, code (eval/exec), server-side template, LDAP and XPath.

All six are taint rules: request data (or local input) reaching the interpreter unsanitized.
Parameters of public functions that nothing in the module calls count with low confidence when
they reach a sink that is dangerous whatever the data (shell, eval, SQL built by formatting).
"""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.taint import SinkKind, SourceKind

__all__ = ["CMDI", "CODE", "LDAP", "SQLI", "SSTI", "XPATH"]

H, M, L = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW
REMOTE, LOCAL = SourceKind.REMOTE, SourceKind.LOCAL

SQLI = rules.register(
    Rule(
        id="CF-PY-SQLI",
        name="SQL injection",
        family="injection",
        cwe=89,
        severity=Severity.HIGH,
        confidence=H,
        description="A SQL statement is built from untrusted input (f-string, %, + or .format) "
        "and executed, so the input can change the query.",
        fix="Pass values as parameters: cursor.execute('SELECT ... WHERE id = %s', (value,)), "
        "or sqlalchemy text('... WHERE id = :id') with {'id': value}; never format them in.",
        owasp=("ASVS V5.3.4", "ASVS V5.3.5"),
    )
)
CMDI = rules.register(
    Rule(
        id="CF-PY-CMDI",
        name="OS command injection",
        family="injection",
        cwe=78,
        severity=Severity.CRITICAL,
        confidence=H,
        description="Untrusted input reaches a shell (os.system, os.popen, shell=True) or chooses "
        "the program subprocess runs.",
        fix="Call subprocess.run([...]) with a list of arguments and no shell, a fixed program, "
        "and the input as a separate argument; shlex.quote() it if a shell is unavoidable.",
        owasp=("ASVS V5.3.8",),
    )
)
CODE = rules.register(
    Rule(
        id="CF-PY-CODE-INJECTION",
        name="Code injection",
        family="injection",
        cwe=95,
        severity=Severity.CRITICAL,
        confidence=H,
        description="Untrusted input is evaluated as Python (eval, exec, compile) or chooses a "
        "module to import.",
        fix="Parse data instead of evaluating it (json.loads, ast.literal_eval, int()); map "
        "allowed names to functions with a dict instead of importing by name.",
        owasp=("ASVS V5.2.4",),
    )
)
SSTI = rules.register(
    Rule(
        id="CF-PY-SSTI",
        name="Server-side template injection",
        family="injection",
        cwe=1336,
        severity=Severity.HIGH,
        confidence=H,
        description="Untrusted input is used as the template source (render_template_string, "
        "jinja2.Template, Environment.from_string), so {{ ... }} in it runs on the server.",
        fix="Keep templates constant and pass the input as a variable: "
        "render_template_string('Hello {{ name }}', name=value).",
        owasp=("ASVS V5.2.5",),
    )
)
LDAP = rules.register(
    Rule(
        id="CF-PY-LDAP-INJECTION",
        name="LDAP injection",
        family="injection",
        cwe=90,
        severity=Severity.HIGH,
        confidence=H,
        description="Untrusted input is placed in an LDAP search filter or base DN.",
        fix="Escape values with ldap.filter.escape_filter_chars (python-ldap) or "
        "ldap3.utils.conv.escape_filter_chars before building the filter.",
        owasp=("ASVS V5.3.7",),
    )
)
XPATH = rules.register(
    Rule(
        id="CF-PY-XPATH-INJECTION",
        name="XPath injection",
        family="injection",
        cwe=643,
        severity=Severity.HIGH,
        confidence=H,
        description="Untrusted input is concatenated into an XPath expression.",
        fix="Use XPath variables: tree.xpath('//user[@name=$name]', name=value).",
        owasp=("ASVS V5.3.10",),
    )
)

checks.taint(SQLI, [SinkKind.SQL], {REMOTE: H, LOCAL: M, SourceKind.PARAM: L})
checks.taint(CMDI, [SinkKind.COMMAND], {REMOTE: H, LOCAL: M, SourceKind.PARAM: L})
checks.taint(
    CODE,
    [SinkKind.CODE],
    {REMOTE: H, LOCAL: M, SourceKind.FILE: M, SourceKind.ENV: L, SourceKind.PARAM: L},
)
checks.taint(SSTI, [SinkKind.TEMPLATE], {REMOTE: H, LOCAL: M})
checks.taint(LDAP, [SinkKind.LDAP], {REMOTE: H, LOCAL: M, SourceKind.LLM: M})
checks.taint(XPATH, [SinkKind.XPATH], {REMOTE: H, LOCAL: M, SourceKind.LLM: M})
