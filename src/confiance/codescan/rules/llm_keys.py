"""LLM vendor API keys written into source: ``OpenAI(api_key="sk-...")``,
``openai.api_key = "..."``, ``os.environ.setdefault("OPENAI_API_KEY", "...")`` and literals shaped
like vendor keys. (The secrets scanner finds key formats in every text file; this rule finds the
Python places where a key is handed to an LLM client.)"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.llm import client_constructor
from confiance.codescan.python.names import dotted
from confiance.codescan.rules._words import LLM_KEY_SHAPE, is_placeholder, name_of

__all__ = ["LLM_API_KEY", "is_llm_key_site", "llm_key_value"]

LLM_API_KEY = rules.register(
    Rule(
        id="CF-LLM-HARDCODED-API-KEY",
        name="LLM API key in source",
        family="llm_keys",
        cwe=798,
        severity=Severity.CRITICAL,
        confidence=Confidence.HIGH,
        description="An API key of a model vendor is written in the code (client constructor, "
        "module attribute or environment default): anyone with the repository, a wheel or a "
        "stack trace can spend on the account and read its data.",
        fix="Revoke the key, then read it at run time: OpenAI() picks up OPENAI_API_KEY from the "
        "environment; use a secret manager in production.",
        owasp=("LLM02", "LLM10", "ASVS V2.10.4"),
    )
)

_KEY_KEYWORDS = re.compile(r"^(api_key|(\w+_)?api_key|api_token|access_token|token)$")
_VENDOR_KEYWORD = re.compile(
    r"^(openai|anthropic|google|gemini|groq|mistral|cohere|together|xai|deepseek|hf|"
    r"huggingface|azure_openai|openrouter)_api_key$"
)
_LLM_ENV = re.compile(
    r"^(OPENAI|ANTHROPIC|GEMINI|GOOGLE|GROQ|MISTRAL|COHERE|HF|HUGGINGFACE(HUB)?|TOGETHER|XAI|"
    r"DEEPSEEK|PERPLEXITY|AZURE_OPENAI|OPENROUTER|FIREWORKS|REPLICATE)_?(API_?)?(KEY|TOKEN)$"
)
_LLM_MODULES = frozenset({"openai", "anthropic", "litellm", "cohere", "groq", "mistralai"})
_CONFIGURE = frozenset({"google.generativeai.configure", "genai.configure"})


def llm_key_value(node: ast.expr | None, *, lenient: bool) -> str | None:
    """The literal when ``node`` holds a plausible LLM key (``lenient``: any long
    non-placeholder string, used where the site itself says it is an LLM key)."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return None
    text = node.value.strip()
    if LLM_KEY_SHAPE.match(text):
        return None if is_placeholder(text) else text
    if lenient and len(text) >= 16 and not is_placeholder(text):
        return text
    return None


def is_llm_key_site(call: ast.Call | None, name: str, context: ModuleContext) -> bool:
    """Whether ``name`` (a keyword or assignment target) at ``call`` is where an LLM key goes."""
    if _VENDOR_KEYWORD.match(name) or _LLM_ENV.match(name):
        return True
    if call is None:
        return False
    if client_constructor(call, context.index.imports) or context.llm_call(call):
        return bool(_KEY_KEYWORDS.match(name))
    return context.qualname(call.func) in _CONFIGURE and name == "api_key"


@checks.on(ast.Call)
def _call(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    for keyword in node.keywords:
        if keyword.arg and is_llm_key_site(node, keyword.arg, context):
            secret = llm_key_value(keyword.value, lenient=True)
        else:
            secret = llm_key_value(keyword.value, lenient=False)
        if secret:
            yield context.finding(
                LLM_API_KEY, node, f"LLM API key passed as {keyword.arg}=", secret=secret
            )
            return
    yield from _environment(node, context)


def _environment(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    qual = context.qualname(node.func) or ""
    if qual not in ("os.environ.setdefault", "os.putenv") or len(node.args) < 2:
        return
    variable, value = node.args[0], node.args[1]
    if isinstance(variable, ast.Constant) and _LLM_ENV.match(str(variable.value)):
        secret = llm_key_value(value, lenient=True)
        if secret:
            yield context.finding(
                LLM_API_KEY,
                node,
                f"LLM API key set as default of {variable.value!s}",
                secret=secret,
            )


@checks.on(ast.Assign, ast.AnnAssign)
def _assign(node: ast.Assign | ast.AnnAssign, context: ModuleContext) -> Iterator[Finding]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        name = name_of(target) or ""
        module_attribute = (
            isinstance(target, ast.Attribute)
            and (dotted(target.value) or "").split(".")[0] in _LLM_MODULES
            and name == "api_key"
        )
        lenient = module_attribute or bool(_LLM_ENV.match(name))
        secret = llm_key_value(node.value, lenient=lenient)
        if secret:
            yield context.finding(
                LLM_API_KEY, node, f"LLM API key assigned to {name}", secret=secret
            )
            return


@checks.on(ast.Dict)
def _dict(node: ast.Dict, context: ModuleContext) -> Iterator[Finding]:
    for key, value in zip(node.keys, node.values, strict=True):
        name = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""
        secret = llm_key_value(
            value, lenient=bool(_VENDOR_KEYWORD.match(name) or _LLM_ENV.match(name))
        )
        if secret:
            yield context.finding(
                LLM_API_KEY, node, f"LLM API key in dict entry {name!r}", secret=secret
            )
