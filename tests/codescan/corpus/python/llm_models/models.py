# corpus-today: 2026-11-25
"""Hard-coded model names checked against the catalog on a fixed day (2026-11-25)."""
import google.generativeai as genai
import litellm
from anthropic import Anthropic
from langchain_openai import ChatOpenAI
from openai import OpenAI

client = OpenAI(timeout=30)
claude = Anthropic(timeout=30)

DEFAULT_MODEL = "gpt-4-0613"  # expect: CF-LLM-MODEL-RETIRED
FALLBACK_MODEL = "gpt-4o"  # ok: CF-LLM-MODEL-RETIRED, CF-LLM-MODEL-RETIRING
SUMMARY_MODEL = "gemini-2.5-pro"  # expect: CF-LLM-MODEL-RETIRING
CHEAP_MODEL = "gpt-4o-mini-2024-07-18"  # expect: CF-LLM-MODEL-RETIRING
model_name = "claude-sonnet-4-5-20250929"  # ok: CF-LLM-MODEL-RETIRED, CF-LLM-MODEL-RETIRING
FUTURE = "gpt-5.1"  # ok: CF-LLM-MODEL-RETIRING
GREETING = "gpt-4"


def chat(text):
    return client.chat.completions.create(
        model="o1",  # expect: CF-LLM-MODEL-RETIRED
        messages=[{"role": "user", "content": text}],
        max_completion_tokens=500,
    )


def claude_chat(text):
    return claude.messages.create(
        model="claude-3-5-sonnet-20241022",  # expect: CF-LLM-MODEL-RETIRED
        max_tokens=500,
        messages=[{"role": "user", "content": text}],
    )


def routed(text):
    return litellm.completion(
        model="openai/gpt-4o-2024-05-13", messages=[{"role": "user", "content": text}], max_tokens=100, timeout=30  # expect: CF-LLM-MODEL-RETIRED
    )


def gemini():
    return genai.GenerativeModel("gemini-2.0-flash")  # expect: CF-LLM-MODEL-RETIRED


def langchain():
    return ChatOpenAI(model="gpt-4.1-2025-04-14", timeout=30)  # expect: CF-LLM-MODEL-RETIRING


CONFIG = {"model": "claude-3-haiku-20240307", "temperature": 0}  # expect: CF-LLM-MODEL-RETIRED
OTHER = {"model": "gpt-4o", "temperature": 0}  # ok: CF-LLM-MODEL-RETIRED


def gemini_later():
    return genai.GenerativeModel(model_name="models/gemini-2.5-flash")  # expect: CF-LLM-MODEL-RETIRING
