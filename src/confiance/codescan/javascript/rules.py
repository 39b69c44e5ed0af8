"""The ``CF-JS-*`` rules: what the JavaScript/TypeScript analyzer can report."""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Rule, Severity, rules

__all__ = [
    "CLIENT_KEY",
    "EVAL",
    "LLM_BROWSER",
    "LLM_EVAL",
    "PUBLIC_ENV",
    "ROUTE_NO_AUTH",
    "SQLI",
    "XSS",
    "XSS_LLM",
]

_LANGS = ("javascript", "typescript")


def _rule(
    rule_id: str,
    name: str,
    cwe: int,
    severity: Severity,
    description: str,
    fix: str,
    owasp: tuple[str, ...],
    confidence: Confidence = Confidence.HIGH,
) -> Rule:
    return rules.register(
        Rule(
            id=rule_id,
            name=name,
            family="javascript",
            cwe=cwe,
            severity=severity,
            confidence=confidence,
            description=description,
            fix=fix,
            owasp=owasp,
            languages=_LANGS,
        )
    )


EVAL = _rule(
    "CF-JS-EVAL",
    "Code built from strings (eval, new Function, setTimeout with a string)",
    95,
    Severity.HIGH,
    "eval, new Function, vm.run* and setTimeout/setInterval with a string run text as code; any "
    "attacker-influenced part of that text becomes code execution.",
    "Call functions directly (pass a function to setTimeout), parse data with JSON.parse, and "
    "keep dynamic behaviour in a lookup table instead of generated code.",
    ("ASVS V5.2.4",),
)
LLM_EVAL = _rule(
    "CF-JS-LLM-EVAL",
    "Model output executed as code",
    95,
    Severity.CRITICAL,
    "Text produced by a language model reaches eval/new Function: a prompt injection in any "
    "input the model read becomes arbitrary code execution.",
    "Never execute model output. Ask the model for structured data (JSON schema), validate it "
    "and map it onto a fixed set of allowed operations.",
    ("ASVS V5.2.4", "LLM05"),
)
XSS = _rule(
    "CF-JS-XSS",
    "Dynamic HTML written to the DOM",
    79,
    Severity.MEDIUM,
    "A non-constant value is written with innerHTML, outerHTML, insertAdjacentHTML, "
    "document.write or dangerouslySetInnerHTML; unless it is sanitized this is an XSS sink.",
    "Use textContent or JSX text nodes; when HTML is really needed, pass it through "
    "DOMPurify.sanitize() first.",
    ("ASVS V5.3.3",),
    Confidence.MEDIUM,
)
XSS_LLM = _rule(
    "CF-JS-XSS-LLM",
    "Model output rendered as HTML",
    79,
    Severity.HIGH,
    "The answer of a language model is inserted into the page as HTML. Model output is "
    "attacker-influenced (prompt injection) and can carry script and phishing markup.",
    "Render model output as text, or convert Markdown to HTML and sanitize the result with "
    "DOMPurify.sanitize() before inserting it.",
    ("ASVS V5.3.3", "LLM05"),
)
CLIENT_KEY = _rule(
    "CF-JS-LLM-CLIENT-KEY",
    "LLM client created with a hard-coded key",
    798,
    Severity.CRITICAL,
    "An OpenAI/Anthropic/Gemini client is constructed with a literal API key; anyone who reads "
    "the code or the shipped bundle can spend on the account.",
    "Call the vendor from a server route that reads the key from the environment; the browser "
    "talks only to that route.",
    ("ASVS V2.10.4", "LLM02"),
)
LLM_BROWSER = _rule(
    "CF-JS-LLM-BROWSER",
    "LLM SDK allowed in the browser",
    522,
    Severity.HIGH,
    "`dangerouslyAllowBrowser: true` makes the vendor SDK run in the browser, which means the "
    "API key is shipped to every visitor.",
    "Move the call behind your own API route (or use short-lived ephemeral keys issued by the "
    "server) and remove dangerouslyAllowBrowser.",
    ("ASVS V2.10.4", "LLM02"),
)
PUBLIC_ENV = _rule(
    "CF-JS-LLM-PUBLIC-ENV",
    "LLM key read from a public env variable",
    522,
    Severity.HIGH,
    "NEXT_PUBLIC_*, VITE_*, REACT_APP_* and EXPO_PUBLIC_* variables are inlined into the client "
    "bundle at build time: an LLM key there is public.",
    "Rename the variable without the public prefix and use it only in server code (API routes, "
    "server actions).",
    ("ASVS V2.10.4", "LLM02"),
)
ROUTE_NO_AUTH = _rule(
    "CF-JS-ROUTE-NO-AUTH",
    "Express route without authentication middleware",
    862,
    Severity.HIGH,
    "Sibling routes on the same app/router use authentication middleware but this one does not "
    "(or it is an admin route with none at all).",
    "Add the same authentication middleware (or app.use(auth) before the routes); if the route "
    "is public on purpose, suppress with a reason.",
    ("ASVS V4.1.1",),
    Confidence.MEDIUM,
)
SQLI = _rule(
    "CF-JS-SQLI",
    "SQL built from strings",
    89,
    Severity.HIGH,
    "A query string built with a template literal or concatenation is passed to query/execute/"
    "raw: values become SQL.",
    "Use placeholders (`db.query('... WHERE id = $1', [id])`) or a safe tagged template "
    "(sql`...`, Prisma $queryRaw`...`).",
    ("ASVS V5.3.4",),
)
