"""Safety settings disabled."""
import google.generativeai as genai
from google.generativeai.types import HarmBlockThreshold, HarmCategory
from mistralai import Mistral

model = genai.GenerativeModel(
    "gemini-1.5-pro",
    safety_settings={
        HarmCategory.HARM_CATEGORY_HARASSMENT: HarmBlockThreshold.BLOCK_NONE,  # expect: CF-LLM-SAFETY-DISABLED
        HarmCategory.HARM_CATEGORY_HATE_SPEECH: HarmBlockThreshold.BLOCK_MEDIUM_AND_ABOVE,  # ok: CF-LLM-SAFETY-DISABLED
        HarmCategory.HARM_CATEGORY_DANGEROUS_CONTENT: HarmBlockThreshold.OFF,  # expect: CF-LLM-SAFETY-DISABLED
    },
)
settings = [
    {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "threshold": "BLOCK_NONE"},  # expect: CF-LLM-SAFETY-DISABLED
    {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"},  # ok: CF-LLM-SAFETY-DISABLED
]
mistral = Mistral(api_key=None)


def chat(text):
    return mistral.chat.complete(
        model="mistral-small-latest", messages=[{"role": "user", "content": text}], max_tokens=100, timeout_ms=30000, safe_prompt=False  # expect: CF-LLM-SAFETY-DISABLED
    )


def chat_safe(text):
    return mistral.chat.complete(
        model="mistral-small-latest", messages=[{"role": "user", "content": text}], max_tokens=100, timeout_ms=30000, safe_prompt=True  # ok: CF-LLM-SAFETY-DISABLED
    )


def image_pipeline(pipeline_class):
    return pipeline_class.from_pretrained("sd-model", safety_checker=None)  # expect: CF-LLM-SAFETY-DISABLED


def moderated(run_agent):
    return run_agent(skip_moderation=True)  # expect: CF-LLM-SAFETY-DISABLED
