# labels: none
"""Summaries with a bounded model call."""

from fastapi import Depends, FastAPI
from openai import OpenAI
from pydantic import BaseModel, Field

from .auth import get_current_user

app = FastAPI()
client = OpenAI(timeout=30, max_retries=2)


class Text(BaseModel):
    body: str = Field(max_length=8000)


@app.post("/summaries")
def summarize(text: Text, user=Depends(get_current_user)):
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=300,
        messages=[
            {"role": "system", "content": "Summarise the user's text in three sentences."},
            {"role": "user", "content": text.body},
        ],
    )
    return {"summary": reply.choices[0].message.content}
