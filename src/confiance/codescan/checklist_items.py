"""The security review checklist: every item, automated or manual.

Automated items are decided by findings of the rules they select (by rule id pattern or CWE,
so rule families added later join the right item). Manual items are decided by people
and signed off in ``.confiance-signoff.yaml``; ``topics`` and ``globs`` say which files an item
covers, so a sign-off goes stale when those files change.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from enum import StrEnum

from confiance.codescan.findings import Rule

__all__ = ["ITEMS", "ChecklistItem", "ItemKind", "covers", "item_by_id"]


class ItemKind(StrEnum):
    AUTOMATED = "automated"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    title: str
    kind: ItemKind
    why: str
    rule_patterns: tuple[str, ...] = ()
    cwes: tuple[int, ...] = ()
    topics: tuple[str, ...] = ()
    globs: tuple[str, ...] = ()

    def selects(self, rule: Rule) -> bool:
        """Whether findings of ``rule`` are evidence for this (automated) item."""
        return (
            any(fnmatch.fnmatchcase(rule.id, p) for p in self.rule_patterns)
            or rule.cwe in self.cwes
        )


def _auto(
    item_id: str,
    title: str,
    why: str,
    *,
    rule_patterns: tuple[str, ...] = (),
    cwes: tuple[int, ...] = (),
    topics: tuple[str, ...] = (),
) -> ChecklistItem:
    """An automated item; with ``topics`` it is not applicable when no file has them."""
    return ChecklistItem(
        item_id, title, ItemKind.AUTOMATED, why, rule_patterns=rule_patterns, cwes=cwes,
        topics=topics,
    )  # fmt: skip


def _manual(
    item_id: str,
    title: str,
    why: str,
    *,
    topics: tuple[str, ...] = (),
    globs: tuple[str, ...] = (),
) -> ChecklistItem:
    return ChecklistItem(item_id, title, ItemKind.MANUAL, why, topics=topics, globs=globs)


ITEMS: tuple[ChecklistItem, ...] = (
    _auto("no-secrets", "No secrets in source, config, notebooks or git history",
          "Committed keys are used by whoever reads the repository; rotate any found.",
          rule_patterns=("CF-SECRET-*", "*HARDCODED*"), cwes=(798, 259, 321)),
    _auto("llm-keys-server-side", "LLM vendor keys never reach client-side code",
          "Keys in bundles or public env variables are readable by every visitor.",
          rule_patterns=("CF-JS-LLM-CLIENT-KEY", "CF-JS-LLM-BROWSER", "CF-JS-LLM-PUBLIC-ENV",
                         "CF-SECRET-PUBLIC-LLM-KEY"), cwes=(522,)),
    _auto("routes-authenticated", "All state-changing and sensitive routes require authentication",
          "Generated handlers often forget the auth decorator or middleware their siblings have.",
          rule_patterns=("*NO-AUTH*", "*MISSING-AUTH*", "*UNAUTHENTICATED*"),
          cwes=(862, 306, 285, 639), topics=("routes",)),
    _auto("auth-rate-limited", "Authentication endpoints are rate limited",
          "Login and token endpoints without limits invite credential stuffing.",
          rule_patterns=("*RATE-LIMIT*",), cwes=(307,), topics=("routes",)),
    _auto("llm-output-validated", "LLM output is validated before use in code, SQL, shell or HTML",
          "Model output is attacker-influenced through prompt injection (OWASP LLM05).",
          rule_patterns=("CF-LLM-OUTPUT-*", "CF-JS-XSS-LLM", "CF-JS-LLM-EVAL"),
          topics=("llm-call",)),
    _auto("prompt-construction", "Untrusted input is not concatenated into system prompts",
          "System prompts built from user text hand control of the model to the user (LLM01).",
          rule_patterns=("*PROMPT*",), topics=("llm-call", "prompts")),
    _auto("tool-handlers-safe", "Tool/function-calling handlers cannot run arbitrary commands",
          "A model that can call a shell tool is a remote shell for prompt injection (LLM06).",
          rule_patterns=("*TOOL*",), topics=("tools",)),
    _auto("llm-calls-bounded", "LLM calls are bounded (timeouts, retries, max_tokens, no "
          "unbounded loops)", "Unbounded calls turn one request into unbounded cost (LLM10).",
          rule_patterns=("*LLM*TIMEOUT*", "*MAX-TOKENS*", "*LLM-UNBOUNDED*", "*NO-RETRY*"),
          topics=("llm-call",)),
    _auto("no-retired-models", "No retired or retiring models are hard-coded",
          "Calls to a retired model fail on the vendor's date, usually in production.",
          rule_patterns=("*RETIRED*", "*RETIRING*", "*DEPRECATED-MODEL*", "*MODEL-LIFECYCLE*")),
    _auto("safety-settings-kept", "Vendor safety settings are not disabled",
          "Turning off safety filters should be a reviewed product decision.",
          rule_patterns=("*SAFETY*",), topics=("llm-call",)),
    _auto("no-injection", "No injection: SQL, command, code, template, LDAP, XPath",
          "Values must never become code or queries.",
          rule_patterns=("CF-JS-SQLI", "CF-JS-EVAL"),
          cwes=(89, 78, 77, 94, 95, 1336, 90, 643, 917)),
    _auto("no-xss", "HTML output is escaped (no XSS)", "Unescaped output runs in users' browsers.",
          rule_patterns=("CF-JS-XSS",), cwes=(79, 80)),
    _auto("paths-and-urls-constrained", "User-controlled paths, redirects and outbound URLs are "
          "constrained", "Path traversal, open redirects and SSRF.", cwes=(22, 23, 601, 918)),
    _auto("safe-deserialization", "No unsafe deserialization or XML external entities",
          "pickle/yaml.load/marshal and XXE run or read what the attacker chooses.",
          cwes=(502, 611, 776)),
    _auto("strong-crypto", "Cryptography, hashing and randomness are strong",
          "MD5/SHA1 for passwords, ECB, static IVs and `random` for tokens are breakable.",
          cwes=(326, 327, 328, 329, 330, 331, 338, 916, 1204, 759, 760)),
    _auto("tls-verified", "Traffic is encrypted and TLS certificates are verified",
          "Plain HTTP/FTP/Telnet and verify=False allow reading and changing traffic.",
          cwes=(295, 297, 319)),
    _auto("credentials-protected", "Passwords are stored hashed and credentials never sent in "
          "URLs or cookies", "A leaked table or log must not give away passwords.",
          cwes=(256, 257), rule_patterns=("CF-PY-CREDENTIAL-EXPOSED",)),
    _auto("input-validated", "Request input is validated (ranges, uploads, regexes, log and "
          "header values)", "Unchecked amounts, files, patterns and line breaks become attacks.",
          cwes=(20, 117, 113, 434, 730, 1333)),
    _auto("errors-and-resources", "Errors hide internals, results are checked and resources "
          "bounded", "Tracebacks help attackers; ignored checks pass everyone; unbounded sizes "
          "and timeouts take the service down.", cwes=(209, 252, 400, 770)),
    _auto("tokens-cookies-cors", "JWTs are verified; cookies and CORS are configured safely",
          "Unverified tokens, insecure cookies and CORS * with credentials.",
          cwes=(345, 347, 614, 1004, 942, 346, 1275)),
    _auto("no-debug-in-production", "No debug mode in production code",
          "Debug consoles execute code and leak internals.", cwes=(489, 215, 11)),
    _auto("no-secret-logging", "Secrets and personal data are not logged",
          "Logs are widely readable and long-lived.", cwes=(532, 312)),
    _auto("no-mass-assignment", "Request data is not bound wholesale onto models",
          "Mass assignment lets clients set fields such as is_admin.", cwes=(915,)),
    _auto("safe-files-and-asserts", "Temporary files, file checks and assertions are safe",
          "Predictable temp files, check-then-use races and asserts removed by -O.",
          cwes=(377, 379, 367, 617, 703)),
    _auto("suppressions-justified", "Every suppression states a reason",
          "An accepted risk without a reason cannot be re-evaluated.",
          rule_patterns=("CF-SUPPRESS-*",)),
    _manual("authorization-model-reviewed", "Authorization model reviewed (who may do what, per "
            "role and tenant)", "Scanners see missing checks, not wrong ones.",
            topics=("routes", "auth")),
    _manual("prompt-injection-threat-model", "Threat model for prompt injection reviewed",
            "What untrusted content the model reads, and what it can trigger (tools, data).",
            topics=("llm-call", "tools", "prompts")),
    _manual("vendor-dpa-checked", "Data processing agreement and retention terms with LLM vendors "
            "checked", "Prompts may contain personal or confidential data.",
            topics=("llm-call",)),
    _manual("personal-data-minimized", "Personal data sent to LLMs is minimized and lawful",
            "Only what the task needs, with a legal basis.", topics=("personal-data",)),
    _manual("model-incident-response", "Incident response for model misbehaviour defined",
            "Kill switch, fallback model, rollback and who is paged.", topics=("llm-call",)),
    _manual("human-review-high-impact", "High-impact model decisions have human review",
            "Decisions about people or money need a human in the loop.",
            topics=("llm-call", "tools")),
    _manual("dependencies-reviewed", "Dependencies (LLM SDKs, frameworks) are pinned and reviewed",
            "Supply chain (OWASP LLM03).",
            globs=("requirements*.txt", "pyproject.toml", "package.json", "*.lock",
                   "package-lock.json", "pnpm-lock.yaml", "poetry.lock", "uv.lock")),
)  # fmt: skip


def item_by_id(item_id: str) -> ChecklistItem | None:
    return next((item for item in ITEMS if item.id == item_id), None)


def covers(item: ChecklistItem, path: str, topics: tuple[str, ...]) -> bool:
    """Whether a manual item's sign-off covers the file ``path`` with ``topics``."""
    name = path.rsplit("/", 1)[-1]
    return any(t in item.topics for t in topics) or any(
        fnmatch.fnmatchcase(name, g) or fnmatch.fnmatchcase(path, g) for g in item.globs
    )
