"""LLM vendor keys in source (values are fake, shaped like real keys)."""
import os

import anthropic
import google.generativeai as genai
import openai
from langchain_openai import ChatOpenAI
from openai import OpenAI

client = OpenAI(api_key="sk-proj-FAKEfakeFAKEfake0123456789abcdefABCDEF", timeout=30)  # expect: CF-LLM-HARDCODED-API-KEY
claude = anthropic.Anthropic(api_key="sk-ant-api03-FAKEfakeFAKEfake0123456789-abcdef", timeout=30)  # expect: CF-LLM-HARDCODED-API-KEY
openai.api_key = "sk-FAKEfakeFAKEfake0123456789abcdefABCDEF"  # expect: CF-LLM-HARDCODED-API-KEY
os.environ.setdefault("OPENAI_API_KEY", "sk-proj-FAKEfakeFAKEfake0123456789abcdef")  # expect: CF-LLM-HARDCODED-API-KEY
genai.configure(api_key="AIzaSyFAKEfakeFAKEfake0123456789abcdefXYZ")  # expect: CF-LLM-HARDCODED-API-KEY
llm = ChatOpenAI(model="gpt-4o", openai_api_key="proxy-key-7f3a9c2e1b4d5f6a8b9c", timeout=30)  # expect: CF-LLM-HARDCODED-API-KEY
OPENAI_API_KEY = "sk-proj-FAKEfakeFAKEfake0123456789zzzzzzzz"  # expect: CF-LLM-HARDCODED-API-KEY

from_env = OpenAI(api_key=os.environ["OPENAI_API_KEY"], timeout=30)  # ok: CF-LLM-HARDCODED-API-KEY
local = OpenAI(base_url="http://localhost:11434/v1", api_key="ollama", timeout=30)  # ok: CF-LLM-HARDCODED-API-KEY
vllm = OpenAI(base_url="http://localhost:8000/v1", api_key="EMPTY", timeout=30)  # ok: CF-LLM-HARDCODED-API-KEY
example = OpenAI(api_key="sk-...", timeout=30)  # ok: CF-LLM-HARDCODED-API-KEY
default = anthropic.Anthropic(api_key=os.getenv("ANTHROPIC_API_KEY"), timeout=30)  # ok: CF-LLM-HARDCODED-API-KEY
