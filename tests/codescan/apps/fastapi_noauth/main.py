"""A public page summariser: fetches a URL and asks a model for a summary."""

import litellm
import requests
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,  # expect: CF-PY-CORS-CREDENTIALS
    allow_methods=["*"],
)
MODEL = "gpt-3.5-turbo-0613"  # expect: CF-LLM-MODEL-RETIRED


@app.get("/summary", response_class=HTMLResponse)
def summary(url: str):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    page = requests.get(url, timeout=10)  # expect: CF-PY-SSRF
    result = litellm.completion(  # expect: CF-LLM-NO-TIMEOUT
        model=MODEL,
        max_tokens=300,
        messages=[{"role": "user", "content": "Summarise as HTML:\n" + page.text[:5000]}],
    )
    return HTMLResponse(result.choices[0].message.content)  # expect: CF-LLM-OUTPUT-HTML


@app.get("/languages")
def languages():
    return {"languages": ["en", "fr", "de"]}
