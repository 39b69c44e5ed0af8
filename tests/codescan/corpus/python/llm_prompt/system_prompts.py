"""Untrusted input in system prompts."""
from anthropic import Anthropic
from fastapi import FastAPI
from flask import Flask, request
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate
from openai import OpenAI

app = Flask(__name__)
api = FastAPI()
client = OpenAI(timeout=30)
claude = Anthropic(timeout=30)
SYSTEM = "You are a support assistant for Acme. Answer only questions about Acme products."


@app.post("/chat")
def chat():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    persona = request.json["persona"]
    messages = [
        {"role": "system", "content": f"You are {persona}. " + SYSTEM},  # expect: CF-LLM-SYSTEM-PROMPT-INJECTION
        {"role": "user", "content": request.json["message"]},  # ok: CF-LLM-SYSTEM-PROMPT-INJECTION
    ]
    reply = client.chat.completions.create(model="gpt-4o", messages=messages, max_tokens=300)
    return {"reply": reply.choices[0].message.content}


@app.post("/chat/safe")
def chat_safe():  # expect: CF-PY-UNAUTHENTICATED-ACTION
    messages = [
        {"role": "system", "content": SYSTEM},  # ok: CF-LLM-SYSTEM-PROMPT-INJECTION
        {"role": "user", "content": request.json["message"]},
    ]
    reply = client.chat.completions.create(model="gpt-4o", messages=messages, max_tokens=300)
    return {"reply": reply.choices[0].message.content}


@api.post("/ask")
def ask(question: str, tone: str):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    system_prompt = SYSTEM + " Use a " + tone + " tone."
    message = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=300,
        system=system_prompt,  # expect: CF-LLM-SYSTEM-PROMPT-INJECTION
        messages=[{"role": "user", "content": question}],
    )
    return {"answer": message.content[0].text}


@api.post("/ask/allowlisted")
def ask_allowlisted(question: str, tone: str):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    if tone not in ("formal", "friendly"):
        return {"error": "unknown tone"}
    message = claude.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=300,
        system=SYSTEM + " Use a " + tone + " tone.",  # ok: CF-LLM-SYSTEM-PROMPT-INJECTION
        messages=[{"role": "user", "content": question}],
    )
    return {"answer": message.content[0].text}


@api.post("/lc")
def langchain_chat(topic: str):
    messages = [
        SystemMessage(content=f"You only discuss {topic}."),  # expect: CF-LLM-SYSTEM-PROMPT-INJECTION
        HumanMessage(content=topic),
    ]
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer about " + topic), ("human", "{question}")]  # expect: CF-LLM-SYSTEM-PROMPT-INJECTION
    )
    fixed = ChatPromptTemplate.from_messages(
        [("system", "Answer about {topic}"), ("human", topic)]  # ok: CF-LLM-SYSTEM-PROMPT-INJECTION
    )
    return {"n": len(messages), "prompt": str(prompt), "fixed": str(fixed)}


def cli():
    rules = input("House rules: ")
    return client.responses.create(
        model="gpt-4o", instructions=rules, input="hello", max_output_tokens=100  # expect: CF-LLM-SYSTEM-PROMPT-INJECTION
    )
