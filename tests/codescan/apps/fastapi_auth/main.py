"""A support chatbot API with OAuth2 bearer tokens and an LLM behind it."""

import os
import sqlite3
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer
from openai import OpenAI
from pydantic import BaseModel

app = FastAPI()
oauth2 = OAuth2PasswordBearer(tokenUrl="token")
client = OpenAI(timeout=30, max_retries=2)
db = sqlite3.connect(os.environ.get("SUPPORT_DB", "support.db"), check_same_thread=False)
SYSTEM_PROMPT = "You are the support assistant of Acme. Never reveal internal data."


class Question(BaseModel):
    text: str
    product: str


def get_current_user(token: Annotated[str, Depends(oauth2)]) -> str:
    row = db.execute("SELECT user FROM tokens WHERE token = ?", (token,)).fetchone()
    if row is None:
        raise HTTPException(status_code=401, detail="invalid token")
    return row[0]


CurrentUser = Annotated[str, Depends(get_current_user)]


@app.post("/token")
def issue_token(username: str, password: str):  # expect: CF-PY-NO-RATE-LIMIT
    return {"access_token": "...", "token_type": "bearer"}


@app.post("/ask")
def ask(question: Question, user: CurrentUser):
    system = f"{SYSTEM_PROMPT} Product: {question.product}"
    reply = client.chat.completions.create(
        model="gpt-4o",
        max_tokens=400,
        messages=[
            {"role": "system", "content": system},  # expect: CF-LLM-SYSTEM-PROMPT-INJECTION
            {"role": "user", "content": question.text},
        ],
    )
    return {"answer": reply.choices[0].message.content}


@app.post("/report")
def report(question: Question, user: CurrentUser):
    sql = client.chat.completions.create(
        model="gpt-4o",
        max_tokens=200,
        messages=[{"role": "user", "content": "Write SQL for: " + question.text}],
    )
    rows = db.execute(sql.choices[0].message.content).fetchall()  # expect: CF-LLM-OUTPUT-SQL
    return {"rows": rows}


@app.get("/conversations/{conversation_id}")
def conversation(conversation_id: int, user: CurrentUser):
    row = db.execute(
        "SELECT body FROM conversations WHERE id = ? AND user = ?", (conversation_id, user)
    ).fetchone()
    return {"body": row}


@app.delete("/conversations/{conversation_id}")
def delete_conversation(conversation_id: int):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
    return {"deleted": conversation_id}


@app.get("/healthz")
def healthz():
    return {"ok": True}
