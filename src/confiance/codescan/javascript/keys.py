"""LLM vendor keys in front-end code: literal keys in SDK constructors, the SDK's browser
opt-in, and keys read from environment variables that bundlers inline into the client."""

from __future__ import annotations

import re

from tree_sitter import Node

from confiance.codescan.javascript import rules as r
from confiance.codescan.javascript.context import FileContext
from confiance.codescan.javascript.syntax import arguments, callee_text, compact, string_value
from confiance.codescan.secrets import is_placeholder, mask

__all__ = ["check_client_constructor", "check_member", "check_pair"]

_LLM_CLIENTS = re.compile(
    r"(?:^|\.)(?:OpenAI|AzureOpenAI|Anthropic|AnthropicBedrock|GoogleGenerativeAI|GoogleGenAI|"
    r"Mistral|MistralClient|Groq|CohereClient|Together|ChatOpenAI|ChatAnthropic|"
    r"ChatGoogleGenerativeAI)$|^(?:createOpenAI|createAnthropic|createGoogleGenerativeAI)$"
)
_KEY_FIELDS = frozenset({"apiKey", "api_key", "apikey", "openAIApiKey", "anthropicApiKey"})
_PUBLIC_ENV = re.compile(
    r"^(?:process\.env|import\.meta\.env)\.(?P<name>(?:NEXT_PUBLIC|VITE|REACT_APP|EXPO_PUBLIC|"
    r"NUXT_PUBLIC|GATSBY|PUBLIC)_\w*(?:OPENAI|ANTHROPIC|CLAUDE|GEMINI|GOOGLE_AI|MISTRAL|GROQ|"
    r"COHERE|HF|HUGGINGFACE)\w*(?:KEY|TOKEN|SECRET))$"
)


def _literal_key(node: Node | None) -> str | None:
    value = string_value(node)
    if value is None or len(value) < 8 or is_placeholder(value):
        return None
    return value


def check_client_constructor(ctx: FileContext, node: Node) -> None:
    """``new OpenAI({ apiKey: "sk-..." })`` or ``new GoogleGenerativeAI("AIza...")``; reported
    on the literal itself."""
    callee = callee_text(node)
    if not _LLM_CLIENTS.search(callee):
        return
    args = arguments(node)
    keys: list[tuple[Node, str]] = []
    if args and (literal := _literal_key(args[0])):
        keys.append((args[0], literal))
    for arg in args:
        if arg.type != "object":
            continue
        for pair in arg.named_children:
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            value = pair.child_by_field_name("value") if key is not None else None
            if key is not None and compact(key).strip("'\"") in _KEY_FIELDS:
                literal = _literal_key(value)
                if literal and value is not None:
                    keys.append((value, literal))
    for where, literal in keys:
        ctx.report(
            r.CLIENT_KEY,
            where,
            f"{callee} is constructed with the literal key {mask(literal)}; it ships with the code",
        )


def check_pair(ctx: FileContext, node: Node) -> None:
    """``dangerouslyAllowBrowser: true`` anywhere in an object literal."""
    key = node.child_by_field_name("key")
    value = node.child_by_field_name("value")
    if compact(key).strip("'\"") == "dangerouslyAllowBrowser" and compact(value) == "true":
        ctx.report(
            r.LLM_BROWSER,
            node,
            "dangerouslyAllowBrowser: true ships the vendor API key to every browser",
        )


def check_member(ctx: FileContext, node: Node) -> None:
    """``process.env.NEXT_PUBLIC_OPENAI_API_KEY`` and friends."""
    parent = node.parent
    if parent is not None and parent.type == "member_expression":
        return
    match = _PUBLIC_ENV.match(compact(node))
    if match:
        ctx.report(
            r.PUBLIC_ENV,
            node,
            f"{match.group('name')} is inlined into the client bundle: the LLM key is public",
        )
