"""Recognise calls to language-model APIs and the construction of their clients.

Recognition is by call shape, the way the vendors' SDKs spell them: OpenAI
``client.chat.completions.create`` / ``client.responses.create``, Anthropic
``client.messages.create``, Gemini ``generate_content``, LiteLLM ``completion``, Ollama
``ollama.chat``, Mistral ``client.chat.complete`` and LangChain ``invoke/predict/run`` on a
model, chain or agent. Shapes that other libraries share (Twilio has ``messages.create``) are
accepted only in modules that import the vendor's package.
"""

from __future__ import annotations

import ast
import re
from enum import StrEnum

from confiance.codescan.python.names import ImportTable, dotted, root_name

__all__ = [
    "LLM_PACKAGES",
    "LLMApi",
    "client_constructor",
    "is_llm_module",
    "llm_call",
]

LLM_PACKAGES = frozenset(
    {
        "openai",
        "anthropic",
        "google",
        "vertexai",
        "langchain",
        "langchain_openai",
        "langchain_anthropic",
        "langchain_core",
        "langchain_community",
        "langchain_google_genai",
        "langchain_google_vertexai",
        "langchain_mistralai",
        "langchain_groq",
        "litellm",
        "llama_index",
        "mistralai",
        "groq",
        "cohere",
        "ollama",
        "together",
        "instructor",
        "pydantic_ai",
        "agents",
    }
)
_LANGCHAIN = frozenset({p for p in LLM_PACKAGES if p.startswith("lang")} | {"llama_index"})


class LLMApi(StrEnum):
    OPENAI_CHAT = "openai chat completion"
    OPENAI_RESPONSES = "openai response"
    OPENAI_COMPLETIONS = "openai completion"
    ANTHROPIC = "anthropic message"
    GEMINI = "gemini generate_content"
    LITELLM = "litellm completion"
    OLLAMA = "ollama chat"
    MISTRAL = "mistral chat"
    LANGCHAIN = "langchain invocation"

    @property
    def takes_max_tokens(self) -> bool:
        """Whether the call itself is where a token limit is set."""
        return self is not LLMApi.LANGCHAIN


_SUFFIXES: tuple[tuple[str, LLMApi, frozenset[str]], ...] = (
    (".chat.completions.create", LLMApi.OPENAI_CHAT, frozenset()),
    (".chat.completions.parse", LLMApi.OPENAI_CHAT, frozenset()),
    (".responses.create", LLMApi.OPENAI_RESPONSES, LLM_PACKAGES),
    (".responses.parse", LLMApi.OPENAI_RESPONSES, LLM_PACKAGES),
    (".completions.create", LLMApi.OPENAI_COMPLETIONS, LLM_PACKAGES),
    ("ChatCompletion.create", LLMApi.OPENAI_CHAT, frozenset({"openai"})),
    ("ChatCompletion.acreate", LLMApi.OPENAI_CHAT, frozenset({"openai"})),
    (".messages.create", LLMApi.ANTHROPIC, frozenset({"anthropic"})),
    (".messages.stream", LLMApi.ANTHROPIC, frozenset({"anthropic"})),
    ("generate_content", LLMApi.GEMINI, frozenset()),
    ("generate_content_async", LLMApi.GEMINI, frozenset()),
    (".chat.complete", LLMApi.MISTRAL, frozenset({"mistralai"})),
    (".chat.complete_async", LLMApi.MISTRAL, frozenset({"mistralai"})),
)
_QUALNAMES = {
    "litellm.completion": LLMApi.LITELLM,
    "litellm.acompletion": LLMApi.LITELLM,
    "litellm.text_completion": LLMApi.LITELLM,
    "ollama.chat": LLMApi.OLLAMA,
    "ollama.generate": LLMApi.OLLAMA,
}
_LANGCHAIN_METHODS = frozenset(
    {"invoke", "ainvoke", "predict", "apredict", "run", "arun", "batch", "abatch", "stream"}
)
_LANGCHAIN_RECEIVER = re.compile(r"llm|chain|model|agent|chat|runnable|executor|pipe", re.I)

_CLIENT_NAMES = frozenset(
    {
        "OpenAI",
        "AsyncOpenAI",
        "AzureOpenAI",
        "AsyncAzureOpenAI",
        "Anthropic",
        "AsyncAnthropic",
        "AnthropicBedrock",
        "AnthropicVertex",
        "Client",
        "GenerativeModel",
        "ChatOpenAI",
        "AzureChatOpenAI",
        "ChatAnthropic",
        "ChatGoogleGenerativeAI",
        "ChatVertexAI",
        "ChatMistralAI",
        "ChatGroq",
        "ChatOllama",
        "Mistral",
        "Groq",
        "AsyncGroq",
        "Together",
    }
)


def is_llm_module(imports: ImportTable) -> bool:
    return imports.imports_any(LLM_PACKAGES)


def llm_call(node: ast.Call, imports: ImportTable) -> LLMApi | None:
    """The API a call invokes, or None when it is not recognisably a language-model call."""
    qual = imports.qualname(node.func)
    if qual is None:
        return None
    found = _QUALNAMES.get(qual)
    if found is not None:
        return found
    for suffix, api, needs in _SUFFIXES:
        if qual.endswith(suffix) and (not needs or imports.imports_any(needs)):
            return api
    if isinstance(node.func, ast.Attribute) and node.func.attr in _LANGCHAIN_METHODS:
        receiver = dotted(node.func.value) or root_name(node.func.value) or ""
        if _LANGCHAIN_RECEIVER.search(receiver) and imports.imports_any(_LANGCHAIN):
            return LLMApi.LANGCHAIN
    return None


def client_constructor(node: ast.Call, imports: ImportTable) -> str | None:
    """The class name when the call constructs an LLM client or chat model, else None."""
    qual = imports.qualname(node.func)
    if qual is None:
        return None
    head, _, name = qual.rpartition(".")
    if name not in _CLIENT_NAMES:
        return None
    package = head.split(".", 1)[0] if head else ""
    if package in LLM_PACKAGES:
        return name
    if not head and imports.imports_any(LLM_PACKAGES) and name != "Client":
        return name
    return None
