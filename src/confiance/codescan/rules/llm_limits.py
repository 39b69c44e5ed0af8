"""Unbounded consumption: LLM calls without a timeout, with retries switched off, without a
token limit, and loops or recursion that call a model with no bound."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from confiance.codescan.findings import Confidence, Finding, Rule, Severity, rules
from confiance.codescan.python.checks import checks
from confiance.codescan.python.context import ModuleContext
from confiance.codescan.python.llm import LLMApi, client_constructor
from confiance.codescan.python.names import dotted, last_name
from confiance.codescan.rules._words import snake

__all__ = ["NO_MAX_TOKENS", "NO_RETRY", "NO_TIMEOUT", "UNBOUNDED_LOOP"]

NO_TIMEOUT = rules.register(
    Rule(
        id="CF-LLM-NO-TIMEOUT",
        name="LLM call without timeout",
        family="llm_limits",
        cwe=400,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        description="A model call has no timeout (neither on the call nor on its client); SDK "
        "defaults are up to 10 minutes, so a slow provider holds workers and connections "
        "until the whole service stalls.",
        fix="Set a timeout that fits the use: OpenAI(timeout=30) / Anthropic(timeout=30), "
        "client.with_options(timeout=...), litellm.completion(..., timeout=30), "
        "request_options={'timeout': 30} for Gemini, ChatOpenAI(timeout=30).",
        owasp=("LLM10",),
    )
)
NO_RETRY = rules.register(
    Rule(
        id="CF-LLM-NO-RETRY",
        name="LLM retries disabled",
        family="llm_limits",
        cwe=754,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        description="Retries are switched off (max_retries=0 / num_retries=0): every rate limit "
        "(429) or transient 5xx from the provider becomes a user-facing failure.",
        fix="Keep the SDK's retries with backoff (max_retries=2 or more), or retry with your "
        "own backoff and a fallback model.",
        owasp=("LLM10",),
    )
)
NO_MAX_TOKENS = rules.register(
    Rule(
        id="CF-LLM-NO-MAX-TOKENS",
        name="LLM call without max tokens",
        family="llm_limits",
        cwe=770,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        description="A completion call sets no output token limit (max_tokens, "
        "max_completion_tokens, max_output_tokens): cost and latency per call are bounded only "
        "by the model's maximum.",
        fix="Pass max_tokens / max_completion_tokens (OpenAI chat), max_output_tokens (OpenAI "
        "responses, Gemini) sized for the expected answer.",
        owasp=("LLM10",),
    )
)
UNBOUNDED_LOOP = rules.register(
    Rule(
        id="CF-LLM-UNBOUNDED-LOOP",
        name="Unbounded loop or recursion calling an LLM",
        family="llm_limits",
        cwe=834,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        description="A 'while True' loop without a break, or a function that calls itself "
        "without a depth limit, calls a model on every round: one odd answer keeps it spending "
        "forever.",
        fix="Bound the loop (for attempt in range(MAX_STEPS)) or pass and check a depth "
        "counter; also cap total tokens or cost per task.",
        owasp=("LLM10", "LLM06"),
    )
)

_TIMEOUT_WORDS = frozenset({"timeout", "request_timeout", "timeout_ms", "read_timeout"})
_TOKEN_WORDS = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "max_output_tokens",
        "maxOutputTokens",
        "max_new_tokens",
        "num_predict",
    }
)
_TIMED_APIS = frozenset(
    {
        LLMApi.OPENAI_CHAT,
        LLMApi.OPENAI_RESPONSES,
        LLMApi.OPENAI_COMPLETIONS,
        LLMApi.ANTHROPIC,
        LLMApi.GEMINI,
        LLMApi.LITELLM,
        LLMApi.MISTRAL,
    }
)
_LLM_HOSTS = re.compile(
    r"api\.openai\.com|api\.anthropic\.com|generativelanguage\.googleapis\.com|"
    r"api\.mistral\.ai|api\.groq\.com|openrouter\.ai|api\.together\.xyz"
)
_HTTP_CALLS = frozenset(
    {"requests.post", "requests.get", "requests.request", "httpx.post", "httpx.request"}
)
_DEPTH_WORDS = re.compile(
    r"depth|level|attempt|retr|tries|remaining|budget|limit|max_|count|steps|hops|turns|rounds"
)


def _mentions(node: ast.AST, words: frozenset[str]) -> bool:
    """Whether a keyword or a dict key in ``node`` names one of ``words``."""
    for child in ast.walk(node):
        if isinstance(child, ast.keyword) and child.arg in words:
            return True
        if (
            isinstance(child, ast.Constant)
            and isinstance(child.value, str)
            and child.value in words
        ):
            return True
    return False


def _opaque(node: ast.Call) -> bool:
    """Arguments we cannot see into (``**kwargs``, a config object built elsewhere)."""
    for keyword in node.keywords:
        if keyword.arg is None:
            return True
        if keyword.arg in ("generation_config", "config", "options", "extra_body") and isinstance(
            keyword.value, ast.Name | ast.Attribute
        ):
            return True
    return False


def _client(node: ast.Call, context: ModuleContext) -> ast.Call | bool | None:
    """The constructor call of the client the LLM call goes through; True when the chain
    itself configures a timeout (``with_options(timeout=...)``); None when unknown."""
    current: ast.expr = node.func
    while isinstance(current, ast.Attribute | ast.Call):
        if isinstance(current, ast.Call):
            if _mentions(current, _TIMEOUT_WORDS):
                return True
            current = current.func
            continue
        current = current.value
        name = dotted(current)
        if name and name in context.index.instances:
            return context.index.instances[name][1]
    return None


@checks.on(ast.Call)
def _call_limits(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    api = context.llm_call(node)
    if api is None:
        yield from _constructor(node, context)
        yield from _raw_http(node, context)
        return
    yield from _retries(node, context)
    if api.takes_max_tokens and not _opaque(node) and not _mentions(node, _TOKEN_WORDS):
        yield context.finding(NO_MAX_TOKENS, node, f"{api.value} call without a token limit")
    if api in _TIMED_APIS and not _opaque(node) and not _mentions(node, _TIMEOUT_WORDS):
        client = _client(node, context) if api is not LLMApi.LITELLM else False
        if client is None or client is True:
            return
        if client is False or not _mentions(client, _TIMEOUT_WORDS):
            yield context.finding(NO_TIMEOUT, node, f"{api.value} call without a timeout")


def _constructor(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    name = client_constructor(node, context.index.imports)
    if name is None and last_name(node.func) == "with_options":
        name = "with_options"
    if name is None:
        return
    yield from _retries(node, context)
    langchain = name.startswith(("Chat", "AzureChat"))
    if langchain and not _opaque(node) and not _mentions(node, _TIMEOUT_WORDS):
        yield context.finding(NO_TIMEOUT, node, f"{name} constructed without a timeout")


def _retries(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    for keyword in node.keywords:
        if keyword.arg in ("max_retries", "num_retries"):
            value = keyword.value
            if isinstance(value, ast.Constant) and value.value == 0:
                yield context.finding(NO_RETRY, value, f"{keyword.arg}=0 disables retries")


def _raw_http(node: ast.Call, context: ModuleContext) -> Iterator[Finding]:
    if context.qualname(node.func) not in _HTTP_CALLS or not node.args:
        return
    url = node.args[0] if context.qualname(node.func) != "requests.request" else node.args[-1]
    text = ast.unparse(url) if isinstance(url, ast.JoinedStr | ast.Constant) else ""
    if _LLM_HOSTS.search(text) and not _mentions(node, _TIMEOUT_WORDS):
        yield context.finding(NO_TIMEOUT, node, "HTTP request to an LLM API without a timeout")


def _calls_llm(body: list[ast.stmt], context: ModuleContext) -> bool:
    return any(
        isinstance(n, ast.Call) and context.llm_call(n) is not None
        for statement in body
        for n in ast.walk(statement)
    )


def _exits(body: list[ast.stmt]) -> bool:
    """A break of this loop, or a return/raise anywhere in it (nested defs excluded)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return | ast.Raise):
            return True
        if isinstance(node, ast.Break):
            return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.For | ast.While | ast.AsyncFor):
            stack.extend(_without_breaks(node))
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def _without_breaks(loop: ast.For | ast.While | ast.AsyncFor) -> list[ast.AST]:
    """The nested loop's statements that can leave the outer loop (returns and raises only)."""
    found: list[ast.AST] = []
    for node in ast.walk(loop):
        if isinstance(node, ast.Return | ast.Raise):
            found.append(node)
    return found


@checks.on(ast.While)
def _while_true(node: ast.While, context: ModuleContext) -> Iterator[Finding]:
    test = node.test
    if not (isinstance(test, ast.Constant) and test.value in (True, 1)) or not context.may_call_llm:
        return
    if not _exits(node.body) and _calls_llm(node.body, context):
        yield context.finding(
            UNBOUNDED_LOOP, node, "'while True' calls a model and never breaks out"
        )


@checks.on(ast.FunctionDef, ast.AsyncFunctionDef)
def _recursion(
    node: ast.FunctionDef | ast.AsyncFunctionDef, context: ModuleContext
) -> Iterator[Finding]:
    if not context.may_call_llm or not _named_in_a_call(node.name, context):
        return
    if not _calls_itself_somewhere(node):
        return
    if not _calls_llm(node.body, context):
        return
    guarded = {
        a.arg for a in [*node.args.args, *node.args.kwonlyargs] if _DEPTH_WORDS.search(snake(a.arg))
    }
    compared = {
        n.id
        for statement in node.body
        for compare in ast.walk(statement)
        if isinstance(compare, ast.Compare)
        for n in ast.walk(compare)
        if isinstance(n, ast.Name)
    }
    if guarded & compared:
        return
    for statement in node.body:
        for call in ast.walk(statement):
            if isinstance(call, ast.Call) and _calls_itself(call, node.name):
                yield context.finding(
                    UNBOUNDED_LOOP,
                    call,
                    f"{node.name}() calls a model and itself with no depth limit",
                )
                return


def _named_in_a_call(name: str, context: ModuleContext) -> bool:
    """Cheap pre-check: some call in the module names the function (``f()``, ``self.f()``)."""
    called = context.index.called
    return name in called or any(key.endswith("." + name) for key in called)


def _calls_itself_somewhere(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        isinstance(call, ast.Call) and _calls_itself(call, node.name)
        for statement in node.body
        for call in ast.walk(statement)
    )


def _calls_itself(call: ast.Call, name: str) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == name
    return (
        isinstance(func, ast.Attribute)
        and func.attr == name
        and isinstance(func.value, ast.Name)
        and func.value.id in ("self", "cls")
    )
